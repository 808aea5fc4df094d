"""`policyqa bench`: ingest throughput, cold start, warm latency, memory and scaling, ours beside naive llama-index.

Every measured stage runs in a fresh child process, so one stage's imports, caches and memory never
flatter another's:

- `python -m evals.bench TASK ARGS_JSON` runs one task below and prints its figures as one marked
  JSON line; the parent reads the child's peak RSS from `os.wait4` (ru_maxrss of that child only).
- cold start is a `python -c` program that opens the index and answers (or, for the naive
  pipeline, loads its persisted index and retrieves) one question; its wall time is measured by the
  parent from launch to exit, so it includes interpreter start, imports and model load.
- each size of the scaling run gets a fresh data folder (and so an empty embedding cache).
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from evals.metrics import percentile
from evals.scaling import generate_corpus, template_queries, write_corpus

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MARK = "@@policyqa-bench@@ "
CHILD_TIMEOUT_S = 3 * 3600
TEXT_SUFFIXES = (".txt", ".md")  # what the naive pipeline reads (it has no DOCX/PDF/HTML loader here)

# Rates for the estimate printed before a run, measured on this machine kind (2 CPUs):
CHILD_OVERHEAD_S = 12.0  # interpreter start, imports and model load per child process (8-13 s measured)
OURS_CHARS_PER_S = 3000.0  # characters of embedding units: 4,400 units of ~30 chars in 40 s; 211 of ~250 in 18 s
NAIVE_CHUNKS_PER_S = 10.0  # llama-index chunks of ~900 characters (truncated to 512 tokens)
NAIVE_CHARS_PER_CHUNK = 800.0
QUERY_S = 0.06  # one warm search plus one ask


@dataclass(frozen=True)
class Plan:
    corpus: Path | None  # None: only the scaling run
    questions: list[str]
    sizes: list[int]
    naive_max: int = 1000
    repeat: int = 3
    model: str = "m3e-small"
    seed: int = 0
    queries: list[str] = field(default_factory=template_queries)
    # A real corpus folder (`--corpus`, e.g. shared/corpora/laws), ingested into `large_data` (kept
    # and reused: a killed or repeated run resumes from its embedding cache) or a temporary folder.
    large: Path | None = None
    large_data: Path | None = None
    large_questions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Child:
    wall_s: float
    peak_rss_mb: float
    payload: dict


class ChildFailed(Exception):
    pass


# -- pure helpers -------------------------------------------------------------------------------
def latency(ms: list[float], prefix: str) -> dict:
    if not ms:
        return {}
    return {f"{prefix}_p50_ms": round(percentile(ms, 50), 2), f"{prefix}_p95_ms": round(percentile(ms, 95), 2)}


def ratio(first: float | None, last: float | None) -> float | None:
    if not first or last is None:
        return None
    return last / first


def growth_lines(scaling: list[dict]) -> list[str]:
    """How figures grow from the smallest to the largest size, e.g. "query p50 at 1000 docs is 1.9× …"."""
    out = []
    for system, label in (("ours", "ours"), ("naive", "llama-index naive")):
        rows = [r for r in scaling if r.get(system) and "error" not in r[system]]
        if len(rows) < 2:
            continue
        a, b = rows[0], rows[-1]
        for key, what in (("query_p50_ms", "query p50"), ("ingest_s", "ingest time"),
                          ("index_mb", "index size"), ("peak_rss_mb", "peak RSS")):
            x = ratio(a[system].get(key), b[system].get(key))
            if x is not None:
                out.append(f"{label}: {what} at {b['n']} docs is {x:.1f}× that at {a['n']} "
                           f"({a[system][key]:.1f} → {b[system][key]:.1f})")
    return out


def du_mb(path: Path) -> float:
    """Disk usage of a folder in MB (allocated blocks, like `du`)."""
    total = 0
    for p in path.rglob("*"):
        try:
            st = p.lstat()
        except OSError:
            continue
        if not p.is_dir():
            total += st.st_blocks * 512
    return round(total / 2**20, 3)


def text_docs(folder: Path) -> list[tuple[str, str]]:
    """(file name, text) of the plain-text files the naive pipeline reads, sorted."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
    return [(p.relative_to(folder).as_posix(), p.read_text(encoding="utf-8", errors="replace")) for p in files]


