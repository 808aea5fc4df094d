"""Penalty questions over a regulation the code has never seen (written here): the offence is worded
in an item of the list a penalty leads into, or in the provision a penalty cites, not in the sentence
that punishes it; a contraction the question uses (小微企业) that the text writes out; and a duty of
bodies listed with one suffix ("工业和信息化、地方金融监管等有关部门应当…")."""

from __future__ import annotations

import pytest

from app.qa import answer_question
from app.service import Service
from app.settings import Settings

PAYMENTS = """# 某省中小企业款项支付条例

<!-- INFO END -->

第一条 为了保障中小企业款项及时支付，制定本条例。

第二条 机关、事业单位从中小企业采购货物，应当自货物交付之日起三十日内支付款项。

第三条 快递员驾驶电动三轮车，应当遵守下列规定：

（一）不得载人；

（二）佩戴安全头盔。

第四条 国家对小型微型企业实行税收优惠，减轻小型微型企业负担。小型微型企业享受的优惠由税务机关公布。

第五条 机关、事业单位违反本条例，有下列情形之一的，由其上级机关责令改正；拒不改正的，对负有责任的领导人员依法给予处分：

（一）未在规定的期限内支付中小企业款项；

（二）拖延检验、验收。

第六条 违反本条例第三条第二项规定的，由公安机关交通管理部门责令改正，可以处二十元以上五十元以下罚款。

第七条 国有大型企业拖欠中小企业款项，造成不良后果的，对负有责任的管理人员依法给予处分。

第八条 县级以上人民政府及其工业和信息化、地方金融监管等有关部门应当加强企业上市指导。

第九条 省工业和信息化部门负责全省中小企业促进工作的综合管理。
"""
DOC = "某省中小企业款项支付条例(2024-01-01)"


@pytest.fixture
def payments(tmp_path, data_dir, fake_embedder):
    corpus = tmp_path / "regs"
    corpus.mkdir()
    (corpus / f"{DOC}.md").write_text(PAYMENTS, encoding="utf-8")
    svc = Service(Settings(corpus_dir=corpus, data_dir=data_dir), embedder=fake_embedder)
    svc.ingest([corpus])
    return svc


def test_a_penalty_question_ranks_only_the_clauses_that_punish_and_the_items_they_punish(payments):
    s = payments.searcher
    q = s.understand("机关单位拖欠中小企业款项怎么处罚")
    # 第二条 shares more of the question's words than any of them, but punishes nothing
    assert s.penalty_ranking(q, s.searchable).ids == [f"{DOC}#第七条", f"{DOC}#第五条.（一）", f"{DOC}#第五条"]
    assert "penalty" not in retrievers_of(s, "机关单位拖欠中小企业款项怎么支付")
    # a penalty told in the story is not asked: "…已经罚了它。我的损失还能要它赔吗？" asks for damages
    assert "penalty" not in retrievers_of(s, "快递公司把我的货弄坏了，邮政局已经罚了它。我的损失还能要它赔吗？")
    assert "penalty" in retrievers_of(s, "快递公司把我的货弄坏了。邮政局会罚它多少钱？")


def retrievers_of(searcher, question: str) -> set[str]:
    from index.search import RETRIEVERS

    q = searcher.understand(question)
    return {name for name, applies in RETRIEVERS if applies(q)}


def test_the_penalty_ranking_reads_a_penalty_by_the_provision_it_cites(payments):
    s = payments.searcher
    q = s.understand("快递员骑三轮车没戴头盔罚多少钱")
    ranked = s.penalty_ranking(q, s.searchable)
    assert ranked.ids[0] == f"{DOC}#第六条"  # its own words say nothing of a 头盔; 第三条（二） does


