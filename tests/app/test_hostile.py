"""Hostile and odd input against a live server: every case of evals/hostile.py gets its expected
outcome (a clear refusal, a normal answer, or no file content), the server stays healthy, nothing
stored is lost, and the audit log and the data folder stay clean."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import unicodedata
from pathlib import Path

import httpx
import pytest

from app.web import WebApp
from evals.hostile import SECRET, cases, run_cases, table
from tests.app.conftest import CORPUS, live_app, make_service

PASSWORD = "hostile-口令-pw"
# Known at collection time, because the cases name the server's files by absolute path; created by make_service.
ROOT = Path(tempfile.gettempdir()) / f"policyqa-hostile-{os.getpid()}"
CASES = cases(admin=True, data_dir=ROOT / "data")


@pytest.fixture(scope="module")
def svc():
    shutil.rmtree(ROOT, ignore_errors=True)
    yield make_service(ROOT, CORPUS, admin_password=PASSWORD, max_upload_mb=1)
    shutil.rmtree(ROOT, ignore_errors=True)


@pytest.fixture(scope="module")
def run(svc):
    with live_app(svc) as live:
        results, before, after = run_cases(live.url, PASSWORD, ROOT / "data", max_upload_mb=svc.settings.max_upload_mb)
        final = httpx.post(f"{live.url}/api/ask", json={"question": "哪个部门牵头平台经济统计监测？"}, timeout=30)
        yield {"results": results, "before": before, "after": after, "final": final}


@pytest.mark.parametrize("i", range(len(CASES)), ids=[f"{c.channel}: {c.label}" for c in CASES])
def test_each_input_gets_its_expected_outcome_and_the_server_stays_healthy(run, i):
    r = run["results"][i]
    assert (r.case.channel, r.case.label) == (CASES[i].channel, CASES[i].label)
    assert r.healthy, "/healthz did not answer 200 afterwards"
    assert r.ok, f"{r.case.channel} {r.case.label!r}: expected {r.case.expect}, got {r.outcome}"


def test_nothing_stored_is_lost(run, svc):
    assert run["before"] == run["after"] == sorted(["script", "tiny", "jiangsu-platform-economy-guideline"])
    assert sorted(svc.records.manifest()) == run["before"]
    uploads = Path(svc.settings.data_dir) / "uploads"
    assert not uploads.exists() or not list(uploads.iterdir())  # added documents were removed with their files


def test_the_table_lists_every_input(run):
    out = table(run["results"])
    assert out.count("\n") == len(CASES) + 1 and "**NO**" not in out


def test_traversal_names_never_leave_the_uploads_folder(run, svc):
    data = Path(svc.settings.data_dir)
    for folder in (data, data.parent, data.parent.parent):
        assert not (folder / "x.txt").exists()


def test_audit_log_holds_answers_only_without_control_characters_or_secrets(run, svc):
    lines = (Path(svc.settings.data_dir) / "logs" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    entries = [json.loads(x) for x in lines]
    assert entries and {e["channel"] for e in entries} == {"api", "gradio", "web"}
    for e in entries:
        assert not any(unicodedata.category(ch)[0] == "C" for ch in e["question"]), e
        assert len(e["question"]) <= svc.settings.max_question_chars
    text = "\n".join(lines)
    assert PASSWORD not in text and SECRET not in text


def test_server_answers_normally_after_everything(run):
    final = run["final"]
    assert final.status_code == 200 and final.json()["answered"] is True


def test_blank_question_in_the_chat_shows_a_note_and_keeps_the_chat(svc):
    import gradio as gr

    from app import chats

    store = chats.empty_store()
    chats.add_answer(store, {"question": "早先的问题", "answer": "早先的回答", "answered": True, "citations": []})
    [(chat, box, new_store, convs, note)] = list(WebApp(svc).respond(" \u3000\n", store))
    assert chat == box == new_store == convs == gr.skip()  # the conversation and the box stay as they were
    assert "pq-error" in note and "请输入问题" in note


def test_questions_run_side_by_side_but_password_guesses_one_at_a_time(svc):
    from app.web import CONCURRENT_READS

    fns = {f.api_name: f.concurrency_limit for f in WebApp(svc).build().fns.values()}
    assert fns["ask"] == fns["search"] == fns["respond"] == fns["run_search"] == CONCURRENT_READS == 8
    assert fns["login"] == fns["upload"] == fns["remove"] == "default"  # Gradio's default: one at a time
