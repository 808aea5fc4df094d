"""Run a gold set through our retrieval and answers and the baselines' retrieval; figures per split
(dev, test and both together) and per question kind.

Each system is a function `(question, k) -> Retrieval`; our answers are a function
`question -> Asked`. Scoring (`score_retrieval`, `score_answer`, `summarize`) is pure, so it is
tested with hand-made data; `run_eval` wires the real service and baselines to it.

Definitions used in the summary (over the items of a group: one kind, or all):
- hit@k, MRR: answerable items; a ranked hit counts when it stands for a gold clause (for a
  baseline passage, see evals/baselines.py for the rule).
- chars/hit: mean characters of the retrieved texts, all items (our hits are whole clauses).
- answer acc: answerable items answered with every fact present (`answer_correct`). For the best
  baseline the "answer" is its top-1 passage, always given; facts are looked for in it.
- citation precision: mean over answerable items that cited something of the share of cited
  clause ids that are gold ids.
- refusal acc: unanswerable items declined (`refusal_correct`); a baseline never declines.
- unverifiable citations: citations whose quote is empty or not a substring of the text of the
  clause its id names in the index.
- latency: wall time per call in milliseconds, after one warm-up call per system. Questions are
  never cached, so search and ask each embed the question.

Gold items that name articles ({doc, article[, item]}) are resolved to clause ids of the index being
evaluated (`metrics.resolve_gold`); a reference that matches no clause is listed under
`missing_gold_ids` and its item scores as a miss.
"""

from __future__ import annotations

import logging
import statistics
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from evals.baselines import MIN_CLAUSE_COVER, ClauseMap
from evals.metrics import (
    KINDS,
    SPLITS,
    GoldItem,
    answer_correct,
    citation_precision,
    facts_present,
    hit_at_k,
    percentile,
    reciprocal_rank,
    refusal_correct,
    resolve_gold,
    split_of,
)

log = logging.getLogger(__name__)

OURS = "ours"
HIT_KS = (1, 3, 5)
ALL = "all"  # both splits together
UNRESOLVED = "<gold reference matched no clause>"  # stands in for the gold of an item whose references all failed


@dataclass(frozen=True)
class Retrieval:
    """One system's ranked hits for a question."""

    covered: tuple[tuple[str, ...], ...]  # for each hit, the clause ids it stands for
    chars: tuple[int, ...]  # characters of each hit's text
    top_text: str  # text of the first hit ("" when nothing was found)
    ms: float


@dataclass(frozen=True)
class Asked:
    """Our answer to a question, reduced to what is scored."""

    answer: str
    answered: bool
    cited: tuple[str, ...]
    unverifiable: tuple[str, ...]  # ids of citations whose quote is not in the clause
    kind: str
    ms: float
    error: str = ""


Retriever = Callable[[str, int], Retrieval]
Asker = Callable[[str], Asked]


# -- scoring (pure) -----------------------------------------------------------------------------
def scoring_ids(covered: Sequence[Sequence[str]], gold: Sequence[str]) -> list[str]:
    """One id per ranked hit for the metric functions: a gold id the hit covers if any, else the
    first id it covers, else a placeholder that matches nothing."""
    wanted = set(gold)
    out = []
    for i, ids in enumerate(covered):
        out.append(next((c for c in ids if c in wanted), ids[0] if ids else f"<hit {i + 1}: no clause>"))
    return out


def score_retrieval(r: Retrieval, item: GoldItem, k: int) -> dict:
    row: dict = {
        "ids": [list(c) for c in r.covered],
        "chars": list(r.chars),
        "ms": round(r.ms, 3),
    }
    if item.answerable:
        gold = list(item.gold) or [UNRESOLVED]
        ids = scoring_ids(r.covered, gold)
        for j in HIT_KS:
            if j <= k:
                row[f"hit@{j}"] = hit_at_k(ids, gold, j)
        row["rr"] = reciprocal_rank(ids, gold)
        row["top1_facts"] = facts_present(r.top_text, [list(f) for f in item.facts])[0]
    return row


