"""Record types shared by every layer: plain frozen dataclasses, no behaviour beyond small helpers."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal


def content_hash(data: bytes | str) -> str:
    """Stable short hash used for ids and change detection."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:16]


@dataclass(frozen=True)
class Block:
    """One piece of a loaded file: a paragraph (one line of text) or a table (rows of cells)."""

    kind: Literal["para", "table"]
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    title: str = ""
    level: int = 0  # Markdown heading depth ("#" is 1, "##" 2 …); 0 for body text
    front: bool = False  # front matter: the lines a law export puts between title and body (dates, adopting body)


@dataclass(frozen=True)
class TaskRow:
    """One row of a task-division table (序号 / 工作任务 / 责任部门)."""

    number: int
    task: str
    departments: tuple[str, ...]
    non_exhaustive: bool  # the department list ends in 等

    @property
    def lead(self) -> str:
        return self.departments[0] if self.departments else ""


@dataclass(frozen=True)
class Clause:
    """A unit of the document: a numbered section, article, item, preamble, table or table row.

    `text == document.text[start:end]` always holds. A section's or item's `text` is its own text
    (its heading and body up to its first child); an article's (第X条) is the whole article, all its
    款 and 项, and its items are clauses of their own inside it. `subtree_end` is where its last
    descendant ends. Chapters (编/章/节) are heading-only sections over their articles.
    """

    id: str
    doc_id: str
    # Keys of the clause's place in the tree, outermost first, e.g. ("五", "（二）") or ("第二章",
    # "第十四条", "（二）"). The id joins them, except that an article's id starts at the article
    # (`doc#第十四条`, `doc#第十四条.（二）`) so that it stays put when chapters change.
    labels: tuple[str, ...]
    path: tuple[str, ...]  # display path, e.g. ("五、营造平台经济发展环境", "（二）加大财税政策引导支持力度")
    kind: Literal["preamble", "section", "article", "item", "table", "row"]
    heading: str
    text: str
    start: int
    end: int
    subtree_end: int
    parent_id: str | None
    order: int
    row: TaskRow | None = None
    paragraph: int = 0  # an item's 款: the paragraph of its article it belongs to (1-based); 0 elsewhere
    citation: str = ""  # how a law cites it: 第十四条, 第十四条第二款第（二）项; "" outside articles
    paragraphs: tuple[tuple[int, int], ...] = ()  # an article's 款 as (start, end) offsets into `text`
    # References to other provisions, as (start, end) offsets into `text` and a target: a clause id
    # of this document, or "《law name》第X条" for a provision of another document (unresolved).
    refs: tuple[tuple[int, int, str], ...] = ()

    @property
    def level(self) -> int:
        return len(self.labels)

    @property
    def path_text(self) -> str:
        return " > ".join(self.path)


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    source: str  # path relative to the corpus folder where possible
    sha: str  # content hash of the source bytes
    text: str  # normalised text; clause offsets point into it
    format: str
    encoding: str
    issuer: str | None = None  # issuing or adopting body, e.g. 国务院, 广东省人民代表大会常务委员会
    number: str | None = None  # 文号, e.g. 苏政发〔2015〕40号, 国务院令第697号
    date: str | None = None  # ISO date when the document states one (signature date, else version date)
    part: str | None = None  # the part of a larger law this file holds (民法典's 物权编), from a second title
    region: str | None = None  # where it applies: 广东省, 深圳市, 全国; None when the text does not say
    doc_type: str | None = None  # 条例, 办法, 意见 … from the title's ending
    adopted: str | None = None  # ISO date of adoption (…通过)
    promulgated: str | None = None  # ISO date of promulgation (…公布/发布)
    revised: str | None = None  # ISO date of the latest revision or amendment (…修订/修正), if any
    effective: str | None = None  # ISO date it takes effect (自…起施行, or a "… 施行" line)
    version_date: str | None = None  # the date that tells this version from others of the same document


@dataclass(frozen=True)
class ParsedDocument:
    document: Document
    clauses: tuple[Clause, ...]

    @property
    def rows(self) -> tuple[TaskRow, ...]:
        return tuple(c.row for c in self.clauses if c.row is not None)


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


@dataclass(frozen=True)
class Hit:
    """A retrieved clause with the best-matching sentence span inside it."""

    clause: Clause
    doc_title: str
    score: float
    span: tuple[int, int]  # offsets into clause.text
    sources: dict[str, int] = field(default_factory=dict)  # retriever name -> rank (1-based)
    similarity: float = 0.0  # best cosine similarity of the clause's units to the query (0 if not in the dense list)

    def to_json(self) -> dict[str, Any]:
        return {
            "clause_id": self.clause.id,
            "doc_title": self.doc_title,
            "path": self.clause.path_text,
            "citation": self.clause.citation,
            "text": self.clause.text,
            "score": round(self.score, 6),
            "span": list(self.span),
        }


@dataclass(frozen=True)
class Citation:
    n: int
    clause: Clause
    doc_title: str
    quote: str

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "clause_id": self.clause.id,
            "doc_title": self.doc_title,
            "path": self.clause.path_text,
            "citation": self.clause.citation,
            "text": self.clause.text,
            "quote": self.quote,
        }


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    answered: bool
    mode: str  # "extractive" | "llm" | "extractive (llm failed: …)"
    kind: str  # question kind recognised
    citations: tuple[Citation, ...]
    related: tuple[Hit, ...]
    latency_ms: float = 0.0
    query: str = ""  # what was searched (a follow-up is resolved against the previous turn)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "answered": self.answered,
            "mode": self.mode,
            "kind": self.kind,
            "citations": [c.to_json() for c in self.citations],
            "related": [h.to_json() for h in self.related],
            "latency_ms": round(self.latency_ms, 1),
        }


def clause_to_dict(c: Clause) -> dict[str, Any]:
    return asdict(c)


def clause_from_dict(d: dict[str, Any]) -> Clause:
    """Rebuild a clause from its stored dict; records written before a field existed get its default."""
    row = d.get("row")
    return Clause(
        id=d["id"],
        doc_id=d["doc_id"],
        labels=tuple(d["labels"]),
        path=tuple(d["path"]),
        kind=d["kind"],
        heading=d["heading"],
        text=d["text"],
        start=d["start"],
        end=d["end"],
        subtree_end=d["subtree_end"],
        parent_id=d["parent_id"],
        order=d["order"],
        row=TaskRow(
            number=row["number"],
            task=row["task"],
            departments=tuple(row["departments"]),
            non_exhaustive=row["non_exhaustive"],
        )
        if row
        else None,
        paragraph=d.get("paragraph", 0),
        citation=d.get("citation", ""),
        paragraphs=tuple(tuple(p) for p in d.get("paragraphs", ())),
        refs=tuple(tuple(r) for r in d.get("refs", ())),
    )


def document_to_dict(d: Document) -> dict[str, Any]:
    return asdict(d)


_DOCUMENT_FIELDS = frozenset(Document.__dataclass_fields__)


def document_from_dict(d: dict[str, Any]) -> Document:
    """Rebuild a document; older records lack the newer metadata fields, which keep their defaults."""
    return Document(**{k: v for k, v in d.items() if k in _DOCUMENT_FIELDS})
