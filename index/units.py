"""Retrieval units: what of a clause is tokenized and embedded, and where its sentences lie."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.records import Clause

_SENTENCE = re.compile(r"[^。！？；\n]*(?:[。！？；]|\n|$)")
MIN_SENTENCE_CHARS = 8
# Sentences are embedded on their own only in clauses longer than this (characters); a shorter
# clause is one window, which its sentences would mostly repeat. Guideline gold set, m3e-small:
# over 0 (every clause of several sentences) 211 units, hit@1 0.969/0.959 (dev/test), MRR 0.976/0.976;
# over 200: 146 units, hit@1 0.969/0.973, MRR 0.978/0.982. Over all of laws/ (97k windows) it adds 24k
# sentence units instead of 106k.
SENTENCE_UNITS_OVER = 200


@dataclass(frozen=True)
class Unit:
    id: str
    clause_id: str
    text: str  # what is embedded
    kind: str  # "window" | "sentence"
    span: tuple[int, int]  # offsets into clause.text


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in text; very short pieces are merged into their neighbour."""
    spans: list[tuple[int, int]] = []
    for m in _SENTENCE.finditer(text):
        s, e = m.span()
        while s < e and text[s] in " \n\u3000":
            s += 1
        stripped_end = e
        while stripped_end > s and text[stripped_end - 1] == "\n":
            stripped_end -= 1
        if stripped_end <= s:
            continue
        if spans and (stripped_end - s < MIN_SENTENCE_CHARS or spans[-1][1] - spans[-1][0] < MIN_SENTENCE_CHARS):
            spans[-1] = (spans[-1][0], stripped_end)
        else:
            spans.append((s, stripped_end))
    return spans


def is_container(clause: Clause, children: list[Clause]) -> bool:
    """A clause that is only a heading over its children ("一、总体要求", "（二）基本原则。", a table's
    title and header): its children carry the content, so it is not a search result itself."""
    return clause.kind == "table" or (bool(children) and "\n" not in clause.text and len(clause.text) <= 40)


def search_text(clause: Clause, children: list[Clause]) -> str:
    """Text a clause is found by. A heading-only clause ("（二）基本原则。") stands for its children,
    so it is represented by its own line and its children's headings."""
    if children and len(clause.text) <= 40:
        return clause.text + "\n" + "；".join(c.heading or c.text[:40] for c in children)
    return clause.text


def keyword_text(clause: Clause, children: list[Clause]) -> str:
    """Clause text plus its heading path, so a section's name finds the clauses inside it."""
    context = " ".join(p for p in clause.path[:-1])
    return f"{context}\n{search_text(clause, children)}"


def units_for(clause: Clause, children: list[Clause], max_chars: int, overlap: int = 80,
              sentences_over: int | None = None) -> list[Unit]:
    """Overlapping windows that cover the clause (each fits the model), plus each sentence alone
    when the clause is long (over `sentences_over` characters, default SENTENCE_UNITS_OVER) and has
    several: a paraphrased question often matches one sentence of a long clause best."""
    text = search_text(clause, children)
    out: list[Unit] = []
    if len(text) <= max_chars:
        out.append(Unit(f"{clause.id}@w0", clause.id, text, "window", (0, len(clause.text))))
    else:
        step = max_chars - overlap
        heading = f"{clause.heading}：" if clause.heading else ""
        for i, start in enumerate(range(0, len(text) - overlap, step)):
            end = min(len(text), start + max_chars)
            # Later windows lose the heading sentence; a short heading prefix keeps their context.
            body = text[start:end] if i == 0 else heading + text[start:end]
            out.append(Unit(f"{clause.id}@w{i}", clause.id, body, "window", (start, min(end, len(clause.text)))))
    over = SENTENCE_UNITS_OVER if sentences_over is None else sentences_over
    spans = sentences(clause.text) if len(clause.text) > over else []
    if len(spans) > 1:
        for j, (s, e) in enumerate(spans):
            out.append(Unit(f"{clause.id}@s{j}", clause.id, clause.text[s:e][:max_chars], "sentence", (s, e)))
    return out


def expand_heading(clause: Clause, span: tuple[int, int]) -> tuple[int, int]:
    """A span that is only the heading ("（一）指导思想。", "——优化布局、集聚发展。") says nothing:
    extend it over the next sentence."""
    s, e = span
    piece = clause.text[s:e].strip()
    if clause.heading and piece.rstrip("。：:").endswith(clause.heading) and len(piece) <= len(clause.heading) + 6:
        rest = [sp for sp in sentences(clause.text) if sp[0] >= e]
        if rest:
            return (s, rest[0][1])
    return span
