"""Where a place lies, from the administrative-division table shipped in cpca."""

import pytest

from ingest.places import regions_of


@pytest.mark.parametrize(
    "word, regions",
    [
        ("杭州", ("杭州市", "浙江省")),  # a prefecture-level city by its short name
        ("杭州市", ("杭州市", "浙江省")),
        ("余杭区", ("余杭区", "杭州市", "浙江省")),
        ("浦东新区", ("浦东新区", "上海市")),  # a municipality's district: no "市辖区" between
        ("南山区", ()),  # 深圳's and 鹤岗's: ambiguous, left out
        ("余杭", ()),  # districts are not shortened (朝阳, 和平 are everyday words)
        ("快递", ()),
    ],
)
def test_regions_of(word, regions):
    assert regions_of(word) == regions
