"""Shared fixtures: a tiny corpus, a temporary data folder for every test, a deterministic fake embedder,
a real `chroma run` server."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
GUIDELINE = ROOT / "corpus" / "jiangsu-platform-economy-guideline.txt"
GUIDELINE_ID = "jiangsu-platform-economy-guideline"

TINY_POLICY = """省商务厅关于促进跨境电商发展的通知
苏商发〔2020〕12号
各设区市商务局：
为促进跨境电子商务健康发展，现就有关事项通知如下。
一、总体目标
（一）发展目标。到2022年，全省跨境电商进出口额突破500亿元。
（二）基本原则。坚持市场主导。
二、支持措施
（一）财政支持。对新认定的跨境电商产业园给予一次性奖励200万元。
（二）人才支持。跨境电商企业引进的专业人才可享受人才公寓政策。
江苏省商务厅
2020年3月5日
"""


class FakeEmbedder:
    """Deterministic bag-of-character-bigrams vectors: similar wording gives similar vectors.
    Fast enough for unit tests; integration tests use the real m3e model."""

    name = "fake-bigram"
    dim = 64
    max_chars = 120

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for a, b in zip(t, t[1:]):
                h = int.from_bytes(hashlib.md5((a + b).encode()).digest()[:4], "little")
                out[i, h % self.dim] += 1.0
            n = np.linalg.norm(out[i])
            out[i] = out[i] / n if n else out[i]
            if not n:
                out[i, 0] = 1.0
        return out

    def encode_query(self, text):
        return self.encode([text])[0]


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch) -> Path:
    """Every test gets its own data folder; nothing touches the project's data/."""
    d = tmp_path / "data"
    d.mkdir()
    monkeypatch.setenv("POLICYQA_DATA_DIR", str(d))
    monkeypatch.delenv("POLICYQA_CHROMA_URL", raising=False)
    monkeypatch.delenv("POLICYQA_EMBED_MODEL", raising=False)
    return d


@pytest.fixture
def tiny_corpus(tmp_path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    (d / "tiny.txt").write_text(TINY_POLICY, encoding="utf-8")
    return d


@pytest.fixture(scope="session")
def real_embedder():
    """The real m3e-small model, loaded once per test session."""
    from index.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def guideline_service(tmp_path_factory, real_embedder):
    """The guideline ingested with the real model into a session-wide temporary data folder."""
    from app.service import Service
    from app.settings import Settings

    root = tmp_path_factory.mktemp("guideline")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / GUIDELINE.name).write_bytes(GUIDELINE.read_bytes())
    svc = Service(Settings.from_env(env={}, corpus_dir=corpus, data_dir=root / "data"), embedder=real_embedder)
    svc.ingest()
    return svc


class ChromaServer:
    """A real `chroma run` on a loopback port; stopped by its pid (SIGTERM), restartable on the same port."""

    def __init__(self, path: Path, port: int | None = None):
        self.path = path
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "ChromaServer":
        chroma = Path(sys.executable).with_name("chroma")
        self.proc = subprocess.Popen(
            [str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.3)
        self.proc.kill()
        self.proc.wait()
        raise RuntimeError(f"chroma server did not start within {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        self.proc = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    """The URL of a real `chroma run` on a loopback port, stopped by its pid afterwards."""
    server = ChromaServer(tmp_path / "chroma-server")
    try:
        server.start()
    except RuntimeError as e:
        pytest.fail(str(e))
    yield server.url
    server.stop()
