"""Quality gate: our answers on the held-out **test** split of every gold set, real model, each set on
its own index (evals/sets.py), against the bars of issue 11.

Only figures and counts are printed on failure, never the failing test questions: rules are tuned on
the dev split (`policyqa eval --split dev` lists its failures), and the test split stays unseen.
"""

from __future__ import annotations

import pytest

from evals.run import OURS

# Issue 11's targets for each set's test split. Not all are reached yet (README "Quality"): the
# related-policies set is far below them, guideline-fresh's answers too.
TARGETS: dict[str, dict[str, float]] = {
    "guideline": {"answer_acc": 0.95, "refusal_acc": 0.90},
    "guideline-fresh": {"answer_acc": 0.95, "refusal_acc": 0.90},
    "related-policies": {"answer_acc": 0.90, "refusal_acc": 0.90},
    "related-policies-more": {"answer_acc": 0.90, "refusal_acc": 0.90},  # the same bar as the first batch
    "related-policies-third": {"answer_acc": 0.90, "refusal_acc": 0.90},
    "related-policies-fourth": {"answer_acc": 0.90, "refusal_acc": 0.90},
    "related-policies-fifth": {"answer_acc": 0.90, "refusal_acc": 0.90},
    "related-policies-sixth": {"answer_acc": 0.90, "refusal_acc": 0.90},
}
# What CI holds the system to: the target where it is reached, else the level measured on
# 2026-12-02 at commit 2e457e4 (`policyqa eval`, test splits, answer / refusal: guideline 0.946 /
# 0.947, guideline-fresh 0.848 / 0.929, related-policies 0.840 / 0.800, related-policies-more 0.750 /
# 0.857) less about one or two questions for run-to-run variation (a refusal bar: one unanswerable
# question). Raise these as the system improves; lowering one needs a reason in the commit message.
# Raised 2026-12-03 at abb622f (guideline-fresh 0.891 / 0.929, related-policies-more 0.768 / 0.857,
# related-policies-third 0.642 / 0.667). Raised 2026-12-07 at daec4f0 (guideline 0.959 / 0.947,
# related-policies 0.866 / 0.750, related-policies-more 0.786 / 0.857, fourth 0.754 / 0.722).
# Raised 2026-12-07 at 8683122 (guideline-fresh answers 0.913, fourth answers 0.789); third is at
# 0.627 / 0.611 there (one answer and one refusal fewer than at daec4f0), its bars unchanged.
# Raised 2026-12-08 at the eight-split refit (guideline 0.973 / 0.947, related-policies 0.857 /
# 0.850, more 0.768 / 0.929, third 0.642 / 0.611, fourth 0.807 / 0.778, fifth 0.904 / 0.850).
GATES: dict[str, dict[str, float]] = {  # set -> figure of its test split's overall summary -> lowest value
    "guideline": {"answer_acc": 0.95, "refusal_acc": 0.90},
    # refusals 0.929 -> 0.857 at daec4f0 (one of 14 unanswerable questions): the list question no
    # longer refused for lacking an enumeration, and the refit on six dev splits, net gains elsewhere
    "guideline-fresh": {"answer_acc": 0.89, "refusal_acc": 0.85},
    "related-policies": {"answer_acc": 0.83, "refusal_acc": 0.80},
    # 0.714 / 0.857 at 912c452, before any rule was changed for it (56 / 14 test questions)
    "related-policies-more": {"answer_acc": 0.75, "refusal_acc": 0.85},
    # 0.582 / 0.611 at c87db7a, before any rule was changed for it (67 / 18 test questions)
    "related-policies-third": {"answer_acc": 0.62, "refusal_acc": 0.61},
    # 0.719 / 0.611 at cbad51c, before any rule was changed for it (57 / 18 test questions)
    "related-policies-fourth": {"answer_acc": 0.78, "refusal_acc": 0.72},
    # 0.885 / 0.800 at 9d787c2, before any rule was changed for it (52 / 20 test questions)
    "related-policies-fifth": {"answer_acc": 0.88, "refusal_acc": 0.80},
    # 0.824 / 0.880 at 3780f09, before any rule was changed for it (51 / 25 test questions); 0.843 /
    # 0.800 at the refit that added it to the calibration (two refusals fewer, one answer more)
    "related-policies-sixth": {"answer_acc": 0.82, "refusal_acc": 0.76},
}


