"""Document metadata read from a document's own text and file name: issuer, 文号, region, type, dates.

Everything here is general knowledge of how Chinese laws, regulations and policy documents state
who made them, where they apply and when (front matter such as "2021年9月29日 浙江省第十三届人民
代表大会常务委员会第三十一次会议通过", "自2021年1月1日起施行", a signature at the end); nothing
is tied to one document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.records import Document
from ingest.structure import DATE, DOC_NUMBER, Line, Structure, match_heading

# Provincial-level divisions, in the order of the official list; a title or issuer starting with
# one (or with its short name) applies there.
PROVINCES: tuple[str, ...] = (
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
    "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省",
    "宁夏回族自治区", "新疆维吾尔自治区", "台湾省", "香港特别行政区", "澳门特别行政区",
)
_SHORT_NAMES = {re.sub(r"(?:回族|维吾尔|壮族)?(?:自治区|特别行政区|省|市)$", "", p): p for p in PROVINCES}
# The one-character codes that open a local 文号 ("苏政发〔2015〕40号"); 国 is the State Council.
# Codes shared by two places (宁: 南京 and 宁夏; 青: 青岛 and 青海) are left out.
NUMBER_CODES: dict[str, str] = {
    "国": "全国", "京": "北京市", "津": "天津市", "冀": "河北省", "晋": "山西省", "辽": "辽宁省", "吉": "吉林省",
    "黑": "黑龙江省", "沪": "上海市", "苏": "江苏省", "浙": "浙江省", "皖": "安徽省", "闽": "福建省", "赣": "江西省",
    "鲁": "山东省", "豫": "河南省", "鄂": "湖北省", "湘": "湖南省", "粤": "广东省", "桂": "广西壮族自治区",
    "琼": "海南省", "渝": "重庆市", "川": "四川省", "黔": "贵州省", "云": "云南省", "藏": "西藏自治区",
    "陕": "陕西省", "甘": "甘肃省", "新": "新疆维吾尔自治区",
}
NATIONAL = "全国"
# Issuers whose writ runs nationwide: central organs by the way their names begin or end.
CENTRAL_PREFIXES = ("中华人民共和国", "全国人民代表大会", "国务院", "最高人民法院", "最高人民检察院", "中共中央",
                    "中央", "国家", "中国人民银行")
CENTRAL_SUFFIXES = ("部", "总署", "总局")
# A local document that names no place: its region is unknown, not national.
LOCAL_WITHOUT_NAME = re.compile(r"^(?:省|市|县|区|自治区|州)(?:委|政府|人民政府|人大|办公厅|[\u4e00-\u9fff]{1,6}(?:厅|局|委))")
# Legislation of a region always names it in its title, so these types without a place are national.
LEGISLATIVE_TYPES = ("法", "条例", "规定", "办法", "细则", "规则", "决定", "解释", "修正案")

# Document types by the ending of the title ("快递暂行条例" is a 条例), longer endings first where
# one ends another (办法 before 法); a 法典 is a 法 and calls itself 本法.
DOC_TYPES: tuple[tuple[str, str], ...] = tuple((t, t) for t in (
    "修正案", "条例", "规定", "办法", "细则", "规则", "决定", "决议", "解释", "意见", "通知", "通告", "公告",
    "批复", "答复", "解答", "复函", "纲要", "规划", "方案", "章程", "标准", "规范", "目录", "安排", "命令")) + (
    ("法典", "法"), ("法", "法"))
_TRAILING_NOTE = re.compile(r"(?:[（(][^（）()]*[）)]\s*)+$")  # （试行） （二） （2021年修订）

# What a front-matter line says happened on its date; the last verb of a segment decides.
EVENTS: tuple[tuple[str, str], ...] = (
    ("修订", "revised"), ("修正", "revised"), ("通过", "adopted"), ("公布", "promulgated"), ("发布", "promulgated"),
    ("颁布", "promulgated"), ("印发", "promulgated"), ("批准", "approved"), ("施行", "effective"),
)
_EVENT = re.compile("|".join(verb for verb, _ in EVENTS))
_EVENT_OF = dict(EVENTS)
_DATE = re.compile(DATE)
# "国务院令第697号", "交通部令〔2001〕第3号"; older decrees put the number first: "…第14号令".
_DECREE = re.compile(r"(?P<org>[\u4e00-\u9fff、]+?)(?:令(?:〔\d{4}〕)?第?(?P<n>[\d一二三四五六七八九十百零〇]+)号"
                     r"|第(?P<m>[\d一二三四五六七八九十百零〇]+)号令)")
_SESSION = re.compile(r"(?:\d{4}年)?第[\d一二三四五六七八九十百零〇]+(?:届|次).*$|[（(].*$")
_TERM = re.compile(r"第[\d一二三四五六七八九十百零〇]+届")
# Bodies inside an issuer that adopt on its behalf, and words around the issuer's name.
INNER_BODIES = ("审判委员会", "检察委员会", "部长办公会议", "主任办公会议", "局务会议", "署务会议", "委务会议",
                "常务会议", "会议", "公告", "令")
ISSUER_NOISE = ("审议",)  # "…会议审议通过": the deliberation, not the body
ISSUER_PREFIXES = ("由", "经")
_LOCAL_BODY = re.compile(
    r"^(?P<place>[\u4e00-\u9fff]{2,12}?(?:省|自治区|特别行政区|市|自治州|州|盟|县|区))(?:人民代表大会|人民政府|人大)")
_SPECIAL_ZONE = re.compile(r"^(?P<city>[\u4e00-\u9fff]{2,4}?)经济特区")
_FILE_DATE = re.compile(r"\((?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\)")
_IN_FORCE = re.compile(rf"(?P<self>本[\u4e00-\u9fff]{{1,4}})?自(?:{DATE}|(?P<on>公布|发布|印发|颁布)之日)起(?:施行|实施|执行)")
ISSUER_FROM_TITLE = re.compile(r"^(?P<issuer>[^《》]{2,30}?)关于")
# The words a document uses for itself and for its place, by the place's level.
SELF_PLACE_WORDS: tuple[tuple[str, str], ...] = (("自治区", "本自治区"), ("特别行政区", "本特别行政区"), ("省", "本省"),
                                                  ("自治州", "本州"), ("市", "本市"), ("县", "本县"), ("区", "本区"))


@dataclass(frozen=True)
class Event:
    kind: str  # adopted | promulgated | revised | approved | effective
    date: str  # ISO
    text: str  # the segment of the front-matter line that states it


def iso(m: re.Match[str]) -> str:
    return f"{int(m['y']):04d}-{int(m['m']):02d}-{int(m['d']):02d}"


def front_matter_events(lines: tuple[Line, ...] | list[Line]) -> list[Event]:
    """Dated events of the front matter, in order; a line naming several dates gives several."""
    out: list[Event] = []
    for line in lines:
        dates = list(_DATE.finditer(line.text))
        for k, m in enumerate(dates):
            segment = line.text[m.end(): dates[k + 1].start() if k + 1 < len(dates) else len(line.text)]
            kinds = [_EVENT_OF[verb] for verb in _EVENT.findall(segment)]
            if not kinds:
                continue
            text = segment.strip(" 　（）()")
            if "revised" in kinds:  # "修订通过" is a revision
                kinds = ["revised"]
            elif len(kinds) > 1 and kinds[-1] == "effective":  # "公告公布施行": both on that day
                kinds = [kinds[-2], "effective"]
            else:
                kinds = kinds[-1:]
            out += [Event(kind, iso(m), text) for kind in kinds]
    return out


def issuer_of(segment: str) -> str | None:
    """"第十三届全国人民代表大会常务委员会第三十一次会议通过" -> "全国人民代表大会常务委员会"."""
    if segment.startswith(("《", "根据")):
        return None  # a revision by another act names that act, not the issuer
    if m := _DECREE.search(segment):
        return _short_org(m["org"])
    body = _TERM.sub("", segment)
    body = _SESSION.sub("", body)
    body = _EVENT.sub("", body).strip(" 　，、")
    for word in ISSUER_NOISE:
        body = body.removesuffix(word)
    for prefix in ISSUER_PREFIXES:
        body = body.removeprefix(prefix)
    for inner in INNER_BODIES:
        if body.endswith(inner) and len(body) > len(inner) + 1:
            body = body[: -len(inner)]
    return _short_org(body) if len(body) >= 2 else None


def _short_org(org: str) -> str:
    """"中华人民共和国国务院" -> "国务院": the state's name before an organ is not part of how it is cited."""
    parts = [p.removeprefix("中华人民共和国") or p for p in org.split("、")]
    return "、".join(parts)


