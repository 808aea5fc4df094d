"""Question answering over retrieved clauses: extractive by default, an optional LLM on top.

Every answer is built from exact sentences of retrieved clauses; each `[n]` points at a citation
whose quote is verified to be in the clause text. When the evidence does not support the question
(wrong answer type, a term or place the documents never mention, a year they do not set), the
answer says so plainly and lists the nearest clauses instead.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from app.citations import Evidence, build_citations
from app.rules import ACTUALS, ASK_TYPES, CONTENT_ASK, FOLLOW_UP_MORE, FOLLOW_UP_REF, YEAR, AskType
from index.intent import STRICT_DEFINITION, defined_term
from index.search import Searcher, definition_span
from index.tokenizer import fold, normalize_query
from index.units import sentences
from ingest.records import Answer, Clause, Hit

RETRIEVE_K = 8
TASKS_K = 30
MIN_DUTY_COVERAGE = 0.5  # a body sentence naming a responsible department must match the question this well
MAX_SENTENCES = 3
# Calibrated on evals/gold.jsonl (see `policyqa eval`): below both, the best clause shares too
# little with the question to answer from it.
MIN_SIMILARITY = 0.80
MIN_COVERAGE = 0.45


@dataclass
class Conversation:
    """The turns of one chat, so that a follow-up ("那它由哪个部门负责？") can use the previous turn."""

    turns: list[tuple[str, Answer]] = field(default_factory=list)

    def add(self, question: str, answer: Answer) -> None:
        self.turns.append((question, answer))
        del self.turns[:-10]

    @property
    def last(self) -> tuple[str, Answer] | None:
        return self.turns[-1] if self.turns else None


@dataclass(frozen=True)
class Resolved:
    query: str  # what is searched
    exclude: frozenset[str]  # clause ids already given (for "还有别的吗？")
    follow_up: bool


def resolve(question: str, conv: Conversation | None) -> Resolved:
    """Rewrite a follow-up against the previous turn; other questions pass through."""
    last = conv.last if conv else None
    q = question.strip()
    if last is None:
        return Resolved(q, frozenset(), False)
    prev_query, prev_answer = last
    prev_topic = getattr(prev_answer, "query", None) or prev_query
    if FOLLOW_UP_MORE.match(q):
        shown = {c.clause.id for c in prev_answer.citations}
        return Resolved(prev_topic, frozenset(shown), True)
    if FOLLOW_UP_REF.search(q) and len(q) <= 20:
        return Resolved(f"{prev_topic} {q}", frozenset(), True)
    return Resolved(q, frozenset(), False)


def answer_question(searcher: Searcher, question: str, conv: Conversation | None = None, llm=None) -> Answer:
    t0 = time.perf_counter()
    r = resolve(question, conv)
    q = normalize_query(r.query)
    intent = searcher.intent(q)
    k = TASKS_K if intent.kind == "tasks_of" else RETRIEVE_K  # a department may own many rows
    hits = [h for h in searcher.search(r.query, k=k + len(r.exclude)) if h.clause.id not in r.exclude]
    tokens = searcher.tokenizer.tokenize_query(q)
    if not hits or not tokens:
        return _refusal(question, r, "没有检索到与问题相关的条款", hits, t0)
    compose = COMPOSERS.get(intent.kind, _compose_passages)
    draft = compose(searcher, q, tokens, intent, hits)
    problem = unsupported(searcher, q, tokens, draft, hits)
    if problem:
        return _refusal(question, r, problem, hits, t0)
    text, citations = build_citations(draft.lines)
    if not citations:
        return _refusal(question, r, "检索到的条款中没有能直接回答的句子", hits, t0)
    mode = "extractive"
    if llm is not None:
        text, citations, mode = _with_llm(llm, question, text, citations)
    cited = {c.clause.id for c in citations}
    return Answer(
        question=question,
        answer=text,
        answered=True,
        mode=mode,
        kind=draft.kind,
        citations=tuple(citations),
        related=tuple(h for h in hits if h.clause.id not in cited)[:3],
        latency_ms=(time.perf_counter() - t0) * 1000,
        query=r.query,
    )


def _with_llm(llm, question: str, text: str, citations: list) -> tuple[str, list, str]:
    """Let the LLM phrase the answer from the same verified evidence; on any failure, or when none
    of its sentences survives verification, keep the extractive answer and say why in `mode`."""
    from app.llm import LLMError, verify_generated

    try:
        generated = llm.generate(question, citations)
    except LLMError as e:
        return text, citations, f"extractive (llm fallback: {e})"
    checked, kept = verify_generated(generated, citations)
    if not checked or not kept:
        return text, citations, "extractive (llm fallback: no verifiable sentence)"
    return checked, kept, "llm"


def _refusal(question: str, r: Resolved, reason: str, hits: list[Hit], t0: float) -> Answer:
    return Answer(
        question=question,
        answer=f"文件中没有找到能回答这个问题的规定（{reason}）。以下是最接近的条款，供您核对。",
        answered=False,
        mode="extractive",
        kind="unanswerable",
        citations=(),
        related=tuple(hits[:3]),
        latency_ms=(time.perf_counter() - t0) * 1000,
        query=r.query,
    )


# -- drafts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    kind: str
    lines: list[tuple[str, list[Evidence]]]  # text before its citation markers, and its evidence

    @property
    def evidence(self) -> list[Evidence]:
        return [e for _, ev in self.lines for e in ev]


def _sentences(searcher: Searcher, clause: Clause, tokens: list[str], asks: list[AskType] = ()) -> list[tuple[tuple[int, int], float]]:
    """Sentences of a clause, best first. A sentence that holds the kind of fact asked for (an
    amount, a rate, a number of years…) outranks one that only shares words with the question."""
    out = []
    for span, score in searcher.sentence_scores(clause, tokens):
        text = clause.text[span[0]:span[1]]
        if asks and all(a.evidence.search(text) for a in asks):
            score = score * 1.5 + 0.05  # proportional: an unrelated sentence with a number stays low
        out.append((span, score))
    return sorted(out, key=lambda x: -x[1])


def _asks(q: str) -> list[AskType]:
    return [a for a in ASK_TYPES if a.question.search(q)]


def _evidence(hit: Hit, span: tuple[int, int]) -> Evidence:
    return Evidence(hit.clause, hit.doc_title, hit.clause.text[span[0]:span[1]])


def _compose_department(searcher: Searcher, q: str, tokens: list[str], intent, hits: list[Hit]) -> Draft:
    """Who owns a task: the best task-table row, and a body sentence that assigns responsibility
    ("省发展改革委负责统筹协调…") when it is among the top hits and matches the question."""
    found: list[tuple[int, tuple[str, list[Evidence]]]] = []
    row_hit = next(((i, h) for i, h in enumerate(hits[:3]) if h.clause.row), None)
    if row_hit:
        i, hit = row_hit
        row = hit.clause.row
        others = "、".join(row.departments[1:])
        tail = f"，{others}{'等' if row.non_exhaustive else ''}参与" if others else ""
        note = "（分工表中部门名单以“等”结尾，未列尽）" if row.non_exhaustive else ""
        cell = _row_cell(hit.clause, row.departments)
        found.append((i, (f"按重点任务分工表，“{row.task}”由{row.lead}牵头{tail}{note}。", [_evidence_text(hit, cell)])))
    for i, hit in enumerate(hits):
        duty = None if hit.clause.row else _duty_sentence(hit.clause.text)
        if duty and _coverage(searcher, tokens, duty[1]) >= MIN_DUTY_COVERAGE:
            found.append((i, (duty[1], [Evidence(hit.clause, hit.doc_title, duty[1])])))
            break
    if not found:
        return _compose_passages(searcher, q, tokens, intent, hits)
    return Draft("department", [line for _, line in sorted(found, key=lambda x: x[0])])


_DUTY = re.compile(r"[^。；]*?(省?[\u4e00-\u9fa5]{2,14}(?:委|厅|局|办|行|部门))(?:负责|牵头)[^。；]*[。；]")


def _duty_sentence(text: str) -> tuple[str, str] | None:
    m = _DUTY.search(text)
    return (m.group(1), m.group(0).strip()) if m else None


def _row_cell(clause: Clause, departments: tuple[str, ...]) -> str:
    """The department cell of a row as written: the line of the row's text that starts with the lead."""
    lead = departments[0] if departments else ""
    return next((line for line in clause.text.split("\n") if lead and line.startswith(lead)), clause.text.split("\n")[-1])