def gate_failures(result: dict, bars: dict[str, float]) -> list[str]:
    """What keeps one set's test split (a run_eval result) from passing: a figure under its bar, gold
    that matches no clause, an unverifiable citation, a question that raised."""
    ours = result["summary"]["test"]["overall"]["systems"][OURS]
    failures = [f"{key} {'n/a' if ours.get(key) is None else format(ours[key], '.3f')} < {bar}"
                for key, bar in bars.items() if ours.get(key) is None or ours[key] < bar]
    if missing := result["missing_gold_ids"]:
        failures.append(f"{len(missing)} gold ids match no clause, e.g. {missing[:3]}")
    if ours["unverifiable_citations"]:
        failures.append(f"{ours['unverifiable_citations']} unverifiable citations")
    if errors := sorted({r["answer"]["error"].split(":")[0] for r in result["rows"] if r["answer"].get("error")}):
        failures.append(f"{ours['errors']} questions raised ({', '.join(errors)})")
    return failures


def _result(answer_acc=0.96, refusal_acc=1.0, unverifiable=0, missing=(), error=""):
    ours = {"answer_acc": answer_acc, "refusal_acc": refusal_acc, "unverifiable_citations": unverifiable,
            "errors": int(bool(error))}
    rows = [{"answer": {"error": error} if error else {}}]
    return {"summary": {"test": {"overall": {"systems": {OURS: ours}}}}, "missing_gold_ids": list(missing), "rows": rows}


@pytest.mark.parametrize(
    "result, failures",
    [
        (_result(), []),
        (_result(answer_acc=0.949), ["answer_acc 0.949 < 0.95"]),
        (_result(refusal_acc=0.5, unverifiable=2), ["refusal_acc 0.500 < 0.9", "2 unverifiable citations"]),
        (_result(missing=["d#第九条"]), ["1 gold ids match no clause, e.g. ['d#第九条']"]),
        (_result(error="KeyError: 'x'"), ["1 questions raised (KeyError)"]),
        (_result(refusal_acc=None), ["refusal_acc n/a < 0.9"]),  # a test split without unanswerable questions
    ],
)
def test_gate_failures(result, failures):
    assert gate_failures(result, GATES["guideline"]) == failures


def test_every_gold_set_has_a_gate_no_higher_than_its_target():
    from evals.sets import SETS

    assert set(GATES) == set(TARGETS) == {s.name for s in SETS}
    assert all(GATES[n][k] <= TARGETS[n][k] for n in GATES for k in GATES[n])


@pytest.fixture(scope="session")
def gate_data_root(request):
    """Kept between runs in pytest's cache folder: a set's index is reused when the ingest and index
    code, the corpus and the model are unchanged (evals.sets.open_set), rebuilt otherwise."""
    return request.config.cache.mkdir("policyqa-gate-data")


@pytest.mark.slow
@pytest.mark.parametrize("name", list(GATES))
def test_quality_gate(name, real_embedder, gate_data_root):
    from app.settings import Settings
    from evals.metrics import load_gold
    from evals.run import run_eval, split_items
    from evals.sets import find_set, open_set

    gold_set = find_set(name)
    svc, ingest = open_set(gold_set, Settings.from_env(), gate_data_root, embedder=real_embedder)
    items = split_items(load_gold(gold_set.gold), "test")
    result = run_eval(svc, items, baselines=None, k=5, search=False)  # answers only: half the time

    ours = result["summary"]["test"]["overall"]["systems"][OURS]
    figures = (f"answer_acc {ours['answer_acc']:.3f}, refusal_acc {ours['refusal_acc']:.3f}, "
               f"citation precision {ours['citation_precision']:.3f}; {len(items)} test questions; "
               f"ingest {ingest['seconds']:.0f} s")
    failures = gate_failures(result, GATES[name])
    assert not failures, (f"quality gate, {name} test split: {'; '.join(failures)} ({figures}). "
                          "Study the dev split's failures (`policyqa eval --split dev`), not the test split's.")
