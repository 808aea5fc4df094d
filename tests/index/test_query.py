"""Scope of a question: documents named by title, regions, regions no document covers, versions."""

from __future__ import annotations

import pytest

from index.query import Catalogue, issuer_names
from index.search import article_asked
from ingest.records import Document


def doc(doc_id: str, title: str, region: str, version: str, issuer: str | None = None) -> Document:
    return Document(id=doc_id, title=title, source=f"{doc_id}.md", sha="", text="", format="md", encoding="utf-8",
                    region=region, version_date=version, issuer=issuer)


# The question's words as the tokenizer gives them, for the questions that name a city or district.
WORDS = {
    "杭州的快递小哥被罚多少": ("杭州", "的", "快递", "小哥", "被", "罚", "多少"),
    "余杭区 快递 末端网点": ("余杭区", "快递", "末端", "网点"),
    "成都的快递企业有什么扶持": ("成都", "的", "快递企业", "有", "什么", "扶持"),
}


def _docs() -> list[Document]:
    return [
        doc("gd", "广东省优化营商环境条例", "广东省", "2022-06-01", "广东省人民代表大会常务委员会"),
        doc("cn", "优化营商环境条例", "全国", "2019-10-22", "国务院"),
        doc("zj", "浙江省快递业促进条例", "浙江省", "2021-09-30"),
        doc("kd", "快递暂行条例", "全国", "2019-03-02"),
        doc("pay2020", "保障中小企业款项支付条例", "全国", "2020-07-05"),
        doc("pay2025", "保障中小企业款项支付条例", "全国", "2025-03-17"),
        doc("sh", "上海市数据条例", "上海市", "2021-11-25"),
        doc("sz", "深圳经济特区数据条例", "深圳市", "2021-07-06"),
    ]


@pytest.fixture(scope="module")
def catalogue():
    docs = _docs()
    return Catalogue({d.id: d for d in docs}, {d.id: d.region for d in docs})


@pytest.mark.parametrize(
    "question, docs, boosted, named, missing, versions",
    [
        # a region: its documents first, national ones still apply, never another region's
        ("广东这边政务服务有什么规定", {"gd", "cn", "kd", "pay2025"}, {"gd"}, ("广东",), (), False),
        ("浙江省的快递末端网点要备案吗", {"zj", "cn", "kd", "pay2025"}, {"zj"}, ("浙江省",), (), False),
        # a document by its name
        ("快递暂行条例第二十条讲了什么", {"kd"}, set(), ("快递暂行条例",), (), False),
        # the issuer written before the name is part of naming it, not of what is asked
        ("国务院优化营商环境条例对税务局提了哪些要求", {"cn"}, set(), ("优化营商环境条例", "国务院"), (), False),
        ("广东人大常委会的广东营商环境条例里说的容缺受理", {"gd"}, set(), ("广东营商环境条例", "广东人大常委会"), (),
         False),
        # a region no document covers is named back in the user's word
        ("四川的快递企业有什么扶持", None, set(), (), ("四川",), False),
        # versions: the one in force unless the question is about versions; a year picks its version
        ("保障中小企业款项支付条例规定多少天内付款", {"pay2025"}, set(), ("保障中小企业款项支付条例",), (), False),
        ("2020年版保障中小企业款项支付条例怎么规定付款期限", {"pay2020"}, set(), ("保障中小企业款项支付条例", "2020年版"), (), True),  # the version named too
        ("保障中小企业款项支付条例2025年修订后有什么变化", {"pay2020", "pay2025"}, set(), ("保障中小企业款项支付条例",), (), True),
        ("平台企业有哪些税收优惠", None, set(), (), (), False),
        # a title shortened as people shorten it: the titles it shortens best, never "本条例"
        ("广东营商环境条例里说的容缺受理是什么意思", {"gd"}, set(), ("广东营商环境条例",), (), False),
        ("浙江快递条例对末端网点怎么规定", {"zj"}, set(), ("浙江快递条例",), (), False),
        ("款项支付条例规定多少天内付款", {"pay2025"}, set(), ("款项支付条例",), (), False),
        ("本条例第三条讲了什么", None, set(), (), (), False),
        # a document by title and another by its title shortened: both in scope
        ("快递投诉时限，浙江条例和快递暂行条例一样吗", {"kd", "zj"}, set(), ("快递暂行条例", "浙江条例"), (), False),
        ("上海数据条例和深圳数据条例是不是同一天施行的", {"sh", "sz"}, set(), ("上海数据条例", "深圳数据条例"), (), False),
        # a document by title and a region's documents, both asked about: both in scope, both boosted
        ("快递暂行条例和浙江的规定对投诉时限一样吗", {"kd", "zj"}, {"kd", "zj"}, ("快递暂行条例", "浙江"), (), False),
        # a name that is also the end of the region's title, said once beside the region: the region's document
        ("广东那部优化营商环境条例一共写到第几条", {"gd"}, {"gd"}, ("优化营商环境条例", "广东"), (), False),
        # said twice, the national one with its issuer: both
        ("国务院的优化营商环境条例和广东省的优化营商环境条例各自哪天施行", {"cn", "gd"}, {"cn", "gd"},
         ("优化营商环境条例", "国务院", "广东省"), (), False),
        # a city or district routes to the documents of the region it lies in
        ("杭州的快递小哥被罚多少", {"zj", "cn", "kd", "pay2025"}, {"zj"}, ("杭州",), (), False),
        ("余杭区 快递 末端网点", {"zj", "cn", "kd", "pay2025"}, {"zj"}, ("余杭区",), (), False),
        # a city of a region no document covers is scope, not topic: named, nothing routed, not refused
        ("成都的快递企业有什么扶持", None, set(), ("成都",), (), False),
    ],
)
def test_scope(catalogue, question, docs, boosted, named, missing, versions):
    s = catalogue.scope(question, WORDS.get(question, ()))
    assert (set(s.docs) if s.docs is not None else None) == docs
    assert set(s.boosted) == boosted
    assert s.named == named
    assert s.missing == missing
    assert s.versions == versions


