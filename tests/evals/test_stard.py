"""The STARD suite (evals/stard.py): gold articles to clause ids, the scores, and a whole run on two tiny laws."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.stard import (
    DocResolver,
    GoldArticle,
    Retrieved,
    StardItem,
    article_key,
    figures,
    gold_doc_id,
    gold_keys,
    load_stard,
    markdown,
    mirror,
    run_stard,
    score,
)

CONTRACTS = """# 中华人民共和国示例合同法

2020年1月1日 第一次会议通过

<!-- INFO END -->

## 第一章 一般规定

第一条 为了保护合同当事人的合法权益，制定本法。

第二条 当事人订立合同，应当遵循公平原则。

## 第二章 违约责任

第三条 当事人一方不履行合同义务的，应当承担继续履行、赔偿损失等违约责任。

第四条 当事人可以约定违约金。约定的违约金过分高于造成的损失的，人民法院可以根据当事人的请求予以适当减少。

第四条之一 定金的数额由当事人约定，但是不得超过主合同标的额的百分之二十。
"""

LABOUR = """# 中华人民共和国示例劳动法

<!-- INFO END -->

第一条 用人单位应当按时足额支付劳动者的劳动报酬。

第二条 用人单位有下列情形之一的，劳动者可以解除劳动合同：

（一）未按照劳动合同约定提供劳动保护或者劳动条件的；

