"""Answers over regulations the code has never seen (written here): articles 第X条 without a task
table, a question naming a region, a region no document covers, Chinese-numeral amounts, the body
responsible from a duty sentence, an article asked for by number."""

from __future__ import annotations

import pytest

from app.citations import Evidence
from app.qa import VAGUE_REPLY, Conversation, Draft, answer_question, assess, grounds, hard_problem, resolve
from app.service import Service
from app.settings import Settings
from tests.app.conftest import ingest_texts

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
    # the whole article; its text follows the label the line names already ("见《…》第四条：")
    assert a.citations[0].quote.startswith("第四条 快递企业不得有下列行为：") and "第四条：快递企业" in a.answer
    assert "（三）擅自丢弃快件。" in a.citations[0].quote


def test_a_chinese_numeral_amount_answers_a_fine_question_in_the_named_region(regulations):
    a = ask(regulations, "在江西开快递网点没备案，罚多少钱？")
    assert a.answered and a.kind == "figure"
    assert a.answer.startswith("《江西省快递服务条例》第五条：快递企业违反本条例第三条规定，未备案的，由邮政管理机构责令改正，处一万元以上五万元以下罚款；")
    assert [c.clause.id for c in a.citations][0] == f"{JX}#第五条"


def test_who_is_responsible_comes_from_the_duty_sentence(regulations):
    a = ask(regulations, "江西的快递监督管理归哪个部门管？")
    assert a.answered and a.kind == "department"
    assert a.answer.startswith("《江西省快递服务条例》第二条：省邮政管理机构负责本省快递业的监督管理工作。")
    assert a.citations[0].clause.id == f"{JX}#第二条"


def test_a_region_no_document_covers_is_refused_in_the_users_word(regulations):
    a = ask(regulations, "四川的快递网点要不要备案？")
    assert not a.answered
    assert a.answer == "文件中没有找到能回答这个问题的规定（知识库中没有关于“四川”的文件）。以下是最接近的条款，供您核对。"


def test_effective_date_and_period(regulations):
    a = ask(regulations, "江西省快递服务条例什么时候开始施行？")
    assert (a.answer, a.citations[0].quote) == ("《江西省快递服务条例》自2023年9月1日起施行。[1]", "第六条 本条例自2023年9月1日起施行。")
    # the head note's date of adoption, cited from its line
    adopted = ask(regulations, "江西的快递条例是哪一年通过的？")
    assert (adopted.kind, adopted.answer) == ("dated", "《江西省快递服务条例》于2023年5月30日通过。[1]")
    assert adopted.citations[0].quote == "2023年5月30日 江西省第十四届人民代表大会常务委员会第三次会议通过"
    b = ask(regulations, "数据服务提供者多久报告一次？")
    assert b.answered and "每三个月向主管部门报告一次服务情况" in b.answer


def test_who_issued_a_regulation_is_its_head_notes_enacting_body(regulations):
    a = ask(regulations, "江西快递服务条例是哪个机关通过的？")
    assert (a.kind, a.answer) == ("issuer", "《江西省快递服务条例》由江西省人民代表大会常务委员会通过：2023年5月30日 "
                                            "江西省第十四届人民代表大会常务委员会第三次会议通过[1]")
    assert a.citations[0].quote == "2023年5月30日 江西省第十四届人民代表大会常务委员会第三次会议通过"
    assert ask(regulations, "江西的快递条例是谁制定的？").answer == a.answer


def test_a_follow_up_asks_its_own_question_of_the_documents_the_conversation_is_about(regulations):
    s, conv = regulations.searcher, Conversation()

    def turn(q):
        a = answer_question(s, q, conv)
        conv.add(q, a)
        return a

    turn("数据服务提供者多久报告一次？")
    # a question that names its document is about that one, not the last answer's
    assert resolve("这个江西省快递服务条例是谁通过的？", conv, s).follow_up is False
    assert turn("这个江西省快递服务条例是谁通过的？").kind == "issuer"
    # "它" asks of that document; what is asked comes from the follow-up's own words (a date, not an issuer)
    when = turn("那它什么时候开始施行的？")
    assert (when.kind, when.answer) == ("dated", "《江西省快递服务条例》自2023年9月1日起施行。[1]")
    # the next follow-up carries the document, not every question before it
    fine = resolve("那它未备案罚多少？", conv, s)
    assert (fine.query, fine.asking) == ("江西省快递服务条例 那它什么时候开始施行的？ 那它未备案罚多少？", "那它未备案罚多少？")
    assert "一万元以上五万元以下罚款" in turn("那它未备案罚多少？").answer
    # "那…呢" naming another document asks the same of that one
    assert resolve("那数据服务暂行条例呢？", conv, s).query == "数据服务暂行条例 那它未备案罚多少?"
    # …or names it by its region and kind
    other = Conversation()
    other.add("数据服务暂行条例由哪个部门负责？", answer_question(s, "数据服务暂行条例由哪个部门负责？"))
    assert resolve("那江西的条例呢？", other, s).query == "江西的条例由哪个部门负责?"


def test_a_document_pointed_at_before_any_is_named_is_asked_for(regulations):
    # two documents, no conversation yet: "它" is not guessed
    a = ask(regulations, "它什么时候施行？")
    assert (a.answered, a.citations, a.answer) == (
        False, (), "“它”指的是哪份文件？请在问题中写明文件名称，例如“《江西省快递服务条例》什么时候施行”。")
    assert ask(regulations, "该条例罚多少？").answer.startswith("“该条例”指的是哪份文件？")
    # a 它 after the document's name points at it: no question back
    assert "指的是哪份文件" not in ask(regulations, "江西省快递服务条例什么时候施行？它罚多少？").answer
    # nothing to look up at all
    vague = ask(regulations, "那个啥")
    assert (vague.answered, vague.citations, vague.answer) == (False, (), VAGUE_REPLY)


def test_a_negation_glued_to_a_verb_is_said_by_the_rule_that_writes_them_apart(regulations):
    # "未备案": the rule says "未备案的" here, "未…备案" elsewhere; either way not a word the corpus lacks
    assert regulations.searcher.tokenizer.names_of("未备案") == ("未备案", "备案")
    assert regulations.searcher.tokenizer.names_of("未成年人") == ("未成年人",)  # a word of its own


def test_a_date_the_head_note_does_not_state_names_the_dates_it_does(regulations):
    a = ask(regulations, "江西省快递服务条例是哪天公布的？")
    assert (a.answered, a.answer.split("。")[0]) == (
        False, "文件中没有找到能回答这个问题的规定（《江西省快递服务条例》的正文没有写明公布日期，只写明于2023年5月30日通过、"
               "于2023年9月1日施行）")


def test_a_list_question_gets_the_whole_enumeration(regulations):
    a = ask(regulations, "快递企业有哪些行为是禁止的？")
    assert a.answered and a.kind == "list"
    assert [c.clause.id for c in a.citations] == [f"{JX}#第四条", f"{JX}#第四条.（一）", f"{JX}#第四条.（二）", f"{JX}#第四条.（三）"]


