"""Versions of one document (same title, different dates): which is in force, and what changed.

`group_versions` groups documents by their normalised title (and the part and region they cover)
and orders each group by version date; `diff_versions` compares two versions article by article.
Both are pure functions over parsed records.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Iterable, Literal

from ingest.records import Clause, Document, ParsedDocument

# Notes in a title that mark a stage of one document rather than another document: "（试行）",
# "（2021年修订）". Numbered sequels ("（二）") and dated acts of their own ("宪法修正案（1988年）")
# are other documents and are kept.
VERSION_NOTES = re.compile(r"[（(][^（）()]*(?:试行|草案|修订|修正)[^（）()]*[）)]")
# Two articles are one article revised (or moved) when at least this share of the shorter text's
# character pairs occurs in the other; below it they are one removed and one added. Measured on the
# shorter text so that an article extended by a revision still matches its old self.
SIMILAR = 0.5
_LABEL = re.compile(r"^第[^条\s]+条(?:之[^\s]+)?[\s　]*")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class VersionInfo:
    id: str  # the document this describes
    group: str  # the normalised title the versions share
    version_date: str | None
    in_force: bool  # the newest version of its group
    superseded_by: str | None  # id of the next newer version
    current: str  # id of the version in force
    versions: tuple[str, ...]  # ids, oldest first

    @property
    def label(self) -> str:
        """"2025年3月17日修订版" for a later version, "2020年7月5日版" for the first; "" without a date."""
        if not self.version_date:
            return ""
        y, m, d = (int(x) for x in self.version_date.split("-"))
        return f"{y}年{m}月{d}日{'修订版' if self.versions.index(self.id) > 0 else '版'}"


def version_key(doc: Document) -> str:
    """"保障中小企业款项支付条例" for every version; the part and region keep parts and places apart."""
    title = _SPACE.sub("", VERSION_NOTES.sub("", doc.title))
    return "|".join((title, doc.part or "", doc.region or ""))


def group_versions(documents: Iterable[Document]) -> dict[str, VersionInfo]:
    """Every document's place among its versions, by document id. A document without a version
    date sorts before dated ones; equal dates are ordered by id."""
    groups: dict[str, list[Document]] = {}
    for doc in documents:
        groups.setdefault(version_key(doc), []).append(doc)
    out: dict[str, VersionInfo] = {}
    for key, docs in groups.items():
        docs.sort(key=lambda d: (d.version_date or "", d.id))
        ids = tuple(d.id for d in docs)
        for i, doc in enumerate(docs):
            out[doc.id] = VersionInfo(
                id=doc.id,
                group=key.split("|", 1)[0],
                version_date=doc.version_date,
                in_force=i == len(docs) - 1,
                superseded_by=ids[i + 1] if i + 1 < len(ids) else None,
                current=ids[-1],
                versions=ids,
            )
    return out


@dataclass(frozen=True)
class Change:
    kind: Literal["added", "removed", "changed", "renumbered"]
    old_id: str | None
    new_id: str | None
    old_label: str | None
    new_label: str | None
    similarity: float  # 1.0 for identical text, 0.0 where one side is missing
    text_changed: bool  # for renumbered: whether the text changed too


def units(parsed: ParsedDocument) -> list[Clause]:
    """What a diff compares: the articles, or for a document without articles its leaf clauses."""
    articles = [c for c in parsed.clauses if c.kind == "article"]
    if articles:
        return articles
    parents = {c.parent_id for c in parsed.clauses}
    return [c for c in parsed.clauses if c.id not in parents and c.kind != "preamble"]


def body(clause: Clause) -> str:
    """An article's text without its number and spacing: what stays when only the number changes."""
    return _SPACE.sub("", _LABEL.sub("", clause.text))


def diff_versions(old: ParsedDocument, new: ParsedDocument) -> list[Change]:
    """Changes from `old` to `new`, article by article, in the order of the new version (removed
    ones last). Identical text under the same number is no change; identical or similar text under
    another number is `renumbered`; a rewritten article keeping its number is `changed`."""
    a, b = units(old), units(new)
    ta, tb = [body(c) for c in a], [body(c) for c in b]
    pairs: dict[int, tuple[int, float]] = {}  # new index -> (old index, similarity)
    matcher = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            pairs[block.b + k] = (block.a + k, 1.0)
    free_a = [i for i in range(len(a)) if i not in {p for p, _ in pairs.values()}]
    free_b = [j for j in range(len(b)) if j not in pairs]
    grams_a, grams_b = {i: _bigrams(ta[i]) for i in free_a}, {j: _bigrams(tb[j]) for j in free_b}
    scored = sorted(  # the most alike pairs first; between equals, the one keeping its number
        ((_similarity(grams_a[i], grams_b[j]), _label(a[i]) != _label(b[j]), i, j) for i in free_a for j in free_b),
        key=lambda t: (-t[0], t[1], t[2], t[3]),
    )
    used_a: set[int] = set()
    for score, _, i, j in scored:
        if score < SIMILAR:
            break
        if i not in used_a and j not in pairs:
            pairs[j] = (i, score)
            used_a.add(i)
    changes = []
    for j, c in enumerate(b):
        if j not in pairs:
            changes.append(Change("added", None, c.id, None, _label(c), 0.0, True))
            continue
        i, score = pairs[j]
        same_text = ta[i] == tb[j]
        if _label(a[i]) != _label(c):
            changes.append(Change("renumbered", a[i].id, c.id, _label(a[i]), _label(c), score, not same_text))
        elif not same_text:
            changes.append(Change("changed", a[i].id, c.id, _label(a[i]), _label(c), score, True))
    matched = {i for i, _ in pairs.values()}
    changes += [Change("removed", c.id, None, _label(c), None, 0.0, True) for i, c in enumerate(a) if i not in matched]
    return changes


def _label(c: Clause) -> str:
    return c.labels[-1] if c.labels else c.id


def _bigrams(text: str) -> frozenset[str]:
    return frozenset(text[k:k + 2] for k in range(len(text) - 1)) or frozenset((text,))


def _similarity(x: frozenset[str], y: frozenset[str]) -> float:
    """Share of the smaller set of character pairs found in the other."""
    return len(x & y) / min(len(x), len(y))
