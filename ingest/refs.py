"""References to articles: "民法典第一千一百六十五条", "第十四条第二款第（二）项", "前款", and their
resolution to clause ids inside a document.

`parse_article_ref` reads the first reference in a question or label; `find_clause` looks it up
among a document's clauses; `cross_references` finds every reference in a clause's text;
`resolve_references` stores on each clause the references it makes, as clause ids where they point
into the same document and as "《law》第X条" where they name another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable

from ingest.numerals import CN_DIGITS, canonical, to_int
from ingest.records import Clause, ParsedDocument

_N = rf"[{CN_DIGITS}\d]+"
# Words a document uses for itself before an article number ("本条例第七条").
SELF_NAMES = ("本法典", "本法", "本条例", "本规定", "本办法", "本细则", "本规则", "本决定", "本解释", "本准则")
# References relative to where they stand: this or the previous article or 款.
RELATIVE = ("本条", "前条", "本款", "前款", "前两款", "前三款")
# The endings of law names written without book-title marks ("民事诉讼法第二百五十七条").
LAW_ENDINGS = ("法典", "法", "条例", "规定", "办法", "细则", "规则", "决定", "解释", "准则")
# Words that stand before a law's name in a sentence and are not part of it: two-character ones
# wherever they stand in the run before the name, one-character ones only at its start, and only
# those that begin no law's name (经 begins 经济…, 对 begins 对外贸易法).
LEAD_WORDS = ("根据", "依照", "依据", "按照", "参照", "违反", "适用", "对照", "请问", "属于", "认定为", "符合", "具有",
              "可以", "应当", "分别", "构成", "享有", "主张", "规定", "实施", "或者", "以及")
LEAD_CHARS = ("依", "按", "由", "据", "和", "及", "或")
STATE_NAME = "中华人民共和国"  # a full title starts here, whatever stands before it
_NAME_STOP = re.compile(r"[^\u4e00-\u9fff]")  # a bare name is a run of Chinese characters
# What may stand between two references of one list: "第三十条、第三十三条", "第三项、第四项".
_CONTINUATION = re.compile(r"^(?:、|，|,|和|及|以及|或者|或|至|到|与)$")

_REF = re.compile(
    rf"(?:(?P<rel>{'|'.join(sorted(RELATIVE, key=len, reverse=True))})(?![例项])"  # not 本条例, 本款项
    rf"|第(?P<art>{_N})条(?P<sub>之[{CN_DIGITS}]+)?)?"
    rf"(?:第(?P<kuan>{_N})款)?"
    rf"(?:第[（(]?(?P<xiang>{_N})[）)]?项)?"
)


@dataclass(frozen=True)
class ArticleRef:
    law: str | None  # the other law's name as written ("民法典", "中华人民共和国邮政法"); None: this document
    article: str | None  # canonical label, "第一千一百六十五条", "第十七条之一"; None for 前款/本款 or a bare 款
    paragraph: int | None = None  # 款
    item: str | None = None  # 项, as the law numbers it: "（二）"
    relative: str | None = None  # 本条, 前条, 本款, 前款, 前两款, 前三款

    @property
    def label(self) -> str:
        """"第十四条第二款第（二）项"; a relative reference keeps its word ("前款第（一）项")."""
        out = self.relative or self.article or ""
        if self.paragraph:
            out += f"第{canonical(str(self.paragraph))}款"
        if self.item:
            out += f"第{self.item}项"
        return out


_ARTICLE_OF = re.compile(r"^第[^条]{1,12}条(?:之[^第]{1,4})?")


def article_of(clause: Clause) -> tuple[str, str] | None:
    """(document id, 第X条) of the article a clause is or belongs to, from its citation
    (第十四条第二款第（二）项 -> 第十四条); None for a clause outside articles."""
    m = _ARTICLE_OF.match(clause.citation)
    return (clause.doc_id, m.group(0)) if m else None


def parse_article_ref(text: str) -> ArticleRef | None:
    """The first article reference in `text` with its law's name if one is given:
    "快递暂行条例第20条讲了什么" -> ArticleRef("快递暂行条例", "第二十条")."""
    for _, _, ref in cross_references(text):
        if ref.article:
            return ref
    return None


def cross_references(text: str, known: Iterable[str] = ()) -> list[tuple[int, int, ArticleRef]]:
    """Every reference in a clause's text as (start, end, ref), the law name included in the span.
    A reference that continues a list ("第十五条第一款第三项、第四项") inherits what it leaves out.
    `known` law names (see `law_names`) delimit a name written without book-title marks."""
    out: list[tuple[int, int, ArticleRef]] = []
    for m in _REF.finditer(text):
        if m.start() == m.end() or not any(m.group(g) for g in ("rel", "art", "kuan", "xiang")):
            continue
        if _is_article_heading(text, m):
            continue
        ref = ArticleRef(
            law=None,
            article=f"第{canonical(m['art'])}条{m['sub'] or ''}" if m["art"] else None,
            paragraph=to_int(m["kuan"]) if m["kuan"] else None,
            item=f"（{canonical(m['xiang'])}）" if m["xiang"] else None,
            relative=m["rel"],
        )
        start = m.start()
        previous = out[-1] if out else None
        if previous and _CONTINUATION.match(text[previous[1]:start]) and not ref.relative:
            ref = _inherit(ref, previous[2])
        elif ref.article:
            law, start = _law_before(text, start, previous[1] if previous else 0, known)
            ref = replace(ref, law=law)
        elif not ref.relative:
            ref = replace(ref, relative="本条")  # "依照第一款规定": a 款 of the article it stands in
        out.append((start, m.end(), ref))
    return out


def _is_article_heading(text: str, m: re.Match[str]) -> bool:
    """"第七条 …" at the start of a line labels the article; it refers to nothing."""
    at_line_start = m.start() == 0 or text[m.start() - 1] == "\n"
    return bool(m["art"]) and at_line_start and text[m.end():m.end() + 1] in (" ", "\u3000", "\t")


def _inherit(ref: ArticleRef, previous: ArticleRef) -> ArticleRef:
    """"第四项" after "第十五条第一款第三项、" is 第十五条第一款第四项."""
    if ref.article:
        return replace(ref, law=previous.law)
    if ref.paragraph:
        return replace(ref, law=previous.law, article=previous.article, relative=previous.relative)
    return replace(ref, law=previous.law, article=previous.article, relative=previous.relative,
                   paragraph=previous.paragraph)


def law_names(text: str) -> frozenset[str]:
    """Names of laws a text writes in book-title marks, with their short forms: "中华人民共和国企业
    破产法" gives "企业破产法" too, so that a later bare "…有企业破产法第X条" is cut right."""
    names = {m.group(1) for m in re.finditer(r"《([^《》]{2,60})》", text) if m.group(1).endswith(LAW_ENDINGS)}
    return frozenset(names | {n.removeprefix(STATE_NAME) for n in names if len(n) > len(STATE_NAME) + 1})


