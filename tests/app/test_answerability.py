"""One answerability decision: the calibration of the model in use, the default for others, and
refusals that name only what the user asked about."""

from __future__ import annotations

import json

import pytest

from app import answerability
from app.answerability import DEFAULT, calibration, common_words, contains, score
from app.qa import answer_question
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
    f = {"similarity": 0.85, "coverage": 0.2, "about": 1.0, "known": 1.0, "structural": 0.0, "in_region": 1.0}
    assert calibration("m-a")["bias"] == -8.0
    assert score("m-a", f) > 0.5  # 10 * 0.85 - 8 > 0
    assert calibration("m-b") == DEFAULT
    assert score("m-b", f) < 0.5  # words alone: coverage 0.2 is too little


def test_the_shipped_calibration_names_its_features_and_split():
    shipped = json.loads(answerability.CALIBRATION_FILE.read_text(encoding="utf-8"))
    for model, cal in shipped.items():
        assert cal["features"] == list(answerability.FEATURES)
        assert len(cal["weights"]) == len(answerability.FEATURES)
        assert cal["calibrated_on"].startswith("dev splits of ")


def _features(svc, question):
    from app.answerability import features
    from app.qa import assess, grounds, grounds_docs

    a = assess(svc.searcher, question)
    return features(svc.searcher, a.query, a.draft.kind, grounds(a.draft), a.hits, grounds_docs(a.draft))


def test_evidence_from_outside_the_region_asked_about_is_a_feature_and_a_reason(regulations, tmp_path, monkeypatch):
    # Only the national regulation says how often; the question names 江西, whose regulation does not.
    assert _features(regulations, "江西的数据服务提供者多久报告一次？")["in_region"] == 0.0
    assert _features(regulations, "数据服务提供者多久报告一次？")["in_region"] == 1.0
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({"fake-bigram": {"weights": [0, 0, 0, 0, 0, 10.0], "bias": -5.0}}), encoding="utf-8")
    monkeypatch.setattr(answerability, "CALIBRATION_FILE", path)
    calibration.cache_clear()
    try:
        a = answer_question(regulations.searcher, "江西的数据服务提供者多久报告一次？")
    finally:
        calibration.cache_clear()
    assert not a.answered
    assert a.answer == ("文件中没有找到能回答这个问题的规定（“江西”的文件没有相关规定，只有全国适用的文件提到）。"
                        "以下是最接近的条款，供您核对。")


def test_an_everyday_word_the_documents_never_use_does_not_count_as_unknown(regulations):
    # 客户 is an everyday word (the law says 用户); 增值税 is a term the documents never mention.
    assert "客户" in common_words() and "增值税" not in common_words()
    assert _features(regulations, "江西快递企业能泄露客户的信息吗？")["known"] == 1.0
    assert _features(regulations, "江西快递企业能泄露用户的增值税发票吗？")["known"] == 0.0


@pytest.mark.parametrize("text, word, held", [
    ("负责快递业促进和监督管理工作", "监管", True),  # 监督管理, shortened as officialese does
    ("加强生态环境保护", "环保", True),
    ("减按15%的税率征收企业所得税", "税率", True),
    ("落实税收优惠政策", "税率", False),  # 税 and 率 are not one term's characters here
    ("企业所得税", "增值", False),
])
def test_a_two_character_word_is_found_written_out(text, word, held):
    assert contains(text, word) is held
