"""Drive a running policyqa server with concurrent clients on loopback; report throughput, p50/p95
latency and errors per endpoint. With a re-ingest in the middle, check that every response was read
from one index generation, the old one or the new one, never a mix.

    python -m evals.load --url http://127.0.0.1:7860 --clients 20 --seconds 60
    python -m evals.load --url … --reingest-after 20 --reingest-cmd "sh -c 'cp v2/* corpus/ && policyqa ingest'"

Each client loops over three endpoints, each client starting at a different one: POST /api/ask,
GET /api/search and the Gradio /ask endpoint (/gradio_api/call/ask), with the gold set's questions.
An error is a status other than 200, a Gradio error event, a body without the expected fields, a
timeout, a failed re-ingest, or a response whose clauses (id and text) do not all come from one
generation. Generations are read from the data folder (`--data-dir`, default POLICYQA_DATA_DIR):
/api/search and /api/ask name the generation they read in the X-Index-Generation header, and a
response without it (the Gradio endpoint) must match the old or the new generation entirely.
Exits 1 on any error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import shlex
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable

import httpx

from evals.http import agradio_call, healthy_server, loopback_url

GOLD = Path(__file__).with_name("gold") / "guideline.jsonl"
GENERATION_HEADER = "X-Index-Generation"
ENDPOINTS = ("POST /api/ask", "GET /api/search", "Gradio /ask")

Pairs = frozenset  # of (clause id, hash of its text) in one response


@dataclass
class Sample:
    endpoint: str
    seconds: float
    error: str = ""
    generation: str | None = None  # as the response names it
    pairs: Pairs = frozenset()


@dataclass
class Reingest:
    start: float = math.nan  # seconds after the load began
    end: float = math.nan
    summary: str = ""
    error: str = ""


@dataclass
class LoadResult:
    url: str
    clients: int
    seconds: float  # wall time of the load
    samples: list[Sample]
    before: str | None  # generation served when the load began
    after: str | None  # … and when it ended
    reingest: Reingest | None = None
    mixed: list[str] = field(default_factory=list)  # a line per response that matched no single generation
    matches: Counter = field(default_factory=Counter)  # generation label -> responses consistent with it

    @property
    def errors(self) -> list[str]:
        out = [f"{s.endpoint}: {s.error}" for s in self.samples if s.error] + self.mixed
        if self.reingest and self.reingest.error:
            out.append(f"re-ingest: {self.reingest.error}")
        return out


class Generations:
    """Clause id -> text hash of each index generation, read from the data folder when first named."""

    def __init__(self, index_dir: Path | None):
        self.index_dir = index_dir
        self.known: dict[str, dict[str, int]] = {}

    def load(self, generation: str | None) -> None:
        if not generation or generation in self.known or self.index_dir is None:
            return
        path = self.index_dir / generation / "clauses.json"
        try:
            clauses = json.loads(path.read_text(encoding="utf-8"))
        except OSError:
            return  # pruned already; responses naming it are reported as unverifiable
        self.known[generation] = {c["id"]: hash(c["text"]) for c in clauses}

    def consistent(self, pairs: Pairs, generation: str) -> bool:
        clauses = self.known.get(generation)
        return clauses is not None and all(clauses.get(cid) == h for cid, h in pairs)


# -- the requests -----------------------------------------------------------------------------------------
def _pairs(items) -> Pairs:
    return frozenset((x["clause_id"], hash(x["text"])) for x in items)


def _answer_pairs(a: dict) -> Pairs:
    if not isinstance(a.get("answer"), str) or "citations" not in a or "related" not in a:
        raise ValueError(f"not an answer: {str(a)[:120]}")
    return _pairs(a["citations"]) | _pairs(a["related"])


async def _api_ask(client: httpx.AsyncClient, base: str, q: str) -> tuple[str | None, Pairs]:
    r = await client.post(f"{base}/api/ask", json={"question": q})
    _check_status(r)
    return r.headers.get(GENERATION_HEADER), _answer_pairs(r.json())


async def _api_search(client: httpx.AsyncClient, base: str, q: str) -> tuple[str | None, Pairs]:
    r = await client.get(f"{base}/api/search", params={"q": q, "k": 5})
    _check_status(r)
    return r.headers.get(GENERATION_HEADER), _pairs(r.json()["hits"])


async def _gradio_ask(client: httpx.AsyncClient, base: str, q: str) -> tuple[str | None, Pairs]:
    ok, out = await agradio_call(client, base, "ask", [q])
    if not ok:
        raise ValueError(f"Gradio error: {out}")
    return None, _answer_pairs(json.loads(out[0]))


CALLS = dict(zip(ENDPOINTS, (_api_ask, _api_search, _gradio_ask)))


def _check_status(r: httpx.Response) -> None:
    if r.status_code != 200:
        raise ValueError(f"HTTP {r.status_code}: {r.text[:160]}")


def gold_questions() -> list[str]:
    return [json.loads(line)["question"] for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


# -- the run ----------------------------------------------------------------------------------------------
async def run_load(
    url: str,
    clients: int = 20,
    seconds: float = 60,
    questions: list[str] | None = None,
    max_requests: int = 100_000,
    reingest: Callable[[], Awaitable[str]] | None = None,
    reingest_after: float = 20,
    index_dir: Path | None = None,
    timeout: float = 60,
) -> LoadResult:
    """Run `clients` concurrent clients until `seconds` have passed or `max_requests` were sent;
    call `reingest` (which returns a one-line summary or raises) `reingest_after` seconds in."""
    base = loopback_url(url)
    questions = questions or gold_questions()
    gens = Generations(index_dir)
    samples: list[Sample] = []
    limits = httpx.Limits(max_connections=clients + 2, max_keepalive_connections=clients + 2)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        before = await _generation(client, base)
        gens.load(before)
        t0 = time.perf_counter()
        deadline = t0 + seconds
        sent = 0

        async def one_client(i: int) -> None:
            nonlocal sent
            n = 0
            while time.perf_counter() < deadline and sent < max_requests:
                sent += 1
                endpoint = ENDPOINTS[(i + n) % len(ENDPOINTS)]
                q = questions[(i * 7 + n) % len(questions)]
                n += 1
                start = time.perf_counter()
                sample = Sample(endpoint, 0.0)
                try:
                    sample.generation, sample.pairs = await CALLS[endpoint](client, base, q)
                    gens.load(sample.generation)  # now, while it is certainly still on disk
                except (httpx.HTTPError, ValueError, KeyError, TypeError) as e:
                    sample.error = f"{type(e).__name__}: {e}" if not isinstance(e, ValueError) else str(e)
                sample.seconds = time.perf_counter() - start
                samples.append(sample)

        tasks = [asyncio.create_task(one_client(i)) for i in range(clients)]
        job = None
        if reingest is not None:
            job = asyncio.create_task(_timed_reingest(reingest, reingest_after, t0, client, base, gens))
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - t0
        re = await job if job is not None else None
        after = await _generation(client, base)
        gens.load(after)
    result = LoadResult(base, clients, wall, samples, before, after, re)
    _check_generations(result, gens)
    return result


async def _generation(client: httpx.AsyncClient, base: str) -> str | None:
    r = await client.get(f"{base}/healthz")
    return r.json().get("generation") if r.status_code == 200 else None


async def _timed_reingest(reingest, after: float, t0: float, client, base: str, gens: Generations) -> Reingest:
    await asyncio.sleep(after)
    info = Reingest(start=time.perf_counter() - t0)
    try:
        info.summary = await reingest()
    except Exception as e:  # noqa: BLE001 - reported as a load error
        info.error = str(e) or type(e).__name__
    info.end = time.perf_counter() - t0
    gens.load(await _generation(client, base))
    return info


def _check_generations(result: LoadResult, gens: Generations) -> None:
    """Every response's clauses must all come from one generation: the one it names, or else any."""
    if gens.index_dir is None:
        return
    for s in result.samples:
        if s.error:
            continue
        if s.generation and s.generation not in gens.known:
            result.mixed.append(f"{s.endpoint}: names generation {s.generation}, which was gone before it could be read")
            continue
        candidates = [s.generation] if s.generation else list(gens.known)
        fits = [g for g in candidates if gens.consistent(s.pairs, g)]
        if not fits:
            named = f" (it names {s.generation})" if s.generation else ""
            result.mixed.append(f"{s.endpoint}: clauses not all from one generation{named}")
        elif s.generation:
            result.matches[f"named the {_role(s.generation, result)} one"] += 1
        else:
            result.matches["unnamed, match " + " and ".join(_role(g, result) for g in fits)] += 1


