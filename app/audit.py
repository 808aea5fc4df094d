"""Audit log: one JSON line per answer, rotated by size. Holds no secrets (no keys, no settings)."""

from __future__ import annotations

import json
import logging
import logging.handlers
import threading
import time
from pathlib import Path

from ingest.records import Answer

MAX_QUESTION_CHARS = 500


class AuditLog:
    def __init__(self, path: Path, max_bytes: int = 5_000_000, backups: int = 5):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # A private logger with its own handler: the application's logging setup is not touched,
        # and nothing propagates to the root logger.
        self._logger = logging.getLogger(f"policyqa.audit.{id(self)}")
        self._logger.propagate = False
        self._logger.setLevel(logging.INFO)
        self._handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
        self._logger.addHandler(self._handler)
        self._lock = threading.Lock()

    def record(self, answer: Answer, channel: str = "") -> None:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "channel": channel,
            "question": answer.question[:MAX_QUESTION_CHARS],
            "answered": answer.answered,
            "kind": answer.kind,
            "mode": answer.mode,
            "citations": [c.clause.id for c in answer.citations],
            "latency_ms": round(answer.latency_ms, 1),
        }
        with self._lock:
            self._logger.info(json.dumps(entry, ensure_ascii=False))

    def close(self) -> None:
        self._logger.removeHandler(self._handler)
        self._handler.close()
