"""Hybrid search over a built index: clause-level hits, spans, filters, generations, persistence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.service import Service
from app.settings import Settings
from index.build import IndexBusy, IndexLock, Layout, build_index
from index.keyword import KeywordIndex
from index.search import IndexMismatch, QueryError, Searcher
from index.tokenizer import Tokenizer
from ingest.pipeline import sync
from ingest.store import RecordStore
from tests.conftest import GUIDELINE, ROOT, FakeEmbedder


def build(corpus: Path, data_dir: Path, embedder, chroma_url: str = "") -> tuple[Layout, RecordStore]:
    store = RecordStore(data_dir / "parsed")
    sync([corpus], store)
    layout = Layout(data_dir / "index")
    build_index(store, layout, embedder, chroma_url=chroma_url, records_fingerprint=store.fingerprint())
    return layout, store


@pytest.fixture
def tiny_index(tiny_corpus, data_dir, fake_embedder):
    layout, _ = build(tiny_corpus, data_dir, fake_embedder)
    return Searcher(layout, fake_embedder)


def test_bm25_scores_chinese_queries(tiny_index):
    tokens = tiny_index.tokenizer.tokenize_query("跨境电商产业园奖励")
    scores = tiny_index.keyword.scores(tokens)
    assert scores.max() > 0
    top = tiny_index.clauses[int(np.argmax(scores))]
    assert top.id == "tiny#二.（一）"


def test_llama_index_bm25_is_blind_to_chinese_which_is_why_we_use_bm25s():
    # The shipped llama-index BM25 tokenizer keeps a run of Chinese as one token: no overlap, zero scores.
    from llama_index.core.schema import TextNode
    from llama_index.retrievers.bm25 import BM25Retriever

    nodes = [TextNode(text="对新认定的跨境电商产业园给予一次性奖励"), TextNode(text="引进的专业人才可享受人才公寓政策")]
    hits = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=2).retrieve("人才公寓")
    assert all((h.score or 0.0) == 0.0 for h in hits)
    ours = KeywordIndex.build([Tokenizer().tokenize(n.text) for n in nodes])
    assert ours.scores(Tokenizer().tokenize("人才公寓"))[1] > 0


def test_keyword_index_numbers_tokens_in_sorted_order_whatever_the_hash_seed():
    rows = [["快递", "企业", "备案"], ["企业", "好"], ["好", "好", "数据"], []]
    index = KeywordIndex.build(rows)
    # the same numbering in every build (bm25s's own follows set order, which the hash seed changes)
    assert list(index.retriever.vocab_dict) == ["\u2400", "企业", "备案", "好", "快递", "数据", ""]
    assert [round(float(x), 4) for x in index.scores(["好"])] == [0.0, 0.3301, 0.3961, 0.0]


def test_hits_are_clauses_with_the_matching_sentence(tiny_index):
    hits = tiny_index.search("引进专业人才能住人才公寓吗", k=3)
    assert hits[0].clause.id == "tiny#二.（二）"
    s, e = hits[0].span
    assert hits[0].clause.text[s:e] == "跨境电商企业引进的专业人才可享受人才公寓政策。"
    assert hits[0].doc_title == "省商务厅关于促进跨境电商发展的通知"
    assert set(hits[0].sources) == {"keyword", "sentence", "dense"}
    # Headings over children ("一、总体目标") are browsed, not returned.
    assert all(h.clause.kind != "section" for h in tiny_index.search("总体目标", k=5))


def test_a_hit_outside_the_nearest_units_gets_its_similarity_from_its_stored_vectors(tiny_index, monkeypatch):
    import index.search as search

    question = "跨境电商企业有哪些支持"
    with_dense = {h.clause.id: h.similarity for h in tiny_index.search(question, k=3)}
    monkeypatch.setattr(search, "DENSE_UNITS", 1)  # only the single nearest unit comes from Chroma's query
    hits = tiny_index.search(question, k=3)
    outside = [h for h in hits if "dense" not in h.sources]
    assert len(hits) == 3 and len(outside) == 2  # found by their words only, yet not "unlike the question"
    vector = FakeEmbedder().encode_query(question)
    for h in outside:
        units = tiny_index.vectors.vectors(tiny_index._units_of[h.clause.id])
        expected = max(float(v @ vector / (np.linalg.norm(v) * np.linalg.norm(vector))) for v in units.values())
        assert h.similarity == pytest.approx(expected, abs=1e-6) and h.similarity > 0
        if h.clause.id in with_dense:  # the same figure the dense ranking gives when it reaches the clause
            assert h.similarity == pytest.approx(with_dense[h.clause.id], abs=1e-5)


def test_filters_by_document_and_section(tiny_corpus, data_dir, fake_embedder):
    (tiny_corpus / "other.txt").write_text("其他文件\n一、人才\n（一）人才公寓。提供人才公寓一千套。", encoding="utf-8")
    layout, _ = build(tiny_corpus, data_dir, fake_embedder)
    s = Searcher(layout, fake_embedder)
    assert {h.clause.doc_id for h in s.search("人才公寓", k=5)} == {"tiny", "other"}
    assert {h.clause.doc_id for h in s.search("人才公寓", k=5, doc="other")} == {"other"}
    assert {h.clause.doc_id for h in s.search("人才公寓", k=5, doc="跨境电商")} == {"tiny"}
    assert [h.clause.id for h in s.search("人才", k=5, doc="tiny", section="二")] == ["tiny#二.（二）", "tiny#二.（一）"]
    with pytest.raises(QueryError, match="no ingested document matches"):
        s.search("人才", doc="nothing")


@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid"])
def test_modes(tiny_index, mode):
    hits = tiny_index.search("一次性奖励200万元", k=2, mode=mode)
    assert hits[0].clause.id == "tiny#二.（一）"


def test_unknown_mode(tiny_index):
    with pytest.raises(QueryError, match="choose one of hybrid, keyword, semantic"):
        tiny_index.search("x", mode="fuzzy")


def test_new_generation_replaces_old_and_old_readers_keep_working(tiny_corpus, data_dir, fake_embedder):
    layout, store = build(tiny_corpus, data_dir, fake_embedder)
    old = Searcher(layout, fake_embedder)
    (tiny_corpus / "tiny.txt").write_text((tiny_corpus / "tiny.txt").read_text() + "三、附则\n（一）施行。本通知自发布之日起施行。\n",
                                         encoding="utf-8")
    sync([tiny_corpus], store)
    build_index(store, layout, fake_embedder, records_fingerprint=store.fingerprint())
    new = Searcher(layout, fake_embedder)
    assert new.generation != old.generation and layout.current() == new.generation
    assert "tiny#三.（一）" in new.by_id and "tiny#三.（一）" not in old.by_id
    assert old.search("人才公寓", k=1)[0].clause.id == "tiny#二.（二）"
    build_index(store, layout, fake_embedder, records_fingerprint=store.fingerprint())
    assert len(layout.generations()) == 2  # the served one and its predecessor


def test_one_writer_at_a_time(data_dir):
    with IndexLock(data_dir):
        with pytest.raises(IndexBusy, match=r"another ingest is running \(pid \d+\)"):
            with IndexLock(data_dir):
                pass
    with IndexLock(data_dir):  # released afterwards
        pass


def test_dictionary_change_is_a_mismatch(tiny_corpus, data_dir, fake_embedder, monkeypatch):
    layout, _ = build(tiny_corpus, data_dir, fake_embedder)
    meta_path = layout.gen_dir(layout.current()) / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["dictionary_hash"] = "0" * 16
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(IndexMismatch, match=r"tokenizer dictionary changed .* run `policyqa ingest --rebuild`"):
        Searcher(layout, fake_embedder)


def test_index_persists_across_processes(tiny_corpus, data_dir):
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "from tests.conftest import FakeEmbedder\n"
        "from app.service import Service\nfrom app.settings import Settings\n"
        "svc = Service(Settings.from_env(corpus_dir=%r), embedder=FakeEmbedder())\n"
        "svc.ingest()\n"
    ) % (str(ROOT), str(tiny_corpus))
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "POLICYQA_DATA_DIR": str(data_dir)})
    svc = Service(Settings.from_env(), embedder=FakeEmbedder())
    assert not svc.index_is_stale() or svc.layout.current() is not None
    assert svc.searcher.search("人才公寓", k=1)[0].clause.id == "tiny#二.（二）"


@pytest.mark.slow
def test_chroma_server_gives_identical_results(tiny_corpus, tmp_path, chroma_server, fake_embedder):
    embedded_layout, _ = build(tiny_corpus, tmp_path / "embedded", fake_embedder)
    server_layout, _ = build(tiny_corpus, tmp_path / "server", fake_embedder, chroma_url=chroma_server)
    a = Searcher(embedded_layout, fake_embedder)
    b = Searcher(server_layout, fake_embedder, chroma_url=chroma_server)
    for q in ["人才公寓", "跨境电商产业园奖励", "发展目标500亿元", "市场主导"]:
        assert [(h.clause.id, h.span) for h in a.search(q, k=4)] == [(h.clause.id, h.span) for h in b.search(q, k=4)]
    with pytest.raises(IndexMismatch, match="POLICYQA_CHROMA_URL is unset"):
        Searcher(server_layout, fake_embedder)


@pytest.mark.slow
def test_real_model_on_the_guideline(tmp_path, real_embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / GUIDELINE.name).write_bytes(GUIDELINE.read_bytes())
    layout, _ = build(corpus, tmp_path / "data", real_embedder)
    s = Searcher(layout, real_embedder)
    cases = {
        "高新技术企业的企业所得税怎么优惠": "五.（二）",
        "引进高端人才的住房补贴可以计入成本吗": "五.（四）",
        "哪个部门牵头平台经济统计监测": "重点任务分工表.13",
        "經信委牽頭哪些任務": "重点任务分工表.2",
    }
    for q, label in cases.items():
        assert s.search(q, k=1)[0].clause.id == f"jiangsu-platform-economy-guideline#{label}", q
    # A definition question gains a ranking of the clauses that define the term.
    top = s.search("平台经济是什么？文件开头怎么定义的", k=1)[0]
    assert top.clause.id == "jiangsu-platform-economy-guideline#引言"
    assert top.sources["definition"] == 1


@pytest.mark.parametrize("fusion", ["rrf", "relative"])
def test_fusion_modes(tiny_corpus, data_dir, fake_embedder, fusion):
    layout, _ = build(tiny_corpus, data_dir, fake_embedder)
    s = Searcher(layout, fake_embedder, fusion=fusion)
    assert s.search("一次性奖励200万元", k=2)[0].clause.id == "tiny#二.（一）"


def test_unknown_fusion(tiny_corpus, data_dir, fake_embedder):
    layout, _ = build(tiny_corpus, data_dir, fake_embedder)
    with pytest.raises(QueryError, match="unknown fusion 'max'; choose one of rrf, relative"):
        Searcher(layout, fake_embedder, fusion="max")


def test_top_positions_are_the_first_of_a_stable_argsort():
    from index.search import top_positions

    scores = np.array([0.5, 2.0, 0.0, 2.0, 1.0, 0.5, 3.0, 0.5, 0.0, 0.0, 0.0, 0.0], dtype=np.float32)
    assert top_positions(scores, 2).tolist() == [6, 1]
    assert top_positions(scores, 5).tolist() == [6, 1, 3, 4, 0]  # ties in position order
    assert top_positions(scores, 20).tolist() == np.argsort(-scores, kind="stable").tolist()
    assert top_positions(np.zeros(0, dtype=np.float32), 3).tolist() == []
    rng = np.random.default_rng(7)
    for _ in range(200):
        s = rng.integers(0, 4, size=int(rng.integers(1, 300))).astype(np.float32)
        n = int(rng.integers(1, 40))
        assert top_positions(s, n).tolist() == np.argsort(-s, kind="stable")[:n].tolist()


def test_one_hit_per_article_keeps_the_most_precise_at_the_best_place():
    from index.search import one_per_article
    from ingest.records import Clause

    def clause(cid, citation):
        doc, label = cid.split("#")
        return Clause(id=cid, doc_id=doc, labels=tuple(label.split(".")), path=(label,), kind="item", heading="",
                      text="x", start=0, end=1, subtree_end=1, parent_id=None, order=0, citation=citation)

    by_id = {c.id: c for c in (
        clause("法#第十七条", "第十七条"), clause("法#第十七条.（一）", "第十七条第一款第（一）项"),
        clause("法#第十七条.（二）", "第十七条第一款第（二）项"), clause("法#第九条", "第九条"),
        clause("条例#第九条", "第九条"), clause("意见#五.（二）", ""), clause("意见#五.（三）", ""))}
    fused = [("法#第十七条", 0.9), ("意见#五.（二）", 0.8), ("法#第九条", 0.7), ("法#第十七条.（二）", 0.6),
             ("条例#第九条", 0.5), ("法#第十七条.（一）", 0.4), ("意见#五.（三）", 0.3)]
    assert one_per_article(fused, by_id) == [("法#第十七条.（二）", 0.9), ("意见#五.（二）", 0.8), ("法#第九条", 0.7),
                                             ("条例#第九条", 0.5), ("意见#五.（三）", 0.3)]
    assert one_per_article(fused, by_id, items_first=False) == [("法#第十七条", 0.9), ("意见#五.（二）", 0.8), ("法#第九条", 0.7),
                                                                ("条例#第九条", 0.5), ("意见#五.（三）", 0.3)]


def test_lexical_confidence_is_the_share_of_the_question_words_a_top_match_holds(tiny_index):
    literal = tiny_index.understand("跨境电商产业园奖励")
    assert tiny_index.lexical_confidence(literal, tiny_index.keyword_ranking(literal, tiny_index.searchable)) == 1.0
    # 区块, 区块链 and 补贴 are in no clause (weight 1 each); 跨境 and 电商 are, with their idf.
    mixed = tiny_index.understand("区块链跨境电商补贴")
    assert mixed.own_tokens == ("区块", "区块链", "跨境", "电商", "补贴")
    conf = tiny_index.lexical_confidence(mixed, tiny_index.keyword_ranking(mixed, tiny_index.searchable))
    held = tiny_index.idf["跨境"] + tiny_index.idf["电商"]
    assert conf == pytest.approx(held / (held + 3.0))
    assert round(conf, 3) == 0.318


@pytest.mark.parametrize("confidence, dense, keyword", [
    (1.0, 1.0, 1.0),   # every word there: equal weights
    (0.7, 1.0, 1.0),   # a gap of 0.3 is where the shift starts
    (0.35, 1.5, 0.75),  # gap 0.65: half-way past 0.3
    (0.0, 2.0, 0.5),   # no word there: the meaning carries most
])
def test_fusion_leans_on_meaning_when_the_question_is_worded_unlike_the_documents(tiny_index, monkeypatch, confidence,
                                                                                   dense, keyword):
    from index.search import Ranked

    monkeypatch.setattr(Searcher, "lexical_confidence", lambda self, q, ranking: confidence)
    q = tiny_index.understand("跨境电商产业园奖励")
    one = Ranked(["tiny#二.（一）"], {"tiny#二.（一）": 1.0}, {})
    weights = tiny_index.fusion_weights(q, {"keyword": one, "sentence": one, "rows": one, "dense": one})
    assert weights == pytest.approx([keyword, keyword, 1.0, dense])
    # Without a dense ranking (keyword mode) nothing shifts.
    assert tiny_index.fusion_weights(q, {"keyword": one, "sentence": one}) == [1.0, 1.0]


@pytest.mark.parametrize("question, first", [
    ("中央财政每年拿出多少资金", ("中央", "财政", "中央财政")),
    ("中小企业能享受哪些扶持", ("中小", "企业", "小企业", "中小企业")),
])
def test_a_question_keeps_its_first_character_when_no_name_was_taken_out(tiny_index, question, first):
    # A name that sets the scope leaves with its particle ("条例里的…"); nothing else is cut.
    assert tiny_index.understand(question).tokens[: len(first)] == first


def test_a_removed_name_takes_its_particle_and_nothing_more():
    from index.search import _without

    assert _without("快递暂行条例里的快递包装", ["快递暂行条例"]) == "快递包装"
    assert _without("广东省的优化营商环境条例中的投诉渠道", ["广东省", "优化营商环境条例"]) == "投诉渠道"
    assert _without("条例中小企业的定义", ["条例"]) == "中小企业的定义"
