"""Server mode: with POLICYQA_CHROMA_URL pointing at a real `chroma run` on a loopback port, ingest,
search, ask and the web app work; when the Chroma server is stopped (SIGTERM to its pid) the app
answers 503 with a clear message and keeps serving, and it answers again once the server is back."""

from __future__ import annotations

import json

import httpx
import pytest
from click.testing import CliRunner

from app import service as service_module
from app.cli import main
from app.service import Service
from app.settings import Settings
from evals.http import Page, gradio_call
from tests.app.conftest import live_app
from tests.conftest import ChromaServer, FakeEmbedder

pytestmark = pytest.mark.slow

QUESTION = "跨境电商产业园能拿到多少奖励？"


@pytest.fixture
def chroma(tmp_path):
    server = ChromaServer(tmp_path / "chroma-server").start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fake_model(monkeypatch):
    """The CLI builds its own Service; give it the fast deterministic embedder."""
    monkeypatch.setattr(service_module, "SentenceTransformerEmbedder", lambda *a, **k: FakeEmbedder())
    monkeypatch.setattr(service_module.Service, "_configured_model_name", lambda self: FakeEmbedder.name)


def cli(*args):
    return CliRunner().invoke(main, ["--no-progress", *args], catch_exceptions=False)


def collections(url: str) -> list[str]:
    r = httpx.get(f"{url}/api/v2/tenants/default_tenant/databases/default_database/collections", timeout=10)
    return sorted(c["name"] for c in r.json())


def test_ingest_search_ask_and_the_web_app_with_a_chroma_server(chroma, tiny_corpus, data_dir, monkeypatch):
    monkeypatch.setenv("POLICYQA_CHROMA_URL", chroma.url)
    monkeypatch.setenv("POLICYQA_CORPUS_DIR", str(tiny_corpus))

    r = cli("ingest", "--json")
    assert r.exit_code == 0, r.output
    generation = json.loads(r.stdout)["index"]["generation"]
    assert collections(chroma.url) == [f"policyqa-{generation}"]  # the vectors live in the server…
    assert not (data_dir / "index" / generation / "chroma").exists()  # …not in the data folder

    hits = json.loads(cli("search", "人才公寓", "--json", "-k", "2").stdout)["hits"]
    assert hits[0]["clause_id"] == "tiny#二.（二）"
    answer = json.loads(cli("ask", QUESTION, "--json").stdout)
    assert answer["answered"] and "200万元" in answer["answer"]

    svc = Service(Settings.from_env(), embedder=FakeEmbedder())
    with live_app(svc) as live:
        with httpx.Client(base_url=live.url, timeout=30) as http:
            assert http.get("/healthz").json()["generation"] == generation
            assert http.post("/api/ask", json={"question": QUESTION}).json()["answer"] == answer["answer"]
            assert http.get("/api/search", params={"q": "人才公寓", "k": 2}).json()["hits"] == hits
            ok, out = gradio_call(http, live.url, "ask", [QUESTION])
            assert ok and json.loads(out[0])["answer"] == answer["answer"]

            chroma.stop()  # SIGTERM to its pid
            down = f"the Chroma server at {chroma.url} did not answer"
            for r in (http.post("/api/ask", json={"question": QUESTION}), http.get("/api/search", params={"q": "补贴"})):
                assert r.status_code == 503 and r.json()["error"].startswith(down), r.text
                assert "`chroma run` is running" in r.json()["error"]
            ok, message = gradio_call(http, live.url, "ask", [QUESTION])
            assert not ok and message.startswith(down)
            ok, out = Page(http, live.url).call("respond", [QUESTION, None, 1])  # question, browser store, its number on the page
            assert ok and "向量库暂时无法访问，请稍后再试。" in out[4] and "pq-error" in out[4]  # the chat's note
            assert http.get("/healthz").status_code == 200  # the app itself keeps serving

            failed = CliRunner().invoke(main, ["--no-progress", "ingest", "--rebuild"])
            assert failed.exit_code == 1 and f"cannot reach the Chroma server at {chroma.url}" in failed.output
            assert svc.layout.current() == generation  # the failed build changed nothing

            chroma.start()  # same port, same folder: answers come back without restarting the app
            r = http.post("/api/ask", json={"question": QUESTION})
            assert r.status_code == 200 and r.json()["answer"] == answer["answer"]


def test_embedded_index_refuses_to_serve_from_a_chroma_server(chroma, tiny_corpus, monkeypatch):
    """An index built in the embedded store is not silently served against an empty server."""
    assert cli("ingest", str(tiny_corpus)).exit_code == 0
    monkeypatch.setenv("POLICYQA_CHROMA_URL", chroma.url)
    r = CliRunner().invoke(main, ["search", "人才公寓"])
    assert r.exit_code == 1
    assert "built in the embedded store but POLICYQA_CHROMA_URL is" in r.output and "--rebuild" in r.output
