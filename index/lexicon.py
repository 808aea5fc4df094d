"""Vocabulary: what is true of Chinese government writing in general (code tables), and what one
corpus teaches (learnt at ingest and stored with the index).

The code tables hold only general knowledge: names of government bodies that are the same body
under another name (an abbreviation, a full name, a renaming across eras), question-side wording
of administrative concepts, and the province-level regions. Nothing here is taken from one
document; a corpus's departments, agencies, defined terms and enterprise names are learnt from its
text by `learn_lexicon` and saved beside the index (lexicon.json).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from dataclasses import asdict, dataclass, field
from typing import Iterable

from ingest.metadata import PROVINCES as _PROVINCES
from ingest.records import Clause, ParsedDocument

# Groups of names for one kind of body. A query that names one member is expanded with the others;
# the user's own word always stays (a renaming is an equivalence, not a correction). Province and
# city prefixes (省/市/自治区 names) are stripped before lookup.
EQUIVALENT_BODIES: tuple[tuple[str, ...], ...] = (
    ("发展改革委", "发改委", "发展和改革委员会", "发展改革委员会", "发展改革部门", "发展和改革部门"),
    ("工业和信息化厅", "工信厅", "工业和信息化部门", "工信部门", "经信厅", "经济和信息化委员会", "经济信息化部门",
     "经济和信息化部门", "工业和信息化局", "工信局", "经信局"),
    ("市场监督管理局", "市场监管局", "市场监管部门", "市场监督管理部门", "工商行政管理局", "工商部门",
     "工商行政管理部门", "质量技术监督局", "质监部门", "食品药品监督管理局"),
    ("人力资源社会保障厅", "人社厅", "人社局", "人社部门", "人力资源和社会保障厅", "人力资源社会保障部门",
     "人力资源和社会保障部门", "人力资源社会保障局"),
    ("地方金融监督管理局", "地方金融监管局", "金融工作办公室", "地方金融监管部门", "金融监管局", "地方金融工作部门"),
    ("金融监管总局", "银保监局", "银保监会", "银监局", "银监会", "保监局", "保监会"),
    ("证监局", "证监会", "证券监督管理机构"),
    ("人民银行", "人行", "央行", "中国人民银行"),
    ("通信管理局", "通管局", "电信主管部门"),
    ("网信办", "网信部门", "互联网信息办公室", "网络安全和信息化委员会办公室"),
    ("邮政管理局", "邮政管理部门", "邮政管理机构", "邮管局"),
    ("交通运输厅", "交通厅", "交通运输部门", "交通部门", "交通运输局"),
    ("文化和旅游厅", "文旅厅", "文化厅", "旅游局", "文化和旅游部门", "文化部门", "旅游部门"),
    ("数据局", "大数据局", "大数据管理局", "数据管理部门", "政务服务数据管理局", "大数据发展管理局"),
    ("财政厅", "财政局", "财政部门"), ("商务厅", "商务局", "商务部门", "商务主管部门"),
    ("科技厅", "科学技术厅", "科技局", "科技部门"), ("教育厅", "教育局", "教育部门"),
    ("统计局", "统计部门"), ("税务局", "税务部门", "税务机关"), ("司法厅", "司法局", "司法行政部门"),
    ("公安厅", "公安局", "公安机关", "公安部门"), ("自然资源厅", "自然资源局", "自然资源部门", "国土资源厅", "国土部门"),
    ("住房城乡建设厅", "住建厅", "住建局", "住房和城乡建设部门", "住房城乡建设部门"),
    ("海关", "海关部门"), ("知识产权局", "知识产权部门"), ("中小企业主管部门", "中小企业促进部门", "中小企业局"),
)

# The province-level regions (general knowledge, one table for ingest and index).
PROVINCES: tuple[str, ...] = _PROVINCES
NATIONAL = "全国"
_REGION_SUFFIX = re.compile(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区|经济特区)$")
_PREFIX = re.compile(r"^(本省|本市|全省|全市|国务院|省|市)(?=[\u4e00-\u9fa5]{2})")


def short_region(name: str) -> str:
    """广东省 -> 广东, 深圳市 -> 深圳, 内蒙古自治区 -> 内蒙古."""
    short = _REGION_SUFFIX.sub("", name)
    return short if len(short) >= 2 else name


def body_key(name: str) -> str:
    """A department name reduced to its equivalence group: 省发改委, 发展改革委 and 发展和改革委员会
    give one key; an unknown name is its own key (without a region or 省/市 prefix)."""
    n = name.strip()
    if n in _BODY_INDEX:
        return _BODY_INDEX[n]
    for region in PROVINCES:
        for form in (region, short_region(region)):
            if n.startswith(form) and len(n) > len(form) + 1:
                n = n[len(form):]
                break
    if n in _BODY_INDEX:
        return _BODY_INDEX[n]
    m = _PREFIX.match(n)
    # "市商务局" is the city's 商务局, but "市场…局" is no city body: 市 goes only before a known name.
    if m and (m.group(1) != "市" or n[m.end():] in _BODY_INDEX or _abbreviated(n[m.end():])):
        n = n[m.end():]
    known = _BODY_INDEX.get(n) or _abbreviated(n)
    if known is None and (c := _COMPETENT.match(n)):
        # "住房城乡建设主管部门", "自然资源行政主管部门": the competent department is that department
        # (住房城乡建设部门, which the table of equivalent bodies knows as 住房城乡建设厅)
        plain = c.group(1) + "部门"
        known = _BODY_INDEX.get(plain) or _abbreviated(plain)
    return known or n


# "…主管部门" and "…行政主管部门" name the department of that field, however a law words it.
_COMPETENT = re.compile(r"^([\u4e00-\u9fa5]{2,12}?)(?:行政)?主管部门$")


@lru_cache(maxsize=4096)
def _abbreviated(name: str) -> str | None:
    """The group of a body whose full name `name` abbreviates the way Chinese administrative names
    are shortened: same first character, its characters in order, the same kind of body at the end
    (质检局 < 质量技术监督局, 发改委 < 发展和改革委员会, 金融工作办 < 金融工作办公室)."""
    if len(name) < 3:
        return None
    for full, key in _BODY_INDEX.items():
        if len(full) > len(name) and full[0] == name[0] and _same_end(name, full) and _in_order(name, full):
            return key
    return None


def _same_end(short: str, full: str) -> bool:
    return short[-1] == full[-1] or (short[-1] == "委" and full.endswith("委员会")) or (short[-1] == "办" and full.endswith("办公室"))


def _in_order(short: str, full: str) -> bool:
    it = iter(full)
    return all(ch in it for ch in short)


_BODY_INDEX: dict[str, str] = {name: group[0] for group in EQUIVALENT_BODIES for name in group}


def equivalent_names(name: str) -> tuple[str, ...]:
    """All names of the body `name` belongs to (itself first), or just itself."""
    key = body_key(name)
    group = next((g for g in EQUIVALENT_BODIES if g[0] == key), ())
    return tuple(dict.fromkeys((name,) + group))


# -- what a corpus teaches -------------------------------------------------------------------------

# A body that acts: "县级以上人民政府商务主管部门负责…", "由省商务厅负责审核", "省发展改革委会同…".
_BODY = r"[\u4e00-\u9fa5]{1,24}?(?:主管部门|管理部门|行政部门|部门|厅|局|委员会|委|办公室|办|中心|机构|人民政府|政府|机关)"
DUTY_VERBS = r"(?:负责|主管|会同|牵头|统筹|组织实施|按照职责|在各自职责范围内|依法履行|应当会同)"
# Or a government body a rule tells what to do ("经济和信息化部门应当推动中小企业数字化转型"): the
# commonest way laws give duties. Not an agency or platform (数据交易机构应当…), whose duties are not
# a department's.
_GOVERNMENT_BODY = r"[\u4e00-\u9fa5]{1,24}?(?:主管部门|管理部门|行政部门|部门|厅|局|委员会|委|办公室|人民政府|政府|机关)"
_DUTY_BODY = re.compile(rf"({_BODY})(?:和|、|及|以及)?(?=(?:应当|要|可以)?{DUTY_VERBS})|({_GOVERNMENT_BODY})(?=应当)")
# A duty handed on: "…可以委托县（市、区）交通运输主管部门实施监督管理工作".
_DELEGATED = re.compile(rf"(?:委托|授权)(?:[\u4e00-\u9fa5]{{1,6}}[（(][^）)]{{1,10}}[）)])?({_BODY})"
                        rf"(?=(?:依法)?(?:实施|负责|承担|行使))")
_LIST_SPLIT = re.compile(r"[、，,；;和及与]|以及|会同|配合|协同|联合|由")
_QUOTED = re.compile(r"[“\"]([^”\"]{2,14})[”\"]")
_ABBREVIATION = re.compile(r"以下(?:简|统)称[“\"]?([^”\"）)]{2,14})[”\"]?[）)]")
# A collective name a text defines for what it lists: "信件、包裹、印刷品以及其他寄递物品（以下统称快件）".
# Group 1 is the listing, back to the last punctuation before it; group 2 the name.
_COLLECTIVE = re.compile(r"([^，,。；;：:（()）\s]{2,120})[（(]以下统称[“\"]?([^”\"）)、]{2,14})[”\"]?[）)]")
# A defined collective name that most documents saying it do not define is a word of the language
# ("单位", "省级人民政府"), not one text's convention: it is not learnt.
MIN_DEFINING_SHARE = 1 / 3
_DEFINED = re.compile(r"(?:本(?:条例|办法|规定|法|意见)所称|所称)[“\"]?([^，,”\"。；是]{2,20})[”\"]?[，,]?是指")
# A term defined where an article or an item begins, as laws list their terms ("本条例中下列用语的含义：
# （二）个人数据，是指…", "第二条 电子商务，是指…"); a definition that starts with 本 is _DEFINED's.
_LISTED_DEFINED = re.compile(r"^(?:第[零〇一二三四五六七八九十百千]+条\s*|[（(][一二三四五六七八九十]+[)）]\s*)"
                             r"([^，,。；;：:“”\"（(）)\s本][^，,。；;：:“”\"（(）)\s]{1,13})[，,](?:是指|指)")
_ENTITY_LIST = re.compile(r"(?:支持|鼓励|推动|依托|培育|推进|引进)([^。；：]{2,80}?)等")
# A body named alone in a task table cell or a duty sentence must end like a body to be learnt.
_BODY_END = re.compile(r"(部门|厅|局|委员会|委|办公室|办|中心|机构|政府|机关|银行|分行|海关|法院|检察院)$")
_WORD = re.compile(r"[\u4e00-\u9fa5A-Za-z0-9+＋·]+")  # no spaces, line breaks or punctuation inside a learnt word
GENERIC_BODIES = frozenset({"部门", "有关部门", "相关部门", "主管部门", "政府", "人民政府", "机构", "机关"})


@dataclass(frozen=True)
class Lexicon:
    """What the corpus taught: body names (as written), defined and quoted terms, enterprise and
    platform names, and each document's regions. Stored with the index generation."""

    bodies: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    regions: dict[str, str] = field(default_factory=dict)  # doc id -> region (全国 for national)
    # A collective name a document defines -> the listings it stands for, as written ("快件" ->
    # ["利用信件、包裹、印刷品以及其他寄递物品"]); the tokenizer reads the members out of them.
    collectives: dict[str, list[str]] = field(default_factory=dict)

    @property
    def words(self) -> list[str]:
        """Everything a tokenizer should keep whole."""
        return sorted({w for w in (*self.bodies, *self.terms, *self.entities) if 2 <= len(w) <= 16 and _WORD.fullmatch(w)})

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> "Lexicon":
        return cls(tuple(d.get("bodies", ())), tuple(d.get("terms", ())), tuple(d.get("entities", ())),
                   dict(d.get("regions", {})), {k: list(v) for k, v in d.get("collectives", {}).items()})


