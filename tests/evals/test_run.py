"""The eval runner on hand-made systems, then end to end through the service and the CLI with the fake embedder."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from evals.metrics import GoldItem
from evals.run import (
    OURS,
    Asked,
    Retrieval,
    best_baseline,
    evaluate,
    our_asker,
    scoring_ids,
    split_items,
    summarize,
    summarize_splits,
    unverifiable,
)

ITEMS = [
    GoldItem("q1", "物流平台归谁管？", "department", ("d#A",), (("商务厅",),), True),
    GoldItem("q2", "营业收入增长多少？", "figure", ("d#B", "d#C"), (("20%",),), True),
    GoldItem("q3", "增值税税率是多少？", "unanswerable", (), (), False),
]


def fixed(table: dict[str, list[tuple[tuple[str, ...], str]]]):
    """A retriever that returns, per question, the given (covered ids, text) hits, and counts its calls."""
    calls = []

    def retrieve(question: str, k: int) -> Retrieval:
        calls.append(question)
        hits = table[question][:k]
        return Retrieval(tuple(h[0] for h in hits), tuple(len(h[1]) for h in hits), hits[0][1] if hits else "", 1.0)

    retrieve.calls = calls
    return retrieve


OUR_HITS = {
    "物流平台归谁管？": [(("d#A",), "省商务厅负责"), (("d#X",), "其他")],
    "营业收入增长多少？": [(("d#X",), "其他条款"), (("d#C",), "增长20%以上")],
    "增值税税率是多少？": [(("d#X",), "减按15%的税率征收企业所得税")],
}
WIDE_HITS = {  # big chunks covering several clauses
    "物流平台归谁管？": [(("d#Y", "d#A"), "x" * 400 + "商务厅")],
    "营业收入增长多少？": [(("d#Z",), "y" * 600)],
    "增值税税率是多少？": [(("d#Z",), "y" * 600)],
}
NARROW_HITS = {
    "物流平台归谁管？": [],
    "营业收入增长多少？": [((), "无关段落"), (("d#B",), "年均增长20%以上")],
    "增值税税率是多少？": [],
}
ANSWERS = {
    "物流平台归谁管？": Asked("由省商务厅负责[1]", True, ("d#A",), (), "department", 2.0),
    "营业收入增长多少？": Asked("年均增长15%[1][2]", True, ("d#B", "d#X"), ("d#X",), "figure", 4.0),
    "增值税税率是多少？": Asked("文件没有说明。", False, (), (), "unanswerable", 6.0),
}


@pytest.fixture
def rows():
    systems = {OURS: fixed(OUR_HITS), "wide": fixed(WIDE_HITS), "narrow": fixed(NARROW_HITS)}
    return evaluate(ITEMS, systems, ANSWERS.__getitem__, k=5), systems


def test_every_system_gets_one_warm_up_call_then_one_per_question(rows):
    _, systems = rows
    assert systems[OURS].calls == [ITEMS[0].question] + [it.question for it in ITEMS]


def test_question_rows_hold_ids_figures_and_pass(rows):
    r, _ = rows
    assert [x["id"] for x in r] == ["q1", "q2", "q3"]
    assert [x["split"] for x in r] == ["test", "dev", "dev"]
    q2 = r[1]
    assert q2["retrieval"][OURS] == {"ids": [["d#X"], ["d#C"]], "chars": [4, 7], "ms": 1.0, "hit@1": 0.0,
                                     "hit@3": 1.0, "hit@5": 1.0, "rr": 0.5, "top1_facts": False}
    assert q2["answer"]["correct"] is False and q2["answer"]["citation_precision"] == 0.5
    assert [x["pass"] for x in r] == [True, False, True]
    assert "hit@1" not in r[2]["retrieval"][OURS]  # no gold for an unanswerable item


def test_summary_figures(rows):
    r, _ = rows
    best = best_baseline(r, ["wide", "narrow"], 5)
    assert best == "wide"  # hit@1 0.5 against 0.0
    summary = summarize(r, [OURS, "wide", "narrow"], 5, best)
    assert list(summary) == ["overall", "department", "figure", "unanswerable"]
    ours = summary["overall"]["systems"][OURS]
    assert (ours["hit@1"], ours["hit@3"], ours["hit@5"], ours["mrr"]) == (0.5, 1.0, 1.0, 0.75)
    assert ours["chars_per_hit"] == pytest.approx((6 + 2 + 4 + 7 + 15) / 5)
    assert (ours["answer_acc"], ours["citation_precision"], ours["refusal_acc"]) == (0.5, 0.75, 1.0)
    assert (ours["citations"], ours["unverifiable_citations"], ours["refused_answerable"], ours["errors"]) == (3, 1, 0, 0)
    assert (ours["ask_p50_ms"], ours["retrieval_p50_ms"]) == (4.0, 1.0)
    wide = summary["overall"]["systems"]["wide"]
    assert (wide["hit@1"], wide["mrr"], wide["answer_acc"], wide["refusal_acc"]) == (0.5, 0.5, 0.5, 0.0)
    assert wide["chars_per_hit"] == pytest.approx((403 + 600 + 600) / 3)
    narrow = summary["overall"]["systems"]["narrow"]
    assert (narrow["hit@1"], narrow["hit@3"], narrow["mrr"]) == (0.0, 0.5, 0.25)
    assert "answer_acc" not in narrow  # only the best baseline is given an answer column
    assert summary["figure"]["systems"][OURS]["hit@1"] == 0.0
    assert summary["unanswerable"]["systems"][OURS]["hit@1"] is None
    assert summary["unanswerable"]["systems"]["wide"]["refusal_acc"] == 0.0


def test_summaries_per_split_then_both(rows):
    r, _ = rows
    summary = summarize_splits(r, [OURS], 5, None)
    assert list(summary) == ["dev", "test", "all"]
    assert [summary[s]["overall"]["n"] for s in summary] == [2, 1, 3]
    assert summary["test"]["overall"]["systems"][OURS]["answer_acc"] == 1.0  # q1
    assert summary["dev"]["overall"]["systems"][OURS]["answer_acc"] == 0.0  # q2
    assert summary["dev"]["overall"]["systems"][OURS]["refusal_acc"] == 1.0  # q3
    assert list(summarize_splits(r[:1], [OURS], 5, None)) == ["test"]  # one split run: no "all"


def test_split_items():
    assert [it.id for it in split_items(ITEMS, "dev")] == ["q2", "q3"]
    assert [it.id for it in split_items(ITEMS, "test")] == ["q1"]
    assert split_items(ITEMS, "all") == ITEMS
    with pytest.raises(ValueError, match="unknown split 'train'; expected one of: dev, test, all"):
        split_items(ITEMS, "train")


def test_an_item_whose_gold_matched_nothing_is_a_miss_not_a_crash():
    item = GoldItem("q9", "?", "figure", (), (("20%",),), True)
    r = evaluate([item], {OURS: fixed({"?": [(("d#A",), "增长20%")]})}, None, k=3)
    assert (r[0]["retrieval"][OURS]["hit@1"], r[0]["retrieval"][OURS]["rr"]) == (0.0, 0.0)


def test_hit_columns_stop_at_k():
    r = evaluate(ITEMS, {OURS: fixed(OUR_HITS)}, None, k=1)
    assert "hit@3" not in r[0]["retrieval"][OURS] and "answer" not in r[0]
    assert set(summarize(r, [OURS], 1, None)["overall"]["systems"][OURS]) >= {"hit@1", "mrr"}


@pytest.mark.parametrize(
    "covered, expected",
    [
        ([("d#X", "d#B"), ()], ["d#B", "<hit 2: no clause>"]),  # a gold id wins over the first covered id
        ([("d#X", "d#Y")], ["d#X"]),
        ([], []),
    ],
)
def test_scoring_ids(covered, expected):
    assert scoring_ids(covered, ["d#B"]) == expected


def test_unverifiable_citations():
    by_id = {"d#A": SimpleNamespace(text="省商务厅负责物流平台。")}
    cite = lambda cid, quote: SimpleNamespace(clause=SimpleNamespace(id=cid), quote=quote)  # noqa: E731
    cites = [cite("d#A", "省商务厅负责"), cite("d#A", "省财政厅负责"), cite("d#A", ""), cite("d#Q", "x")]
    assert unverifiable(cites, by_id) == ("d#A", "d#A", "d#Q")


def test_an_answer_that_raises_is_recorded_and_fails_both_ways():
    class Broken:
        searcher = SimpleNamespace(by_id={})

        def ask(self, question, conv):
            raise RuntimeError("boom")

    ask = our_asker(Broken())
    r = evaluate(ITEMS, {OURS: fixed(OUR_HITS)}, ask, k=5)
    assert [x["answer"]["error"] for x in r] == ["RuntimeError: boom"] * 3
    assert [x["pass"] for x in r] == [False, False, False]  # a crash is not a refusal
    assert summarize(r, [OURS], 5, None)["overall"]["systems"][OURS]["errors"] == 3


# -- through the real service, with the fake embedder ------------------------------------------
TINY_GOLD = [
    {"id": "t1", "question": "跨境电商产业园有什么奖励？", "kind": "policy", "gold": ["tiny#二.（一）"],
     "facts": [["200万元"]], "answerable": True},
    {"id": "t2", "question": "进出口额目标是多少", "kind": "figure", "gold": ["tiny#一.（一）", "tiny#不存在"],
     "facts": [["500亿元"]], "answerable": True},
    {"id": "t3", "question": "跨境电商企业所得税税率是多少？", "kind": "unanswerable", "gold": [], "facts": [],
     "answerable": False},
]


@pytest.fixture
def fake_model(monkeypatch, fake_embedder, tiny_corpus):
    """Service builds the fake embedder instead of loading m3e; the corpus is the tiny policy."""
    import app.service

    monkeypatch.setattr(app.service, "SentenceTransformerEmbedder", lambda *a, **kw: fake_embedder)
    monkeypatch.setenv("POLICYQA_CORPUS_DIR", str(tiny_corpus))
    monkeypatch.setenv("POLICYQA_EMBED_MODEL", fake_embedder.name)
    return fake_embedder


@pytest.fixture
def gold_file(tmp_path) -> Path:
    p = tmp_path / "gold.jsonl"
    p.write_text("\n".join(json.dumps(g, ensure_ascii=False) for g in TINY_GOLD) + "\n", encoding="utf-8")
    return p


def test_run_eval_through_the_service(fake_model, gold_file):
    from app.service import Service
    from app.settings import Settings
    from evals.baselines import JiebaBM25Paragraphs
    from evals.metrics import load_gold
    from evals.run import run_eval

    svc = Service(Settings.from_env())
    svc.ingest()
    docs = [(d.id, d.text) for d in svc.searcher.docs.values()]
    result = run_eval(svc, load_gold(gold_file), [JiebaBM25Paragraphs(docs)], k=3)
    assert result["systems"] == [OURS, "jieba-bm25 paragraphs"]
    assert result["best_baseline"] == "jieba-bm25 paragraphs"
    assert result["missing_gold_ids"] == ["tiny#不存在"]
    assert [(r["id"], r["split"]) for r in result["rows"]] == [("t1", "test"), ("t2", "test"), ("t3", "dev")]
    ids = {c.id for c in svc.searcher.clauses}
    assert all(i in ids for r in result["rows"] for hit in r["retrieval"][OURS]["ids"] for i in hit)
    bm25_top = result["rows"][0]["retrieval"]["jieba-bm25 paragraphs"]
    assert bm25_top["ids"][0] == ["tiny#二.（一）"] and bm25_top["hit@1"] == 1.0
    assert list(result["summary"]) == ["dev", "test", "all"]
    overall = result["summary"]["all"]["overall"]
    assert (overall["n"], overall["answerable"]) == (3, 2)
    assert (result["summary"]["test"]["overall"]["n"], result["summary"]["dev"]["overall"]["answerable"]) == (2, 0)
    assert set(overall["systems"][OURS]) >= {"hit@1", "hit@3", "mrr", "answer_acc", "refusal_acc", "ask_p50_ms"}
    json.dumps(result, ensure_ascii=False)  # the result is what eval.json holds


def _cli(*args: str):
    from app.cli import main

    return CliRunner().invoke(main, ["--no-progress", *args])


def test_cli_eval_writes_results_and_prints_tables(fake_model, gold_file, tmp_path):
    assert _cli("ingest").exit_code == 0
    out = tmp_path / "results"
    result = _cli("eval", "--gold", str(gold_file), "--out", str(out), "--no-baselines")
    assert result.exit_code == 0, result.output
    assert "| gold | test | 2 | 2 |" in result.output  # the headline row of the test split
    assert "## gold, test (2 questions, 2 answerable; test: held out, reported only)" in result.output
    assert "## gold, dev (1 questions, 0 answerable; dev: rules may be tuned on it)" in result.output
    assert "## gold, all (3 questions, 2 answerable; both splits together)" in result.output
    assert "| unanswerable | 1 | 0 |" in result.output  # the per-kind table of the dev split
    [folder] = [p for p in out.iterdir() if p.name.startswith("eval-")]
    for name in ("eval.json", "report.md", "eval.png"):
        assert (folder / name).is_file() and (out / "latest" / name).is_file()
    saved = json.loads((folder / "eval.json").read_text(encoding="utf-8"))
    assert len(saved["sets"]["gold"]["rows"]) == 3 and saved["sets"]["gold"]["gold"] == str(gold_file)

    as_json = _cli("eval", "--gold", str(gold_file), "--out", str(out), "--no-baselines", "--json", "-k", "1",
                   "--split", "test")
    summary = json.loads(as_json.stdout)
    gold = summary["sets"]["gold"]
    assert "rows" not in gold and summary["split"] == "test" and list(gold["summary"]) == ["test"]
    assert "hit@3" not in gold["summary"]["test"]["overall"]["systems"][OURS]


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"id": "x"}', "gold.jsonl:1: missing key(s): question, kind, gold, facts, answerable"),
        ("not json", "gold.jsonl:1: invalid JSON"),
    ],
)
def test_cli_eval_rejects_a_malformed_gold_file_in_one_line(tmp_path, line, message):
    bad = tmp_path / "gold.jsonl"
    bad.write_text(line + "\n", encoding="utf-8")
    result = _cli("eval", "--gold", str(bad))
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_cli_eval_without_an_index_says_to_ingest(data_dir, gold_file):
    result = _cli("eval", "--no-baselines", "--gold", str(gold_file))
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: no index in {data_dir / 'index'}; run `policyqa ingest` first"


def test_cli_eval_rejects_a_missing_gold_file_and_a_bad_k(tmp_path):
    missing = _cli("eval", "--gold", str(tmp_path / "nope.jsonl"))
    assert missing.exit_code == 1 and "not found; pass --gold FILE" in missing.output
    bad_k = _cli("eval", "-k", "0")
    assert bad_k.exit_code == 1 and "-k must be between 1 and 100" in bad_k.output


# -- several sets, each on its own index -----------------------------------------------------------
TINY_LAW = """# 测试条例