ANHUI = """# 安徽省快递车辆管理条例

2024年1月10日 安徽省第十四届人民代表大会常务委员会第六次会议通过

<!-- INFO END -->

## 第一章 总则

第一条 为了规范快递车辆管理，制定本条例。

第二条 快递专用电动三轮车应当符合下列条件：

（一）设计最高时速不超过二十公里；

（二）整车质量不超过一百五十千克。

## 第二章 经营规范

第三条 快件收派人员驾驶快递专用电动三轮车，应当遵守下列规定：

（一）按照规定使用实时定位监控装置；

（二）佩戴安全头盔；

（三）不得载人。

第四条 快递企业应当自接到投诉之日起七日内处理投诉。

第五条 快递企业不得低于成本价格提供快递服务。

第六条 快递企业应当公示收费标准。快递企业可以自主确定收费标准。

第七条 快递企业的企业所得税税率为百分之十五。

## 第三章 法律责任

第八条 违反本条例第三条第一项规定的，由邮政管理机构责令限期改正；逾期不改正的，对快递企业处二百元以上二千元以下罚款。

违反本条例第三条第二项规定的，由公安机关交通管理部门责令改正，对快件收派人员可以处二十元以上五十元以下罚款。

第九条 快递企业违反本条例第四条规定，未按规定时限处理投诉的，由邮政管理机构责令限期改正，可以处一千元以下罚款；逾期未改正的，处一千元以上一万元以下罚款。

第十条 本条例自2024年3月1日起施行。《安徽省快递车辆暂行办法》同时废止。
"""
AH = "安徽省快递车辆管理条例(2024-01-10)"


@pytest.fixture
def anhui(tmp_path, data_dir, fake_embedder):
    return ingest_texts(tmp_path / "anhui", data_dir, fake_embedder, {f"{AH}.md": ANHUI})


def lines(svc, q):
    return [text for text, _ in assess(svc.searcher, q).draft.lines]


def test_a_penalty_that_names_the_rule_only_by_article_is_quoted_with_that_rule(anhui):
    a = ask(anhui, "在安徽，快件收派人员不佩戴安全头盔，罚多少钱？")
    assert a.answered and a.kind == "figure"
    # The item is quoted with the sentence that leads into it, then the penalty that cites it.
    assert a.answer == ("《安徽省快递车辆管理条例》第三条：快件收派人员驾驶快递专用电动三轮车，应当遵守下列规定：[1]\n"
                        "（二）佩戴安全头盔；[2]\n"
                        "《安徽省快递车辆管理条例》第八条：违反本条例第三条第二项规定的，由公安机关交通管理部门责令改正，"
                        "对快件收派人员可以处二十元以上五十元以下罚款。[3]")
    assert [c.clause.id for c in a.citations] == [f"{AH}#第三条", f"{AH}#第三条.（二）", f"{AH}#第八条"]


def test_a_graded_tier_asked_in_other_words_is_quoted_beside_its_base(anhui):
    a = ask(anhui, "安徽快递企业没按时处理投诉，罚多少？逾期还不改呢？")  # 逾期还不改 = 逾期未改正
    assert a.answered and a.kind == "figure"
    assert a.answer == ("《安徽省快递车辆管理条例》第九条：快递企业违反本条例第四条规定，未按规定时限处理投诉的，由邮政管理机构责令限期改正，"
                        "可以处一千元以下罚款；[1]\n逾期未改正的，处一千元以上一万元以下罚款。[2]")


def test_a_figure_question_without_a_unit_gets_the_sentence_with_a_figure(anhui):
    a = ask(anhui, "安徽快递三轮车设计最高时速不能超过多少？")
    assert a.answered and a.answer == "《安徽省快递车辆管理条例》第二条第（一）项：设计最高时速不超过二十公里；[1]"
    # The item that holds the figure, which search now ranks in its article's place (one hit per article).
    assert a.citations[0].clause.id == f"{AH}#第二条.（一）"


def test_a_question_in_two_parts_gets_the_sentence_holding_the_asked_date_too(anhui):
    a = ask(anhui, "安徽省快递车辆管理条例什么时候施行？同时废止了哪个办法？")
    assert a.answered
    # Both sentences, and the short 款 that holds them is quoted whole.
    assert a.answer == "《安徽省快递车辆管理条例》第十条：本条例自2024年3月1日起施行。《安徽省快递车辆暂行办法》同时废止。[1]"


def test_a_fact_word_in_a_yes_no_question_asks_for_no_fact(anhui):
    # "在一定期限内…吗" is about a period; it does not ask for one, so no period is required.
    a = assess(anhui.searcher, "安徽的快递企业能不能在一定期限内低于成本价收件？")
    assert a.problem is None
    assert [t for t, _ in a.draft.lines] == ["第五条 快递企业不得低于成本价格提供快递服务。"]


def test_a_count_word_in_a_yes_no_question_makes_no_figure_question(anhui):
    # "能不能把几项…一起" asks yes or no: 几项 counts nothing it asks for
    a = assess(anhui.searcher, "安徽的快递企业能不能把几项收费标准一起公示？")
    assert a.query.intent.kind == "figure"
    assert (a.draft.kind, a.problem) == ("yesno", None)
    assert assess(anhui.searcher, "安徽的快递企业要公示几项收费标准？").draft.kind == "figure"


def test_a_yes_no_question_gets_the_rule_of_the_kind_it_asks_first(anhui):
    # "可以…吗" asks whether one may: the sentence that says 可以 before the one that says 应当. Both
    # stand in one short 款, which is quoted whole; the chosen sentence is the basis of the answer.
    def basis(q):
        return [e.quote.strip() for e in assess(anhui.searcher, q).draft.grounds]

    assert basis("安徽快递企业可以自己确定收费标准吗？")[0] == "快递企业可以自主确定收费标准。"
    assert basis("安徽快递企业必须公示收费标准吗？")[0] == "第六条 快递企业应当公示收费标准。"
    assert lines(anhui, "安徽快递企业可以自己确定收费标准吗？") == ["第六条 快递企业应当公示收费标准。快递企业可以自主确定收费标准。"]


def test_a_list_question_without_any_list_is_answered_by_the_sentences_that_state_it(anhui):
    # No enumeration of requirements: the rule and its penalty, one sentence each, answer "哪些要求";
    # the lack of an enumeration refuses nothing by itself.
    a = ask(anhui, "安徽对快递企业处理投诉有哪些具体要求？")
    assert a.answered
    assert a.answer.splitlines()[0] == "《安徽省快递车辆管理条例》第四条：快递企业应当自接到投诉之日起七日内处理投诉。[1]"
    assert [c.clause.id for c in a.citations][:2] == [f"{AH}#第四条", f"{AH}#第九条"]


def test_a_how_much_question_needs_a_figure_and_an_asked_fact_the_noun_it_belongs_to(anhui):
    s = anhui.searcher

    def problem(question, clause_id):
        clause = s.by_id[clause_id]
        draft = Draft("policy", [(clause.text, [Evidence(clause, AH, clause.text)])])
        return hard_problem(s.understand(question), draft, s)

    assert problem("安徽快递企业的收费标准最低要多少？", f"{AH}#第五条") == "文件没有写明具体数字"
    assert problem("安徽快递企业的收费标准最低要多少？", f"{AH}#第四条") is None  # 七日内 is a figure
    assert problem("安徽快递三轮车的税率是多少？", f"{AH}#第七条") == "文件没有写明三轮车的比例或税率"
    assert problem("安徽快递企业的增值税税率是多少？", f"{AH}#第七条") == "文件未涉及“增值税”"
    assert problem("安徽快递企业的企业所得税税率是多少？", f"{AH}#第七条") is None


def test_a_bodys_duties_include_the_sentences_it_is_the_subject_of(tmp_path, data_dir, fake_embedder):
    corpus = tmp_path / "duties"
    corpus.mkdir()
    (corpus / "安徽省数据条例(2024-02-01).md").write_text("""# 安徽省数据条例

<!-- INFO END -->

第一条 为了促进数据利用，制定本条例。

第二条 省数据管理部门负责全省公共数据的统筹管理工作。省大数据中心具体承担公共数据的集中统一管理，推动数据的融合应用。

第三条 省大数据中心应当建设统一的公共数据平台。

第四条 省大数据中心负责公共数据平台的运行维护。
""", encoding="utf-8")
    svc = Service(Settings(corpus_dir=corpus, data_dir=data_dir / "duties"), embedder=fake_embedder)
    svc.ingest([corpus])
    a = assess(svc.searcher, "安徽省大数据中心具体负责什么？")
    assert a.draft.kind == "tasks_of"
    # Beside the 负责 sentence, 承担 and 应当建设 are its duties too: it is the subject of both.
    assert [t for t, _ in a.draft.lines] == ["省大数据中心具体承担公共数据的集中统一管理，推动数据的融合应用。",
                                             "第三条 省大数据中心应当建设统一的公共数据平台。",
                                             "第四条 省大数据中心负责公共数据平台的运行维护。"]