def duty_bodies(text: str) -> list[str]:
    """Bodies that a sentence gives a duty to, as written ("县级以上地方人民政府商务主管部门")."""
    out = []
    for m in [*_DUTY_BODY.finditer(text), *_DELEGATED.finditer(text)]:
        name = _last_body(m.group(1) or m.group(2))
        if len(name) >= 3 and _BODY_END.search(name) and name not in GENERIC_BODIES and not _NOT_A_NAME.search(name):
            out.append(name)
    return out


# 和/及/与 join two bodies ("商务部门和海关") but also stand inside one body's name (经济和信息化部门,
# 人力资源和社会保障部门, 住房和城乡建设部门): a name is cut there only after a whole body's name.
_JOINED = re.compile(r"和|及|与")


def _last_body(run: str) -> str:
    """The last body named in a run of text before a duty ("…应当会同商务" -> 商务, "商务部门和海关"
    -> 海关, "经济和信息化部门" -> itself)."""
    name = re.split(r"[、，,；;]|以及|会同|配合|协同|联合|由", run)[-1]
    for m in reversed(list(_JOINED.finditer(name))):
        if _BODY_END.search(name[:m.start()]):
            return name[m.end():].strip()
    return name.strip()


def partner_bodies(text: str) -> list[str]:
    """Bodies a sentence has the acting body work with, named by a list that shares its suffix
    ("会同商务、发展改革、海关等部门" -> 商务部门, 发展改革部门, 海关部门): each has a part in that duty."""
    out = []
    for m in _PARTNERS.finditer(text):
        for item in re.split(r"[、,，]|以及|和|及", m.group(2)):
            item = item.strip()
            if 2 <= len(item) <= 12:
                out.append(item if _BODY_END.search(item) else item + m.group(3))
    return out


