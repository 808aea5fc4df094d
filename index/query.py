"""A question, understood once: cleaned text, tokens, figures, scope, intent and vector.

`Searcher.understand` builds a `Query` at the edge; retrievers, fusion and the answerer read it
and never normalise or classify the question again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from index.intent import DOC_KINDS, Intent
from index.lexicon import NATIONAL, PROVINCES, short_region
from index.numbers import Quantity
from ingest.places import regions_of
from ingest.records import Document
from ingest.refs import ArticleRef

# Words that ask about another version or about changes between versions.
VERSION_ASK = re.compile(r"修订|修改|修正|变化|变动|区别|不同|旧版|老版|原来|以前的|之前的|新版|新旧|改了|版本")
# A document pointed at rather than named: "这个文件", "这份意见", "该条例", "本文件".
THIS_DOCUMENT = re.compile(r"(?:这个|这份|这部|这篇|此|该|本)(?:文件|意见|条例|通知|办法|规定|法规|政策文件|政策)")
# A document pointed at by its kind ("这个指导意见", "该通知"): the corpus's only document of that kind.
_THIS_KIND = re.compile(r"(?:这个|这份|这部|这篇|此|该|本)(?P<kind>指导意见|实施意见|意见|通知|办法|决定|规划|方案|条例|规定)")
_COMPARE = re.compile(r"变化|区别|不同|改|新增|删除|对比|相比")
_VERSION_YEAR = re.compile(r"((?:19|20)\d\d)\s*(?:年(?:的)?(?:修订)?版本?|版本?)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*(?:年|版)")
MIN_NAME_CHARS = 4
_CITED = re.compile(r"《([^》\n]{2,40})》")  # a title cited in 《》
MIN_ABSENT_CHARS = 3  # 邮政法, 公司法: a cited law's short name


@dataclass(frozen=True)
class Scope:
    """Which documents a question is about, and the user's own words that said so."""

    docs: frozenset[str] | None = None  # None: the whole corpus (in-force versions)
    boosted: frozenset[str] = frozenset()  # documents of a region the question names
    named: tuple[str, ...] = ()  # the user's words that set the scope (a region, a document name)
    missing: tuple[str, ...] = ()  # regions the question names that no document covers
    # documents the question names that the corpus does not hold (a law its texts only cite, 《…》)
    absent: tuple[str, ...] = ()
    versions: bool = False  # the question asks about versions: superseded ones stay in


@dataclass(frozen=True)
class Query:
    text: str  # the question as asked (cleaned)
    normalized: str  # folded (NFKC, simplified, lower case)
    tokens: tuple[str, ...]  # search tokens, with other names of the bodies it names
    own_tokens: tuple[str, ...]  # content tokens of the user's own words (no asking words; what a refusal may name)
    salient: tuple[str, ...]  # the nouns and names of the user's own words (what the question is about)
    intent: Intent
    scope: Scope
    numbers: tuple[Quantity, ...] = ()
    article: ArticleRef | None = None  # when the question asks for an article by number
    section: str | None = None
    mode: str = "hybrid"
    vector: np.ndarray | None = field(default=None, compare=False)
    # the search tokens of each question when one message asks several ("要签什么？做完之后数据怎么
    # 处理？"); () for a single question
    parts: tuple[tuple[str, ...], ...] = ()
    # the folded part of the message that asks, without the story told before it (intent.asking_part)
    asking: str = ""

    @property
    def asked(self) -> str:
        """The folded text that says what kind of fact is asked for: the asking part, so that a count
        or a year in the story ("我开了几家药店…企业必须给吗？") asks for nothing."""
        return self.asking or self.normalized


@dataclass(frozen=True)
class DocInfo:
    id: str
    title: str
    region: str
    names: tuple[str, ...]  # ways a question may name the document
    group: str  # documents with the same group are versions of one another
    version: str  # version date (ISO) or ""
    in_force: bool
    issuers: tuple[str, ...] = ()  # ways a question may name its issuer before its name (国务院…条例)


