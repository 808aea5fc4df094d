"""Tokenizer: the corpus's own words, other names of bodies, traditional input, stop words."""

from __future__ import annotations

import pytest

from index.tokenizer import Tokenizer, corpus_words, fold, normalize_query
from ingest.loaders import load_file
from ingest.records import Document, ParsedDocument
from ingest.structure import split_clauses
from tests.conftest import GUIDELINE, GUIDELINE_ID


@pytest.fixture(scope="module")
def parsed():
    _, _, _, clauses = split_clauses(GUIDELINE_ID, load_file(GUIDELINE).blocks)
    doc = Document(id=GUIDELINE_ID, title="江苏省人民政府关于加快互联网平台经济发展的指导意见", source="g.txt",
                   sha="", text="", format="txt", encoding="utf-8")
    return ParsedDocument(document=doc, clauses=tuple(clauses))


@pytest.fixture(scope="module")
def tokenizer(parsed):
    return Tokenizer(corpus_words([parsed]))


def test_corpus_words_hold_departments_and_named_enterprises(parsed):
    words = set(corpus_words([parsed]))
    assert {"省统计局", "统计局", "人民银行南京分行", "江苏铁塔", "经济和信息化委"} <= words
    assert {"苏宁易购", "中国制造网", "途牛旅游网", "汇通达", "买卖宝"} <= words
    assert {"宽带江苏", "互联网+", "智慧江苏"} <= words


@pytest.mark.parametrize(
    "query, added",
    [
        ("发改委负责什么", {"发展改革委", "发展和改革委员会"}),
        ("市场监管局负责哪些任务", {"工商局", "市场监督管理局"}),
        ("工商局负责哪些任务", {"市场监管局", "市场监督管理局"}),
        ("人社厅负责", {"人力资源社会保障厅"}),
        ("金融工作办公室", {"金融办", "地方金融监督管理局"}),
    ],
)
def test_other_names_of_a_body_are_added_never_replace(tokenizer, query, added):
    tokens = tokenizer.tokenize_query(query)
    assert added <= set(tokens)
    assert normalize_query(query) == query  # the user's words stay as typed


def test_traditional_and_full_width_input_is_folded():
    assert normalize_query("經信委負責哪些任務？") == "经信委负责哪些任务?"
    assert fold("ＡＢＣ１５％") == "abc15%"


def test_user_words_stay_whole(tokenizer):
    tokens = tokenizer.tokenize("鼓励和支持苏宁易购、中国制造网等本地优势企业，省经济和信息化委负责")
    assert "苏宁易购" in tokens and "中国制造网" in tokens and "省经济和信息化委" in tokens


def test_domain_list_word_stays_whole(tokenizer):
    assert "个人信息保护" in tokenizer.tokenize("平台的个人信息保护怎么做")


def test_stop_words_and_punctuation_are_dropped(tokenizer):
    assert tokenizer.tokenize("请问，我们的住房补贴怎么办？") == ["住房", "补贴", "住房补贴"]


def test_query_gains_synonyms_and_weights_known_names(tokenizer):
    tokens = tokenizer.tokenize_query("平台项目用地有支持吗")
    assert "土地" in tokens
    assert tokenizer.tokenize_query("中国制造网").count("中国制造网") == 2
    # spoken 删掉 is written 删除
    assert "删除" in tokenizer.tokenize_query("企业要把我的数据删掉吗")
    assert tokenizer.names_of("删掉") == ("删掉", "删除")


@pytest.mark.parametrize("question, gained", [
    ("个体户能不能做这门生意", ["工商", "商户", "工商户", "个体工商户"]),
    ("面单上的电话要打码吗", ["匿名", "匿名化", "标识", "去标识化"]),
    ("能不能把几项许可证一起申请", ["同时", "申办", "一并", "办理"]),
    ("小公司能拿到补贴吗", ["扶持", "补助", "奖励", "企业", "企业", "小微企业", "中小", "企业", "小企业", "中小企业"]),
    ("商家用大数据杀熟合法吗", ["经营", "经营者", "商户", "差别", "待遇", "差别待遇"]),
    ("急救App能直接推送定位吗", ["应用", "程序", "应用程序"]),
    ("我的损失还能要它赔吗", ["赔偿", "损害"]),
])
def test_everyday_words_gain_the_words_laws_use(tokenizer, question, gained):
    own = tokenizer.tokenize(question)
    assert [t for t in tokenizer.tokenize_query(question) if t not in own] == gained