def listed_bodies(text: str) -> list[str]:
    """The bodies of every list that shares its suffix, written out ("商务、海关、邮政管理等部门" ->
    商务部门, 海关部门, 邮政管理部门): the text names each of them, in the short way laws list bodies."""
    out = []
    for m in _SHARED_SUFFIX.finditer(text):
        items = m.group(1).split("、")
        # "…应当会同商务" -> 商务, "县级以上人民政府及其工业和信息化" -> 工业和信息化: the words before
        # the list end at a connective, but not at the 和 inside a body's name (工业和信息化, 住房和城乡建设)
        items[0] = _FIRST_ITEM_SPLIT.split(items[0])[-1]
        out += [item + m.group(2) for item in items if len(item) >= 2 and not _BODY_END.search(item)]
    for m in _ONE_WITH_OTHERS.finditer(text):  # "知识产权等部门应当…": one named, the others not
        item = re.split("人民政府", _FIRST_ITEM_SPLIT.split(m.group(1))[-1])[-1]
        if len(item) >= 2 and not _BODY_END.search(item) and item + m.group(2) not in out:
            out.append(item + m.group(2))
    return out


# "商务、海关等部门", "工业和信息化、地方金融监管等有关部门": items sharing the suffix written once
_SHARED_SUFFIX = re.compile(r"((?:[\u4e00-\u9fa5]{2,12}?、)+[\u4e00-\u9fa5]{2,10}?)(?:等)?(?:有关|相关)?(部门|机构|机关)")
_ONE_WITH_OTHERS = re.compile(r"([\u4e00-\u9fa5]{2,12}?)等(?:有关|相关)?(部门|机构|机关)")
_FIRST_ITEM_SPLIT = re.compile(r"[，,；;]|以及|及其|会同|配合|协同|联合|由|(?<!以)及(?!其)")
# "会同商务、发展改革、交通运输、海关等部门", "配合公安机关": who a duty is shared with
_PARTNERS = re.compile(r"(会同|配合|协同|联合|协助)([\u4e00-\u9fa5、]{2,60}?)等?(部门|机构|单位|机关)")


