"""Naive reference pipelines measured beside ours, and the rule that turns their passages into clause ids.

Baselines, built over the same documents in the same run as the evaluation:

- `LlamaIndexNaive`: llama-index as its tutorial would set it up: `SentenceSplitter()` (chunk 1024,
  overlap 200) over each document's full text, `HuggingFaceEmbedding` with the same m3e-small
  model we use, an in-memory `VectorStoreIndex` and `as_retriever(similarity_top_k=k)`.
- `JiebaBM25Paragraphs`: plain `jieba.lcut` (jieba's default dictionary, none of our domain words)
  and bm25s over the paragraphs: the non-empty lines of each document, which for a .txt source are
  its non-empty lines, stripped (every table cell is a line of its own).
- `JiebaBM25Articles` (the STARD suite, evals/stard.py): the same plain jieba and bm25s over the
  articles of law files, each article running from its `第X条` line to the next article or
  heading (`split_articles`). It reads the files, not our parser's output.

Scoring rule (`covered_clauses`): a passage stands for the clauses whose text it covers, that is,
whose [start, end) in the document text overlaps the passage's span for at least half of the
clause's characters. A passage that contains the whole clause covers 100% of it; a paragraph that
holds only part of a clause (one cell of a table row, say) covers it only if that part is at least
half of the clause. Large chunks therefore cover many clauses at once, which is why every system's
mean characters per hit is reported beside its hit rates.

jieba is imported here as well as in index/tokenizer.py on purpose: the baseline must not share our
tokenizer's dictionary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Protocol, Sequence

from ingest.records import Clause

MIN_CLAUSE_COVER = 0.5  # share of a clause's characters a passage must overlap to count as a hit


@dataclass(frozen=True)
class Passage:
    """A retrieved piece of a document with its character span in the document text."""

    doc_id: str
    start: int
    end: int
    text: str
    score: float = 0.0
    label: str = ""  # the article label (第五条) of an article passage; "" for other passages


class Baseline(Protocol):
    name: str

    def retrieve(self, query: str, k: int) -> list[Passage]: ...


# -- the mapping rule ---------------------------------------------------------------------------
def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Characters shared by two half-open spans."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def covers(passage: Passage, clause: Clause) -> bool:
    """Whether the passage covers at least MIN_CLAUSE_COVER of the clause's characters."""
    if passage.doc_id != clause.doc_id:
        return False
    length = clause.end - clause.start
    if length <= 0:
        return passage.start <= clause.start < passage.end
    return overlap((passage.start, passage.end), (clause.start, clause.end)) >= MIN_CLAUSE_COVER * length


class ClauseMap:
    """Looks up the clauses a passage covers, in document order."""

    def __init__(self, clauses: Iterable[Clause]):
        self.by_doc: dict[str, list[Clause]] = {}
        for c in clauses:
            self.by_doc.setdefault(c.doc_id, []).append(c)
        for cs in self.by_doc.values():
            cs.sort(key=lambda c: (c.start, c.end))

    def __call__(self, passage: Passage) -> tuple[str, ...]:
        return tuple(c.id for c in self.by_doc.get(passage.doc_id, ()) if covers(passage, c))


# -- paragraphs ---------------------------------------------------------------------------------
def paragraphs(doc_id: str, text: str) -> list[Passage]:
    """The non-empty lines of a document text, stripped, with their spans."""
    out: list[Passage] = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + (len(line) - len(line.lstrip()))
            out.append(Passage(doc_id, start, start + len(stripped), stripped))
        pos += len(line) + 1
    return out


def plain_jieba() -> Callable[[str], list[str]]:
    """jieba's default dictionary, segmented with lcut; whitespace tokens dropped."""
    import jieba

    def tokenize(text: str) -> list[str]:
        return [t for t in jieba.lcut(text) if t.strip()]

    return tokenize


