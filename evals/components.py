"""Where a warm search's time goes, stage by stage, on an existing index:

    python -m evals.components [--data-dir DIR] [--gold evals/gold/guideline.jsonl] [--rounds 2]

Every stage runs over the gold questions after one warm-up call, in this one process, and prints
its p50 and p95 in ms:

- the question's forward pass: `SentenceTransformer.encode` on the fp32 model (what llama-index's
  HuggingFaceEmbedding does for the naive baseline), our direct fp32 path, our int8 query model;
  all on the embedder's model thread;
- one Chroma query (DENSE_UNITS units), jieba + BM25 at both levels, fusion by index/fusion.py and
  by llama-index's QueryFusionRetriever on the same rankings;
- a whole search done as `Searcher.search` does it (embed, then the keyword work) and with the
  embedding running in a pool thread beside the keyword work;
- first, how close the query model's vectors are to the fp32 model's (cosine, min and mean);
- last, because it leaves a second OpenMP team behind: the int8 model's encode called from this
  thread after the model thread has run it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from evals.metrics import percentile

DEFAULT_GOLD = Path(__file__).resolve().parent / "gold" / "guideline.jsonl"


def timed(fn: Callable[[str], object], questions: list[str], rounds: int) -> tuple[float, float]:
    """(p50, p95) in ms of fn over the questions, after one warm-up call."""
    fn(questions[0])
    ms = []
    for _ in range(rounds):
        for q in questions:
            t0 = time.perf_counter()
            fn(q)
            ms.append((time.perf_counter() - t0) * 1000)
    return percentile(ms, 50), percentile(ms, 95)


def measure(searcher, questions: list[str], rounds: int = 2) -> dict[str, tuple[float, float]]:
    """Stage name -> (p50 ms, p95 ms). `searcher` is an open Searcher with the real embedder."""
    from evals.baselines import llama_index_fuse
    from index.fusion import reciprocal_rank
    from index.tokenizer import normalize_query

    e = searcher.embedder
    allowed = searcher.searchable
    qs = [normalize_query(q) for q in questions]

    def keyword_work(q: str):
        tokens = searcher.tokenizer.tokenize_query(q)
        searcher.intent(q)
        return searcher.keyword_ranking(tokens, allowed), searcher.sentence_ranking(tokens, allowed)

    vectors, rankings = {}, {}
    for q in qs:  # the vectors the Chroma query and the rankings fusion are timed on, computed once
        vectors[q] = e.encode_query(q)
        kw, sent = keyword_work(q)
        dense = searcher.dense_ranking(searcher.dense_matches(vectors[q], None, None), allowed)
        rankings[q] = [r for r in (kw, sent, dense) if r.ids]

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="components")

    def beside(q: str):
        pending = pool.submit(e.encode_query, q)
        keyword_work(q)
        searcher.dense_matches(pending.result(), None, None)

    def first(q: str):
        v = e.encode_query(q)
        keyword_work(q)
        searcher.dense_matches(v, None, None)

    out = {
        "forward: SentenceTransformer.encode, fp32": timed(
            lambda q: e.call(e.model.encode, [q], normalize_embeddings=True, show_progress_bar=False), qs, rounds),
        "forward: direct path, fp32": timed(lambda q: e.encode_query(q, fp32=True), qs, rounds),
        f"forward: direct path, query model ({e.query_precision})": timed(e.encode_query, qs, rounds),
        "chroma query (after another query, not after a forward pass)": timed(
            lambda q: searcher.dense_matches(vectors[q], None, None), qs, rounds),
        "jieba + BM25 (clauses and sentences)": timed(keyword_work, qs, rounds),
        "fusion: index/fusion.py": timed(lambda q: reciprocal_rank(rankings[q], 5), qs, rounds),
        "fusion: llama-index QueryFusionRetriever": timed(
            lambda q: llama_index_fuse(rankings[q], "reciprocal_rerank", 5), qs, rounds),
        "search stages, embedding first": timed(first, qs, rounds),
        "search stages, embedding beside the keyword work": timed(beside, qs, rounds),
        "whole Searcher.search": timed(lambda q: searcher.search(q, 5), qs, rounds),
    }
    out["forward: query model called from a second thread"] = timed(
        lambda q: e.query_model.encode([q], normalize_embeddings=True, show_progress_bar=False), qs, rounds)
    out["forward: query model on its thread, after that"] = timed(
        lambda q: e.call(e.query_model.encode, [q], normalize_embeddings=True, show_progress_bar=False), qs, rounds)
    pool.shutdown()
    return out


def agreement(embedder, questions: list[str]) -> tuple[float, float]:
    """(min, mean) cosine between each question's query-model vector and its fp32 vector."""
    from index.tokenizer import normalize_query

    cos = [float(embedder.encode_query(q) @ embedder.encode_query(q, fp32=True)) for q in map(normalize_query, questions)]
    return min(cos), sum(cos) / len(cos)


def table(results: dict[str, tuple[float, float]]) -> str:
    lines = ["| stage | p50 ms | p95 ms |", "|---|---:|---:|"]
    lines += [f"| {name} | {p50:.2f} | {p95:.2f} |" for name, (p50, p95) in results.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="data folder with an index (default: POLICYQA_DATA_DIR or data/)")
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="questions to time (JSONL with a 'question' field)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the questions per stage")
    args = parser.parse_args(argv)

    from app.service import Service
    from app.settings import Settings
    from index.build import IndexMissing

    settings = Settings.from_env(data_dir=args.data_dir, progress=False)
    try:
        questions = [json.loads(line)["question"] for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError, KeyError) as e:
        print(f"error: cannot read questions from {args.gold} ({e}); give a JSONL file with a 'question' in each line",
              file=sys.stderr)
        return 2
    if not questions:
        print(f"error: {args.gold} holds no questions", file=sys.stderr)
        return 2
    try:
        searcher = Service(settings).searcher
    except IndexMissing as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    low, mean = agreement(searcher.embedder, questions)
    print(f"cosine of {searcher.embedder.query_precision} to fp32 question vectors: min {low:.3f}, mean {mean:.3f}")
    print(table(measure(searcher, questions, max(1, args.rounds))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