<!-- INFO END -->

## 第一章 总则

第一条 为了促进测试工作，制定本条例。

第二条 县级以上人民政府商务主管部门负责本行政区域内的测试工作。

## 第二章 法律责任

第三条 有下列情形之一的，处一万元以上五万元以下罚款：

（一）未按规定报送测试数据的；

（二）拒绝接受监督检查的。
"""
LAW_GOLD = [
    {"id": "r1", "question": "测试工作归哪个部门管？", "kind": "department",
     "gold": [{"doc": "测试条例", "article": "第二条"}], "facts": [["商务主管部门"]], "answerable": True},
    {"id": "r2", "question": "不报送测试数据罚多少？", "kind": "figure",
     "gold": [{"doc": "测试条例", "article": "第三条", "item": "（一）"}], "facts": [["一万元"]], "answerable": True},
    {"id": "r3", "question": "拒绝检查罚多少？", "kind": "figure",
     "gold": [{"doc": "测试条例", "article": "第三条"}, {"doc": "测试条例", "article": "第九十九条"}],
     "facts": [["一万元"]], "answerable": True},
]


def _jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def tiny_sets(tmp_path, tiny_corpus, monkeypatch):
    """Two sets: the tiny policy alone, and a tiny law plus the tiny policy; evals.sets.SETS patched to them."""
    import evals.sets
    from evals.sets import GoldSet

    law_dir = tmp_path / "laws"
    law_dir.mkdir()
    (law_dir / "测试条例.md").write_text(TINY_LAW, encoding="utf-8")
    sets = (
        GoldSet("tiny", _jsonl(tmp_path / "tiny.jsonl", TINY_GOLD), (tiny_corpus / "tiny.txt",), "tiny policy"),
        GoldSet("law", _jsonl(tmp_path / "law.jsonl", LAW_GOLD), (law_dir, tiny_corpus / "tiny.txt"), "tiny law"),
    )
    monkeypatch.setattr(evals.sets, "SETS", sets)
    return sets


def test_run_sets_gives_each_set_its_own_index_and_reuses_it(fake_model, tiny_sets, tmp_path, monkeypatch):
    import evals.sets
    from app.settings import Settings
    from evals.run import run_sets

    monkeypatch.setattr(evals.sets, "code_fingerprint", lambda: "same code")  # colleagues edit index/ meanwhile

    root = tmp_path / "results" / "data"
    result = run_sets(tiny_sets, Settings.from_env(), root, baselines=False)
    tiny, law = result["sets"]["tiny"], result["sets"]["law"]
    assert (tiny["index"]["documents"], law["index"]["documents"]) == (1, 2)
    assert (tiny["ingest"]["data_dir"], law["ingest"]["data_dir"]) == (str(root / "tiny"), str(root / "law"))
    assert tiny["ingest"]["index_rebuilt"] and law["ingest"]["index_rebuilt"]
    assert (root / "tiny" / "eval-build.json").is_file()

    rows = {r["id"]: r for r in law["rows"]}
    # The same articles whether ids carry the chapter (测试条例#第一章.第二条) or not (测试条例#第二条).
    gold = {i: [re.sub(r"#(第[^.#]+[编章节]\.)+", "#", g) for g in r["gold"]] for i, r in rows.items()}
    assert gold == {"r1": ["测试条例#第二条"], "r2": ["测试条例#第三条.（一）"],
                    "r3": ["测试条例#第三条", "测试条例#第三条.（一）", "测试条例#第三条.（二）"]}
    assert rows["r3"]["refs"] == ["测试条例#第三条", "测试条例#第九十九条"]
    assert law["missing_gold_ids"] == ["测试条例#第九十九条"]
    assert tiny["missing_gold_ids"] == ["tiny#不存在"]
    assert result["split"] == "all" and list(law["summary"]) == ["test"]  # r1-r3 all fall in test

    again = run_sets(tiny_sets, Settings.from_env(), root, split="dev", baselines=False)
    assert not again["sets"]["tiny"]["ingest"]["index_rebuilt"] and again["sets"]["tiny"]["ingest"]["unchanged"] == 1
    assert [r["id"] for r in again["sets"]["tiny"]["rows"]] == ["t3"] and again["sets"]["law"]["rows"] == []


def test_cli_eval_runs_the_named_set(fake_model, tiny_sets, tmp_path):
    out = tmp_path / "results"
    result = _cli("eval", "--set", "law", "--out", str(out), "--no-baselines", "--split", "test")
    assert result.exit_code == 0, result.output
    assert "| law | test | 3 | 3 |" in result.output and "| tiny |" not in result.output
    assert "warning: law: 1 gold ids are not in the index, e.g. 测试条例#第九十九条" in result.output
    assert (out / "data" / "law" / "index").is_dir() and not (out / "data" / "tiny").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (("--set", "nope"), "Error: no gold set 'nope'; known sets: tiny, law"),
        (("--set", "law", "--gold", "x.jsonl"), "Error: pass either --set or --gold, not both"),
        (("--split", "train"), "Invalid value for '--split': 'train' is not one of 'dev', 'test', 'all'."),
    ],
)
def test_cli_eval_rejects_bad_set_options(tiny_sets, args, message):
    result = _cli("eval", "--no-baselines", *args)
    assert result.exit_code != 0 and message in result.output


def test_cli_eval_stops_on_a_bad_set_file_before_ingesting(tiny_sets, data_dir):
    tiny_sets[1].gold.write_text('{"id": "x"}\n', encoding="utf-8")
    result = _cli("eval", "--no-baselines")
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {tiny_sets[1].gold}:1: missing key(s): question, kind, gold, facts, answerable"


def test_a_set_folder_built_by_other_code_is_emptied_but_its_embedding_cache_kept(tmp_path):
    from evals.sets import BUILD_STAMP, clear_if_built_by_other_code, code_fingerprint

    code = tmp_path / "index"
    code.mkdir()
    (code / "a.py").write_text("x = 1\n")
    before = code_fingerprint([code])
    (code / "a.py").write_text("x = 2\n")
    assert code_fingerprint([code]) != before

    data = tmp_path / "data"
    for sub in ("cache", "parsed", "index"):
        (data / sub).mkdir(parents=True)
    (data / BUILD_STAMP).write_text(json.dumps({"code": before}))
    assert clear_if_built_by_other_code(data, before) is False and len(list(data.iterdir())) == 4
    assert clear_if_built_by_other_code(data, code_fingerprint([code])) is True
    assert [p.name for p in data.iterdir()] == ["cache"]
    assert clear_if_built_by_other_code(tmp_path / "new", before) is True  # nothing built yet


def test_headline_table_has_a_row_per_set_and_split_beside_the_best_baseline(rows):
    from evals.report import headline_table, kind_table
    from evals.run import wrap_sets

    r, _ = rows
    summary = summarize_splits(r, [OURS, "wide", "narrow"], 5, "wide")
    result = wrap_sets({"s": {"summary": summary, "best_baseline": "wide"}}, "all", 5, 1.0)
    lines = headline_table(result).splitlines()
    assert lines[0] == ("| set | split | questions | answerable | ours hit@1 | ours MRR | ours answer acc | "
                        "ours citation prec | ours refusal acc | unverifiable | best baseline | its hit@1 | its answer acc |")
    assert lines[2:] == [
        "| s | dev | 2 | 1 | 0.000 | 0.500 | 0.000 | 0.500 | 1.000 | 1 | wide | 0.000 | 0.000 |",
        "| s | test | 1 | 1 | 1.000 | 1.000 | 1.000 | 1.000 | — | 0 | wide | 1.000 | 1.000 |",
        "| s | all | 3 | 2 | 0.500 | 0.750 | 0.500 | 0.750 | 1.000 | 1 | wide | 0.500 | 0.500 |",
    ]
    assert kind_table(summary["dev"], "wide").splitlines()[-1] == (
        "| unanswerable | 1 | 0 | — | — | — | — | 1.000 | — | — | — |")  # no baseline declines: no answer acc


def test_run_eval_without_our_search_scores_answers_only(fake_model, gold_file):
    from app.service import Service
    from app.settings import Settings
    from evals.metrics import load_gold
    from evals.run import run_eval

    svc = Service(Settings.from_env())
    svc.ingest()
    calls = []
    search = svc.searcher.search
    svc.searcher.search = lambda *a, **kw: calls.append(a) or search(*a, **kw)
    result = run_eval(svc, load_gold(gold_file), None, k=3, search=False)
    assert result["systems"] == [OURS] and all(r["retrieval"] == {} for r in result["rows"])
    ours = result["summary"]["all"]["overall"]["systems"][OURS]
    assert ours["hit@1"] is None and ours["mrr"] is None and ours["answer_acc"] is not None
    inside_asks = len(calls)
    run_eval(svc, load_gold(gold_file), None, k=3)
    assert len(calls) - inside_asks == inside_asks + 4  # with search: one more per question and warm-up