（二）未及时足额支付劳动报酬的。
"""

QUESTIONS = [
    {"id": 1, "question": "约定的违约金太高了，可以请求法院减少吗？",
     "gold": [{"law": "中华人民共和国示例合同法", "article": "第四条", "file": "民法商法/合同法.md"}]},
    {"id": 2, "question": "老板一直拖欠工资，我可以辞职吗？",
     "gold": [{"law": "中华人民共和国示例劳动法", "article": "第二条", "file": "社会法/劳动法(2020-01-01).md"},
              {"law": "中华人民共和国示例劳动法", "article": "第一条", "file": "社会法/劳动法(2020-01-01).md"}]},
    {"id": 3, "question": "定金最多能约定多少？",
     "gold": [{"law": "中华人民共和国示例合同法", "article": "第四条之一", "file": "民法商法/合同法.md"}]},
]


@pytest.fixture
def laws(tmp_path) -> Path:
    root = tmp_path / "laws"
    (root / "民法商法").mkdir(parents=True)
    (root / "社会法").mkdir()
    (root / "民法商法" / "合同法.md").write_text(CONTRACTS, encoding="utf-8")
    (root / "社会法" / "劳动法(2020-01-01).md").write_text(LABOUR, encoding="utf-8")
    return root


@pytest.fixture
def questions(tmp_path) -> Path:
    path = tmp_path / "dev.jsonl"
    path.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in QUESTIONS) + "\n\n", encoding="utf-8")
    return path


def test_load_stard_reads_items_and_their_gold_articles(questions):
    items = load_stard(questions)
    assert [it.id for it in items] == ["1", "2", "3"]
    assert items[1].gold[0] == GoldArticle("中华人民共和国示例劳动法", "第二条", "社会法/劳动法(2020-01-01).md")


@pytest.mark.parametrize("line, message", [
    ('{"id": 1, "question": "q"}', "dev.jsonl:1: not a STARD item (KeyError: 'gold')"),
    ('{"id": 1, "question": "q", "gold": []}', "dev.jsonl:1: item 1 has no gold article"),
    ("not json", "dev.jsonl:1: not a STARD item (JSONDecodeError"),
])
def test_load_stard_names_the_line_of_a_bad_item(tmp_path, line, message):
    path = tmp_path / "dev.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ValueError) as e:
        load_stard(path)
    assert str(e.value).startswith(str(tmp_path / message))


def test_gold_files_map_to_the_document_ids_ingest_gives_them():
    assert gold_doc_id("民法典/总则.md") == "民法典/总则"
    assert gold_doc_id("民法商法/农村土地承包法(2018-12-29).md") == "民法商法/农村土地承包法(2018-12-29)"
    assert gold_doc_id("司法解释/a b#c.md") == "司法解释/a-b-c"


@pytest.mark.parametrize("clause_id, key", [
    ("民法典/总则#第五十六条", ("民法典/总则", "第五十六条")),
    ("民法典/总则#第五十六条.（二）", ("民法典/总则", "第五十六条")),
    ("民法典/总则#第二章.第一节.第五十六条", ("民法典/总则", "第五十六条")),
    ("刑法/刑法#第二编.第三章.第一百七十五条之一.（一）", ("刑法/刑法", "第一百七十五条之一")),
    ("d#第17条", ("d", "第17条")),
    ("d#第十七条~2", ("d", None)),  # an old parser's second 第十七条: not an article label we can trust
    ("d#第一章", ("d", None)),
    ("d#引言", ("d", None)),
])
def test_article_key_finds_the_article_label_inside_a_clause_id(clause_id, key):
    assert article_key(clause_id) == key


def test_doc_resolver_accepts_an_index_built_from_a_folder_above_laws():
    resolve = DocResolver(["laws/民法典/总则", "民法典/物权", "x/刑法/刑法", "y/刑法/刑法"])
    assert resolve("民法典/物权") == "民法典/物权"
    assert resolve("民法典/总则") == "laws/民法典/总则"
    assert resolve("刑法/刑法") is None  # two documents end with it: ambiguous
    assert resolve("宪法/宪法") is None


def test_mirror_links_the_listed_files_with_their_layout(laws, tmp_path):
    folder = mirror(laws, ["社会法/劳动法(2020-01-01).md"], tmp_path / "mirror")
    assert [p.relative_to(folder).as_posix() for p in folder.rglob("*.md")] == ["社会法/劳动法(2020-01-01).md"]
    assert mirror(laws, ["社会法/劳动法(2020-01-01).md"], folder) == folder  # again: nothing to do


ITEM = StardItem("1", "q", (GoldArticle("L", "第二条", "a/L.md"), GoldArticle("L", "第九条", "a/L.md")))


@pytest.mark.parametrize("covered, rank, recall, law_hit", [
    ((), None, 0.0, False),
    (((("a/L", "第二条"),),), 1, 0.5, True),
    (((("a/M", "第二条"),), (("a/L", "第一条"),), (("a/L", "第九条"), ("a/L", "第二条"))), 3, 1.0, True),
    (((("a/M", "第二条"),),) * 10 + (((("a/L", "第二条"),),)), None, 0.0, False),  # the 11th hit is not seen
])
def test_score_of_one_question(covered, rank, recall, law_hit):
    got = score(Retrieved(covered, 2.0), gold_keys(ITEM))
    assert (got["rank"], got["recall"], got["law_hit"]) == (rank, recall, law_hit)


def test_figures_over_questions():
    rows = [{"systems": {"s": {"rank": r, "recall": rec, "law_hit": lh, "ms": ms}}}
            for r, rec, lh, ms in [(1, 1.0, True, 1.0), (4, 0.5, True, 2.0), (None, 0.0, False, 3.0), (10, 1.0, True, 4.0)]]
    f = figures(rows, "s")
    assert f == {"hit@1": 0.25, "hit@5": 0.5, "hit@10": 0.75, "recall@10": 0.625,
                 "mrr@10": pytest.approx((1 + 0.25 + 0.1) / 4), "law_hit@10": 0.75, "p50_ms": 2.5,
                 "p95_ms": pytest.approx(3.85)}


def test_run_stard_scores_every_system_and_names_missing_documents(questions):
    items = load_stard(questions)
    perfect = {"1": ("民法商法/合同法", "第四条"), "2": ("社会法/劳动法(2020-01-01)", "第一条"),
               "3": ("民法商法/合同法", "第四条之一")}
    by_question = {it.question: perfect[it.id] for it in items}
    systems = {"perfect": lambda q, k: Retrieved(((by_question[q],),), 1.0), "nothing": lambda q, k: Retrieved((), 1.0)}
    result = run_stard(items, systems, ["民法商法/合同法"], {"corpus": "tiny", "questions_file": "dev.jsonl",
                                                           "data_dir": "d", "documents": 1})
    assert result["missing_gold_documents"] == ["社会法/劳动法(2020-01-01)"]
    assert result["summary"]["perfect"]["hit@1"] == 1.0
    assert result["summary"]["perfect"]["recall@10"] == pytest.approx((1 + 0.5 + 1) / 3)
    assert result["summary"]["nothing"]["hit@10"] == 0.0
    text = markdown(result)
    assert "| perfect | tiny | 1.000 | 1.000 | 1.000 | 0.833 | 1.000 | 1.000 | 1.0 | 1.0 |" in text
    assert "1 gold documents are not in the index, e.g. 社会法/劳动法(2020-01-01)" in text


@pytest.fixture
def fake_model(monkeypatch, fake_embedder):
    """Service builds the fake embedder instead of loading m3e."""
    import app.service

    monkeypatch.setattr(app.service, "SentenceTransformerEmbedder", lambda *a, **kw: fake_embedder)
    monkeypatch.setenv("POLICYQA_EMBED_MODEL", fake_embedder.name)
    return fake_embedder


def test_the_command_ingests_the_corpus_then_reuses_its_index(fake_model, laws, questions, tmp_path):
    from click.testing import CliRunner

    from app.cli import main

    args = ["--no-progress", "eval", "--suite", "stard", "--corpus", str(laws), "--questions", str(questions),
            "--data-dir", str(tmp_path / "data"), "--naive", "none", "--out", str(tmp_path / "results"), "--json"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    result = json.loads(first.output)
    assert result["documents"] == 2 and result["missing_gold_documents"] == []
    assert list(result["summary"]) == ["policyqa search", "policyqa ask", "jieba-bm25 articles"]
    bm25 = result["summary"]["jieba-bm25 articles"]
    # Plain jieba finds 违约金 first for "老板…拖欠工资…辞职": 第二条 of the labour law comes second.
    assert [r["systems"]["jieba-bm25 articles"]["rank"] for r in _rows(result)] == [1, 2, 1]
    assert (bm25["hit@1"], bm25["hit@5"], bm25["recall@10"], bm25["mrr@10"]) == (2 / 3, 1.0, pytest.approx(5 / 6), 5 / 6)
    search = result["summary"]["policyqa search"]
    assert (search["hit@10"], search["law_hit@10"]) == (1.0, 1.0)
    assert [r["gold"] for r in _rows(result)] == [
        ["民法商法/合同法#第四条"],
        ["社会法/劳动法(2020-01-01)#第一条", "社会法/劳动法(2020-01-01)#第二条"],
        ["民法商法/合同法#第四条之一"],
    ]
    assert (Path(result["folder"]) / "report.md").read_text(encoding="utf-8").startswith("# STARD: 3 questions")
    generations = sorted(p.name for p in (tmp_path / "data" / "index").iterdir())
    again = CliRunner().invoke(main, args)  # the index exists now: reused, not rebuilt
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in (tmp_path / "data" / "index").iterdir()) == generations
    assert [r["systems"]["policyqa search"]["ids"] for r in _rows(json.loads(again.output))] == [
        r["systems"]["policyqa search"]["ids"] for r in _rows(result)]


def _rows(result: dict) -> list[dict]:
    return json.loads((Path(result["folder"]) / "stard.json").read_text(encoding="utf-8"))["rows"]


def test_the_command_says_what_to_do_with_a_missing_questions_file(tmp_path):
    from click.testing import CliRunner

    from app.cli import main

    got = CliRunner().invoke(main, ["eval", "--suite", "stard", "--questions", str(tmp_path / "nope.jsonl")])
    assert got.exit_code == 1
    assert got.output.strip() == f"Error: questions file {tmp_path / 'nope.jsonl'} not found; pass --questions FILE (STARD's JSONL)"


def test_the_command_does_not_ingest_beside_a_running_ingest(fake_model, laws, questions, tmp_path):
    from click.testing import CliRunner

    from app.cli import main
    from index.build import IndexLock

    data = tmp_path / "data"
    with IndexLock(data):  # an ingest in progress holds the lock and has not switched to an index yet
        got = CliRunner().invoke(main, ["eval", "--suite", "stard", "--corpus", str(laws), "--questions",
                                        str(questions), "--data-dir", str(data), "--naive", "none"])
    assert got.exit_code == 1
    assert got.output.splitlines()[-1].startswith(f"Error: {data} has no index yet and another ingest is running (pid ")