# -- estimate -----------------------------------------------------------------------------------
def shape_of(paths: list[Path], max_chars: int = 400) -> tuple[int, int]:
    """Total characters of (our embedding units, the document texts) of some files, parsed with the
    project's parser."""
    from index.units import units_for
    from ingest.pipeline import parse_document

    units = chars = 0
    for p in paths:
        parsed = parse_document(p, p.read_bytes(), p.stem, str(p))
        children: dict[str, list] = {}
        for c in parsed.clauses:
            if c.parent_id:
                children.setdefault(c.parent_id, []).append(c)
        units += sum(len(u.text) for c in parsed.clauses for u in units_for(c, children.get(c.id, []), max_chars))
        chars += len(parsed.document.text)
    return units, chars


def estimate_seconds(plan: Plan, corpus_shape: tuple[int, int] | None, per_doc: tuple[float, float]) -> dict:
    """Rough duration of each part of the plan from the measured rates above."""
    parts: dict[str, float] = {}
    oh = CHILD_OVERHEAD_S
    if plan.corpus is not None and corpus_shape is not None:
        unit_chars, chars = corpus_shape
        naive_chunks = max(1.0, math.ceil(chars / NAIVE_CHARS_PER_CHUNK))
        parts["corpus"] = (
            oh + unit_chars / OURS_CHARS_PER_S + oh + naive_chunks / NAIVE_CHUNKS_PER_S  # ingest + build
            + 2 * plan.repeat * oh  # cold starts
            + 2 * oh + len(plan.questions) * QUERY_S * 2  # warm queries
        )
    per_doc_unit_chars, per_doc_chars = per_doc
    for n in plan.sizes:
        t = oh + n * per_doc_unit_chars / OURS_CHARS_PER_S + len(plan.queries) * QUERY_S
        if n <= plan.naive_max:
            t += oh + n * max(1.0, math.ceil(per_doc_chars / NAIVE_CHARS_PER_CHUNK)) / NAIVE_CHUNKS_PER_S
        parts[f"scale {n}"] = t
    return parts


def estimate_line(plan: Plan) -> str:
    corpus_shape = None
    if plan.corpus is not None:
        files = [p for p in sorted(Path(plan.corpus).rglob("*")) if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES]
        corpus_shape = shape_of(files)
    with tempfile.TemporaryDirectory(prefix="policyqa-estimate-") as tmp:
        sample = write_corpus(Path(tmp), generate_corpus(20, plan.seed))
        units, chars = shape_of(sample)
    per_doc = (units / len(sample), chars / len(sample))
    parts = estimate_seconds(plan, corpus_shape, per_doc)
    total = sum(parts.values())
    detail = ", ".join(f"{k} ~{v / 60:.1f} min" for k, v in parts.items())
    return (f"estimated time: ~{total / 60:.0f} min ({detail}); a synthetic document has ~{per_doc[1]:.0f} "
            f"characters, ~{per_doc[0]:.0f} in our embedding units (a busy machine takes longer)")


# -- child processes ----------------------------------------------------------------------------
def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "TRANSFORMERS_OFFLINE": "1",
                "TOKENIZERS_PARALLELISM": "false", "ANONYMIZED_TELEMETRY": "False", "POLICYQA_CHROMA_URL": "",
                "POLICYQA_PROGRESS": "false"})
    env.update(extra or {})
    return env


