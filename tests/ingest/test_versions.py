"""Versions of one regulation: the two real 保障中小企业款项支付条例 files (2020 and 2025)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from ingest.pipeline import parse_document
from ingest.versions import diff_versions, group_versions
from tests.conftest import ROOT

LAWS = ROOT / "tests" / "fixtures" / "laws"
OLD, NEW = "保障中小企业款项支付条例(2020-07-05)", "保障中小企业款项支付条例(2025-03-17)"
EXPRESS = "快递暂行条例(2019-03-02)"


@pytest.fixture(scope="module")
def parsed():
    out = {}
    for name in (OLD, NEW, EXPRESS):
        path = LAWS / f"{name}.md"
        out[name] = parse_document(path, path.read_bytes(), name, str(path))
    return out


def test_the_2025_version_is_in_force_and_the_2020_one_superseded(parsed):
    info = group_versions(p.document for p in parsed.values())
    old, new, express = info[OLD], info[NEW], info[EXPRESS]
    assert (new.in_force, new.superseded_by, new.current, new.label) == (True, None, NEW, "2025年3月17日修订版")
    assert (old.in_force, old.superseded_by, old.current, old.label) == (False, NEW, NEW, "2020年7月5日版")
    assert old.versions == new.versions == (OLD, NEW)
    assert old.group == "保障中小企业款项支付条例"
    assert (express.in_force, express.versions) == (True, (EXPRESS,))


def test_same_title_in_another_region_is_another_document(parsed):
    doc = parsed[NEW].document
    info = group_versions([doc, replace(doc, id="gd", region="广东省", version_date="2026-01-01")])
    assert info[NEW].in_force and info["gd"].in_force


def test_diff_by_article(parsed):
    changes = diff_versions(parsed[OLD], parsed[NEW])
    # 29 articles then, 37 now: 3 kept as they were (第一至三条), 26 moved (4 of them word for word), 8 new.
    assert Counter(c.kind for c in changes) == {"renumbered": 26, "added": 8}
    assert sum(not c.text_changed for c in changes) == 4
    assert [c.new_label for c in changes if c.kind == "added"] == [
        "第四条", "第十五条", "第十九条", "第二十一条", "第二十二条", "第二十五条", "第三十三条", "第三十五条"]
    moved = {c.old_label: c.new_label for c in changes if c.kind == "renumbered"}
    assert (moved["第四条"], moved["第十七条"], moved["第二十九条"]) == ("第五条", "第二十四条", "第三十七条")
    first = changes[1]
    assert (first.old_id, first.new_id) == (f"{OLD}#第四条", f"{NEW}#第五条")


def test_diff_of_a_version_with_itself_is_empty(parsed):
    assert diff_versions(parsed[NEW], parsed[NEW]) == []


def test_removed_and_changed_articles(parsed):
    old = parsed[NEW]
    arts = [c for c in old.clauses if c.kind == "article"]
    dropped = arts[-1]  # the last article gone
    edited = replace(arts[0], text=arts[0].text + "新增一句。")
    new = replace(old, clauses=tuple(edited if c is arts[0] else c for c in old.clauses if c is not dropped))
    changes = diff_versions(old, new)
    assert [(c.kind, c.old_label, c.new_label) for c in changes] == [
        ("changed", "第一条", "第一条"), ("removed", "第三十七条", None)]


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("人民检察院刑事诉讼规则（试行）", "人民检察院刑事诉讼规则", True),
        ("某某条例（2021年修订）", "某某条例", True),
        ("中华人民共和国宪法修正案（1988年）", "中华人民共和国宪法修正案（1993年）", False),
        ("最高人民法院关于审理买卖合同纠纷案件适用法律问题的解释（二）", "最高人民法院关于审理买卖合同纠纷案件适用法律问题的解释", False),
    ],
)
def test_which_titles_are_versions_of_one_document(parsed, a, b, same):
    doc = parsed[NEW].document
    info = group_versions([replace(doc, id="a", title=a), replace(doc, id="b", title=b)])
    assert (info["a"].versions == info["b"].versions) is same