class JiebaBM25Paragraphs:
    """bm25s (default parameters) over jieba tokens of every paragraph."""

    name = "jieba-bm25 paragraphs"

    def __init__(self, docs: Iterable[tuple[str, str]], tokenize: Callable[[str], list[str]] | None = None):
        import bm25s

        self.tokenize = tokenize or plain_jieba()
        self.passages = self._passages(docs)
        self.bm25 = bm25s.BM25()
        # bm25s drops rows without tokens; a placeholder keeps passages and rows aligned.
        self.bm25.index([self.tokenize(p.text) or ["\u2400"] for p in self.passages], show_progress=False)

    def _passages(self, docs: Iterable[tuple[str, str]]) -> list[Passage]:
        return [p for doc_id, text in docs for p in paragraphs(doc_id, text)]

    def retrieve(self, query: str, k: int) -> list[Passage]:
        import numpy as np

        if not self.passages:
            return []
        scores = np.asarray(self.bm25.get_scores(self.tokenize(query)), dtype=np.float32)
        order = np.argsort(-scores, kind="stable")[:k]
        # A paragraph sharing no token with the query was not retrieved, whatever its rank.
        return [replace(self.passages[i], score=float(scores[i])) for i in order if scores[i] > 0]


# -- articles of law files ----------------------------------------------------------------------
NUMERAL = "零〇一二两三四五六七八九十百千万0-9０-９"
ARTICLE_LABEL = re.compile(rf"第[{NUMERAL}]+条(?:之[{NUMERAL}]+)?")
# A line that opens an article: its label, then a space or the end of the line.
_ARTICLE_LINE = re.compile(rf"^[ \t\u3000]*({ARTICLE_LABEL.pattern})(?=[ \t\u3000]|$)")
# Lines that end an article without opening another: Markdown headings, 编/章/节 headings, comments.
_BREAK_LINE = re.compile(rf"^[ \t\u3000]*(#|<!--|第[{NUMERAL}]+(?:分编|编|章|节)(?:[ \t\u3000]|$))")


def split_articles(doc_id: str, text: str) -> list[Passage]:
    """The articles of a law text, each from its `第X条` line up to the next article or heading."""
    out: list[Passage] = []
    open_at: tuple[int, str] | None = None
    pos = 0

    def close(end: int) -> None:
        start, label = open_at
        body = text[start:end].rstrip()
        out.append(Passage(doc_id, start, start + len(body), body, label=label))

    for line in text.split("\n"):
        m = _ARTICLE_LINE.match(line)
        if (m or _BREAK_LINE.match(line)) and open_at is not None:
            close(pos)
            open_at = None
        if m:
            open_at = (pos + m.start(1), m.group(1))
        pos += len(line) + 1
    if open_at is not None:
        close(len(text))
    return out


class JiebaBM25Articles(JiebaBM25Paragraphs):
    """bm25s (default parameters) over plain jieba tokens of every article of every law."""

    name = "jieba-bm25 articles"

    def _passages(self, docs: Iterable[tuple[str, str]]) -> list[Passage]:
        return [a for doc_id, text in docs for a in split_articles(doc_id, text)]


class ArticleMap:
    """Looks up the articles a passage stands for, as (doc_id, label) keys: an article passage is
    its own article; a chunk covers the articles it overlaps for at least MIN_CLAUSE_COVER of their
    characters, and stands for (doc_id, None) when it covers none."""

    def __init__(self, docs: Iterable[tuple[str, str]]):
        self.by_doc = {doc_id: split_articles(doc_id, text) for doc_id, text in docs}

    def __call__(self, passage: Passage) -> tuple[tuple[str, str | None], ...]:
        if passage.label:
            return ((passage.doc_id, passage.label),)
        span = (passage.start, passage.end)
        keys = tuple((a.doc_id, a.label) for a in self.by_doc.get(passage.doc_id, ())
                     if overlap(span, (a.start, a.end)) >= MIN_CLAUSE_COVER * max(1, a.end - a.start))
        return keys or ((passage.doc_id, None),)


# -- llama-index --------------------------------------------------------------------------------
def huggingface_embedding(model: str = "m3e-small"):
    """llama-index's HuggingFaceEmbedding on the local model folder (the same one index/embedder.py uses)."""
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from index.embedder import resolve_model

    return HuggingFaceEmbedding(model_name=str(resolve_model(model)), device="cpu")


