"""The answerability fit: separable data is separated; the weights are for raw features."""

from __future__ import annotations

from app.answerability import FEATURES
from evals.calibrate import fit


def row(similarity, coverage, about=1.0, known=1.0, structural=0.0, in_region=1.0):
    return dict(zip(FEATURES, (similarity, coverage, about, known, structural, in_region)))


def test_fit_separates_answerable_from_not_on_raw_features():
    xs = [row(0.85, 0.9), row(0.84, 0.8), row(0.83, 0.7), row(0.86, 0.95),
          row(0.70, 0.2, about=0.0), row(0.72, 0.3, about=0.5), row(0.69, 0.1, about=0.0, known=0.5)]
    ys = [1, 1, 1, 1, 0, 0, 0]
    cal = fit(xs, ys)
    assert cal["dev_balanced_accuracy"] == 1.0 and cal["n"] == 7
    z = [cal["bias"] + sum(w * x[n] for w, n in zip(cal["weights"], FEATURES)) for x in xs]
    assert [int(v >= 0) for v in z] == ys
    assert cal["weights"][FEATURES.index("similarity")] > 0 and cal["weights"][FEATURES.index("coverage")] > 0


def test_questions_the_hard_rules_refused_count_in_the_balance():
    # An answerable and an unanswerable question with the same features: a threshold answers both or
    # refuses both.
    xs = [row(0.85, 0.9), row(0.84, 0.8), row(0.83, 0.7), row(0.71, 0.25, about=0.5),
          row(0.70, 0.2, about=0.0), row(0.71, 0.25, about=0.5)]
    ys = [1, 1, 1, 1, 0, 0]

    def answered(cal):
        return [int(cal["bias"] + sum(w * x[n] for w, n in zip(cal["weights"], FEATURES)) >= 0) for x in xs]

    # Scored alone, the unanswerable one is half of its class: both are refused (3/4 and 2/2).
    alone = fit(xs, ys)
    assert answered(alone) == [1, 1, 1, 0, 0, 0] and alone["dev_balanced_accuracy"] == 0.875
    # With twenty unanswerable questions already refused by the hard rules, it is one of 22: both are
    # answered (4/4 and 21/22).
    with_rules = fit(xs, ys, refused_pos=0, refused_neg=20)
    assert answered(with_rules) == [1, 1, 1, 1, 0, 1] and with_rules["dev_balanced_accuracy"] == 0.9773
    assert with_rules["refused_by_rules"] == {"answerable": 0, "unanswerable": 20}