def score_answer(a: Asked, item: GoldItem) -> dict:
    row: dict = {
        "text": a.answer,
        "answered": a.answered,
        "kind": a.kind,
        "cited": list(a.cited),
        "unverifiable": list(a.unverifiable),
        "ms": round(a.ms, 3),
    }
    if a.error:
        row["error"] = a.error
    if item.answerable:
        row["correct"] = not a.error and answer_correct(a.answered, a.answer, [list(f) for f in item.facts])
        row["citation_precision"] = citation_precision(list(a.cited), list(item.gold))
    else:
        row["correct"] = not a.error and refusal_correct(a.answered)
    return row


def question_row(item: GoldItem, retrievals: dict[str, Retrieval], asked: Asked | None, k: int) -> dict:
    row = {
        "id": item.id,
        "split": split_of(item.id),
        "kind": item.kind,
        "question": item.question,
        "answerable": item.answerable,
        "gold": list(item.gold),
        **({"refs": [str(r) for r in item.refs]} if item.refs else {}),
        "facts": [list(f) for f in item.facts],
        "retrieval": {name: score_retrieval(r, item, k) for name, r in retrievals.items()},
    }
    if asked is not None:
        row["answer"] = score_answer(asked, item)
        row["pass"] = row["answer"]["correct"]
    return row


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return statistics.fmean(values) if values else None


def _pct(values: list[float], p: float) -> float | None:
    return percentile(values, p) if values else None


def retrieval_figures(rows: Sequence[dict], system: str, k: int) -> dict:
    """Figures of one system's rankings; all None when the system was not searched (answers only)."""
    answerable = [r["retrieval"][system] for r in rows if r["answerable"] and system in r["retrieval"]]
    everything = [r["retrieval"][system] for r in rows if system in r["retrieval"]]
    ms = [x["ms"] for x in everything]
    figures = {f"hit@{j}": _mean(x[f"hit@{j}"] for x in answerable) for j in HIT_KS if j <= k}
    figures.update(
        mrr=_mean(x["rr"] for x in answerable),
        chars_per_hit=_mean(c for x in everything for c in x["chars"]),
        retrieval_p50_ms=_pct(ms, 50),
        retrieval_p95_ms=_pct(ms, 95),
    )
    return figures


def answer_figures(rows: Sequence[dict]) -> dict:
    answerable = [r["answer"] for r in rows if r["answerable"]]
    unanswerable = [r["answer"] for r in rows if not r["answerable"]]
    everything = [r["answer"] for r in rows]
    ms = [a["ms"] for a in everything]
    return {
        "answer_acc": _mean(float(a["correct"]) for a in answerable),
        "citation_precision": _mean(a["citation_precision"] for a in answerable if a["citation_precision"] is not None),
        "refusal_acc": _mean(float(a["correct"]) for a in unanswerable),
        "refused_answerable": sum(1 for a in answerable if not a["answered"]),
        "citations": sum(len(a["cited"]) for a in everything),
        "unverifiable_citations": sum(len(a["unverifiable"]) for a in everything),
        "errors": sum(1 for a in everything if a.get("error")),
        "ask_p50_ms": _pct(ms, 50),
        "ask_p95_ms": _pct(ms, 95),
    }


