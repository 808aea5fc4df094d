"""The load script against a live server (fast embedder): concurrent clients on the JSON API and the
Gradio endpoint get no errors, and a re-ingest in the middle never gives a response mixing the old
and the new index."""

from __future__ import annotations

import asyncio
import time

import pytest

from app.service import Service
from app.settings import Settings
from evals.http import NotLoopback
from evals.load import percentile, report, run_load
from tests.app.conftest import live_app
from tests.conftest import TINY_POLICY, FakeEmbedder

QUESTIONS = ["第3项条款的内容是什么？", "版条款 内容7", "人才公寓", "跨境电商产业园奖励多少？", "第12项"]


def versioned(folder, version: str, n: int = 20) -> None:
    """One document whose every clause names its version, so that a response mixing versions shows."""
    folder.mkdir(exist_ok=True)
    lines = [f"{version}版测试文件"] + [f"{i}、第{i}项\n（一）{version}版条款{i}。内容{version}{i}。" for i in range(1, n + 1)]
    (folder / "doc.txt").write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture
def served(tmp_path):
    corpus = tmp_path / "corpus"
    versioned(corpus, "甲")
    svc = Service(Settings.from_env(corpus_dir=corpus, data_dir=tmp_path / "data"), embedder=FakeEmbedder())
    svc.ingest()
    with live_app(svc) as live:
        yield svc, live, corpus


def test_concurrent_clients_with_a_reingest_in_the_middle(served):
    svc, live, corpus = served

    async def reingest() -> str:
        versioned(corpus, "乙")  # every clause's text changes…
        (corpus / "tiny.txt").write_text(TINY_POLICY, encoding="utf-8")  # …and a document is added
        report_, meta = await asyncio.to_thread(svc.ingest)
        return f"{report_.documents} documents, generation {meta['generation']}"

    # 8 s: the re-ingest (started at 2 s) must finish well inside the run even on a loaded machine.
    result = asyncio.run(run_load(live.url, clients=4, seconds=8, questions=QUESTIONS, reingest=reingest,
                                  reingest_after=2, index_dir=svc.layout.root))
    out = report(result)
    assert result.errors == [], out
    assert result.reingest.summary.startswith("2 documents, generation gen-"), out
    assert result.before != result.after == svc.layout.current()
    assert {s.endpoint for s in result.samples} == {"POST /api/ask", "GET /api/search", "Gradio /ask"}
    assert all(n > 20 for n in (sum(1 for s in result.samples if s.endpoint == e) for e in
                                ("POST /api/ask", "GET /api/search", "Gradio /ask"))), out
    named = {s.generation for s in result.samples if s.generation}
    assert named == {result.before, result.after}, out  # both indexes served, by the header
    assert result.mixed == [] and sum(result.matches.values()) == len(result.samples), out
    assert "  mix generations: 0" in out and "Errors: 0" in out
    assert "  named the old one: " in out and "  named the new one: " in out


def test_a_response_mixing_generations_is_caught(served):
    """The check itself: a server whose answers mix two versions' clauses is reported."""
    svc, live, corpus = served
    old = svc.layout.current()
    versioned(corpus, "乙")
    svc.ingest()
    # Enough requests for every endpoint to be sampled, however slow the machine.
    result = asyncio.run(run_load(live.url, clients=1, seconds=30, questions=QUESTIONS, max_requests=9,
                                  index_dir=svc.layout.root))
    from evals.load import Generations, _check_generations

    gens = Generations(svc.layout.root)
    new = svc.layout.current()
    gens.load(old), gens.load(new)
    old_pair = next((cid, h) for cid, h in gens.known[old].items() if gens.known[new].get(cid, h) != h)
    # an answer that carries clauses (a refusal of a question off the test document carries none)
    sample = next(s for s in result.samples if s.endpoint == "Gradio /ask" and s.pairs)
    sample.pairs = sample.pairs | {old_pair}  # one clause from the old index in a new answer
    result.mixed, result.matches = [], type(result.matches)()
    _check_generations(result, gens)
    assert result.mixed == ["Gradio /ask: clauses not all from one generation"]


def test_only_loopback_servers():
    with pytest.raises(NotLoopback, match="only drive a server on this machine"):
        asyncio.run(run_load("http://example.com:7860", clients=1, seconds=1))


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 95), percentile([3.0], 95)) == (50.0, 95.0, 3.0)


def test_a_bounded_run_stops_at_the_request_cap(served):
    _, live, _ = served
    t0 = time.perf_counter()
    result = asyncio.run(run_load(live.url, clients=2, seconds=30, questions=QUESTIONS, max_requests=10))
    assert len(result.samples) == 10 and time.perf_counter() - t0 < 20 and not result.errors
