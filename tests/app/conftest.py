"""Helpers for the app tests: a live server on a loopback port and an ingested Service."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from app.service import Service
from app.settings import Settings
from tests.conftest import GUIDELINE, GUIDELINE_ID, TINY_POLICY, FakeEmbedder

SCRIPT_POLICY = """关于网页安全测试的通知
一、总则
（一）本条含有<script>alert(1)</script>字样和 <b>粗体</b> & 符号，用于检验转义。
（二）园区奖励标准为每家五十万元。
"""

CORPUS = {f"{GUIDELINE_ID}.txt": GUIDELINE, "tiny.txt": TINY_POLICY, "script.txt": SCRIPT_POLICY}


def ingest_texts(folder: Path, data_dir: Path, embedder, files: dict[str, str]) -> Service:
    """A Service over the given files (name -> text) written into `folder`, ingested with `embedder`."""
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    svc = Service(Settings(corpus_dir=folder, data_dir=data_dir), embedder=embedder)
    svc.ingest([folder])
    return svc


class LiveServer:
    """uvicorn in a background thread on a free loopback port; `stop()` ends it."""

    def __init__(self, app):
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@contextmanager
def live_app(svc: Service) -> Iterator[LiveServer]:
    """The web app over `svc` on a free loopback port, stopped on leaving the block."""
    from app.web import create_app

    live = LiveServer(create_app(svc)).start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def server(svc):
    """The app over the test module's own `svc` fixture."""
    with live_app(svc) as live:
        yield live


def make_service(root: Path, files: dict[str, str | Path], embedder=None, **settings) -> Service:
    """A Service over a fresh corpus and data folder under `root`, already ingested."""
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    for name, content in files.items():
        if isinstance(content, Path):
            shutil.copyfile(content, corpus / name)
        else:
            (corpus / name).write_text(content, encoding="utf-8")
    settings.setdefault("admin_password", "")
    svc = Service(Settings.from_env(corpus_dir=corpus, data_dir=root / "data", **settings),
                  embedder=embedder or FakeEmbedder())
    svc.ingest([corpus])
    return svc
