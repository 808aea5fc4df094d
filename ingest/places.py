"""Where a place lies: 杭州 -> 杭州市, 浙江省; 浦东新区 -> 上海市. Users name their city or district
("杭州的快递小哥…", "我在宁波…") where documents name their province or city, so a place is routed
to the documents of the region it lies in instead of being taken for a word the corpus lacks.

The gazetteer is the national administrative-division table (adcodes) shipped inside the `cpca`
package; only its data file is read, not its matcher (which loads pandas and finds places inside
any string: 长治 inside 长治久安). A place counts only as a whole word of the question.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from functools import lru_cache
from pathlib import Path

# Suffixes of county- and city-level names that a place is also called without (杭州市 -> 杭州).
# Only prefecture-level names are shortened: short district names are everyday words (朝阳, 和平).
_CITY_SUFFIX = re.compile(r"(市|地区|自治州|盟)$")
# Rows of the table that group places without being one (the districts of a municipality).
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def _adcodes_file() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or spec.origin is None:
        raise RuntimeError("the cpca package (administrative divisions) is not installed: pip install cpca")
    return Path(spec.origin).parent / "resources" / "adcodes.csv"


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, tuple[str, ...]]:
    """Place name -> the regions it lies in, innermost first, itself included (杭州 -> (杭州市, 浙江省)).
    Names shared by places in different regions (南山区 of 深圳 and of 鹤岗) are left out."""
    with _adcodes_file().open(encoding="utf-8") as f:
        rows = [(r["adcode"], r["name"]) for r in csv.DictReader(f)]
    names = {code: name for code, name in rows}
    chains: dict[str, set[tuple[str, ...]]] = {}
    for code, name in rows:
        province = names.get(code[:2] + "0" * 10)
        city = names.get(code[:4] + "0" * 8)
        chain = tuple(dict.fromkeys(n for n in (name, city, province) if n and n not in _PLACEHOLDERS))
        keys = [name]
        if code[4:] == "0" * 8 and code[2:4] != "00" and (short := _CITY_SUFFIX.sub("", name)) != name and len(short) >= 2:
            keys.append(short)  # a prefecture-level city by its short name
        for key in keys:
            chains.setdefault(key, set()).add(chain)
    return {k: next(iter(v)) for k, v in chains.items() if len(v) == 1}


def regions_of(word: str) -> tuple[str, ...]:
    """The regions a whole word names or lies in, innermost first; () for no known place."""
    return gazetteer().get(word, ())