def _role(generation: str, result: LoadResult) -> str:
    if generation == result.before:
        return "old" if result.after != result.before else "served"
    return "new" if generation == result.after else generation


# -- the report -------------------------------------------------------------------------------------------
def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def report(result: LoadResult) -> str:
    lines = [
        f"{result.clients} clients for {result.seconds:.1f} s against {result.url}",
        "",
        "| endpoint | requests | errors | req/s | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in (*ENDPOINTS, "all"):
        rows = [s for s in result.samples if name in ("all", s.endpoint)]
        ms = [s.seconds * 1000 for s in rows]
        lines.append(
            f"| {name} | {len(rows)} | {sum(1 for s in rows if s.error)} | {len(rows) / result.seconds:.1f} | "
            f"{percentile(ms, 50):.0f} | {percentile(ms, 95):.0f} | {max(ms, default=math.nan):.0f} |"
        )
    lines.append("")
    if result.reingest:
        r = result.reingest
        outcome = f"failed: {r.error}" if r.error else r.summary
        lines.append(f"Re-ingest: started at {r.start:.1f} s, done at {r.end:.1f} s — {outcome}")
    if result.matches or result.mixed:
        if result.after != result.before:
            lines.append(f"Generations: {result.before} (old) → {result.after} (new); responses that")
        else:
            lines.append(f"Generations: {result.before} served throughout; responses that")
        for label, n in sorted(result.matches.items()):
            lines.append(f"  {label}: {n}")
        lines.append(f"  mix generations: {len(result.mixed)}")
    errors = result.errors
    lines.append(f"Errors: {len(errors)}")
    for message, n in Counter(errors).most_common(10):
        lines.append(f"  {n} × {message}")
    return "\n".join(lines)


def _command(cmd: str) -> Callable[[], Awaitable[str]]:
    """A re-ingest that runs `cmd` (split like a shell would, not run by one) and returns its last line."""

    async def run() -> str:
        proc = await asyncio.create_subprocess_exec(
            *shlex.split(cmd), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await proc.communicate()
        last = (out.decode(errors="replace").strip().splitlines() or [""])[-1]
        if proc.returncode != 0:
            tail = (err.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"`{cmd}` exited with {proc.returncode}: {tail}")
        return f"`{cmd}` (exit 0): {last[:300]}"

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860", help="the running server (loopback only)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=100_000, help="stop after this many requests in all")
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a request counts as an error")
    parser.add_argument("--reingest-after", type=float, default=None, help="seconds into the load to run --reingest-cmd")
    parser.add_argument("--reingest-cmd", default=f"{sys.executable} -m app.cli --no-progress ingest",
                        help="the re-ingest command (default: `policyqa ingest` of the corpus folder)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="the server's data folder, to check generations (default POLICYQA_DATA_DIR)")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0:
        parser.error("--clients and --seconds must be positive")
    base = healthy_server(parser, args.url)
    if base is None:
        return 1
    data_dir = args.data_dir
    if data_dir is None:
        from app.settings import Settings

        data_dir = Path(Settings.from_env().data_dir)
    index_dir = data_dir / "index"
    result = asyncio.run(run_load(
        base, args.clients, args.seconds, max_requests=args.max_requests, timeout=args.timeout,
        reingest=_command(args.reingest_cmd) if args.reingest_after is not None else None,
        reingest_after=args.reingest_after or 0, index_dir=index_dir if index_dir.is_dir() else None,
    ))
    print(report(result))
    if not index_dir.is_dir():
        print(f"(generations not checked: no index folder at {index_dir}; pass --data-dir)")
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
