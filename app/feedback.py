"""Feedback on answers (data/feedback.jsonl) and the admin view's reading of it and of the audit log.

One verdict per answer: a second 有用/有误 for the same answer of the same conversation is refused,
so the buttons cannot be pressed both ways. Rows export as CSV (UTF-8 with a byte-order mark, which
spreadsheet programs need to read Chinese)."""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

VERDICTS = ("useful", "wrong")
MAX_COMMENT = 2000
MAX_ROWS = 500  # rows the admin view reads at most, newest first

_lock = threading.Lock()


def record_feedback(path: Path, answer: dict, verdict: str, comment: str = "", session: str = "",
                    message: str = "") -> dict | None:
    """Append one line to the feedback JSONL; None when this answer (session, message) already has one."""
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}")
    entry = {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "question": answer.get("question", ""),
        "answer": answer.get("answer", ""),
        "citations": [c["clause_id"] for c in answer.get("citations", [])],
        "verdict": verdict,
    }
    if session:
        entry["session"] = session
    if message:
        entry["message"] = message
    if comment and comment.strip():
        entry["comment"] = comment.strip()[:MAX_COMMENT]
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        if session and message and any(
            e.get("session") == session and e.get("message") == message for e in _read_jsonl([path])
        ):
            return None
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry


def _read_jsonl(paths: Iterable[Path]) -> list[dict]:
    out = []
    for p in paths:
        if not p.exists():
            continue
        for line in p.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue  # a line cut by a crash is skipped, not fatal
            if isinstance(item, dict):
                out.append(item)
    return out


def _matches(entry: dict, text: str, fields: Sequence[str]) -> bool:
    text = (text or "").strip()
    return not text or any(text in str(entry.get(f, "")) for f in fields)


def read_feedback(path: Path, verdict: str = "", text: str = "", limit: int = MAX_ROWS) -> list[dict]:
    """Feedback entries, newest first, optionally only one verdict or those containing `text`."""
    rows = [e for e in _read_jsonl([path])
            if (not verdict or e.get("verdict") == verdict) and _matches(e, text, ("question", "answer", "comment"))]
    return rows[::-1][:limit]


def audit_files(path: Path, backups: int = 5) -> list[Path]:
    """The audit log and its rotated backups (audit.jsonl.5 oldest … .1), oldest first."""
    older = [path.with_name(f"{path.name}.{i}") for i in range(backups, 0, -1)]
    return [p for p in older if p.exists()] + [path]


def read_questions(path: Path, channel: str = "", answered: str = "", text: str = "", limit: int = MAX_ROWS) -> list[dict]:
    """Recent questions from the audit log, newest first; `answered` is "", "yes" or "no"."""
    want = {"yes": True, "no": False}.get(answered)
    rows = [e for e in _read_jsonl(audit_files(path))
            if (not channel or e.get("channel") == channel) and (want is None or e.get("answered") is want)
            and _matches(e, text, ("question",))]
    return rows[::-1][:limit]


FEEDBACK_COLUMNS = [("time", "时间"), ("verdict", "评价"), ("question", "问题"), ("answer", "回答"),
                    ("citations", "引用条款"), ("comment", "说明"), ("session", "会话"), ("message", "消息")]
QUESTION_COLUMNS = [("time", "时间"), ("channel", "渠道"), ("question", "问题"), ("answered", "已回答"),
                    ("kind", "类型"), ("citations", "引用条款"), ("latency_ms", "耗时（毫秒）")]
VERDICT_NAMES = {"useful": "有用", "wrong": "有误"}
CHANNEL_NAMES = {"web": "网页", "api": "接口", "gradio": "Gradio 接口", "cli": "命令行"}
KIND_NAMES = {"department": "责任部门", "tasks_of": "部门任务", "figure": "数额", "locate": "出处", "mentions": "提及之处",
              "definition": "定义", "policy": "政策", "unanswerable": "无法回答", "yesno": "能否/是否", "list": "列举",
              "version": "版本变化", "count": "条数", "dated": "施行先后", "issuer": "发文机关", "original": "原文", "more": "更多条款", "social": "寒暄"}


def cell(key: str, value) -> str:
    """How one field reads in the admin table and the CSV."""
    if key == "time":
        return shown_time(value)
    if key == "verdict":
        return VERDICT_NAMES.get(value, str(value or ""))
    if key == "channel":
        return CHANNEL_NAMES.get(value, str(value or ""))
    if key == "kind":
        return KIND_NAMES.get(value, str(value or ""))
    if key == "answered":
        return "是" if value else "否"
    if isinstance(value, list):
        return "；".join(map(str, value))
    return "" if value is None else str(value)


def shown_time(value) -> str:
    """A stored time in one form, in the server's time zone: "2026-12-07 18:00:05". Feedback stores
    UTC with "+00:00" and the audit log local time with "+0800"; both read alike."""
    try:
        return datetime.fromisoformat(str(value)).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return "" if value is None else str(value)


def to_csv(rows: Sequence[dict], columns: Sequence[tuple[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([name for _, name in columns])
    for r in rows:
        writer.writerow([cell(key, r.get(key)) for key, _ in columns])
    return "\ufeff" + buf.getvalue()
