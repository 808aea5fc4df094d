"""Question answering over retrieved clauses: extractive by default, an optional LLM on top."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from index.search import Searcher
from ingest.records import Answer, Citation


@dataclass
class Conversation:
    """The turns of one chat, so that a follow-up ("那它由哪个部门负责？") can use the previous turn."""

    turns: list[tuple[str, Answer]] = field(default_factory=list)

    def add(self, question: str, answer: Answer) -> None:
        self.turns.append((question, answer))
        del self.turns[:-10]


def answer_question(searcher: Searcher, question: str, conv: Conversation | None = None) -> Answer:
    t0 = time.perf_counter()
    hits = searcher.search(question, k=5)
    top = hits[0]
    s, e = top.span
    cite = Citation(1, top.clause, top.doc_title, top.clause.text[s:e])
    return Answer(question, f"{cite.quote}[1]", True, "extractive", "policy", (cite,), tuple(hits[1:]),
                  (time.perf_counter() - t0) * 1000)
