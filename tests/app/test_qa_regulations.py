"""Answers over regulations the code has never seen (written here): articles 第X条 without a task
table, a question naming a region, a region no document covers, Chinese-numeral amounts, the body
responsible from a duty sentence, an article asked for by number."""

from __future__ import annotations

import pytest

from app.qa import answer_question
from app.service import Service
from app.settings import Settings

JIANGXI = """# 江西省快递服务条例

2023年5月30日 江西省第十四届人民代表大会常务委员会第三次会议通过

<!-- INFO END -->

## 第一章 总则

第一条 为了规范快递服务，保护用户合法权益，制定本条例。

第二条 省邮政管理机构负责本省快递业的监督管理工作。县级以上人民政府商务主管部门负责快递业发展的促进工作。

## 第二章 经营规范

第三条 快递企业设立末端网点的，应当自开办之日起二十日内向所在地邮政管理机构备案。

第四条 快递企业不得有下列行为：

（一）私自开拆快件；

（二）泄露用户信息；

（三）擅自丢弃快件。

## 第三章 法律责任

第五条 快递企业违反本条例第三条规定，未备案的，由邮政管理机构责令改正，处一万元以上五万元以下罚款；情节严重的，处五万元以上十万元以下罚款。

第六条 本条例自2023年9月1日起施行。
"""

NATIONAL = """# 数据服务暂行条例

2022年1月10日 国务院令第800号公布

<!-- INFO END -->

第一条 为了促进数据服务发展，制定本条例。

第二条 国务院数据主管部门负责全国数据服务的监督管理工作。

第三条 数据服务提供者应当每三个月向主管部门报告一次服务情况。
"""


@pytest.fixture
def regulations(tmp_path, data_dir, fake_embedder):
    corpus = tmp_path / "regs"
    corpus.mkdir()
    (corpus / "江西省快递服务条例(2023-05-30).md").write_text(JIANGXI, encoding="utf-8")
    (corpus / "数据服务暂行条例(2022-01-10).md").write_text(NATIONAL, encoding="utf-8")
    svc = Service(Settings(corpus_dir=corpus, data_dir=data_dir), embedder=fake_embedder)
    svc.ingest([corpus])
    return svc


JX = "江西省快递服务条例(2023-05-30)"


def ask(svc, q):
    return answer_question(svc.searcher, q)


def test_an_article_asked_for_by_number_is_quoted_whole(regulations):
    a = ask(regulations, "江西省快递服务条例第4条讲了什么？")
    assert a.answered and a.kind == "locate"
    assert [c.clause.id for c in a.citations] == [f"{JX}#第四条"]
    assert a.citations[0].quote.startswith("第四条 快递企业不得有下列行为：")
    assert "（三）擅自丢弃快件。" in a.citations[0].quote


def test_a_chinese_numeral_amount_answers_a_fine_question_in_the_named_region(regulations):
    a = ask(regulations, "在江西开快递网点没备案，罚多少钱？")
    assert a.answered and a.kind == "figure"
    assert a.answer.startswith("第五条 快递企业违反本条例第三条规定，未备案的，由邮政管理机构责令改正，处一万元以上五万元以下罚款；")
    assert [c.clause.id for c in a.citations][0] == f"{JX}#第五条"


def test_who_is_responsible_comes_from_the_duty_sentence(regulations):
    a = ask(regulations, "江西的快递监督管理归哪个部门管？")
    assert a.answered and a.kind == "department"
    assert a.answer.startswith("第二条 省邮政管理机构负责本省快递业的监督管理工作。")
    assert a.citations[0].clause.id == f"{JX}#第二条"


def test_a_region_no_document_covers_is_refused_in_the_users_word(regulations):
    a = ask(regulations, "四川的快递网点要不要备案？")
    assert not a.answered
    assert a.answer == "文件中没有找到能回答这个问题的规定（知识库中没有关于“四川”的文件）。以下是最接近的条款，供您核对。"


def test_effective_date_and_period(regulations):
    a = ask(regulations, "江西省快递服务条例什么时候开始施行？")
    assert a.answered and "本条例自2023年9月1日起施行。" in a.answer
    b = ask(regulations, "数据服务提供者多久报告一次？")
    assert b.answered and "每三个月向主管部门报告一次服务情况" in b.answer


def test_a_list_question_gets_the_whole_enumeration(regulations):
    a = ask(regulations, "快递企业有哪些行为是禁止的？")
    assert a.answered and a.kind == "list"
    assert [c.clause.id for c in a.citations] == [f"{JX}#第四条", f"{JX}#第四条.（一）", f"{JX}#第四条.（二）", f"{JX}#第四条.（三）"]
