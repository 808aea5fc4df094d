"""An ingest killed while it embeds resumes where it stopped: what it embedded is in the on-disk
cache, and the next run embeds only the rest."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from app.service import Service
from app.settings import Settings
from index.build import EMBED_BATCH, Layout
from index.embedder import CachedEmbedder
from ingest.records import content_hash
from tests.conftest import ROOT, FakeEmbedder
from tests.index.test_crash_safety import versioned_corpus

SLOW_INGEST = """
import sys, time
sys.path.insert(0, {root!r})
from tests.conftest import FakeEmbedder
from app.service import Service
from app.settings import Settings

class Slow(FakeEmbedder):
    def encode(self, texts):
        time.sleep(0.4)   # a long embedding run, so the test can kill it between two batches
        return super().encode(texts)

Service(Settings.from_env(corpus_dir={corpus!r}), embedder=Slow()).ingest()
"""


class Counting(FakeEmbedder):
    """The fake embedder, remembering every text it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def encode(self, texts):
        self.texts += list(texts)
        return super().encode(texts)


def cached_keys(path) -> set[str]:
    if not path.exists():
        return set()
    with sqlite3.connect(path, timeout=30) as db:
        try:
            return {k for (k,) in db.execute("SELECT key FROM vec")}
        except sqlite3.OperationalError:  # the table is not created yet
            return set()


def test_killed_ingest_resumes_without_embedding_again(tmp_path, data_dir):
    corpus = tmp_path / "corpus"
    versioned_corpus(corpus, "乙", n=300)
    cache = CachedEmbedder(FakeEmbedder(), data_dir / "cache").path
    proc = subprocess.Popen([sys.executable, "-c", SLOW_INGEST.format(root=str(ROOT), corpus=str(corpus))],
                            env={**os.environ, "POLICYQA_DATA_DIR": str(data_dir)})
    deadline = time.time() + 120
    while time.time() < deadline and not cached_keys(cache) and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = cached_keys(cache)
    assert Layout(data_dir / "index").current() is None  # the killed build never switched in

    counting = Counting()
    svc = Service(Settings.from_env(corpus_dir=corpus), embedder=counting)
    report, meta = svc.ingest()
    distinct = len(cached_keys(cache))
    # Whole batches were committed before the kill, and the run was stopped before its end.
    assert len(done) % EMBED_BATCH == 0 and 0 < len(done) < distinct
    # The second run embedded exactly the texts the first had not: none twice, none missing.
    assert len(counting.texts) == len(set(counting.texts)) == distinct - len(done) == meta["units_embedded"]
    assert not {content_hash(t) for t in counting.texts} & done
    assert report.added == [] and meta["units"] >= distinct
    assert "乙版" in svc.searcher.search("乙版条款3", k=1)[0].clause.text
