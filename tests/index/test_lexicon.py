"""The lexicon a corpus teaches: bodies, terms, enterprises and regions from a policy the code has
never seen; and the general tables of other names of bodies."""

from __future__ import annotations

import pytest

from index.lexicon import body_key, duty_bodies, equivalent_names, learn_lexicon, listed_bodies, partner_bodies, region_of
from ingest.records import Block, Document, ParsedDocument
from ingest.structure import split_clauses

UNSEEN = """海川市促进低空经济发展办法
第一条 为了促进低空经济（以下简称“低空产业”）发展，制定本办法。
第二条 本办法所称低空飞行器，是指在真高一千米以下空域飞行的航空器。
第三条 市交通运输局负责低空飞行服务保障工作。市应急管理局会同市公安局负责低空安全监管。
第四条 鼓励云翼科技、蓝鲸航空等本地企业开展物流配送示范。
第五条 县级以上人民政府低空经济主管部门应当按照职责做好统筹协调。
第六条 本办法中下列用语的含义：
（一）起降场，是指供低空飞行器起飞、降落的场地。
（二）飞行服务站，指为低空飞行提供计划申报和气象服务的机构。
第七条 空域协调，是指军地民航共同划设低空空域的工作。
"""


@pytest.fixture(scope="module")
def unseen():
    blocks = [Block("para", line) for line in UNSEEN.splitlines() if line]
    text, title, _, clauses = split_clauses("haichuan", blocks)
    doc = Document(id="haichuan", title=title, source="haichuan.txt", sha="", text=text, format="txt", encoding="utf-8")
    return ParsedDocument(doc, tuple(clauses))


def test_an_unseen_policy_teaches_its_bodies_terms_and_enterprises(unseen):
    lex = learn_lexicon([unseen])
    assert {"市交通运输局", "交通运输厅", "市应急管理局", "应急管理局", "市公安局"} <= set(lex.bodies)
    # the government level is no part of the name: learnt whole it would be one jieba word, and a
    # clause saying it would not be found by the department's own name
    assert "低空经济主管部门" in lex.bodies and "县级以上人民政府低空经济主管部门" not in lex.bodies
    assert {"低空产业", "低空飞行器"} <= set(lex.terms)
    # terms defined where an item or an article begins, as laws list them
    assert {"起降场", "飞行服务站", "空域协调"} <= set(lex.terms)
    assert set(lex.entities) == {"云翼科技", "蓝鲸航空"}
    assert lex.regions == {"haichuan": "海川市"}
    assert "低空飞行器" in lex.words


@pytest.mark.parametrize(
    "sentence, bodies",
    [
        ("县级以上地方人民政府商务主管部门负责本行政区域内的电子商务工作。", ["县级以上地方人民政府商务主管部门"]),
        ("由省商务厅负责审核。", ["省商务厅"]),
        ("省发展改革委会同省财政厅制定实施细则。", ["省发展改革委"]),
        ("企业应当依法纳税。", []),
        # a government body a rule tells what to do; 和 inside a body's name does not cut it
        ("经济和信息化部门应当推动中小企业数字化转型。", ["经济和信息化部门"]),
        ("人力资源和社会保障部门负责就业服务。", ["人力资源和社会保障部门"]),
        ("商务部门和市场监督管理部门负责监督检查。", ["市场监督管理部门"]),
        ("数据交易机构应当制定数据交易规则。", []),  # an agency's duty is not a department's
        ("各级人民政府应当加强领导。", []),
        # a duty handed on by 委托/授权, past a parenthesis of the place
        ("未设置派出机构的，设区的市邮政管理机构可以委托县（市、区）交通运输主管部门实施监督管理工作。",
         ["交通运输主管部门"]),
    ],
)
def test_duty_bodies(sentence, bodies):
    assert duty_bodies(sentence) == bodies


@pytest.mark.parametrize(
    "title, region",
    [
        ("广东省优化营商环境条例", "广东省"),
        ("深圳经济特区数据条例", "深圳市"),
        ("上海市数据条例", "上海市"),
        ("浙江省快递业促进条例", "浙江省"),
        ("中华人民共和国中小企业促进法", "全国"),
        ("快递暂行条例", "全国"),
        ("城市管理条例", "全国"),
    ],
)
def test_region_from_title(title, region):
    assert region_of(title) == region


def test_renamed_bodies_are_one_body_both_ways():
    assert body_key("市场监管局") == body_key("工商局") == body_key("江苏省市场监督管理局") == "市场监督管理局"
    assert body_key("省发改委") == body_key("发展和改革委员会") == "发展改革委"
    assert equivalent_names("工信厅")[:2] == ("工信厅", "工业和信息化厅")
    assert body_key("县级以上地方人民政府商务主管部门") == "县级以上地方人民政府商务主管部门"


