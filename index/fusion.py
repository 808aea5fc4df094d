"""Fusion of several clause rankings into one: reciprocal rank (the default) or relative score.

Our own implementation, with a reason. These are the formulas of llama-index's
QueryFusionRetriever (modes "reciprocal_rerank" and "relative_score", one query, equal retriever
weights), which this project used first. Going through that class costs ~0.8 ms per search (each
clause wrapped as a pydantic NodeWithScore, a retriever object per ranking, instrumentation events
per call) against ~0.01 ms for the same sums here (`python -m evals.components`): a fifth of a warm
search, whose budget is one forward pass of the int8 query model (~2 ms). `tests/index/test_fusion.py` runs llama-index's class on the same rankings and checks that
both give the same clauses, in the same order, with the same scores.
"""

from __future__ import annotations

from typing import Protocol, Sequence

RRF_K = 60.0  # Cormack et al. 2009, and llama-index's constant


class Ranking(Protocol):
    """One retriever's answer: clause ids best first, and its own scores for them (BM25, cosine)."""

    ids: list[str]
    scores: dict[str, float]


def reciprocal_rank(rankings: Sequence[Ranking], top_k: int, k: float = RRF_K,
                    weights: Sequence[float] | None = None) -> list[tuple[str, float]]:
    """Sum of weight / (k + rank) over the rankings that hold a clause (rank counted from 0; each
    ranking's weight 1 unless given, as in llama-index). Reads only the order, so scores on
    different scales (BM25, cosine) need no calibration. Ties keep the order in which clauses were
    first seen, rankings taken in the order given."""
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, cid in enumerate(ranking.ids):
            fused[cid] = fused.get(cid, 0.0) + weight / (rank + k)
    return sorted(fused.items(), key=lambda x: x[1], reverse=True)[:top_k]


def relative_score(rankings: Sequence[Ranking], top_k: int,
                   weights: Sequence[float] | None = None) -> list[tuple[str, float]]:
    """Each ranking's scores min-max scaled to [0, 1] and weighted by its share of the weights
    (1/len(rankings) each unless given), summed per clause. Unlike rank fusion it sees how far
    ahead a clause is, not only that it is ahead."""
    weights = list(weights or [1.0] * len(rankings))
    total = sum(weights) or 1.0
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, (w / total for w in weights)):
        scores = [ranking.scores[cid] for cid in ranking.ids]
        if not scores:
            continue
        lo, hi = min(scores), max(scores)
        for cid, s in zip(ranking.ids, scores):
            scaled = (1.0 if hi > 0 else 0.0) if hi == lo else (s - lo) / (hi - lo)
            fused[cid] = fused.get(cid, 0.0) + scaled * weight
    return sorted(fused.items(), key=lambda x: x[1], reverse=True)[:top_k]


FUSIONS = {"rrf": reciprocal_rank, "relative": relative_score}
