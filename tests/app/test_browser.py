"""A real browser (Playwright from PyPI driving the system Chromium) against a live server with the
real model, at 1366×900, on a 390×844 phone and in the dark colour scheme: citations of earlier
answers, conversations that survive a reload, the clause drawer on a phone, contrast in dark mode,
an all-Chinese interface, feedback reaching the admin view and its CSV, and an upload through the
admin tab. Every test saves a screenshot under results/."""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import pytest

from app.qa import Conversation
from app.web import IMPORTING, example_questions
from tests.app.conftest import SCRIPT_POLICY, make_service
from tests.conftest import GUIDELINE, GUIDELINE_ID, ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
RESULTS = ROOT / "results"
PASSWORD = "浏览器-test-口令"
Q1 = "哪个部门牵头平台经济统计监测？"
Q2 = "高新技术企业的企业所得税税率是多少？"
Q3 = "商务厅负责哪些任务？"
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
WCAG_AA = 4.5

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs the system Chromium and a CJK font: apt-get install -y chromium fonts-wqy-zenhei",
    ),
]

# Contrast of an element's text against the first opaque background behind it (WCAG 2 formula).
CONTRAST_JS = """el => {
  const rgb = (s) => s.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let bg = null;
  for (let e = el; e && !bg; e = e.parentElement) {
    const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length < 4 || c[3] > 0.99) { bg = c; }
  }
  const fg = rgb(getComputedStyle(el).color);
  const [a, b] = [lum(fg), lum(bg || [255, 255, 255])].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""

# Every string a person can see or hear in the page: visible text outside translate="no" (clause
# ids and references), and placeholders, labels, tooltips of visible elements.
VISIBLE_STRINGS_JS = """() => {
  const shown = (el) => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || el.closest('[translate="no"], script, style, noscript, svg')) { continue; }
    if (node.textContent.trim() && shown(el)) { out.push(node.textContent.trim()); }
  }
  document.querySelectorAll('[placeholder], [aria-label], [title], [alt]').forEach((el) => {
    if (el.closest('[translate="no"]') || !shown(el)) { return; }
    for (const a of ['placeholder', 'aria-label', 'title', 'alt']) {
      if (el.getAttribute(a)) { out.push(el.getAttribute(a)); }
    }
  });
  return out;
}"""
# Product and format names the interface may show in Latin letters.
ALLOWED_WORDS = {"policyqa", "gradio", "api", "csv", "txt", "md", "markdown", "docx", "pdf", "html", "htm", "mb"}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def svc(tmp_path_factory, real_embedder):
    from index.embedder import CachedEmbedder

    root = tmp_path_factory.mktemp("browser")
    files = {f"{GUIDELINE_ID}.txt": GUIDELINE, "script.txt": SCRIPT_POLICY}
    # as in `policyqa serve`: cached, so an ingest through the admin tab embeds only the new document
    embedder = CachedEmbedder(real_embedder, root / "cache")
    # uploads up to 1 MB, so that the cap on one upload request (5 MB) is cheap to pass in a test
    return make_service(root, files, embedder=embedder, admin_password=PASSWORD, max_upload_mb=1)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def open_page(browser, server):
    """open_page(**context options) -> a page of the app in a fresh browser profile (its own
    localStorage); no script error and no alert() may happen in it."""
    contexts, errors = [], []

    def open_(**options):
        context = browser.new_context(locale="zh-CN", **{**DESKTOP, **options})
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
        _load(page, server.url)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, errors


def _load(page, url: str | None = None) -> None:
    if url:
        page.goto(url)  # not "networkidle": Gradio keeps an event stream open
    else:
        page.reload()
    page.locator("#pq-question textarea").wait_for(timeout=30_000)


def _ask(page, question: str, turns: int) -> None:
    """Ask in the chat and wait until the conversation shows `turns` finished answers."""
    page.locator("#pq-question textarea").fill(question)
    page.locator("#pq-send").click()
    _wait_turns(page, turns)


def _wait_turns(page, n: int) -> None:
    page.wait_for_function("n => document.querySelectorAll('#pq-chat .pq-turn .pq-fb').length === n", arg=n,
                           timeout=60_000)


def _questions(page) -> list[str]:
    return [_squash(t) for t in page.locator("#pq-chat .pq-user").all_inner_texts()]


def _shot(page, name: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / name))


def _search(page, words: str, shown: str) -> None:
    """Search in the 条款检索 tab and wait for `shown` (a selector) in the results."""
    page.get_by_role("tab", name="条款检索").click()
    query = page.locator("#pq-query textarea")
    query.fill(words)
    query.press("Enter")
    page.locator(shown).first.wait_for(timeout=30_000)


def _login(page, password: str, expect: str) -> None:
    page.locator("#pq-password input").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_text(expect).wait_for(timeout=15_000)


def _expected(svc, question: str) -> dict:
    return svc.ask(question, Conversation()).to_json()


def test_desktop_first_answers_citation_after_a_second_question_reload_and_switch(open_page, svc):
    page = open_page()
    _ask(page, Q1, 1)
    _ask(page, Q2, 2)
    # the finished answer, its sources line and feedback buttons included, ends in view
    page.wait_for_function("(c => c.scrollHeight - c.scrollTop - c.clientHeight < 5)(document.querySelector('#pq-chat'))",
                           timeout=5_000)
    first = _expected(svc, Q1)["citations"][0]
    turns = page.locator("#pq-chat .pq-turn")
    assert [turns.nth(i).locator("details.pq-src").count() for i in range(2)] == [1, 1]  # sources once per answer
    turns.nth(0).locator(".pq-cite-n").first.click()
    mark = page.locator("#pq-panel mark.pq-quote")
    mark.wait_for(timeout=15_000)
    assert _squash(mark.inner_text()) == _squash(first["quote"])
    assert _squash(first["path"]) in _squash(page.locator("#pq-panel .pq-panel-path").inner_text())
    input_box = page.locator("#pq-question textarea").bounding_box()
    assert input_box["y"] + input_box["height"] <= 900  # the input stays on screen below the chat
    # answers longer than the box scroll inside it instead of running over the input below
    chat_box = page.locator("#pq-chat").bounding_box()
    assert page.evaluate("getComputedStyle(document.querySelector('#pq-chat')).overflowY") == "auto"
    assert chat_box["y"] + chat_box["height"] <= input_box["y"]
    _shot(page, "browser-desktop-first-citation.png")

    # a neighbour is one click away
    nav = page.locator("#pq-panel .pq-nav").first
    target = nav.get_attribute("data-cid")
    nav.click()
    page.wait_for_function(
        "cid => document.querySelector('#pq-panel .pq-panel-id code').innerText.trim() === cid", arg=target,
        timeout=15_000)

    _load(page)  # the conversation survives a reload
    _wait_turns(page, 2)
    assert _questions(page) == [Q1, Q2]
    page.locator("#pq-chat .pq-turn").nth(0).locator(".pq-cite-n").first.click()
    page.wait_for_function("q => document.querySelector('#pq-panel mark.pq-quote')?.innerText.replace(/\\s+/g, '') === q",
                           arg=_squash(first["quote"]), timeout=15_000)

    page.locator("#pq-new").click()
    page.locator("#pq-chat .pq-chat-empty").wait_for(timeout=15_000)
    _ask(page, Q3, 1)
    assert _questions(page) == [Q3]
    convs = page.locator("#pq-convs .pq-conv-open")
    assert convs.count() == 2
    page.locator("#pq-convs .pq-conv-open", has_text=Q1).click()  # switch back
    _wait_turns(page, 2)
    assert _questions(page) == [Q1, Q2]
    _shot(page, "browser-desktop-conversations.png")

    delete = page.locator("#pq-convs .pq-conv", has_text=Q3).locator(".pq-conv-del")
    delete.click()
    assert delete.inner_text() == "确认删除"  # asks once
    delete.click()
    page.wait_for_function("() => document.querySelectorAll('#pq-convs .pq-conv').length === 1", timeout=15_000)
    _load(page)
    _wait_turns(page, 2)
    assert page.locator("#pq-convs .pq-conv").count() == 1 and _questions(page) == [Q1, Q2]


STATUS_LOG_JS = """() => { window.pqStatuses = [];
  new MutationObserver(() => window.pqStatuses.push(document.querySelector('#pq-status').innerText.trim()))
    .observe(document.querySelector('#pq-status'), {childList: true, subtree: true, characterData: true}); }"""


def _wait_empty(page):
    """Wait until the question box is empty: the browser empties it as the question is sent, a moment
    after Enter (the send runs as an event's js), so a fill before then would be wiped."""
    page.wait_for_function("() => document.querySelector('#pq-question textarea').value === ''", timeout=5_000)


def test_a_question_sent_during_an_answer_is_answered_after_it_and_a_draft_stays(open_page):
    page = open_page()
    page.evaluate(STATUS_LOG_JS)
    box = page.locator("#pq-question textarea")
    box.fill(Q1)
    box.press("Enter")
    _wait_empty(page)  # the box empties as the question is sent, before any answer
    box.fill(Q2)
    box.press("Enter")  # while the first is being answered
    _wait_empty(page)
    box.fill("还没写完的问题")
    _wait_turns(page, 2)
    assert _questions(page) == [Q1, Q2]
    assert box.input_value() == "还没写完的问题"  # neither answer emptied what was typed meanwhile
    assert f"上一个问题回答完后，接着回答：“{Q2}”" in page.evaluate("window.pqStatuses")
    page.wait_for_function("() => document.querySelector('#pq-status').innerText.trim() === ''", timeout=15_000)
    _load(page)  # both answers were stored, in order
    _wait_turns(page, 2)
    assert _questions(page) == [Q1, Q2]


def test_clicking_an_example_question_sends_it(open_page, svc):
    page = open_page()
    first = example_questions(svc.searcher)[0]
    page.get_by_role("button", name=first, exact=True).click()  # the examples below the question box
    _wait_turns(page, 1)
    assert _questions(page) == [_squash(first)]
    assert page.locator("#pq-question textarea").input_value() == ""  # sent, as Enter would have
    shown = _squash(page.locator("#pq-chat .pq-turn .pq-atext").first.inner_text())
    assert shown[:12] == _squash(_expected(svc, first)["answer"])[:12]


def test_phone_citation_opens_in_view_and_task_table_is_readable(open_page, svc):
    page = open_page(**PHONE)
    # the question box is on the first screen, above 新对话 and the conversations, not below them
    question, new = page.locator("#pq-question textarea").bounding_box(), page.locator("#pq-new").bounding_box()
    assert question["y"] + question["height"] <= 844 and new["y"] > question["y"] + question["height"]
    _ask(page, Q1, 1)
    cite = page.locator("#pq-chat .pq-cite-n").first
    cite.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    cite.tap()
    mark = page.locator("#pq-panel mark.pq-quote")
    mark.wait_for(timeout=15_000)
    # the drawer slides up: wait until the marked quote is inside the screen, without any scrolling
    page.wait_for_function(
        "() => { const r = document.querySelector('#pq-panel mark.pq-quote').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }", timeout=10_000)
    assert page.evaluate("window.scrollY") == scrolled
    assert _squash(mark.inner_text()) == _squash(_expected(svc, Q1)["citations"][0]["quote"])
    _shot(page, "browser-phone-citation.png")

    page.locator("#pq-panel .pq-close").tap()
    page.wait_for_function(
        "() => document.querySelector('#pq-panel').getBoundingClientRect().top >= window.innerHeight", timeout=10_000)
    page.get_by_role("tab", name="文件").tap()
    cell = page.locator('#pq-tasks td[data-label="责任部门"]').first
    cell.wait_for(timeout=15_000)
    cell.scroll_into_view_if_needed()
    box = cell.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["width"] >= 250  # a whole line, not a sliver
    assert "省统计局" in page.locator("#pq-tasks").inner_text()
    _shot(page, "browser-phone-tasks.png")


def test_desktop_a_clause_opened_far_down_the_task_table_brings_its_panel_into_view(open_page):
    page = open_page()
    page.get_by_role("tab", name="文件").click()
    rows = page.locator("#pq-tasks tbody tr")
    rows.first.wait_for(timeout=15_000)
    last = rows.last
    task = _squash(last.locator("td").nth(1).inner_text())[:8]
    last.scroll_into_view_if_needed()
    last.locator("[data-cid]").first.click()
    # the panel (above the table) shows the row and is scrolled into sight
    page.wait_for_function(
        "(task) => Array.from(document.querySelectorAll('.pq-panel-box')).some((p) => {"
        " const r = p.getBoundingClientRect(); return p.offsetParent !== null && r.top >= 0"
        " && r.top < window.innerHeight && p.innerText.replace(/\\s+/g, '').includes(task); })",
        arg=task, timeout=15_000)


def test_dark_mode_highlight_and_text_contrast(open_page):
    page = open_page(color_scheme="dark")
    assert "dark" in page.evaluate("document.body.className")
    _ask(page, Q1, 1)
    page.locator("#pq-chat details.pq-src summary").first.click()
    page.locator("#pq-chat .pq-cite-n").first.click()
    page.locator("#pq-panel mark.pq-quote").wait_for(timeout=15_000)
    checks = {
        "highlighted quote": "#pq-panel mark.pq-quote",
        "panel document title": "#pq-panel .pq-panel-doc",
        "panel text": "#pq-panel .pq-panel-text",
        "answer text": "#pq-chat .pq-atext",
        "citation mark": "#pq-chat .pq-cite-n",
        "cited document title": "#pq-chat .pq-src .pq-doc",
        "question": "#pq-chat .pq-user",
    }
    ratios = {name: page.locator(sel).first.evaluate(CONTRAST_JS) for name, sel in checks.items()}
    _shot(page, "browser-dark-contrast.png")
    assert all(r >= WCAG_AA for r in ratios.values()), ratios

    _search(page, "住房补贴", "#pq-results mark.pq-term")
    assert page.locator("#pq-results mark.pq-term").first.evaluate(CONTRAST_JS) >= WCAG_AA
    assert page.locator("#pq-results .pq-why").first.evaluate(CONTRAST_JS) >= WCAG_AA
    _shot(page, "browser-dark-search.png")


def test_every_visible_string_is_chinese(open_page, svc):
    page = open_page()
    strings: list[str] = []
    _ask(page, Q1, 1)
    page.locator("#pq-chat details.pq-src summary").first.click()
    page.locator("#pq-chat .pq-cite-n").first.click()
    page.locator("#pq-panel mark.pq-quote").wait_for(timeout=15_000)
    page.locator("#pq-send").click()  # a blank question: an error, and the answer stays
    error = page.locator("#pq-status .pq-error")
    error.wait_for(timeout=15_000)
    assert error.inner_text() == "请输入问题，例如：哪个部门负责平台经济统计监测？" and len(_questions(page)) == 1
    strings += page.evaluate(VISIBLE_STRINGS_JS)

    page.get_by_role("tab", name="条款检索").click()
    page.locator("#pq-go").click()  # empty search: an error
    page.locator("#pq-results .pq-error").wait_for(timeout=15_000)
    strings += page.evaluate(VISIBLE_STRINGS_JS)
    _search(page, "区块链", "#pq-results .pq-noresult")  # no clause contains it: the explicit no-results state
    strings += page.evaluate(VISIBLE_STRINGS_JS)
    page.locator("#pq-f-section input").click()  # the section filter lists sections before any document is chosen
    page.get_by_role("option", name="五、营造平台经济发展环境").wait_for(timeout=10_000)
    strings += page.evaluate(VISIBLE_STRINGS_JS)
    page.keyboard.press("Escape")

    page.get_by_role("tab", name="文件").click()
    page.locator("#pq-tasks table").wait_for(timeout=15_000)
    strings += page.evaluate(VISIBLE_STRINGS_JS)
    number = page.locator("#pq-tasks th button", has_text="序号")
    number.click()
    number.click()  # the hint says: click a heading to sort, again to reverse
    numbers = page.locator("#pq-tasks tbody td:first-child").all_inner_texts()
    assert [int(n) for n in numbers] == list(range(14, 0, -1))

    page.get_by_role("tab", name="管理").click()
    _login(page, "错误的口令", "密码不正确。")
    _login(page, PASSWORD, "已登录。")
    page.locator("#pq-remove").click()  # nothing chosen: a message
    page.get_by_text("请选择要删除的文件。").wait_for(timeout=15_000)
    page.locator("#pq-rec-view").get_by_text("最近的提问").click()
    page.locator("#pq-records table").wait_for(timeout=15_000)
    strings += page.evaluate(VISIBLE_STRINGS_JS)
    _shot(page, "browser-chinese-admin.png")

    # Latin words inside the documents themselves (titles, clause text, file names) are content, not interface.
    s = svc.searcher
    content = " ".join([*(c.text + " " + c.path_text for c in s.clauses),
                        *(f"{d.title} {d.id} {Path(d.source).name}" for d in s.docs.values())])
    allowed = ALLOWED_WORDS | {w.lower() for w in re.findall(r"[A-Za-z]{2,}", content)}
    english = sorted({w for text in strings for w in re.findall(r"[A-Za-z]{2,}", text) if w.lower() not in allowed})
    assert english == [], "\n".join(sorted({t for t in strings if any(w in t for w in english)}))
    assert len(strings) > 100  # the walk saw the page


def test_feedback_from_the_chat_reaches_the_admin_view_and_its_csv(open_page, svc):
    page = open_page()
    _ask(page, "园区奖励标准是多少？", 1)
    answer = _expected(svc, "园区奖励标准是多少？")
    page.locator("#pq-chat .pq-fb-comment").fill("应当引用总则")
    page.locator('#pq-chat [data-fb="wrong"]').click()
    done = page.locator("#pq-chat .pq-fb-done")
    done.wait_for(timeout=15_000)
    assert done.inner_text() == "已反馈：有误。管理员会复核。"
    _load(page)  # the verdict is kept with the answer: no second vote after a reload
    _wait_turns(page, 1)
    assert page.locator("#pq-chat .pq-fb-done").count() == 1 and page.locator("#pq-chat [data-fb]").count() == 0

    page.get_by_role("tab", name="管理").click()
    _login(page, PASSWORD, "已登录。")
    row = page.locator("#pq-records tr", has_text="园区奖励标准是多少？")
    row.wait_for(timeout=15_000)
    cells = row.locator("td")
    assert cells.nth(1).inner_text() == "有误" and cells.nth(5).inner_text() == "应当引用总则"
    assert cells.nth(4).inner_text() == "；".join(c["clause_id"] for c in answer["citations"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", cells.nth(0).inner_text())  # one form of time
    page.locator("#pq-rec-export").click()
    link = page.locator("#pq-rec-file a").first
    link.wait_for(timeout=15_000)
    # the file appears beside the button, on the screen, not below the table
    box, button = link.bounding_box(), page.locator("#pq-rec-export").bounding_box()
    assert 0 <= box["y"] < page.viewport_size["height"] and abs(box["y"] - button["y"]) < 200
    _shot(page, "browser-admin-feedback.png")
    body = page.request.get(link.get_attribute("href")).text()
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["时间", "评价", "问题", "回答", "引用条款", "说明", "会话", "消息"]
    mine = [r for r in rows[1:] if r[2] == "园区奖励标准是多少？"]
    assert len(mine) == 1 and mine[0][1] == "有误" and mine[0][5] == "应当引用总则"
    assert mine[0][3] == answer["answer"] and mine[0][6].startswith("c-") and mine[0][7].startswith("m-")


def test_admin_ingest_is_searchable_and_script_shows_as_text(open_page, tmp_path):
    page = open_page()
    upload = tmp_path / "数据要素通知.txt"
    upload.write_text(
        "关于数据要素市场的通知\n一、总则\n（一）培育数据经纪人制度，<script>alert('x')</script>探索公共数据授权运营。\n",
        encoding="utf-8",
    )
    page.get_by_role("tab", name="管理").click()
    _login(page, "wrong", "密码不正确。")
    assert page.locator("input[type=file]").count() == 0 or not page.locator("input[type=file]").first.is_visible()
    _login(page, PASSWORD, "已登录。")

    page.locator("input[type=file]").set_input_files(str(upload))
    try:
        page.get_by_text("数据要素通知.txt").first.wait_for(timeout=60_000)  # the upload itself: 15 s ran out on a loaded machine
    except Exception:
        _shot(page, "browser-upload-timeout.png")  # what the page showed, for the CI log's artefacts
        raise
    # every value the result box takes, sampled each frame: the import must say at once that it runs
    page.evaluate("""() => { window.pqSeen = new Set(); const box = document.querySelector('#pq-ingest-msg textarea');
        const look = () => { window.pqSeen.add(box.value); requestAnimationFrame(look); }; look(); }""")
    page.get_by_role("button", name="导入", exact=True).click()
    box = page.locator("#pq-ingest-msg textarea")
    deadline = time.monotonic() + 90
    while "完成" not in box.input_value() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert box.input_value().startswith("导入完成：新增 1 个"), box.input_value()
    assert IMPORTING in page.evaluate("() => [...window.pqSeen]")

    _search(page, "数据经纪人", "#pq-results .pq-hit")
    first = page.locator("#pq-results .pq-hit").first
    # the reference as an official cites it: the document and the clause's place, no internal id
    assert first.locator(".pq-copy").get_attribute("data-copy") == "《关于数据要素市场的通知》一、总则 > （一）"
    assert "数据要素通知#" not in first.inner_text()
    assert "<script>alert('x')</script>" in first.locator(".pq-hit-text").inner_text()  # shown as text
    assert first.locator(".pq-why-term").inner_text() == "含检索词：数据、经纪人"
    _shot(page, "browser-admin-search.png")

    # removal asks once, naming the document
    page.get_by_role("tab", name="管理").click()
    page.locator("#pq-remove-doc input").click()
    page.get_by_role("option", name="关于数据要素市场的通知").click()
    page.locator("#pq-remove").click()
    page.get_by_text("确定删除《关于数据要素市场的通知》吗？").wait_for(timeout=15_000)
    page.locator("#pq-confirm-yes").click()
    page.get_by_text("已删除 数据要素通知（及其上传的文件）。").wait_for(timeout=60_000)


# -- the new user's report ----------------------------------------------------------------------------
# Where a list item's marker stands: an inline probe put first in the item sits on the line the
# marker is drawn beside.
MARKER_LINES_JS = """sel => Array.from(document.querySelectorAll(sel)).map((li) => {
  const button = li.querySelector(':scope > button');
  const probe = document.createElement('span');
  probe.textContent = '\\u200b';
  li.insertBefore(probe, li.firstChild);
  const p = probe.getBoundingClientRect(), b = button.getBoundingClientRect();
  const line = parseFloat(getComputedStyle(button).lineHeight);
  probe.remove();
  return {lines: Math.round(b.height / line), marker_line: Math.round((p.top - b.top) / line) + 1};
})"""


def test_a_list_marker_stands_beside_the_first_line_of_its_item(open_page):
    page = open_page()
    _ask(page, Q3, 1)  # eight task rows, their long paths wrap
    page.locator("#pq-chat details.pq-src summary").first.click()
    items = page.evaluate(MARKER_LINES_JS, "#pq-chat .pq-src-list > li")
    _shot(page, "browser-list-markers.png")
    wrapped = [i for i in items if i["lines"] >= 2]
    assert len(items) == 8 and wrapped
    assert [i["marker_line"] for i in wrapped] == [1] * len(wrapped), items  # not beside the last line


# Whether a clause drawer shows on a phone: (visibility, top edge inside the screen).
DRAWER_JS = """sel => { const p = document.querySelector(sel).closest('[role="tabpanel"]').querySelector('.block.pq-panel-box');
  return [getComputedStyle(p).visibility, p.getBoundingClientRect().top < window.innerHeight]; }"""
HIDDEN = ["hidden", False]


def test_phone_drawers_stay_hidden_until_a_clause_is_opened_in_their_tab(open_page):
    page = open_page(**PHONE)
    page.get_by_role("tab", name="文件").tap()
    page.locator("#pq-tree [data-cid]").first.wait_for(timeout=15_000)
    assert page.evaluate(DRAWER_JS, "#pq-tree") == HIDDEN  # not even its shadow above the bottom edge
    page.get_by_role("tab", name="问答").tap()
    assert page.evaluate(DRAWER_JS, "#pq-chat") == HIDDEN
    _ask(page, Q1, 1)
    page.locator("#pq-chat .pq-cite-n").first.tap()
    page.locator("#pq-panel mark.pq-quote").wait_for(timeout=15_000)
    page.wait_for_function(f"() => ({DRAWER_JS})('#pq-chat')[1]", timeout=10_000)
    # the panel goes back to its placeholder: the drawer closes with it (on a phone 新对话 sits below
    # the chat, under the open drawer, so it is clicked, not tapped through the drawer)
    page.locator("#pq-new").dispatch_event("click")
    page.locator("#pq-chat .pq-chat-empty").wait_for(timeout=15_000)
    page.wait_for_function(f"() => ({DRAWER_JS})('#pq-chat')[0] === 'hidden'", timeout=10_000)
    page.get_by_role("tab", name="文件").tap()  # the drawer of the 文件 tab was not opened by the chat
    page.locator("#pq-tree [data-cid]").first.wait_for(timeout=15_000)
    time.sleep(0.5)  # longer than the drawer's slide
    _shot(page, "browser-phone-files-drawer.png")
    assert page.evaluate(DRAWER_JS, "#pq-tree") == HIDDEN
    page.locator("#pq-tree [data-cid]").nth(1).tap()
    page.wait_for_function(f"() => ({DRAWER_JS})('#pq-tree').join() === 'visible,true'", timeout=15_000)
    page.locator("#pq-tree").locator("xpath=ancestor::*[@role='tabpanel']").locator(".pq-close").tap()
    page.wait_for_function(f"() => ({DRAWER_JS})('#pq-tree').join() === 'hidden,false'", timeout=10_000)


# Gradio's own progress texts and the chat's status line, as shown, sampled every frame.
SHOWN_PROGRESS_JS = """() => { window.pqProgress = new Set(); window.pqStatus = new Set();
  const shown = (el) => { for (let e = el; e; e = e.parentElement) { const s = getComputedStyle(e);
    if (s.opacity === '0' || s.display === 'none' || s.visibility === 'hidden') { return false; } } return true; };
  const look = () => {
    document.querySelectorAll('.progress-text, .meta-text, .meta-text-center').forEach((el) => {
      if (shown(el) && el.innerText.trim()) { window.pqProgress.add(el.innerText.trim()); } });
    document.querySelectorAll('#pq-status .pq-msg').forEach((el) => { if (shown(el)) { window.pqStatus.add(el.innerText); } });
    requestAnimationFrame(look); };
  look(); }"""


def test_answering_and_searching_show_no_english_progress(open_page):
    page = open_page()
    page.evaluate(SHOWN_PROGRESS_JS)
    _ask(page, Q1, 1)
    page.locator("#pq-chat .pq-cite-n").first.click()
    page.locator("#pq-panel mark.pq-quote").wait_for(timeout=15_000)
    assert page.evaluate("() => [...window.pqProgress]") == []  # no "processing | 0.4s", no "queue: 1/1"
    assert page.evaluate("() => [...window.pqStatus]") == ["正在查找相关条款并组织回答，请稍候……"]
    page.get_by_role("tab", name="条款检索").click()
    page.evaluate("() => { window.pqResults = new Set(); const look = () => { document.querySelectorAll('#pq-results .pq-msg')"
                  ".forEach((m) => window.pqResults.add(m.innerText)); requestAnimationFrame(look); }; look(); }")
    _search(page, "住房补贴", "#pq-results .pq-hit")
    assert page.evaluate("() => [...window.pqResults]") == ["正在检索，请稍候……"]
    assert page.evaluate("() => [...window.pqProgress]") == []


def test_gradios_english_upload_progress_reads_in_chinese(open_page):
    page = open_page()
    # the text Gradio's upload progress writes (its template: `Uploading ${n}\n\t\t${n>1?'files':'file'}...`)
    page.evaluate("() => { const d = document.createElement('div'); d.id = 'pq-probe';"
                  " d.textContent = 'Uploading 2\\n\\t\\tfiles...'; document.body.appendChild(d); }")
    page.wait_for_function("() => document.querySelector('#pq-probe').textContent === '正在上传 2 个文件……'",
                           timeout=5_000)


def test_a_refused_upload_is_named_in_chinese_without_gradios_toasts(open_page, tmp_path):
    from ingest.loaders import SUPPORTED_SUFFIXES

    png, big = tmp_path / "截图.png", tmp_path / "big.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    big.write_bytes(b"x" * 2_000_000)  # over the 1 MB of a file
    parts = [tmp_path / f"part{i}.txt" for i in range(6)]  # each under 1 MB, together over the 5 MB of a request
    for p in parts:
        p.write_bytes(b"x" * 950_000)
    page = open_page()
    page.get_by_role("tab", name="管理").click()
    _login(page, PASSWORD, "已登录。")
    sent = []  # the size of each upload request the page makes
    page.on("request", lambda r: sent.append(len(r.post_data_buffer or b""))
            if r.method == "POST" and "/upload?" in r.url + "?" else None)
    page.locator("input[type=file]").set_input_files([str(png), str(big)])
    # the file over the limit stays in the browser, named in Chinese; the other one is uploaded
    refused = page.locator("#pq-upload-refused")
    refused.wait_for(timeout=15_000)
    assert refused.inner_text() == "未上传 big.txt：2.0 MB，超过了 1 MB 的上限。请把它拆成几个较小的文件后重新上传。"
    page.wait_for_function("() => (document.querySelector('#pq-files')?.innerText || '').includes('截图')",
                           timeout=60_000)
    assert "big" not in page.locator("#pq-files").inner_text()
    assert len(sent) == 1 and sent[0] < 10_000  # the picture alone went to the server
    assert page.locator('[data-testid="toast-body"]').all_inner_texts() == []  # no "Invalid file type" in English
    page.get_by_role("button", name="导入", exact=True).click()
    box = page.locator("#pq-ingest-msg textarea")
    page.wait_for_function("() => document.querySelector('#pq-ingest-msg textarea').value.includes('未导入')", timeout=60_000)
    assert box.input_value().splitlines() == [
        "没有可导入的文件。",
        f"未导入 截图.png：不支持的文件类型 .png，支持 {'、'.join(SUPPORTED_SUFFIXES)}。请把文件另存为其中一种格式后重新上传。",
    ]
    assert page.locator('[data-testid="toast-body"]').count() == 0
    # a request over the server's cap: refused before it is read, with one Chinese message
    page.wait_for_function("() => !document.querySelector('#pq-files').innerText.includes('截图')", timeout=15_000)
    page.locator("#pq-files input[type=file]").set_input_files([str(p) for p in parts])
    assert refused.is_hidden()  # none of these is over the limit of a file
    toast = page.locator('[data-testid="toast-body"]')
    toast.wait_for(timeout=30_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"toast-body\"]').innerText.includes('Error')",
                           timeout=5_000)
    _shot(page, "browser-upload-over-cap.png")
    assert _squash(toast.inner_text()) == _squash(
        "错误 × 上传被拒绝：一次选择的文件合计超过 5 MB。单个文件不能超过 1 MB，请把过大的文件拆开，分几次上传。")


def test_copying_a_reference_puts_it_on_the_clipboard_and_the_button_reads_as_before_again(open_page):
    page = open_page(permissions=["clipboard-read", "clipboard-write"])
    _search(page, "平台经济", ".pq-copy")
    button = page.locator(".pq-copy").first
    reference = button.get_attribute("data-copy")
    button.click()
    page.wait_for_function("b => b.textContent === '已复制'", arg=button.element_handle(), timeout=5_000)
    assert page.evaluate("navigator.clipboard.readText()") == reference
    page.wait_for_function("b => b.textContent === '复制引用'", arg=button.element_handle(), timeout=5_000)