def _evidence_text(hit: Hit, text: str) -> Evidence:
    return Evidence(hit.clause, hit.doc_title, text)


def _compose_tasks(searcher: Searcher, q: str, tokens: list[str], intent, hits: list[Hit]) -> Draft:
    """What a department owns: every task row listing it (search puts them first), lead ones marked."""
    rows = [h for h in hits if h.clause.row]
    if not rows:
        return _compose_passages(searcher, q, tokens, intent, hits)
    wanted = {d.removeprefix("省") for d in intent.departments}
    name = "、".join(intent.departments)
    lines: list[tuple[str, list[Evidence]]] = []
    listing = [h for h in rows if wanted & {d.removeprefix("省") for d in h.clause.row.departments}]
    # Lead tasks first, then in the table's order.
    listing.sort(key=lambda h: (h.clause.row.lead.removeprefix("省") not in wanted, h.clause.row.number))
    for h in listing:
        row = h.clause.row
        lead = row.lead.removeprefix("省") in wanted
        lines.append((f"{'（牵头）' if lead else '（参与）'}{row.task}", [_evidence_text(h, row.task)]))
    if not lines:
        return _compose_passages(searcher, q, tokens, intent, hits)
    n_lead = sum(1 for t, _ in lines if t.startswith("（牵头）"))
    head = f"{name}在重点任务分工表中列为责任部门的任务（检索到{len(lines)}项，其中牵头{n_lead}项）："
    return Draft("tasks_of", [(head, [])] + lines)