def _law_before(text: str, start: int, floor: int, known: Iterable[str]) -> tuple[str | None, int]:
    """The law named right before an article number (not before `floor`, where the previous reference
    ends) and where its name starts; None for this document."""
    before = text[max(floor, start - 60):start]
    for name in SELF_NAMES:
        if before.endswith(name):
            return None, start - len(name)
    if before.endswith("》") and "《" in before:
        opening = before.rindex("《")
        return before[opening + 1:-1], start - (len(before) - opening)
    run = _NAME_STOP.split(before)[-1]
    if found := [n for n in known if run.endswith(n)]:
        name = max(found, key=len)
        return name, start - len(name)
    if STATE_NAME in run:
        run = run[run.rindex(STATE_NAME):]
    candidates = [run] + [run[i + len(w):] for w in LEAD_WORDS for i in _positions(run, w)]
    candidates += [c[1:] for c in list(candidates) if c.startswith(LEAD_CHARS)]
    names = [c for c in candidates if not c.startswith("本") and any(
        c.endswith(e) and len(c) > len(e) for e in LAW_ENDINGS)]
    if not names:
        return None, start
    name = min(names, key=len)
    return name, start - len(name)


def _positions(text: str, word: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(word), text)]


def find_clause(clauses: Iterable[Clause], ref: ArticleRef) -> Clause | None:
    """The clause of one document that `ref` names: the item when it names one that exists (in the
    named 款 if it names one), else the article; None when the document has no such article."""
    clauses = list(clauses)
    article = next((c for c in clauses if c.kind == "article" and c.labels[-1] == ref.article), None)
    if article is None or not ref.item:
        return article
    items = [c for c in clauses if c.parent_id == article.id and c.labels[-1] == ref.item]
    return next((c for c in items if not ref.paragraph or c.paragraph == ref.paragraph), article)