def test_a_change_that_brings_the_asked_kind_of_fact_comes_first(tmp_path, data_dir, fake_embedder):
    corpus = tmp_path / "versions"
    corpus.mkdir()
    head = "# 安徽省投诉处理条例\n\n<!-- INFO END -->\n\n第一条 为了规范投诉处理，制定本条例。\n\n"
    (corpus / "安徽省投诉处理条例(2020-01-01).md").write_text(
        head + "第二条 受理投诉部门应当及时受理投诉。\n\n第三条 投诉处理结果应当告知投诉人。\n", encoding="utf-8")
    (corpus / "安徽省投诉处理条例(2025-01-01).md").write_text(
        head + "第二条 受理投诉部门应当自收到投诉之日起十个工作日内作出受理决定。\n\n"
        "第三条 投诉处理结果应当以书面形式告知投诉人，并说明投诉处理的依据和投诉处理的理由。\n", encoding="utf-8")
    svc = Service(Settings(corpus_dir=corpus, data_dir=data_dir / "versions"), embedder=fake_embedder)
    svc.ingest([corpus])
    got = lines(svc, "2025年修订的安徽省投诉处理条例对投诉处理新增了哪些时限？")
    # 第三条 shares more words with the question; 第二条 is the change that brings a time limit.
    assert got[1] == "2025年1月1日修订版修改为（第二条）：第二条 受理投诉部门应当自收到投诉之日起十个工作日内作出受理决定。"


def test_the_index_knows_which_clauses_cite_a_clause(regulations):
    # 第五条 "快递企业违反本条例第三条规定，未备案的，…" cites 第三条; nothing cites 第二条.
    citing = regulations.searcher.citing(f"{JX}#第三条")
    assert [(c.id, c.text[start:start + 6]) for c, start in citing] == [(f"{JX}#第五条", "本条例第三条")]
    assert regulations.searcher.citing(f"{JX}#第二条") == []


def problem_quoting(searcher, clause_id):
    """hard_problem of a question answered by a quote of one clause."""
    clause = searcher.by_id[clause_id]

    def problem(question, quote):
        return hard_problem(searcher.understand(question), Draft("policy", [(quote, [Evidence(clause, AH, quote)])]), searcher)

    return problem


def test_a_legal_consequence_is_answered_by_liability_a_punishment_only_by_a_penalty(anhui):
    s = anhui.searcher
    clause = s.by_id[f"{AH}#第五条"]
    problem = problem_quoting(s, clause.id)

    liability = "快递企业造成用户损失的，应当依法承担赔偿责任。"
    assert problem("快递企业低于成本价格提供服务，要承担什么责任？", liability) is None
    assert problem("快递企业低于成本价格提供服务，有什么后果？", clause.text) == "文件没有写明法律后果"
    assert problem("快递企业低于成本价格提供服务，会受到什么处罚？", liability) == "文件没有写明处罚"
    # 实际 alone is a legal word (实际控制人); only what was actually done is outside a rule's text
    assert problem("快递企业的实际控制人不得做什么？", clause.text) is None
    assert problem("快递企业实际完成了多少投诉处理？", clause.text) == "文件是政策和法规文本，不含实际执行情况"


def test_a_penalty_stands_on_the_offence_it_cites(anhui):
    # "违反本条例第三条第二项规定的，…罚款" never says 头盔: what the answer stands on, for the
    # answerability decision, includes the item it cites.
    from app.citations import Evidence

    article = anhui.searcher.by_id[f"{AH}#第八条"]
    quote = "违反本条例第三条第二项规定的，由公安机关交通管理部门责令改正，对快件收派人员可以处二十元以上五十元以下罚款。"
    draft = Draft("figure", [(quote, [Evidence(article, AH, quote)])], (Evidence(article, AH, quote),))
    assert grounds(draft) == quote
    assert grounds(draft, anhui.searcher) == quote + "（二）佩戴安全头盔；"


def test_the_figure_of_the_noun_before_shi_is_what_is_asked(anhui):
    # "最低工资标准是多少" asks for that standard's figure: a sentence with another figure is no answer,
    # and the refusal names the user's whole noun, not its last word
    a = assess(anhui.searcher, "安徽快递企业员工的最低工资标准是多少？")
    assert a.problem == "文件未涉及“最低工资标准”"


def test_a_message_of_several_questions_keeps_each_part(anhui):
    q = anhui.searcher.understand("快递企业多久处理投诉？逾期未改正怎么罚？")
    assert [p[:2] for p in q.parts] == [("快递", "企业"), ("逾期", "未")]
    assert anhui.searcher.understand("快递企业多久处理投诉？").parts == ()


SCOPED = """# 江西省网络交易条例

<!-- INFO END -->

第一条 为了规范网络交易活动，制定本条例。

第二条 在本省从事网络交易经营活动以及对其实施监督管理，适用本条例。

第三条 网络交易经营者应当公示营业执照信息。

第四条 平台经营者应当建立交易规则。

第五条 网络交易经营者委托他人代为处理交易数据的，应当与受托方订立数据安全保护合同，明确双方的安全保护责任、处理目的、处理方式、数据种类、保存期限以及违约责任，并对受托方的数据处理活动进行监督，确保数据处理活动符合法律、法规和本条例的规定。受托方完成处理任务后，应当及时有效销毁其存储的数据，但是法律、法规另有规定的除外。
"""


def test_what_a_document_covers_is_answered_from_its_scope_article(tmp_path, data_dir, fake_embedder):
    # "管哪些人…也算吗" asks whom the document applies to: its 适用本条例 article, not a list
    svc = ingest_texts(tmp_path / "scoped", data_dir, fake_embedder, {"江西省网络交易条例(2024-01-01).md": SCOPED})
    query = svc.searcher.understand("江西网络交易条例管哪些人？监管部门也算吗？")
    assert [h.clause.labels[-1] for h in svc.searcher.search(query, k=1)] == ["第二条"]
    draft = assess(svc.searcher, "江西网络交易条例管哪些人？监管部门也算吗？").draft
    assert draft.kind == "policy"
    assert draft.grounds[0].clause.id == "江西省网络交易条例(2024-01-01)#第二条"


def test_each_part_of_a_message_gets_its_sentence_of_the_article(tmp_path, data_dir, fake_embedder):
    # 第五条's first sentence answers what must be signed, its second what becomes of the data: a
    # message asking both quotes both (the 款 is too long to be quoted whole)
    svc = ingest_texts(tmp_path / "scoped", data_dir, fake_embedder, {"江西省网络交易条例(2024-01-01).md": SCOPED})
    a = assess(svc.searcher, "江西网络交易经营者委托他人代为处理交易数据，要与受托方订立什么合同、明确哪些安全保护责任和违约责任？完成后呢？")
    assert [e.quote.strip()[:12] for e in a.draft.grounds] == ["第五条 网络交易经营者委", "受托方完成处理任务后，应"]