def run_child(args: list[str], env: dict[str, str], timeout: float = CHILD_TIMEOUT_S) -> Child:
    """Run `python ARGS`; return its wall time, its own peak RSS and the JSON it printed after MARK."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, stderr=err, cwd=PROJECT_ROOT, env=env)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            out = proc.stdout.read().decode("utf-8", errors="replace")
            _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage, unlike RUSAGE_CHILDREN
        finally:
            timer.cancel()
            proc.stdout.close()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", errors="replace").strip().splitlines()[-3:]
            raise ChildFailed(f"{' '.join(args[:2])} exited with {proc.returncode}: {' | '.join(tail)}")
    payload = next((json.loads(line[len(MARK):]) for line in reversed(out.splitlines()) if line.startswith(MARK)), {})
    return Child(wall, round(usage.ru_maxrss / 1024, 1), payload)  # ru_maxrss is in KiB on Linux


def run_task(task: str, args: dict, env: dict[str, str]) -> Child:
    return run_child(["-m", "evals.bench", task, json.dumps(args, ensure_ascii=False)], env)


COLD_OURS = """
import json
from app.qa import Conversation
from app.service import Service
from app.settings import Settings
answer = Service(Settings.from_env()).ask({question!r}, Conversation())
print({mark!r} + json.dumps({{"answered": answer.answered}}))
"""

COLD_NAIVE = """
import json
from pathlib import Path
from evals.baselines import LlamaIndexNaive
passages = LlamaIndexNaive.load(Path({persist!r})).retrieve({question!r}, 5)
print({mark!r} + json.dumps({{"passages": len(passages)}}))
"""


def cold_start(code: str, questions: list[str], env: dict[str, str], repeat: int, **fields: str) -> dict:
    """`repeat` fresh processes, each with another question."""
    runs = [run_child(["-c", code.format(question=questions[i % len(questions)], mark=MARK, **fields)], env)
            for i in range(repeat)]
    return {
        "cold_start_s": round(statistics.median(r.wall_s for r in runs), 2),
        "cold_start_runs_s": [round(r.wall_s, 2) for r in runs],
        "cold_start_peak_rss_mb": max(r.peak_rss_mb for r in runs),
    }


# -- tasks run inside a child -------------------------------------------------------------------
def _service(a: dict):
    from app.service import Service
    from app.settings import Settings

    settings = Settings.from_env(data_dir=Path(a["data_dir"]), corpus_dir=Path(a["corpus"]) if a.get("corpus") else None,
                                 chroma_url="", progress=False)
    return Service(settings)


def _timed_ms(fn: Callable, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - t0) * 1000


def _rss_mb() -> float:
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


def _ingest(svc) -> dict:
    t0 = time.perf_counter()
    report, meta = svc.ingest()
    seconds = time.perf_counter() - t0
    # Distinct texts the model embedded (a text that occurs again is embedded once), as the build counted them.
    distinct = meta.get("units_embedded") if meta else None
    return {
        "documents": report.documents, "clauses": report.clauses, "units": meta["units"] if meta else None,
        "distinct_units": distinct, "skipped": len(report.skipped), "ingest_s": round(seconds, 3),
        "clauses_per_s": round(report.clauses / seconds, 2) if seconds else None,
    }


def _ask_ms(svc, questions: list[str]) -> tuple[list[float], str]:
    from app.qa import Conversation

    out = []
    for q in questions:
        try:
            out.append(_timed_ms(svc.ask, q, Conversation()))
        except Exception as e:  # noqa: BLE001 - the answering code is being rewritten; report, go on
            return out, f"{type(e).__name__}: {e}"
    return out, ""


def _queries(svc, questions: list[str]) -> dict:
    """Search and ask each question in turn (so a burst of load elsewhere hits both alike)."""
    searcher = svc.searcher
    searcher.search(questions[0], k=5)  # warm-up: jieba dictionary, first Chroma query
    _ask_ms(svc, questions[:1])
    search, ask, error = [], [], ""
    for q in questions:
        search.append(_timed_ms(searcher.search, q, 5))
        if not error:
            ms, error = _ask_ms(svc, [q])
            ask += ms
    out = {**latency(search, "search"), **latency(ask, "ask"), "queries": len(questions), "warm_rss_mb": _rss_mb()}
    if error:
        out["ask_error"] = error
    return out


def task_ours_ingest(a: dict) -> dict:
    svc = _service(a)
    first = _ingest(svc)
    t0 = time.perf_counter()
    _report, meta = svc.ingest()
    return {**first, "reingest_s": round(time.perf_counter() - t0, 3), "reingest_rebuilt": meta is not None}


def task_ours_queries(a: dict) -> dict:
    return _queries(_service(a), a["questions"])


def task_ours_scale(a: dict) -> dict:
    svc = _service(a)
    return {**_ingest(svc), **_queries(svc, a["questions"])}


def _naive_build(a: dict) -> tuple[object, dict]:
    from evals.baselines import LlamaIndexNaive, huggingface_embedding

    docs = text_docs(Path(a["corpus"]))
    embed = huggingface_embedding(a.get("model", "m3e-small"))
    t0 = time.perf_counter()
    naive = LlamaIndexNaive.build(docs, embed)
    build_s = time.perf_counter() - t0
    naive.persist(Path(a["persist"]))
    seconds = time.perf_counter() - t0
    return naive, {"documents": len(docs), "chunks": naive.chunks, "build_s": round(seconds, 3),
                   "embed_s": round(build_s, 3), "chunks_per_s": round(naive.chunks / seconds, 2) if seconds else None}


def _naive_queries(naive, questions: list[str]) -> dict:
    naive.retrieve(questions[0], 5)
    ms = [_timed_ms(naive.retrieve, q, 5) for q in questions]
    return {**latency(ms, "retrieve"), "queries": len(questions), "warm_rss_mb": _rss_mb()}


def task_naive_build(a: dict) -> dict:
    return _naive_build(a)[1]


def task_naive_queries(a: dict) -> dict:
    from evals.baselines import LlamaIndexNaive, huggingface_embedding

    naive = LlamaIndexNaive.load(Path(a["persist"]), huggingface_embedding(a.get("model", "m3e-small")))
    return _naive_queries(naive, a["questions"])


def task_naive_scale(a: dict) -> dict:
    naive, built = _naive_build(a)
    return {**built, **_naive_queries(naive, a["questions"])}


def task_large_ingest(a: dict) -> dict:
    """Ingest a real corpus (resuming or updating the index in its data folder). When the index was
    already up to date, the figures are those its build recorded in meta.json."""
    svc = _service(a)
    t0 = time.perf_counter()
    report, meta = svc.ingest()
    seconds = time.perf_counter() - t0
    built = meta is not None
    meta = meta or svc.layout.meta()
    timings = meta.get("timings", {})
    embed_s = timings.get("embed")
    embedded = meta.get("units_embedded")
    return {
        "up_to_date": not built, "documents": report.documents, "clauses": report.clauses,
        "units": meta["units"], "units_embedded": embedded, "units_reused": meta.get("units_reused"),
        "ingest_s": round(seconds, 1) if built else None, "parse_s": round(report.seconds, 1), "build_s": meta.get("seconds"),
        "timings": timings, "generation": meta["generation"], "skipped": len(report.skipped),
        "embed_units_per_s": round(embedded / embed_s, 2) if embedded and embed_s else None,
        "units_per_s": round(meta["units"] / seconds, 2) if built and seconds else None,
        "clauses_per_s": round(report.clauses / seconds, 2) if built and seconds else None,
    }


def task_large_one_document(a: dict) -> dict:
    """Add one document to the ingested corpus (a copy of one of its files with an article appended),
    then remove it again: the time a user waits for a new or changed document in a large index."""
    svc = _service(a)
    svc.embedder  # noqa: B018 - loaded first, as in a running app: the figure is the ingest, not the model load
    source = sorted(p for p in Path(a["corpus"]).rglob("*") if p.suffix.lower() in TEXT_SUFFIXES)[0]
    with tempfile.TemporaryDirectory(prefix="policyqa-bench-one-") as tmp:
        extra = Path(tmp) / f"bench-added-{source.stem}{source.suffix}"
        extra.write_text(source.read_text(encoding="utf-8") + "\n第九百九十九条 本条为基准测试追加的条文，测量单个文件入库的时间。\n",
                         encoding="utf-8")
        t0 = time.perf_counter()
        report, meta = svc.ingest([Path(a["corpus"]), extra])
        add_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        removed = svc.remove(report.added[0])
        remove_s = time.perf_counter() - t0
    return {"one_document": source.name, "add_one_s": round(add_s, 2), "add_one_embedded": meta["units_embedded"],
            "add_one_reused": meta["units_reused"], "add_one_timings": meta["timings"],
            "remove_one_s": round(remove_s, 2), "remove_one_timings": removed["timings"]}


TASKS: dict[str, Callable[[dict], dict]] = {
    "large-ingest": task_large_ingest,
    "large-one-document": task_large_one_document,
    "ours-ingest": task_ours_ingest,
    "ours-queries": task_ours_queries,
    "ours-scale": task_ours_scale,
    "naive-build": task_naive_build,
    "naive-queries": task_naive_queries,
    "naive-scale": task_naive_scale,
}


def worker(argv: list[str]) -> None:
    task, args = argv[0], json.loads(argv[1])
    print(MARK + json.dumps(TASKS[task](args), ensure_ascii=False), flush=True)


# -- the run ------------------------------------------------------------------------------------
def bench_corpus(plan: Plan, tmp: Path, log: Callable[[str], None]) -> tuple[dict, dict]:
    """Ours and the naive pipeline on the configured corpus: ingest, cold start, warm queries, memory."""
    data, persist = tmp / "corpus-data", tmp / "corpus-naive"
    corpus = str(plan.corpus)
    env = child_env({"POLICYQA_DATA_DIR": str(data), "POLICYQA_CORPUS_DIR": corpus, "POLICYQA_EMBED_MODEL": plan.model})
    out: dict[str, dict] = {"ours": {}, "naive": {}}
    # (system, title, step); a system's first step builds its index, so when it fails the rest is skipped.
    steps: list[tuple[str, str, Callable[[], dict]]] = [
        ("ours", "ingest into a fresh data folder, then re-ingest unchanged",
         lambda: _with_rss(run_task("ours-ingest", {"data_dir": str(data), "corpus": corpus}, env), "ingest")
         | {"index_mb": du_mb(data)}),
        ("ours", f"{plan.repeat} cold start(s) to the first answer",
         lambda: cold_start(COLD_OURS, plan.questions, env, plan.repeat)),
        ("ours", f"warm search and ask over {len(plan.questions)} questions",
         lambda: _with_rss(run_task("ours-queries", {"data_dir": str(data), "corpus": corpus,
                                                     "questions": plan.questions}, env), "warm")),
        ("naive", "build and persist",
         lambda: _with_rss(run_task("naive-build", {"corpus": corpus, "persist": str(persist), "model": plan.model},
                                    env), "build") | {"index_mb": du_mb(persist)}),
        ("naive", f"{plan.repeat} cold start(s) to the first retrieval",
         lambda: cold_start(COLD_NAIVE, plan.questions, env, plan.repeat, persist=str(persist))),
        ("naive", f"warm retrieve over {len(plan.questions)} questions",
         lambda: _with_rss(run_task("naive-queries", {"persist": str(persist), "questions": plan.questions,
                                                      "model": plan.model}, env), "warm")),
    ]
    failed: set[str] = set()
    seen: set[str] = set()
    for i, (system, title, step) in enumerate(steps, 1):
        first = system not in seen
        seen.add(system)
        if system in failed:
            log(f"[corpus {i}/{len(steps)}] {system}: {title}: skipped (its index could not be built)")
            continue
        log(f"[corpus {i}/{len(steps)}] {system}: {title} (load {load_1m():.1f}) …")
        out[system].setdefault("load_1m", []).append(load_1m())
        t0 = time.perf_counter()
        try:
            out[system].update(step())
        except ChildFailed as e:
            log(f"  failed: {e}")
            out[system].setdefault("errors", []).append(f"{title}: {e}")
            if first:
                failed.add(system)
        log(f"  done in {time.perf_counter() - t0:.0f}s")
    return out["ours"], out["naive"]


def bench_large(plan: Plan, tmp: Path, log: Callable[[str], None]) -> dict:
    """Ours on a real corpus: ingest (or resume, or update), one document added and removed, warm
    search and ask, index size on disk. Each step in its own child process; load average at each."""
    data = plan.large_data or tmp / "large-data"
    a = {"data_dir": str(data), "corpus": str(plan.large)}
    env = child_env({"POLICYQA_DATA_DIR": str(data), "POLICYQA_CORPUS_DIR": str(plan.large),
                     "POLICYQA_EMBED_MODEL": plan.model})
    out: dict = {"corpus": str(plan.large), "data_dir": str(data), "load_1m": []}
    steps = [
        ("ingest", lambda: _with_rss(run_task("large-ingest", a, env), "ingest")),
        ("one document added and removed", lambda: _with_rss(run_task("large-one-document", a, env), "one")),
        (f"warm search and ask over {len(plan.large_questions)} questions",
         lambda: _with_rss(run_task("ours-queries", a | {"questions": plan.large_questions}, env), "warm")),
    ]
    for i, (title, step) in enumerate(steps, 1):
        out["load_1m"].append(load_1m())
        log(f"[large corpus {i}/{len(steps)}] {title} (load {out['load_1m'][-1]:.1f}) …")
        t0 = time.perf_counter()
        try:
            out.update(step())
        except ChildFailed as e:
            log(f"  failed: {e}")
            out.setdefault("errors", []).append(f"{title}: {e}")
            if i == 1:
                break
        log(f"  done in {time.perf_counter() - t0:.0f}s")
    index = data / "index"
    current = (index / "CURRENT").read_text().strip() if (index / "CURRENT").exists() else None
    if current:
        out["index_mb"] = du_mb(index / current)
    if (data / "cache").exists():
        out["cache_mb"] = du_mb(data / "cache")
    return out


LARGE_ROWS: tuple[tuple[str, Callable[[dict], str]], ...] = (
    ("documents / clauses / embedded units", lambda r: f"{_n(r.get('documents'))} / {_n(r.get('clauses'))} / {_n(r.get('units'))}"),
    ("ingest wall time (s)", lambda r: "up to date" if r.get("up_to_date") else _n(r.get("ingest_s"))),
    ("of which parse / embed / vector store (s)", lambda r: " / ".join(
        _n(v) for v in (r.get("parse_s"), r.get("timings", {}).get("embed"), r.get("timings", {}).get("vectors")))),
    ("units embedded by the model / found in the cache or kept", lambda r: f"{_n(r.get('units_embedded'))} / "
        f"{_n((r.get('units') or 0) - (r.get('units_embedded') or 0)) if r.get('units') is not None else '—'}"),
    ("embedding rate (units/s)", lambda r: _n(r.get("embed_units_per_s"))),
    ("ingest rate (units/s, clauses/s)", lambda r: f"{_n(r.get('units_per_s'))}, {_n(r.get('clauses_per_s'))}"),
    ("peak RSS of the ingest (MB)", lambda r: _n(r.get("ingest_peak_rss_mb"))),
    ("index on disk (MB; embedding cache apart)", lambda r: f"{_n(r.get('index_mb'))} ({_n(r.get('cache_mb'))})"),
    ("one document added / removed (s)", lambda r: f"{_n(r.get('add_one_s'))} / {_n(r.get('remove_one_s'))}"),
    ("warm search p50 / p95 (ms)", lambda r: f"{_n(r.get('search_p50_ms'))} / {_n(r.get('search_p95_ms'))}"),
    ("warm ask p50 / p95 (ms)", lambda r: f"{_n(r.get('ask_p50_ms'))} / {_n(r.get('ask_p95_ms'))}"),
    ("1-minute load average at each step", lambda r: ", ".join(f"{x:.1f}" for x in r.get("load_1m", [])) or "—"),
)


def _n(x) -> str:
    if x is None:
        return "—"
    return f"{x:,.0f}" if isinstance(x, (int, float)) and abs(x) >= 100 else f"{x:,.1f}" if isinstance(x, float) else f"{x:,}"


def large_markdown(result: dict) -> str:
    """The real-corpus run beside the one-document figures of the same bench."""
    large = result.get("large")
    if not large:
        return ""
    one = result.get("ours") or {}
    one_row = {**one, "documents": one.get("documents"), "units_embedded": one.get("distinct_units"),
               "units_per_s": round(one["units"] / one["ingest_s"], 2) if one.get("units") and one.get("ingest_s") else None,
               "load_1m": one.get("load_1m", [])}
    lines = [f"## A real corpus: {large['corpus']}", "",
             f"Index kept in {large['data_dir']}. Ingest figures come from this run, or from the build recorded "
             "in the index when it was already up to date.", "",
             "| figure | one document (this corpus) | real corpus |", "|---|---|---|"]
    lines += [f"| {label} | {fmt(one_row) if one else '—'} | {fmt(large)} |" for label, fmt in LARGE_ROWS]
    lines += [f"- error: {e}" for e in large.get("errors", [])]
    return "\n".join(lines) + "\n"


def _with_rss(child: Child, name: str) -> dict:
    return {**child.payload, f"{name}_peak_rss_mb": child.peak_rss_mb, f"{name}_process_s": round(child.wall_s, 2)}


def bench_scaling(plan: Plan, tmp: Path, log: Callable[[str], None]) -> list[dict]:
    rows = []
    for n in plan.sizes:
        folder = tmp / f"scale-{n}"
        corpus, data, persist = folder / "corpus", folder / "data", folder / "naive"
        write_corpus(corpus, generate_corpus(n, plan.seed))
        env = child_env({"POLICYQA_EMBED_MODEL": plan.model})
        row: dict = {"n": n}
        log(f"[scale {n}] ours: ingest {n} documents and run {len(plan.queries)} queries …")
        row["ours"] = _scale_step(lambda: run_task("ours-scale", {"data_dir": str(data), "corpus": str(corpus),
                                                                  "questions": plan.queries}, env), data, log)
        if n <= plan.naive_max:
            log(f"[scale {n}] naive: build over {n} documents and run {len(plan.queries)} queries …")
            row["naive"] = _scale_step(lambda: run_task("naive-scale", {"corpus": str(corpus), "persist": str(persist),
                                                                        "questions": plan.queries, "model": plan.model},
                                                        env), persist, log)
        rows.append(row)
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def _scale_step(step: Callable[[], Child], index_dir: Path, log: Callable[[str], None]) -> dict:
    t0 = time.perf_counter()
    load = load_1m()
    try:
        child = step()
    except ChildFailed as e:
        log(f"  failed: {e}")
        return {"error": str(e)}
    p = child.payload
    out = {
        **p,
        "ingest_s": p.get("ingest_s", p.get("build_s")),
        "index_mb": du_mb(index_dir),
        "query_p50_ms": p.get("search_p50_ms", p.get("retrieve_p50_ms")),
        "query_p95_ms": p.get("search_p95_ms", p.get("retrieve_p95_ms")),
        "peak_rss_mb": child.peak_rss_mb,
        "process_s": round(child.wall_s, 2),
        "load_1m": load,
    }
    log(f"  done in {time.perf_counter() - t0:.0f}s (ingest {out['ingest_s']}s, query p50 {out['query_p50_ms']} ms, "
        f"peak RSS {out['peak_rss_mb']:.0f} MB)")
    return out


def load_1m() -> float:
    """The 1-minute load average: above the CPU count, other processes shared the CPUs with the bench."""
    return round(os.getloadavg()[0], 2)


def machine(model: str) -> dict:
    import psutil

    return {"cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform(), "model": model,
            "load_1m_start": load_1m()}


NOTES = (
    "Every stage runs in a fresh child process; peak RSS is that process's ru_maxrss (os.wait4).",
    "Ingest / build seconds are measured inside the child around the ingest call: they exclude interpreter start "
    "and imports but include loading the model and jieba's dictionary. Ours = parse + tokenize + embed + Chroma + "
    "BM25; naive = SentenceSplitter + embed + persist.",
    "Cold start = wall time of a new `python -c` process from launch to exit after the first answer (ours, through "
    "Service.ask) or first retrieval (naive, loading its persisted index); it includes interpreter start, imports "
    "and model load (the median of --repeat runs, each with another question).",
    "Warm latencies: wall time per call after one warm-up call, k = 5; ours over search and over ask; every call "
    "embeds its question (questions are never cached).",
    "Each scaling size uses a fresh data folder and an empty embedding cache; within one ingest, a text that occurs "
    "again (headings, boilerplate sentences) is embedded once, as in any real ingest ('distinct_units').",
    "The naive pipeline reads the .txt/.md files of a folder as they are.",
    "Latencies and times are wall clock: when the 1-minute load average ('load_1m', recorded at each stage) exceeds "
    "the CPU count, other processes were competing for the CPUs and the figures are inflated.",
)


def run(plan: Plan, log: Callable[[str], None] = lambda msg: None) -> dict:
    t0 = time.perf_counter()
    result: dict = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": machine(plan.model),
        "plan": {k: v for k, v in asdict(plan).items() if k not in ("questions", "queries")}
        | {"questions": len(plan.questions), "queries": plan.queries, "corpus": str(plan.corpus) if plan.corpus else None,
           "large": str(plan.large) if plan.large else None, "large_data": str(plan.large_data) if plan.large_data else None,
           "large_questions": len(plan.large_questions)},
        "notes": list(NOTES),
    }
    with tempfile.TemporaryDirectory(prefix="policyqa-bench-") as tmp:
        if plan.corpus is not None:
            result["ours"], result["naive"] = bench_corpus(plan, Path(tmp), log)
        if plan.large is not None:
            result["large"] = bench_large(plan, Path(tmp), log)
        if plan.sizes:
            result["scaling"] = bench_scaling(plan, Path(tmp), log)
            result["growth"] = growth_lines(result["scaling"])
            result["scaling_note"] = (
                f"Synthetic corpora from evals/scaling.py (seed {plan.seed}); {len(plan.queries)} fixed template "
                f"queries; the naive pipeline up to {plan.naive_max} documents."
            )
    result["seconds"] = round(time.perf_counter() - t0, 1)
    result["machine"]["load_1m_end"] = load_1m()
    return result


if __name__ == "__main__":
    worker(sys.argv[1:])
