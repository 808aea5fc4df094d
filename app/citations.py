"""Citations: number the evidence, and keep only quotes that really are in the cited clause."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.records import Citation, Clause

_MARKER = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Evidence:
    clause: Clause
    doc_title: str
    quote: str


def verified(clause: Clause, quote: str) -> bool:
    """A quote stands only if it is a non-empty exact substring of the clause's stored text."""
    return bool(quote.strip()) and quote in clause.text


def build_citations(lines: list[tuple[str, list[Evidence]]]) -> tuple[str, list[Citation]]:
    """Join answer lines, numbering evidence [1], [2]… (one number per distinct clause+quote).
    A line whose evidence fails verification is dropped with its evidence."""
    numbers: dict[tuple[str, str], int] = {}
    citations: list[Citation] = []
    out: list[str] = []
    for text, evidence in lines:
        good = [e for e in evidence if verified(e.clause, e.quote)]
        if evidence and not good:
            continue
        marks = []
        for e in good:
            key = (e.clause.id, e.quote)
            if key not in numbers:
                numbers[key] = len(citations) + 1
                citations.append(Citation(numbers[key], e.clause, e.doc_title, e.quote))
            marks.append(f"[{numbers[key]}]")
        out.append(text + "".join(marks))
    return "\n".join(out), citations


def check_markers(text: str, citations: list[Citation]) -> tuple[str, list[Citation]]:
    """For generated text: drop sentences whose [n] has no verified citation, renumber the rest."""
    valid = {c.n: c for c in citations if verified(c.clause, c.quote)}
    kept_sentences = []
    for sentence in re.split(r"(?<=[。！？\n])", text):
        ns = [int(n) for n in _MARKER.findall(sentence)]
        if not sentence.strip():
            continue
        if not ns or any(n not in valid for n in ns):
            continue  # an unsupported sentence (no marker, or a marker we cannot verify) is dropped
        kept_sentences.append(sentence)
    used = sorted({int(n) for s in kept_sentences for n in _MARKER.findall(s)})
    renumber = {old: new for new, old in enumerate(used, start=1)}
    text_out = _MARKER.sub(lambda m: f"[{renumber[int(m.group(1))]}]", "".join(kept_sentences)).strip()
    cites = [Citation(renumber[n], valid[n].clause, valid[n].doc_title, valid[n].quote) for n in used]
    return text_out, cites