HUNAN = """# 湖南省寄递服务条例

2024年3月1日 湖南省第十四届人民代表大会常务委员会第八次会议通过

<!-- INFO END -->

第一条 为了规范寄递服务，制定本条例。

第二条 寄递企业应当建立寄件容缺受理制度。

对寄件人身份信息基本齐全但次要材料欠缺的，寄递企业在寄件人作出书面承诺后应当先予收寄。

第三条 寄递企业不得对交易条件相同的用户实行差别收费，但是有下列情形之一的除外：

（一）针对新用户在合理期限内开展优惠活动的；

（二）法律、法规规定的其他情形。

前款所称交易条件相同，是指用户在寄递距离、重量、时效等方面不存在实质性差别。

第四条 冒领、私自开拆、隐匿他人快件，尚不构成犯罪的，依法给予治安管理处罚。

寄递企业有前款规定行为的，由邮政管理部门责令改正，处三万元以上五万元以下的罚款。
"""
HN = "湖南省寄递服务条例(2024-03-01)"


@pytest.fixture
def hunan(tmp_path, data_dir, fake_embedder):
    return ingest_texts(tmp_path / "hunan", data_dir, fake_embedder, {f"{HN}.md": HUNAN})


def test_a_penalty_for_the_offence_of_the_paragraph_before_quotes_that_paragraph(hunan):
    # "有前款规定行为的": the fine alone does not say what it punishes; the 款 before does
    assert lines(hunan, "湖南寄递企业私自开拆快件罚多少？") == [
        "第四条 冒领、私自开拆、隐匿他人快件，尚不构成犯罪的，依法给予治安管理处罚。",
        "寄递企业有前款规定行为的，由邮政管理部门责令改正，处三万元以上五万元以下的罚款。",
    ]


def test_a_definition_after_a_list_is_found_in_the_article_of_the_matching_item(hunan):
    a = assess(hunan.searcher, "湖南寄递条例里“交易条件相同”怎么理解？")
    assert a.draft.kind == "definition"
    assert [e.clause.id for e in a.draft.grounds] == [f"{HN}#第三条"]
    assert a.draft.lines[0][0] == "前款所称交易条件相同，是指用户在寄递距离、重量、时效等方面不存在实质性差别。"


def test_a_term_named_but_not_defined_is_described_by_its_short_article(hunan):
    # no "容缺受理是指…": the sentence naming it and the 款 that says what it means in practice
    assert lines(hunan, "湖南寄递条例说的容缺受理是什么意思？") == [
        "第二条 寄递企业应当建立寄件容缺受理制度。",
        "对寄件人身份信息基本齐全但次要材料欠缺的，寄递企业在寄件人作出书面承诺后应当先予收寄。",
    ]
    assert assess(hunan.searcher, "什么是冷链寄递？").draft.lines == []  # a term no clause names


GUANGXI = """# 广西壮族自治区营商环境条例

2024年5月1日 广西壮族自治区人民代表大会常务委员会第九次会议通过

<!-- INFO END -->

第一条 为了优化营商环境，制定本条例。

第二条 县级以上人民政府发展改革部门负责营商环境工作的统筹推进。

第三条 县级以上人民政府司法行政部门应当建立公共法律服务体系，为市场主体提供便捷的法律服务。
"""


def test_a_body_of_the_general_table_asked_about_gets_the_sentences_it_is_subject_of(tmp_path, data_dir, fake_embedder):
    # 司法行政部门 is given no duty in the words the lexicon learns from (负责, 主管…), but the question
    # names it as the general table knows it: its duties are the sentences it is the subject of
    svc = ingest_texts(tmp_path / "gx", data_dir, fake_embedder, {"广西壮族自治区营商环境条例(2024-05-01).md": GUANGXI})
    assert svc.searcher.understand("广西的司法行政部门负责什么？").intent.kind == "tasks_of"
    assert lines(svc, "广西的司法行政部门负责什么？") == [
        "第三条 县级以上人民政府司法行政部门应当建立公共法律服务体系，为市场主体提供便捷的法律服务。"]


YUNNAN = """# 云南省数据服务条例

2024年5月20日 云南省第十四届人民代表大会常务委员会第九次会议通过

<!-- INFO END -->

## 第一章 总则

第一条 为了规范数据服务，根据《中华人民共和国网络安全法》等法律，结合本省实际，制定本条例。

第二条 省人民政府数据主管部门负责本省数据服务的监督管理工作。

第三条 政府性融资担保机构服务中小企业的业务占比不低于百分之七十。

第四条 为应对突发事件，县级以上人民政府可以要求企业提供处置工作所必需的数据。收集的数据不得用于与突发事件处置无关的事项。

## 第二章 法律责任

第五条 违反本条例第四条规定的，依照《中华人民共和国网络安全法》的规定处罚。

第六条 本条例自2024年7月1日起施行。
"""
YN = "云南省数据服务条例(2024-05-20)"


@pytest.fixture
def yunnan(tmp_path, data_dir, fake_embedder):
    return ingest_texts(tmp_path / "yunnan", data_dir, fake_embedder, {f"{YN}.md": YUNNAN})


def test_the_size_of_a_document_is_counted_from_its_articles(yunnan):
    a = ask(yunnan, "云南省数据服务条例一共有多少条？")
    assert a.answered and a.kind == "count"
    assert a.answer == "《云南省数据服务条例》共6条，最后一条是第六条：本条例自2024年7月1日起施行。[1]"
    assert [c.clause.id for c in a.citations] == [f"{YN}#第六条"]


def test_a_law_the_corpus_only_cites_answers_only_through_the_clauses_citing_it(yunnan):
    s = yunnan.searcher
    assert s.catalogue.cited_absent == ("中华人民共和国网络安全法", "网络安全法")
    a = ask(yunnan, "网络安全法对融资担保机构的业务占比有什么要求？")
    assert not a.answered
    assert a.answer == ("文件中没有找到能回答这个问题的规定（知识库未收录《网络安全法》，找到的条款也没有引用它）。"
                        "以下是最接近的条款，供您核对。")
    a = ask(yunnan, "云南哪一条规定要依照网络安全法处罚？")
    assert a.answered and a.citations[0].clause.id == f"{YN}#第五条"
    # the article number belongs to the cited law, not to the document named
    q = s.understand("云南数据服务条例提到的网络安全法第二十一条讲了什么？")
    assert q.scope.absent == ("网络安全法",) and q.article is None
    assert s.understand("《电子商务法》对数据服务有什么规定？").scope.absent == ("电子商务法",)
    # an article of it is not answered by the clauses that cite the law by name only (第一条, 第五条)
    a = ask(yunnan, "网络安全法第二十一条讲了什么？")
    assert not a.answered
    assert a.answer == ("文件中没有找到能回答这个问题的规定（知识库未收录《网络安全法》，找到的条款也没有引用它）。"
                        "以下是最接近的条款，供您核对。")


def test_a_count_in_the_story_asks_for_no_count(yunnan):
    a = assess(yunnan.searcher, "我在云南开了几家药店。为了处置突发事件，政府要企业交数据，企业必须给吗？")
    assert a.query.asked == "为了处置突发事件,政府要企业交数据,企业必须给吗?"  # folded: NFKC makes punctuation half-width
    assert a.problem is None and a.draft.kind == "yesno"


def test_what_happened_last_year_in_the_story_is_not_what_is_asked(yunnan):
    a = assess(yunnan.searcher, "云南一家政府性融资担保机构去年新增业务10个亿，按条例服务中小企业的业务至少得占多少？")
    assert a.problem is None
    assert [t for t, _ in a.draft.lines] == ["第三条 政府性融资担保机构服务中小企业的业务占比不低于百分之七十。"]
    # asked in the clause that asks, it is still a question about what happened
    assert assess(yunnan.searcher, "云南担保机构去年的业务占比实际完成了多少？").problem == "文件是政策和法规文本，不含实际执行情况"


def test_the_noun_of_a_bounded_figure_is_what_is_asked(yunnan):
    s = yunnan.searcher
    clause = s.by_id[f"{YN}#第三条"]
    draft = Draft("figure", [(clause.text, [Evidence(clause, YN, clause.text)])])
    assert hard_problem(s.understand("云南政府性融资担保机构的担保费率最高不能超过百分之几？"), draft, s) == "文件未涉及“费率”"
    assert hard_problem(s.understand("云南担保机构服务中小企业的业务占比最低百分之几？"), draft, s) is None