def decree_number(events: list[Event]) -> str | None:
    """"国务院令第697号" from the latest front-matter line that names a decree."""
    for event in reversed(events):
        if m := _DECREE.search(event.text):
            return f"{_short_org(m['org'])}令第{m['n'] or m['m']}号"
    return None


def doc_type_of(title: str) -> str | None:
    """"快递暂行条例" -> "条例"; "人民检察院刑事诉讼规则（试行）" -> "规则"."""
    core = _TRAILING_NOTE.sub("", title).strip()
    return next((kind for ending, kind in DOC_TYPES if core.endswith(ending)), None)


def place_in(name: str) -> str | None:
    """The region a title or issuer starts with: a province (full or short name), a special economic
    zone's city, or a local people's congress or government."""
    for province in PROVINCES:
        if name.startswith(province):
            return province
    if m := _SPECIAL_ZONE.match(name):
        return f"{m['city']}市"
    if m := _LOCAL_BODY.match(name):
        return m["place"]
    for short, province in _SHORT_NAMES.items():
        if name.startswith(short):
            return province
    return None


def region_of(title: str, issuer: str | None, number: str | None, doc_type: str | None) -> str | None:
    """Where the document applies: a place its title, issuer or 文号 names; 全国 for central issuers
    and for legislation whose title names no place; None when it cannot be told."""
    if title.startswith("中华人民共和国"):
        return NATIONAL
    for name in (title, issuer or ""):
        if place := place_in(name):
            return place
    if number and number[0] in NUMBER_CODES:
        return NUMBER_CODES[number[0]]
    if issuer and (issuer.startswith(CENTRAL_PREFIXES) or issuer.endswith(CENTRAL_SUFFIXES)):
        return NATIONAL
    if LOCAL_WITHOUT_NAME.match(title) or (issuer and LOCAL_WITHOUT_NAME.match(issuer)):
        return None
    if doc_type in LEGISLATIVE_TYPES:
        return NATIONAL
    return None


