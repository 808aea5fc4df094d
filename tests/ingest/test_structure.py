"""The clause tree of the guideline, asserted exactly, plus heading rules on small inputs."""

from __future__ import annotations

import pytest

from ingest.loaders import load_file
from ingest.records import Block
from ingest.structure import match_heading, split_clauses, split_departments
from tests.conftest import GUIDELINE, GUIDELINE_ID


@pytest.fixture(scope="module")
def guideline():
    text, title, lines, clauses = split_clauses(GUIDELINE_ID, load_file(GUIDELINE).blocks)
    return text, title, {c.id.split("#", 1)[1]: c for c in clauses}, clauses


def test_title_joined_over_two_lines(guideline):
    _, title, _, _ = guideline
    assert title == "省政府关于加快互联网平台经济发展的指导意见"


def test_five_sections_with_their_second_level_counts(guideline):
    _, _, by_label, clauses = guideline
    sections = [c for c in clauses if c.kind == "section"]
    assert [c.labels[0] for c in sections] == ["一", "二", "三", "四", "五"]
    counts = [sum(1 for c in clauses if c.parent_id == s.id) for s in sections]
    assert counts == [3, 7, 3, 6, 5]


def test_targets_and_principles(guideline):
    _, _, by_label, clauses = guideline
    targets = [c for c in clauses if c.parent_id == by_label["一.（三）"].id]
    assert [c.labels[-1] for c in targets] == ["1", "2", "3", "4"]
    assert targets[0].heading == "平台经济快速发展"
    principles = [c for c in clauses if c.parent_id == by_label["一.（二）"].id]
    assert [c.heading for c in principles] == [
        "市场主导、创新发展",
        "促进融合、统筹发展",
        "优化布局、集聚发展",
        "开放高效、持续发展",
    ]
    assert principles[2].id == f"{GUIDELINE_ID}#一.（二）.—3"


def test_paths_and_heading_sentence_layout(guideline):
    _, _, by_label, _ = guideline
    c = by_label["五.（二）"]
    assert c.path_text == "五、营造平台经济发展环境 > （二）加大财税政策引导支持力度"
    assert c.heading == "加大财税政策引导支持力度"
    assert c.text.startswith("（二）加大财税政策引导支持力度。用好国家各项扶持政策")
    # A heading alone on its line keeps its body paragraphs.
    guide = by_label["一.（一）"]
    assert guide.text.startswith("（一）指导思想。\n深入贯彻党的十八大")


def test_task_table_rows(guideline):
    _, _, by_label, clauses = guideline
    rows = [c.row for c in clauses if c.row]
    assert len(rows) == 14
    assert [r.number for r in rows] == list(range(1, 15))
    assert rows[0].departments == ("省发展改革委", "经济和信息化委", "科技厅", "财政厅", "商务厅", "金融办")
    assert rows[6].departments == ("省经济和信息化委", "省通信管理局", "江苏移动", "江苏电信", "江苏联通", "江苏铁塔")
    assert rows[13].departments == ("省经济和信息化委", "工商局", "质监局")
    assert rows[13].task == "建立健全平台经济社会信用体系和信用评价制度"
    assert all(r.non_exhaustive for r in rows)
    assert rows[12].lead == "省统计局"
    assert by_label["重点任务分工表.13"].path_text.startswith("重点任务分工表 > 13．制定平台企业统计分类和标准")


def test_offsets_slice_back_to_clause_text(guideline):
    text, _, _, clauses = guideline
    assert len(clauses) == 53
    for c in clauses:
        assert text[c.start:c.end] == c.text
        assert c.start < c.end <= c.subtree_end
    ids = [c.id for c in clauses]
    assert len(ids) == len(set(ids))


def test_preamble_holds_addressee_and_opening(guideline):
    _, _, by_label, _ = guideline
    pre = by_label["引言"]
    assert pre.text.startswith("各市、县（市、区）人民政府")
    assert "新型经济形态" in pre.text


@pytest.mark.parametrize(
    "line, kind, key",
    [
        ("一、总体要求", "cn", "一"),
        ("（二）基本原则。", "paren_cn", "（二）"),
        ("1﹒平台经济快速发展。规模以上", "arabic", "1"),
        ("1．平台经济快速发展", "arabic", "1"),
        ("2.平台企业优势形成", "arabic", "2"),
        ("（1）加强领导", "paren_arabic", "（1）"),
        ("第三章 保障措施", "chapter", "第三章"),
        ("第十二条 本办法自发布之日起施行。", "article", "第十二条"),
        ("——市场主导、创新发展。充分发挥", "dash", "—"),
    ],
)
def test_heading_kinds(line, kind, key):
    h = match_heading(line)
    assert h is not None and (h.kind, h.key) == (kind, key)


@pytest.mark.parametrize("line", ["2020年，全省平台经济整体规模居全国前列。", "1.5亿元专项资金用于扶持。", "100家重点平台企业"])
def test_numbers_that_are_body_text(line):
    assert match_heading(line) is None


def test_chapters_and_articles_nest():
    blocks = tuple(
        Block("para", text=t)
        for t in ["某某管理办法", "第一章 总则", "第一条 为了规范管理，制定本办法。", "第二条 本办法适用于全省。",
                  "第二章 附则", "第三条 本办法自发布之日起施行。"]
    )
    _, title, _, clauses = split_clauses("d", blocks)
    assert title == "某某管理办法"
    # Articles are addressed by number alone, so their ids do not move when chapters change.
    assert [c.id for c in clauses] == ["d#第一章", "d#第一条", "d#第二条", "d#第二章", "d#第三条"]
    assert [c.labels for c in clauses][:2] == [("第一章",), ("第一章", "第一条")]
    assert [c.kind for c in clauses] == ["section", "article", "article", "section", "article"]
    assert clauses[1].path == ("第一章 总则", "第一条")
    assert clauses[0].text == "第一章 总则"  # a chapter is its heading only


def test_document_without_headings_becomes_paragraph_clauses():
    blocks = (Block("para", text="关于做好某项工作的通知"), Block("para", text="第一段内容很长，讲了很多事情。"),
              Block("para", text="第二段内容。"))
    _, _, _, clauses = split_clauses("d", blocks)
    assert [c.id for c in clauses] == ["d#第1段", "d#第2段"]


def test_repeated_label_stays_addressable():
    blocks = tuple(Block("para", text=t) for t in ["一、甲", "正文。", "一、乙", "正文二。"])
    _, _, _, clauses = split_clauses("d", blocks)
    assert [c.id for c in clauses] == ["d#一", "d#一~2"]


def test_split_departments():
    assert split_departments("省商务厅、交通运输厅等") == (["省商务厅", "交通运输厅"], True)
    assert split_departments("省统计局") == (["省统计局"], False)