GUIZHOU = """# 贵州省数据服务条例

2024年3月28日 贵州省第十四届人民代表大会常务委员会第八次会议通过

<!-- INFO END -->

第一条 为了规范数据服务，结合本省实际，制定本条例。

第二条 省人民政府大数据主管部门负责本省数据服务的统筹推进工作。

第三条 本条例自2024年6月1日起施行。
"""
GZ = "贵州省数据服务条例(2024-03-28)"


def test_each_document_a_question_names_answers_for_itself(tmp_path, data_dir, fake_embedder):
    svc = ingest_texts(tmp_path / "two", data_dir, fake_embedder, {f"{YN}.md": YUNNAN, f"{GZ}.md": GUIZHOU})
    a = assess(svc.searcher, "云南数据服务条例和贵州数据服务条例各自是为了什么制定的？")
    assert a.problem is None
    # in the order the question names them
    assert [t for t, _ in a.draft.lines] == ["第一条 为了规范数据服务，根据《中华人民共和国网络安全法》等法律，结合本省实际，制定本条例。",
                                            "第一条 为了规范数据服务，结合本省实际，制定本条例。"]
    # their dates are compared on the documents' own effective dates, in order of date
    dated = ask(svc, "云南数据服务条例和贵州数据服务条例是不是同一天施行的？")
    assert dated.answer.splitlines() == ["《贵州省数据服务条例》自2024年6月1日起施行。[1]", "《云南省数据服务条例》自2024年7月1日起施行。[2]",
                                         "两部文件不是同一天施行的，前后相差1个月（《贵州省数据服务条例》在先）。"]


def test_an_article_asked_of_both_versions_is_quoted_from_each(tmp_path, data_dir, fake_embedder):
    head = "# 安徽省投诉处理条例\n\n<!-- INFO END -->\n\n第一条 为了规范投诉处理，制定本条例。\n\n"
    svc = ingest_texts(tmp_path / "versions", data_dir, fake_embedder, {
        "安徽省投诉处理条例(2020-01-01).md": head + "第二条 受理投诉部门应当及时受理投诉。\n",
        "安徽省投诉处理条例(2025-01-01).md": head + "第二条 受理投诉部门应当自收到投诉之日起十个工作日内作出受理决定。\n",
    })
    a = assess(svc.searcher, "安徽省投诉处理条例新版第二条和旧版第二条讲的是一回事吗？")
    assert [e.clause.id for e in a.draft.evidence] == ["安徽省投诉处理条例(2025-01-01)#第二条", "安徽省投诉处理条例(2020-01-01)#第二条"]


def test_what_changed_between_versions_asked_of_the_whole_document_lists_the_changes_in_order(
        tmp_path, data_dir, fake_embedder):
    head = "# 安徽省投诉处理条例\n\n<!-- INFO END -->\n\n第一条 为了规范投诉处理，制定本条例。\n\n"
    svc = ingest_texts(tmp_path / "changes", data_dir, fake_embedder, {
        "安徽省投诉处理条例(2020-01-01).md": head + "第二条 受理投诉部门应当及时受理投诉。\n",
        "安徽省投诉处理条例(2025-01-01).md": head + "第二条 受理投诉部门应当自收到投诉之日起十个工作日内作出受理决定。\n\n"
                                          "第三条 投诉人可以通过网络提交投诉。\n",
    })
    # no topic but the versions: the changes answer it, not a refusal for 新旧 or 版本
    answer = ask(svc, "安徽省投诉处理条例新旧版本有什么区别？")
    assert (answer.answered, answer.kind) == (True, "version")
    assert answer.answer.splitlines()[0] == "《安徽省投诉处理条例》2025年1月1日修订版与2020年1月1日版相比，共有2条改动，按条文顺序，前三条是："
    assert [c.clause.id for c in answer.citations][:2] == ["安徽省投诉处理条例(2025-01-01)#第二条", "安徽省投诉处理条例(2020-01-01)#第二条"]


def test_a_body_that_works_with_the_acting_one_has_that_duty_too(tmp_path, data_dir, fake_embedder):
    text = ("# 福建省快递业促进条例\n\n<!-- INFO END -->\n\n第一条 为了促进快递业发展，制定本条例。\n\n"
            "第二条 邮政管理机构负责本省快递业的监督管理。\n\n"
            "第三条 邮政管理机构应当会同商务、海关等部门，建立快件跨境协作机制。\n\n"
            "第四条 县级以上人民政府商务主管部门负责快递业与电子商务协同发展的促进工作。\n")
    svc = ingest_texts(tmp_path / "fj", data_dir, fake_embedder, {"福建省快递业促进条例(2022-01-01).md": text})
    a = assess(svc.searcher, "福建的商务局在快递业里要配合做什么？")
    assert a.draft.kind == "tasks_of"
    assert [t for t, _ in a.draft.lines] == ["第三条 邮政管理机构应当会同商务、海关等部门，建立快件跨境协作机制。",
                                             "第四条 县级以上人民政府商务主管部门负责快递业与电子商务协同发展的促进工作。"]


def test_a_body_asked_of_a_named_document_gets_every_duty_that_document_gives_it(tmp_path, data_dir, fake_embedder):
    # Twelve articles: the body's duties (a field named as 主管部门, a power with 可以, a listing by
    # field "发展改革、自然资源等有关部门", an enforcement "由…责令") are far apart, among articles that
    # share the question's other words; the answer has them all, in the document's order.
    filler = "".join(f"第{n}条 数字基础设施建设应当统筹推进，提升网络质量和覆盖水平。\n\n" for n in "三四五六七八九")
    text = ("# 河南省数字基础设施条例\n\n<!-- INFO END -->\n\n第一条 为了促进数字基础设施建设，制定本条例。\n\n"
            "第二条 省发展改革、自然资源等有关部门，应当推动信息网络基础设施建设。\n\n" + filler +
            "第十条 国有建设用地使用权出让前，自然资源主管部门应当将配套建设数字基础设施的要求纳入规划条件。\n\n"
            "第十一条 自然资源主管部门可以在国土空间规划中预留基站站址。\n\n"
            "第十二条 建设单位未按规定预留基站站址的，由县级以上人民政府自然资源主管部门责令限期改正。\n")
    svc = ingest_texts(tmp_path / "ha", data_dir, fake_embedder, {"河南省数字基础设施条例(2022-01-01).md": text})
    a = assess(svc.searcher, "河南的自然资源厅在数字基础设施条例里被派了什么任务？")
    assert a.draft.kind == "tasks_of"
    assert [t for t, _ in a.draft.lines] == [
        "第二条 省发展改革、自然资源等有关部门，应当推动信息网络基础设施建设。",
        "第十条 国有建设用地使用权出让前，自然资源主管部门应当将配套建设数字基础设施的要求纳入规划条件。",
        "第十一条 自然资源主管部门可以在国土空间规划中预留基站站址。",
        "第十二条 建设单位未按规定预留基站站址的，由县级以上人民政府自然资源主管部门责令限期改正。"]


HUBEI = """# 湖北省数据服务条例

2024年3月1日 湖北省第十四届人民代表大会常务委员会第八次会议通过

<!-- INFO END -->

第一条 为了规范数据服务，制定本条例。

第二条 本省推动长江经济带数据服务协同发展。

第三条 省人民政府数据主管部门应当履行下列职责：

（一）编制数据服务发展规划；

（二）组织长江经济带数据服务合作。

第四条 数据服务提供者拖欠中小企业款项依法依规被认定为失信的，受理投诉部门和有关部门按程序将有关失信情况记入相关主体信用记录，并通过信用信息共享平台向社会公开，供有关部门在监督管理中参考使用。\
情节严重的，将相关信息纳入信用信息共享平台，向社会公示；对数据服务提供者在财政资金支持、融资获取、市场准入等方面依法依规予以限制。

第五条 本条例自2024年5月1日起施行。
"""
HB = "湖北省数据服务条例(2024-03-01)"