def test_a_penalty_of_a_listed_offence_is_quoted_whole_with_the_item_asked_about(payments):
    a = answer_question(payments.searcher, "机关单位拖欠中小企业款项怎么处罚")
    assert a.answered
    lines = a.answer.splitlines()
    assert lines[0] == ("《某省中小企业款项支付条例》第五条：机关、事业单位违反本条例，有下列情形之一的，由其上级机关责令改正；"
                        "拒不改正的，对负有责任的领导人员依法给予处分：[1]")
    assert lines[1] == "（一）未在规定的期限内支付中小企业款项；[2]"
    assert [c.clause.id for c in a.citations[:2]] == [f"{DOC}#第五条", f"{DOC}#第五条"]


def test_a_fine_for_breaking_a_cited_item_is_answered_with_that_item(payments):
    a = answer_question(payments.searcher, "快递员骑三轮车没戴头盔罚多少钱")
    assert a.answered
    assert "违反本条例第三条第二项规定的，由公安机关交通管理部门责令改正，可以处二十元以上五十元以下罚款。" in a.answer
    assert f"{DOC}#第六条" in [c.clause.id for c in a.citations]


def test_a_contraction_the_text_writes_out_is_learnt_as_another_name(payments):
    s = payments.searcher
    assert s.expansions("小微企业") == ("小型微型企业",)
    assert "小型微型企业" in s.tokenizer.names_of("小微企业")
    q = s.understand("小微企业有什么税收优惠")
    assert {"小型", "微型"} <= set(q.tokens)
    assert s.search(q, k=1)[0].clause.id == f"{DOC}#第四条"


def test_a_word_the_text_says_as_it_is_is_not_taken_for_a_contraction(payments):
    s = payments.searcher
    assert s.expansions("中小企业") == ()  # the text says 中小企业 itself
    assert s.expansions("大数据库") == ()  # the corpus has no word 数据库 to end it


def test_a_duty_of_bodies_listed_with_one_suffix_is_each_of_theirs(payments):
    # 第九条 names the body in full (a corpus that never does cannot tell 工信厅 is one of its bodies:
    # the question is refused for a word the documents do not say); the duty asked about is 第八条's
    a = answer_question(payments.searcher, "工信厅在企业上市这件事上要做什么？")
    assert a.answered
    assert a.answer == "《某省中小企业款项支付条例》第八条：县级以上人民政府及其工业和信息化、地方金融监管等有关部门应当加强企业上市指导。[1]"


DATA = """# 某市数据条例

<!-- INFO END -->

第一条 为了规范数据处理活动，制定本条例。

第二条 本条例中下列用语的含义：

（一）个人数据，是指载有可识别特定自然人信息的数据。

（二）数据处理，是指数据的收集、存储、使用、加工等活动。

第三条 市场主体不得实施下列行为：

（一）使用非法手段获取其他市场主体的数据；

（二）利用非法收集的其他市场主体数据提供替代性产品或者服务。

第四条 违反本条例第三条规定的，由市场监督管理部门责令改正；拒不改正的，处五万元以上五十万元以下罚款。

第五条 违反本条例规定处理个人数据的，依照个人信息保护有关法律、法规规定处罚。
"""


def test_a_fine_for_another_offence_is_not_given_for_a_term_the_law_defines(tmp_path, data_dir, fake_embedder):
    corpus = tmp_path / "data-reg"
    corpus.mkdir()
    (corpus / "某市数据条例(2024-01-01).md").write_text(DATA, encoding="utf-8")
    svc = Service(Settings(corpus_dir=corpus, data_dir=data_dir), embedder=fake_embedder)
    svc.ingest([corpus])
    q = svc.searcher.understand("非法收集个人数据罚多少")
    # 个人数据 is a term the law defines in its list of terms: one word, what the question is about
    assert "个人数据" in q.salient
    a = answer_question(svc.searcher, "非法收集个人数据罚多少")
    # 第四条's fine is for other firms' data (第三条); 第五条, on 个人数据, names no amount
    assert (a.answered, a.answer.split("）")[0]) == (False, "文件中没有找到能回答这个问题的规定（文件没有写明具体金额")
    assert a.related[0].clause.id == "某市数据条例(2024-01-01)#第五条"
