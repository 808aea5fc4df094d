"""Pure scoring functions for the gold sets: retrieval ranks, fact matching, refusals, latency; the
dev/test split; and `load_gold`, which checks a gold file."""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Sequence

# The allowed values of a gold item's "kind"; load_gold's error message is built from this table.
KINDS: tuple[str, ...] = (
    "department",
    "reverse_department",
    "figure",
    "policy",
    "entity",
    "locate",
    "definition",
    "list",
    "yesno",
    "scope",
    "version",
    "unanswerable",
)

# The two halves of every gold set: rules are tuned on dev; test is only reported (evals/README.md).
SPLITS: tuple[str, ...] = ("dev", "test")

REQUIRED_KEYS: tuple[str, ...] = ("id", "question", "kind", "gold", "facts", "answerable")
REF_KEYS: tuple[str, ...] = ("doc", "article", "item")  # a gold entry that names an article instead of a clause id
# Gold "articles" that are not numbered articles, and the kind of clause that holds them: 题注 is the
# head note (adoption and promulgation lines between a regulation's title and its first chapter).
PSEUDO_ARTICLES: dict[str, str] = {"题注": "preamble"}


def fold(text: str) -> str:
    """NFKC (full-width digits, letters and ％ become half-width), lowercase, drop all whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def hit_at_k(ranked_ids: list[str], gold: list[str], k: int) -> float:
    """1.0 if any gold id is among the first k ranked ids, else 0.0."""
    if not gold:
        raise ValueError("hit_at_k needs at least one gold id")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    wanted = set(gold)
    return 1.0 if any(rid in wanted for rid in ranked_ids[:k]) else 0.0


def reciprocal_rank(ranked_ids: list[str], gold: list[str]) -> float:
    """1/rank of the first gold id in ranked_ids (ranks start at 1); 0.0 if none is there."""
    if not gold:
        raise ValueError("reciprocal_rank needs at least one gold id")
    wanted = set(gold)
    for rank, rid in enumerate(ranked_ids, start=1):
        if rid in wanted:
            return 1.0 / rank
    return 0.0


def facts_present(answer: str, facts: list[list[str]]) -> tuple[bool, list[int]]:
    """Whether every fact has an alternative that is a folded substring of answer; plus the missing indexes."""
    folded = fold(answer)
    missing = [i for i, alternatives in enumerate(facts) if not any(fold(a) in folded for a in alternatives)]
    return not missing, missing


def answer_correct(answered: bool, answer: str, facts: list[list[str]]) -> bool:
    """An answerable question is answered correctly when the system answered and every fact is present."""
    return answered and facts_present(answer, facts)[0]


def refusal_correct(answered: bool) -> bool:
    """An unanswerable question is handled correctly when the system declined to answer."""
    return not answered


def citation_precision(cited_ids: list[str], gold: list[str]) -> float | None:
    """Share of cited ids that are gold ids; None when nothing was cited (precision is undefined)."""
    if not cited_ids:
        return None
    wanted = set(gold)
    return sum(1 for cid in cited_ids if cid in wanted) / len(cited_ids)


def split_of(question_id: str) -> str:
    """'dev' or 'test' by a hash of the question id alone: about half each, and a question keeps its
    split when others are added, removed or reordered."""
    digest = hashlib.sha256(f"policyqa-split:{question_id}".encode("utf-8")).digest()
    return SPLITS[digest[0] & 1]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation between closest ranks, as numpy's default."""
    if not values:
        raise ValueError("percentile of an empty list")
    if not 0 <= p <= 100:
        raise ValueError(f"p must be between 0 and 100, got {p}")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


@dataclass(frozen=True)
class ArticleRef:
    """A gold answer named by document and article (and item), resolved to clause ids after ingest."""

    doc: str
    article: str
    item: str | None = None

    def __str__(self) -> str:
        return f"{self.doc}#{self.article}" + (f".{self.item}" if self.item else "")


@dataclass(frozen=True)
class GoldItem:
    """One question of a gold set with the clause ids (or article references) and facts that answer it."""

    id: str
    question: str
    kind: str
    gold: tuple[str, ...]
    facts: tuple[tuple[str, ...], ...]
    answerable: bool
    refs: tuple[ArticleRef, ...] = ()


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _check_gold_entry(g: str | dict) -> str | None:
    if isinstance(g, str):
        return None if "#" in g and g.strip() else f"gold id {g!r} is not of the form <doc_id>#<labels>"
    if extra := sorted(set(g) - set(REF_KEYS)):
        return f"gold reference has unknown key(s) {', '.join(extra)}; allowed: {', '.join(REF_KEYS)}"
    if not all(isinstance(g.get(k), str) and g[k].strip() for k in ("doc", "article")):
        return f"gold reference {json.dumps(g, ensure_ascii=False)} needs non-empty strings doc and article"
    if "item" in g and not (isinstance(g["item"], str) and g["item"].strip()):
        return f"gold reference {json.dumps(g, ensure_ascii=False)} has an empty item"
    return None