@pytest.fixture
def hubei(tmp_path, data_dir, fake_embedder):
    return ingest_texts(tmp_path / "hubei", data_dir, fake_embedder, {f"{HB}.md": HUBEI})


def test_every_place_a_word_is_said_is_listed_items_once(hubei):
    a = assess(hubei.searcher, "湖北数据条例哪些地方提到了长江经济带？")
    assert a.draft.kind == "mentions"
    assert [e.clause.id for e in a.draft.evidence] == [f"{HB}#第二条", f"{HB}#第三条.（二）"]
    assert a.draft.lines[0][0] == "见《湖北省数据服务条例》第二条：本省推动长江经济带数据服务协同发展。"
    answer = ask(hubei, "湖北数据条例哪些地方提到了长江经济带？")
    assert answer.answered and answer.kind == "mentions"


def test_a_sentence_cut_at_a_semicolon_is_quoted_whole(hubei):
    # the restriction is the second piece of a sentence whose first piece says when it applies
    a = assess(hubei.searcher, "湖北的数据服务提供者被认定失信、情节严重的，会在哪些方面受到限制？")
    assert "情节严重的，将相关信息纳入信用信息共享平台，向社会公示；对数据服务提供者在财政资金支持、融资获取、市场准入等方面依法依规予以限制。" in [
        t for t, _ in a.draft.lines]


def test_a_duty_is_quoted_to_the_end_of_its_sentence(tmp_path, data_dir, fake_embedder):
    # what follows the "；" is the same body's duty, its subject not repeated
    text = ("# 福建省数据安全条例\n\n<!-- INFO END -->\n\n第一条 为了保障数据安全，制定本条例。\n\n"
            "第二条 省网信部门应当加强数据安全风险评估，收集相关信息；发现数据泄露风险的，应当及时发布预警信息。\n")
    svc = ingest_texts(tmp_path / "fjds", data_dir, fake_embedder, {"福建省数据安全条例(2022-01-01).md": text})
    a = assess(svc.searcher, "福建网信办要做哪些事？")
    assert a.draft.kind == "tasks_of"
    assert [t for t, _ in a.draft.lines] == [
        "第二条 省网信部门应当加强数据安全风险评估，收集相关信息；发现数据泄露风险的，应当及时发布预警信息。"]


def test_how_each_version_words_it_quotes_each_versions_article_whole(tmp_path, data_dir, fake_embedder):
    head = "# 安徽省投诉处理条例\n\n<!-- INFO END -->\n\n第一条 为了规范投诉处理，制定本条例。\n\n"
    svc = ingest_texts(tmp_path / "wording", data_dir, fake_embedder, {
        "安徽省投诉处理条例(2020-01-01).md": head + "第二条 受理投诉部门应当及时受理投诉。受理投诉部门应当告知投诉人处理结果。\n",
        "安徽省投诉处理条例(2025-01-01).md": head + "第二条 受理投诉部门应当自收到投诉之日起十个工作日内作出受理决定。受理投诉部门应当书面告知投诉人处理结果。\n",
    })
    a = assess(svc.searcher, "安徽投诉处理条例新版对受理投诉部门是怎么写的？旧版怎么写的？")
    # (a corpus of two articles has its 第一条 close behind, as a third place)
    assert [t for t, _ in a.draft.lines][:2] == [
        "见《安徽省投诉处理条例》第二条：受理投诉部门应当自收到投诉之日起十个工作日内作出受理决定。受理投诉部门应当书面告知投诉人处理结果。",
        "见《安徽省投诉处理条例》第二条：受理投诉部门应当及时受理投诉。受理投诉部门应当告知投诉人处理结果。",
    ]


def test_what_a_term_covers_is_answered_by_its_definition(tmp_path, data_dir, fake_embedder):
    text = ("# 重庆市数据条例\n\n<!-- INFO END -->\n\n第一条 为了规范数据处理活动，制定本条例。\n\n"
            "第二条 本条例中下列用语的含义：\n\n（一）数据，是指任何以电子方式对信息的记录。\n\n"
            "（二）数据处理，包括数据的收集、存储、使用、加工、传输、提供、公开等。\n\n"
            "第三条 数据处理者应当建立数据安全管理制度。\n")
    svc = ingest_texts(tmp_path / "cq", data_dir, fake_embedder, {"重庆市数据条例(2022-01-01).md": text})
    a = assess(svc.searcher, "重庆数据条例说的数据处理包括哪些活动？")
    assert a.problem is None and a.draft.kind == "definition"
    assert [t for t, _ in a.draft.lines] == ["（二）数据处理，包括数据的收集、存储、使用、加工、传输、提供、公开等。"]


def test_in_what_cases_is_answered_by_the_enumeration_of_cases(tmp_path, data_dir, fake_embedder):
    text = ("# 陕西省个人信息保护条例\n\n<!-- INFO END -->\n\n第一条 为了保护个人信息，制定本条例。\n\n"
            "第二条 有下列情形之一的，信息处理者应当及时删除个人信息：\n\n（一）约定的存储期限届满；\n\n"
            "（二）个人撤回同意且要求删除。\n\n第三条 信息处理者应当建立个人信息安全管理制度。\n")
    svc = ingest_texts(tmp_path / "sx", data_dir, fake_embedder, {"陕西省个人信息保护条例(2022-01-01).md": text})
    a = assess(svc.searcher, "在陕西，什么情况下企业要把我的个人信息删掉？")
    assert a.problem is None and a.draft.kind == "list"
    assert [t for t, _ in a.draft.lines] == ["第二条 有下列情形之一的，信息处理者应当及时删除个人信息：",
                                             "（一）约定的存储期限届满；", "（二）个人撤回同意且要求删除。"]


def test_in_what_case_answered_by_one_sentence_is_not_refused_for_want_of_a_list(regulations):
    a = assess(regulations.searcher, "江西快递企业什么情况下要向邮政管理机构备案？")
    assert a.problem is None
    assert a.draft.lines[0][0] == "第三条 快递企业设立末端网点的，应当自开办之日起二十日内向所在地邮政管理机构备案。"


def test_places_of_a_word_no_clause_says_are_not_the_places_of_the_others(hubei):
    # 长江经济带 is said, 元宇宙 is not: not a list of where 长江经济带 is
    a = assess(hubei.searcher, "湖北数据条例哪些地方提到了长江经济带元宇宙？")
    assert a.draft.kind == "locate"


HAIXI = """# 海西省数据资源条例

<!-- INFO END -->

第一条 为了规范数据资源管理，制定本条例。

第二条 省人民政府数据主管部门应当为数据资源评估办法的制定和修改组织调研。

第三条 数据资源评估办法的制定和修改由省人民政府规定。
"""


def test_who_decides_is_answered_by_the_sentence_that_names_the_body_beside_a_weaker_duty(tmp_path, data_dir, fake_embedder):
    # 第二条 is a duty ("…部门应当…") sharing the question's words; 第三条 says who decides ("由省人民
    # 政府规定") and joins the answer, after the duty it does not beat by NAMING_COST
    svc = ingest_texts(tmp_path / "haixi", data_dir, fake_embedder, {"海西省数据资源条例(2024-01-01).md": HAIXI})
    assert lines(svc, "数据资源评估办法的制定和修改由谁来定？") == [
        "第二条 省人民政府数据主管部门应当为数据资源评估办法的制定和修改组织调研。",
        "第三条 数据资源评估办法的制定和修改由省人民政府规定。",
    ]


