"""Legal-question retrieval components (index/legal.py) on hand-made tokens and scores."""

from __future__ import annotations

import numpy as np
import pytest

from index.legal import CONSULTATION_WORDS, LEGAL_TERMS, LawEvidence, LegalQuery


def split(text: str) -> list[str]:
    return text.split()


@pytest.mark.parametrize("question, tokens", [
    ("请问 老板 拖欠 工资 怎么办", ["老板", "拖欠", "工资", "用人单位", "劳动报酬"]),
    ("我 可以 要求 赔偿 吗", ["可以", "要求", "赔偿"]),
    ("合同 无效", ["合同", "无效"]),
])
def test_legal_query_drops_asking_words_and_adds_legal_wording(question, tokens):
    assert LegalQuery(split).run(question) == tokens


def test_legal_query_tables_can_be_replaced():
    assert LegalQuery(split, drop=frozenset(), equivalents={}).run("请问 老板") == ["请问", "老板"]


def test_the_tables_hold_no_empty_or_self_equivalent_entries():
    assert all(w and terms and w not in terms for w, terms in LEGAL_TERMS.items())
    assert all(w.strip() == w and w for w in CONSULTATION_WORDS)


def test_law_evidence_lifts_the_clauses_of_the_law_with_most_evidence():
    # Clauses 0-2 belong to law a, 3-4 to law b. b's clause 3 is the best single clause, but a's
    # clauses together hold more of the question.
    evidence = LawEvidence.of(["a", "a", "a", "b", "b"], weight=1.0)
    scores = np.array([3.0, 3.0, 0.0, 4.0, 0.0])
    got = evidence.run(scores)
    # law a: 6 (best, scaled 1.0), law b: 4 (scaled 2/3); clause 2 and 4 match nothing: stay 0.
    assert got.tolist() == pytest.approx([0.75 + 1.0, 0.75 + 1.0, 0.0, 1.0 + 2 / 3, 0.0])
    assert np.argsort(-got, kind="stable")[:3].tolist() == [0, 1, 3]


def test_law_evidence_with_no_weight_or_no_match_changes_nothing():
    scores = np.array([1.0, 2.0])
    assert LawEvidence.of(["a", "b"], weight=0.0).run(scores) is scores
    assert LawEvidence.of(["a", "b"]).run(np.zeros(2)).tolist() == [0.0, 0.0]