def in_force_date(text: str, promulgated: str | None) -> str | None:
    """"本条例自2021年1月1日起施行" -> "2021-01-01"; "自公布之日起施行" -> the promulgation date.
    The last statement about the document itself (本…) wins; annexes and quoted acts come after it rarely."""
    found = list(_IN_FORCE.finditer(text))
    own = [m for m in found if m["self"]] or found
    if not own:
        return None
    m = own[-1]
    return promulgated if m["on"] else iso(m)


def signature(lines: list[Line]) -> tuple[str | None, str | None]:
    """(issuer, date) of a signature at the end: a short line naming the issuer above a date line."""
    date = issuer = None
    tail = [ln for ln in lines[-6:] if ln.cell is None]
    for i, line in enumerate(tail):
        m = _DATE.fullmatch(line.text)
        if m:
            date = iso(m)
            if i > 0 and len(tail[i - 1].text) <= 20 and not match_heading(tail[i - 1].text):
                issuer = tail[i - 1].text
    return issuer, date


def printed_number(lines: list[Line]) -> str | None:
    """A 文号 printed on its own short line near the top or the end ("苏政发〔2015〕40号")."""
    for line in lines[:8] + lines[-8:]:
        m = DOC_NUMBER.search(line.text)
        if m and len(line.text) <= 30:
            return m.group(0)
    return None


def document_metadata(structure: Structure, file_name: str = "") -> dict[str, str | None]:
    """Every metadata field of Document that the text and file name state, as keyword arguments."""
    title = structure.title
    events = front_matter_events(structure.front)
    first = {}
    for event in events:
        first.setdefault(event.kind, event)
    signed_by, signed_on = signature(structure.lines)
    title_issuer = ISSUER_FROM_TITLE.match(title)
    enacting = next((e for e in events if e.kind in ("adopted", "promulgated", "approved")), None)
    issuer = signed_by or (title_issuer["issuer"] if title_issuer else None) or (
        issuer_of(enacting.text) if enacting else None)
    number = printed_number(structure.lines) or decree_number(events)
    doc_type = doc_type_of(title)
    promulgated = first["promulgated"].date if "promulgated" in first else None
    effective = in_force_date(structure.text, promulgated) or (first["effective"].date if "effective" in first else None)
    file_date = _FILE_DATE.search(file_name)
    version_date = iso(file_date) if file_date else max((e.date for e in events), default=None) or signed_on
    return {
        "issuer": issuer,
        "number": number,
        "date": signed_on or version_date,
        "part": structure.part,
        "region": region_of(title, issuer, number, doc_type),
        "doc_type": doc_type,
        "adopted": first["adopted"].date if "adopted" in first else None,
        "promulgated": promulgated,
        "revised": max((e.date for e in events if e.kind == "revised"), default=None),
        "effective": effective,
        "version_date": version_date,
    }


def self_references(doc: Document) -> dict[str, str]:
    """What the document's words for itself and its place mean: {"本省": "广东省", "本条例": "广东省优化营商环境条例"}."""
    out: dict[str, str] = {}
    if doc.region and doc.region != NATIONAL:
        word = next((w for suffix, w in SELF_PLACE_WORDS if doc.region.endswith(suffix)), None)
        if word:
            out[word] = doc.region
        out["本行政区域"] = doc.region
    if doc.doc_type:
        out[f"本{doc.doc_type}"] = doc.title
    if doc.part and doc.part.endswith("编"):
        out["本编"] = f"{doc.title}{doc.part}"
    return out