def test_who_is_responsible_is_not_answered_by_passages_that_name_no_body(anhui):
    s = anhui.searcher
    problem = problem_quoting(s, f"{AH}#第六条")

    asked = "安徽快递企业的收费标准由哪个部门审核？"
    assert s.understand(asked).intent.kind == "department"
    assert problem(asked, "快递企业可以自主确定收费标准。") == "文件没有写明由哪个部门负责"
    # a body named in general words (主管部门) or as the corpus names it (邮政管理机构) is an answer to weigh
    assert problem(asked, "收费标准报主管部门备案。") is None
    assert problem(asked, "收费标准报邮政管理机构备案。") is None
    # the same passages answer a question that does not ask who, or asks for any party ("归谁")
    assert problem("安徽快递企业能自己定收费标准吗？", "快递企业可以自主确定收费标准。") is None
    assert s.understand("安徽快递企业的收费标准归谁来定？").intent.kind == "department"
    assert problem("安徽快递企业的收费标准归谁来定？", "快递企业可以自主确定收费标准。") is None


@pytest.fixture
def dated(tmp_path, data_dir, fake_embedder):
    """Three documents: two with effective dates (江西 2023-09-01, 安徽 2024-03-01), one without."""
    return ingest_texts(tmp_path / "dated", data_dir, fake_embedder, {
        "江西省快递服务条例(2023-05-30).md": JIANGXI, "数据服务暂行条例(2022-01-10).md": NATIONAL, f"{AH}.md": ANHUI})


def test_which_document_took_effect_first_or_last_is_answered_from_their_own_dates(dated):
    svc = dated
    first = ask(svc, "这些法规里最先施行的是哪一部？从哪天开始的？")
    assert (first.answered, first.kind) == (True, "dated")
    # 数据服务暂行条例 states no effective date: it is left out, and the answer says so
    assert first.answer == ("收录的3部文件中，最先施行的是《江西省快递服务条例》，自2023年9月1日起施行：第六条 本条例自2023年9月1日起施行。[1]\n"
                            "（另有1部文件的正文没有写明施行日期，未计入。）")
    assert [c.clause.id for c in first.citations] == [f"{JX}#第六条"]
    last = ask(svc, "收录的文件里最新的是哪部？")
    assert last.answer.splitlines()[0] == ("收录的3部文件中，最晚施行的是《安徽省快递车辆管理条例》，自2024年3月1日起施行："
                                           "第十条 本条例自2024年3月1日起施行。[1]")
    # one document in the question's scope: nothing to compare, the question is answered from its text
    assert ask(svc, "江西的条例哪部最早施行？").kind == "policy"
    # two regions named: the answer says which documents it compared
    assert ask(svc, "江西和安徽的条例哪部最早施行？").answer.startswith("“江西、安徽”的2部文件中，最先施行的是《江西省快递服务条例》")
    assert ask(svc, "哪部法规施行最早？").kind == "dated"
    # asked after a question about one region, it still asks across the documents
    from app.qa import Conversation

    conv = Conversation()
    conv.add("江西的快递条例什么时候施行？", answer_question(svc.searcher, "江西的快递条例什么时候施行？", conv))
    assert answer_question(svc.searcher, "这些法规里最先施行的是哪一部？", conv).answer == first.answer


def test_the_effective_dates_of_the_documents_named_are_listed_in_order_with_the_time_between(dated):
    svc = dated
    both = ask(svc, "安徽的条例和江西的条例，各自是哪天開始施行的？相差多久？")
    assert (both.answered, both.kind) == (True, "dated")
    # in order of date, whichever the question names first; the gap as calendars count it
    assert both.answer == ("《江西省快递服务条例》自2023年9月1日起施行。[1]\n《安徽省快递车辆管理条例》自2024年3月1日起施行。[2]\n"
                           "两部文件前后相差6个月（《江西省快递服务条例》在先）。")
    assert [c.clause.id for c in both.citations] == [f"{JX}#第六条", f"{AH}#第十条"]
    assert both.citations[0].quote == "第六条 本条例自2023年9月1日起施行。"
    # a year instead of names: every document that took effect in it
    year = ask(svc, "2023年有几部法规开始生效？各是几月几号？")
    assert year.answer == "收录的文件中，2023年施行的有1部（按施行日期排列）：\n《江西省快递服务条例》自2023年9月1日起施行。[1]"
    # a question that also asks about a rule is not answered by the dates alone
    assert ask(svc, "江西和安徽的条例哪天施行，罚款标准一样吗？").kind != "dated"


def test_an_asked_period_is_the_period_of_the_act_the_question_names(regulations):
    # the period the clause gives is that of 备案; a question about another act is not answered by it
    assert ask(regulations, "江西的快递末端网点开办以后，多少天之内得去备案？").answer.startswith(
        "《江西省快递服务条例》第三条：快递企业设立末端网点的，应当自开办之日起二十日内向所在地邮政管理机构备案。[1]")
    refused = ask(regulations, "江西的快递末端网点开办以后，几个工作日内要更正登记信息？")
    assert (refused.answered, refused.answer.splitlines()[0]) == (
        False, "文件中没有找到能回答这个问题的规定（文件没有写明更正的期限）。以下是最接近的条款，供您核对。")


def test_a_figure_asked_about_nothing_the_documents_know_is_refused_for_those_words(regulations):
    # no noun asked about is in any document: the refusal names them, not the missing figure
    off = ask(regulations, "昨晚湖人队和勇士队的比分是多少？")
    assert (off.answered, off.answer.split("。")[0]) == (False, "文件中没有找到能回答这个问题的规定（文件未涉及“湖人队”“勇士队”）")
    # a known topic without the asked figure says that the figure is missing
    known = ask(regulations, "江西快递企业设立末端网点要交多少钱？")
    assert (known.answered, known.answer.split("。")[0]) == (False, "文件中没有找到能回答这个问题的规定（文件没有写明具体金额）")


def test_a_year_asked_for_needs_a_year_and_how_far_a_document_runs_is_its_size(regulations):
    # 第三条 gives a period after an event (自开办之日起), no year: "哪一年" is not answered by it
    year = ask(regulations, "江西快递企业设立末端网点是从哪一年开始要备案的？")
    assert (year.answered, year.answer.split("。")[0]) == (False, "文件中没有找到能回答这个问题的规定（文件没有写明年份）")
    size = ask(regulations, "江西省快递服务条例写到第几条？")
    assert (size.kind, size.answer) == ("count", "《江西省快递服务条例》共6条，最后一条是第六条：本条例自2023年9月1日起施行。[1]")


def test_date_gap_counts_years_months_and_days():
    from app.qa import date_gap

    assert [date_gap("2020-01-01", "2022-07-01"), date_gap("2021-03-01", "2022-03-01"), date_gap("2022-01-01", "2022-01-11")] == [
        "2年6个月", "1年", "10天"]


PAYMENT = """# 河南省中小企业款项支付办法

2024年3月1日 河南省人民政府令第10号公布

<!-- INFO END -->

第一条 为了保障中小企业款项支付，制定本办法。

第二条 政府投资项目所需资金应当落实到位。

第三条 机关、事业单位有下列情形之一的，依法追究责任：

（一）未按照约定支付中小企业款项；

（二）要求施工单位对政府投资项目垫资建设。

第四条 本办法自2024年5月1日起施行。
"""


def test_a_consequence_is_the_liability_leading_into_a_list_with_the_item_that_matches(tmp_path, data_dir, fake_embedder):
    svc = ingest_texts(tmp_path / "pay", data_dir, fake_embedder, {"河南省中小企业款项支付办法(2024-03-01).md": PAYMENT})
    a = assess(svc.searcher, "河南的机关要求施工单位垫资建设，会有什么后果？")
    assert a.problem is None
    assert [t for t, _ in a.draft.lines] == ["第三条 机关、事业单位有下列情形之一的，依法追究责任：",
                                            "（二）要求施工单位对政府投资项目垫资建设。"]


