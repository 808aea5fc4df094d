"""The web app: HTML rendering and escaping, upload checks, the admin gate, feedback, and the
Gradio endpoints /ask and /search called through gradio_client on a live server."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx
import pytest

from app import chats, render
from app.qa import Conversation
from app.service import Service
from app.settings import Settings
from app.web import (
    ANSWERING,
    WebApp,
    UploadError,
    check_password,
    check_upload,
    department_choices,
    doc_meta,
    record_feedback,
    sanitize_filename,
    section_choices,
    store_upload,
    task_rows,
    zh_message,
    zh_reason,
)
from ingest.records import Clause
from tests.app.conftest import CORPUS, make_service
from tests.conftest import GUIDELINE, GUIDELINE_ID, TINY_POLICY


@pytest.fixture(scope="module")
def svc(tmp_path_factory) -> Service:
    return make_service(tmp_path_factory.mktemp("web"), CORPUS, admin_password="s3cret-口令", max_upload_mb=1)


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return Client(server.url, verbose=False)


@pytest.fixture
def web(svc) -> WebApp:
    return WebApp(svc)


def gr_skip():
    import gradio as gr

    return gr.skip()


class NoProgress:
    """gr.Progress without a page: called with a fraction, or wrapping an iterable."""

    def __call__(self, fraction, desc=None):
        pass

    def tqdm(self, it, desc=None, unit="steps"):
        return it


# -- render ------------------------------------------------------------------------------------------
def test_mark_ranges_escapes_text_and_merges_overlaps():
    assert render.mark_ranges("a<b>c&d", [(1, 4), (3, 5)]) == "a<mark>&lt;b&gt;c</mark>&amp;d"


def test_terms_are_marked_at_every_occurrence_through_folding():
    from index.tokenizer import fold

    # full-width "ＡＩ" folds to "ai"; offsets still point into the original text
    text = "发展ＡＩ，ai与补贴<补贴>"
    out = render.mark_classes(text, [(render.term_ranges(text, ["ai", "补贴"], fold), "pq-term")])
    assert out == (
        '发展<mark class="pq-term">ＡＩ</mark>，<mark class="pq-term">ai</mark>与'
        '<mark class="pq-term">补贴</mark>&lt;<mark class="pq-term">补贴</mark>&gt;'
    )


@pytest.mark.parametrize(
    "text, quote, expected",
    [("甲。乙丙。丁", "乙丙。", (2, 5)), ("甲乙", "", None), ("甲乙", "丙", None), ("甲乙", " 乙 ", (1, 2))],
)
def test_quote_range(text, quote, expected):
    assert render.quote_range(text, quote) == expected


def _clause(cid: str, text: str, path=("一、总则", "（一）<script>")) -> Clause:
    return Clause(id=cid, doc_id="d", labels=("一", "（一）"), path=path, kind="item", heading="h", text=text,
                  start=0, end=len(text), subtree_end=len(text), parent_id=None, order=0)


def test_clause_panel_escapes_everything_and_marks_the_quote():
    text = "前文<script>alert(1)</script>。引用句。"
    c = _clause('d#"x"', text)
    prev = _clause("d#prev", "上", path=("<i>上一条</i>",))
    out = render.clause_panel_html("《<文件>》", c, render.quote_range(text, "引用句。"), prev, None)
    assert "<script>" not in out and "<i>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert '<mark class="pq-quote">引用句。</mark>' in out
    assert 'data-cid="d#&quot;x&quot;"' not in out  # the clause itself is not a link…
    assert 'data-cid="d#prev"' in out  # …its neighbour is
    assert "pq-next" not in out


def test_citations_html_links_each_citation_with_its_quote_span():
    cites = [{"n": 1, "clause_id": "d#一", "doc_title": "T", "path": "一、<总则>", "text": "甲乙。丙丁。", "quote": "丙丁。"}]
    out = render.citations_html(cites)
    assert 'data-cid="d#一" data-s="3" data-e="6" data-n="1"' in out
    assert "一、&lt;总则&gt;" in out
    assert render.citations_html([]) == ""


def test_search_results_mark_terms_and_offer_a_copyable_reference():
    hit = {"clause_id": "d#二", "doc_title": "文件<1>", "path": "二、措施", "text": "财政支持<b>补贴</b>", "score": 0.5,
           "span": [0, 4]}
    out = render.search_results_html("补贴", [hit], ["补贴"], [])
    assert '<mark class="pq-term">补贴</mark>' in out
    assert "&lt;b&gt;" in out and "<b>" not in out
    assert 'data-copy="《文件&lt;1&gt;》二、措施"' in out  # no article number: its path; no internal id


def test_a_copied_reference_cites_as_laws_do_and_names_an_older_versions_date():
    assert render.clause_reference("某条例", "第二章 > 第十五条 > （二）", "第十五条第一款第（二）项") == "《某条例》第十五条第一款第二项"
    assert render.clause_reference("某条例", "第十五条", "第十五条", {"in_force": True, "version_date": "2025-03-17"}) == (
        "《某条例》第十五条")
    assert render.clause_reference("某条例", "第十五条", "第十五条", {"in_force": False, "version_date": "2020-07-05"}) == (
        "《某条例》（2020-07-05版）第十五条")
    assert "没有找到包含“x”的条款。" in render.search_results_html("x", [], ["x"], [])


def test_openapi_page_lists_routes_without_external_scripts():
    spec = {"info": {"title": "t<x>"}, "paths": {"/api/ask": {"post": {"summary": "Ask <now>", "responses": {"200": {}}}}}}
    out = render.openapi_html(spec)
    assert "/api/ask" in out and "Ask &lt;now&gt;" in out and "t&lt;x&gt;" in out
    assert "<script" not in out


# -- uploads -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, safe",
    [
        ("../../x.txt", "x.txt"),
        ("..\\..\\windows\\evil.pdf", "evil.pdf"),
        ("/etc/passwd.md", "passwd.md"),
        ("通知 (2020) 第1号.DOCX", "通知_2020_第1号.DOCX"),
        (".hidden.txt", "hidden.txt"),
        ("a..b....html", "a.b.html"),
        ("报告；<script>.txt", "报告_script.txt"),
        ("ｆｕｌｌ．ｔｘｔ", "full.txt"),
    ],
)
def test_sanitize_filename(name, safe):
    assert sanitize_filename(name) == safe


@pytest.mark.parametrize("name", ["", "..", "../..", "/", "***", "._-"])
def test_sanitize_filename_rejects_names_without_usable_characters(name):
    with pytest.raises(UploadError, match="中没有可用的字符，请改名后重新上传"):
        sanitize_filename(name)


def test_check_upload_limits_type_and_size(tmp_path):
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ")
    with pytest.raises(UploadError, match=r"^tool\.exe：不支持的文件类型 \.exe，支持 \.txt、"):
        check_upload(exe, exe.name, 1000)
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 1001)
    with pytest.raises(UploadError, match=r"^big\.txt：0\.0 MB，超过了 0 MB 的上限$"):
        check_upload(big, big.name, 1000)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(UploadError, match="^empty.txt：文件是空的$"):
        check_upload(empty, empty.name, 1000)
    assert check_upload(big, "../../big.txt", 2000) == "big.txt"


def test_store_upload_never_replaces_a_stored_file(tmp_path):
    uploads = tmp_path / "uploads"
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("第一版", encoding="utf-8")
    b.write_text("第二版", encoding="utf-8")
    first = store_upload(a, "通知.txt", uploads, 1000)
    again = store_upload(a, "通知.txt", uploads, 1000)
    second = store_upload(b, "../通知.txt", uploads, 1000)
    assert first == again == uploads / "通知.txt"
    assert second.parent == uploads and second.name.startswith("通知-") and second.suffix == ".txt"
    assert first.read_text(encoding="utf-8") == "第一版" and second.read_text(encoding="utf-8") == "第二版"
    assert sorted(p.name for p in uploads.iterdir()) == sorted([first.name, second.name])  # no temp files left


def test_check_password():
    assert check_password("s3cret", "s3cret")
    assert not check_password("s3cre", "s3cret")
    assert not check_password(None, "s3cret")
    assert not check_password("", "")  # an unset password never opens the admin tab


# -- handlers ----------------------------------------------------------------------------------------
def test_feedback_is_appended_as_jsonl(tmp_path):
    path = tmp_path / "feedback.jsonl"
    answer = {"question": "问？", "answer": "答[1]", "citations": [{"clause_id": "d#一"}]}
    record_feedback(path, answer, "useful")
    record_feedback(path, answer, "wrong", "  引错了条款 ")
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert [{k: v for k, v in e.items() if k != "time"} for e in lines] == [
        {"question": "问？", "answer": "答[1]", "citations": ["d#一"], "verdict": "useful"},
        {"question": "问？", "answer": "答[1]", "citations": ["d#一"], "verdict": "wrong", "comment": "引错了条款"},
    ]
    with pytest.raises(ValueError):
        record_feedback(path, answer, "meh")


TAX = "高新技术企业的企业所得税税率是多少？"  # answered with one citation whatever the test embedder ranks next


def _ask(web, question: str, store: dict | None = None) -> tuple[str, dict]:
    """(chat, store) after asking in the current conversation of `store`."""
    chat, _, store, _, _ = list(web.respond(question, store or chats.empty_store()))[-1]
    return chat, store


def _clicked(data: dict):
    import gradio as gr

    return gr.EventData(None, data)


def test_chat_streams_the_answer_and_keeps_the_conversation(web, svc):
    store = chats.empty_store()
    steps = list(web.respond(TAX, store))
    # the browser emptied the box when the question was sent; what is typed meanwhile stays there
    assert len(steps) >= 3 and all(s[1] == gr_skip() for s in steps)
    assert all(s[2] == gr_skip() for s in steps[:-1]) and "pq-pending" in steps[0][0]  # revealed in pieces
    chat, box, store, convs, status = steps[-1]
    conv = chats.current(store)
    [msg] = conv["msgs"]
    cite = msg["citations"][0]
    assert "text" not in cite and cite["span"] and msg["id"].startswith("m-")
    assert f'class="pq-cite-n" data-cid="{render.esc(cite["clause_id"])}"' in chat
    assert conv["title"] == TAX and status == "" and TAX in convs
    follow = list(web.respond("这条的原文是什么？", store))[-1]
    assert len(chats.current(follow[2])["msgs"]) == 2
    assert len(svc.sessions.get(conv["id"]).turns) == 2  # the follow-up went into the same conversation


def test_a_question_sent_during_an_answer_waits_for_it_and_keeps_both(web):
    from types import SimpleNamespace

    page = SimpleNamespace(session_hash="page-1")
    store = chats.empty_store()  # both questions leave the browser with the store from before either answer
    first = web.respond(TAX, store, page, 1)  # the browser numbers a page's questions
    next(first)  # the first answer is being revealed
    second = web.respond("园区奖励标准是多少？", store, page, 2)
    queued = next(second)
    assert queued[:4] == (gr_skip(),) * 4
    assert queued[4] == render.message_html("上一个问题回答完后，接着回答：“园区奖励标准是多少？”", "info")
    first_steps = list(first)
    assert all(s[4] == gr_skip() for s in first_steps)  # the note stays while the first answer finishes
    assert [m["question"] for m in chats.current(first_steps[-1][2])["msgs"]] == [TAX]
    second_steps = list(second)
    assert second_steps[0][4] == render.message_html(ANSWERING, "info")
    chat, box, final, convs, status = second_steps[-1]
    assert [m["question"] for m in chats.current(final)["msgs"]] == [TAX, "园区奖励标准是多少？"]
    assert chat.count('<article class="pq-turn"') == 2 and status == "" and box == gr_skip()
    assert web.turns._pages["page-1"].idle  # nothing of the page waits once its questions are answered


def test_every_answer_keeps_its_own_citations(web):
    _, store = _ask(web, TAX)
    chat, store = _ask(web, "园区奖励标准是多少？", store)
    first, second = chats.current(store)["msgs"]
    turns = chat.split('<article class="pq-turn"')[1:]
    assert len(turns) == 2
    for turn, msg in zip(turns, (first, second)):
        ids = [c["clause_id"] for c in msg["citations"]]
        assert ids and all(f'data-cid="{render.esc(cid)}"' in turn for cid in ids)
        assert turn.count('class="pq-cite-n"') == msg["answer"].count("[") and turn.count("<details") == 1


def test_chat_errors_leave_the_conversation_as_it_was(web):
    _, store = _ask(web, "哪个部门牵头平台经济统计监测？")
    before = json.dumps(store, sort_keys=True)
    for question, message in [("   ", "请输入问题，例如：哪个部门负责平台经济统计监测？"),
                              ("问" * 600, "问题有 600 个字，超过了 500 字的上限，请精简后再问。")]:
        [(chat, box, new_store, convs, status)] = list(web.respond(question, store))
        assert chat == gr_skip() and new_store == gr_skip() and convs == gr_skip()
        assert box == (gr_skip() if not question.strip() else question)  # back in the box, to be shortened
        assert status == render.message_html(message, "error")
    assert json.dumps(store, sort_keys=True) == before


def test_the_question_box_does_not_cut_a_long_question(web):
    # a maxlength on the box would cut a pasted 600-character question to 500 without a word; the
    # service's message about its length (above) is what the user sees instead
    config = web.build().get_config_file()
    [box] = [c for c in config["components"] if c.get("props", {}).get("elem_id") == "pq-question"]
    assert box["props"].get("max_length") is None


def test_chat_escapes_document_text(web):
    chat, _ = _ask(web, "园区奖励 script 粗体 检验转义")
    assert "<script>" not in chat and "<b>粗体" not in chat
    assert "&lt;script&gt;alert(1)&lt;/script&gt;字样和 &lt;b&gt;粗体&lt;/b&gt; &amp; 符号" in chat


def test_markdown_in_an_answer_shows_as_text():
    msg = {"id": "m-1", "question": "# 标题 ![图](http://x/y.png)", "answer": "见 [链接](http://evil) 与 [1]。\n## 二级",
           "answered": True, "citations": [{"n": 1, "clause_id": "d#一", "doc_title": "T", "path": "一、总则", "quote": "q"}]}
    out = render.turn_html(msg)
    assert "<a " not in out and "<img" not in out and "<h1" not in out and "<h2" not in out
    assert "[链接](http://evil)" in out and "# 标题 ![图](http://x/y.png)" in out
    assert out.count('class="pq-cite-n"') == 1  # [1] is a citation, [链接] is not


def test_conversations_new_switch_delete(web):
    _, store = _ask(web, "哪个部门牵头平台经济统计监测？")
    first = store["current"]
    store, convs, chat, panel, status = web.new_conversation(store)
    second = store["current"]
    assert second != first and "pq-chat-empty" in chat and convs.count('class="pq-conv-open"') == 2
    assert web.new_conversation(store)[0]["convs"] == store["convs"]  # an empty conversation is reused
    store, convs, chat, *_ = web.conversation_click(store, _clicked({"conv": first}))
    assert store["current"] == first and "哪个部门牵头平台经济统计监测？" in chat
    store, convs, chat, *_ = web.conversation_click(store, _clicked({"del": first}))
    assert [c["id"] for c in store["convs"]] == [second] and store["current"] == second
    assert all(x == gr_skip() for x in web.conversation_click(store, _clicked({"conv": "c-unknown"})))


def test_a_conversation_the_server_forgot_is_rebuilt_from_the_browser_copy(web, svc):
    _, store = _ask(web, TAX)
    conv = chats.current(store)
    svc.sessions._items.pop(conv["id"])  # as after a restart of the server
    rebuilt = web._conversation(conv)
    [(question, answer)] = rebuilt.turns
    assert question == TAX
    assert [c.clause.id for c in answer.citations] == [c["clause_id"] for c in conv["msgs"][0]["citations"]]


def test_feedback_is_given_once_per_answer_with_session_and_cited_ids(web, svc):
    _, store = _ask(web, TAX)
    conv = chats.current(store)
    msg = conv["msgs"][0]
    panel, store, chat, status = web.chat_click(store, _clicked({"fb": "wrong", "mid": msg["id"], "comment": " 引错了 "}))
    assert status == render.message_html("已反馈：有误。管理员会复核。", "info")
    assert "已反馈：有误" in chat and 'data-fb="useful"' not in chat
    entry = json.loads((Path(svc.settings.data_dir) / "feedback.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert {k: entry[k] for k in ("question", "verdict", "comment", "session", "message")} == {
        "question": TAX, "verdict": "wrong", "comment": "引错了", "session": conv["id"],
        "message": msg["id"]}
    assert entry["citations"] == [c["clause_id"] for c in msg["citations"]] and entry["answer"] == msg["answer"]
    again = web.chat_click(store, _clicked({"fb": "useful", "mid": msg["id"]}))
    assert again[3] == render.message_html("这条回答已经评价过了。", "info")
    # a browser copy that lost the verdict cannot record a second one either
    assert chats.find(store, msg["id"])[1].pop("fb") == "wrong"
    assert "已经评价过了" in web.give_feedback(store, msg["id"], "useful")[3]
    assert "找不到这条回答" in web.give_feedback(store, "m-nope", "useful")[3]


def test_citation_click_opens_the_clause_with_its_quote(web, svc):
    _, store = _ask(web, TAX)
    cite = chats.current(store)["msgs"][0]["citations"][0]
    panel, *rest = web.chat_click(store, _clicked({"cid": cite["clause_id"], "s": cite["span"][0], "e": cite["span"][1]}))
    assert f'<mark class="pq-quote">{render.esc(cite["quote"])}</mark>' in panel and all(x == gr_skip() for x in rest)
    assert 'class="pq-copy" data-copy="《' in panel


def test_feedback_and_questions_in_the_admin_view_and_csv(web, svc):
    _, store = _ask(web, "园区奖励标准是多少？")
    msg = chats.current(store)["msgs"][0]
    web.give_feedback(store, msg["id"], "useful", "清楚")
    table = web.records(True, "feedback", "useful", "", "", "园区奖励")
    assert "园区奖励标准是多少？" in table and '<td data-label="评价">有用</td>' in table
    assert "清楚" in table and "没有符合条件的记录" in web.records(True, "feedback", "wrong", "", "", "园区奖励")
    update = web.export(True, "feedback", "useful", "", "", "园区奖励")
    text = Path(update["value"]).read_text(encoding="utf-8")
    header, row = text.lstrip("\ufeff").splitlines()[:2]
    assert header == "时间,评价,问题,回答,引用条款,说明,会话,消息"
    assert ",有用,园区奖励标准是多少？," in row and row.endswith(f",清楚,{store['current']},{msg['id']}")
    questions = web.records(True, "questions", "", "web", "yes", "园区奖励")
    assert "园区奖励标准是多少？" in questions and ">网页<" in questions
    assert "没有符合条件的记录" in web.records(True, "questions", "", "web", "no", "园区奖励标准")
    assert "请先输入管理密码" in web.records(False, "feedback", "", "", "", "")
    assert web.export(False, "feedback", "", "", "", "")["visible"] is False


def test_a_new_browser_never_continues_another_browsers_conversation(web, svc):
    # the page's default store is built once: every new browser brings the same conversation id
    default = chats.empty_store()
    a_conv = web._conversation(default["convs"][0])
    a_conv.add("快递末端网点多少天内备案？", svc.ask("快递末端网点多少天内备案？", Conversation()))
    fresh = web._conversation({**default["convs"][0], "msgs": []})  # browser B, same id, nothing asked
    assert fresh.turns == []
    # on page load an empty conversation gets an id of its own; one with messages keeps its id
    store, *_ = web.restore(default)
    assert store["current"] != default["current"] and store["convs"][0]["msgs"] == []
    kept = {"current": "c-1", "convs": [{"id": "c-1", "title": "t", "msgs": []}, {"id": "c-2", "title": "u", "msgs": []}]}
    kept["convs"][1]["msgs"] = chats.normalize({"convs": [{"id": "c-2", "msgs": [
        {"id": "m-1", "question": "问", "answer": "答"}]}]})["convs"][0]["msgs"]
    renamed = chats.renamed_empty(kept)
    assert [c["id"] for c in renamed["convs"]][1] == "c-2" and renamed["convs"][0]["id"] != "c-1"
    assert renamed["current"] == renamed["convs"][0]["id"]


def test_open_clause_escapes_script_and_links_neighbours(web, svc):
    import gradio as gr

    cid = "script#一.（一）"
    text = svc.searcher.clause(cid).text
    s = text.index("用于")
    out = web.open_clause(gr.EventData(None, {"cid": cid, "s": str(s), "e": str(len(text))}))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "<script>" not in out
    assert "&lt;b&gt;粗体&lt;/b&gt; &amp; 符号" in out
    assert f'<mark class="pq-quote">{text[s:]}</mark>' in out
    assert 'data-cid="script#一"' in out and 'data-cid="script#一.（二）"' in out
    assert "找不到条款 nope#x，它可能已随文件更新或删除。" in web.open_clause(gr.EventData(None, {"cid": "nope#x"}))
    assert "<mark" not in web.open_clause(gr.EventData(None, {"cid": cid, "s": "5", "e": "99999"}))


def test_a_task_row_reads_under_its_columns_and_a_heading_lists_its_parts(web, svc):
    import gradio as gr

    cid = f"{GUIDELINE_ID}#重点任务分工表.3"
    text = svc.searcher.clause(cid).text
    s = text.index("省商务厅")
    out = web.open_clause(gr.EventData(None, {"cid": cid, "s": str(s), "e": str(len(text))}))
    panel = re.search(r'<div class="pq-panel-text">(.*?)</div>', out).group(1)
    assert panel == ('<dl class="pq-row"><dt>序号</dt><dd>3</dd>'
                     '<dt>工作任务</dt><dd>加快建设网络销售服务平台，促进线上线下（O2O）融合发展</dd>'
                     '<dt>责任部门</dt><dd><mark class="pq-quote">省商务厅、交通运输厅等</mark></dd></dl>')
    # "一、总体要求" has no text of its own: its parts are listed, each opening in the panel
    out = web.open_clause(gr.EventData(None, {"cid": f"{GUIDELINE_ID}#一"}))
    parts = re.findall(r'<button type="button" class="pq-part" data-cid="([^"]*)">([^<]*)</button>', out)
    assert parts == [(f"{GUIDELINE_ID}#一.（一）", "（一）指导思想"), (f"{GUIDELINE_ID}#一.（二）", "（二）基本原则"),
                     (f"{GUIDELINE_ID}#一.（三）", "（三）发展目标")]
    # a part with text of its own lists the parts after it (发展目标's four targets); a table its rows
    out = web.open_clause(gr.EventData(None, {"cid": f"{GUIDELINE_ID}#一.（三）"}))
    assert re.findall(r'class="pq-part" data-cid="([^"]*)"', out) == [f"{GUIDELINE_ID}#一.（三）.{n}" for n in "1234"]
    out = web.open_clause(gr.EventData(None, {"cid": f"{GUIDELINE_ID}#重点任务分工表"}))
    assert "表中各行：" in out and len(re.findall(r'class="pq-part"', out)) == 14
    # a clause with nothing under it lists nothing
    assert "pq-parts" not in web.open_clause(gr.EventData(None, {"cid": f"{GUIDELINE_ID}#五.（二）"}))


def test_search_tab_highlights_terms_and_escapes(web):
    out = web.run_search("园区奖励", "keyword", "script", "", 5)
    assert '<mark class="pq-term">园区</mark>' in out or '<mark class="pq-term">园区奖励</mark>' in out
    out = web.run_search("检验转义", "keyword", "", "", 5)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "<script>" not in out
    out = web.run_search("script", "keyword", "", "", 5)  # the term is marked inside the escaped tag
    assert '&lt;<mark class="pq-term">script</mark>&gt;' in out and "<script>" not in out
    assert "pq-error" in web.run_search("", "hybrid", "", "", 5)
    assert "没有与“没有这个文件”相符的已导入文件。" in web.run_search("补贴", "hybrid", "没有这个文件", "", 5)


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_search_without_any_clause_containing_the_words_says_so(web, mode):
    out = web.run_search("区块链", mode, "", "", 10)
    assert '<div class="pq-noresult-title">没有找到包含“区块链”的条款。</div>' in out
    assert "去掉文件、章节等筛选条件" in out and "pq-score" not in out
    if mode == "hybrid":  # the nearest clauses follow, marked as close in meaning only
        assert "意思可能相近的条款（仅供参考）" in out and out.count('class="pq-hit"') <= 3


def test_search_results_say_what_matched_instead_of_a_score(web):
    out = web.run_search("住房补贴", "hybrid", "", "", 10)
    first = out.split('<div class="pq-hit">')[1]
    assert '<span class="pq-why pq-why-term">含检索词：住房、补贴</span>' in first
    assert not re.search(r"\d\.\d{4}", out)  # no raw fusion scores
    semantic = web.run_search("住房补贴", "semantic", "", "", 3)
    assert "pq-noresult" not in semantic and semantic.count('class="pq-hit"') == 3


class _Doc:
    def __init__(self, id, title, **meta):
        self.id, self.title = id, title
        self.__dict__.update(meta)


def test_region_type_and_version_filters_come_from_document_metadata():
    from app.web import docs_matching, filter_choices, infer_doc_type

    class Searcher:
        docs = {"a": _Doc("a", "江苏省关于X的实施意见", region="江苏省", in_force=True),
                "b": _Doc("b", "浙江省关于Y的通知（试行）", region="浙江省", in_force=False),
                "c": _Doc("c", "某办法", doc_type="规定")}

    choices = filter_choices(Searcher)
    assert choices["region"] == [("全部地区", ""), ("江苏省", "江苏省"), ("浙江省", "浙江省")]
    assert choices["doc_type"] == [("全部文种", ""), ("实施意见", "实施意见"), ("规定", "规定"), ("通知", "通知")]
    assert [v for _, v in choices["version"]] == ["", "current", "old"]
    assert docs_matching(Searcher) is None
    assert docs_matching(Searcher, region="浙江省") == {"b"}
    assert docs_matching(Searcher, version="current") == {"a", "c"} and docs_matching(Searcher, version="old") == {"b"}
    assert docs_matching(Searcher, doc_type="规定") == {"c"}
    assert infer_doc_type("关于加快发展的指导意见") == "指导意见" and infer_doc_type("工作要点") == ""


def test_only_a_document_held_in_several_versions_is_said_to_be_in_force_or_not():
    from types import SimpleNamespace as NS

    from app.web import doc_meta

    infos = {"p-2020": NS(in_force=False, region="全国"), "p-2025": NS(in_force=True, region="全国"),
             "g": NS(in_force=True, region="江苏省")}
    catalogue = NS(docs=infos, superseded={"p-2020"},
                   versions_of=lambda d: [NS(id="p-2020"), NS(id="p-2025")] if d.startswith("p-") else [NS(id=d)])
    searcher = NS(catalogue=catalogue)
    assert doc_meta(searcher, _Doc("p-2020", "保障款项支付条例"))["in_force"] is False
    assert doc_meta(searcher, _Doc("p-2025", "保障款项支付条例"))["in_force"] is True
    # a guideline held once: nothing says whether it still applies
    assert doc_meta(searcher, _Doc("g", "省政府关于X的指导意见")) == {"region": "江苏省", "doc_type": "指导意见"}


def test_two_versions_of_a_document_are_told_apart_in_the_document_filter():
    from app.web import doc_choices

    class Searcher:
        docs = {"p-2020": _Doc("p-2020", "保障款项支付条例", version_date="2020-07-05"),
                "p-2025": _Doc("p-2025", "保障款项支付条例", version_date="2025-03-17"),
                "q": _Doc("q", "某办法", version_date="2021-01-01")}

    assert doc_choices(Searcher) == [("全部文件", ""), ("保障款项支付条例（2020-07-05 版）", "p-2020"),
                                     ("保障款项支付条例（2025-03-17 版）", "p-2025"), ("某办法", "q")]


def test_chat_sources_of_a_document_with_two_versions_say_which_version_they_are_from():
    from types import SimpleNamespace as NS

    from app.web import with_versions
    from index.query import DocInfo

    infos = {"p-2020": DocInfo("p-2020", "保障款项支付条例", "全国", (), "p", "2020-07-05", False),
             "p-2025": DocInfo("p-2025", "保障款项支付条例", "全国", (), "p", "2025-03-17", True),
             "q": DocInfo("q", "某办法", "全国", (), "q", "2021-01-01", True)}

    class Catalogue:
        docs = infos

        def versions_of(self, doc_id):
            return [i for i in infos.values() if i.group == infos[doc_id].group]

    searcher = NS(catalogue=Catalogue(), by_id={"p-2020#第八条": NS(doc_id="p-2020"), "p-2025#第九条": NS(doc_id="p-2025"),
                                                "q#第一条": NS(doc_id="q")})
    answer = {"answer": "…", "citations": [{"n": 1, "clause_id": "p-2025#第九条"}, {"n": 2, "clause_id": "q#第一条"}],
              "related": [{"clause_id": "p-2020#第八条"}, {"clause_id": "gone#第一条"}]}
    marked = with_versions(searcher, answer)
    assert marked["citations"] == [{"n": 1, "clause_id": "p-2025#第九条", "in_force": True, "version_date": "2025-03-17"},
                                   {"n": 2, "clause_id": "q#第一条"}]
    assert marked["related"] == [{"clause_id": "p-2020#第八条", "in_force": False, "version_date": "2020-07-05"},
                                 {"clause_id": "gone#第一条"}]
    assert answer["citations"][0] == {"n": 1, "clause_id": "p-2025#第九条"}  # the answer itself is left as it was
    assert render.meta_badges(marked["related"][0]) == ('<span class="pq-badge pq-badge-old">已被修订</span>'
                                                        '<span class="pq-badge">版本 2020-07-05</span>')


def test_metadata_filters_narrow_the_search(web):
    out = web.run_search("支持", "keyword", "", "", 10, doc_type="通知")
    ids = re.findall(r'class="pq-open" data-cid="([^"]+)"', out)
    assert ids and all(i.split("#")[0] in ("tiny", "script") for i in ids)
    assert "没有符合地区、文种或版本筛选条件的文件" in web.run_search("支持", "keyword", "", "", 10, region="火星")


def test_section_filter_narrows_the_search(web):
    out = web.run_search("支持", "keyword", GUIDELINE_ID, "五", 50)
    paths = [p for p in out.split('class="pq-open"')[1:]]
    assert paths and all(">五、" in p.split("</button>")[0] for p in paths)


def test_task_table_filters_by_department_with_and_without_the_province_prefix(svc):
    s = svc.searcher
    assert [r[0] for r in task_rows(s, "商务厅")] == [1, 2, 3, 4, 8, 10, 12, 13]
    assert [r[0] for r in task_rows(s, "省商务厅")] == [1, 2, 3, 4, 8, 10, 12, 13]
    assert [r[0] for r in task_rows(s, "发改委")] == [1, 4, 8, 9, 10, 12, 13]  # the alias table applies
    assert len(task_rows(s)) == 14
    row3 = task_rows(s, "商务厅")[2]
    assert row3[2] == "省商务厅" and row3[3] == "省商务厅、交通运输厅等" and row3[5] == f"{GUIDELINE_ID}#重点任务分工表.3"
    choices = dict((v, label) for label, v in department_choices(s))
    assert choices["商务厅"] == "商务厅（8）" and choices["发展改革委"] == "发展改革委（7）"
    # a department under the name the table writes, not today's name it shares a key with; and the
    # number beside every name is the number of rows choosing it shows
    assert choices["工业和信息化厅"] == "经济和信息化委（11）"
    assert all(label.endswith(f"（{len(task_rows(s, key))}）") for key, label in choices.items() if key)


def test_section_choices_name_a_label_only_where_it_is_unambiguous(svc):
    s = svc.searcher
    assert section_choices(s, "tiny") == [
        ("全部章节", ""), ("一、总体目标", "一"), ("一、总体目标 > （一）发展目标", "一.（一）"),
        ("一、总体目标 > （二）基本原则", "一.（二）"), ("二、支持措施", "二"),
        ("二、支持措施 > （一）财政支持", "二.（一）"), ("二、支持措施 > （二）人才支持", "二.（二）"),
    ]
    everything = dict((key, label) for label, key in section_choices(s))
    assert everything["一"] == "一"  # three documents, three different headings
    assert everything["五"] == "五、营造平台经济发展环境"  # only the guideline has a fifth section


def test_refresh_fills_every_list_from_the_current_index(web, svc):
    table, search_doc, section, region, doc_type, version, doc, tree, tasks, dept, remove_doc = web.refresh()
    assert sorted(re.findall(r'<code translate="no">([^<]*)</code>', table)) == sorted(["script", "tiny", GUIDELINE_ID])
    assert search_doc["choices"][0] == ("全部文件", "") and len(search_doc["choices"]) == 4
    # the section filter is filled from the first load, before any document is chosen
    assert section["choices"] == section_choices(svc.searcher) and ("五、营造平台经济发展环境", "五") in section["choices"]
    types = {doc_meta(svc.searcher, d)["doc_type"] for d in svc.searcher.docs.values()}
    assert doc_type["choices"] == [("全部文种", "")] + [(t, t) for t in sorted(types)] and doc_type["visible"]
    assert "通知" in types and types & {"意见", "指导意见"}  # the two notices and the guideline
    assert doc["value"] == doc["choices"][0][1] and 'data-cid="' in tree
    assert tasks.count("<tr>") == 15 and dept["value"] == "" and remove_doc["value"] is None  # header + 14 rows


def test_clause_tree_lists_a_documents_clauses_in_order(web, svc):
    out = web.outline("tiny")
    ids = [c.id for c in svc.searcher.clauses if c.doc_id == "tiny"]
    assert [p.split('"')[0] for p in out.split('data-cid="')[1:]] == ids


# -- admin -------------------------------------------------------------------------------------------
def test_admin_is_disabled_without_a_password(tmp_path):
    svc = make_service(tmp_path, {"tiny.txt": TINY_POLICY}, admin_password="")
    config = WebApp(svc).build().get_config_file()
    text = str(config)
    assert "管理功能未启用" in text and "POLICYQA_ADMIN_PASSWORD" in text
    assert not [c for c in config["components"] if c["type"] in ("file", "uploadbutton")]
    assert not WebApp(svc).login("")[0]


def test_admin_login_and_gate(web, svc):
    t0 = time.monotonic()
    authed, panel, msg, _ = web.login("wrong")
    assert authed is False and panel["visible"] is False and "不正确" in msg
    assert time.monotonic() - t0 >= 0.9  # guessing is slowed down
    authed, panel, msg, _ = web.login("s3cret-口令")
    assert authed is True and panel["visible"] is True
    assert web.upload([str(GUIDELINE)], False, NoProgress()) == "请先输入管理密码。"
    assert web.remove("tiny", False) == "请先输入管理密码。"
    assert web.ask_remove("tiny", False)[2] == "请先输入管理密码。"
    assert web.ask_remove("", True)[2] == "请选择要删除的文件。"
    assert "tiny" in svc.searcher.docs


def test_admin_upload_rejects_bad_files_and_keeps_stored_ones(web, svc, tmp_path):
    exe = tmp_path / "run.exe"
    exe.write_bytes(b"MZ")
    big = tmp_path / "big.txt"
    big.write_bytes("很大".encode() * 400_000)  # 2.4 MB, over the 1 MB limit
    before = dict(svc.records.manifest())
    msg = web.upload([str(exe), str(big)], True, NoProgress())
    assert msg.splitlines()[0] == "没有可导入的文件。"
    assert "未导入 run.exe：不支持的文件类型 .exe，支持 " in msg and "未导入 big.txt：2.4 MB，超过了 1 MB 的上限" in msg
    assert svc.records.manifest() == before
    assert not web.uploads.exists() or not any(web.uploads.iterdir())


def test_admin_upload_while_another_ingest_runs_keeps_nothing(web, svc, tmp_path):
    from index.build import IndexLock

    src = tmp_path / "y.txt"
    src.write_text("关于数据要素市场的通知\n一、总则\n（一）培育数据经纪人制度。\n", encoding="utf-8")
    before = dict(svc.records.manifest())
    with IndexLock(Path(svc.settings.data_dir)):  # as another process's ingest would hold it
        msg = web.upload([str(src)], True, NoProgress())
    assert re.match(r"^另一个导入正在进行（进程 \d+），本次上传的文件未保存；请等它完成后重新上传。$", msg)
    assert not (web.uploads / "y.txt").exists() and svc.records.manifest() == before
    # A file already stored (and ingested) stays when the same bytes are uploaded during a busy ingest.
    src.write_text("关于数据要素市场的通知\n一、总则\n（一）培育数据经纪人制度。\n", encoding="utf-8")
    assert web.upload([str(src)], True, NoProgress()).startswith("导入完成：新增 1 个")
    src.write_text("关于数据要素市场的通知\n一、总则\n（一）培育数据经纪人制度。\n", encoding="utf-8")
    with IndexLock(Path(svc.settings.data_dir)):
        assert "未保存" in web.upload([str(src)], True, NoProgress())
    assert (web.uploads / "y.txt").exists() and "y" in svc.searcher.docs
    assert web.remove("y", True) == "已删除 y（及其上传的文件）。"  # the module's service is shared


def test_admin_upload_ingests_and_is_searchable_then_removable(web, svc, client, tmp_path):
    src = tmp_path / "x.txt"  # as Gradio hands it over: a temporary copy named like the upload
    src.write_text("关于数据要素市场的通知\n一、总则\n（一）培育数据经纪人制度，探索公共数据授权运营。\n", encoding="utf-8")
    msg = web.upload([str(src)], True, NoProgress())
    assert msg.splitlines() == [
        "导入完成：新增 1 个，更新 0 个，未变 0 个，未导入 0 个；知识库现有 "
        f"{len(svc.searcher.docs)} 个文件、{len(svc.searcher.clauses)} 条条款。",
        "新增 《关于数据要素市场的通知》（x）", "已更新索引，问答和检索即按导入后的文件进行。"]
    assert (web.uploads / "x.txt").exists() and not src.exists()
    hits = json.loads(client.predict("数据经纪人", 3, "", "", "keyword", api_name="/search"))["hits"]
    assert hits[0]["clause_id"] == "x#一.（一）"
    row, message, _, pending = web.ask_remove("x", True)
    assert row["visible"] is True and pending == "x"
    assert message == "确定删除《关于数据要素市场的通知》吗？它的 2 条条款将从索引中移除，问答和检索不再引用它。"
    assert "x" in svc.searcher.docs  # asking removes nothing
    assert web.remove(pending, True) == "已删除 x（及其上传的文件）。"
    assert not (web.uploads / "x.txt").exists() and "x" not in svc.searcher.docs
    assert web.remove("x", True) == "没有已导入的文件“x”。"


def test_admin_events_ignore_a_client_that_claims_to_be_logged_in(server, client):
    """The login flag is server-side session state: a raw queue call cannot set it."""
    config = httpx.get(f"{server.url}/config").json()
    fn = next(i for i, d in enumerate(config["dependencies"]) if d["api_name"] == "upload")
    session = "attacker-session"
    r = httpx.post(f"{server.url}/gradio_api/queue/join",
                   json={"data": [None, True], "fn_index": fn, "session_hash": session, "trigger_id": None})
    assert r.status_code == 200
    with httpx.stream("GET", f"{server.url}/gradio_api/queue/data", params={"session_hash": session}, timeout=20) as s:
        done = next(json.loads(line[5:]) for line in s.iter_lines() if "process_completed" in line)
    assert done["output"]["data"] == ["请先输入管理密码。"]


# -- Gradio endpoints through gradio_client ------------------------------------------------------------
def test_only_ask_and_search_are_public_api(client):
    info = client.view_api(print_info=False, return_format="dict")
    assert sorted(info["named_endpoints"]) == ["/ask", "/search"]


def test_gradio_ask_returns_the_cli_json(client, svc):
    out = json.loads(client.predict("哪个部门牵头平台经济统计监测？", api_name="/ask"))
    direct = svc.ask("哪个部门牵头平台经济统计监测？", Conversation()).to_json()
    out.pop("latency_ms"), direct.pop("latency_ms")
    assert out == direct
    assert set(out) == {"question", "answer", "answered", "mode", "kind", "citations", "related"}


def test_gradio_search_returns_the_cli_json(client, svc):
    out = json.loads(client.predict("住房补贴", 3, "", "", "keyword", api_name="/search"))
    hits = svc.searcher.search("住房补贴", k=3, mode="keyword")
    assert out == {"query": "住房补贴", "hits": [h.to_json() for h in hits]}
    assert list(out["hits"][0]) == ["clause_id", "doc_title", "path", "citation", "text", "score", "span"]
    filtered = json.loads(client.predict("支持", 5, "tiny", "二", "hybrid", api_name="/search"))
    assert filtered["hits"] and all(h["clause_id"].startswith("tiny#二") for h in filtered["hits"])


def test_gradio_ask_follows_up_within_a_session(client, svc, server):
    """A script continues a conversation through gradio_client by passing the same session id;
    POST /api/ask with that id continues the same conversation."""
    def without_latency(answer: dict) -> dict:
        return {k: v for k, v in answer.items() if k != "latency_ms"}

    first = json.loads(client.predict(TAX, "script-session-1", api_name="/ask"))
    follow = json.loads(client.predict("这条的原文是什么？", "script-session-1", api_name="/ask"))
    alone = json.loads(client.predict("这条的原文是什么？", api_name="/ask"))
    conv = Conversation()
    expected = [svc.ask(q, conv).to_json() for q in (TAX, "这条的原文是什么？")]
    assert [without_latency(a) for a in (first, follow)] == [without_latency(a) for a in expected]
    assert follow["answered"] and follow["citations"][0]["clause_id"] == first["citations"][0]["clause_id"]
    assert without_latency(alone) == without_latency(svc.ask("这条的原文是什么？", Conversation()).to_json())
    assert alone["citations"] != follow["citations"]  # without the session "这条" refers to nothing
    via_api = httpx.post(f"{server.url}/api/ask", json={"question": "这条的原文是什么？", "session": "script-session-1"})
    assert without_latency(via_api.json()) == without_latency(svc.ask("这条的原文是什么？", conv).to_json())


@pytest.mark.parametrize(
    "args, message",
    [(("", 5, "", "", "hybrid"), "the query is empty"), (("x", 0, "", "", "hybrid"), "k must be between 1 and 100"),
     (("x", 5, "", "", "fuzzy"), "unknown search mode 'fuzzy'")],
)
def test_gradio_search_errors(client, args, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name="/search")


def test_gradio_ask_error_is_the_services_message(client, capfd):
    from gradio_client.exceptions import AppError

    capfd.readouterr()
    with pytest.raises(AppError, match="the question is empty"):
        client.predict("  ", api_name="/ask")
    with pytest.raises(AppError, match="the query is empty"):
        client.predict("", 5, "", "", "hybrid", api_name="/search")
    assert "Traceback" not in capfd.readouterr().err  # a refused question is not a server fault


# -- safe defaults -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    ["/file=/etc/passwd", "/gradio_api/file=/etc/passwd", "/gradio_api/file=../../../../etc/passwd",
     "/gradio_api/file=%2Fetc%2Fpasswd", "/static/../../../../etc/passwd"],
)
def test_no_route_serves_arbitrary_files(server, path):
    r = httpx.get(server.url + path)
    assert r.status_code >= 400 and "root:" not in r.text


def test_data_folder_files_are_not_served(server, svc):
    manifest = Path(svc.settings.data_dir) / "parsed" / "manifest.json"
    r = httpx.get(f"{server.url}/gradio_api/file={manifest}")
    assert r.status_code >= 400 and GUIDELINE_ID not in r.text


def test_page_config_has_analytics_off_and_no_share_link(server):
    import os

    config = httpx.get(f"{server.url}/config").json()
    assert config["analytics_enabled"] is False and not config.get("share_url")
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    assert Settings().host == "127.0.0.1"


def test_gradio_and_json_routes_share_one_server(server):
    assert httpx.get(server.url + "/").status_code == 200
    assert httpx.get(server.url + "/healthz").json()["status"] == "ok"


@pytest.mark.parametrize(
    "reason, zh",
    [
        ("binary file, not text", "这不是文本文件（可能是图片或其他格式改了扩展名），请上传 .txt、.md、.html、.docx 或 .pdf 文件。"),
        ("empty file", "文件里没有文字，是空的。"),
        ("unsupported file type .png: supported are .txt, .md", "不支持 .png 文件，请上传 .txt、.md、.html、.docx 或 .pdf 文件。"),
        ("corrupt PDF (bad xref)", "PDF 文件已损坏，无法读取，请重新导出后再上传。"),
        ("something new", "something new"),  # an unknown reason is shown as it is, not hidden
    ],
)
def test_a_skipped_files_reason_is_shown_in_chinese(reason, zh):
    assert zh_reason(reason) == zh


@pytest.mark.parametrize(
    "question, zh",
    [
        ("？？？！！！", "问题里只有标点，没有文字：请用中文写下您想问的问题。"),
        ("Which department is in charge?", "收录的都是中文文件，请用中文提问，例如：哪个部门负责平台经济统计监测？"),
    ],
)
def test_a_question_without_chinese_words_gets_one_chinese_message(question, zh):
    from app.service import _clean_question
    from index.search import QueryError

    with pytest.raises(QueryError) as e:
        _clean_question(question, 500)
    assert zh_message(e.value) == zh


# -- the new user's report: progress, uploads, section filter, version labels, follow-ups -------------
def _dependencies(web) -> list[dict]:
    config = web.build().get_config_file()
    ids = {c["id"]: c.get("props", {}).get("elem_id") for c in config["components"]}
    return [{**d, "output_ids": [ids.get(o) for o in d["outputs"]]} for d in config["dependencies"]]


def test_no_event_shows_gradios_english_progress_and_chat_and_search_say_they_work(web):
    from app.web import ANSWERING, REMOVING, SEARCHING, _send_at_once, _show_at_once

    deps = _dependencies(web)
    # Gradio's progress text ("processing | 0.4s", "queue: 1/2") is English: shown for the import only
    shown = sorted(d["api_name"] for d in deps if d["show_progress"] != "hidden")
    assert shown == ["upload"]
    # a Chinese line goes up in the browser at once, then the server answers
    at_once = [(d["output_ids"], d["js"]) for d in deps if d["js"] and not d["backend_fn"]]
    assert at_once == [  # Enter, 发送, and a click on an example question
        (["pq-question", "pq-asked", "pq-status", "pq-sent"], _send_at_once(render.message_html(ANSWERING, "info"))),
        (["pq-question", "pq-asked", "pq-status", "pq-sent"], _send_at_once(render.message_html(ANSWERING, "info"))),
        (["pq-question", "pq-asked", "pq-status", "pq-sent"], _send_at_once(render.message_html(ANSWERING, "info"))),
        (["pq-results"], _show_at_once(render.message_html(SEARCHING, "info"))),
        (["pq-results"], _show_at_once(render.message_html(SEARCHING, "info"))),
        (["pq-remove-msg"], _show_at_once(REMOVING)),
    ]
    then = {d["api_name"] for d in deps if d["trigger_after"] is not None and d["backend_fn"]}
    assert {"respond", "run_search", "remove"} <= then
    # a question sent during an answer, or a search during a search, is not dropped (Gradio's "once")
    modes = {d["api_name"]: d["trigger_mode"] for d in deps if d["api_name"] in ("respond", "run_search")}
    assert modes == {"respond": "multiple", "run_search": "always_last"}


class RecordingProgress:
    def __init__(self):
        self.seen = []

    def __call__(self, fraction, desc=None):
        self.seen.append(("call", fraction, desc))

    def tqdm(self, it, desc=None, unit="steps"):
        self.seen.append(("tqdm", desc, unit))
        return it


def test_the_import_progress_counts_in_chinese(tmp_path):
    svc = make_service(tmp_path / "svc", {"tiny.txt": TINY_POLICY}, admin_password="pw")
    web = WebApp(svc)
    src = tmp_path / "y.txt"
    src.write_text("关于数据要素市场的通知\n一、总则\n（一）培育数据经纪人制度。\n", encoding="utf-8")
    progress = RecordingProgress()
    assert web.upload([str(src)], True, progress).startswith("导入完成：新增 1 个")
    assert progress.seen == [("call", 0, "保存文件"), ("tqdm", "解析文件", "个文件"), ("tqdm", "计算向量", "段")]


def test_the_upload_area_takes_any_file_and_the_import_says_what_is_wrong(web, svc, tmp_path):
    from ingest.loaders import SUPPORTED_SUFFIXES

    config = web.build().get_config_file()
    [area] = [c for c in config["components"] if c.get("props", {}).get("elem_id") == "pq-files"]
    assert area["props"].get("file_types") is None  # Gradio would refuse a .png in the browser, in English
    png = tmp_path / "截图.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    big = tmp_path / "big.txt"
    big.write_bytes("很大".encode() * 400_000)  # 2.4 MB, over the 1 MB limit
    before = dict(svc.records.manifest())
    msg = web.upload([str(png), str(big)], True, NoProgress())
    assert msg.splitlines() == [
        "没有可导入的文件。",
        f"未导入 截图.png：不支持的文件类型 .png，支持 {'、'.join(SUPPORTED_SUFFIXES)}。请把文件另存为其中一种格式后重新上传。",
        "未导入 big.txt：2.4 MB，超过了 1 MB 的上限。请把它拆成几个较小的文件后重新上传。",
    ]
    assert svc.records.manifest() == before  # nothing stored was touched


def test_the_server_caps_one_upload_request_and_says_so_in_chinese(server):
    # max_upload_mb=1: a 2 MB file reaches the import (which refuses it by name), 6 MB in one request does not
    ok = httpx.post(f"{server.url}/gradio_api/upload", files={"files": ("big.txt", b"x" * 2_000_000)})
    assert ok.status_code == 200 and len(ok.json()) == 1
    r = httpx.post(f"{server.url}/gradio_api/upload", files={"files": ("huge.txt", b"x" * 6_000_000)})
    assert r.status_code == 413
    assert r.text == "上传被拒绝：一次选择的文件合计超过 5 MB。单个文件不能超过 1 MB，请把过大的文件拆开，分几次上传。"
    assert httpx.get(f"{server.url}/config").json()["max_file_size"] is None  # no English check in the browser


GUIDELINE_SECTIONS = "一、二、三、四、五、重点任务分工表"


@pytest.mark.parametrize(
    "doc, typed, message",
    [
        (GUIDELINE_ID, "九", f"《省政府关于加快互联网平台经济发展的指导意见》中没有章节“九”，有这些章节：{GUIDELINE_SECTIONS}。"),
        ("tiny", "五.（二）", "《省商务厅关于促进跨境电商发展的通知》中没有章节“五.（二）”，有这些章节：一、二。"),
        ("", " 第九章 ", f"已导入的文件中没有章节“第九章”，有这些章节：{GUIDELINE_SECTIONS}。"),
    ],
)
def test_a_section_that_does_not_exist_is_named_with_the_sections_there_are(web, doc, typed, message):
    out = web.run_search("支持", "keyword", doc, typed, 10)
    assert out == render.message_html(
        message + "请在“章节”列表中选择（也可输入 五 或 五.（二） 这样的编号），或选“全部章节”后再检索。", "empty")


@pytest.mark.parametrize("typed, key", [("五、", "五"), ("五.(二)", "五.（二）"), ("五 > （二）", "五.（二）"),
                                        ("五（二）", "五.（二）"), ("五、营造平台经济发展环境", "五"), ("全部章节", "")])
def test_a_section_typed_as_people_write_it_filters_as_its_label(web, typed, key):
    assert web.run_search("支持", "keyword", GUIDELINE_ID, typed, 10) == web.run_search("支持", "keyword", GUIDELINE_ID, key, 10)


def test_every_version_of_a_document_is_labelled_by_title_and_date():
    from app.web import doc_choices

    class Searcher:  # an upload named "条例_2020-07-05.md" had no version date: its id was the label
        docs = {"p_2020-07-05": _Doc("p_2020-07-05", "保障款项支付条例", effective="2020-09-01"),
                "p(2025-03-17)": _Doc("p(2025-03-17)", "保障款项支付条例", version_date="2025-03-17"),
                "x": _Doc("x", "某办法", version_date="2021-01-01"),
                "x2": _Doc("x2", "某办法", version_date="2021-01-01"),
                "y": _Doc("y", "某办法")}

    assert doc_choices(Searcher) == [("全部文件", ""), ("保障款项支付条例（2020-07-05 版）", "p_2020-07-05"),
                                     ("保障款项支付条例（2025-03-17 版）", "p(2025-03-17)"),
                                     ("某办法（2021-01-01 版，x）", "x"), ("某办法（2021-01-01 版，x2）", "x2"), ("某办法（y）", "y")]


@pytest.mark.parametrize("name, safe", [("保障中小企业款项支付条例(2020-07-05).md", "保障中小企业款项支付条例(2020-07-05).md"),
                                        ("快递暂行条例（2019-03-02）.MD", "快递暂行条例(2019-03-02).MD"),
                                        ("通知(2020-07-05)附件.txt", "通知_2020-07-05_附件.txt"),
                                        ("(2020-07-05).md", None)])
def test_an_uploaded_file_keeps_the_version_date_ending_its_name(name, safe):
    if safe is None:
        with pytest.raises(UploadError):
            sanitize_filename(name)
    else:
        assert sanitize_filename(name) == safe


def test_uploaded_versions_of_a_law_are_labelled_alike(tmp_path):
    from app.web import doc_choices
    from tests.conftest import ROOT

    svc = make_service(tmp_path / "svc", {"tiny.txt": TINY_POLICY}, admin_password="pw")
    web = WebApp(svc)
    names = ["保障中小企业款项支付条例(2020-07-05).md", "保障中小企业款项支付条例(2025-03-17).md"]
    copies = []
    for name in names:  # Gradio hands over temporary copies, which the upload removes
        (tmp_path / name).write_bytes((ROOT / "tests" / "fixtures" / "laws" / name).read_bytes())
        copies.append(str(tmp_path / name))
    assert web.upload(copies, True, NoProgress()).startswith("导入完成：新增 2 个")
    laws = [c for c in doc_choices(svc.searcher) if c[1].startswith("保障")]
    assert sorted(laws) == [("保障中小企业款项支付条例（2020-07-05 版）", "保障中小企业款项支付条例(2020-07-05)"),
                            ("保障中小企业款项支付条例（2025-03-17 版）", "保障中小企业款项支付条例(2025-03-17)")]
    # a different file of the same name: the hash goes before the date, which still ends the name
    other = tmp_path / "other" / names[0]
    other.parent.mkdir()
    other.write_text("保障中小企业款项支付条例\n第一条 另一个文本。\n", encoding="utf-8")
    stored = store_upload(other, other.name, web.uploads, 1_000_000)
    assert re.fullmatch(r"保障中小企业款项支付条例-[0-9a-f]{6}\(2020-07-05\)\.md", stored.name)


def test_follow_ups_in_the_chat_are_the_services_follow_ups(web, svc):
    # "这条的原文是什么" and "还有别的吗" are understood by the answerer (app/qa.py), so the chat, the
    # JSON API and a script's session answer them alike; the chat keeps what each answer searched for
    _, store = _ask(web, TAX)
    first = chats.current(store)["msgs"][0]
    _, store = _ask(web, "这条的原文是什么？", store)
    original = chats.current(store)["msgs"][-1]
    conv = Conversation()
    expected = [svc.ask(q, conv).to_json() for q in (TAX, "这条的原文是什么？", "还有别的吗？")]
    assert (original["answer"], original["kind"]) == (expected[1]["answer"], "original")
    assert original["citations"][0]["clause_id"] == first["citations"][0]["clause_id"]
    assert original["query"] == TAX
    _, store = _ask(web, "还有别的吗？", store)
    more = chats.current(store)["msgs"][-1]
    # no other clause of the small corpus speaks of 高新技术企业 or 企业所得税: there is nothing more on it
    assert (more["answer"], more["answered"]) == (expected[2]["answer"], False)
    assert (more["answer"], more["kind"]) == ("相关条款已全部列出：除了前面给出的条款，收录的文件中没有检索到其他与这个问题相关的条款。", "exhausted")
    # told as the end of the list, not styled as a refusal
    assert 'class="pq-bubble pq-bot"' in render.turn_html(more) and "pq-refused" not in render.turn_html(more)


def test_a_revised_version_shows_its_first_promulgation_and_its_revision_and_its_date_once():
    revised = {"doc_type": "条例", "promulgated": "2020-07-05", "revised": "2025-03-17", "effective": "2025-06-01",
               "version_date": "2025-03-17"}
    assert render.meta_badges(revised) == (
        '<span class="pq-badge">条例</span><span class="pq-badge">公布 2020-07-05</span>'
        '<span class="pq-badge">修订 2025-03-17</span><span class="pq-badge">施行 2025-06-01</span>')
    # a version known by its file name's date alone keeps it
    assert render.meta_badges({"effective": "2020-09-01", "version_date": "2020-07-05"}) == (
        '<span class="pq-badge">施行 2020-09-01</span><span class="pq-badge">版本 2020-07-05</span>')


def test_the_documents_table_says_each_date_once_with_its_name():
    row = {"id": "保障中小企业款项支付条例(2025-03-17)", "title": "保障中小企业款项支付条例", "issuer": "国务院",
           "doc_type": "条例", "number": "国务院令第802号", "date": "2025-03-17", "promulgated": "2020-07-05",
           "revised": "2025-03-17", "effective": "2025-06-01", "version_date": "2025-03-17", "clauses": 40}
    html = render.documents_html([row])
    # no bare date before them, no 版本 after them: the version's date is the revision's
    assert re.search(r">公布 2020-07-05<br>修订 2025-03-17<br>施行 2025-06-01<", html) and "版本" not in html


def test_a_semantic_search_that_finds_nothing_is_not_told_to_search_semantically():
    html = render.search_results_html("区块链", [], ["区块链"], [], semantic_only=True)
    assert "没有找到与“区块链”意思相近的条款。" in html and "语义" not in html
    assert "改用“语义”方式检索" in render.search_results_html("区块链", [], ["区块链"], [])


def test_example_questions_come_from_the_corpus_loaded(svc):
    from app.web import example_questions

    # the first task row and the department of most rows, as the table writes them; no question
    # written for one document
    assert example_questions(svc.searcher)[:2] == ["建立健全工作协调推进机制由哪个部门负责？", "经济和信息化委负责哪些任务？"]
    for q in example_questions(svc.searcher):
        assert svc.ask(q, Conversation()).answered, q


def test_example_questions_of_regulations_ask_a_defined_term_and_an_effective_date(tmp_path, data_dir, fake_embedder):
    from app.web import example_questions
    from tests.app.conftest import ingest_texts

    text = ("# 河南省数据条例\n\n<!-- INFO END -->\n\n第一条 为了规范数据处理，制定本条例。\n\n"
            "第二条 本条例所称数据，是指任何以电子方式对信息的记录。\n\n第三条 本条例自2023年1月1日起施行。\n")
    s = ingest_texts(tmp_path / "ha", data_dir, fake_embedder, {"河南省数据条例(2022-10-01).md": text}).searcher
    assert example_questions(s) == ["数据是指什么？", "河南省数据条例什么时候开始施行？"]