def test_issuer_names():
    assert issuer_names("国务院") == ("国务院",)
    assert issuer_names("上海市人民代表大会常务委员会", "上海市") == (
        "上海市人民代表大会常务委员会", "上海市人大常委会", "上海人民代表大会常务委员会", "上海人大常委会")
    assert issuer_names(None) == ()


def test_superseded_versions_and_labels(catalogue):
    assert catalogue.superseded == {"pay2020"}
    assert catalogue.version_info["pay2025"].label == "2025年3月17日修订版"


@pytest.mark.parametrize(
    "question, label, paragraph, item",
    [
        ("快递暂行条例第20条讲了什么", "第二十条", None, None),
        ("民法典第一千一百六十五条", "第一千一百六十五条", None, None),
        ("第十四条第二款第（二）项是什么", "第十四条", 2, "（二）"),
        ("平台企业有哪些税收优惠", None, None, None),
        ("旧版第十四条是不是只讲了应收账款确权？", "第十四条", None, None),
        ("那第三条呢", "第三条", None, None),
        # the second of the messages sent, not an article
        ("上午发了一条派件短信，11点又发了一条，发完第二条要等多久？", None, None, None),
    ],
)
def test_article_asked_by_number(question, label, paragraph, item):
    ref = article_asked(question)
    if label:
        assert (ref.article, ref.paragraph, ref.item) == (label, paragraph, item)
    else:
        assert ref is None


def test_another_regions_document_named_by_title_is_absent(catalogue):
    scope = catalogue.scope("江苏省快递业促进条例什么时候施行")
    # not 浙江省快递业促进条例 shortened: the province written before the title is not its own
    assert scope.absent == ("江苏省快递业促进条例",) and scope.missing == ("江苏省",)
    assert catalogue.scope("浙江快递条例什么时候施行").absent == ()


def test_a_region_with_documents_but_none_of_the_name_asked_is_absent_in_the_users_words(catalogue):
    # 广东 has a document, but no 快递条例: not the national 快递暂行条例, nor 浙江's; the refusal
    # quotes "广东省的快递条例" as typed, with its 的
    scope = catalogue.scope("广东省的快递条例对快递三轮车有什么规定")
    assert scope.absent == ("广东省的快递条例",) and scope.missing == ()
    # 浙江 has one: its own, not the national one shortened alike
    zhejiang = catalogue.scope("浙江的快递条例怎么管三轮车")
    assert zhejiang.absent == () and zhejiang.docs == frozenset({"zj"})
    shanghai = catalogue.scope("上海的数据条例")
    assert shanghai.absent == () and shanghai.docs == frozenset({"sh"})


def test_the_document_pointed_at_is_the_only_one_of_its_corpus(catalogue):
    one = doc("js", "省政府关于加快互联网平台经济发展的指导意见", "全国", "")
    alone = Catalogue({one.id: one}, {one.id: one.region})
    scope = alone.scope("这个文件是哪年发布的")
    assert scope.docs == frozenset({"js"}) and scope.named == ("这个文件",)
    assert alone.scope("这份意见一共有多少条").docs == frozenset({"js"})
    assert alone.scope("平台企业有什么扶持").docs is None  # nothing pointed at: the open corpus
    # among several documents "这个条例" points at none of them by itself
    assert catalogue.scope("这个条例什么时候施行").docs is None


def test_a_shortened_title_with_its_issuer_before_it_is_that_issuers_document(catalogue):
    # 营商环境条例 shortens both titles; 国务院 said before it names the national one
    assert catalogue.scope("国务院的营商环境条例要求政府集中公布政策吗").docs == frozenset({"cn"})
    assert catalogue.scope("营商环境条例要求政府集中公布政策吗").docs == frozenset({"cn", "gd"})


def test_difference_words_ask_about_versions_only_of_a_document_that_has_several(catalogue):
    assert catalogue.scope("国务院营商环境条例允许这样区别对待吗").versions is False
    assert catalogue.scope("上海市数据条例和深圳经济特区数据条例有什么区别").versions is False
    assert catalogue.scope("保障中小企业款项支付条例新旧版本有什么区别").versions is True
    assert catalogue.scope("新旧版本有什么区别").versions is True  # no document named: any may have versions


def test_a_document_pointed_at_by_its_kind_is_the_only_one_of_that_kind():
    docs = [*_docs(), doc("js", "省政府关于加快互联网平台经济发展的指导意见", "江苏省", "")]
    both = Catalogue({d.id: d for d in docs}, {d.id: d.region for d in docs})
    s = both.scope("该意见什么时候施行", ())
    assert (set(s.docs), s.named) == ({"js"}, ("该意见",))
    # one of eight 条例: no document is meant, none chosen
    assert both.scope("这个条例是谁通过的", ()).docs is None
