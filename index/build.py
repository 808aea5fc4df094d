"""Build an index generation from parsed records and switch to it atomically.

Layout under the index folder:
    CURRENT                  name of the generation being served (replaced atomically)
    gen-<time>-<id>/         one complete, immutable index: meta.json, clauses.json, docs.json,
                             bm25/, chroma/ (embedded mode; a server holds collection policyqa-<gen>)
A build writes a new generation beside the served one and only then rewrites CURRENT, so readers
see the old index or the new one, never a mix, and a build killed midway leaves the old one intact.
"""

from __future__ import annotations

import fcntl
import json
import logging
import math
import os
import shutil
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from index.embedder import Embedder
from index.keyword import KeywordIndex
from index.store import ClauseVectors, drop_collection
from index.lexicon import learn_lexicon
from index.token_cache import TokenCache
from index.tokenizer import Tokenizer, domain_words_hash
from index.units import Unit, is_container, keyword_text, sentences, units_for
from ingest.records import Clause, ParsedDocument, content_hash, document_to_dict
from ingest.store import json_bytes, read_json, write_atomic

log = logging.getLogger(__name__)

INDEX_FORMAT = "2"
KEEP_GENERATIONS = 2  # the served one and its predecessor (a reader may still be using it)


class IndexBusy(Exception):
    pass


class IndexMissing(Exception):
    pass


class IndexLock:
    """One writer at a time. flock is released by the kernel if the writer dies, even by SIGKILL."""

    def __init__(self, root: Path):
        root.mkdir(parents=True, exist_ok=True)
        self.path = root / ".lock"
        self.fd: int | None = None

    def __enter__(self) -> "IndexLock":
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(self.fd)
            self.fd = None
            raise IndexBusy(f"another ingest is running (pid {holder}); wait for it to finish and try again")
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, str(os.getpid()).encode(), 0)
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def current_file(self) -> Path:
        return self.root / "CURRENT"

    def current(self) -> str | None:
        try:
            name = self.current_file.read_text().strip()
        except FileNotFoundError:
            return None
        return name if name and (self.root / name / "meta.json").exists() else None

    def gen_dir(self, name: str) -> Path:
        return self.root / name

    def meta(self, name: str | None = None) -> dict:
        name = name or self.current()
        if not name:
            raise IndexMissing("no index has been built yet; run `policyqa ingest` first")
        return json.loads((self.gen_dir(name) / "meta.json").read_text(encoding="utf-8"))

    def generations(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and p.name.startswith("gen-"))


def collection_name(generation: str) -> str:
    return f"policyqa-{generation}"


def build_index(
    docs: Iterable[ParsedDocument],
    layout: Layout,
    embedder: Embedder,
    *,
    chroma_url: str = "",
    records_fingerprint: str = "",
    progress: Callable[[Iterable], Iterable] = lambda it: it,
    reuse_vectors: bool = True,
    cache_dir: Path | None = None,
) -> dict:
    """Write a new generation from all documents and make it current. Returns its meta.

    `progress` wraps an iterable of one item per text to embed (texts already in the embedding
    cache or already in the previous generation's vectors are not counted), so a progress bar over
    it shows the embedding rate and time left. With reuse_vectors=False the vector store is
    written anew even when the served generation's could be updated. With a cache_dir, tokens of
    texts tokenized by an earlier build are read from its token cache (index/token_cache.py)."""
    docs = list(docs)
    t0 = time.perf_counter()
    name = f"gen-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
    gen = layout.gen_dir(name)
    previous = _reusable(layout, embedder, chroma_url) if reuse_vectors else None
    gen.mkdir(parents=True)
    try:
        meta = _write_generation(docs, gen, name, embedder, chroma_url, records_fingerprint, progress, previous,
                                 cache_dir)
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        if chroma_url:
            drop_collection(collection_name(name), url=chroma_url)
        raise
    meta["seconds"] = round(time.perf_counter() - t0, 3)
    write_atomic(gen / "meta.json", json.dumps(meta, ensure_ascii=False, indent=1))
    write_atomic(layout.current_file, name)
    _prune(layout, keep=name, chroma_url=chroma_url)
    return meta


