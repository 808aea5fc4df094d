"""Tests for evals/metrics.py, hand-computed, plus sanity checks on the shipped gold sets."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evals.metrics import (
    KINDS,
    SPLITS,
    ArticleRef,
    GoldItem,
    answer_correct,
    citation_precision,
    facts_present,
    fold,
    hit_at_k,
    load_gold,
    percentile,
    reciprocal_rank,
    refusal_correct,
    resolve_gold,
    split_of,
)

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "evals" / "gold" / "guideline.jsonl"
CORPUS = ROOT / "corpus" / "jiangsu-platform-economy-guideline.txt"
DOC_ID = "jiangsu-platform-economy-guideline"

RANKED = ["a", "b", "c", "d"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("１５％", "15%"),
        ("ＡＢＣ", "abc"),
        ("3－5年", "3-5年"),
        ("1﹒平台", "1.平台"),
        (" 省 发展改革委\t\n", "省发展改革委"),
        ("省\u3000统计局", "省统计局"),
    ],
)
def test_fold(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("gold", "k", "expected"),
    [
        (["a"], 1, 1.0),
        (["b"], 1, 0.0),
        (["c"], 2, 0.0),
        (["c"], 3, 1.0),
        (["d"], 4, 1.0),
        (["d"], 10, 1.0),
        (["x"], 4, 0.0),
        (["x", "c"], 3, 1.0),
    ],
)
def test_hit_at_k(gold, k, expected):
    assert hit_at_k(RANKED, gold, k) == expected


def test_hit_at_k_rejects_empty_gold_and_bad_k():
    with pytest.raises(ValueError):
        hit_at_k(RANKED, [], 3)
    with pytest.raises(ValueError):
        hit_at_k(RANKED, ["a"], 0)


@pytest.mark.parametrize(
    ("gold", "expected"),
    [
        (["a"], 1.0),
        (["c"], 0.3333),
        (["d", "c"], 0.3333),
        (["x"], 0.0),
    ],
)
def test_reciprocal_rank(gold, expected):
    assert reciprocal_rank(RANKED, gold) == pytest.approx(expected, abs=1e-4)


def test_reciprocal_rank_of_empty_ranking_is_zero():
    assert reciprocal_rank([], ["a"]) == 0.0


@pytest.mark.parametrize(
    ("answer", "facts", "expected"),
    [
        ("省发展改革委负责统筹协调", [["省发展改革委", "发展改革委"]], (True, [])),
        ("由发展改革委牵头", [["省发展改革委", "发展改革委"]], (True, [])),
        ("税率为１５％", [["15%"]], (True, [])),
        ("ABC 公司", [["ａｂｃ"]], (True, [])),
        ("增长20%以上", [["20%"], ["15%"]], (False, [1])),
        ("什么都没有", [["20%"], ["15%"], ["无"]], (False, [0, 1, 2])),
        ("商务厅、交通运输厅", [["商务厅"], ["金融办"], ["交通运输厅"]], (False, [1])),
        ("任意回答", [], (True, [])),
    ],
)
def test_facts_present(answer, facts, expected):
    assert facts_present(answer, facts) == expected


@pytest.mark.parametrize(
    ("answered", "answer", "facts", "expected"),
    [
        (True, "减按１５％的税率", [["15%"]], True),
        (False, "减按15%的税率", [["15%"]], False),
        (True, "减按25%的税率", [["15%"]], False),
    ],
)
def test_answer_correct(answered, answer, facts, expected):
    assert answer_correct(answered, answer, facts) is expected


@pytest.mark.parametrize(("answered", "expected"), [(False, True), (True, False)])
def test_refusal_correct(answered, expected):
    assert refusal_correct(answered) is expected


@pytest.mark.parametrize(
    ("cited", "gold", "expected"),
    [
        (["a", "b", "x"], ["a", "b"], 0.6667),
        (["a"], ["a", "b"], 1.0),
        (["x", "y"], ["a"], 0.0),
    ],
)
def test_citation_precision(cited, gold, expected):
    assert citation_precision(cited, gold) == pytest.approx(expected, abs=1e-4)


def test_citation_precision_none_when_nothing_cited():
    assert citation_precision([], ["a"]) is None


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5.5),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95, 9.55),
        ([10, 1, 5, 3], 50, 4.0),
        ([10, 1, 5, 3], 0, 1.0),
        ([10, 1, 5, 3], 100, 10.0),
        ([7.0], 95, 7.0),
    ],
)
def test_percentile(values, p, expected):
    assert percentile(values, p) == pytest.approx(expected)


def test_percentile_rejects_empty_and_out_of_range():
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


# ---- load_gold ----------------------------------------------------------------------------------

GOOD = {
    "id": "q1",
    "question": "统计监测谁负责？",
    "kind": "department",
    "gold": [f"{DOC_ID}#重点任务分工表.13"],
    "facts": [["省统计局", "统计局"]],
    "answerable": True,
}
REFUSE = {"id": "q2", "question": "增值税税率？", "kind": "unanswerable", "gold": [], "facts": [], "answerable": False}


def _write(tmp_path: Path, *records) -> Path:
    path = tmp_path / "gold.jsonl"
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_load_gold_reads_items(tmp_path):
    items = load_gold(_write(tmp_path, GOOD, "", REFUSE))
    assert items == [
        GoldItem("q1", "统计监测谁负责？", "department", (f"{DOC_ID}#重点任务分工表.13",), (("省统计局", "统计局"),), True),
        GoldItem("q2", "增值税税率？", "unanswerable", (), (), False),
    ]


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ({**GOOD, "id": "q9", "kind": "foo"},
         "unknown kind 'foo'; expected one of: department, reverse_department, figure, policy, entity, locate, "
         "definition, list, yesno, scope, version, unanswerable"),
        ({k: v for k, v in GOOD.items() if k not in ("facts", "answerable")}, "missing key(s): facts, answerable"),
        ({**GOOD, "id": "q9", "gold": []}, "answerable item has empty gold"),
        ({**REFUSE, "id": "q9", "gold": [f"{DOC_ID}#五.（二）"]}, "unanswerable item must have empty gold and facts"),
        ({**REFUSE, "id": "q9", "facts": [["15%"]]}, "unanswerable item must have empty gold and facts"),
        ({**GOOD, "id": "q9", "answerable": False}, "answerable false needs kind 'unanswerable', got 'department'"),
        ({**REFUSE, "id": "q9", "answerable": True}, "kind 'unanswerable' needs answerable false"),
        ({**GOOD, "id": "q9", "facts": [[]]}, "facts must be a list of non-empty lists of strings"),
        ({**GOOD, "id": "q9", "facts": ["统计局"]}, "facts must be a list of non-empty lists of strings"),
        ({**GOOD, "id": "q9", "gold": ["重点任务分工表.13"]}, "gold id '重点任务分工表.13' is not of the form <doc_id>#<labels>"),
        ({**GOOD, "id": "q9", "answerable": "yes"}, "answerable must be true or false"),
        ({**GOOD, "id": "q9", "gold": [3]}, 'gold must be a list of clause ids or {"doc", "article"[, "item"]} objects'),
        ({**GOOD, "id": "q9", "gold": [{"doc": "d", "article": "第十条", "para": "2"}]},
         "gold reference has unknown key(s) para; allowed: doc, article, item"),
        ({**GOOD, "id": "q9", "gold": [{"doc": "d"}]},
         'gold reference {"doc": "d"} needs non-empty strings doc and article'),
        ({**GOOD, "id": "q9", "gold": [{"doc": "d", "article": "第十条", "item": ""}]},
         'gold reference {"doc": "d", "article": "第十条", "item": ""} has an empty item'),
        ({**GOOD}, "duplicate id 'q1' (first on line 1)"),
        ("{not json", "invalid JSON: Expecting property name enclosed in double quotes"),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_load_gold_names_file_line_and_problem(tmp_path, bad, problem):
    path = _write(tmp_path, GOOD, bad)
    with pytest.raises(ValueError) as excinfo:
        load_gold(path)
    assert str(excinfo.value) == f"{path}:2: {problem}"


# ---- the shipped gold set -----------------------------------------------------------------------

MINIMUMS = {
    "department": 25,
    "reverse_department": 10,
    "figure": 20,
    "policy": 25,
    "entity": 15,
    "locate": 15,
    "unanswerable": 30,
}
TOP_SECTIONS = {f"{DOC_ID}#{n}" for n in "一二三四五"}


@pytest.fixture(scope="module")
def shipped() -> list[GoldItem]:
    return load_gold(GOLD)


def test_shipped_gold_size_and_ids(shipped):
    assert len(shipped) >= 140
    assert len({it.id for it in shipped}) == len(shipped)
    assert sum(not it.answerable for it in shipped) >= 30


def test_shipped_gold_kinds_meet_minimums(shipped):
    counts = Counter(it.kind for it in shipped)
    assert set(counts) <= set(KINDS)
    assert {k: counts[k] for k in MINIMUMS if counts[k] < MINIMUMS[k]} == {}


def test_shipped_gold_covers_every_table_row(shipped):
    rows = {g for it in shipped if it.kind == "department" for g in it.gold if "#重点任务分工表." in g}
    assert rows == {f"{DOC_ID}#重点任务分工表.{n}" for n in range(1, 15)}


def test_shipped_gold_ids_point_into_the_document(shipped):
    for it in shipped:
        for g in it.gold:
            assert g.startswith(f"{DOC_ID}#"), (it.id, g)
            assert g not in TOP_SECTIONS, (it.id, g)  # a top heading's own text is one line


def test_shipped_gold_facts_appear_in_corpus(shipped):
    corpus = fold(CORPUS.read_text(encoding="utf-8"))
    missing = [
        (it.id, alternatives)
        for it in shipped
        for alternatives in it.facts
        if not any(fold(a) in corpus for a in alternatives)
    ]
    assert missing == []


# ---- the dev/test split ---------------------------------------------------------------------------


@pytest.mark.parametrize(("qid", "split"), [("q001", "dev"), ("q002", "test"), ("q003", "test"), ("gf001", "dev")])
def test_split_of_is_a_fixed_function_of_the_id(qid, split):
    assert split_of(qid) == split


def test_split_of_halves_a_set_and_ignores_the_other_questions():
    ids = [f"q{i:03d}" for i in range(1, 401)]
    before = {i: split_of(i) for i in ids[:200]}
    counts = Counter(split_of(i) for i in ids)
    assert set(counts) == set(SPLITS) and 170 <= counts["test"] <= 230
    assert {i: split_of(i) for i in ids[:200]} == before  # adding 200 questions moved none


# ---- article references ---------------------------------------------------------------------------

LAW = "保障中小企业款项支付条例(2020-07-05)"


def _clause(cid: str, order: int, parent: str | None = None, kind: str = "item"):
    from types import SimpleNamespace

    return SimpleNamespace(id=cid, doc_id=cid.split("#")[0], labels=tuple(cid.split("#")[1].split(".")),
                           parent_id=parent, start=order * 10, order=order, kind=kind)


CLAUSES = [  # today's ids (chapter in the path) for one law, tomorrow's (article only) for another
    _clause(f"{LAW}#引言", -1, kind="preamble"),
    _clause(f"{LAW}#第一章", 0),
    _clause(f"{LAW}#第一章.第十条", 1, f"{LAW}#第一章"),
    _clause(f"{LAW}#第一章.第十条.（一）", 2, f"{LAW}#第一章.第十条"),
    _clause(f"{LAW}#第一章.第十条.（二）", 3, f"{LAW}#第一章.第十条"),
    _clause(f"{LAW}#第一章.第十一条", 4, f"{LAW}#第一章"),
    _clause("other#第十条", 5),
    _clause("other#第十条.（二）", 6, "other#第十条"),
    _clause("other#第十条.（二）.1", 7, "other#第十条.（二）"),
    _clause("other#第二十条", 8),
]


@pytest.mark.parametrize(
    ("ref", "ids"),
    [
        (ArticleRef(LAW, "第十条"), [f"{LAW}#第一章.第十条", f"{LAW}#第一章.第十条.（一）", f"{LAW}#第一章.第十条.（二）"]),
        (ArticleRef(LAW, "第十条", "（二）"), [f"{LAW}#第一章.第十条.（二）"]),
        (ArticleRef(LAW, "第十条", "(二)"), [f"{LAW}#第一章.第十条.（二）"]),  # folded labels
        (ArticleRef(LAW, "第十一条"), [f"{LAW}#第一章.第十一条"]),
        (ArticleRef("other", "第十条", "（二）"), ["other#第十条.（二）", "other#第十条.（二）.1"]),
        (ArticleRef("other", "第二十条"), ["other#第二十条"]),
        (ArticleRef(LAW, "题注"), [f"{LAW}#引言"]),  # the head note is the preamble
    ],
)
def test_resolve_gold_finds_the_article_and_what_lies_under_it(ref, ids):
    item = GoldItem("r1", "?", "figure", (), (("x",),), True, (ref,))
    [resolved], unresolved = resolve_gold([item], CLAUSES)
    assert (resolved.gold, unresolved) == (tuple(ids), [])


def test_resolve_gold_keeps_clause_ids_and_names_what_matched_nothing():
    refs = (ArticleRef(LAW, "第十一条"), ArticleRef(LAW, "第十二条"), ArticleRef("other", "第十条", "（三）"),
            ArticleRef("missing-doc", "第十条"), ArticleRef("other", "题注"))
    item = GoldItem("r1", "?", "figure", ("other#第二十条",), (("x",),), True, refs)
    [resolved], unresolved = resolve_gold([item], CLAUSES)
    assert resolved.gold == ("other#第二十条", f"{LAW}#第一章.第十一条")
    assert unresolved == [f"{LAW}#第十二条", "other#第十条.（三）", "missing-doc#第十条", "other#题注"]


def test_load_gold_reads_article_references(tmp_path):
    rec = {**GOOD, "gold": [{"doc": LAW, "article": "第十条", "item": "（二）"}, {"doc": LAW, "article": "第九条"},
                            f"{DOC_ID}#五.（二）"]}
    [item] = load_gold(_write(tmp_path, rec))
    assert item.gold == (f"{DOC_ID}#五.（二）",)
    assert item.refs == (ArticleRef(LAW, "第十条", "（二）"), ArticleRef(LAW, "第九条"))
    assert [str(r) for r in item.refs] == [f"{LAW}#第十条.（二）", f"{LAW}#第九条"]


# ---- every shipped set against its own corpus -----------------------------------------------------


def _shipped_sets():
    from evals.sets import SETS

    return [pytest.param(s, id=s.name) for s in SETS if s.gold.is_file()]


def _corpus_texts(gold_set) -> dict[str, str]:
    files = [f for p in gold_set.corpus for f in (sorted(p.iterdir()) if p.is_dir() else [p])]
    return {f.stem: f.read_text(encoding="utf-8") for f in files if f.suffix in (".txt", ".md")}


@pytest.mark.parametrize("gold_set", _shipped_sets())
def test_shipped_set_facts_and_references_point_into_its_corpus(gold_set):
    from evals.metrics import PSEUDO_ARTICLES

    texts = _corpus_texts(gold_set)
    corpus = fold("".join(texts.values()))
    items = load_gold(gold_set.gold)
    # about one question in seven unanswerable or more, so that refusal accuracy rests on more than a
    # handful of questions per split
    assert len(items) >= 100 and sum(not it.answerable for it in items) >= 0.15 * len(items)
    assert [(it.id, f) for it in items for f in it.facts if not any(fold(a) in corpus for a in f)] == []
    assert [(it.id, g) for it in items for g in it.gold if g.split("#")[0] not in texts] == []
    bad_refs = [(it.id, str(r)) for it in items for r in it.refs
                if r.doc not in texts
                or (r.article not in PSEUDO_ARTICLES and r.article not in texts[r.doc])
                or (r.item and r.item not in texts[r.doc])]
    assert bad_refs == []


def test_the_project_keeps_byte_copies_of_the_shared_related_policies():
    shared = Path("/work/shared/corpora/related-policies")
    ours = ROOT / "evals" / "corpora" / "related-policies"
    assert len(list(ours.glob("*.md"))) == 12
    if shared.is_dir():  # only on machines that have the shared folder
        assert {f.name: f.read_bytes() for f in ours.glob("*.md")} == {f.name: f.read_bytes() for f in shared.glob("*.md")}