def configure_llama_index(embed_model) -> None:
    """Set the global defaults explicitly: left unset, llama-index reaches for OpenAI."""
    from llama_index.core import Settings
    from llama_index.core.llms import MockLLM

    Settings.llm = MockLLM()  # `= None` does the same but prints a line to stdout
    Settings.embed_model = embed_model


def llama_index_fuse(rankings, mode: str, top_k: int) -> list[tuple[str, float]]:
    """Fuse rankings (objects with `ids` best first and `scores`) with llama-index's own
    QueryFusionRetriever ("reciprocal_rerank" or "relative_score"): the reference that
    index/fusion.py must equal (tests/index/test_fusion.py) and the cost it avoids
    (evals/components.py)."""
    from llama_index.core.llms import MockLLM
    from llama_index.core.retrievers import BaseRetriever, QueryFusionRetriever
    from llama_index.core.schema import NodeWithScore, TextNode

    nodes: dict[str, TextNode] = {}

    def node(cid: str) -> TextNode:  # one node per clause, so the fusion sees a clause once
        return nodes.setdefault(cid, TextNode(id_=cid, text=cid))

    class Fixed(BaseRetriever):
        def __init__(self, ranking):
            super().__init__()
            self.ranking = ranking

        def _retrieve(self, query_bundle):
            return [NodeWithScore(node=node(c), score=self.ranking.scores[c]) for c in self.ranking.ids]

    retriever = QueryFusionRetriever([Fixed(r) for r in rankings], llm=MockLLM(), mode=mode,
                                     similarity_top_k=top_k, num_queries=1, use_async=False)
    return [(n.node.node_id, n.score) for n in retriever.retrieve("q")]


class LlamaIndexNaive:
    """SentenceSplitter() defaults + the embedding model + an in-memory VectorStoreIndex."""

    name = "llama-index naive"

    def __init__(self, index, texts: dict[str, str]):
        self.index = index
        self.texts = texts
        self._retrievers: dict[int, object] = {}

    @classmethod
    def build(cls, docs: Iterable[tuple[str, str]], embed_model=None) -> "LlamaIndexNaive":
        from llama_index.core import Document, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter

        embed_model = embed_model if embed_model is not None else huggingface_embedding()
        configure_llama_index(embed_model)
        texts = dict(docs)
        # No metadata: llama-index would prepend it to the embedded text.
        documents = [Document(text=text, id_=doc_id) for doc_id, text in texts.items()]
        nodes = SentenceSplitter().get_nodes_from_documents(documents)
        index = VectorStoreIndex(nodes, embed_model=embed_model)
        return cls(index, texts)

    @classmethod
    def load(cls, persist_dir: Path, embed_model=None) -> "LlamaIndexNaive":
        from llama_index.core import StorageContext, load_index_from_storage

        embed_model = embed_model if embed_model is not None else huggingface_embedding()
        configure_llama_index(embed_model)
        storage = StorageContext.from_defaults(persist_dir=str(persist_dir))
        return cls(load_index_from_storage(storage, embed_model=embed_model), {})

    def persist(self, persist_dir: Path) -> None:
        self.index.storage_context.persist(persist_dir=str(persist_dir))

    @property
    def chunks(self) -> int:
        return len(self.index.docstore.docs)

    def retrieve(self, query: str, k: int) -> list[Passage]:
        retriever = self._retrievers.get(k)
        if retriever is None:
            retriever = self._retrievers[k] = self.index.as_retriever(similarity_top_k=k)
        return [self._passage(n) for n in retriever.retrieve(query)]

    def _passage(self, scored) -> Passage:
        node = scored.node
        text = node.get_content()
        doc_id = node.ref_doc_id or ""
        start, end = node.start_char_idx, node.end_char_idx
        if start is None or end is None:  # the splitter could not place the chunk: find it
            start = self.texts.get(doc_id, "").find(text)
            start, end = (start, start + len(text)) if start >= 0 else (0, 0)
        return Passage(doc_id, start, end, text, float(scored.score or 0.0))


def build_baselines(docs: Sequence[tuple[str, str]], model: str = "m3e-small") -> list[Baseline]:
    """Both baselines over (doc_id, text) pairs."""
    return [LlamaIndexNaive.build(docs, huggingface_embedding(model)), JiebaBM25Paragraphs(docs)]
