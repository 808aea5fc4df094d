"""Fit the answerability decision (app/answerability.py) on the **dev** splits of the gold sets.

    python -m evals.calibrate [--data-root DIR] [--sets a,b] [--write]

For every dev question that no hard rule refuses and no structure settles, the answerer's features
(app/answerability.py FEATURES) are collected with the label "answerable or not"; a logistic
regression (numpy, L2) is fitted and its bias moved to the threshold with the best balanced accuracy
over all dev questions, those the hard rules refused included. With --write the weights are stored in
app/calibration.json under the embedding model's name. Test splits are never read.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np

from app.answerability import CALIBRATION_FILE, FEATURES, features
from app.qa import assess, grounds, grounds_docs, settled
from app.settings import Settings
from evals.metrics import load_gold, split_of
from evals.sets import SETS, find_set, open_set

log = logging.getLogger(__name__)
L2 = 0.01
STEPS = 4000
RATE = 0.5


def collect(svc, items) -> tuple[list[dict], list[int], int, int]:
    """Features and labels of the dev questions a score decides; and how the hard rules did."""
    searcher = svc.searcher
    xs, ys = [], []
    hard_right = hard_wrong = 0
    for item in items:
        a = assess(searcher, item.question)
        if a.problem:
            hard_right += not item.answerable
            hard_wrong += item.answerable
            continue
        if settled(a.query, a.draft):
            continue  # answered on the documents' structure; no score decides it
        xs.append(features(searcher, a.query, a.draft.kind, grounds(a.draft), a.hits, grounds_docs(a.draft)))
        ys.append(int(item.answerable))
    return xs, ys, hard_right, hard_wrong


def fit(xs: list[dict], ys: list[int], refused_pos: int = 0, refused_neg: int = 0) -> dict:
    """Logistic regression (class-balanced, L2) on standardised features by gradient descent, mapped
    back to raw feature weights; then the bias that maximises balanced accuracy.

    Balanced over every dev question, not only the scored ones: `refused_pos` answerable and
    `refused_neg` unanswerable questions were already refused by the hard rules (the first are lost
    whatever the score, the second are right). Each class weighs the same as a whole, so a scored
    unanswerable question weighs as much as it counts in the refusal accuracy, no more."""
    x = np.array([[f[n] for n in FEATURES] for f in xs], dtype=np.float64)
    y = np.array(ys, dtype=np.float64)
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z_x = (x - mean) / std
    w = np.zeros(x.shape[1])
    b = 0.0
    pos = max(1.0, y.sum() + refused_pos)
    neg = max(1.0, len(y) - y.sum() + refused_neg)
    sample_w = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * neg))  # both classes weigh the same
    sample_w = sample_w * len(y) / sample_w.sum()
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-(z_x @ w + b)))
        g = (p - y) * sample_w
        w -= RATE * (z_x.T @ g / len(y) + L2 * w)
        b -= RATE * g.mean()
    raw_w = w / std
    raw_b = b - float((mean / std) @ w)
    z = x @ raw_w + raw_b
    cuts = np.unique(z)
    # Candidate thresholds halfway between neighbouring scores, so no question sits on the boundary.
    candidates = np.concatenate(([cuts[0] - 1.0], (cuts[:-1] + cuts[1:]) / 2, [cuts[-1] + 1.0]))
    best = (-1.0, 0.0)
    for cut in candidates:
        pred = z >= cut
        acc = 0.5 * ((pred & (y == 1)).sum() / pos + ((~pred & (y == 0)).sum() + refused_neg) / neg)
        if acc > best[0]:
            best = (acc, -cut)
    return {"weights": [round(float(v), 4) for v in raw_w], "bias": round(float(raw_b + best[1]), 4),
            "dev_balanced_accuracy": round(float(best[0]), 4), "n": len(y),
            "refused_by_rules": {"answerable": refused_pos, "unanswerable": refused_neg}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", default="results/calibrate-data")
    ap.add_argument("--sets", default=",".join(s.name for s in SETS))
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    settings = Settings.from_env()
    xs: list[dict] = []
    ys: list[int] = []
    refused = [0, 0]  # answerable, unanswerable questions the hard rules refused
    report = {}
    model = None
    for name in args.sets.split(","):
        gold_set = find_set(name)
        svc, _ = open_set(gold_set, settings, Path(args.data_root))
        model = svc.embedder.name
        dev = [i for i in load_gold(gold_set.gold) if split_of(i.id) == "dev"]
        if any(i.refs for i in dev):
            from evals.metrics import resolve_gold

            dev, _ = resolve_gold(dev, svc.searcher.clauses)
        x, y, right, wrong = collect(svc, dev)
        xs += x
        ys += y
        refused[0] += wrong
        refused[1] += right
        report[name] = {"dev": len(dev), "scored": len(y), "refused_by_rules_rightly": right, "refused_by_rules_wrongly": wrong}
    cal = fit(xs, ys, *refused) | {"calibrated_on": "dev splits of " + ", ".join(report), "features": list(FEATURES)}
    print(json.dumps({"model": model, "calibration": cal, "sets": report}, ensure_ascii=False, indent=1))
    if args.write and model:
        table = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8")) if CALIBRATION_FILE.exists() else {}
        table[model] = cal
        CALIBRATION_FILE.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {CALIBRATION_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