class Catalogue:
    """The corpus's documents as a question may name them: regions, names, versions."""

    def __init__(self, docs: dict[str, Document], regions: dict[str, str]):
        from ingest.versions import group_versions

        versions = group_versions(docs.values())
        self.version_info = versions
        self.docs = {
            d.id: DocInfo(d.id, d.title, regions.get(d.id) or NATIONAL,
                          document_names(d.title, regions.get(d.id) or NATIONAL),
                          group=versions[d.id].current, version=versions[d.id].version_date or "",
                          in_force=versions[d.id].in_force, issuers=issuer_names(d.issuer, regions.get(d.id) or NATIONAL))
            for d in docs.values()
        }
        self.superseded = frozenset(k for k, i in self.docs.items() if not i.in_force)
        self.regions = sorted({i.region for i in self.docs.values() if i.region != NATIONAL}, key=len, reverse=True)
        self._names = frozenset(n for i in self.docs.values() for n in i.names)
        self._names_text = "\n".join(sorted(self._names))
        self.cited_absent = self._cited_absent(docs.values())

    def _held(self, name: str) -> bool:
        """Whether a document name is (part of) one of the corpus's documents' names, or holds one."""
        if name in self._names_text:
            return True
        return any(name[a:b] in self._names for a in range(len(name))
                   for b in range(a + MIN_NAME_CHARS, len(name) + 1))

    def _cited_absent(self, docs: Iterable[Document]) -> tuple[str, ...]:
        """The names of the laws the corpus's texts cite ("依照《中华人民共和国邮政法》的规定") but do not
        hold, each also without 中华人民共和国: a question naming one asks about a text that is not here."""
        from index.tokenizer import fold

        cited = {fold(m) for d in docs for m in _CITED.findall(d.text)}
        names = {n for c in cited for n in (c, re.sub(r"^中华人民共和国", "", c)) if len(n) >= MIN_ABSENT_CHARS}
        return tuple(sorted((n for n in names if not self._held(n)), key=len, reverse=True))

    def cites_absent_article(self, normalized: str) -> bool:
        """Whether the question names an article of a law the corpus cites but does not hold."""
        return any(re.search(re.escape(n) + r"的?第[〇零一二三四五六七八九十百千\d]+条", normalized)
                   for n in self.cited_absent if n in normalized)

    def absent(self, normalized: str) -> list[str]:
        """Documents the question names that the corpus does not hold: a law its texts cite, or any
        title the user writes in 《》."""
        found: list[str] = []
        for name in [*self.cited_absent, *_CITED.findall(normalized)]:
            if name in normalized and not self._held(name) and not any(name in f for f in found):
                found.append(name)
        return found

    def versions_of(self, doc_id: str) -> list[DocInfo]:
        group = self.docs[doc_id].group
        return sorted((i for i in self.docs.values() if i.group == group), key=lambda i: i.version)

    def scope(self, normalized: str, words: Iterable[str] = ()) -> Scope:
        """Documents named by title, regions named by the question, and regions no document has.
        `words` are the question's words: a city or district among them (杭州, 浦东新区) routes to the
        documents of the region it lies in, and is never taken for a topic the corpus lacks."""
        named: list[str] = []
        by_name: set[str] = set()
        issuer_named: set[str] = set()  # documents named with their issuer (国务院的…条例)
        elsewhere: list[str] = []  # documents of regions the corpus has none of, named by title
        for info in self.docs.values():
            for name in info.names:
                if name in normalized:
                    by_name.add(info.id)
                    named.append(name)
                    issuer = _issuer_before(normalized, name, info)
                    named.extend(issuer)
                    issuer_named |= {info.id} if issuer else set()
                    break
        # "广东营商环境条例", "深圳数据条例": a title shortened as people shorten it; beside a title
        # named in full ("上海数据条例和深圳数据条例"), one whose shortening is not part of that name
        unnamed = [i for i in self.docs.values() if i.names and i.id not in by_name]
        shortened = {i.id: shortened_name(normalized, i.names[0]) or "" for i in unnamed}
        shortened = {d: ("" if any(n in m for m in named) else n) for d, n in shortened.items()}
        if any(shortened.values()):
            # "江苏省数字经济促进条例" is not 浙江省数字经济促进条例 shortened: another region's document
            # ("广东营商环境条例" is 广东省's own one shortened, the longer match)
            other = {d: _other_region_before(normalized, n, self.docs[d]) for d, n in shortened.items() if n}
            # unless that region has a document of the name too ("浙江的快递条例": 浙江's, not 国务院's)
            own = {short_region(self.docs[d].region) for d, n in shortened.items() if n}
            prefixed = {d: f + shortened[d] for d, f in other.items() if f and short_region(f.removesuffix("的")) not in own}
            elsewhere = [t for t in prefixed.values() if not any(t in n for n in shortened.values())]
            # and a shorter match inside that title ("促进条例") names nothing either
            shortened = {d: ("" if d in prefixed or any(n in e for e in elsewhere) else n) for d, n in shortened.items()}
            longest = max(map(len, shortened.values()), default=0)
            if longest:  # the titles it shortens best ("深圳数据条例": not 上海市数据条例's 数据条例)
                best = {d for d, n in shortened.items() if len(n) == longest}
                # "国务院的营商环境条例": of the titles it shortens, the one whose issuer is said before it
                issued = {d for d in best if _issuer_before(normalized, shortened[d], self.docs[d])}
                best = issued or best
                issuer_named |= issued
                by_name |= best
                named.extend(dict.fromkeys(n for n in shortened.values() if len(n) == longest))
                named.extend(dict.fromkeys(w for d in best for w in _issuer_before(normalized, shortened[d], self.docs[d])))
        boosted: set[str] = set()
        for region in self.regions:
            form = next((f for f in (region, short_region(region)) if f in normalized), None)
            if form and not any(form in n for n in named):
                boosted |= {i.id for i in self.docs.values() if i.region == region}
                named.append(form)
        for word in words:  # "杭州的快递小哥…": the documents of 浙江省
            if any(word in n for n in named):
                continue
            chain = regions_of(word)
            if chain and chain[-1] == word:
                continue  # a province or municipality: the rule above, which knows the missing ones
            region = next((r for r in chain if r in self.regions), None)
            if region is not None:
                boosted |= {i.id for i in self.docs.values() if i.region == region}
            if chain:
                named.append(word)
        missing = tuple(
            form for p in PROVINCES for form in (p, short_region(p))
            if form in normalized and not any(form in n or n in form for n in named)
            and p not in self.regions and (form == p or p not in normalized)
        )
        years = set(_YEAR.findall(normalized))
        # A year asks about versions only when it is the year of a version of a revised document.
        versions = bool(VERSION_ASK.search(normalized)) or any(
            i.version[:4] in years for i in self.docs.values() if len(self.version_info[i.id].versions) > 1)
        if versions and by_name and all(len(self.version_info[d].versions) < 2 for d in by_name):
            # "国务院营商环境条例允许这样区别对待吗", "上海和深圳的数据条例有什么区别": documents of one
            # version each; 区别 and 不同 compare something else than versions
            versions = False
        if not by_name and len(self.docs) == 1 and (this := THIS_DOCUMENT.search(normalized)):
            # "这个文件是哪年发布的" of a corpus of one document: that document, named
            by_name = set(self.docs)
            named.append(this.group(0))
        elif not by_name and (this := _THIS_KIND.search(normalized)):
            # "这个指导意见由哪个单位印发" among regulations and one opinion: the one document of that kind
            kind = this.group("kind")[-2:]
            of_kind = {i.group for i in self.docs.values() if i.in_force and i.title.endswith(kind)}
            if len(of_kind) == 1:
                by_name = {d for d, i in self.docs.items() if i.group in of_kind and i.in_force}
                named.append(this.group(0))
        docs: set[str] | None = set(by_name) if by_name else None
        # "2020年版…是怎么规定的": the version of that year, unless the question compares versions.
        dated = {d for d in (docs or ()) if self.docs[d].version[:4] in years}
        if dated and not _COMPARE.search(normalized):
            docs = dated
            # "2020年版" names the version, as the title names the document: not what is asked about
            named.extend(m.group(0) for m in _VERSION_YEAR.finditer(normalized)
                         if any(self.docs[d].version.startswith(m.group(1)) for d in dated))
        if docs is not None and boosted:
            # "广东那部优化营商环境条例": the region's document whose title holds the name said once
            # (not "国务院的…条例和广东省的…条例", which names both)
            titled = {b for b in boosted if any(normalized.count(n) == 1 and n in self.docs[b].title
                                                for d in docs - issuer_named for n in self.docs[d].names if n in normalized)}
            if docs & boosted:  # "广东营商环境条例" and 广东: the region's document of that name
                docs = docs & boosted
            elif titled:
                docs = titled
            else:  # "快递暂行条例和浙江的条例": a document named by title and a region's, both asked about
                docs = docs | boosted
                boosted = boosted | by_name
        if docs is None and boosted:
            # A region's documents first; national ones still apply there, other regions' never.
            docs = boosted | {i.id for i in self.docs.values() if i.region == NATIONAL}
        if docs is not None and not versions:
            docs = {d for d in docs if d not in self.superseded} or docs
        return Scope(
            absent=tuple(dict.fromkeys([*self.absent(normalized), *(elsewhere if not by_name else ())])),
            docs=frozenset(docs) if docs is not None else None,
            boosted=frozenset(boosted),
            named=tuple(dict.fromkeys(named)),
            missing=tuple(dict.fromkeys(missing)),
            versions=versions,
        )




