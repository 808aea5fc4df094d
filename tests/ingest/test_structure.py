"""The clause tree of the guideline, asserted exactly, plus heading rules on small inputs."""

from __future__ import annotations

import pytest

from ingest.loaders import load_file
from ingest.records import Block
from ingest.structure import match_heading, parse_structure, split_clauses, split_departments
from tests.conftest import GUIDELINE, GUIDELINE_ID, ROOT


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
        ("第一千一百六十五条 行为人因过错侵害他人民事权益", "article", "第一千一百六十五条"),
        ("第十七条之一 已满七十五周岁的人", "article", "第十七条之一"),
        ("第17条 阿拉伯数字的条号", "article", "第十七条"),
        ("第一编 总则", "book", "第一编"),
        ("第一分编  通则", "subbook", "第一分编"),
        ("附件一", "annex", "附件一"),
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


# --------------------------------------------------------------------------- Markdown laws (real files)

LAWS = ROOT / "tests" / "fixtures" / "laws"


def parse_law(name: str, doc_id: str):
    return parse_structure(doc_id, load_file(LAWS / name).blocks)


@pytest.fixture(scope="module")
def marriage():
    """民法典/婚姻家庭编.md: "# 中华人民共和国民法典", "# 婚姻家庭编", front matter, ## 章, ### 节."""
    s = parse_law("民法典/婚姻家庭编.md", "m")
    return s, {c.id: c for c in s.clauses}


def test_law_title_part_and_front_matter(marriage):
    s, by_id = marriage
    assert (s.title, s.part) == ("中华人民共和国民法典", "婚姻家庭编")
    assert [line.text for line in s.front] == ["2020年5月28日 第十三届全国人民代表大会第三次会议通过"]
    assert s.clauses[0].id == "m#题注" and s.clauses[0].kind == "preamble"
    assert "<!--" not in s.text


def test_law_chapters_sections_articles_items(marriage):
    s, by_id = marriage
    kinds = [c.kind for c in s.clauses]
    assert (len(s.clauses), kinds.count("section"), kinds.count("article"), kinds.count("item")) == (126, 10, 79, 36)
    assert [c.id for c in s.clauses if c.kind == "section"] == [
        "m#第一章", "m#第二章", "m#第三章", "m#第三章.第一节", "m#第三章.第二节", "m#第四章", "m#第五章",
        "m#第五章.第一节", "m#第五章.第二节", "m#第五章.第三节"]
    chapter = by_id["m#第三章.第一节"]
    assert chapter.text == "第一节\u2002\u2002夫妻关系"  # the line as written (en spaces), heading only
    assert chapter.path == ("第三章 家庭关系", "第一节 夫妻关系")
    article = by_id["m#第一千零六十二条"]
    assert article.parent_id == "m#第三章.第一节"
    assert article.labels == ("第三章", "第一节", "第一千零六十二条")
    assert article.path == ("第三章 家庭关系", "第一节 夫妻关系", "第一千零六十二条")
    assert article.citation == "第一千零六十二条"
    # The article holds all of itself; its items are clauses inside it.
    assert article.text.startswith("第一千零六十二条 夫妻在婚姻关系存续期间所得的下列财产")
    assert article.text.endswith("夫妻对共同财产，有平等的处理权。")
    items = [c for c in s.clauses if c.parent_id == article.id]
    assert [c.id for c in items] == [f"m#第一千零六十二条.（{n}）" for n in "一二三四五"]
    assert all(article.start <= c.start and c.end <= article.end for c in items)
    assert [c.citation for c in items][:2] == ["第一千零六十二条第一款第（一）项", "第一千零六十二条第一款第（二）项"]


def test_items_know_their_paragraph(marriage):
    s, by_id = marriage
    article = by_id["m#第一千零七十九条"]
    assert len(article.paragraphs) == 5  # 款 1-3, items (一)-(五) inside 款 3, then 款 4 and 5
    item = by_id["m#第一千零七十九条.（二）"]
    assert (item.paragraph, item.citation) == (3, "第一千零七十九条第三款第（二）项")
    assert item.text == "（二）实施家庭暴力或者虐待、遗弃家庭成员；"
    s3, e3 = article.paragraphs[2]
    assert article.text[s3:e3].startswith("有下列情形之一，调解无效的，应当准予离婚：\n（一）重婚或者与他人同居；")
    assert article.text[s3:e3].endswith("（五）其他导致夫妻感情破裂的情形。")
    single = by_id["m#第一千零五十一条.（一）"]  # an article of one 款 cites no 款
    assert single.citation == "第一千零五十一条第（一）项"


def test_law_offsets_and_unique_ids(marriage):
    s, _ = marriage
    for c in s.clauses:
        assert s.text[c.start:c.end] == c.text
        for a, b in c.paragraphs:
            assert 0 <= a < b <= len(c.text)
    assert len({c.id for c in s.clauses}) == len(s.clauses)


