"""The policyqa command: exit codes and messages, JSON shapes, stdin batch mode."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from app import service as service_module
from app.cli import main
from tests.conftest import FakeEmbedder


@pytest.fixture(autouse=True)
def fake_model(monkeypatch):
    """The CLI builds its own Service; give it the fast deterministic embedder."""
    monkeypatch.setattr(service_module, "SentenceTransformerEmbedder", lambda *a, **k: FakeEmbedder())
    monkeypatch.setattr(service_module.Service, "_configured_model_name", lambda self: FakeEmbedder.name)


def run(*args, input=None):
    return CliRunner().invoke(main, ["--no-progress", *args], input=input, catch_exceptions=False)


def test_ingest_json_summary_then_up_to_date(tiny_corpus):
    r = run("ingest", str(tiny_corpus), "--json")
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert (s["documents"], s["clauses"], s["table_rows"], s["skipped"], s["added"]) == (1, 7, 0, [], ["tiny"])
    assert s["index"]["generation"].startswith("gen-")
    again = json.loads(run("ingest", str(tiny_corpus), "--json").stdout)
    assert again["index"] == "up to date" and again["unchanged"] == 1


def test_nothing_ingestable_exits_1_with_reasons(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    r = CliRunner().invoke(main, ["--no-progress", "ingest", str(bad)])
    assert r.exit_code == 1
    assert "skipped " in r.output and "empty.txt: empty file" in r.output
    assert "Error: nothing could be ingested; fix or remove the files named above and run again" in r.output


def test_strict_fails_on_any_skipped_file(tiny_corpus):
    (tiny_corpus / "x.xlsx").write_bytes(b"PK")
    ok = CliRunner().invoke(main, ["--no-progress", "ingest", str(tiny_corpus)])
    assert ok.exit_code == 0
    strict = CliRunner().invoke(main, ["--no-progress", "ingest", str(tiny_corpus), "--strict"])
    assert strict.exit_code == 1
    assert "1 file(s) skipped (--strict)" in strict.output


def test_search_before_ingest_says_what_to_run():
    r = CliRunner().invoke(main, ["search", "人才"])
    assert r.exit_code == 1
    assert r.output.strip() == "Error: no index has been built yet; run `policyqa ingest` first"


def test_show_and_outline(tiny_corpus):
    run("ingest", str(tiny_corpus))
    r = run("show", "tiny#二.（一）")
    assert r.exit_code == 0
    assert r.output.splitlines()[:3] == ["省商务厅关于促进跨境电商发展的通知", "二、支持措施 > （一）财政支持", "tiny#二.（一）  [130:163]"]
    missing = CliRunner().invoke(main, ["show", "tiny#九"])
    assert missing.exit_code == 1 and "no clause 'tiny#九'" in missing.output
    out = run("outline", "tiny").output.splitlines()
    assert out[0] == "省商务厅关于促进跨境电商发展的通知  (tiny)"
    assert "    （一）财政支持  [二.（一）]" in out


def test_search_json_and_stdin_batch(tiny_corpus):
    run("ingest", str(tiny_corpus))
    r = run("search", "跨境电商产业园奖励", "--json", "-k", "2")
    data = json.loads(r.stdout)
    assert data["query"] == "跨境电商产业园奖励"
    assert len(data["hits"]) == 2
    assert set(data["hits"][0]) == {"clause_id", "doc_title", "path", "citation", "text", "score", "span"}
    assert data["hits"][0]["clause_id"] == "tiny#二.（一）"
    s, e = data["hits"][0]["span"]
    assert "200万元" in data["hits"][0]["text"][s:e]
    batch = run("search", "-", "-k", "1", input="人才公寓\n\n发展目标\n")
    lines = [json.loads(x) for x in batch.stdout.splitlines()]
    assert [x["query"] for x in lines] == ["人才公寓", "发展目标"]


def test_bad_search_arguments(tiny_corpus):
    run("ingest", str(tiny_corpus))
    r = CliRunner().invoke(main, ["search", "x", "-k", "0"])
    assert r.exit_code == 1 and "-k must be between 1 and 100" in r.output
    r = CliRunner().invoke(main, ["search", "人才", "--doc", "不存在的文件"])
    assert r.exit_code == 1 and "no ingested document matches '不存在的文件'" in r.output


def test_ask_json_shape(tiny_corpus):
    run("ingest", str(tiny_corpus))
    r = run("ask", "跨境电商产业园能拿到多少奖励？", "--json")
    a = json.loads(r.stdout)
    assert set(a) >= {"question", "answer", "answered", "mode", "citations", "related", "latency_ms"}
    assert a["answered"] is True and a["mode"] == "extractive"
    assert "200万元" in a["answer"]
    c = a["citations"][0]
    assert set(c) == {"n", "clause_id", "doc_title", "path", "citation", "text", "quote"}
    assert c["quote"] in c["text"]


def test_ask_empty_question_is_a_clear_error(tiny_corpus):
    run("ingest", str(tiny_corpus))
    r = CliRunner().invoke(main, ["ask", "   "])
    assert r.exit_code == 1
    assert "the question is empty" in r.output


def test_model_mismatch_stops_with_rebuild_hint(tiny_corpus, monkeypatch):
    run("ingest", str(tiny_corpus))

    class Other(FakeEmbedder):
        name = "other-model"

    monkeypatch.setattr(service_module, "SentenceTransformerEmbedder", lambda *a, **k: Other())
    r = CliRunner().invoke(main, ["search", "人才"])
    assert r.exit_code == 1
    assert "built with embedding model fake-bigram (64 dims) but the configured model is other-model (64 dims)" in r.output
    assert "policyqa ingest --rebuild" in r.output


def test_bad_setting_is_named(monkeypatch):
    monkeypatch.setenv("POLICYQA_PORT", "eighty")
    r = CliRunner().invoke(main, ["config"])
    assert r.exit_code == 1
    assert "POLICYQA_PORT='eighty' is not a valid int" in r.output
