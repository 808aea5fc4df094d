"""The audit log: one JSON line per answer, rotation by size, no secrets."""

from __future__ import annotations

import json

from app.audit import AuditLog
from ingest.records import Answer


def answer(q: str) -> Answer:
    return Answer(question=q, answer="a", answered=False, mode="extractive", kind="unanswerable",
                  citations=(), related=(), latency_ms=12.345)


def test_one_line_per_answer(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    log.record(answer("问题一"), "api")
    log.record(answer("问题二" + "长" * 1000), "web")
    log.close()
    lines = [json.loads(x) for x in (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [x["question"][:3] for x in lines] == ["问题一", "问题二"]
    assert len(lines[1]["question"]) == 500
    assert set(lines[0]) == {"time", "channel", "question", "answered", "kind", "mode", "citations", "latency_ms"}
    assert (lines[0]["channel"], lines[0]["latency_ms"], lines[0]["answered"]) == ("api", 12.3, False)


def test_rotates_by_size(tmp_path):
    logs = tmp_path / "logs"
    log = AuditLog(logs / "audit.jsonl", max_bytes=2000, backups=2)
    for i in range(100):
        log.record(answer(f"问题{i}"))
    log.close()
    names = sorted(p.name for p in logs.iterdir())
    assert names == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2"]
    assert all(p.stat().st_size <= 2000 for p in logs.iterdir())


def test_service_writes_no_secrets(tiny_corpus, fake_embedder, data_dir):
    from app.service import Service
    from app.settings import Settings

    svc = Service(Settings.from_env(corpus_dir=tiny_corpus, llm_api_key="sk-secret-123"), embedder=fake_embedder)
    svc.ingest()
    svc.ask("人才公寓政策是什么？")
    text = (data_dir / "logs" / "audit.jsonl").read_text(encoding="utf-8")
    assert "人才公寓政策是什么？" in text and "sk-secret" not in text


def test_answers_from_the_api_the_gradio_endpoint_and_the_chat_are_audited_with_their_channel(tmp_path):
    import httpx

    from evals.http import Page, gradio_call
    from tests.app.conftest import live_app, make_service
    from tests.conftest import TINY_POLICY

    svc = make_service(tmp_path, {"tiny.txt": TINY_POLICY})
    with live_app(svc) as live:
        with httpx.Client(base_url=live.url, timeout=30) as http:
            assert http.post("/api/ask", json={"question": "人才公寓政策是什么？"}).status_code == 200
            assert http.post("/api/ask", json={"question": "  "}).status_code == 400  # refused: not an answer
            assert gradio_call(http, live.url, "ask", ["跨境电商产业园能拿到多少奖励？"])[0]
            assert Page(http, live.url).call("respond", ["发展目标是什么？", None, 1])[0]  # question, browser store, its number on the page
    lines = (tmp_path / "data" / "logs" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    got = [(e["channel"], e["question"]) for e in map(json.loads, lines)]
    assert got == [("api", "人才公寓政策是什么？"), ("gradio", "跨境电商产业园能拿到多少奖励？"), ("web", "发展目标是什么？")]