_NUMBER = re.compile(r"\d|[一二两三四五六七八九十百千万亿]+(?:家|个|年|项|倍)|百分之")


def _compose_figure(searcher: Searcher, q: str, tokens: list[str], intent, hits: list[Hit]) -> Draft:
    """Targets and figures: the best-matching sentences that hold a number."""
    scored: list[tuple[float, Hit, tuple[int, int]]] = []
    for rank, hit in enumerate(hits[:4]):
        for span, score in _sentences(searcher, hit.clause, tokens, _asks(q))[:3]:
            scored.append((score - 0.08 * rank, hit, span))
    if not scored:
        return _compose_passages(searcher, q, tokens, intent, hits)
    # A number in a sentence that barely concerns the question is no answer: numeric sentences
    # must stay close to the best sentence; otherwise the best one is kept and checked as usual.
    floor = max(x[0] for x in scored) * 0.6
    best = [x for x in scored if x[0] >= floor and _NUMBER.search(x[1].clause.text[x[2][0]:x[2][1]])]
    if not best:
        best = [max(scored, key=lambda x: x[0])]
    best.sort(key=lambda x: -x[0])
    top = best[0][0]
    chosen = [b for b in best if b[0] >= top * 0.85][:2]
    return Draft("figure", [_line(h, s) for _, h, s in chosen])


def _compose_locate(searcher: Searcher, q: str, tokens: list[str], intent, hits: list[Hit]) -> Draft:
    """Where a topic is: the matching clauses with their paths and their best sentence."""
    lines = []
    # Further clauses only when they score nearly as well as the first: a list of loosely related
    # places is noise to someone looking for one clause.
    close = [h for h in hits[:3] if h.score >= hits[0].score * LOCATE_CLOSE]
    for i, hit in enumerate(close):
        c = hit.clause
        if c.row:
            lines.append(_line(hit, hit.span))
            continue
        best = _sentences(searcher, c, tokens)[0][0] if c.text else hit.span
        span = (_body_span(c) if i == 0 and CONTENT_ASK.search(q) else None) or best
        lines.append((f"见{c.path_text}：{_sentence_text(hit, span)}", [_evidence(hit, span)]))
    return Draft("locate", lines)


LOCATE_BODY_CHARS = 260
LOCATE_CLOSE = 0.9


def _body_span(clause: Clause) -> tuple[int, int] | None:
    """The clause's own words for "where is / what does it say": its body after a heading line,
    whole when short, else its first sentences."""
    first_nl = clause.text.find("\n")
    start = first_nl + 1 if 0 <= first_nl < 40 and clause.heading else 0
    if len(clause.text) - start > LOCATE_BODY_CHARS:
        return None
    return (start, len(clause.text))


