"""One answerability decision: the calibration of the model in use, the default for others, its
features on questions written here, the region rule, and refusals that name only what the user
asked about, in the characters the user typed."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from app import answerability
from app.answerability import DEFAULT, as_typed, calibration, common_words, contains, features, known_share, score
from app.qa import answer_question, assess, grounds
from tests.app.test_qa_regulations import regulations  # noqa: F401 - the fixture, shared


@pytest.fixture
def table(tmp_path, monkeypatch):
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({"m-a": {"weights": [10.0, 0, 0, 0, 0], "bias": -8.0}}), encoding="utf-8")
    monkeypatch.setattr(answerability, "CALIBRATION_FILE", path)
    calibration.cache_clear()
    yield path
    calibration.cache_clear()


def test_each_model_uses_its_own_calibration_and_others_the_default(table):
    f = {"evidence_similarity": 0.85, "coverage": 0.2, "about": 1.0, "structural": 0.0, "typed": 0.0, "long": 0.0}
    assert calibration("m-a")["bias"] == -8.0
    assert score("m-a", f) > 0.5  # 10 * 0.85 - 8 > 0
    assert calibration("m-b") == DEFAULT
    assert score("m-b", f) < 0.5  # words alone: coverage 0.2 is too little


def test_a_calibration_fitted_on_other_features_is_not_misread(table, caplog):
    stale = {"weights": [20.0, 4.0, 4.0, 0.6, 2.0, 9.7], "bias": -30.0, "features": [*answerability.FEATURES, "in_region"]}
    table.write_text(json.dumps({"m-a": stale}), encoding="utf-8")
    calibration.cache_clear()
    assert calibration("m-a") == DEFAULT
    assert "fitted on features" in caplog.text


def test_the_shipped_calibration_names_its_features_and_split():
    shipped = json.loads(answerability.CALIBRATION_FILE.read_text(encoding="utf-8"))
    for model, cal in shipped.items():
        assert cal["features"] == list(answerability.FEATURES)
        assert len(cal["weights"]) == len(answerability.FEATURES)
        assert cal["calibrated_on"].startswith("dev splits of ")


def _features(svc, question):
    a = assess(svc.searcher, question)
    return features(svc.searcher, a.query, a.draft.kind, grounds(a.draft), a.hits)


def _calibrated(tmp_path, monkeypatch, bias):
    """A calibration for the fake embedder that answers everything (bias > 0) or nothing (bias < 0)."""
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({"fake-bigram": {"weights": [0.0] * len(answerability.FEATURES), "bias": bias}}),
                    encoding="utf-8")
    monkeypatch.setattr(answerability, "CALIBRATION_FILE", path)
    calibration.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_calibration():
    yield
    calibration.cache_clear()


def test_features_of_a_question_the_evidence_answers(regulations):
    # 第三条 quotes 网点 and 备案 (about 1.0); of the question's own words only 天 and 内 are not in the
    # quote (天 is in 二十日's clause only as 日). It asks for a period, which the quote holds (typed
    # 1.0), in 7 words of its own (long 7/20).
    f = _features(regulations, "快递企业设立末端网点多少天内备案？")
    assert {k: round(v, 4) for k, v in f.items()} == {
        "evidence_similarity": 0.559, "coverage": 0.9207, "about": 1.0, "structural": 0.0,
        "typed": 1.0, "long": 0.35}


def test_features_of_a_question_about_what_the_corpus_never_mentions(regulations):
    # The quote （二）泄露用户信息 holds 用户 of 用户、增值税、发票 (about 1/3); the corpus has neither
    # 增值税 nor 发票 (known 0.0, what names them in a refusal).
    q = "江西快递企业能泄露用户的增值税发票吗？"
    f = _features(regulations, q)
    assert round(f["about"], 4) == 0.3333 and round(f["coverage"], 4) == 0.4632
    assert known_share(regulations.searcher, assess(regulations.searcher, q).query) == 0.0


def test_evidence_similarity_is_of_the_lead_sentence_quoted_not_of_the_nearest_clause(regulations):
    # The nearest retrieved clause says nothing of whether the quote answers; the quote's first
    # sentence is compared with the question, whatever follows it.
    s = regulations.searcher
    a = assess(s, "快递企业设立末端网点多少天内备案？")
    lead = "经营快递业务的企业应当自末端网点开始办理快递业务之日起二十日内，向所在地邮政管理部门备案。"
    hits = [SimpleNamespace(similarity=v) for v in (0.31, 0.99)]
    f = features(s, a.query, "figure", lead + "快递企业应当遵守安全规定。", hits)
    assert f["evidence_similarity"] == s.text_similarity(a.query, lead)
    assert f["evidence_similarity"] != s.text_similarity(a.query, lead + "快递企业应当遵守安全规定。")
    assert 0.0 < f["evidence_similarity"] < 0.99


def test_evidence_only_from_outside_the_region_asked_about_is_refused_by_rule(regulations, tmp_path, monkeypatch):
    # Only the national regulation says how often; the question names 江西, whose regulation does not.
    # A calibration that would answer anything does not answer it: that is a rule, not a weight.
    _calibrated(tmp_path, monkeypatch, 5.0)
    a = answer_question(regulations.searcher, "江西的数据服务提供者多久报告一次？")
    assert not a.answered
    assert a.answer == ("文件中没有找到能回答这个问题的规定（“江西”的文件没有相关规定，只有全国适用的文件提到）。"
                        "以下是最接近的条款，供您核对。")
    assert answer_question(regulations.searcher, "数据服务提供者多久报告一次？").answered


def test_a_refusal_names_the_words_as_the_user_typed_them(regulations, tmp_path, monkeypatch):
    _calibrated(tmp_path, monkeypatch, -5.0)
    typed = answer_question(regulations.searcher, "江西快遞企業能洩露用戶的增值稅發票嗎？")
    assert typed.answer == "文件中没有找到能回答这个问题的规定（文件未涉及“增值稅”“發票”）。以下是最接近的条款，供您核对。"
    simplified = answer_question(regulations.searcher, "江西快递企业能泄露用户的增值税发票吗？")
    assert simplified.answer == "文件中没有找到能回答这个问题的规定（文件未涉及“增值税”“发票”）。以下是最接近的条款，供您核对。"


def test_a_refusal_does_not_blame_an_everyday_word(regulations, tmp_path, monkeypatch):
    # 老板 is everyday Chinese the documents write otherwise (经营者): it did not make the difference
    _calibrated(tmp_path, monkeypatch, -5.0)
    assert "老板" in common_words()
    a = answer_question(regulations.searcher, "江西快递企业的老板能泄露用户的增值税发票吗？")
    assert a.answer == "文件中没有找到能回答这个问题的规定（文件未涉及“增值税”“发票”）。以下是最接近的条款，供您核对。"
    a = answer_question(regulations.searcher, "江西快递企业的老板能泄露用户的信息吗？")
    assert a.answer == "文件中没有找到能回答这个问题的规定（与现有条款的内容相差较远）。以下是最接近的条款，供您核对。"


@pytest.mark.parametrize("text, normalized, word, shown", [
    ("增值稅發票", "增值税发票", "发票", "發票"),
    ("ＡＢ公司的增值税", "ab公司的增值税", "增值税", "增值税"),  # same length after NFKC: positions kept
    ("㍿的增值稅", "株式会社的增值税", "增值税", "增值税"),  # NFKC lengthened it: the folded form
    ("增值稅", "增值税", "营业执照", "营业执照"),  # not in the question: unchanged
])
def test_as_typed(text, normalized, word, shown):
    assert as_typed(SimpleNamespace(text=text, normalized=normalized), word) == shown


def test_an_everyday_word_the_documents_never_use_does_not_count_as_unknown(regulations):
    # 客户 is an everyday word (the law says 用户); 增值税 is a term the documents never mention.
    assert "客户" in common_words() and "增值税" not in common_words()
    s = regulations.searcher
    assert known_share(s, assess(s, "江西快递企业能泄露客户的信息吗？").query) == 1.0
    assert known_share(s, assess(s, "江西快递企业能泄露用户的增值税发票吗？").query) == 0.0


@pytest.mark.parametrize("text, word, held", [
    ("负责快递业促进和监督管理工作", "监管", True),  # 监督管理, shortened as officialese does
    ("加强生态环境保护", "环保", True),
    ("减按15%的税率征收企业所得税", "税率", True),
    ("落实税收优惠政策", "税率", False),  # 税 and 率 are not one term's characters here
    ("企业所得税", "增值", False),
])
def test_a_two_character_word_is_found_written_out(text, word, held):
    assert contains(text, word) is held


def test_coverage_counts_a_word_the_text_says_otherwise():
    from app.answerability import coverage
    from index.tokenizer import Tokenizer

    names = Tokenizer().names_of
    idf = {"专利": 2.0, "贷款": 1.0, "税务局": 1.0}
    text = "开展知识产权质押融资等创新实践"  # 专利 as 知识产权, 贷款 as 融资 (QUERY_SYNONYMS)
    assert coverage(idf, ["专利", "贷款"], text) == 0.0
    assert coverage(idf, ["专利", "贷款"], text, names) == 1.0
    assert coverage(idf, ["税务局"], "税务机关应当精简办税资料", names) == 1.0  # another name of the body


def test_a_refusal_does_not_blame_a_cut_across_two_words(regulations, tmp_path, monkeypatch):
    # jieba cuts 想多拉几单 as 想|多拉|几|单, 多拉 a transliterated name of its dictionary: no word the user meant
    _calibrated(tmp_path, monkeypatch, -5.0)
    s = regulations.searcher
    assert s.tokenizer.person_name("多拉") and not s.tokenizer.person_name("发票")
    a = answer_question(s, "江西的快递员想多拉几单，能不开增值税发票吗？")
    assert "多拉" in s.understand("江西的快递员想多拉几单，能不开增值税发票吗？").salient
    assert a.answer == "文件中没有找到能回答这个问题的规定（文件未涉及“增值税”“发票”）。以下是最接近的条款，供您核对。"


def test_goods_payment_is_the_payment_a_rule_names_otherwise(tmp_path, data_dir, fake_embedder):
    # "货款" where the regulation says 款项: no word the corpus lacks, so no refusal blames it
    from app.answerability import unknown_words
    from tests.app.conftest import ingest_texts

    text = "# 某省款项支付条例\n\n<!-- INFO END -->\n\n第一条 大型企业应当自货物交付之日起六十日内支付款项。\n"
    svc = ingest_texts(tmp_path / "pay", data_dir, fake_embedder, {"某省款项支付条例(2024-01-01).md": text})
    s = svc.searcher
    assert unknown_words(s, s.understand("大企业拖欠货款最长多久？")) == []
    assert unknown_words(s, s.understand("大企业拖欠尾款最长多久？")) == ["尾款"]
