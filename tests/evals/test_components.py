import pytest

from evals.components import agreement, main, measure, table

pytestmark = pytest.mark.slow

STAGES = [
    "forward: SentenceTransformer.encode, fp32",
    "forward: direct path, fp32",
    "forward: direct path, query model (int8)",
    "chroma query (after another query, not after a forward pass)",
    "jieba + BM25 (clauses and sentences)",
    "fusion: index/fusion.py",
    "fusion: llama-index QueryFusionRetriever",
    "search stages, embedding first",
    "search stages, embedding beside the keyword work",
    "whole Searcher.search",
    "forward: query model called from a second thread",
    "forward: query model on its thread, after that",
]


def test_every_stage_is_timed(guideline_service):
    results = measure(guideline_service.searcher, ["平台经济统计监测由谁牵头？", "什么是平台经济"], rounds=1)
    assert list(results) == STAGES
    assert all(0 < p50 <= p95 for p50, p95 in results.values())
    lines = table(results).splitlines()
    assert lines[:2] == ["| stage | p50 ms | p95 ms |", "|---|---:|---:|"] and len(lines) == 2 + len(STAGES)


def test_agreement_of_int8_and_fp32_question_vectors(guideline_service):
    low, mean = agreement(guideline_service.embedder, ["平台经济统计监测由谁牵头？", "什么是平台经济"])
    assert 0.98 < low <= mean <= 1.0 + 1e-6


def test_without_an_index_it_says_what_to_run(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert err == "error: no index has been built yet; run `policyqa ingest` first\n"


def test_bad_gold_file_is_named(tmp_path, capsys):
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"text": "no question key"}\n', encoding="utf-8")
    assert main(["--gold", str(bad)]) == 2
    assert capsys.readouterr().err.startswith(f"error: cannot read questions from {bad} (")