# How questions shorten an issuer's name: 人大常委会 for 人民代表大会常务委员会, 市政府 for 市人民政府.
_ISSUER_SHORT = ((re.compile("人民代表大会常务委员会$"), "人大常委会"), (re.compile("人民政府$"), "政府"))


def issuer_names(issuer: str | None, region: str = NATIONAL) -> tuple[str, ...]:
    """国务院 -> itself; 上海市人民代表大会常务委员会 (region 上海市) -> also 上海市人大常委会,
    上海人大常委会."""
    from index.tokenizer import fold

    if not issuer:
        return ()
    names = [fold(issuer)]
    for pattern, short in _ISSUER_SHORT:
        names += [pattern.sub(short, n) for n in names if pattern.search(n)]
    if region != NATIONAL and short_region(region) != region:
        names += [short_region(region) + n[len(region):] for n in list(names) if n.startswith(region)]
    return tuple(n for n in dict.fromkeys(names) if len(n) >= 3)


def _issuer_before(normalized: str, name: str, info: DocInfo) -> list[str]:
    """The issuer a question writes before a document's name ("国务院优化营商环境条例", "国务院的《…》"):
    part of naming the document, not of what is asked."""
    before = normalized[:normalized.find(name)].rstrip("《“\"的 ")
    return [n for n in sorted(info.issuers, key=len, reverse=True) if before.endswith(n)][:1]


