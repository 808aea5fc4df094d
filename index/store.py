"""Vector store: the one place that talks to Chroma (embedded PersistentClient or a `chroma run` server)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

log = logging.getLogger(__name__)


class StoreUnavailable(Exception):
    pass


def _client(path: Path | None, url: str):
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        u = urlparse(url if "://" in url else f"http://{url}")
        if not u.hostname or not u.port:
            raise StoreUnavailable(f"POLICYQA_CHROMA_URL={url!r} must look like http://127.0.0.1:8000")
        try:
            return chromadb.HttpClient(host=u.hostname, port=u.port, ssl=u.scheme == "https", settings=settings)
        except Exception as e:  # noqa: BLE001
            raise StoreUnavailable(
                f"cannot reach the Chroma server at {url} ({e}); start it with "
                "`chroma run --path DIR --host 127.0.0.1 --port PORT` or unset POLICYQA_CHROMA_URL"
            ) from e
    assert path is not None
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class ClauseVectors:
    """One Chroma collection of embedding units. Every call passes explicit embeddings: a
    collection without an embedding function would try to download Chroma's default model."""

    def __init__(self, collection_name: str, path: Path | None = None, url: str = ""):
        self.name = collection_name
        self.url = url
        self.client = _client(path, url)
        self._count: int | None = None
        self.collection = self.client.get_or_create_collection(
            collection_name, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    def add(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]],
            documents: list[str] | None = None) -> None:
        """Add vectors with their metadata. Texts are optional: search reads clause texts from the
        index's own files, and Chroma would build a full-text index over them for nothing."""
        self._count = None
        step = 2000
        for i in range(0, len(ids), step):
            self.collection.add(
                ids=ids[i : i + step],
                embeddings=vectors[i : i + step],
                metadatas=metadatas[i : i + step],
                **({"documents": documents[i : i + step]} if documents is not None else {}),
            )

    def delete(self, ids: list[str]) -> None:
        self._count = None
        for i in range(0, len(ids), 2000):
            self.collection.delete(ids=ids[i : i + 2000])

    def count(self) -> int:
        # A served generation never changes, so its size is read once (a network call in server mode).
        if self._count is None:
            self._count = self._call(self.collection.count)
        return self._count

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None,
              metadata: bool = True) -> list[tuple[str, float, dict]]:
        """(unit id, cosine similarity, metadata or {}), best first."""
        n = self.count()
        if n == 0:
            return []
        res = self._call(
            self.collection.query,
            query_embeddings=[vector.tolist()],
            n_results=min(k, n),
            where=where or None,
            include=["distances", "metadatas"] if metadata else ["distances"],
        )
        metas = res["metadatas"][0] if metadata else [{}] * len(res["ids"][0])
        return [(uid, 1.0 - float(dist), meta) for uid, dist, meta in zip(res["ids"][0], res["distances"][0], metas)]

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of the given unit ids (those that exist)."""
        if not ids:
            return {}
        res = self._call(self.collection.get, ids=ids, include=["embeddings"])
        return {uid: np.asarray(v, dtype=np.float32) for uid, v in zip(res["ids"], res["embeddings"])}

    def lost(self, ids: list[str], k: int = 10) -> list[str]:
        """Those of `ids` that a query with their own stored vector does not find among the first
        k: a store whose counts are right can still answer no query (seen after deleting a large
        document from a copied store: every semantic search came back empty)."""
        vectors = self.vectors(ids)
        return [uid for uid in ids
                if uid not in vectors or uid not in {hit for hit, _, _ in self.query(vectors[uid], k, metadata=False)}]

    def _call(self, fn, *args, **kwargs):
        """A read on the collection. A Chroma server that stopped answering (connection refused, a
        timeout, a server error) becomes StoreUnavailable, so the app answers 503 instead of failing."""
        if not self.url:
            return fn(*args, **kwargs)
        try:
            return fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - the client raises httpx and chromadb errors alike
            raise StoreUnavailable(
                f"the Chroma server at {self.url} did not answer ({e}); check that `chroma run` is running "
                "and try again"
            ) from e

    def drop(self) -> None:
        try:
            self.client.delete_collection(self.name)
        except Exception as e:  # noqa: BLE001 - already gone is fine
            log.info("could not drop collection %s: %s", self.name, e)


def drop_collection(collection_name: str, path: Path | None = None, url: str = "") -> None:
    try:
        client = _client(path, url)
        client.delete_collection(collection_name)
    except Exception as e:  # noqa: BLE001
        log.info("could not drop collection %s: %s", collection_name, e)