def _write_generation(docs, gen: Path, name: str, embedder: Embedder, chroma_url: str, fingerprint: str, progress,
                      previous: Path | None, cache_dir: Path | None):
    timings: dict[str, float] = {}
    clock = _Clock(timings)
    clauses: list[Clause] = [c for d in docs for c in d.clauses]
    children: dict[str, list[Clause]] = {}
    for c in clauses:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)

    # The corpus's own vocabulary (bodies, defined terms, enterprises, regions), stored with the index.
    lexicon = learn_lexicon(docs)
    write_atomic(gen / "lexicon.json", json.dumps(lexicon.to_json(), ensure_ascii=False))
    tokenizer = Tokenizer(lexicon.words)
    clock("lexicon")
    # Containers get no tokens and no vectors: they are browsed, not retrieved.
    searchable = [i for i, c in enumerate(clauses) if not is_container(c, children.get(c.id, []))]
    texts = [keyword_text(clauses[i], children.get(clauses[i].id, [])) for i in searchable]
    # Sentence-level BM25 as well: all query words inside one sentence is a strong signal that a
    # clause-level score (which sums matches spread over a long clause) does not see.
    spans = [(i, s, e) for i in searchable for s, e in sentences(clauses[i].text)]
    sent_clause = [i for i, _, _ in spans]
    sent_texts = [clauses[i].text[s:e] for i, s, e in spans]
    tokens_of = TokenCache(cache_dir, tokenizer.user_words, tokenizer.tokenize) if cache_dir else None
    if tokens_of:
        tokens = tokens_of(texts + sent_texts)
        tokens_of.close()
    else:
        tokens = [tokenizer.tokenize(t) for t in texts + sent_texts]
    tokenized = tokens_of.tokenized if tokens_of else len(tokens)
    token_lists: list[list[str]] = [[] for _ in clauses]
    for i, toks in zip(searchable, tokens):
        token_lists[i] = toks
    sent_tokens = tokens[len(texts):]
    # A clause without any token has no sentences in the sentence index (as before the cache).
    keep = [j for j, i in enumerate(sent_clause) if token_lists[i]]
    sent_clause, sent_tokens = [sent_clause[j] for j in keep], [sent_tokens[j] for j in keep]
    clock("tokenize")
    keyword = KeywordIndex.build(token_lists)
    keyword.save(gen / "bm25")
    df = Counter(t for toks in token_lists for t in set(toks))
    KeywordIndex.build(sent_tokens).save(gen / "bm25-sentences")
    write_atomic(gen / "sentences.json", json.dumps(sent_clause))
    # The token lists are saved in the BM25 indexes and counted in df; over laws/ they hold ~260k
    # lists that would otherwise stay in memory through the embedding run.
    del tokens, token_lists, sent_tokens, keyword, texts, sent_texts
    clock("bm25")

    units = [u for i in searchable for u in units_for(clauses[i], children.get(clauses[i].id, []), embedder.max_chars)]
    collection, embedded, reused, store_dir = _write_vectors(gen, name, units, clauses, embedder, chroma_url, progress,
                                                  previous, clock)
    # Unit id -> (kind, start): lets a query ask Chroma for ids and distances only (fetching
    # metadata costs more than the vector search itself on a small index).
    write_atomic(gen / "units.json", json_bytes({u.id: [u.kind, u.span[0]] for u in units}))
    # orjson writes the clause dataclasses as they are: the same JSON as json.dumps of asdict(), which
    # took ~7 s of a one-document update over laws/ (asdict alone 5.7 s) against ~0.2 s.
    write_atomic(gen / "clauses.json", json_bytes(clauses))
    write_atomic(gen / "docs.json", json.dumps([document_to_dict(d.document) for d in docs], ensure_ascii=False))
    # A dictionary word that is some clause's token is present; only the others need a substring scan
    # of the whole corpus (all ~4,500 words over laws/' 27 MB of text took ~5 s of every build).
    everything = "\n".join(c.text for c in clauses)
    terms_present = sorted(w for w in tokenizer.user_words if w in df or w in everything)
    n = max(1, len(clauses))
    idf = {t: math.log(1 + (n - k + 0.5) / (k + 0.5)) for t, k in df.items()}
    write_atomic(gen / "idf.json", json.dumps(idf, ensure_ascii=False))
    clock("json")
    return {
        "format": INDEX_FORMAT,
        "generation": name,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "model": embedder.name,
        "dim": embedder.dim,
        "dictionary_hash": tokenizer.dictionary_hash,
        "domain_words_hash": domain_words_hash(),
        "user_words": tokenizer.user_words,
        "terms_present": terms_present,
        "records_fingerprint": fingerprint,
        "chroma": chroma_url or "embedded",
        "collection": collection,
        "chroma_dir": store_dir,
        "documents": len(docs),
        "clauses": len(clauses),
        "units": len(units),
        # Texts embedded by this build (not found in the embedding cache), and vectors kept from the
        # previous generation's store rather than added again.
        "units_embedded": embedded,
        "units_reused": reused,
        "texts_tokenized": tokenized,
        "timings": {k: round(v, 3) for k, v in timings.items()},
    }


