"""How the answerer reads a law (written here, not from the gold sets): an offence that is one item
of a list takes its penalty from the sentence leading into the list; the offence asked about
decides whose penalty answers; a short 款 is quoted whole."""

from __future__ import annotations

import pytest

from app.qa import answer_question, assess
from tests.app.conftest import ingest_texts

JIANGXI = """# 江西省电动自行车管理条例

2024年1月10日 江西省第十四届人民代表大会常务委员会第六次会议通过

<!-- INFO END -->

## 第一章 总则

第一条 为了加强电动自行车管理，保障道路交通安全，制定本条例。

第二条 销售者应当查验电动自行车的产品合格证明，并向购买者说明安全使用要求。对不符合强制性国家标准的电动自行车，销售者不得销售。

## 第二章 法律责任

第三条 销售者有下列行为之一的，由市场监督管理部门责令改正，可以处五千元以下罚款；情节严重的，处五千元以上二万元以下罚款：

（一）销售未获得强制性产品认证的电动自行车；

（二）为电动自行车非法加装、改装蓄电池。

第四条 骑行人有下列行为之一的，由公安机关交通管理部门依照《中华人民共和国道路交通安全法》的规定予以处罚：

（一）未佩戴安全头盔；

（二）驾驶电动自行车载人超过规定。

第五条 本条例自2024年5月1日起施行。
"""
JX = "江西省电动自行车管理条例(2024-01-10)"


@pytest.fixture
def bikes(tmp_path, data_dir, fake_embedder):
    return ingest_texts(tmp_path / "bikes", data_dir, fake_embedder, {f"{JX}.md": JIANGXI})


def test_an_offence_listed_as_an_item_takes_its_penalty_from_the_lead_sentence(bikes):
    a = answer_question(bikes.searcher, "江西给电动自行车非法改装蓄电池，罚多少？情节严重的呢？")
    assert a.answered and a.kind == "figure"
    assert a.answer == ("《江西省电动自行车管理条例》第三条：销售者有下列行为之一的，由市场监督管理部门责令改正，可以处五千元以下罚款；[1]\n"
                        "情节严重的，处五千元以上二万元以下罚款：[2]\n"
                        "（二）为电动自行车非法加装、改装蓄电池。[3]")
    assert {c.clause.id for c in a.citations} == {f"{JX}#第三条"}


def test_the_offence_asked_about_decides_whose_penalty_answers(bikes):
    # 第四条 punishes not wearing a helmet by another law's rules: 第三条's amounts are another offence's.
    a = assess(bikes.searcher, "江西骑电动自行车不戴安全头盔罚多少钱？")
    assert [t for t, _ in a.draft.lines][0] == ("第四条 骑行人有下列行为之一的，由公安机关交通管理部门依照"
                                                "《中华人民共和国道路交通安全法》的规定予以处罚：")
    assert a.problem == "文件没有写明具体金额"


def test_a_short_paragraph_is_quoted_whole_and_its_chosen_sentence_decides(bikes):
    a = assess(bikes.searcher, "江西销售者要查验电动自行车的产品合格证明吗？")
    assert a.draft.kind == "yesno"
    assert [t for t, _ in a.draft.lines] == ["第二条 销售者应当查验电动自行车的产品合格证明，并向购买者说明安全使用要求。"
                                             "对不符合强制性国家标准的电动自行车，销售者不得销售。"]
    # The decision weighs the sentence chosen to answer, not the context quoted around it.
    assert [e.quote for e in a.draft.grounds] == ["第二条 销售者应当查验电动自行车的产品合格证明，并向购买者说明安全使用要求。"]


DIGITAL = """# 江西省数字经济促进条例

<!-- INFO END -->

第一条 为了促进数字经济发展，制定本条例。

第二条 发展数字经济应当遵循创新驱动、融合发展、普惠共享、安全有序的原则。

第三条 省人民政府设立数字经济发展基金，用于支持数字经济重点项目建设。

第四条 有关部门在发展数字经济工作中不遵循本条例规定，有下列行为之一的，由有权机关责令改正：

（一）未按规定履行公共数据共享职责的；

（二）篡改数字经济统计数据的。

第五条 省经济和信息化主管部门负责全省数字经济促进工作。
"""


@pytest.fixture
def digital(tmp_path, data_dir, fake_embedder):
    return ingest_texts(tmp_path / "digital", data_dir / "digital", fake_embedder,
                        {"江西省数字经济促进条例(2024-03-01).md": DIGITAL})


def test_a_list_written_in_one_sentence_beats_an_enumeration_far_from_the_question(digital):
    a = assess(digital.searcher, "江西发展数字经济要遵循哪些原则？")
    assert [t for t, _ in a.draft.lines] == ["第二条 发展数字经济应当遵循创新驱动、融合发展、普惠共享、安全有序的原则。"]


def test_who_did_an_act_is_the_sentence_that_states_the_act(digital):
    a = assess(digital.searcher, "江西的数字经济发展基金由谁设立？")
    assert a.draft.kind == "department"
    assert [t for t, _ in a.draft.lines][0] == "第三条 省人民政府设立数字经济发展基金，用于支持数字经济重点项目建设。"


def test_a_yes_no_rule_is_looked_for_below_the_first_three_hits(bikes):
    from app.qa import _compose_yesno
    from ingest.records import Hit

    s = bikes.searcher
    order = ["第一条", "第五条", "第四条", "第二条"]  # the rule (不得销售) ranked fourth
    hits = [Hit(s.by_id[f"{JX}#{a}"], "江西省电动自行车管理条例", 1.0 - i / 10, (0, 1)) for i, a in enumerate(order)]
    draft = _compose_yesno(s, s.understand("江西可以销售不符合强制性国家标准的电动自行车吗？"), hits)
    assert [e.clause.id for e in draft.grounds] == [f"{JX}#第二条"]
    assert [e.quote for e in draft.grounds] == ["对不符合强制性国家标准的电动自行车，销售者不得销售。"]