# --------------------------------------------------------------------------- resolution


def resolve_references(parsed: ParsedDocument) -> ParsedDocument:
    """The document with `refs` set on every clause that refers to an article."""
    resolver = _Resolver(parsed)
    known = law_names(parsed.document.text) | law_names(f"《{parsed.document.title}》")
    out = []
    for c in parsed.clauses:
        refs = tuple((s, e, t) for s, e, ref in cross_references(c.text, known) if (t := resolver.target(ref, c, s)))
        out.append(replace(c, refs=refs) if refs else c)
    return ParsedDocument(parsed.document, tuple(out))


class _Resolver:
    """Where a reference made inside one document points: a clause id, "《law》第X条", or None."""

    def __init__(self, parsed: ParsedDocument):
        self.doc = parsed.document
        self.by_id = {c.id: c for c in parsed.clauses}
        self.articles = [c for c in parsed.clauses if c.kind == "article"]
        self.position = {a.id: i for i, a in enumerate(self.articles)}
        self.article_of: dict[str, Clause] = {}
        self.items: dict[tuple[str, int, str], str] = {}  # (article id, 款, item label) -> item id
        for c in parsed.clauses:
            article = self._article_above(c)
            if article is None:
                continue
            self.article_of[c.id] = article
            if c.kind == "item" and c.parent_id == article.id:
                self.items.setdefault((article.id, c.paragraph, c.labels[-1]), c.id)
                self.items.setdefault((article.id, 0, c.labels[-1]), c.id)  # "第一条第三项" names no 款

    def _article_above(self, c: Clause | None) -> Clause | None:
        while c is not None and c.kind != "article":
            c = self.by_id.get(c.parent_id) if c.parent_id else None
        return c

    def target(self, ref: ArticleRef, clause: Clause, offset: int) -> str | None:
        external = f"《{ref.law}》{ref.label}" if ref.law else None
        title = self.doc.title
        if ref.law and not (title.endswith(ref.law) or ref.law.endswith(title)):
            return external
        here = self.article_of.get(clause.id)
        if ref.relative == "前条":
            if here is None or self.position[here.id] == 0:
                return None
            article, paragraph = self.articles[self.position[here.id] - 1], ref.paragraph or 0
        elif ref.relative:  # 本条, 本款, 前款, 前两款, 前三款
            if here is None:
                return None
            current = _paragraph_at(here, clause, offset)
            article = here
            paragraph = ref.paragraph or {"本款": current, "前款": current - 1}.get(ref.relative, 0)
        else:
            article, paragraph = self.by_id.get(f"{self.doc.id}#{ref.article}"), ref.paragraph or 0
            if article is None:  # 民法典 split over files names its other parts by the same title
                return external
        if ref.item:
            return self.items.get((article.id, paragraph, ref.item)) or article.id
        return article.id


def _paragraph_at(article: Clause, clause: Clause, offset: int) -> int:
    """The 款 of `article` that holds position `offset` of `clause`'s text (1-based)."""
    pos = clause.start + offset - article.start
    for k, (s, e) in enumerate(article.paragraphs, start=1):
        if s <= pos <= e:
            return k
    return 1
