"""The baselines and the rule that maps their passages to clause ids, on hand-made spans and tiny texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.baselines import (
    ClauseMap,
    JiebaBM25Paragraphs,
    LlamaIndexNaive,
    Passage,
    covers,
    overlap,
    paragraphs,
)
from ingest.pipeline import parse_document
from ingest.records import Clause
from tests.conftest import GUIDELINE, TINY_POLICY


def clause(label: str, start: int, end: int, doc: str = "d") -> Clause:
    return Clause(id=f"{doc}#{label}", doc_id=doc, labels=(label,), path=(label,), kind="item", heading="",
                  text="x" * (end - start), start=start, end=end, subtree_end=end, parent_id=None, order=0)


# a = [0, 10), b = [10, 30), c = [30, 31)
CLAUSES = [clause("a", 0, 10), clause("b", 10, 30), clause("c", 30, 31), clause("z", 0, 10, doc="other")]


@pytest.mark.parametrize(
    "span, expected",
    [
        ((0, 100), ("d#a", "d#b", "d#c")),  # contains all three
        ((0, 10), ("d#a",)),  # exactly a
        ((5, 10), ("d#a",)),  # half of a: enough
        ((6, 10), ()),  # 40% of a: not enough
        ((8, 25), ("d#b",)),  # 15 of b's 20 characters; 2 of a's 10
        ((15, 19), ()),  # inside b but only 4 of its 20 characters
        ((29, 31), ("d#c",)),  # all of the one-character clause c
        ((40, 50), ()),  # beyond every clause
    ],
)
def test_clause_map_applies_the_half_of_the_clause_rule(span, expected):
    assert ClauseMap(CLAUSES)(Passage("d", span[0], span[1], "")) == expected


def test_a_passage_of_another_document_covers_nothing_here():
    assert ClauseMap(CLAUSES)(Passage("elsewhere", 0, 100, "")) == ()
    assert ClauseMap(CLAUSES)(Passage("other", 0, 100, "")) == ("other#z",)


@pytest.mark.parametrize("a, b, shared", [((0, 10), (5, 20), 5), ((0, 10), (10, 20), 0), ((3, 4), (0, 9), 1)])
def test_overlap(a, b, shared):
    assert overlap(a, b) == shared


def test_an_empty_clause_is_covered_when_its_position_lies_inside():
    empty = clause("e", 5, 5)
    assert covers(Passage("d", 0, 10, ""), empty)
    assert not covers(Passage("d", 6, 10, ""), empty)


def test_paragraphs_are_the_non_empty_lines_with_exact_offsets():
    text = "标题\n\n\t第一段。\n  第二段 \n"
    ps = paragraphs("d", text)
    assert [p.text for p in ps] == ["标题", "第一段。", "第二段"]
    assert all(text[p.start:p.end] == p.text for p in ps)


def test_document_text_lines_are_the_source_files_non_empty_lines():
    """The BM25 baseline reads paragraphs from Document.text; for a .txt source they are the file's lines."""
    data = GUIDELINE.read_bytes()
    doc = parse_document(GUIDELINE, data, "g", str(GUIDELINE)).document
    raw = [line.strip() for line in data.decode("utf-8").splitlines() if line.strip()]
    assert [p.text for p in paragraphs("g", doc.text)] == raw


@pytest.fixture
def tiny(tmp_path) -> tuple[str, str, list[Clause]]:
    path = tmp_path / "tiny.txt"
    path.write_text(TINY_POLICY, encoding="utf-8")
    parsed = parse_document(path, path.read_bytes(), "tiny", str(path))
    return "tiny", parsed.document.text, list(parsed.clauses)


