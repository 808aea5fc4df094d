"""Clause tree: turn loaded blocks into normalised document text and numbered clauses with offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.records import Block, Clause, TaskRow

# Ordered table of heading kinds. Order matters only when two patterns could match the same line
# (none do today); nesting depth is decided by the order in which kinds appear in a document, so
# "第一章 > 第一条" and "一、 > （一） > 1． > （1）" both work without a fixed level per kind.
_CN_NUM = "一二三四五六七八九十百零〇两"
_SENTENCE_END = "。！？；"


@dataclass(frozen=True)
class HeadingKind:
    name: str
    pattern: re.Pattern[str]
    key: str  # format of the label key used in ids; {n} is the captured number


HEADING_KINDS: tuple[HeadingKind, ...] = (
    HeadingKind("chapter", re.compile(rf"第(?P<n>[{_CN_NUM}\d]+)章[\s　]*"), "第{n}章"),
    HeadingKind("part", re.compile(rf"第(?P<n>[{_CN_NUM}\d]+)节[\s　]*"), "第{n}节"),
    HeadingKind("article", re.compile(rf"第(?P<n>[{_CN_NUM}\d]+)条[\s　]*"), "第{n}条"),
    HeadingKind("cn", re.compile(rf"(?P<n>[{_CN_NUM}]+)[、．.]"), "{n}"),
    HeadingKind("paren_cn", re.compile(rf"[（(](?P<n>[{_CN_NUM}]+)[）)]"), "（{n}）"),
    # "1．" "1﹒" "1." "1、" — but not "1.5亿元" (a digit follows) nor "2020年" (no separator).
    HeadingKind("arabic", re.compile(r"(?P<n>\d{1,2})[．﹒.、](?!\d)"), "{n}"),
    HeadingKind("paren_arabic", re.compile(r"[（(](?P<n>\d{1,2})[）)]"), "（{n}）"),
    HeadingKind("circled", re.compile(r"(?P<n>[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])"), "{n}"),
    HeadingKind("dash", re.compile(r"——(?=\S)"), "—"),  # keyed by ordinal among siblings
)

# A heading sentence longer than this is body text that merely starts with a label ("第三条 本办法…").
MAX_HEADING_CHARS = 40
MAX_TITLE_LINE_CHARS = 40

# Task-division table columns, by header name (first match wins).
TASK_TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("序号", "编号"),
    "task": ("工作任务", "重点任务", "主要任务", "任务", "工作内容", "任务分工"),
    "departments": ("责任部门", "牵头部门", "责任单位", "牵头单位", "负责部门", "责任处室", "牵头"),
    "partners": ("配合部门", "配合单位", "参与部门", "协办单位"),
}
_DEPT_SPLIT = re.compile(r"[、，,；;\s]+")
PREAMBLE_LABEL = "引言"


@dataclass(frozen=True)
class Line:
    """One line of the normalised document text."""

    text: str
    start: int
    block: int  # index of the block it came from
    cell: tuple[int, int] | None = None  # (row, column) for table cells


@dataclass(frozen=True)
class Heading:
    kind: str
    key: str  # label used in ids (dash items get their ordinal later)
    display: str  # the label as written, e.g. "（二）", "1﹒", "——"
    title: str  # heading sentence without label and final punctuation


def layout(blocks: tuple[Block, ...] | list[Block]) -> tuple[str, list[Line]]:
    """Lay blocks out as text, one paragraph or table cell per line; tables keep their title line."""
    lines: list[Line] = []
    pos = 0

    def add(text: str, block: int, cell: tuple[int, int] | None = None) -> None:
        nonlocal pos
        lines.append(Line(text, pos, block, cell))
        pos += len(text) + 1

    for i, b in enumerate(blocks):
        if b.kind == "para":
            if b.text:
                add(b.text, i)
        else:
            if b.title:
                add(b.title, i, (-1, 0))
            for r, row in enumerate(b.rows):
                for c, cell in enumerate(row):
                    if cell:
                        add(cell, i, (r, c))
    return "\n".join(line.text for line in lines), lines


def match_heading(text: str) -> Heading | None:
    """Recognise a numbered heading at the start of a line, or None for body text."""
    for kind in HEADING_KINDS:
        m = kind.pattern.match(text)
        if not m:
            continue
        rest = text[m.end():].lstrip(" 　")
        number = m.groupdict().get("n") or ""
        return Heading(kind.name, kind.key.format(n=number), m.group(0).strip(), heading_title(rest))
    return None


def heading_title(rest: str) -> str:
    """The heading sentence: the text up to the first sentence end, if short enough to be a title."""
    for i, ch in enumerate(rest):
        if ch in _SENTENCE_END:
            return rest[:i] if i <= MAX_HEADING_CHARS else ""
    return rest.rstrip("：:") if len(rest) <= MAX_HEADING_CHARS else ""


def split_title(lines: list[Line]) -> tuple[str, int]:
    """Leading short lines before the addressee or first heading form the title (it may wrap)."""
    parts: list[str] = []
    for i, line in enumerate(lines):
        t = line.text
        if (
            line.cell is not None
            or len(t) > MAX_TITLE_LINE_CHARS
            or t.endswith(("：", ":", "。", "，", "；"))
            or match_heading(t)
            or DOC_NUMBER.fullmatch(t)
            or i >= 4
        ):
            break
        parts.append(t)
    # A title is usually one to three lines; a lone short line followed by body is still a title.
    return "".join(parts), len(parts)


DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}〔\d{4}〕\d{1,4}号")
DATE_LINE = re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日")
ISSUER_FROM_TITLE = re.compile(r"^(?P<issuer>.{2,30}?)关于")


def metadata(lines: list[Line], title: str) -> dict[str, str | None]:
    """Issuing body, document number and date, where the text states them."""
    number = None
    for line in lines[:8] + lines[-8:]:
        m = DOC_NUMBER.search(line.text)
        if m and len(line.text) <= 30:
            number = m.group(0)
            break
    date = None
    issuer = None
    tail = [ln for ln in lines[-6:] if ln.cell is None]
    for i, line in enumerate(tail):
        m = DATE_LINE.fullmatch(line.text)
        if m:
            date = f"{int(m['y']):04d}-{int(m['m']):02d}-{int(m['d']):02d}"
            if i > 0 and len(tail[i - 1].text) <= 20 and not match_heading(tail[i - 1].text):
                issuer = tail[i - 1].text
    if issuer is None:
        m = ISSUER_FROM_TITLE.match(title)
        if m:
            issuer = m["issuer"]
    return {"issuer": issuer, "number": number, "date": date}


def task_rows(rows: tuple[tuple[str, ...], ...]) -> list[TaskRow] | None:
    """Read a task-division table; None when its header lacks number/task/department columns."""
    if len(rows) < 2:
        return None
    header = rows[0]
    cols: dict[str, int] = {}
    for field, names in TASK_TABLE_COLUMNS.items():
        for j, cell in enumerate(header):
            if j not in cols.values() and any(name in cell for name in names):
                cols[field] = j
                break
    if not {"number", "task", "departments"} <= cols.keys():
        return None
    out: list[TaskRow] = []
    for i, row in enumerate(rows[1:], start=1):
        cell = lambda f: row[cols[f]].strip() if f in cols and cols[f] < len(row) else ""  # noqa: E731
        depts, etc = split_departments(cell("departments"))
        partners, etc2 = split_departments(cell("partners"))
        num = cell("number")
        out.append(
            TaskRow(
                number=int(num) if num.isdigit() else i,
                task=cell("task"),
                departments=tuple(depts + [p for p in partners if p not in depts]),
                non_exhaustive=etc2 if partners else etc,
            )
        )
    return out


def split_departments(cell: str) -> tuple[list[str], bool]:
    """"省商务厅、交通运输厅等" -> (["省商务厅", "交通运输厅"], True)."""
    cell = cell.strip().rstrip("。")
    etc = cell.endswith("等")
    if etc:
        cell = cell[:-1]
    return [p for p in _DEPT_SPLIT.split(cell) if p], etc


class _Builder:
    """Walks the lines once, keeping a stack of open headings; see split_clauses."""

    def __init__(self, doc_id: str, text: str, lines: list[Line], blocks: tuple[Block, ...]):
        self.doc_id, self.text, self.lines, self.blocks = doc_id, text, lines, blocks
        self.clauses: list[dict] = []
        self.stack: list[dict] = []  # open clause dicts, outermost first
        self.ids: set[str] = set()
        self.tables = 0

    def new(self, *, labels, path, kind, heading, start, parent) -> dict:
        cid = f"{self.doc_id}#{'.'.join(labels)}"
        n = 2
        while cid in self.ids:  # a repeated label (a numbering slip in the source) stays addressable
            cid = f"{self.doc_id}#{'.'.join(labels)}~{n}"
            n += 1
        self.ids.add(cid)
        c = dict(id=cid, labels=tuple(labels), path=tuple(path), kind=kind, heading=heading,
                 start=start, end=start, subtree_end=start, parent=parent, children=0, row=None)
        if parent is not None:
            parent["children"] += 1
        self.clauses.append(c)
        return c

    def extend(self, c: dict, end: int) -> None:
        c["end"] = end

    def heading(self, line: Line, h: Heading) -> None:
        kinds = [s.get("hkind") for s in self.stack]
        if h.kind in kinds:
            del self.stack[kinds.index(h.kind):]
        parent = self.stack[-1] if self.stack else None
        key = h.key
        if h.kind == "dash":  # dash items carry no number: their key is the ordinal among siblings
            siblings = [c for c in self.clauses if c["parent"] is parent and c.get("hkind") == "dash"]
            key = f"—{len(siblings) + 1}"
        labels = (parent["labels"] if parent else ()) + (key,)
        shown = f"{h.display}{h.title}" if h.kind != "dash" else f"——{h.title}"
        path = (parent["path"] if parent else ()) + (shown,)
        c = self.new(labels=labels, path=path, kind="section" if len(labels) == 1 else "item",
                     heading=h.title, start=line.start, parent=parent)
        c["hkind"] = h.kind
        self.extend(c, line.start + len(line.text))
        self.stack.append(c)

    def table(self, block_index: int, lines: list[Line]) -> None:
        block = self.blocks[block_index]
        self.tables += 1
        title = block.title or f"表{self.tables}"
        if block.title:  # a titled table is an appendix-like top-level unit
            self.stack.clear()
        parent = self.stack[-1] if self.stack else None
        labels = (parent["labels"] if parent else ()) + (title,)
        path = (parent["path"] if parent else ()) + (title,)
        start = lines[0].start
        t = self.new(labels=labels, path=path, kind="table", heading=title, start=start, parent=parent)
        header_end = [ln for ln in lines if ln.cell and ln.cell[0] <= 0]
        t["end"] = (header_end[-1].start + len(header_end[-1].text)) if header_end else start
        rows = task_rows(block.rows)
        for r in range(1, len(block.rows)):
            cells = [ln for ln in lines if ln.cell and ln.cell[0] == r]
            if not cells:
                continue
            row = rows[r - 1] if rows else None
            label = str(row.number) if row else str(r)
            first = next((x for x in block.rows[r] if x and not x.isdigit()), "")
            c = self.new(labels=labels + (label,), path=path + (f"{label}．{first}" if first else label,),
                         kind="row", heading=row.task if row else first, start=cells[0].start, parent=t)
            c["end"] = cells[-1].start + len(cells[-1].text)
            c["row"] = row

    def para(self, line: Line) -> None:
        end = line.start + len(line.text)
        if self.stack:
            self.extend(self.stack[-1], end)
            return
        # Text before the first heading: the preamble (addressee and opening paragraphs).
        pre = next((c for c in self.clauses if c["kind"] == "preamble" and c["end"] == line.start - 1), None)
        if pre is None:
            pre = self.new(labels=(PREAMBLE_LABEL,), path=(PREAMBLE_LABEL,), kind="preamble",
                           heading="", start=line.start, parent=None)
        self.extend(pre, end)


def split_clauses(doc_id: str, blocks: tuple[Block, ...]) -> tuple[str, str, list[Line], list[Clause]]:
    """Return (text, title, lines, clauses) for a document's blocks."""
    text, lines = layout(blocks)
    title, n_title = split_title(lines)
    b = _Builder(doc_id, text, lines, tuple(blocks))
    i = n_title
    end = len(lines) - _trailer_length(lines)
    while i < end:
        line = lines[i]
        if line.cell is not None:
            j = i
            while j < len(lines) and lines[j].block == line.block:
                j += 1
            b.table(line.block, lines[i:j])
            i = j
            continue
        h = match_heading(line.text)
        if h:
            b.heading(line, h)
        else:
            b.para(line)
        i += 1
    clauses = _finish(doc_id, text, b.clauses)
    if not any(c.kind in ("section", "item", "table") for c in clauses):
        clauses = _paragraph_clauses(doc_id, text, lines[n_title:end])
    return text, title, lines, clauses


