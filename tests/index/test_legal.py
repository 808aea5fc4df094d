"""Law-level evidence (index/legal.py) on hand-made clause scores."""

from __future__ import annotations

import numpy as np
import pytest

from index.legal import LawEvidence


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
