"""Article references: parsing (Chinese and Arabic numerals, with or without a law's name) and
cross-references inside a document resolved to clause ids."""

from __future__ import annotations

import pytest

from ingest.loaders import _blocks_from_markdown
from ingest.records import Document, ParsedDocument
from ingest.refs import ArticleRef, cross_references, find_clause, law_names, parse_article_ref, resolve_references
from ingest.structure import parse_structure
from tests.ingest.test_structure import MARKDOWN_LAW


@pytest.mark.parametrize(
    "text, ref",
    [
        ("民法典第一千一百六十五条", ArticleRef("民法典", "第一千一百六十五条")),
        ("快递暂行条例第20条", ArticleRef("快递暂行条例", "第二十条")),
        ("快递暂行条例第二十条讲了什么？", ArticleRef("快递暂行条例", "第二十条")),
        ("第十四条第二款第（二）项", ArticleRef(None, "第十四条", 2, "（二）")),
        ("第14条第2款第2项", ArticleRef(None, "第十四条", 2, "（二）")),
        ("第17条之一", ArticleRef(None, "第十七条之一")),
        ("第一百一十条", ArticleRef(None, "第一百一十条")),
        ("请问中华人民共和国邮政法第五十二条怎么规定", ArticleRef("中华人民共和国邮政法", "第五十二条")),
        ("《中华人民共和国邮政法》第五十二条", ArticleRef("中华人民共和国邮政法", "第五十二条")),
        ("依照民事诉讼法第二百五十七条第三项", ArticleRef("民事诉讼法", "第二百五十七条", None, "（三）")),
        ("对外贸易法第七条", ArticleRef("对外贸易法", "第七条")),
        ("本条例第七条第四款", ArticleRef(None, "第七条", 4)),
        ("没有条文号的问题", None),
    ],
)
def test_parse_article_ref(text, ref):
    assert parse_article_ref(text) == ref


def test_ref_label():
    assert ArticleRef(None, "第十四条", 2, "（二）").label == "第十四条第二款第（二）项"
    assert ArticleRef(None, None, None, "（一）", "前款").label == "前款第（一）项"


def test_cross_references_in_a_clause():
    text = "违反本条例第十五条第一款第三项、第四项规定的，依照《中华人民共和国邮政法》第五十二条、第五十三条处理；有前款情形的，适用本条第一款。"
    found = [(text[s:e], ref) for s, e, ref in cross_references(text)]
    assert found == [
        ("本条例第十五条第一款第三项", ArticleRef(None, "第十五条", 1, "（三）")),
        ("第四项", ArticleRef(None, "第十五条", 1, "（四）")),
        ("《中华人民共和国邮政法》第五十二条", ArticleRef("中华人民共和国邮政法", "第五十二条")),
        ("第五十三条", ArticleRef("中华人民共和国邮政法", "第五十三条")),
        ("前款", ArticleRef(None, None, None, None, "前款")),
        ("本条第一款", ArticleRef(None, None, 1, None, "本条")),
    ]


def test_article_label_at_line_start_is_no_reference():
    assert cross_references("第七条 本条例所称快递，是指…\n前款规定") == [(16, 18, ArticleRef(None, None, None, None, "前款"))]
    assert cross_references("本条例自2021年1月1日起施行。提前款项支付、本款项") == []


def _law(doc_id: str, markdown: str) -> ParsedDocument:
    s = parse_structure(doc_id, _blocks_from_markdown(markdown))
    doc = Document(doc_id, s.title, "s", "0", s.text, "md", "utf-8")
    return resolve_references(ParsedDocument(doc, tuple(s.clauses)))


def test_cross_references_resolved_to_clause_ids():
    by_id = {c.id: c for c in _law("d", MARKDOWN_LAW).clauses}
    second = by_id["d#第二条"]
    assert [(second.text[a:b], target) for a, b, target in second.refs] == [
        ("本法第一条", "d#第一条"),
        ("前款第（二）项", "d#第二条.（二）"),  # 前款 of 款 2 is 款 1, where the items stand
        ("《中华人民共和国行政处罚法》第三条", "《中华人民共和国行政处罚法》第三条"),  # another law: by name
    ]
    assert by_id["d#第一条"].refs == ()


def test_reference_to_an_item_of_another_article():
    law = """# 某某条例

第一条 有下列行为之一的，应当改正：

（一）甲；

（二）乙；

（三）丙。

第二条 违反本条例第一条第三项、第二项规定的，予以警告；违反第九条规定的，另行处理。

第三条 前条规定以外的情形，依照中华人民共和国行政处罚法第十条处理。
"""
    by_id = {c.id: c for c in _law("r", law).clauses}
    second, third = by_id["r#第二条"], by_id["r#第三条"]
    assert [(second.text[a:b], t) for a, b, t in second.refs] == [
        ("本条例第一条第三项", "r#第一条.（三）"), ("第二项", "r#第一条.（二）")]  # 第九条 does not exist: dropped
    assert [(third.text[a:b], t) for a, b, t in third.refs] == [
        ("前条", "r#第二条"), ("中华人民共和国行政处罚法第十条", "《中华人民共和国行政处罚法》第十条")]


def test_find_clause_by_article_number():
    from ingest.pipeline import parse_document
    from tests.conftest import ROOT

    path = ROOT / "tests" / "fixtures" / "laws" / "民法典" / "婚姻家庭编.md"
    clauses = parse_document(path, path.read_bytes(), "m", str(path)).clauses
    find = lambda text: getattr(find_clause(clauses, parse_article_ref(text)), "id", None)  # noqa: E731
    assert find("民法典第1079条") == "m#第一千零七十九条"
    assert find("民法典第一千零七十九条第三款第（二）项") == "m#第一千零七十九条.（二）"
    assert find("第一千零七十九条第一款第（二）项") == "m#第一千零七十九条"  # no such item in 款 1: the article
    assert find("第一千零七十九条第二项") == "m#第一千零七十九条.（二）"
    assert find("第九条") is None


def test_bare_law_names_are_cut_at_the_sentence():
    text = "依照药品管理法第一百四十四条第三款或者消费者权益保护法第五十五条第一款处理"
    assert [(text[s:e], r.law) for s, e, r in cross_references(text)] == [
        ("药品管理法第一百四十四条第三款", "药品管理法"), ("消费者权益保护法第五十五条第一款", "消费者权益保护法")]
    # a name the document writes in book-title marks elsewhere delimits the bare one
    text = "债务人在整顿期间有企业破产法第二条规定情形的"
    known = law_names("根据《中华人民共和国企业破产法》的规定")
    assert known == {"中华人民共和国企业破产法", "企业破产法"}
    assert [r.law for _, _, r in cross_references(text, known)] == ["企业破产法"]
