"""Clause tree: turn loaded blocks into normalised document text and numbered clauses with offsets.

Laws and regulations (`第一编 > 第一章 > 第一节 > 第一条 > （一） > 1．`) and policy documents
(`一、 > （一） > 1． > ——`) go through the same walk: an ordered table of heading kinds, a stack of
open headings, and Markdown heading depth where the file has it. Articles (第X条) are addressed by
their number alone (`doc#第十四条`, `doc#第十四条.（二）`), so their ids survive changes of chapters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.numerals import CN_DIGITS, canonical, to_cn
from ingest.records import Block, Clause, TaskRow

_CN_NUM = CN_DIGITS
_SENTENCE_END = "。！？；"
_SEP = r"(?=[\s　：:]|$)"  # a label ends at a space, a colon or the line end


@dataclass(frozen=True)
class HeadingKind:
    name: str
    pattern: re.Pattern[str]
    key: str  # format of the label key used in ids, over the pattern's named groups
    # "container": 编/章/节, a heading-only clause over articles; "article": 第X条, holds its 款 and
    # 项; "annex": 附件/附表, starts a new top-level unit; "item": any other numbered heading.
    role: str = "item"


# Ordered table of heading kinds. Order matters only when two patterns could match the same line
# (分编 before 编); nesting depth is decided by the order in which kinds appear in a document, so
# "第一章 > 第一条" and "一、 > （一） > 1． > （1）" both work without a fixed level per kind.
HEADING_KINDS: tuple[HeadingKind, ...] = (
    HeadingKind("subbook", re.compile(rf"第(?P<n>[{_CN_NUM}\d]+)分编{_SEP}[\s　]*"), "第{n}分编", "container"),
    HeadingKind("book", re.compile(rf"第(?P<n>[{_CN_NUM}\d]+)编{_SEP}[\s　]*"), "第{n}编", "container"),
    HeadingKind("chapter", re.compile(rf"第(?P<n>[{_CN_NUM}\d]+)章[\s　]*"), "第{n}章", "container"),
    HeadingKind("part", re.compile(rf"第(?P<n>[{_CN_NUM}\d]+)节[\s　]*"), "第{n}节", "container"),
    HeadingKind("article", re.compile(rf"第(?P<n>[{_CN_NUM}\d]+)条(?P<sub>之[{_CN_NUM}]+)?[\s　]*"), "第{n}条{sub}",
                "article"),
    HeadingKind("annex", re.compile(rf"(?P<w>附件|附表)(?P<n>[{_CN_NUM}\d]*){_SEP}[：:\s　]*"), "{w}{n}", "annex"),
    HeadingKind("cn", re.compile(rf"(?P<n>[{_CN_NUM}]+)[、．.]"), "{n}"),
    HeadingKind("paren_cn", re.compile(rf"[（(](?P<n>[{_CN_NUM}]+)[）)]"), "（{n}）"),
    # "1．" "1﹒" "1." "1、" — but not "1.5亿元" (a digit follows) nor "2020年" (no separator).
    HeadingKind("arabic", re.compile(r"(?P<n>\d{1,2})[．﹒.、](?!\d)"), "{n}"),
    HeadingKind("paren_arabic", re.compile(r"[（(](?P<n>\d{1,2})[）)]"), "（{n}）"),
    HeadingKind("circled", re.compile(r"(?P<n>[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])"), "{n}"),
    HeadingKind("dash", re.compile(r"——(?=\S)"), "—"),  # keyed by ordinal among siblings
)
_LABELLED_ROLES = ("container", "annex", "article")
_LABELLED_KINDS = ("subbook", "book", "chapter", "part", "article", "annex")  # shown "第一章 总则": label, space, title

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
FRONT_MATTER_LABEL = "题注"  # the dates and adopting body printed under a law's title
CONTENTS_LABEL = "目录"
CLOSING_LABEL = "结语"

DATE = r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日"
DATE_LINE = re.compile(DATE)
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}〔\d{4}〕\d{1,4}号")
# A line of front matter: "2021年9月29日 浙江省第十三届人民代表大会常务委员会第三十一次会议通过",
# "（2018年3月2日中华人民共和国国务院令第697号公布）", "2021年1月1日 施行".
FRONT_MATTER_VERBS = ("通过", "公布", "发布", "施行", "修订", "修正", "批准", "印发", "颁布")
FRONT_MATTER_LINE = re.compile(
    rf"^[（(]?\s*(?:根据)?\s*\d{{4}}年\d{{1,2}}月\d{{1,2}}日.*(?:{'|'.join(FRONT_MATTER_VERBS)})[）)]?\s*$"
)
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def squeeze(text: str) -> str:
    """"总　　则" -> "总则": spacing between Chinese characters in headings is layout, not text."""
    return _CJK_GAP.sub("", text.strip())


@dataclass(frozen=True)
class Line:
    """One line of the normalised document text."""

    text: str
    start: int
    block: int  # index of the block it came from
    cell: tuple[int, int] | None = None  # (row, column) for table cells
    level: int = 0  # Markdown heading depth, 0 for body text
    front: bool = False  # marked as front matter by the loader

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True)
class Heading:
    kind: str
    key: str  # label used in ids (dash items get their ordinal later)
    display: str  # the label as written, e.g. "（二）", "1﹒", "——"
    title: str  # heading sentence without label and final punctuation
    role: str = "item"

    @property
    def shown(self) -> str:
        """How the heading appears in a display path."""
        if self.kind == "dash":
            return f"——{self.title}"
        if self.kind in _LABELLED_KINDS:
            return f"{self.display} {self.title}".strip()
        return f"{self.display}{self.title}"


@dataclass(frozen=True)
class Head:
    """What comes before the body: title, the part title of a law split over files, front matter."""

    title: str
    part: str | None
    front: tuple[Line, ...]
    body: int  # index of the first body line


@dataclass(frozen=True)
class Structure:
    text: str
    title: str
    part: str | None
    front: tuple[Line, ...]
    lines: list[Line]
    clauses: list[Clause]


def layout(blocks: tuple[Block, ...] | list[Block]) -> tuple[str, list[Line]]:
    """Lay blocks out as text, one paragraph or table cell per line; tables keep their title line."""
    lines: list[Line] = []
    pos = 0

    def add(text: str, block: int, cell: tuple[int, int] | None = None, level: int = 0, front: bool = False) -> None:
        nonlocal pos
        lines.append(Line(text, pos, block, cell, level, front))
        pos += len(text) + 1

    for i, b in enumerate(blocks):
        if b.kind == "para":
            if b.text:
                add(b.text, i, level=b.level, front=b.front)
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
        groups = {k: v or "" for k, v in m.groupdict().items()}
        if kind.role in ("container", "annex"):
            if len(text) > MAX_HEADING_CHARS or text.endswith(tuple(_SENTENCE_END)):
                continue  # "第一章规定的…。" is a sentence, not a chapter
            title = squeeze(rest.rstrip("：:"))
        elif kind.role == "article":
            groups["n"] = canonical(groups["n"])  # 第17条 and 第十七条 are one article
            title = ""
        else:
            title = heading_title(rest)
        key = kind.key.format(**groups)
        display = key if kind.role in _LABELLED_ROLES else m.group(0).strip()
        return Heading(kind.name, key, display, title, kind.role)
    return None


def markdown_heading(text: str) -> Heading:
    """A Markdown heading below the title: a container whatever it says ("第一章 总则", "二、管辖", "附则")."""
    h = match_heading(text)
    if h is not None and h.role != "article":
        return replace(h, role="annex" if h.role == "annex" else "container")
    text = squeeze(text)
    return Heading("heading", text, text, "", "container")


def heading_title(rest: str) -> str:
    """The heading sentence: the text up to the first sentence end, if short enough to be a title."""
    for i, ch in enumerate(rest):
        if ch in _SENTENCE_END:
            return rest[:i] if i <= MAX_HEADING_CHARS else ""
    return rest.rstrip("：:") if len(rest) <= MAX_HEADING_CHARS else ""


def split_title(lines: list[Line]) -> tuple[str, int]:
    """Leading short lines before the addressee, front matter or first heading form the title (it may wrap)."""
    parts: list[str] = []
    for i, line in enumerate(lines):
        t = line.text
        if (
            line.cell is not None
            or line.front
            or len(t) > MAX_TITLE_LINE_CHARS
            or t.endswith(("：", ":", "。", "，", "；"))
            or match_heading(t)
            or DOC_NUMBER.fullmatch(t)
            or FRONT_MATTER_LINE.match(t)
            or i >= 4
        ):
            break
        parts.append(t)
    # A title is usually one to three lines; a lone short line followed by body is still a title.
    return "".join(parts), len(parts)


def parse_head(lines: list[Line]) -> Head:
    """Title (a Markdown "#" heading, else the leading short lines), a second "#" heading naming the
    part of a larger law the file holds (民法典's "# 物权编"), then the front matter lines."""
    part = None
    if lines and lines[0].level == 1:
        title, i = squeeze(lines[0].text), 1
        if i < len(lines) and lines[i].level == 1:
            part, i = squeeze(lines[i].text), i + 1
    else:
        title, i = split_title(lines)
    start = i
    while i < len(lines) and _is_front_matter(lines[i]):
        i += 1
    return Head(title, part, tuple(lines[start:i]), i)


def _is_front_matter(line: Line) -> bool:
    return line.cell is None and not line.level and (line.front or bool(FRONT_MATTER_LINE.match(line.text)))


def _contents_end(lines: list[Line], start: int, end: int) -> int:
    """Where a table of contents at the start of the body ends (`start` when there is none): a run
    of chapter headings, optionally under "目录", whose first heading comes again later."""
    i = start + (start < end and squeeze(lines[start].text) == CONTENTS_LABEL)
    first = i
    seen: list[str] = []
    while i < end and _is_container_line(lines[i]):
        text = squeeze(lines[i].text)
        if seen and text == seen[0]:
            break
        seen.append(text)
        i += 1
    if len(seen) < 2 or not any(squeeze(line.text) == seen[0] for line in lines[i:end]):
        return start
    return i if i > first else start


def _is_container_line(line: Line) -> bool:
    if line.cell is not None:
        return False
    if line.level:
        return True
    h = match_heading(line.text)
    return h is not None and h.role == "container"


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
    """Walks the lines once, keeping a stack of open headings; see parse_structure."""

    def __init__(self, doc_id: str, text: str, lines: list[Line], blocks: tuple[Block, ...]):
        self.doc_id, self.text, self.lines, self.blocks = doc_id, text, lines, blocks
        self.clauses: list[dict] = []
        self.stack: list[dict] = []  # open clause dicts, outermost first
        self.ids: set[str] = set()
        self.tables = 0

    def new(self, *, labels, path, kind, heading, start, parent, id_labels=None, hkind="", role="", md=0) -> dict:
        id_labels = tuple(labels if id_labels is None else id_labels)
        base = f"{self.doc_id}#{'.'.join(id_labels)}"
        cid, n = base, 2
        while cid in self.ids:  # a repeated label (a numbering slip in the source) stays addressable
            cid = f"{base}~{n}"
            n += 1
        self.ids.add(cid)
        c = dict(id=cid, labels=tuple(labels), id_labels=id_labels, path=tuple(path), kind=kind, heading=heading,
                 start=start, end=start, subtree_end=start, parent=parent, children=0, row=None, hkind=hkind,
                 role=role, md=md, paras=[], item_keys=set(), article=None, paragraph=0)
        if parent is not None:
            parent["children"] += 1
        self.clauses.append(c)
        return c

    def block(self, label: str, lines: list[Line] | tuple[Line, ...]) -> None:
        """A top-level unlabelled run of lines: front matter, table of contents."""
        c = self.new(labels=(label,), path=(label,), kind="preamble", heading=label, start=lines[0].start, parent=None)
        c["end"] = lines[-1].end

    def _article(self) -> dict | None:
        return next((s for s in reversed(self.stack) if s["role"] == "article"), None)

    def _close(self, h: Heading, md: int) -> None:
        """Pop the open headings that the new heading ends."""
        if md:  # Markdown depth decides: a "##" heading closes everything below the last "#"
            while self.stack and not 0 < self.stack[-1]["md"] < md:
                self.stack.pop()
            return
        if h.role == "annex":
            self.stack.clear()
            return
        if h.role == "container":  # a chapter closes the articles and items of the one before
            while self.stack and self.stack[-1]["role"] not in ("container", "annex"):
                self.stack.pop()
        # Headings outside the open article are out of reach of its items: its "（一）" closes no
        # section "（一）" above it, nor a Markdown "## 一、".
        article = self._article()
        floor = self.stack.index(article) if article is not None and h.role == "item" else 0
        kinds = [s["hkind"] if not s["md"] and i >= floor else "" for i, s in enumerate(self.stack)]
        if h.kind in kinds:
            del self.stack[kinds.index(h.kind):]

    def heading(self, line: Line, h: Heading, md: int = 0) -> None:
        last = self.clauses[-1] if self.clauses else None
        if h.role == "annex" and last and last["role"] == "annex" and last["labels"][-1] == h.key \
                and last["end"] == line.start - 1:  # "附件：X" listed, then the annex "附件：X" itself
            last["end"] = line.end
            return
        self._close(h, md)
        parent = self.stack[-1] if self.stack else None
        key = h.key
        if h.kind == "dash":  # dash items carry no number: their key is the ordinal among siblings
            siblings = [c for c in self.clauses if c["parent"] is parent and c["hkind"] == "dash"]
            key = f"—{len(siblings) + 1}"
        kind = {"article": "article", "container": "section", "annex": "section"}.get(h.role)
        labels = (parent["labels"] if parent else ()) + (key,)
        c = self.new(labels=labels, id_labels=self._id_labels(h.role, parent, key),
                     path=(parent["path"] if parent else ()) + (h.shown,),
                     kind=kind or ("section" if len(labels) == 1 else "item"),
                     heading=h.title, start=line.start, parent=parent, hkind=h.kind, role=h.role, md=md)
        c["end"] = line.end
        if h.role == "article":
            c["paras"] = [line.start]
        elif h.role == "item" and (article := self._article()) is not None:
            c["article"], c["paragraph"] = article, len(article["paras"])
            if parent is article:
                article["item_keys"].add(key)
        self.stack.append(c)

    def _id_labels(self, role: str, parent: dict | None, key: str) -> tuple[str, ...]:
        """What the id joins: the labels from the top, except for articles and what lies in them."""
        if role == "article":  # doc#第十四条, or doc#附件一.第三条 for an article of an annex
            annex = next((s for s in self.stack if s["role"] == "annex"), None)
            return (annex["id_labels"] if annex else ()) + (key,)
        if parent is None:
            return (key,)
        if parent["role"] == "article" and key in parent["item_keys"]:
            # items numbered again in a later 款 of the article: doc#第七十八条.第二款.（一）
            return parent["id_labels"] + (f"第{to_cn(len(parent['paras']))}款", key)
        return parent["id_labels"] + (key,)

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
        t["end"] = header_end[-1].end if header_end else start
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
            c["end"] = cells[-1].end
            c["row"] = row

    def para(self, line: Line) -> None:
        if self.stack:
            article = self._article()
            if article is not None:  # every paragraph of an article is a 款 of it, after its items too
                del self.stack[self.stack.index(article) + 1:]
                article["paras"].append(line.start)
            self.stack[-1]["end"] = line.end
            return
        # Text outside any heading: before the first one, the preamble (addressee and opening
        # paragraphs); after a top-level table, the closing paragraphs.
        label = CLOSING_LABEL if any(c["kind"] != "preamble" for c in self.clauses) else PREAMBLE_LABEL
        pre = next((c for c in self.clauses if c["labels"] == (label,) and c["end"] == line.start - 1), None)
        if pre is None:
            pre = self.new(labels=(label,), path=(label,), kind="preamble", heading="", start=line.start, parent=None)
        pre["end"] = line.end


def parse_structure(doc_id: str, blocks: tuple[Block, ...]) -> Structure:
    """Lay the blocks out as text and build the clause tree with its title and front matter."""
    text, lines = layout(blocks)
    head = parse_head(lines)
    b = _Builder(doc_id, text, lines, tuple(blocks))
    if head.front:
        b.block(FRONT_MATTER_LABEL, head.front)
    end = len(lines) - _trailer_length(lines)
    i = _contents_end(lines, head.body, end)
    if i > head.body:
        b.block(CONTENTS_LABEL, lines[head.body:i])
    body = i
    while i < end:
        line = lines[i]
        if line.cell is not None:
            j = i
            while j < len(lines) and lines[j].block == line.block:
                j += 1
            b.table(line.block, lines[i:j])
            i = j
            continue
        if line.level:
            b.heading(line, markdown_heading(line.text), md=line.level)
        elif h := match_heading(line.text):
            if h.role == "item" and _titles_articles(line, lines[i + 1] if i + 1 < end else None):
                h = replace(h, role="container")
            b.heading(line, h)
        else:
            b.para(line)
        i += 1
    clauses = _finish(doc_id, text, b.clauses)
    if not any(c.kind in ("section", "article", "item", "table") for c in clauses):
        kept = [c for c in clauses if c.labels[0] in (FRONT_MATTER_LABEL, CONTENTS_LABEL)]
        clauses = kept + _paragraph_clauses(doc_id, text, lines[body:end], first_order=len(kept))
    return Structure(text, head.title, head.part, head.front, lines, clauses)


def _titles_articles(line: Line, following: Line | None) -> bool:
    """"（二）抵押权" right above "第五十条 …": a numbered title over articles, not an item of one."""
    if following is None or following.level or any(ch in line.text for ch in _SENTENCE_END + "：:，,"):
        return False  # a title is no sentence
    h = match_heading(following.text)
    return h is not None and h.role == "article" and len(line.text) <= MAX_HEADING_CHARS


def split_clauses(doc_id: str, blocks: tuple[Block, ...]) -> tuple[str, str, list[Line], list[Clause]]:
    """Return (text, title, lines, clauses) for a document's blocks."""
    s = parse_structure(doc_id, blocks)
    return s.text, s.title, s.lines, s.clauses


def _trailer_length(lines: list[Line]) -> int:
    """The signature at the end ("江苏省商务厅" / "2020年3月5日") belongs to no clause."""
    if not lines or lines[-1].cell is not None or not DATE_LINE.fullmatch(lines[-1].text):
        return 0
    prev = lines[-2] if len(lines) > 1 else None
    if prev and prev.cell is None and len(prev.text) <= 20 and not match_heading(prev.text) \
            and not prev.text.endswith(("。", "；", "：")):
        return 2
    return 1


def _paragraph_clauses(doc_id: str, text: str, lines: list[Line], first_order: int = 0) -> list[Clause]:
    """A document without numbered headings: each paragraph is a clause, labelled 第N段."""
    out = []
    for n, line in enumerate(lines, start=1):
        label = f"第{n}段"
        out.append(Clause(id=f"{doc_id}#{label}", doc_id=doc_id, labels=(label,), path=(label,), kind="item",
                          heading="", text=text[line.start:line.end], start=line.start, end=line.end,
                          subtree_end=line.end, parent_id=None, order=first_order + n - 1))
    return out


def _citation(c: dict) -> str:
    """第十四条, 第十四条第二款第（二）项 (the 款 only when the article has several), …第1目."""
    if c["role"] == "article":
        return c["labels"][-1]
    article = c["article"]
    if article is None or any(key.startswith("—") for key in c["labels"]):
        return ""
    cite = article["labels"][-1] + (f"第{to_cn(c['paragraph'])}款" if len(article["paras"]) > 1 else "")
    chain = c["labels"][len(article["labels"]):]
    return cite + "".join(f"第{key}{'项' if depth == 0 else '目'}" for depth, key in enumerate(chain))


def _finish(doc_id: str, text: str, raw: list[dict]) -> list[Clause]:
    # subtree_end: a clause's subtree ends where its last descendant ends.
    for c in reversed(raw):
        c["subtree_end"] = max(c["subtree_end"], c["end"])
        if c["parent"] is not None:
            c["parent"]["subtree_end"] = max(c["parent"]["subtree_end"], c["subtree_end"])
    out = []
    for i, c in enumerate(raw):
        paragraphs: tuple[tuple[int, int], ...] = ()
        if c["role"] == "article":  # an article's text is all of it: its 款 and its items
            c["end"] = c["subtree_end"]
            bounds = c["paras"] + [c["end"] + 1]
            paragraphs = tuple((s - c["start"], e - 1 - c["start"]) for s, e in zip(bounds, bounds[1:]))
        out.append(Clause(
            id=c["id"], doc_id=doc_id, labels=c["labels"], path=c["path"], kind=c["kind"],
            heading=c["heading"], text=text[c["start"]:c["end"]], start=c["start"], end=c["end"],
            subtree_end=c["subtree_end"], parent_id=c["parent"]["id"] if c["parent"] else None,
            order=i, row=c["row"], paragraph=c["paragraph"], citation=_citation(c), paragraphs=paragraphs,
        ))
    return out