def _trailer_length(lines: list[Line]) -> int:
    """The signature at the end ("江苏省商务厅" / "2020年3月5日") belongs to no clause."""
    if not lines or lines[-1].cell is not None or not DATE_LINE.fullmatch(lines[-1].text):
        return 0
    prev = lines[-2] if len(lines) > 1 else None
    if prev and prev.cell is None and len(prev.text) <= 20 and not match_heading(prev.text) \
            and not prev.text.endswith(("。", "；", "：")):
        return 2
    return 1


def _paragraph_clauses(doc_id: str, text: str, lines: list[Line]) -> list[Clause]:
    """A document without numbered headings: each paragraph is a clause, labelled 第N段."""
    out = []
    for n, line in enumerate(lines, start=1):
        end = line.start + len(line.text)
        label = f"第{n}段"
        out.append(Clause(id=f"{doc_id}#{label}", doc_id=doc_id, labels=(label,), path=(label,), kind="item",
                          heading="", text=text[line.start:end], start=line.start, end=end, subtree_end=end,
                          parent_id=None, order=n - 1))
    return out


def _finish(doc_id: str, text: str, raw: list[dict]) -> list[Clause]:
    # subtree_end: a clause's subtree ends where its last descendant ends.
    for c in reversed(raw):
        c["subtree_end"] = max(c["subtree_end"], c["end"])
        if c["parent"] is not None:
            c["parent"]["subtree_end"] = max(c["parent"]["subtree_end"], c["subtree_end"])
    return [
        Clause(
            id=c["id"], doc_id=doc_id, labels=c["labels"], path=c["path"], kind=c["kind"],
            heading=c["heading"], text=text[c["start"]:c["end"]], start=c["start"], end=c["end"],
            subtree_end=c["subtree_end"], parent_id=c["parent"]["id"] if c["parent"] else None,
            order=i, row=c["row"],
        )
        for i, c in enumerate(raw)
    ]