class _Clock:
    """Seconds since the previous call, recorded under each step's name (meta.json "timings")."""

    def __init__(self, into: dict[str, float]):
        self.into = into
        self.t = time.perf_counter()

    def __call__(self, step: str) -> None:
        now = time.perf_counter()
        self.into[step] = self.into.get(step, 0.0) + now - self.t
        self.t = now


def _unit_keys(units: list[Unit], metadatas: list[dict]) -> dict[str, str]:
    """Unit id -> a hash of what the store holds for it (text and metadata): equal keys, same entry."""
    return {u.id: content_hash(json.dumps([u.text, m], ensure_ascii=False, sort_keys=True))
            for u, m in zip(units, metadatas)}


def _write_vectors(gen: Path, name: str, units: list[Unit], clauses: list[Clause], embedder: Embedder,
                   chroma_url: str, progress, previous: Path | None, clock) -> tuple[str, int, int]:
    """Fill this generation's vector store. From the previous generation's store when there is one
    of the same model (embedded mode): copied, then only changed units deleted and added, so adding
    one document to a large corpus does not re-add every vector. Otherwise a new store with all.
    Returns (collection name, texts embedded, vectors reused, the store's folder in the generation).
    A store that could not be updated is built anew in another folder: Chroma keeps a client per
    path for the life of the process, and one for a folder removed and made again writes nothing."""
    by_id = {c.id: c for c in clauses}
    metadatas = [
        {"clause_id": u.clause_id, "doc_id": by_id[u.clause_id].doc_id, "section": by_id[u.clause_id].labels[0],
         "kind": u.kind, "start": u.span[0], "end": u.span[1]}
        for u in units
    ]
    keys = _unit_keys(units, metadatas)
    write_atomic(gen / "unit-keys.json", json_bytes(keys))
    store_dir = "chroma"
    if previous is not None:
        try:
            return (*_update_previous(gen, previous, units, metadatas, keys, embedder, progress, clock), store_dir)
        except Exception as e:  # noqa: BLE001 - any failure (a copy read mid-write, a Chroma error): start afresh
            log.warning("could not reuse the vectors of %s (%s: %s); adding all vectors again",
                        previous.name, type(e).__name__, e)
            shutil.rmtree(gen / store_dir, ignore_errors=True)
            store_dir = "chroma-new"
    vectors, embedded = _encode(embedder, [u.text for u in units], progress)
    clock("embed")
    store = ClauseVectors(collection_name(name), path=None if chroma_url else gen / store_dir, url=chroma_url)
    store.add(ids=[u.id for u in units], vectors=vectors, metadatas=metadatas)
    clock("vectors")
    return store.name, embedded, 0, store_dir


class StoreMismatch(Exception):
    pass


def _update_previous(gen: Path, previous: Path, units, metadatas, keys, embedder, progress, clock):
    old_meta = json.loads((previous / "meta.json").read_text(encoding="utf-8"))
    old_keys: dict[str, str] = read_json(previous / "unit-keys.json")
    shutil.copytree(previous / store_folder(old_meta), gen / "chroma")
    clock("vectors")
    changed = [i for i, u in enumerate(units) if old_keys.get(u.id) != keys[u.id]]
    stale = [uid for uid, k in old_keys.items() if keys.get(uid) != k]
    vectors, embedded = _encode(embedder, [units[i].text for i in changed], progress)
    clock("embed")
    if len(stale) > MAX_STALE_SHARE * max(1, len(units) - len(changed)):
        # most of the store would be deleted entries: a graph of tombstones finds little or nothing
        raise StoreMismatch(f"{len(stale)} of the previous vectors are gone; a new store is smaller and sound")
    store = ClauseVectors(old_meta["collection"], path=gen / "chroma")
    store.delete(stale)
    store.add(ids=[units[i].id for i in changed], vectors=vectors, metadatas=[metadatas[i] for i in changed])
    if store.count() != len(units):
        raise StoreMismatch(f"{store.count()} vectors after the update, {len(units)} expected")
    _check_answers(store, [u.id for u in units])
    clock("vectors")
    return store.name, embedded, len(units) - len(changed)