def _check_record(rec: object) -> str | None:
    """The problem with one parsed line, or None if it is a valid gold item."""
    if not isinstance(rec, dict):
        return "expected a JSON object"
    missing = [k for k in REQUIRED_KEYS if k not in rec]
    if missing:
        return f"missing key(s): {', '.join(missing)}"
    if not isinstance(rec["id"], str) or not rec["id"].strip():
        return "id must be a non-empty string"
    if not isinstance(rec["question"], str) or not rec["question"].strip():
        return "question must be a non-empty string"
    if rec["kind"] not in KINDS:
        return f"unknown kind {rec['kind']!r}; expected one of: {', '.join(KINDS)}"
    if not isinstance(rec["answerable"], bool):
        return "answerable must be true or false"
    if not isinstance(rec["gold"], list) or not all(isinstance(g, (str, dict)) for g in rec["gold"]):
        return 'gold must be a list of clause ids or {"doc", "article"[, "item"]} objects'
    if not isinstance(rec["facts"], list) or not all(_is_str_list(f) and f for f in rec["facts"]):
        return "facts must be a list of non-empty lists of strings"
    if problem := next(filter(None, map(_check_gold_entry, rec["gold"])), None):
        return problem
    if rec["answerable"]:
        if rec["kind"] == "unanswerable":
            return "kind 'unanswerable' needs answerable false"
        if not rec["gold"]:
            return "answerable item has empty gold"
    else:
        if rec["kind"] != "unanswerable":
            return f"answerable false needs kind 'unanswerable', got {rec['kind']!r}"
        if rec["gold"] or rec["facts"]:
            return "unanswerable item must have empty gold and facts"
    return None


def load_gold(path: str | Path) -> list[GoldItem]:
    """Read a gold JSONL file; a bad line raises ValueError naming the file, line number and problem."""
    path = Path(path)
    items: list[GoldItem] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: invalid JSON: {exc.msg}") from None
            if problem := _check_record(rec):
                raise ValueError(f"{path}:{lineno}: {problem}")
            if rec["id"] in seen:
                raise ValueError(f"{path}:{lineno}: duplicate id {rec['id']!r} (first on line {seen[rec['id']]})")
            seen[rec["id"]] = lineno
            items.append(_item(rec))
    return items


def _item(rec: dict) -> GoldItem:
    return GoldItem(
        id=rec["id"],
        question=rec["question"],
        kind=rec["kind"],
        gold=tuple(g for g in rec["gold"] if isinstance(g, str)),
        facts=tuple(tuple(f) for f in rec["facts"]),
        answerable=rec["answerable"],
        refs=tuple(ArticleRef(g["doc"], g["article"], g.get("item")) for g in rec["gold"] if isinstance(g, dict)),
    )


def resolve_gold(items: Sequence[GoldItem], clauses: Iterable) -> tuple[list[GoldItem], list[str]]:
    """Turn each item's article references into clause ids of an ingested corpus.

    A reference {doc, article} is answered by the clauses of document `doc` whose last label is the
    article (`…#第十条` or `…#第二章.第十条`) and every clause under them (its items); with an item,
    by the child of that article labelled with the item and everything under it. Labels are compared
    after `fold`, so （二） and (二) are the same. A pseudo-article of PSEUDO_ARTICLES (题注) is
    answered by the document's clauses of that kind. Returns the items with those ids appended to `gold`
    (in document order), and the references that matched nothing, as `doc#article[.item]`.
    """
    clauses = list(clauses)
    children: dict[str | None, list] = {}
    for c in clauses:
        children.setdefault(c.parent_id, []).append(c)

    def labelled(candidates: Iterable, label: str) -> list:
        return [c for c in candidates if c.labels and fold(c.labels[-1]) == fold(label)]

    def answering(ref: ArticleRef) -> list[str]:
        in_doc = [c for c in clauses if c.doc_id == ref.doc]
        if kind := PSEUDO_ARTICLES.get(fold(ref.article)):
            found = [c for c in in_doc if getattr(c, "kind", None) == kind]
        else:
            found = labelled(in_doc, ref.article)
        if ref.item:
            found = labelled((ch for c in found for ch in children.get(c.id, ())), ref.item)
        out, todo = [], list(found)
        while todo:
            c = todo.pop()
            out.append(c)
            todo.extend(children.get(c.id, ()))
        return [c.id for c in sorted(out, key=lambda c: (c.start, c.order))]

    resolved, unresolved = [], []
    for it in items:
        ids = list(it.gold)
        for ref in it.refs:
            found = answering(ref)
            if not found:
                unresolved.append(str(ref))
            ids += [i for i in found if i not in ids]
        resolved.append(replace(it, gold=tuple(ids)))
    return resolved, unresolved
