"""Figures in Chinese and Arabic numerals: kind, value and where they are."""

from __future__ import annotations

import pytest

from index.numbers import kinds, quantities, same_figure


@pytest.mark.parametrize(
    "text, expected",
    [
        ("处一万元以上五万元以下罚款", [("amount", 10000.0, "一万元以上"), ("amount", 50000.0, "五万元以下")]),
        ("处1万元以上5万元以下的罚款", [("amount", 10000.0, "1万元以上"), ("amount", 50000.0, "5万元以下")]),
        ("应当在五个工作日内答复", [("duration", 5.0, "五个工作日内")]),
        ("每三个月报告一次", [("period", 3.0, "每三个月"), ("count", 1.0, "一次")]),
        ("本条例自2021年1月1日起施行", [("date", 20210101.0, "2021年1月1日")]),
        ("二〇二一年九月三十日通过", [("date", 20210930.0, "二〇二一年九月三十日")]),
        ("每年3月31日前公开", [("date", 331.0, "3月31日")]),
        ("减按15%的税率征收", [("rate", 15.0, "15%")]),
        ("占预算总额的百分之三十以上", [("rate", 30.0, "百分之三十")]),
        ("按照每日利率万分之五支付逾期利息", [("rate", 0.05, "万分之五")]),
        ("设计最高时速不超过二十公里", [("measure", 20.0, "二十公里")]),
        ("1.5亿元", [("amount", 150000000.0, "1.5亿元")]),
        ("违反本条例第二十条规定", []),
        ("一律不得统一收取", []),
    ],
)
def test_figures(text, expected):
    assert [(q.kind, q.value, q.text) for q in quantities(text)] == expected


def test_the_same_figure_in_either_numerals():
    a, b = quantities("一万元")[0], quantities("10000元")[0]
    assert same_figure(a, b)
    assert not same_figure(a, quantities("一万日")[0])
    assert kinds("自收到之日起三十日内") == {"duration"}