def test_the_original_of_a_cited_item_is_its_whole_article_and_what_else_skips_it(anhui):
    from app.qa import Conversation

    conv = Conversation()
    first = answer_question(anhui.searcher, "安徽快递收派人员驾驶三轮车要遵守哪些规定？", conv)
    conv.add("安徽快递收派人员驾驶三轮车要遵守哪些规定？", first)
    original = answer_question(anhui.searcher, "这条的原文是什么？", conv)
    conv.add("这条的原文是什么？", original)
    assert original.answer == ("《安徽省快递车辆管理条例》第三条原文：\n第三条 快件收派人员驾驶快递专用电动三轮车，应当遵守下列规定：\n"
                               "（一）按照规定使用实时定位监控装置；\n（二）佩戴安全头盔；\n（三）不得载人。[1]")
    more = answer_question(anhui.searcher, "还有别的吗？", conv)
    # neither the article nor any of its items again
    assert not [c.clause.id for c in more.citations if c.clause.id.startswith(f"{AH}#第三条")]


def test_what_else_after_everything_was_shown_says_so_and_offers_nothing(anhui):
    from app.qa import Conversation

    conv = Conversation()
    q = "安徽快递收派人员驾驶三轮车要遵守哪些规定？"
    conv.add(q, answer_question(anhui.searcher, q, conv))
    shown: set[str] = set()
    for _ in range(len(anhui.searcher.clauses)):
        more = answer_question(anhui.searcher, "还有别的吗？", conv)
        conv.add("还有别的吗？", more)
        if not more.answered:
            break
        assert not {c.clause.id for c in more.citations} & shown  # never the same clause twice
        shown |= {c.clause.id for c in more.citations}
    assert more.answer == "相关条款已全部列出：除了前面给出的条款，收录的文件中没有检索到其他与这个问题相关的条款。"
    assert more.related == ()


def test_more_after_a_question_put_in_a_contraction_stays_on_what_it_asked_about(tmp_path, data_dir, fake_embedder):
    from app.qa import Conversation

    text = ("# 湖南省中小企业促进条例\n\n<!-- INFO END -->\n\n第一条 为了促进小型微型企业发展，制定本条例。\n\n"
            "第二条 对符合条件的小型微型企业按照规定实行税收优惠。\n\n"
            "第三条 小型微型企业享受行政事业性收费减免。\n\n"
            "第四条 本省设立专项资金支持小型微型企业。\n\n"
            "第五条 小型微型企业吸纳就业的，按照国家规定享受税收减免。\n\n"
            "第六条 小型微型企业融资担保费率不超过百分之一。\n")
    svc = ingest_texts(tmp_path / "hn", data_dir, fake_embedder, {"湖南省中小企业促进条例(2022-01-01).md": text})
    conv = Conversation()
    q = "小微企业有什么税收优惠？"
    first = answer_question(svc.searcher, q, conv)
    conv.add(q, first)
    assert "湖南省中小企业促进条例(2022-01-01)#第六条" not in {c.clause.id for c in first.citations}
    more = answer_question(svc.searcher, "还有别的吗？", conv)
    # 第六条 is left, on 小型微型企业 but not on 税收: 小型微型企业 is in every article, so the 小微企业 it
    # stands for says nothing of which is on the topic; 税收 does
    assert (more.kind, more.citations) == ("exhausted", ())


def test_follow_ups_after_a_refusal_refer_to_the_nearest_clauses_it_listed(anhui):
    from app.qa import Conversation

    conv = Conversation()
    q = "安徽快递企业的增值税税率是多少？"
    refused = answer_question(anhui.searcher, q, conv)
    conv.add(q, refused)
    assert not refused.answered
    listed = [h.clause.id for h in refused.related]
    original = answer_question(anhui.searcher, "这条的原文是什么？", conv)
    conv.add("这条的原文是什么？", original)
    assert (original.kind, [c.clause.id for c in original.citations]) == ("original", listed[:1])
    more = answer_question(anhui.searcher, "还有别的吗？", conv)
    # one of those listed speaks of 税率; no clause not shown yet speaks of it or of 增值税
    assert (more.answered, more.answer) == (False, "相关条款已全部列出：除了前面给出的条款，收录的文件中没有检索到其他与这个问题相关的条款。")
    assert not more.citations and not more.related


PAYMENT_DAYS = """# 湖南省企业款项支付办法

<!-- INFO END -->

第一条 为了保障企业及时取得款项，制定本办法。

第二条 机关、事业单位从企业采购货物、服务，应当自交付之日起三十日内支付款项；合同另有约定的，从其约定，但付款期限最长不得超过六十日。

大型企业从中小企业采购货物、服务，应当自交付之日起六十日内支付款项；合同另有约定的，从其约定，但应当合理约定付款期限并及时支付。

第三条 本办法自2024年1月1日起施行。
"""


@pytest.fixture
def payment(tmp_path, data_dir, fake_embedder):
    corpus = tmp_path / "payment"
    corpus.mkdir()
    (corpus / "湖南省企业款项支付办法(2024-01-01).md").write_text(PAYMENT_DAYS, encoding="utf-8")
    svc = Service(Settings(corpus_dir=corpus, data_dir=data_dir / "payment"), embedder=fake_embedder)
    svc.ingest([corpus])
    return svc


def test_a_figure_comes_from_the_paragraph_of_the_subject_asked_and_its_superlative_only_asks(payment):
    # 最长 asks for the bound of the figure: the paragraph on 大型企业 answers without saying 最长, and
    # the limit of the other paragraph (机关、事业单位…最长不得超过六十日) is another case, not a companion
    a = ask(payment, "大型企业付款期限最长多少天？")
    assert a.answered and a.kind == "figure"
    assert a.answer.splitlines()[0] == "《湖南省企业款项支付办法》第二条：大型企业从中小企业采购货物、服务，应当自交付之日起六十日内支付款项；[1]"
    assert [c.quote for c in a.citations] == ["大型企业从中小企业采购货物、服务，应当自交付之日起六十日内支付款项；"]
    # and the other way round: the 大型企业 paragraph's sixty days is no companion of the 机关 rule
    b = ask(payment, "机关、事业单位多少天内要付款？")
    assert [c.quote for c in b.citations] == ["第二条 机关、事业单位从企业采购货物、服务，应当自交付之日起三十日内支付款项；"]


def test_a_question_off_the_documents_subject_is_refused_without_nearest_clauses(payment):
    a = ask(payment, "今天长沙天气怎么样？")
    assert not a.answered and a.related == ()
    assert a.answer == ("文件中没有找到能回答这个问题的规定（与现有条款的内容相差较远）。"
                        "收录的文件中也没有与它相关的条款；本助手只回答收录文件里的问题。")
    near = ask(payment, "企业付款可以用商业汇票吗？")  # near the documents: their nearest clauses are offered
    assert not near.answered and near.related and near.answer.endswith("以下是最接近的条款，供您核对。")


def test_the_superlative_of_the_asked_quantity_does_not_choose_the_sentence(payment):
    from app.qa import _topic_tokens

    query = assess(payment.searcher, "大型企业付款期限最长多少天？").query
    assert "最长" in query.tokens and "最长" not in _topic_tokens(query)
    assert _topic_tokens(query) == [t for t in query.tokens if t != "最长"]  # the subject stays


def test_how_often_an_act_is_done_needs_a_sentence_with_both(regulations):
    # 每三个月 is how often the provider reports, not how often anyone inspects it
    a = ask(regulations, "数据服务提供者多久报告一次？")
    assert a.answered and "每三个月" in a.answer
    refused = assess(regulations.searcher, "主管部门多久检查一次数据服务提供者？")
    assert refused.problem == "文件没有写明检查的频次"