# A phrase that refers to bodies without naming one ("有关部门", "其上级机关", "…等部门").
_NOT_A_NAME = re.compile(r"等|其|一个|或者|有关|相关|^各|^本|^该|^上述")


def _table_bodies(c: Clause) -> list[str]:
    return [d for d in (c.row.departments if c.row else ()) if _BODY_END.search(d) or len(d) <= 12]


def _entities(text: str) -> set[str]:
    """Items of enumerations like "鼓励甲公司、乙网等本地企业" -> {甲公司, 乙网}."""
    out: set[str] = set()
    for m in _ENTITY_LIST.finditer(text):
        items = re.split(r"支持|鼓励|推动|依托|培育|推进|引进", m.group(1))[-1].split("、")
        if len(items) < 2:
            continue
        for item in items:
            item = item.strip()
            if 2 <= len(item) <= 10 and not _NOT_ENTITY.search(item):
                out.add(item)
    return out


# An enumerated item that is a phrase, not a name ("中小企业在研发设计", "为老年人").
_NOT_ENTITY = re.compile(r"[，,的在为和与及对]|进行|利用|开展|提供|个人|专家")
# Words of a local government's own text ("全省", "本市") and how often a region must be named in it.
_LOCAL_TEXT = re.compile(r"全省|本省|省政府|省人民政府|全市|本市|市政府|市人民政府")
MIN_REGION_MENTIONS = 3


