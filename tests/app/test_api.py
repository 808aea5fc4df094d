"""The JSON routes over HTTP on the same server as the Gradio app: /api/ask, /api/search,
/api/clauses/{id}, /api/documents, /healthz and the OpenAPI page."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from app.api import Sessions, create_api
from app.qa import Conversation
from app.service import Service
from app.settings import Settings
from tests.app.conftest import CORPUS, live_app, make_service
from tests.conftest import GUIDELINE, GUIDELINE_ID, TINY_POLICY, FakeEmbedder


@pytest.fixture(scope="module")
def svc(tmp_path_factory) -> Service:
    return make_service(tmp_path_factory.mktemp("api"), CORPUS)


@pytest.fixture(scope="module")
def http(svc):
    with live_app(svc) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        yield client


def test_healthz_reports_the_index(http, svc):
    r = http.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "generation": svc.searcher.generation, "documents": 3,
                        "clauses": len(svc.searcher.clauses)}


def test_ask_returns_the_cli_json(http, svc):
    r = http.post("/api/ask", json={"question": "哪个部门牵头平台经济统计监测？"})
    assert r.status_code == 200
    out, direct = r.json(), svc.ask("哪个部门牵头平台经济统计监测？", Conversation()).to_json()
    out.pop("latency_ms"), direct.pop("latency_ms")
    assert out == direct
    assert out["citations"] and set(out["citations"][0]) == {"n", "clause_id", "doc_title", "path", "citation", "text", "quote"}


def test_ask_with_a_session_keeps_one_conversation(svc):
    sessions = Sessions(limit=2)
    a = sessions.get("a")
    assert sessions.get("a") is a and sessions.get(None) is not sessions.get(None)
    sessions.get("b"), sessions.get("c")  # "a" is the least recently used: dropped
    assert sessions.get("a") is not a


def test_ask_follow_up_in_a_session(http):
    first = http.post("/api/ask", json={"question": "商务厅负责哪些任务？", "session": "s1"})
    follow = http.post("/api/ask", json={"question": "其中第三项是什么？", "session": "s1"})
    assert first.status_code == follow.status_code == 200
    assert follow.json()["question"] == "其中第三项是什么？"


@pytest.mark.parametrize(
    "body, message, zh",
    [
        ({"question": "   "}, "the question is empty", "请输入问题，例如：哪个部门负责平台经济统计监测？"),
        ({"question": "问" * 501}, "the question is 501 characters long; keep it under 500 characters",
         "问题有 501 个字，超过了 500 字的上限，请精简后再问。"),
        ({"question": "？？？！！！。。。"}, "the question has no words, only punctuation; type a question about the documents",
         "问题里只有标点，没有文字：请用中文写下您想问的问题。"),
        ({"question": "Which department is in charge?"}, "the question is not in Chinese; ask in Chinese",
         "收录的都是中文文件，请用中文提问，例如：哪个部门负责平台经济统计监测？"),
        ({}, "question: Field required", "请求参数 question 不对，请按接口说明填写。"),
        ({"question": 5}, "question: Input should be a valid string", "请求参数 question 不对，请按接口说明填写。"),
    ],
)
def test_ask_rejects_bad_input_with_400_in_english_for_scripts_and_chinese_for_people(http, body, message, zh):
    r = http.post("/api/ask", json=body)
    assert r.status_code == 400 and message in r.json()["error"] and r.json()["message"] == zh


def test_ask_rejects_a_body_that_is_not_json(http):
    r = http.post("/api/ask", content=b"question=x", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json() == {
        "error": 'the request body is not valid JSON; send {"question": "…"}',
        "message": '请求体不是有效的 JSON，请发送 {"question": "…"}。'}


def test_search_returns_the_cli_json(http, svc):
    r = http.get("/api/search", params={"q": "住房补贴", "k": 3, "mode": "keyword"})
    assert r.status_code == 200
    hits = svc.searcher.search("住房补贴", k=3, mode="keyword")
    assert r.json() == {"query": "住房补贴", "hits": [h.to_json() for h in hits]}


def test_search_filters_by_document_and_section(http):
    r = http.get("/api/search", params={"q": "支持", "k": 10, "doc": "tiny", "section": "二"})
    ids = [h["clause_id"] for h in r.json()["hits"]]
    assert ids and all(i.startswith("tiny#二") for i in ids)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"q": ""}, "the query is empty"),
        ({"q": "补贴", "k": 0}, "k must be between 1 and 100"),
        ({"q": "补贴", "k": 101}, "k must be between 1 and 100"),
        ({"q": "补贴", "k": "many"}, "k: Input should be a valid integer"),
        ({"q": "补贴", "mode": "fuzzy"}, "unknown search mode 'fuzzy'; choose one of hybrid, keyword, semantic"),
        ({"q": "补贴", "doc": "没有这个文件"}, "no ingested document matches '没有这个文件'"),
        ({}, "q: Field required"),
    ],
)
def test_search_rejects_bad_input_with_400(http, params, message):
    r = http.get("/api/search", params=params)
    assert r.status_code == 400 and message in r.json()["error"]


def test_clause_with_neighbours(http, svc):
    cid = f"{GUIDELINE_ID}#五.（二）"
    r = http.get("/api/clauses/" + quote(cid, safe=""))
    assert r.status_code == 200
    body = r.json()
    prev, nxt = svc.searcher.neighbours(cid)
    assert body["id"] == cid and body["doc_title"] == "省政府关于加快互联网平台经济发展的指导意见"
    assert body["path_text"] == "五、营造平台经济发展环境 > （二）加大财税政策引导支持力度"
    assert body["text"] == svc.searcher.clause(cid).text
    assert body["neighbours"] == {"prev": prev.id, "next": nxt.id}
    assert body["children"] == []


def test_clause_ids_of_sections_list_their_children(http):
    body = http.get("/api/clauses/" + quote("tiny#二", safe="")).json()
    assert body["children"] == ["tiny#二.（一）", "tiny#二.（二）"]
    assert body["neighbours"]["prev"] == "tiny#一.（二）"


def test_unknown_clause_is_404(http):
    r = http.get("/api/clauses/" + quote("nope#一", safe=""))
    assert r.status_code == 404 and r.json() == {
        "error": "no clause 'nope#一'; ids look like <doc>#五.（二） — see `policyqa outline DOC`",
        "message": "找不到条款 nope#一，它可能已随文件更新或删除。"}


def test_documents(http):
    rows = http.get("/api/documents").json()
    assert sorted(r["id"] for r in rows) == sorted(["script", "tiny", GUIDELINE_ID])
    tiny = next(r for r in rows if r["id"] == "tiny")
    assert tiny["title"] == "省商务厅关于促进跨境电商发展的通知" and tiny["format"] == "txt"


def test_original_file_is_served_as_ingested(http, svc):
    r = http.get("/api/documents/tiny/original")
    assert r.status_code == 200 and r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.text == (Path(svc.settings.corpus_dir) / "tiny.txt").read_text(encoding="utf-8")
    assert r.headers["content-disposition"] == "inline; filename*=UTF-8''tiny.txt"
    assert r.headers["x-content-type-options"] == "nosniff" and "sandbox" in r.headers["content-security-policy"]
    download = http.get("/api/documents/tiny/original", params={"download": 1})
    assert download.headers["content-disposition"] == "attachment; filename*=UTF-8''tiny.txt"
    # the script test document is sent as text, never as a page that would run in the app's origin
    script = http.get("/api/documents/script/original")
    assert script.headers["content-type"].startswith("text/plain") and "<script>" in script.text
    missing = http.get("/api/documents/nope/original")
    assert missing.status_code == 404 and missing.json() == {"error": "no ingested document 'nope'",
                                                           "message": "没有已导入的文件“nope”。"}


def test_original_file_changed_since_ingest_is_not_served(tmp_path):
    from fastapi.testclient import TestClient

    svc = make_service(tmp_path, {"tiny.txt": TINY_POLICY})
    client = TestClient(create_api(svc))
    assert client.get("/api/documents/tiny/original").status_code == 200
    (Path(svc.settings.corpus_dir) / "tiny.txt").write_text("另一个文件", encoding="utf-8")
    r = client.get("/api/documents/tiny/original")
    assert r.status_code == 404 and r.json() == {
        "error": "the original file of 'tiny' is no longer there or has changed since it was ingested",
        "message": "文件“tiny”的原件已不在，或导入后被改动过：请管理员重新导入。"}


def test_documents_list_optional_metadata_only_when_a_document_has_it():
    from app.api import document_rows

    class Doc:  # a Document without the metadata fields, or with some of them set
        def __init__(self, **meta):
            self.__dict__.update(id="a", title="T", issuer=None, number=None, date=None, format="txt",
                                 encoding="utf-8", source="a.txt", **meta)

    class Searcher:
        clauses = []
        docs = {"a": Doc()}

    assert set(document_rows(Searcher)[0]) == {"id", "title", "issuer", "number", "date", "format", "encoding",
                                               "clauses", "source"}
    Searcher.docs = {"a": Doc(region="江苏省", in_force=False, effective=None)}
    row = document_rows(Searcher)[0]
    assert row["region"] == "江苏省" and row["in_force"] is False and "effective" not in row


def test_openapi_page_works_offline(http):
    spec = http.get("/openapi.json").json()
    assert {"/api/ask", "/api/search", "/api/clauses/{clause_id}", "/healthz"} <= set(spec["paths"])
    page = http.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "/api/search" in page.text and "cdn" not in page.text.lower()


def test_no_index_gives_503_with_a_clear_message(tmp_path):
    from fastapi.testclient import TestClient

    svc = Service(Settings.from_env(data_dir=tmp_path / "empty"), embedder=FakeEmbedder())
    client = TestClient(create_api(svc))
    for r in (client.get("/healthz"), client.post("/api/ask", json={"question": "补贴"}),
              client.get("/api/search", params={"q": "补贴"}), client.get("/api/clauses/x%23一")):
        assert r.status_code == 503
        assert r.json() == {"error": "no index has been built yet; run `policyqa ingest` first",
                            "message": "还没有建立索引：请管理员先导入文件。"}


@pytest.mark.slow
def test_api_matches_the_cli_with_the_real_model(tmp_path, real_embedder, monkeypatch):
    """Same data folder, real model: `policyqa search --json` and GET /api/search print the same JSON."""
    from click.testing import CliRunner
    from fastapi.testclient import TestClient

    from app.cli import main

    data = tmp_path / "real"
    monkeypatch.setenv("POLICYQA_DATA_DIR", str(data))
    svc = Service(Settings.from_env(), embedder=real_embedder)
    svc.ingest([GUIDELINE])
    api = TestClient(create_api(svc))
    for q in ["高新技术企业的企业所得税税率是多少？", "住房补贴 计入成本"]:
        cli = CliRunner().invoke(main, ["search", q, "--json", "-k", "5"])
        assert cli.exit_code == 0, cli.output
        assert api.get("/api/search", params={"q": q, "k": 5}).json() == json.loads(cli.stdout)
        cli = CliRunner().invoke(main, ["ask", q, "--json"])
        via_api = api.post("/api/ask", json={"question": q}).json()
        via_cli = json.loads(cli.stdout)
        via_api.pop("latency_ms"), via_cli.pop("latency_ms")
        assert via_api == via_cli
