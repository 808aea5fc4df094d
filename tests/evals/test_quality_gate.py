"""Quality gate: the real model over corpus/, our side of the gold-set evaluation, and the bars it must clear."""

from __future__ import annotations

import pytest

from evals.run import OURS

GATES = {  # figure in the overall summary -> lowest acceptable value
    "hit@1": 0.95,
    "answer_acc": 0.90,
    "refusal_acc": 0.85,
}


@pytest.mark.slow
def test_quality_gate(real_embedder):
    from app.service import Service
    from app.settings import Settings
    from evals.cli import DEFAULT_GOLD
    from evals.metrics import load_gold
    from evals.run import run_eval

    svc = Service(Settings.from_env(), embedder=real_embedder)  # POLICYQA_DATA_DIR: the test's temp folder
    report, meta = svc.ingest()
    assert report.documents >= 1 and meta is not None
    items = load_gold(DEFAULT_GOLD)
    result = run_eval(svc, items, baselines=None, k=5)
    assert result["missing_gold_ids"] == []

    ours = result["summary"]["overall"]["systems"][OURS]
    figures = ", ".join(f"{key} {ours[key]:.3f}" for key in GATES)
    failures = [f"{key} {ours[key]:.3f} < {bar}" for key, bar in GATES.items() if ours[key] < bar]
    bad_citations = [
        (r["id"], cid) for r in result["rows"] for cid in r["answer"]["unverifiable"]
    ]
    if bad_citations:
        failures.append(f"{len(bad_citations)} unverifiable citations, e.g. {bad_citations[:3]}")
    errors = [(r["id"], r["answer"]["error"]) for r in result["rows"] if r["answer"].get("error")]
    if errors:
        failures.append(f"{len(errors)} questions raised, e.g. {errors[:2]}")
    failed_ids = [r["id"] for r in result["rows"] if not r["pass"]]
    assert not failures, f"quality gate: {'; '.join(failures)} (all: {figures}; failing questions: {failed_ids})"