def test_a_common_term_gains_nothing_from_an_everyday_word_inside_it(tokenizer):
    # 中小企业 holds 小企业, no key of the table: a question about it is not widened to 小微企业
    assert tokenizer.tokenize_query("中小企业划型标准") == tokenizer.tokenize("中小企业划型标准") + ["中小企业"]


def test_dictionary_hash_depends_on_words():
    assert Tokenizer(["甲乙丙"]).dictionary_hash != Tokenizer(["甲乙丁"]).dictionary_hash
    assert Tokenizer(["甲乙丙"]).dictionary_hash == Tokenizer(["甲乙丙"]).dictionary_hash


def test_places_found_by_part_of_speech(tokenizer):
    assert tokenizer.places("浙江省对平台经济有什么政策") == ["浙江省"]


@pytest.mark.parametrize(
    "text, plain, checked",
    [
        # jieba's HMM glues a noun's last character to the next word: no topic the user named
        ("平台经济集聚区能不能享受省级政策？", ["平台经济", "区能", "政策"], ["平台经济", "政策"]),
        ("在三轮车驾驶室里塞包裹", ["三轮车", "驾驶室", "里塞"], ["三轮车", "驾驶室"]),
        # a new word the corpus says stays
        ("跑网约车的平台从业人员", ["网约车", "平台"], ["网约车", "平台"]),
    ],
)
def test_nouns_drop_hmm_guesses_the_corpus_does_not_say(text, plain, checked):
    tok = Tokenizer()
    assert tok.nouns(text) == plain
    assert tok.nouns(text, known=lambda w: w == "网约车") == checked


def test_a_noun_starting_with_ge_is_a_noun_and_a_glued_particle_is_not():
    # 开了个 is a noun in jieba's dictionary; 个人数据 (a term the corpus defines) and 个体工商户 are nouns
    tok = Tokenizer(["个人数据"])
    assert tok.nouns("快递公司新开了个末端网点") == ["公司", "网点"]
    assert tok.nouns("非法收集个人数据罚多少") == ["个人数据"]
    assert tok.nouns("个体工商户能申请吗") == ["个体工商户"]


def test_a_word_jieba_cut_wrongly_for_the_corpus_is_read_as_the_corpus_word(tokenizer):
    # jieba cuts 建工|会; a corpus that says 工会 (and never 建工) meant that
    corpus = {"快递", "企业", "工会", "组织"}
    assert tokenizer.misread("快递企业建工会", lambda w: w in corpus) == {"建工": ["工会"]}
    # a word the corpus says is no misreading, whatever overlaps it
    assert tokenizer.misread("快递企业建工会", lambda w: w in corpus | {"建工"}) == {}


def test_a_member_of_a_collective_name_asks_about_that_name_too():
    tok = Tokenizer()
    tok.learn_collectives({"邮件": ["任何单位不得利用信函、包件、画册以及其他寄递物品"],
                           "公共服务单位": ["供水、供电等提供公共服务的组织"],  # examples of something else
                           "单位": ["国家机关、企业和社会团体"]})  # 企业 is too general to stand for it
    assert tok._collective == {"信函": ("邮件",), "包件": ("邮件",), "画册": ("邮件",), "寄递物品": ("邮件",),
                               "国家机关": ("单位",), "社会团体": ("单位",)}
    own = tok.tokenize("包件丢了找谁")
    assert [t for t in tok.tokenize_query("包件丢了找谁") if t not in own] == ["丢失", "遗失", "邮件"]
    assert tok.names_of("包件") == ("包件", "邮件")  # a clause that says 邮件 says the 包件 asked about


def test_everyday_words_for_damage_add_the_words_laws_use():
    tok = Tokenizer()
    own = tok.tokenize("快递把我的货弄坏了")
    assert [t for t in tok.tokenize_query("快递把我的货弄坏了") if t not in own] == ["损坏", "损毁"]
    assert tok.names_of("摔坏") == ("摔坏", "损坏", "损毁")


def test_a_contraction_learnt_from_the_corpus_is_another_name_of_the_word():
    tok = Tokenizer()
    tok.learn_expansion("小微企业", ("小型微型企业",))
    assert tok.names_of("小微企业") == ("小微企业", "小型微型企业")