# An update that would delete more than this many of the previous store's vectors for each one it
# keeps builds a new store instead (the embedding cache makes that cheap).
MAX_STALE_SHARE = 2.0
CHECKED_UNITS = 5


def store_folder(meta: dict) -> str:
    """The folder of a generation that holds its embedded vector store."""
    return meta.get("chroma_dir", "chroma")


def _sample(ids: list[str]) -> list[str]:
    return [ids[int(i)] for i in np.linspace(0, len(ids) - 1, num=min(CHECKED_UNITS, len(ids)))] if ids else []


def _check_answers(store: ClauseVectors, ids: list[str]) -> None:
    """An updated store that does not find a few of its units by their own vectors is built anew."""
    if lost := store.lost(_sample(ids)):
        raise StoreMismatch(f"the updated store does not find {lost[0]} by its own vector")


def vectors_sound(layout: Layout, generation: str) -> bool:
    """Whether an embedded generation's vector store finds a few of its units by their own vectors
    (a server store is the server's to keep; a generation without unit keys is not checked)."""
    gen = layout.gen_dir(generation)
    try:
        meta = layout.meta(generation)
        if meta.get("chroma", "embedded") != "embedded" or not (gen / "unit-keys.json").exists():
            return True
        ids = list(read_json(gen / "unit-keys.json"))
        return not ClauseVectors(meta["collection"], path=gen / store_folder(meta)).lost(_sample(ids))
    except Exception as e:  # noqa: BLE001 - a store that cannot even be opened is not sound
        log.warning("the vector store of %s could not be checked (%s: %s)", generation, type(e).__name__, e)
        return False


def _reusable(layout: Layout, embedder: Embedder, chroma_url: str) -> Path | None:
    """The served generation when its vectors can seed the next one: same model, embedded store."""
    current = layout.current()
    if current is None or chroma_url:
        return None
    gen = layout.gen_dir(current)
    try:
        meta = layout.meta(current)
    except (OSError, ValueError):
        return None
    same = meta.get("model") == embedder.name and meta.get("dim") == embedder.dim and meta.get("chroma") == "embedded"
    return gen if same and (gen / "unit-keys.json").exists() and (gen / store_folder(meta)).is_dir() else None


# Texts per call to the embedder: each call's vectors are committed to the embedding cache before the
# next starts, so a killed ingest loses at most this many.
EMBED_BATCH = 128


def _encode(embedder: Embedder, texts: list[str], progress) -> tuple[np.ndarray, int]:
    """Vectors of the texts. Each distinct text is embedded once; texts in the embedding cache are
    read from it; the rest go to the model shortest first, so a batch holds texts of about one
    length (a padded batch costs as much as its longest text). `progress` gets one item per text
    embedded. Returns the vectors and how many texts the model embedded."""
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32), 0
    distinct = list(dict.fromkeys(texts))
    lookup = getattr(embedder, "lookup", None)
    known: dict[str, np.ndarray] = lookup(distinct) if lookup else {}
    todo = sorted((t for t in distinct if t not in known), key=len)
    steps = iter(progress(range(len(todo))))
    for i in range(0, len(todo), EMBED_BATCH):
        batch = todo[i : i + EMBED_BATCH]
        known.update(zip(batch, embedder.encode(batch)))
        for _ in batch:
            next(steps, None)
    for _ in steps:  # let a progress bar finish
        pass
    return np.stack([known[t] for t in texts]).astype(np.float32, copy=False), len(todo)


def _prune(layout: Layout, keep: str, chroma_url: str) -> None:
    gens = layout.generations()
    # Only the writer holding the lock gets here, so a generation without meta.json is a dead build.
    complete = [g for g in gens if (layout.gen_dir(g) / "meta.json").exists() or g == keep]
    old = [g for g in gens if g not in complete] + complete[: max(0, len(complete) - KEEP_GENERATIONS)]
    for g in old:
        if g == keep:
            continue
        meta_path = layout.gen_dir(g) / "meta.json"
        try:
            meta = json.loads(meta_path.read_text())
            if meta.get("chroma", "embedded") != "embedded":
                drop_collection(meta["collection"], url=meta["chroma"])
        except (OSError, ValueError, KeyError):
            pass
        shutil.rmtree(layout.gen_dir(g), ignore_errors=True)
