"""A real browser (Playwright from PyPI driving the system Chromium) against a live server with the
real model: ask, see the answer, open citation [1] and see the quote marked; ingest through the
admin tab and find the new document. Screenshots go to results/."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from app.qa import Conversation
from tests.app.conftest import SCRIPT_POLICY, make_service
from tests.conftest import GUIDELINE, GUIDELINE_ID, ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
RESULTS = ROOT / "results"
PASSWORD = "浏览器-test-口令"
QUESTION = "哪个部门牵头平台经济统计监测？"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs the system Chromium and a CJK font: apt-get install -y chromium fonts-wqy-zenhei",
    ),
]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def svc(tmp_path_factory, real_embedder):
    from index.embedder import CachedEmbedder

    root = tmp_path_factory.mktemp("browser")
    files = {f"{GUIDELINE_ID}.txt": GUIDELINE, "script.txt": SCRIPT_POLICY}
    # as in `policyqa serve`: cached, so an ingest through the admin tab embeds only the new document
    embedder = CachedEmbedder(real_embedder, root / "cache")
    return make_service(root, files, embedder=embedder, admin_password=PASSWORD)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(server.url)  # not "networkidle": Gradio keeps an event stream open
    page.locator("#pq-question textarea").wait_for(timeout=30_000)
    yield page
    page.close()
    assert not errors, errors  # no script errors, and no alert() from document text


def test_ask_then_open_citation_shows_the_marked_quote(page, svc):
    expected = svc.ask(QUESTION, Conversation()).to_json()
    first = expected["citations"][0]
    page.locator("#pq-question textarea").fill(QUESTION)
    page.locator("#pq-send").click()
    cite = page.locator("#pq-sources .pq-cite").first
    cite.wait_for(timeout=60_000)
    answer_start = _squash(expected["answer"])[:15]
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel).innerText.replace(/\\s+/g, '').includes(text)",
        arg=["#pq-chat", answer_start], timeout=30_000,
    )
    assert _squash(cite.inner_text()).startswith(f"[1]{_squash(first['path'])}")

    cite.click()
    mark = page.locator("#pq-panel mark.pq-quote")
    mark.wait_for(timeout=15_000)
    assert _squash(mark.inner_text()) == _squash(first["quote"])
    assert _squash(first["path"]) in _squash(page.locator("#pq-panel .pq-panel-path").inner_text())
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "browser-chat.png"), full_page=True)

    # a neighbour is one click away
    nav = page.locator("#pq-panel .pq-nav").first
    target = nav.get_attribute("data-cid")
    nav.click()
    page.wait_for_function(
        "([cid]) => document.querySelector('#pq-panel .pq-panel-id').innerText.trim() === cid",
        arg=[target], timeout=15_000,
    )


def test_admin_ingest_is_searchable_and_script_shows_as_text(page, tmp_path):
    upload = tmp_path / "数据要素通知.txt"
    upload.write_text(
        "关于数据要素市场的通知\n一、总则\n（一）培育数据经纪人制度，<script>alert('x')</script>探索公共数据授权运营。\n",
        encoding="utf-8",
    )
    page.get_by_role("tab", name="管理").click()
    page.locator("#pq-password input").fill("wrong")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("密码不正确。").wait_for(timeout=15_000)
    assert page.locator("input[type=file]").count() == 0 or not page.locator("input[type=file]").first.is_visible()
    page.locator("#pq-password input").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_text("已登录。").wait_for(timeout=15_000)

    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_text("数据要素通知.txt").first.wait_for(timeout=15_000)
    page.get_by_role("button", name="导入", exact=True).click()
    box = page.locator("#pq-ingest-msg textarea")
    deadline = time.monotonic() + 90
    while "完成" not in box.input_value() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert box.input_value().startswith("完成：新增 1"), box.input_value()

    page.get_by_role("tab", name="条款检索").click()
    query = page.locator("#pq-query textarea")
    query.fill("数据经纪人")
    query.press("Enter")
    first = page.locator("#pq-results .pq-hit").first
    first.wait_for(timeout=30_000)
    assert "数据要素通知#一.（一）" in first.inner_text()
    assert "<script>alert('x')</script>" in first.locator(".pq-hit-text").inner_text()  # shown as text
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "browser-admin-search.png"), full_page=True)