def top1_answer_figures(rows: Sequence[dict], system: str) -> dict:
    """A baseline "answers" with its top-1 passage: always answered, so it never declines."""
    answerable = [r["retrieval"][system] for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    return {
        "answer_acc": _mean(float(x["top1_facts"]) for x in answerable),
        "refusal_acc": 0.0 if unanswerable else None,
    }


def groups(rows: Sequence[dict]) -> dict[str, list[dict]]:
    """'overall' and then each kind present, in the order of metrics.KINDS."""
    out = {"overall": list(rows)}
    for kind in KINDS:
        if members := [r for r in rows if r["kind"] == kind]:
            out[kind] = members
    for r in rows:  # kinds unknown to KINDS cannot pass load_gold, but hand-made rows may carry them
        out.setdefault(r["kind"], [x for x in rows if x["kind"] == r["kind"]])
    return out


def best_baseline(rows: Sequence[dict], baselines: Sequence[str], k: int) -> str | None:
    """The baseline with the best overall hit@1, then MRR."""
    def key(name: str) -> tuple[float, float]:
        f = retrieval_figures(rows, name, k)
        return (f.get("hit@1") or 0.0, f["mrr"] or 0.0)

    return max(baselines, key=key) if baselines else None


def split_items(items: Sequence[GoldItem], split: str) -> list[GoldItem]:
    """The items of one split ('dev' or 'test'), or all of them ('all')."""
    if split == ALL:
        return list(items)
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of: {', '.join((*SPLITS, ALL))}")
    return [it for it in items if split_of(it.id) == split]


def summarize_splits(rows: Sequence[dict], systems: Sequence[str], k: int, best: str | None) -> dict:
    """{split: summary} for each split that has rows, then 'all' when both have."""
    by_split = {name: [r for r in rows if r["split"] == name] for name in SPLITS}
    out = {name: summarize(members, systems, k, best) for name, members in by_split.items() if members}
    if len(out) > 1:
        out[ALL] = summarize(rows, systems, k, best)
    return out


def summarize(rows: Sequence[dict], systems: Sequence[str], k: int, best: str | None) -> dict:
    """{group: {"n": …, "systems": {name: figures}}}; ours also carries answer figures."""
    out = {}
    for group, members in groups(rows).items():
        figures = {}
        for name in systems:
            f = retrieval_figures(members, name, k)
            if name == OURS and all("answer" in r for r in members):
                f.update(answer_figures(members))
            elif name == best:
                f.update(top1_answer_figures(members, name))
            figures[name] = f
        out[group] = {"n": len(members), "answerable": sum(r["answerable"] for r in members), "systems": figures}
    return out


# -- running ------------------------------------------------------------------------------------
def timed(fn: Callable, *args):
    t0 = time.perf_counter()
    value = fn(*args)
    return value, (time.perf_counter() - t0) * 1000


def evaluate(
    items: Sequence[GoldItem],
    retrievers: dict[str, Retriever],
    asker: Asker | None,
    k: int = 5,
    progress: Callable[[Iterable], Iterable] = lambda it: it,
) -> list[dict]:
    """Per-question rows; every system gets one unmeasured warm-up call first."""
    if items:
        for retrieve in retrievers.values():
            retrieve(items[0].question, k)
        if asker is not None:
            asker(items[0].question)
    rows = []
    for item in progress(items):
        retrievals = {name: retrieve(item.question, k) for name, retrieve in retrievers.items()}
        asked = asker(item.question) if asker is not None else None
        rows.append(question_row(item, retrievals, asked, k))
    return rows


def our_retriever(searcher_of: Callable[[], object]) -> Retriever:
    """Our hybrid search; each hit is one clause."""

    def retrieve(question: str, k: int) -> Retrieval:
        searcher = searcher_of()
        hits, ms = timed(lambda: searcher.search(question, k=k))
        return Retrieval(
            covered=tuple((h.clause.id,) for h in hits),
            chars=tuple(len(h.clause.text) for h in hits),
            top_text=hits[0].clause.text if hits else "",
            ms=ms,
        )

    return retrieve


def baseline_retriever(baseline, clause_map: Callable) -> Retriever:
    def retrieve(question: str, k: int) -> Retrieval:
        passages, ms = timed(baseline.retrieve, question, k)
        return Retrieval(
            covered=tuple(clause_map(p) for p in passages),
            chars=tuple(len(p.text) for p in passages),
            top_text=passages[0].text if passages else "",
            ms=ms,
        )

    return retrieve


def unverifiable(citations, by_id: dict) -> tuple[str, ...]:
    """Ids of citations whose quote is empty or not a substring of the indexed clause's text."""
    out = []
    for c in citations:
        clause = by_id.get(c.clause.id)
        if clause is None or not c.quote or c.quote not in clause.text:
            out.append(c.clause.id)
    return tuple(out)


def our_asker(svc) -> Asker:
    """svc.ask with a fresh Conversation per question; an exception is recorded, not raised."""
    from app.qa import Conversation

    def ask(question: str) -> Asked:
        t0 = time.perf_counter()
        try:
            a = svc.ask(question, Conversation())
        except Exception as e:  # noqa: BLE001 - one broken answer must not hide the other 172 figures
            log.warning("ask failed for %r: %s: %s", question, type(e).__name__, e)
            return Asked("", False, (), (), "", (time.perf_counter() - t0) * 1000, f"{type(e).__name__}: {e}")
        ms = (time.perf_counter() - t0) * 1000
        return Asked(
            answer=a.answer,
            answered=a.answered,
            cited=tuple(c.clause.id for c in a.citations),
            unverifiable=unverifiable(a.citations, svc.searcher.by_id),
            kind=a.kind,
            ms=ms,
        )

    return ask


def missing_gold(items: Sequence[GoldItem], clause_ids: set[str], unresolved: Sequence[str] = ()) -> list[str]:
    """Gold ids the index does not hold and article references that matched no clause (such gold
    can never be hit)."""
    return sorted({g for it in items for g in it.gold if g not in clause_ids} | set(unresolved))


def run_eval(
    svc,
    items: Sequence[GoldItem],
    baselines: Sequence | None = None,
    k: int = 5,
    progress: Callable[[Iterable], Iterable] = lambda it: it,
    search: bool = True,
) -> dict:
    """The whole evaluation as one JSON-ready dict (figures per split, rows, how the index was built).
    With search=False our ranking is not scored (no hit@k, MRR): each question costs one ask, not a
    search and an ask, which is all the quality gate needs."""
    searcher = svc.searcher
    items, unresolved = resolve_gold(items, searcher.clauses)
    retrievers: dict[str, Retriever] = {OURS: our_retriever(lambda: svc.searcher)} if search else {}
    clause_map = ClauseMap(searcher.clauses)
    for b in baselines or ():
        retrievers[b.name] = baseline_retriever(b, clause_map)
    t0 = time.perf_counter()
    rows = evaluate(items, retrievers, our_asker(svc), k=k, progress=progress)
    names = [n for n in retrievers if n != OURS]
    best = best_baseline(rows, names, k)
    meta = searcher.meta
    return {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "k": k,
        "index": {key: meta.get(key) for key in ("generation", "model", "documents", "clauses", "units")},
        "systems": [OURS, *names],
        "best_baseline": best,
        "rule": f"a baseline passage hits a clause when it overlaps >= {MIN_CLAUSE_COVER:.0%} of the clause's characters",
        "missing_gold_ids": missing_gold(items, set(searcher.by_id), unresolved),
        "seconds": round(time.perf_counter() - t0, 2),
        "summary": summarize_splits(rows, [OURS, *names], k, best),
        "rows": rows,
    }


def run_sets(
    gold_sets: Sequence,
    settings,
    data_root,
    *,
    split: str = ALL,
    k: int = 5,
    baselines: bool = True,
    progress: Callable[[Iterable], Iterable] = lambda it: it,
    say: Callable[[str], None] = lambda msg: None,
) -> dict:
    """Each gold set (evals/sets.py) on its own index under data_root, with baselines built over the
    same documents: {"sets": {name: run_eval result + gold file + ingest}, …}. One model serves all."""
    from evals.baselines import build_baselines
    from evals.metrics import load_gold
    from evals.sets import open_set, shown_path

    t0 = time.perf_counter()
    out, embedder = {}, None
    for gs in gold_sets:
        items = split_items(load_gold(gs.gold), split)
        say(f"{gs.name}: ingesting {', '.join(p.name for p in gs.corpus)} into {data_root}/{gs.name} …")
        svc, ingest = open_set(gs, settings, data_root, embedder)
        embedder = svc.embedder
        say(f"{gs.name}: {ingest['documents']} documents, index {'rebuilt' if ingest['index_rebuilt'] else 'reused'} "
            f"({ingest['seconds']:.1f} s); {len(items)} questions")
        docs = [(d.id, d.text) for d in svc.searcher.docs.values()]
        built = build_baselines(docs, settings.embed_model) if baselines else []
        result = run_eval(svc, items, built, k=k, progress=progress)
        out[gs.name] = result | {"gold": shown_path(gs.gold), "about": gs.about, "ingest": ingest}
    return wrap_sets(out, split, k, time.perf_counter() - t0)


def wrap_sets(results: dict[str, dict], split: str, k: int, seconds: float) -> dict:
    """The eval.json of one or more sets."""
    return {"created": time.strftime("%Y-%m-%dT%H:%M:%S"), "k": k, "split": split,
            "seconds": round(seconds, 2), "sets": results}