def test_a_competent_department_is_the_department_of_its_field():
    # laws write 自然资源主管部门 where a user says 自然资源部门 or 自然资源厅
    assert body_key("自然资源主管部门") == body_key("自然资源部门") == body_key("自然资源厅") == "自然资源厅"
    assert body_key("住房城乡建设主管部门") == body_key("住建厅") == "住房城乡建设厅"
    assert body_key("交通运输行政主管部门") == body_key("交通运输厅") == "交通运输厅"
    assert body_key("公共数据主管部门") == "公共数据主管部门"  # a field no table knows keeps its name


def test_a_local_text_whose_title_omits_the_place_takes_the_province_it_names():
    from index.lexicon import region_of_document

    text = "各市人民政府：为推动浙江数字贸易发展，打造浙江品牌，支持浙江企业走出去，全省各地要抓好落实。"
    assert region_of_document("省政府关于推进数字贸易的意见", text) == "浙江省"
    assert region_of_document("国务院关于推进数字贸易的意见", "支持浙江、江苏等地先行先试。") == "全国"


@pytest.mark.parametrize(
    "sentence, bodies",
    [
        ("邮政管理机构应当会同商务、发展改革、海关、外汇管理等部门，建立快件跨境协作机制",
         ["商务部门", "发展改革部门", "海关", "外汇管理部门"]),
        ("市场监督管理部门应当配合公安机关查处违法行为", ["公安机关"]),
        # a list ends at its clause: what follows the comma is not one of the partners
        ("县级以上人民政府应当会同乡镇人民政府、街道办事处，对农业经营主体给予支持", []),
        ("由省商务厅负责审核", []),
    ],
)
def test_partner_bodies(sentence, bodies):
    assert partner_bodies(sentence) == bodies


@pytest.mark.parametrize(
    "sentence, bodies",
    [
        ("邮政管理机构应当会同商务、发展改革、海关、外汇管理等部门，建立快件跨境协作机制",
         ["商务部门", "发展改革部门", "外汇管理部门"]),  # 海关 is a body's name already
        ("县级以上人民政府发展改革、财政、商务等部门应当加强协调", ["县级以上人民政府发展改革部门", "财政部门", "商务部门"]),
        ("市场监督管理部门负责监督检查", []),
        # the 和 inside a body's name does not end the words before the list; 有关 before the suffix
        ("县级以上人民政府及其工业和信息化、地方金融监管等有关部门应当加强企业上市指导",
         ["工业和信息化部门", "地方金融监管部门"]),
        # one body named with the others left out: "知识产权等部门", its government level not part of it
        ("第五十三条 知识产权等部门应当执行数据知识产权保护规则", ["知识产权部门"]),
        ("县级以上地方人民政府及其知识产权等部门应当加强指导", ["知识产权部门"]),
        ("县级以上人民政府发展改革等有关部门应当加强协调", ["发展改革部门"]),
    ],
)
def test_listed_bodies(sentence, bodies):
    assert listed_bodies(sentence) == bodies


def _parsed(doc_id: str, text: str) -> ParsedDocument:
    blocks = [Block("para", line) for line in text.splitlines() if line]
    body, title, _, clauses = split_clauses(doc_id, blocks)
    doc = Document(id=doc_id, title=title, source=f"{doc_id}.txt", sha="", text=body, format="txt", encoding="utf-8")
    return ParsedDocument(doc, tuple(clauses))


POST = """海川市寄递管理办法
第一条 任何单位不得利用信函、包件、画册以及其他寄递物品（以下统称邮件）从事违法活动。
第二条 邮件丢失的，由寄递企业赔偿。
第三条 供水、供电等提供公共服务的组织（以下统称公共服务单位）应当予以配合。
第四条 国家机关、事业单位和社会团体（以下统称单位）应当遵守本办法。
"""
OTHERS = ["某某条例\n第一条 用人单位应当依法纳税。", "某某办法\n第一条 单位应当建立制度。", "某某规定\n第一条 单位不得拖欠。"]


def test_a_collective_name_is_learnt_with_its_listing_unless_the_corpus_says_it_everywhere():
    lex = learn_lexicon([_parsed("post", POST)] + [_parsed(f"o{i}", t) for i, t in enumerate(OTHERS)])
    # 单位 is said by four documents and defined by one: a word of the language, not this text's
    assert lex.collectives == {"公共服务单位": ["供水、供电等提供公共服务的组织"],
                               "邮件": ["任何单位不得利用信函、包件、画册以及其他寄递物品"]}
    assert learn_lexicon([_parsed("post", POST)]).to_json()["collectives"]["单位"] == ["国家机关、事业单位和社会团体"]
