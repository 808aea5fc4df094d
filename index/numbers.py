"""Figures in Chinese text: amounts, durations, periods, dates, counts and rates, whether written in
Chinese numerals (一万元, 五个工作日, 每三个月) or Arabic ones (10000元, 5日, 2021年1月1日).

Numeral conversion is cn2an's (a maintained library, behind ingest/numerals.py); this module only
finds where a figure is and what it measures. cn2an's own `transform` rewrites whole sentences and
turns words such as 一律 or 统一 into digits, so figures are located first and only their numeral
part is converted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.numerals import to_int

_CN = "零〇一二两三四五六七八九十百千万亿"
_NUM = rf"(?:\d+(?:\.\d+)?|[{_CN}]+)(?:\s*(?:万|亿|千|百))?"

# (kind, unit pattern). Ordered: the first unit that follows a numeral decides its kind.
UNITS: tuple[tuple[str, str], ...] = (
    ("amount", r"(?:万|亿)?元"),
    ("rate", r"%|％|个百分点"),
    ("duration", r"(?:个)?(?:工作日|日|天|小时|个月|月|周|年|季度)"),
    ("count", r"(?:家|个|项|次|人|名|倍|件|条|款|类|种)"),
    ("measure", r"(?:公里|千米|平方米|平方公里|公顷|亩|吨|千克|公斤|米|兆|G|MB|GB)"),
)
_QUANTITY = re.compile(
    rf"(?<![第\d{_CN}])(?P<period>每)?(?P<num>{_NUM})\s*(?P<unit>{'|'.join(u for _, u in UNITS)})(?P<bound>以上|以下|以内|内|之内|至|以后|后)?"
)
_PERCENT_CN = re.compile(r"(?P<base>百|千|万)分之(?P<num>[" + _CN + r"\d.]+)")
_BASES = {"百": 1.0, "千": 0.1, "万": 0.01}  # as a percentage
_MONTH_DAY = re.compile(r"(?<!\d)(?P<m>\d{1,2}|[" + _CN + r"]{1,3})月(?P<d>\d{1,2}|[" + _CN + r"]{1,3})日")
_DATE = re.compile(r"(?P<y>\d{4}|[" + _CN + r"]{4})年(?:(?P<m>\d{1,2}|[" + _CN + r"]{1,3})月)?(?:(?P<d>\d{1,2}|[" + _CN + r"]{1,3})日)?")


@dataclass(frozen=True)
class Quantity:
    kind: str  # amount | rate | duration | period | count | date
    value: float
    unit: str
    span: tuple[int, int]
    text: str


def to_number(numeral: str) -> float | None:
    """一万 -> 10000, 1.5万 -> 15000, 三十 -> 30, 两 -> 2; None when it is not a numeral."""
    s = numeral.replace(" ", "")
    scale = 1.0
    for suffix, mult in (("亿", 1e8), ("万", 1e4)):
        if s.endswith(suffix) and len(s) > 1 and re.match(r"^[\d.]+", s):
            s, scale = s[: -len(suffix)], mult
            break
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return float(s) * scale
    n = to_int(s)
    return None if n is None else float(n) * scale


def quantities(text: str) -> list[Quantity]:
    """Every figure in a text, in order."""
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in _DATE.finditer(text):
        y = to_number(m["y"])
        if y and 1900 <= y <= 2100 and (m["m"] or re.fullmatch(r"\d{4}", m["y"])):
            month = to_number(m["m"]) if m["m"] else 0
            day = to_number(m["d"]) if m["d"] else 0
            out.append(Quantity("date", y * 10000 + (month or 0) * 100 + (day or 0), "日期", m.span(), m.group(0)))
            taken.append(m.span())
    for m in _MONTH_DAY.finditer(text):  # "每年3月31日前": a date without its year
        if any(s <= m.start() < e for s, e in taken):
            continue
        month, day = to_number(m["m"]), to_number(m["d"])
        if month and day and 1 <= month <= 12 and 1 <= day <= 31:
            out.append(Quantity("date", month * 100 + day, "日期", m.span(), m.group(0)))
            taken.append(m.span())
    for m in _PERCENT_CN.finditer(text):
        v = to_number(m["num"])
        if v is not None:
            out.append(Quantity("rate", v * _BASES[m["base"]], "%", m.span(), m.group(0)))
            taken.append(m.span())
    for m in _QUANTITY.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        value = to_number(m["num"])
        if value is None:
            continue
        unit = m["unit"]
        kind = next(k for k, u in UNITS if re.fullmatch(u, unit))
        if m["period"]:
            kind = "period"
        out.append(Quantity(kind, value, unit, m.span(), m.group(0)))
    return sorted(out, key=lambda q: q.span)


def kinds(text: str) -> set[str]:
    return {q.kind for q in quantities(text)}


def same_figure(a: Quantity, b: Quantity) -> bool:
    """Two figures state the same value in the same kind (一万元 == 10000元 == 1万元)."""
    return a.kind == b.kind and abs(a.value - b.value) < 1e-6