def region_of_document(title: str, text: str) -> str:
    """The region of a document: from its title, else — for a local government's own text whose
    title omits the place ("省政府关于…") — the province its text names most often."""
    region = region_of(title)
    if region != NATIONAL or not _LOCAL_TEXT.search(title + text[:2000]):
        return region
    counts = Counter({p: text.count(short_region(p)) for p in PROVINCES})
    best, n = counts.most_common(1)[0]
    return best if n >= MIN_REGION_MENTIONS else region


# The government a department belongs to, written before its name ("县级以上人民政府司法行政部门",
# "省人民政府发展改革部门"): a level, not part of the name. Learnt whole, such a name would become one
# jieba word, and a clause saying it would no longer be found by the department's own name.
_GOVERNMENT_LEVEL = re.compile(r"^[\u4e00-\u9fa5、（）()]*?(?:人民政府|政府)(?=[\u4e00-\u9fa5]{2})")


def _without_level(body: str) -> str:
    rest = _GOVERNMENT_LEVEL.sub("", body)
    return rest if rest != body and len(rest) >= 2 and _BODY_END.search(rest) else body


def learn_lexicon(docs: Iterable[ParsedDocument]) -> Lexicon:
    bodies: Counter[str] = Counter()
    terms: set[str] = set()
    entities: set[str] = set()
    regions: dict[str, str] = {}
    texts: list[str] = []
    for parsed in docs:
        doc = parsed.document
        stated = getattr(doc, "region", None)
        regions[doc.id] = stated if stated and stated != NATIONAL else region_of_document(doc.title, doc.text)
        issuer = getattr(doc, "issuer", None)
        if issuer and _BODY_END.search(issuer):
            bodies[issuer] += 1
        for c in parsed.clauses:
            for b in _table_bodies(c):
                bodies[b] += 1
            for b in duty_bodies(c.text):
                bodies[_without_level(b)] += 1
            terms.update(_QUOTED.findall(c.text))
            terms.update(_ABBREVIATION.findall(c.text))
            terms.update(_DEFINED.findall(c.text))
            terms.update(_LISTED_DEFINED.findall(c.text))
            entities.update(_entities(c.text))
        texts.append(doc.text)
    body_names = set(bodies)
    # "省商务厅" also teaches "商务厅": the table writes the prefix only on the first name.
    body_names |= {body_key(b) for b in bodies if len(body_key(b)) >= 2}
    body_names |= {b[1:] for b in bodies if b[0] in "省市" and len(b) >= 5 and not b.startswith("市场")}
    return Lexicon(
        bodies=tuple(sorted(b for b in body_names if 2 <= len(b) <= 24 and _WORD.fullmatch(b))),
        terms=tuple(sorted(t for t in terms if 2 <= len(t) <= 14 and _WORD.fullmatch(t))),
        entities=tuple(sorted(e for e in entities if _WORD.fullmatch(e))),
        regions=regions,
        collectives=learn_collectives(texts),
    )


def learn_collectives(texts: list[str]) -> dict[str, list[str]]:
    """Each collective name the documents define ("…（以下统称X）") -> the listings it stands for, as
    written; a name most documents saying it do not define is left out (MIN_DEFINING_SHARE)."""
    listings: dict[str, list[str]] = {}
    defining: Counter[str] = Counter()  # collective name -> documents that define it
    for text in texts:
        defined = [(m.group(2).strip(), m.group(1).strip()) for m in _COLLECTIVE.finditer(text)
                   if _WORD.fullmatch(m.group(2).strip())]
        for name, listing in defined:
            if listing not in listings.setdefault(name, []):
                listings[name].append(listing)
        defining.update({name for name, _ in defined})
    return {name: listings[name] for name in sorted(listings)
            if defining[name] >= MIN_DEFINING_SHARE * sum(name in t for t in texts)}


def region_of(title: str) -> str:
    """The region a title names (广东省优化营商环境条例 -> 广东省, 深圳经济特区数据条例 -> 深圳市), or
    全国 for a national text. Cities are recognised by the 市 or 经济特区 that follows their name."""
    t = re.sub(r"^中华人民共和国", "", title.strip())
    for region in PROVINCES:
        if t.startswith(region) or t.startswith(short_region(region)):
            return region
    m = re.match(r"^([\u4e00-\u9fa5]{2,4}?)(?:市|经济特区)", t)
    if m and not re.search(r"[国全省]", m.group(1)):
        return m.group(1) + "市"
    return NATIONAL
