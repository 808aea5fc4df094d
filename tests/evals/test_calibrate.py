"""The answerability fit: separable data is separated; the weights are for raw features; held-out
figures (k-fold, leave one set out) see what in-sample figures hide."""

from __future__ import annotations

from app.answerability import FEATURES
from evals.calibrate import cross_validate, fit, judge, leave_one_set_out


def row(similarity, coverage, about=1.0, structural=0.0, typed=0.0, long=0.3):
    f = dict(zip(FEATURES, (similarity, coverage, about, structural, typed, long)))
    assert len(f) == len(FEATURES)
    return f


def test_fit_separates_answerable_from_not_on_raw_features():
    xs = [row(0.85, 0.9), row(0.84, 0.8), row(0.83, 0.7), row(0.86, 0.95),
          row(0.70, 0.2, about=0.0), row(0.72, 0.3, about=0.5), row(0.69, 0.1, about=0.0)]
    ys = [1, 1, 1, 1, 0, 0, 0]
    cal = fit(xs, ys)
    assert cal["dev_balanced_accuracy"] == 1.0 and cal["n"] == 7
    z = [cal["bias"] + sum(w * x[n] for w, n in zip(cal["weights"], FEATURES)) for x in xs]
    assert [int(v >= 0) for v in z] == ys
    assert cal["weights"][FEATURES.index("evidence_similarity")] > 0 and cal["weights"][FEATURES.index("coverage")] > 0


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


def test_judge_counts_the_rules_refusals_in_both_classes():
    # Scored: an answerable question answered, one refused, an unanswerable one answered, one refused;
    # the rules refused one more answerable and two more unanswerable questions.
    figures = judge([True, False, True, False], [1, 1, 0, 0], refused_pos=1, refused_neg=2)
    assert figures == {"balanced_accuracy": 0.5417, "refusal_accuracy": 0.75, "answer_loss": 0.6667}


def _jittered(n, similarity, coverage, about=1.0):
    return [row(similarity + 0.01 * (i % 3), coverage - 0.02 * (i % 4), about) for i in range(n)]


def test_held_out_figures_of_separable_data_are_perfect():
    xs = _jittered(10, 0.84, 0.85) + _jittered(5, 0.70, 0.20, about=0.0)
    ys = [1] * 10 + [0] * 5
    assert cross_validate(xs, ys) == {"balanced_accuracy": 1.0, "refusal_accuracy": 1.0, "answer_loss": 0.0,
                                      "folds": 5, "repeats": 10}


def test_an_unanswerable_question_like_the_answerable_ones_is_answered_when_held_out():
    # In-sample its label pulls the boundary toward it; held out, nothing in the other folds says
    # that such a question is unanswerable: one of five unanswerable questions answered, every time.
    xs = _jittered(10, 0.84, 0.85) + _jittered(4, 0.70, 0.20, about=0.0) + [row(0.85, 0.84)]
    ys = [1] * 10 + [0] * 5
    assert cross_validate(xs, ys) == {"balanced_accuracy": 0.9, "refusal_accuracy": 0.8, "answer_loss": 0.0,
                                      "folds": 5, "repeats": 10}


def test_leave_one_set_out_judges_each_set_by_a_fit_on_the_others():
    # In set a the unanswerable questions cover little of the question; in set b they cover it all but
    # miss the noun asked about. Each set's fit learns its own signal and refuses none of the other
    # set's scored unanswerable questions (b's one refusal is the rules').
    a = (_jittered(6, 0.84, 0.85) + _jittered(3, 0.84, 0.20), [1] * 6 + [0] * 3, 0, 0)
    b = (_jittered(6, 0.84, 0.85) + _jittered(3, 0.84, 0.85, about=0.0), [1] * 6 + [0] * 3, 0, 1)
    out = leave_one_set_out({"a": a, "b": b})
    assert out == {"a": {"balanced_accuracy": 0.5, "refusal_accuracy": 0.0, "answer_loss": 0.0},
                   "b": {"balanced_accuracy": 0.625, "refusal_accuracy": 0.25, "answer_loss": 0.0}}
