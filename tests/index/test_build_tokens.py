"""The token cache: a build tokenizes only texts it has not tokenized before, and again those that
hold a word the dictionary gained or lost."""

from __future__ import annotations

from app.service import Service
from app.settings import Settings
from index.token_cache import TokenCache
from tests.index.test_build_incremental import law, write
from tests.index.test_build_resume import Counting


def test_cached_tokens_are_read_and_new_words_retokenize_their_texts(tmp_path):
    seen: list[str] = []

    def tokenize(text: str) -> list[str]:
        seen.append(text)
        return list(text.replace("，", ""))

    texts = ["平台经济，发展", "数字政府", "平台经济"]
    first = TokenCache(tmp_path, ["平台"], tokenize)
    assert first(texts) == [list("平台经济发展"), list("数字政府"), list("平台经济")]
    assert (seen, first.tokenized) == (texts, 3)
    first.close()

    seen.clear()
    same = TokenCache(tmp_path, ["平台"], tokenize)
    assert same(texts[::-1]) == [list("平台经济"), list("数字政府"), list("平台经济发展")]
    assert (seen, same.tokenized, same.dropped) == ([], 0, 0)
    same.close()

    grown = TokenCache(tmp_path, ["平台", "政府"], tokenize)  # "政府" joined the dictionary
    assert grown.dropped == 1
    grown(texts)
    assert seen == ["数字政府"]


def test_a_second_build_tokenizes_only_the_changed_document(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus, {"甲": law("甲条例", 30), "乙": law("乙条例", 30)})
    svc = Service(Settings.from_env(corpus_dir=corpus), embedder=Counting())
    _, first = svc.ingest()
    write(corpus, {"甲": law("甲条例", 30, changed=7), "乙": law("乙条例", 30)})
    _, again = svc.ingest()
    _, rebuilt = svc.ingest(rebuild=True)
    assert (first["texts_tokenized"], again["texts_tokenized"], rebuilt["texts_tokenized"]) == (120, 2, 120)
