"""The synthetic corpus generator and the bench's pure helpers; one slow end-to-end scaling run."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals import bench
from evals.cli import _parse_scale
from evals.scaling import generate_corpus, generate_document, template_queries, write_corpus
from ingest.pipeline import parse_document


def test_the_generator_is_deterministic_and_prefix_stable():
    assert generate_corpus(5) == generate_corpus(5)
    assert generate_corpus(3) == generate_corpus(12)[:3]
    assert generate_corpus(3, seed=1) != generate_corpus(3, seed=0)


@pytest.mark.parametrize("n", [0, 1, 7, 40])
def test_the_generator_makes_n_distinct_documents(n):
    docs = generate_corpus(n)
    assert len(docs) == n
    assert len({d.name for d in docs}) == n and len({d.text for d in docs}) == n


def test_generated_sentences_vary_between_documents():
    lines = [line for d in generate_corpus(50) for line in d.text.splitlines() if len(line) > 30]
    assert len(set(lines)) / len(lines) > 0.9


def parsed(i: int, tmp_path: Path, **shape):
    [path] = write_corpus(tmp_path, [generate_document(i, **shape)])
    return parse_document(path, path.read_bytes(), path.stem, str(path))


@pytest.mark.parametrize("i", [0, 1, 2, 3, 99])
def test_each_document_parses_into_the_outline_and_a_task_table(i, tmp_path):
    p = parsed(i, tmp_path)
    labels = [c.labels for c in p.clauses]
    assert p.clauses[0].kind == "preamble"
    assert sum(1 for c in p.clauses if c.labels[0] in ("一", "二", "三")) == 3 + 2 + 2 + 3 + 2  # sections, items
    assert sum(1 for c in p.clauses if c.kind in ("table", "row")) == 1 + 3
    assert ("一",) in labels and ("一", "（二）", "1") in labels and ("二", "（三）") in labels
    assert [r.number for r in p.rows] == [1, 2, 3]
    assert all(len(r.departments) == 3 and r.departments[0].startswith("省") and r.non_exhaustive for r in p.rows)
    assert p.document.number and p.document.number.endswith("号") and p.document.date
    assert all(p.document.text[c.start:c.end] == c.text for c in p.clauses)


def test_the_shape_of_a_document_can_be_changed(tmp_path):
    p = parsed(0, tmp_path, tasks=5, measures=4, rows=5)
    assert len(p.rows) == 5
    assert sum(1 for c in p.clauses if c.labels[0] == "二" and len(c.labels) == 2) == 5


def test_template_queries_are_fixed():
    qs = template_queries()
    assert len(qs) == 30 and qs == template_queries() and len(set(qs)) == 30


def test_write_corpus(tmp_path):
    paths = write_corpus(tmp_path / "c", generate_corpus(3))
    assert [p.name for p in paths] == ["doc-0000.txt", "doc-0001.txt", "doc-0002.txt"]
    assert bench.text_docs(tmp_path / "c")[1] == ("doc-0001.txt", generate_document(1).text)


# -- bench helpers ------------------------------------------------------------------------------
def test_growth_lines_compare_the_largest_size_with_the_smallest():
    rows = [
        {"n": 1, "ours": {"query_p50_ms": 10.0, "ingest_s": 2.0, "index_mb": 1.0, "peak_rss_mb": 800.0}},
        {"n": 10, "ours": {"error": "x"}},
        {"n": 100, "ours": {"query_p50_ms": 25.0, "ingest_s": 20.0, "index_mb": 30.0, "peak_rss_mb": 1000.0},
         "naive": {"query_p50_ms": 9.0}},
    ]
    assert bench.growth_lines(rows) == [
        "ours: query p50 at 100 docs is 2.5× that at 1 (10.0 → 25.0)",
        "ours: ingest time at 100 docs is 10.0× that at 1 (2.0 → 20.0)",
        "ours: index size at 100 docs is 30.0× that at 1 (1.0 → 30.0)",
        "ours: peak RSS at 100 docs is 1.2× that at 1 (800.0 → 1000.0)",
    ]


def test_latency_percentiles():
    assert bench.latency([1.0, 2.0, 3.0, 4.0, 100.0], "search") == {"search_p50_ms": 3.0, "search_p95_ms": 80.8}
    assert bench.latency([], "ask") == {}


def test_the_estimate_adds_the_parts_of_the_plan(tmp_path):
    plan = bench.Plan(corpus=tmp_path, questions=["q"] * 10, sizes=[1, 100], naive_max=1, repeat=2)
    parts = bench.estimate_seconds(plan, (30000, 8000), (1500.0, 800.0))
    oh, rate = bench.CHILD_OVERHEAD_S, bench.OURS_CHARS_PER_S
    assert list(parts) == ["corpus", "scale 1", "scale 100"]
    assert parts["scale 100"] == pytest.approx(oh + 100 * 1500 / rate + 30 * bench.QUERY_S)
    assert parts["scale 1"] == pytest.approx(oh + 1500 / rate + 30 * bench.QUERY_S + oh + 1 / bench.NAIVE_CHUNKS_PER_S)
    assert "estimated time" in bench.estimate_line(bench.Plan(corpus=None, questions=["q"], sizes=[10]))


def test_du_counts_allocated_blocks(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 100_000)
    assert 0.09 < bench.du_mb(tmp_path) < 0.2


def test_run_child_reports_the_childs_own_peak_rss_and_payload():
    code = f"b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096]); print({bench.MARK!r} + '{{\"ok\": 1}}')"
    child = bench.run_child(["-c", code], bench.child_env())
    assert child.payload == {"ok": 1}
    assert child.peak_rss_mb > 200 and child.wall_s > 0


def test_a_failing_child_raises_with_its_last_error_line():
    with pytest.raises(bench.ChildFailed, match="exited with 1: .*ZeroDivisionError"):
        bench.run_child(["-c", "1/0"], bench.child_env())


@pytest.mark.parametrize("text, sizes", [("1,10,100", [1, 10, 100]), ("100, 1,1", [1, 100]), ("none", [])])
def test_parse_scale(text, sizes):
    assert _parse_scale(text) == sizes


@pytest.mark.parametrize("text", ["1,x", "0,5"])
def test_parse_scale_rejects_bad_sizes(text):
    import click

    with pytest.raises(click.ClickException):
        _parse_scale(text)


@pytest.mark.slow
def test_a_small_scaling_run_end_to_end():
    """Real model, real child processes: 2 documents for both pipelines."""
    plan = bench.Plan(corpus=None, questions=["q"], sizes=[2], naive_max=2, queries=template_queries(5))
    result = bench.run(plan)
    [row] = result["scaling"]
    assert row["n"] == 2
    assert row["ours"]["documents"] == 2 and row["ours"]["clauses"] >= 2 * 16 and row["ours"]["queries"] == 5
    assert row["ours"]["peak_rss_mb"] > 100 and row["ours"]["index_mb"] > 0
    assert row["naive"]["documents"] == 2 and row["naive"]["chunks"] >= 2
