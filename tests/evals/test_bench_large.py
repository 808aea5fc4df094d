"""`policyqa bench --corpus`: the real-corpus tasks (ingest, one document added and removed) on two
tiny laws with the fake embedder, and the table they print beside the one-document figures."""

from __future__ import annotations

import pytest

from evals.bench import large_markdown, task_large_ingest, task_large_one_document

LAW = """# 中华人民共和国示例{name}法

<!-- INFO END -->

## 第一章 一般规定

第一条 为了规范{name}活动，制定本法。

第二条 从事{name}活动，应当遵守法律。

第三条 违反本法规定的，由有关部门责令改正。
"""


@pytest.fixture
def laws(tmp_path):
    folder = tmp_path / "laws"
    for i, name in enumerate(("合同", "登记")):
        (folder / f"part{i}").mkdir(parents=True)
        (folder / f"part{i}" / f"{name}法.md").write_text(LAW.format(name=name), encoding="utf-8")
    return folder


@pytest.fixture
def fake_model(monkeypatch, fake_embedder):
    import app.service

    monkeypatch.setattr(app.service, "SentenceTransformerEmbedder", lambda *a, **kw: fake_embedder)
    monkeypatch.setenv("POLICYQA_EMBED_MODEL", fake_embedder.name)
    return fake_embedder


def test_ingest_then_up_to_date_then_one_document(fake_model, laws, tmp_path):
    a = {"data_dir": str(tmp_path / "laws-data"), "corpus": str(laws)}
    first = task_large_ingest(a)
    # Six articles, five distinct texts: 第三条 reads the same in both laws and is embedded once.
    assert (first["up_to_date"], first["documents"], first["clauses"]) == (False, 2, 8)
    assert (first["units"], first["units_embedded"], first["units_reused"]) == (6, 5, 0)
    assert first["embed_units_per_s"] > 0 and set(first["timings"]) >= {"embed", "vectors", "tokenize"}

    again = task_large_ingest(a)
    assert (again["up_to_date"], again["ingest_s"], again["generation"]) == (True, None, first["generation"])

    one = task_large_one_document(a)
    # The copy repeats every text of its source (already embedded) plus one new article.
    assert (one["one_document"], one["add_one_embedded"], one["add_one_reused"]) == ("合同法.md", 1, 6)
    assert task_large_ingest(a)["units"] == 6  # removed again: the corpus as it was


def test_table_beside_the_one_document_figures():
    result = {
        "ours": {"documents": 1, "clauses": 53, "units": 146, "distinct_units": 140, "ingest_s": 10.0,
                 "ingest_peak_rss_mb": 800.0, "index_mb": 1.5, "search_p50_ms": 4.0, "search_p95_ms": 6.0,
                 "ask_p50_ms": 5.0, "ask_p95_ms": 9.0, "load_1m": [1.0, 1.2]},
        "large": {"corpus": "laws", "data_dir": "/data", "up_to_date": False, "documents": 1422, "clauses": 100000,
                  "units": 120000, "units_embedded": 90000, "ingest_s": 3000.0, "parse_s": 60.0,
                  "timings": {"embed": 2700.0, "vectors": 100.0}, "embed_units_per_s": 33.3, "units_per_s": 40.0,
                  "clauses_per_s": 33.3, "ingest_peak_rss_mb": 2500.0, "index_mb": 900.0, "cache_mb": 200.0,
                  "add_one_s": 20.0, "remove_one_s": 15.0, "search_p50_ms": 9.0, "search_p95_ms": 30.0,
                  "ask_p50_ms": 12.0, "ask_p95_ms": 40.0, "load_1m": [2.0, 2.5, 3.0]},
    }
    assert large_markdown(result).splitlines()[4:] == [
        "| figure | one document (this corpus) | real corpus |",
        "|---|---|---|",
        "| documents / clauses / embedded units | 1 / 53 / 146 | 1,422 / 100,000 / 120,000 |",
        "| ingest wall time (s) | 10.0 | 3,000 |",
        "| of which parse / embed / vector store (s) | — / — / — | 60.0 / 2,700 / 100 |",
        "| units embedded by the model / found in the cache or kept | 140 / 6 | 90,000 / 30,000 |",
        "| embedding rate (units/s) | — | 33.3 |",
        "| ingest rate (units/s, clauses/s) | 14.6, — | 40.0, 33.3 |",
        "| peak RSS of the ingest (MB) | 800 | 2,500 |",
        "| index on disk (MB; embedding cache apart) | 1.5 (—) | 900 (200) |",
        "| one document added / removed (s) | — / — | 20.0 / 15.0 |",
        "| warm search p50 / p95 (ms) | 4.0 / 6.0 | 9.0 / 30.0 |",
        "| warm ask p50 / p95 (ms) | 5.0 / 9.0 | 12.0 / 40.0 |",
        "| 1-minute load average at each step | 1.0, 1.2 | 2.0, 2.5, 3.0 |",
    ]
    assert large_markdown({"ours": {}}) == ""
