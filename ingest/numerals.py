"""Chinese and Arabic numerals of article numbers: the one place that uses cn2an."""

from __future__ import annotations

import functools

import cn2an

CN_DIGITS = "零〇一二三四五六七八九十百千万两"


@functools.lru_cache(maxsize=4096)
def to_int(numeral: str) -> int | None:
    """"一千一百六十五" or "1165" -> 1165; None for anything that is not a whole number."""
    numeral = numeral.strip()
    if numeral.isdigit():
        return int(numeral)
    try:
        value = cn2an.cn2an(numeral, "smart")
    except (ValueError, KeyError, IndexError):
        return None
    return int(value) if float(value).is_integer() and value >= 0 else None


@functools.lru_cache(maxsize=4096)
def to_cn(number: int) -> str:
    """1165 -> "一千一百六十五", 10 -> "十": the form laws number their articles with."""
    return cn2an.an2cn(number)


def canonical(numeral: str) -> str:
    """A numeral as a law writes it ("17" -> "十七"); text that is not a numeral comes back unchanged."""
    n = to_int(numeral)
    return numeral if n is None else to_cn(n)