def test_bm25_paragraphs_find_the_paragraph_and_map_it_to_its_clause(tiny):
    doc_id, text, clauses = tiny
    bm25 = JiebaBM25Paragraphs([(doc_id, text)])
    hits = bm25.retrieve("跨境电商产业园奖励多少钱", 3)
    assert hits[0].text.startswith("（一）财政支持。")
    assert text[hits[0].start:hits[0].end] == hits[0].text
    assert ClauseMap(clauses)(hits[0]) == ("tiny#二.（一）",)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_bm25_paragraphs_return_nothing_for_words_the_text_lacks(tiny):
    doc_id, text, _ = tiny
    assert JiebaBM25Paragraphs([(doc_id, text)]).retrieve("量子计算", 5) == []


def test_llama_index_naive_chunks_carry_their_offsets(tiny):
    from llama_index.core import MockEmbedding

    doc_id, text, clauses = tiny
    other = "另一份文件。\n" + "内容很长的一段话。" * 300
    naive = LlamaIndexNaive.build([(doc_id, text), ("long", other)], embed_model=MockEmbedding(embed_dim=8))
    assert naive.chunks >= 3  # the tiny policy fits one 1024-token chunk; the long text does not
    passages = naive.retrieve("跨境电商", 10)
    assert len(passages) == naive.chunks
    texts = {doc_id: text, "long": other}
    assert all(texts[p.doc_id][p.start:p.end] == p.text for p in passages)
    whole = next(p for p in passages if p.doc_id == doc_id)
    assert set(ClauseMap(clauses)(whole)) == {c.id for c in clauses}


def test_llama_index_naive_persists_and_loads(tiny, tmp_path: Path):
    from llama_index.core import MockEmbedding

    doc_id, text, _ = tiny
    naive = LlamaIndexNaive.build([(doc_id, text)], embed_model=MockEmbedding(embed_dim=8))
    naive.persist(tmp_path / "naive")
    loaded = LlamaIndexNaive.load(tmp_path / "naive", embed_model=MockEmbedding(embed_dim=8))
    [p] = loaded.retrieve("财政支持", 5)
    assert (p.doc_id, p.start, p.end) == (doc_id, 0, len(text))


# -- articles of law files (the STARD suite's BM25 baseline) -------------------------------------
LAW = """# 示例法

2020年1月1日通过

<!-- INFO END -->

## 第一章 总则

第一条 为了规范示例，制定本法。

第二条 当事人有下列权利：

（一）知情权；

（二）选择权。

## 第二章 责任

第十七条之一　违反本法第二条规定的，依法承担责任。
第18条 本法自公布之日起施行。
"""


def test_split_articles_runs_each_article_to_the_next_article_or_heading():
    from evals.baselines import split_articles

    got = split_articles("law", LAW)
    assert [(a.label, a.text) for a in got] == [
        ("第一条", "第一条 为了规范示例，制定本法。"),
        ("第二条", "第二条 当事人有下列权利：\n\n（一）知情权；\n\n（二）选择权。"),
        ("第十七条之一", "第十七条之一　违反本法第二条规定的，依法承担责任。"),
        ("第18条", "第18条 本法自公布之日起施行。"),
    ]
    assert all(LAW[a.start:a.end] == a.text and a.doc_id == "law" for a in got)


def test_a_line_that_only_mentions_an_article_opens_none():
    from evals.baselines import split_articles

    assert [a.label for a in split_articles("d", "第一条 甲。\n第二条规定的情形除外。\n第三条 乙。")] == ["第一条", "第三条"]


def test_bm25_over_articles_and_the_article_map():
    from evals.baselines import ArticleMap, JiebaBM25Articles

    docs = [("law", LAW)]
    bm25 = JiebaBM25Articles(docs)
    hits = bm25.retrieve("我有哪些知情权和选择权？", 3)
    assert [h.label for h in hits] == ["第二条"]
    amap = ArticleMap(docs)
    assert amap(hits[0]) == (("law", "第二条"),)
    whole = Passage("law", 0, len(LAW), LAW)
    assert amap(whole) == (("law", "第一条"), ("law", "第二条"), ("law", "第十七条之一"), ("law", "第18条"))
    assert amap(Passage("law", 0, 20, LAW[:20])) == (("law", None),)  # the preamble holds no article