def test_regulation_without_front_matter():
    s = parse_law("保障中小企业款项支付条例(2020-07-05).md", "p")
    assert (s.title, s.front) == ("保障中小企业款项支付条例", ())
    assert [c.id for c in s.clauses[:2]] == ["p#第一条", "p#第二条"]
    assert sum(c.kind == "article" for c in s.clauses) == 29


MARKDOWN_LAW = """\
# 中华人民共和国某某法

2020年1月1日 第十三届全国人民代表大会常务委员会第十五次会议通过 <!-- a note -->

2021年1月1日 施行

<!-- INFO END -->

## 第一编  总　　则

### 第一章 一般规定

## 第一编  总　　则

### 第一章 一般规定

第一条 为了规范某某活动，制定本法。

第二条 有下列情形之一的，依照本法第一条处理：

（一）甲；

（二）乙。

违反前款第（二）项规定的，依照《中华人民共和国行政处罚法》第三条处罚。

第二条之一 增加的条文。

## 第二编 分则

### 第一章 特别规定

第三条 本法自2021年1月1日起施行。

## 附件一

1．某某目录

2．某某清单
"""


@pytest.fixture(scope="module")
def synthetic_law():
    from ingest.loaders import _blocks_from_markdown

    s = parse_structure("d", _blocks_from_markdown(MARKDOWN_LAW))
    return s, {c.id: c for c in s.clauses}


def test_books_contents_and_supplementary_articles(synthetic_law):
    s, by_id = synthetic_law
    assert s.title == "中华人民共和国某某法"
    assert [c.id for c in s.clauses] == [
        "d#题注", "d#目录", "d#第一编", "d#第一编.第一章", "d#第一条", "d#第二条", "d#第二条.（一）", "d#第二条.（二）",
        "d#第二条之一", "d#第二编", "d#第二编.第一章", "d#第三条", "d#附件一", "d#附件一.1", "d#附件一.2"]
    assert by_id["d#题注"].text == "2020年1月1日 第十三届全国人民代表大会常务委员会第十五次会议通过\n2021年1月1日 施行"
    assert by_id["d#第一编"].path == ("第一编 总则",)
    assert by_id["d#第三条"].path == ("第二编 分则", "第一章 特别规定", "第三条")
    assert by_id["d#第二条之一"].citation == "第二条之一"
    second = by_id["d#第二条"]
    assert second.text.endswith("依照《中华人民共和国行政处罚法》第三条处罚。")
    assert [second.text[a:b] for a, b in second.paragraphs][1].startswith("违反前款")


def test_items_numbered_again_in_a_later_paragraph_and_titles_over_articles():
    from ingest.loaders import _blocks_from_markdown

    text = """# 某某解释

## 三、关于担保物权

（一）担保合同的效力

第七十八条 有下列情形之一的，可以减刑：

（一）甲；

（二）乙。

减刑以后实际执行的刑期不能少于下列期限：

（一）丙；

（二）丁。

（二）不动产抵押

第七十九条 抵押的规定。
"""
    s = parse_structure("x", _blocks_from_markdown(text))
    by_id = {c.id: c for c in s.clauses}
    assert [c.id for c in s.clauses] == [
        "x#三", "x#三.（一）", "x#第七十八条", "x#第七十八条.（一）", "x#第七十八条.（二）",
        "x#第七十八条.第二款.（一）", "x#第七十八条.第二款.（二）", "x#三.（二）", "x#第七十九条"]
    assert by_id["x#第七十八条.第二款.（一）"].citation == "第七十八条第二款第（一）项"
    assert by_id["x#第七十九条"].path == ("三、关于担保物权", "（二）不动产抵押", "第七十九条")


def test_plain_text_law_with_front_matter_in_brackets_and_contents():
    from ingest.loaders import blocks_from_text
    from ingest.metadata import document_metadata

    text = ("快递暂行条例\n（2018年3月2日中华人民共和国国务院令第697号公布　根据2019年3月2日《国务院关于修改部分行政法规"
            "的决定》修订）\n目　　录\n第一章　总　　则\n第二章　发展保障\n第一章　总　　则\n"
            "第一条　为促进快递业健康发展，制定本条例。\n第二条　本条例适用于境内。\n第二章　发展保障\n"
            "第三条　本条例自2018年5月1日起施行。\n")
    s = parse_structure("k", blocks_from_text(text))
    assert s.title == "快递暂行条例"
    assert [c.id for c in s.clauses] == ["k#题注", "k#目录", "k#第一章", "k#第一条", "k#第二条", "k#第二章", "k#第三条"]
    assert by_label_path(s, "k#第三条") == ("第二章 发展保障", "第三条")
    meta = document_metadata(s, "快递暂行条例.txt")
    assert (meta["issuer"], meta["number"], meta["promulgated"], meta["revised"], meta["effective"],
            meta["version_date"]) == ("国务院", "国务院令第697号", "2018-03-02", "2019-03-02", "2018-05-01", "2019-03-02")


def by_label_path(s, clause_id):
    return next(c.path for c in s.clauses if c.id == clause_id)
