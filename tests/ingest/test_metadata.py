"""Document metadata from the document's own text and file name: real law files and small inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.metadata import doc_type_of, front_matter_events, issuer_of, region_of, self_references
from ingest.pipeline import parse_document
from ingest.records import Document
from tests.conftest import ROOT

LAWS = ROOT / "tests" / "fixtures" / "laws"
FIELDS = ("title", "issuer", "number", "region", "doc_type", "adopted", "promulgated", "revised", "effective",
          "version_date", "date", "part")


def parse(name: str):
    path = LAWS / name
    return parse_document(path, path.read_bytes(), Path(name).stem, str(path)).document


@pytest.mark.parametrize(
    "name, expected",
    [
        ("快递暂行条例(2019-03-02).md",
         ("快递暂行条例", "国务院", "国务院令第697号", "全国", "条例", None, "2018-03-02", None, "2018-05-01",
          "2019-03-02", "2019-03-02", None)),
        ("保障中小企业款项支付条例(2020-07-05).md",  # no front matter at all: the file name and the text
         ("保障中小企业款项支付条例", None, None, "全国", "条例", None, None, None, "2020-09-01", "2020-07-05",
          "2020-07-05", None)),
        ("保障中小企业款项支付条例(2025-03-17).md",
         # first promulgated in 2020, this version is the 2025 revision
         ("保障中小企业款项支付条例", "国务院", "国务院令第802号", "全国", "条例", None, "2020-07-05", "2025-03-17",
          "2025-06-01", "2025-03-17", "2025-03-17", None)),
        ("民法典/婚姻家庭编.md",
         ("中华人民共和国民法典", "全国人民代表大会", None, "全国", "法", "2020-05-28", None, None, None, "2020-05-28",
          "2020-05-28", "婚姻家庭编")),
    ],
)
def test_metadata_of_real_laws(name, expected):
    doc = parse(name)
    assert tuple(getattr(doc, f) for f in FIELDS) == expected


def test_front_matter_events_of_one_line_with_several_dates():
    from ingest.structure import Line

    line = Line("2009年8月27日 第十一届全国人民代表大会常务委员会第十次会议通过  根据2015年4月24日第十二届全国人民"
                "代表大会常务委员会第十四次会议《关于修改〈中华人民共和国电力法〉等六部法律的决定》修正", 0, 0)
    events = front_matter_events([line, Line("2021年1月1日 施行", 0, 1), Line("（2018年3月2日国务院公告公布施行）", 0, 2)])
    assert [(e.kind, e.date) for e in events] == [
        ("adopted", "2009-08-27"), ("revised", "2015-04-24"), ("effective", "2021-01-01"),
        ("promulgated", "2018-03-02"), ("effective", "2018-03-02")]


@pytest.mark.parametrize(
    "segment, issuer",
    [
        ("第十三届全国人民代表大会常务委员会第三十一次会议通过", "全国人民代表大会常务委员会"),
        ("广东省第十三届人民代表大会常务委员会第四十三次会议通过", "广东省人民代表大会常务委员会"),
        ("国务院第66次常务会议通过", "国务院"),
        ("中华人民共和国国务院令第697号公布", "国务院"),
        ("最高人民法院审判委员会第1823次会议通过", "最高人民法院"),
        ("最高人民检察院第十三届检察委员会第二十八次会议通过", "最高人民检察院"),
        ("最高人民法院公告公布", "最高人民法院"),
        ("《国务院关于修改部分行政法规的决定》第二次修订", None),
        ("中华人民共和国国务院、中华人民共和国中央军事委员会第14号令发布", "国务院、中央军事委员会"),
        ("国家互联网信息办公室2021年第20次室务会议审议通过", "国家互联网信息办公室"),
        ("公安部部长办公会议通过", "公安部"),
    ],
)
def test_issuer_of_front_matter(segment, issuer):
    assert issuer_of(segment) == issuer


@pytest.mark.parametrize(
    "title, issuer, number, region",
    [
        ("广东省优化营商环境条例", "广东省人民代表大会常务委员会", None, "广东省"),
        ("深圳经济特区数据条例", "深圳市人民代表大会常务委员会", None, "深圳市"),
        ("上海市数据条例", None, None, "上海市"),
        ("杭州市城市国际化促进条例", "杭州市人民代表大会常务委员会", None, "杭州市"),
        ("中华人民共和国中小企业促进法", "全国人民代表大会常务委员会", None, "全国"),
        ("优化营商环境条例", "国务院", "国务院令第722号", "全国"),
        ("省商务厅关于促进跨境电商发展的通知", "江苏省商务厅", "苏商发〔2020〕12号", "江苏省"),
        ("省政府关于加快互联网平台经济发展的指导意见", "省政府", None, None),  # a province it never names
        ("国家市场监督管理总局关于某事的通知", "国家市场监督管理总局", None, "全国"),
    ],
)
def test_region(title, issuer, number, region):
    assert region_of(title, issuer, number, doc_type_of(title)) == region


@pytest.mark.parametrize(
    "title, doc_type",
    [("快递暂行条例", "条例"), ("中华人民共和国民法典", "法"), ("人民检察院刑事诉讼规则（试行）", "规则"),
     ("行政事业性收费标准管理办法", "办法"), ("省政府关于加快互联网平台经济发展的指导意见", "意见"),
     ("最高人民法院关于审理买卖合同纠纷案件适用法律问题的解释（二）", "解释"), ("刑法修正案（十一）", "修正案"),
     ("某某工作备忘", None)],
)
def test_doc_type_from_title_ending(title, doc_type):
    assert doc_type_of(title) == doc_type


def test_self_references():
    gd = Document("gd", "广东省优化营商环境条例", "s", "0", "", "md", "utf-8", region="广东省", doc_type="条例")
    assert self_references(gd) == {"本省": "广东省", "本行政区域": "广东省", "本条例": "广东省优化营商环境条例"}
    sz = Document("sz", "深圳经济特区数据条例", "s", "0", "", "md", "utf-8", region="深圳市", doc_type="条例")
    assert self_references(sz)["本市"] == "深圳市"
    assert self_references(parse("快递暂行条例(2019-03-02).md")) == {"本条例": "快递暂行条例"}
    assert self_references(parse("民法典/婚姻家庭编.md")) == {"本法": "中华人民共和国民法典",
                                                          "本编": "中华人民共和国民法典婚姻家庭编"}
