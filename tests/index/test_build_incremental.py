"""Changing, adding or removing one document updates the served generation's vector store instead
of re-adding every vector, embeds only texts never embedded before, and searches exactly as a
build from scratch would."""

from __future__ import annotations

import numpy as np
import pytest

from app.service import Service
from app.settings import Settings
from index.build import _encode
from tests.index.test_build_resume import Counting


DIGITS = "零一二三四五六七八九"


def numeral(i: int) -> str:
    """1..99 in Chinese numerals, as article numbers are written."""
    tens, ones = divmod(i, 10)
    return (("" if tens == 1 else DIGITS[tens]) + "十" if tens else "") + (DIGITS[ones] if ones else "")


def law(name: str, n: int, changed: int | None = None) -> str:
    articles = [f"第{numeral(i)}条 {name}的第{i}项规定：单位应当在{i}日内办理登记{'，并另行公告' if i == changed else ''}。"
                for i in range(1, n + 1)]
    return f"{name}\n" + "\n".join(articles) + "\n"


def write(corpus, files: dict[str, str]) -> None:
    corpus.mkdir(exist_ok=True)
    for old in corpus.glob("*.txt"):
        if old.stem not in files:
            old.unlink()
    for stem, text in files.items():
        (corpus / f"{stem}.txt").write_text(text, encoding="utf-8")


def hits(svc: Service, query: str) -> list[tuple[str, float]]:
    return [(h.clause.id, round(h.score, 6)) for h in svc.searcher.search(query, k=5, mode="semantic")]


@pytest.mark.parametrize("change, embedded, kept", [
    # one article of 甲 reworded: its one window is new
    ({"甲": law("甲条例", 30, changed=7), "乙": law("乙条例", 30)}, 1, 59),
    # a third document added: its 10 windows are new, all 60 vectors kept
    ({"甲": law("甲条例", 30), "乙": law("乙条例", 30), "丙": law("丙条例", 10)}, 10, 60),
    # 乙 removed: nothing to embed, its 30 vectors deleted
    ({"甲": law("甲条例", 30)}, 0, 30),
])
def test_one_document_changes_only_its_units(tmp_path, change, embedded, kept):
    corpus = tmp_path / "corpus"
    write(corpus, {"甲": law("甲条例", 30), "乙": law("乙条例", 30)})
    counting = Counting()
    svc = Service(Settings.from_env(corpus_dir=corpus), embedder=counting)
    _, first = svc.ingest()
    assert (first["units"], first["units_embedded"], first["units_reused"]) == (60, 60, 0)

    write(corpus, change)
    counting.texts.clear()
    _, meta = svc.ingest()
    assert (meta["units_embedded"], meta["units_reused"], len(counting.texts)) == (embedded, kept, embedded)
    assert meta["collection"] == first["collection"]  # the store was copied and updated, not rebuilt
    assert svc.searcher.vectors.count() == meta["units"]

    fresh = Service(Settings.from_env(corpus_dir=corpus, data_dir=tmp_path / "fresh"), embedder=Counting())
    fresh.ingest()
    for query in ("甲条例第7项规定", "丙条例登记", "乙条例的第3项", "另行公告"):
        assert hits(svc, query) == hits(fresh, query)


def test_rebuild_writes_a_new_store(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus, {"甲": law("甲条例", 5)})
    counting = Counting()
    svc = Service(Settings.from_env(corpus_dir=corpus), embedder=counting)
    _, first = svc.ingest()
    _, again = svc.ingest(rebuild=True)
    assert again["collection"] != first["collection"]
    assert (again["units_embedded"], again["units_reused"], len(counting.texts)) == (0, 0, 5)  # all from the cache


def test_encode_embeds_each_distinct_text_once_shortest_first(fake_embedder):
    calls: list[list[str]] = []

    class Recording(type(fake_embedder)):
        def encode(self, texts):
            calls.append(list(texts))
            return super().encode(texts)

    steps: list[int] = []

    def progress(it):
        for i in it:
            steps.append(i)
            yield i

    texts = ["长长长长的一句", "短句", "中等的句", "短句"]
    vectors, embedded = _encode(Recording(), texts, progress)
    assert calls == [["短句", "中等的句", "长长长长的一句"]] and embedded == 3 and steps == [0, 1, 2]
    np.testing.assert_array_equal(vectors, fake_embedder.encode(texts))


def test_a_store_emptied_by_a_large_removal_is_built_anew(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus, {"甲": law("甲条例", 10), "乙": law("乙条例", 60)})
    svc = Service(Settings.from_env(corpus_dir=corpus), embedder=Counting())
    svc.ingest()
    write(corpus, {"甲": law("甲条例", 10)})  # 60 of 70 vectors would be deleted: a store of tombstones
    _, meta = svc.ingest()
    assert (meta["units_reused"], meta["chroma_dir"]) == (0, "chroma-new")
    assert len(hits(svc, "甲条例的第3项规定")) == 5  # semantic search finds clauses again


def test_an_updated_store_that_finds_nothing_is_built_anew_and_a_served_one_is_stale(tmp_path, monkeypatch):
    from index.build import vectors_sound
    from index.store import ClauseVectors

    corpus = tmp_path / "corpus"
    write(corpus, {"甲": law("甲条例", 10)})
    svc = Service(Settings.from_env(corpus_dir=corpus), embedder=Counting())
    svc.ingest()
    assert vectors_sound(svc.layout, svc.layout.current()) and not svc.index_is_stale()
    found = ClauseVectors.lost
    # a store whose counts are right but whose queries come back empty (seen after a large removal)
    monkeypatch.setattr(ClauseVectors, "lost", lambda self, ids, k=10: list(ids))
    assert not vectors_sound(svc.layout, svc.layout.current()) and svc.index_is_stale()
    write(corpus, {"甲": law("甲条例", 10, changed=3)})
    calls = []
    monkeypatch.setattr(ClauseVectors, "lost", lambda self, ids, k=10: calls.append(1) or (list(ids) if len(calls) == 1 else found(self, ids, k)))
    _, meta = svc.ingest()
    assert (meta["units_reused"], meta["chroma_dir"]) == (0, "chroma-new")
    assert len(hits(svc, "甲条例的第3项规定")) == 5  # semantic search finds clauses again