def _compose_passages(searcher: Searcher, q: str, tokens: list[str], intent, hits: list[Hit]) -> Draft:
    """Policies, subsidies, finance, talent: the few most relevant sentences of the top clauses."""
    scored: list[tuple[float, Hit, tuple[int, int]]] = []
    for rank, hit in enumerate(hits[:3]):
        for span, score in _sentences(searcher, hit.clause, tokens, _asks(q))[:2]:
            scored.append((score - 0.1 * rank, hit, span))
    scored.sort(key=lambda x: -x[0])
    if not scored:
        return Draft("policy", [])
    top = scored[0][0]
    chosen = [s for s in scored if s[0] >= top * 0.75][:MAX_SENTENCES]
    # Keep document order within a clause so the quotes read naturally.
    chosen.sort(key=lambda x: (x[1].clause.order, x[2][0]))
    return Draft("policy", [_line(h, s) for _, h, s in chosen])


def _line(hit: Hit, span: tuple[int, int]) -> tuple[str, list[Evidence]]:
    """One answer line: the sentence itself, or for a task-table row its task and departments."""
    row = hit.clause.row
    if row:
        depts = "、".join(row.departments) + ("等" if row.non_exhaustive else "")
        return (f"重点任务分工表第{row.number}项“{row.task}”，责任部门：{depts}。", [_evidence_text(hit, row.task)])
    return (_sentence_text(hit, span), [_evidence(hit, span)])


def _sentence_text(hit: Hit, span: tuple[int, int]) -> str:
    return hit.clause.text[span[0]:span[1]].strip()


def _compose_definition(searcher: Searcher, q: str, tokens: list[str], intent, hits: list[Hit]) -> Draft:
    """"什么是平台经济": the sentence that defines the term, where the documents define it. A
    question that can only mean "define it" gets no answer when no sentence does (unsupported()
    says so); "X是什么", which may also ask what a policy is, is answered like any other."""
    term = defined_term(q)
    for hit in hits[:3] if term else ():
        span = definition_span(hit.clause.text, term)
        if span:
            return Draft("definition", [_line(hit, span)])
    if term and STRICT_DEFINITION.search(q):
        return Draft("definition", [])
    return _compose_passages(searcher, q, tokens, intent, hits)


COMPOSERS = {
    "definition": _compose_definition,
    "department": _compose_department,
    "tasks_of": _compose_tasks,
    "figure": _compose_figure,
    "locate": _compose_locate,
    "policy": _compose_passages,
}


# -- support checks -----------------------------------------------------------------------------


def unsupported(searcher: Searcher, q: str, tokens: list[str], draft: Draft, hits: list[Hit]) -> str | None:
    """Why the evidence does not answer the question, or None when it does."""
    evidence = "".join(e.quote for e in draft.evidence)
    if draft.kind == "definition" and not evidence:
        return f"文件没有给出“{defined_term(q)}”的定义"
    if not evidence:
        return "没有可引用的句子"
    for term in searcher.tokenizer.known_terms(tokens):
        if not searcher.mentions(term):
            return f"文件未涉及“{term}”"
    for place in searcher.tokenizer.places(q):
        if not (searcher.mentions(place) or searcher.mentions(place.rstrip("省市"))):
            return f"文件未涉及“{place}”"
    context = "".join(e.clause.text for e in draft.evidence)
    for year in YEAR.findall(q):
        if year not in context:
            return f"文件没有关于{year}年的规定"
    m = ACTUALS.search(q)
    if m and m.group(0) not in context:
        return "文件是政策意见，不含实际执行情况"
    for ask in ASK_TYPES:
        if ask.question.search(q) and not ask.evidence.search(evidence):
            return f"文件没有写明{ask.label}"
    if draft.kind in ("department", "tasks_of", "definition"):
        return None  # task-table answers and a sentence defining the asked term stand on their own
    top = hits[0]
    coverage = _coverage(searcher, tokens, evidence)
    if top.similarity < MIN_SIMILARITY and coverage < MIN_COVERAGE:
        return "与现有条款的内容相差较远"
    return None


def _coverage(searcher: Searcher, tokens: list[str], text: str) -> float:
    """Share of the question's (idf-weighted) words that the evidence contains."""
    weights = {t: searcher.idf.get(t, 1.0) for t in set(tokens)}
    total = sum(weights.values()) or 1.0
    # Substring, not token, match: segmentation differs between a question and a clause.
    folded = fold(text)
    return sum(w for t, w in weights.items() if t in folded) / total