def shortened_name(normalized: str, title: str) -> str | None:
    """The longest part of the question that ends with the title's kind of document (条例, 办法…) and
    whose characters all stand in the title in order: "广东营商环境条例" for 广东省优化营商环境条例. At
    least MIN_NAME_CHARS characters, so "本条例" or "该办法" never name a document."""
    m = DOC_KINDS.search(title)
    if not m:
        return None
    kind, best = m.group(1), None
    for end in (i + len(kind) for i in range(len(normalized)) if normalized.startswith(kind, i)):
        start = end - len(kind)
        while start > 0 and _in_order(normalized[start - 1:end], title):
            start -= 1
        if end - start >= MIN_NAME_CHARS and (best is None or end - start > len(best)):
            best = normalized[start:end]
    return best


def _other_region_before(normalized: str, part: str, info: DocInfo) -> str | None:
    """The province written right before a shortened title ("广东快递条例", "广东省的快递条例"), when
    it is not the document's own; with the 的 the user wrote, so a refusal quotes their words."""
    before = normalized[:normalized.find(part)]
    joined = "的" if before.endswith("的") else ""
    before = before.removesuffix(joined)
    own = short_region(info.region)
    for p in PROVINCES:
        form = next((f for f in (p, short_region(p)) if before.endswith(f)), None)
        if form and short_region(p) != own:
            return form + joined
    return None


def _in_order(part: str, title: str) -> bool:
    pos = 0
    for ch in part:
        pos = title.find(ch, pos)
        if pos < 0:
            return False
        pos += 1
    return True


def document_names(title: str, region: str) -> tuple[str, ...]:
    """快递暂行条例 -> itself; 中华人民共和国中小企业促进法 -> also 中小企业促进法; 广东省优化营商
    环境条例 -> also 广东优化营商环境条例. The bare name without its region is not a name of the
    document (it is shared by every region's regulation of that name); the region routes instead."""
    from index.tokenizer import fold

    t = fold(title)
    names = [t, re.sub(r"^中华人民共和国", "", t)]
    if region != NATIONAL:
        for form in (region, short_region(region)):
            if t.startswith(form):
                names.append(short_region(region) + t[len(form):])
    names = [re.sub(r"[（(][^）)]*[）)]$", "", n) for n in names]
    return tuple(n for n in dict.fromkeys(names) if len(n) >= MIN_NAME_CHARS)
