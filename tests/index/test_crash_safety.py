"""Crash-safe ingest: a build killed midway leaves the served index intact; readers see the old
index or the new one, never a mix, while a re-ingest switches generations."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from app.service import Service
from app.settings import Settings
from index.build import IndexLock, Layout
from tests.conftest import ROOT, FakeEmbedder

SLOW_INGEST = """
import sys, time
sys.path.insert(0, {root!r})
from tests.conftest import FakeEmbedder
from app.service import Service
from app.settings import Settings

class Slow(FakeEmbedder):
    def encode(self, texts):
        time.sleep(0.5)   # a long embedding run, so the test can kill the build midway
        return super().encode(texts)

Service(Settings.from_env(corpus_dir={corpus!r}), embedder=Slow()).ingest()
"""


def versioned_corpus(folder, version: str, n: int = 40) -> None:
    folder.mkdir(exist_ok=True)
    lines = [f"{version}版测试文件"] + [f"{i}、第{i}项\n（一）{version}版条款{i}。内容{version}{i}。" for i in range(1, n + 1)]
    (folder / "doc.txt").write_text("\n".join(lines), encoding="utf-8")


def test_killed_ingest_leaves_the_previous_index_serving(tmp_path, data_dir):
    corpus = tmp_path / "corpus"
    versioned_corpus(corpus, "甲")
    svc = Service(Settings.from_env(corpus_dir=corpus), embedder=FakeEmbedder())
    svc.ingest()
    layout = Layout(data_dir / "index")
    served = layout.current()

    versioned_corpus(corpus, "乙", n=400)
    proc = subprocess.Popen([sys.executable, "-c", SLOW_INGEST.format(root=str(ROOT), corpus=str(corpus))],
                            env={**os.environ, "POLICYQA_DATA_DIR": str(data_dir)})
    deadline = time.time() + 60
    while time.time() < deadline and not [g for g in layout.generations() if g != served]:
        time.sleep(0.1)
    time.sleep(1.0)  # well inside the embedding run
    assert proc.poll() is None, "the ingest finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    assert layout.current() == served
    fresh = Service(Settings.from_env(corpus_dir=corpus), embedder=FakeEmbedder())
    hit = fresh.searcher.search("甲版条款3", k=1)[0]
    assert "甲版" in hit.clause.text
    with IndexLock(data_dir):  # the dead writer's lock is gone with it
        pass
    report, meta = fresh.ingest()
    assert meta is not None and layout.current() == meta["generation"] != served
    assert "乙版" in fresh.searcher.search("乙版条款3", k=1)[0].clause.text
    # The half-built generation is cleaned up by the next successful build.
    assert all((layout.gen_dir(g) / "meta.json").exists() for g in layout.generations())


def test_readers_see_old_or_new_never_a_mix(tmp_path, data_dir):
    corpus = tmp_path / "corpus"
    versioned_corpus(corpus, "甲")
    svc = Service(Settings.from_env(corpus_dir=corpus), embedder=FakeEmbedder())
    svc.ingest()
    errors: list[BaseException] = []
    seen: set[str] = set()
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                hits = svc.searcher.search("版条款 内容", k=10)
                versions = {("甲" if "甲版" in h.clause.text else "乙") for h in hits}
                assert len(versions) == 1, versions
                seen.update(versions)
            except BaseException as e:  # noqa: BLE001 - collected and asserted below
                errors.append(e)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    versioned_corpus(corpus, "乙")
    svc.ingest()
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join()
    assert errors == []
    assert seen == {"甲", "乙"}


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path, data_dir):
    from click.testing import CliRunner

    from app.cli import main

    corpus = tmp_path / "corpus"
    versioned_corpus(corpus, "甲", n=3)
    svc = Service(Settings.from_env(corpus_dir=corpus), embedder=FakeEmbedder())
    svc.ingest()
    served = svc.layout.current()
    with IndexLock(data_dir):  # another writer, alive
        r = CliRunner().invoke(main, ["--no-progress", "ingest", "--rebuild"])
        assert r.exit_code == 1
        assert r.output.strip() == (
            f"Error: another ingest is running (pid {os.getpid()}); wait for it to finish and try again"
        )
    assert svc.layout.current() == served and svc.searcher.search("甲版条款2", k=1)
