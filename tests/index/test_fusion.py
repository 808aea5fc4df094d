import random
from dataclasses import dataclass

import pytest

from evals.baselines import llama_index_fuse
from index.fusion import RRF_K, reciprocal_rank, relative_score


@dataclass(frozen=True)
class R:
    ids: list[str]
    scores: dict[str, float]


def ranked(*pairs: tuple[str, float]) -> R:
    return R([c for c, _ in pairs], dict(pairs))


KEYWORD = ranked(("a", 9.0), ("b", 5.0), ("c", 1.0))
DENSE = ranked(("b", 0.9), ("d", 0.8), ("a", 0.5))


def test_reciprocal_rank_exact():
    got = reciprocal_rank([KEYWORD, DENSE], top_k=10)
    assert got == [
        ("b", 1 / 61 + 1 / 60),
        ("a", 1 / 60 + 1 / 62),
        ("d", 1 / 61),
        ("c", 1 / 62),
    ]
    assert reciprocal_rank([KEYWORD, DENSE], top_k=2) == got[:2]


def test_reciprocal_rank_ties_keep_first_seen_order():
    # "x" and "y" each lead one ranking: equal scores, the first ranking's clause first.
    assert reciprocal_rank([ranked(("x", 1.0)), ranked(("y", 1.0))], top_k=5) == [("x", 1 / 60), ("y", 1 / 60)]


def test_relative_score_exact():
    got = relative_score([KEYWORD, DENSE], top_k=10)
    # keyword scaled: a 1, b 0.5, c 0; dense scaled: b 1, d 0.75, a 0; each weighted 1/2.
    assert [c for c, _ in got] == ["b", "a", "d", "c"]
    assert [round(s, 6) for _, s in got] == [0.75, 0.5, 0.375, 0.0]


def test_relative_score_single_score_and_empty():
    assert relative_score([ranked(("a", 3.0)), R([], {})], top_k=5) == [("a", 0.5)]
    assert relative_score([ranked(("a", 0.0))], top_k=5) == [("a", 0.0)]
    assert relative_score([], top_k=5) == []
    assert reciprocal_rank([], top_k=5) == []


def test_constant_is_the_papers():
    assert RRF_K == 60.0


# -- the same results as llama-index's QueryFusionRetriever, which index/fusion.py replaces ------
def _random_rankings(rng: random.Random) -> list[R]:
    pool = [f"c{i}" for i in range(rng.randint(3, 40))]
    out = []
    for _ in range(rng.randint(2, 4)):
        ids = rng.sample(pool, rng.randint(1, len(pool)))
        # descending scores, with ties now and then (as BM25 gives)
        scores, s = {}, rng.uniform(5, 20)
        for c in ids:
            scores[c] = round(s, 1)
            s -= rng.choice([0.0, rng.uniform(0.1, 3.0)])
        out.append(R(ids, scores))
    return out


@pytest.mark.parametrize("mode,ours", [("reciprocal_rerank", reciprocal_rank), ("relative_score", relative_score)])
def test_same_as_llama_index_fusion(mode, ours):
    rng = random.Random(7)
    for _ in range(200):
        rankings = _random_rankings(rng)
        top_k = rng.choice([1, 5, 10, 100])
        expected = llama_index_fuse(rankings, mode, top_k)
        got = ours(rankings, top_k)
        assert [c for c, _ in got] == [c for c, _ in expected]
        assert [s for _, s in got] == pytest.approx([s for _, s in expected], rel=1e-12)


def test_weighted_fusion_exact():
    assert reciprocal_rank([KEYWORD, DENSE], top_k=10, weights=[1.0, 2.0]) == [
        ("b", 1 / 61 + 2 / 60),
        ("a", 1 / 60 + 2 / 62),
        ("d", 2 / 61),
        ("c", 1 / 62),
    ]
    # relative: each ranking's share of the weights (equal weights: 1/2 each, as without weights)
    assert relative_score([KEYWORD, DENSE], top_k=10, weights=[1.0, 1.0]) == relative_score([KEYWORD, DENSE], top_k=10)
    got = dict(relative_score([KEYWORD, DENSE], top_k=10, weights=[1.0, 3.0]))
    assert got == pytest.approx({"b": 0.25 * 0.5 + 0.75 * 1.0, "a": 0.25 * 1.0, "d": 0.75 * 0.75, "c": 0.0})
