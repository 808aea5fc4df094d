"""The Gradio web app (问答 / 条款检索 / 文件 / 管理) mounted on the JSON API's FastAPI app: one server.

The only module that imports gradio. HTML comes from app.render; answers and searches from the Service."""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import hmac  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import unicodedata  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import gradio as gr  # noqa: E402

from app import render  # noqa: E402
from app.api import MAX_K, UNAVAILABLE, create_api, document_rows, search_json  # noqa: E402
from app.qa import Conversation  # noqa: E402
from index.build import IndexBusy  # noqa: E402
from index.tokenizer import apply_aliases, fold  # noqa: E402
from ingest.loaders import SUPPORTED_SUFFIXES  # noqa: E402
from ingest.records import content_hash  # noqa: E402

log = logging.getLogger(__name__)

EXAMPLE_QUESTIONS = [
    "哪个部门牵头平台经济统计监测？",
    "高新技术企业的企业所得税税率是多少？",
    "引进高端人才的住房补贴能不能计入成本？",
    "商务厅负责哪些任务？",
]
SEARCH_MODES = [("混合（关键词+语义）", "hybrid"), ("关键词", "keyword"), ("语义", "semantic")]
ALL = ""  # the "no filter" value of the document and department dropdowns
CHUNKS = 6  # pieces an answer is revealed in, for the streaming feel
CHUNK_PAUSE = 0.04
WRONG_PASSWORD_PAUSE = 1.0  # seconds; slows down guessing
SHUTDOWN_GRACE = 3  # seconds open connections get to finish when the server is stopped
# Questions and searches of different users run side by side (Gradio's default is one at a time per
# event, which queued every chat user behind the others). The login keeps that default: one
# password guess at a time, each wrong one followed by a pause.
CONCURRENT_READS = 8

# Clicks inside our HTML (citations, neighbours, tree items, search results) arrive as one 'click'
# event carrying the clause id and the span to mark; 'copy' buttons copy a clause reference.
CLICK_JS = """
element.addEventListener('click', (e) => {
  const copy = e.target.closest('[data-copy]');
  if (copy) {
    const text = copy.dataset.copy;
    if (navigator.clipboard) { navigator.clipboard.writeText(text).catch(() => {}); }
    copy.textContent = '已复制';
    return;
  }
  const item = e.target.closest('[data-cid]');
  if (item) { trigger('click', {cid: item.dataset.cid, s: item.dataset.s || '', e: item.dataset.e || ''}); }
});
"""

CSS = """
.pq-cites ul { margin: .2rem 0; padding-left: 0; list-style: none; }
.pq-cites li { margin: .15rem 0; }
.pq-h { font-weight: 600; margin: .3rem 0; }
.pq-cite, .pq-related, .pq-open, .pq-nav { background: none; border: none; padding: 0; cursor: pointer;
  color: var(--link-text-color, #2563eb); text-align: left; font: inherit; }
.pq-cite:hover, .pq-related:hover, .pq-open:hover, .pq-nav:hover { text-decoration: underline; }
.pq-doc { color: var(--body-text-color-subdued, #666); font-size: .9em; }
.pq-panel { border: 1px solid var(--border-color-primary, #ddd); border-radius: 8px; padding: .8rem; }
.pq-panel.pq-empty { color: var(--body-text-color-subdued, #888); }
.pq-panel-doc { font-weight: 600; }
.pq-panel-path { margin: .2rem 0; }
.pq-panel-id code, .pq-ref code { font-size: .8em; word-break: break-all; }
.pq-panel-text { white-space: pre-wrap; line-height: 1.7; margin: .6rem 0; }
.pq-panel-nav { display: flex; justify-content: space-between; gap: .5rem; }
mark.pq-quote { background: #fde68a; padding: 0 .1rem; }
mark.pq-term { background: #bfdbfe; padding: 0; }
.pq-hit { border-bottom: 1px solid var(--border-color-primary, #eee); padding: .5rem 0; }
.pq-hit-text { white-space: pre-wrap; line-height: 1.6; margin: .3rem 0; }
.pq-rank { font-weight: 600; }
.pq-score { float: right; color: #888; font-size: .8em; }
.pq-copy { font-size: .8em; cursor: pointer; }
.pq-tree { list-style: none; padding-left: 0; }
.pq-tree-l2 { padding-left: 1.2rem; } .pq-tree-l3 { padding-left: 2.4rem; } .pq-tree-l4 { padding-left: 3.6rem; }
.pq-msg { padding: .4rem; } .pq-error { color: #b91c1c; }
"""


# -- uploads (plain functions: tested without a server) ----------------------------------------------
class UploadError(ValueError):
    pass


def sanitize_filename(name: str) -> str:
    """A safe file name: the base name only, CJK letters, digits, ASCII letters and `-_.` kept."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name or ""))[-1]
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in base)
    cleaned = re.sub(r"\.{2,}", ".", re.sub(r"_{2,}", "_", cleaned)).strip("._-")
    stem, dot, suffix = cleaned.rpartition(".")
    if not dot:
        stem, suffix = cleaned, ""
    stem = stem.strip("._-")[:100]
    if not stem:
        raise UploadError(f"the file name {name!r} has no usable characters; rename the file and upload it again")
    return f"{stem}.{suffix}" if suffix else stem


def check_upload(src: Path, name: str, max_bytes: int) -> str:
    """The sanitised name if the file may be stored; UploadError with the reason otherwise."""
    safe = sanitize_filename(name)
    suffix = Path(safe).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadError(
            f"{safe}: unsupported file type {suffix or '(none)'}; supported are {', '.join(SUPPORTED_SUFFIXES)}"
        )
    size = src.stat().st_size
    if size == 0:
        raise UploadError(f"{safe}: the file is empty")
    if size > max_bytes:
        raise UploadError(f"{safe}: {size / 1e6:.1f} MB is over the limit of {max_bytes / 1e6:.0f} MB")
    return safe


def store_upload(src: Path, name: str, uploads: Path, max_bytes: int) -> Path:
    """Copy an accepted upload into `uploads` atomically. A different file with the same name is
    kept and the new one gets a suffixed name, so an upload never replaces a stored document."""
    safe = check_upload(src, name, max_bytes)
    uploads.mkdir(parents=True, exist_ok=True)
    data_hash = content_hash(src.read_bytes())
    target = uploads / safe
    if target.exists() and content_hash(target.read_bytes()) != data_hash:
        target = uploads / f"{target.stem}-{data_hash[:6]}{target.suffix}"
    if target.exists():
        return target  # same bytes already stored
    fd, tmp = tempfile.mkstemp(dir=uploads, prefix=".upload-", suffix=".tmp")
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def check_password(given: str | None, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest((given or "").encode("utf-8"), expected.encode("utf-8"))


# -- feedback ----------------------------------------------------------------------------------------
_feedback_lock = threading.Lock()


def record_feedback(path: Path, answer: dict, verdict: str, comment: str = "") -> dict:
    """Append one line to the feedback JSONL that officials review."""
    if verdict not in ("useful", "wrong"):
        raise ValueError(f"unknown verdict {verdict!r}")
    entry = {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "question": answer.get("question", ""),
        "answer": answer.get("answer", ""),
        "citations": [c["clause_id"] for c in answer.get("citations", [])],
        "verdict": verdict,
    }
    if comment and comment.strip():
        entry["comment"] = comment.strip()[:2000]
    path.parent.mkdir(parents=True, exist_ok=True)
    with _feedback_lock, open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry


# -- small helpers -----------------------------------------------------------------------------------
def _problem(e: Exception) -> str:
    return str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)


def _whole(k) -> int:
    """The number of results asked for; ValueError with the allowed range for anything else."""
    try:
        return int(k)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"k must be a whole number between 1 and {MAX_K}") from None


def _span(s, e) -> tuple[int, int] | None:
    try:
        start, end = int(s), int(e)
    except (TypeError, ValueError):
        return None
    return (start, end) if 0 <= start < end else None


def _chunks(text: str, n: int = CHUNKS) -> list[str]:
    """Growing prefixes of the text, ending with the whole text."""
    step = max(1, -(-len(text) // n))
    return [text[:i] for i in range(step, len(text), step)] + [text]


def dept_key(name: str) -> str:
    """省商务厅 and 商务厅 are one department in a filter."""
    return re.sub(r"^省", "", apply_aliases(name.strip()))


def task_rows(searcher, dept: str = ALL) -> list[list]:
    """The task-division table rows, optionally only those a department takes part in."""
    want = dept_key(dept) if dept else ""
    rows = []
    for c in searcher.clauses:
        r = c.row
        if r is None or (want and not any(want in dept_key(d) for d in r.departments)):
            continue
        depts = "、".join(r.departments) + (" 等" if r.non_exhaustive else "")
        rows.append([r.number, r.task, r.lead, depts, searcher.docs[c.doc_id].title, c.id])
    return rows


def department_choices(searcher) -> list[tuple[str, str]]:
    counts: dict[str, int] = {}
    for c in searcher.clauses:
        for d in c.row.departments if c.row else ():
            counts[dept_key(d)] = counts.get(dept_key(d), 0) + 1
    ordered = sorted(counts, key=lambda d: (-counts[d], d))
    return [("全部部门", ALL)] + [(f"{d}（{counts[d]}）", d) for d in ordered]


def doc_choices(searcher, everything: str | None = "全部文件") -> list[tuple[str, str]]:
    docs = [(f"{d.title}（{d.id}）", d.id) for d in searcher.docs.values()]
    return ([(everything, ALL)] if everything else []) + docs


def section_choices(searcher, doc_id: str = ALL) -> list[tuple[str, str]]:
    """Section filters: sections and items of one document, or the top-level labels of all
    (named only where every document gives the label the same heading)."""
    paths: dict[str, set[str]] = {}
    for c in searcher.clauses:
        if c.kind not in ("section", "item", "table"):
            continue
        if (c.doc_id == doc_id and c.level <= 2) if doc_id else c.level == 1:
            paths.setdefault(".".join(c.labels), set()).add(c.path_text)
    return [("全部章节", ALL)] + [(next(iter(p)) if len(p) == 1 else key, key) for key, p in paths.items()]


DOC_HEADERS = ["文件 id", "标题", "发文机关", "文号", "日期", "格式", "编码", "条款数", "来源"]
TASK_HEADERS = ["序号", "工作任务", "牵头部门", "责任部门", "文件", "条款 id"]


def documents_table(searcher) -> list[list]:
    return [
        [r["id"], r["title"], r["issuer"] or "", r["number"] or "", r["date"] or "", r["format"], r["encoding"],
         r["clauses"], Path(r["source"]).name]
        for r in document_rows(searcher)
    ]


# -- the app -----------------------------------------------------------------------------------------
class WebApp:
    """Event handlers over one Service; `build()` lays out the Blocks and wires them."""

    def __init__(self, svc):
        self.svc = svc
        self.settings = svc.settings
        self.uploads = Path(self.settings.data_dir).resolve() / "uploads"
        self.feedback_path = Path(self.settings.data_dir) / "feedback.jsonl"

    # chat ---------------------------------------------------------------------------------------
    def respond(self, question: str, history: list, conv: Conversation):
        """Ask, then reveal the answer in a few chunks; yields (chatbot, textbox, sources, conv, last answer)."""
        history = list(history or [])
        blank = not (question or "").strip()
        try:
            answer = self.svc.ask(question, conv, channel="web").to_json()
        except (ValueError, *UNAVAILABLE) as e:
            if not blank:  # a blank question leaves the chat as it was; the message shows below it
                history.append({"role": "user", "content": render.answer_markdown(question)})
                history.append({"role": "assistant", "content": "提示：" + render.answer_markdown(str(e))})
            yield history, question if blank else "", render.message_html(str(e), "error"), conv, None
            return
        history.append({"role": "user", "content": render.answer_markdown(answer["question"])})  # as cleaned
        history.append({"role": "assistant", "content": ""})
        for part in _chunks(render.answer_markdown(answer["answer"])):
            history[-1] = {"role": "assistant", "content": part}
            yield list(history), "", gr.skip(), conv, gr.skip()
            time.sleep(CHUNK_PAUSE)
        history[-1] = {"role": "assistant", "content": _with_sources(answer)}
        yield history, "", sources_html(answer), conv, answer

    def clear(self):
        return [], "", "", Conversation(), None, render.panel_placeholder(), ""

    def feedback(self, answer: dict | None, verdict: str, comment: str):
        if not answer:
            return "还没有可以评价的回答。", comment
        record_feedback(self.feedback_path, answer, verdict, comment)
        return ("已记录：有用。谢谢！" if verdict == "useful" else "已记录：有误。管理员会复核。"), ""

    def open_clause(self, evt: gr.EventData) -> str:
        data = getattr(evt, "_data", None) or {}
        cid = str(data.get("cid", ""))
        try:
            s = self.svc.searcher
            c = s.clause(cid)
        except (KeyError, *UNAVAILABLE) as e:
            return render.message_html(_problem(e), "error")
        prev, nxt = s.neighbours(c.id)
        span = _span(data.get("s"), data.get("e"))
        span = span if span and span[1] <= len(c.text) else None
        return render.clause_panel_html(s.docs[c.doc_id].title, c, span, prev, nxt)

    # search -------------------------------------------------------------------------------------
    def run_search(self, query: str, mode: str, doc: str, section: str, k: float) -> str:
        try:
            s = self.svc.searcher
            result = search_json(s, query or "", _whole(k), doc or None, (section or "").strip() or None, mode,
                                 self.settings.max_question_chars)
        except (ValueError, *UNAVAILABLE) as e:
            return render.message_html(_problem(e), "error")
        return render.hits_html(result["hits"], s.tokenizer.tokenize_query(query), fold)

    def sections_for(self, doc: str):
        try:
            return gr.update(choices=section_choices(self.svc.searcher, doc or ALL), value=ALL)
        except UNAVAILABLE:
            return gr.update(choices=[("全部章节", ALL)], value=ALL)

    # documents ----------------------------------------------------------------------------------
    def outline(self, doc: str) -> str:
        try:
            s = self.svc.searcher
        except UNAVAILABLE as e:
            return render.message_html(str(e), "error")
        if not doc:
            return render.message_html("选择一个文件查看条款目录。", "info")
        return render.clause_tree_html([c for c in s.clauses if c.doc_id == doc])

    def tasks(self, dept: str):
        try:
            return task_rows(self.svc.searcher, dept or ALL)
        except UNAVAILABLE:
            return []

    def refresh(self):
        """Everything that depends on the current index: tables and the choices of every dropdown."""
        try:
            s = self.svc.searcher
        except UNAVAILABLE as e:
            note = render.message_html(str(e), "error")
            empty = gr.update(choices=[], value=None)
            return [], empty, empty, note, [], empty, empty
        docs = doc_choices(s)
        only_docs = doc_choices(s, None)
        first = only_docs[0][1] if only_docs else None
        return (
            documents_table(s),
            gr.update(choices=docs, value=ALL),
            gr.update(choices=only_docs, value=first),
            self.outline(first or ""),
            task_rows(s),
            gr.update(choices=department_choices(s), value=ALL),
            gr.update(choices=only_docs, value=None),
        )

    # admin --------------------------------------------------------------------------------------
    def login(self, password: str):
        ok = check_password(password, self.settings.admin_password)
        if not ok:
            time.sleep(WRONG_PASSWORD_PAUSE)
            return False, gr.update(visible=False), "密码不正确。", ""
        return True, gr.update(visible=True), "已登录。", ""

    def upload(self, files, authed: bool, progress=gr.Progress()) -> str:
        """Store the accepted files in data/uploads and ingest them; one line per outcome."""
        if not authed:
            return "请先输入管理密码。"
        if not files:
            return "请选择要上传的文件。"
        stored, problems = [], []
        already = set(self.uploads.iterdir()) if self.uploads.exists() else set()
        for f in files if isinstance(files, list) else [files]:
            src = Path(getattr(f, "name", f))
            try:
                stored.append(store_upload(src, src.name, self.uploads, self.settings.max_upload_mb * 1_000_000))
            except UploadError as e:
                problems.append(str(e))
            finally:
                src.unlink(missing_ok=True)  # Gradio's temporary copy; stored files live in data/uploads
        lines = [f"拒绝 {p}" for p in problems]
        if not stored:
            return "\n".join(["没有可导入的文件。", *lines])
        try:
            report, meta = self.svc.ingest(
                stored,
                progress=lambda it: progress.tqdm(list(it), desc="解析文件"),
                embed_progress=lambda it: progress.tqdm(it, desc="计算向量"),
            )
        except IndexBusy as e:
            # Nothing was ingested: files this upload added must not linger in uploads/ unindexed
            # (a file that was already there stays: it belongs to an ingested document).
            for path in stored:
                if path not in already:
                    path.unlink(missing_ok=True)
            return "\n".join([f"另一个导入正在进行，本次上传的文件未保存；请等它完成后重新上传。（{e}）", *lines])
        for skipped in report.skipped:  # unreadable files are not kept: uploads/ holds ingested documents only
            if Path(skipped.source).parent == self.uploads:
                Path(skipped.source).unlink(missing_ok=True)
        return "\n".join([_report_summary(report, meta), *lines])

    def remove(self, doc_id: str, confirmed: bool, authed: bool) -> str:
        if not authed:
            return "请先输入管理密码。"
        if not doc_id:
            return "请选择要删除的文件。"
        if not confirmed:
            return "请勾选“确认删除”。"
        source = self.svc.records.manifest().get(doc_id, {}).get("source", "")
        try:
            self.svc.remove(doc_id)
        except (KeyError, IndexBusy) as e:
            return _problem(e)
        src = Path(source)
        if source and src.resolve().parent == self.uploads:
            src.unlink(missing_ok=True)
            return f"已删除 {doc_id}（及其上传的文件）。"
        return f"已删除 {doc_id}。它来自语料目录 {src.parent}；下次运行 `policyqa ingest` 时会再次导入，除非先把文件移走。"

    # api ----------------------------------------------------------------------------------------
    def api_ask(self, question: str = "") -> str:
        """Answer a question with cited clauses. Returns the JSON text `policyqa ask --json` prints
        (text rather than an object: gradio_client would take the citations' "path" keys for files)."""
        try:
            return json.dumps(self.svc.ask(question, Conversation(), channel="gradio").to_json(), ensure_ascii=False)
        except (ValueError, *UNAVAILABLE) as e:
            raise _client_error(e, str(e)) from None

    def api_search(self, query: str, k: int = 5, doc: str = "", section: str = "", mode: str = "hybrid") -> str:
        """Find clauses. Returns the JSON text `policyqa search --json` prints."""
        try:
            result = search_json(self.svc.searcher, query, _whole(k), doc or None, section or None, mode,
                                 self.settings.max_question_chars)
        except (ValueError, *UNAVAILABLE) as e:
            raise _client_error(e, _problem(e)) from None
        return json.dumps(result, ensure_ascii=False)

    # layout -------------------------------------------------------------------------------------
    def build(self) -> gr.Blocks:
        with gr.Blocks(title="政策文件问答", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
            gr.Markdown("## 政策文件问答 · policyqa")
            # Registered first so that they own the names /ask and /search.
            gr.api(self.api_ask, api_name="ask", concurrency_limit=CONCURRENT_READS)
            gr.api(self.api_search, api_name="search", concurrency_limit=CONCURRENT_READS)
            with gr.Tabs():
                with gr.Tab("问答", id="chat"):
                    self._chat_tab()
                with gr.Tab("条款检索", id="search"):
                    search_doc = self._search_tab()
                with gr.Tab("文件", id="docs"):
                    table, doc, tree, tasks, dept = self._documents_tab()
                with gr.Tab("管理", id="admin"):
                    remove_doc, changed = self._admin_tab()
            outputs = [table, search_doc, doc, tree, tasks, dept, remove_doc]
            demo.load(self.refresh, None, outputs, api_visibility="private")
            for event in changed:  # an ingest or removal changes every list of documents
                event.then(self.refresh, None, outputs, api_visibility="private")
        return demo

    def _chat_tab(self) -> None:
        conv = gr.State(Conversation())
        last = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="对话", height=440, elem_id="pq-chat", feedback_options=None,
                                     buttons=["copy"], placeholder="就已导入的政策文件提问，回答附条款引用。")
                sources = gr.HTML(elem_id="pq-sources", js_on_load=CLICK_JS)
                with gr.Row():
                    msg = gr.Textbox(placeholder="输入问题，按回车发送", show_label=False, scale=5,
                                     elem_id="pq-question", max_length=self.settings.max_question_chars)
                    send = gr.Button("发送", variant="primary", scale=1, elem_id="pq-send")
                with gr.Row():
                    useful = gr.Button("有用", size="sm", elem_id="pq-useful")
                    wrong = gr.Button("有误", size="sm", elem_id="pq-wrong")
                    comment = gr.Textbox(placeholder="（可选）说明哪里有误", show_label=False, lines=1, scale=3,
                                         container=False)
                    clear = gr.Button("清空对话", size="sm", elem_id="pq-clear")
                status = gr.Markdown(elem_id="pq-status")
                gr.Examples([[q] for q in EXAMPLE_QUESTIONS], inputs=msg, label="示例问题")
            with gr.Column(scale=2):
                panel = gr.HTML(render.panel_placeholder(), elem_id="pq-panel", js_on_load=CLICK_JS)
        chat_io = dict(inputs=[msg, chatbot, conv], outputs=[chatbot, msg, sources, conv, last],
                       api_visibility="private", concurrency_limit=CONCURRENT_READS)
        msg.submit(self.respond, **chat_io)
        send.click(self.respond, **chat_io)
        for trigger in (clear.click, chatbot.clear):  # the chat's own bin icon forgets the conversation too
            trigger(self.clear, None, [chatbot, msg, sources, conv, last, panel, status], api_visibility="private")
        useful.click(lambda a, c: self.feedback(a, "useful", c), [last, comment], [status, comment],
                     api_visibility="private")
        wrong.click(lambda a, c: self.feedback(a, "wrong", c), [last, comment], [status, comment],
                    api_visibility="private")
        sources.click(self.open_clause, None, panel, api_visibility="private")
        panel.click(self.open_clause, None, panel, api_visibility="private")

    def _search_tab(self):
        with gr.Row():
            query = gr.Textbox(label="检索词", placeholder="例如：住房补贴 计入成本", scale=4, elem_id="pq-query")
            go = gr.Button("检索", variant="primary", scale=1)
        with gr.Row():
            mode = gr.Radio(SEARCH_MODES, value="hybrid", label="方式")
            doc = gr.Dropdown([("全部文件", ALL)], value=ALL, label="文件")
            section = gr.Dropdown([("全部章节", ALL)], value=ALL, label="章节（如 五 或 五.（二））",
                                  allow_custom_value=True)
            k = gr.Slider(1, 50, value=10, step=1, label="条数")
        with gr.Row():
            with gr.Column(scale=3):
                results = gr.HTML(elem_id="pq-results", js_on_load=CLICK_JS)
            with gr.Column(scale=2):
                panel = gr.HTML(render.panel_placeholder("点击条款标题，在此查看原文。"), js_on_load=CLICK_JS)
        inputs = [query, mode, doc, section, k]
        query.submit(self.run_search, inputs, results, api_visibility="private", concurrency_limit=CONCURRENT_READS)
        go.click(self.run_search, inputs, results, api_visibility="private", concurrency_limit=CONCURRENT_READS)
        doc.change(self.sections_for, doc, section, api_visibility="private")
        results.click(self.open_clause, None, panel, api_visibility="private")
        panel.click(self.open_clause, None, panel, api_visibility="private")
        return doc

    def _documents_tab(self):
        gr.Markdown("### 已导入的文件")
        table = gr.Dataframe(headers=DOC_HEADERS, interactive=False, wrap=True)
        gr.Markdown("### 条款目录")
        with gr.Row():
            with gr.Column(scale=3):
                doc = gr.Dropdown([], label="文件")
                tree = gr.HTML(js_on_load=CLICK_JS, max_height=520)
            with gr.Column(scale=2):
                panel = gr.HTML(render.panel_placeholder("点击目录中的条款，在此查看原文。"), js_on_load=CLICK_JS)
        gr.Markdown("### 任务分工表（点击表头排序）")
        dept = gr.Dropdown([("全部部门", ALL)], value=ALL, label="部门（可输入简称，如 发改委）",
                           allow_custom_value=True, elem_id="pq-dept")
        tasks = gr.Dataframe(headers=TASK_HEADERS, datatype=["number", "str", "str", "str", "str", "str"],
                             interactive=False, wrap=True, show_search="filter", elem_id="pq-tasks")
        doc.change(self.outline, doc, tree, api_visibility="private")
        tree.click(self.open_clause, None, panel, api_visibility="private")
        panel.click(self.open_clause, None, panel, api_visibility="private")
        dept.change(self.tasks, dept, tasks, api_visibility="private")
        return table, doc, tree, tasks, dept

    def _admin_tab(self):
        """Returns the removal dropdown and the events after which the document lists must refresh."""
        if not self.settings.admin_password:
            gr.Markdown(
                "管理功能未启用。设置环境变量 `POLICYQA_ADMIN_PASSWORD` 后重新运行 `policyqa serve`，"
                "即可在此上传、导入和删除文件。", elem_id="pq-admin-disabled"
            )
            return gr.Dropdown(visible=False), []
        authed = gr.State(False)
        with gr.Row():
            password = gr.Textbox(type="password", label="管理密码", scale=3, elem_id="pq-password")
            login = gr.Button("登录", scale=1)
        login_msg = gr.Markdown()
        with gr.Column(visible=False) as admin:
            gr.Markdown(f"上传 {'、'.join(SUPPORTED_SUFFIXES)} 文件，单个不超过 {self.settings.max_upload_mb} MB。"
                        "文件保存在数据目录的 uploads 文件夹中，语料目录保持不变。")
            files = gr.File(file_count="multiple", file_types=list(SUPPORTED_SUFFIXES), label="上传文件")
            ingest = gr.Button("导入", variant="primary")
            ingest_msg = gr.Textbox(label="导入结果", lines=4, interactive=False, elem_id="pq-ingest-msg")
            with gr.Row():
                remove_doc = gr.Dropdown([], label="删除文件", scale=3)
                confirm = gr.Checkbox(label="确认删除", scale=1)
                remove = gr.Button("删除", variant="stop", scale=1)
            remove_msg = gr.Markdown()
        for trigger in (login.click, password.submit):
            trigger(self.login, password, [authed, admin, login_msg, password], api_visibility="private")
        ingested = ingest.click(self.upload, [files, authed], ingest_msg, api_visibility="private").then(
            lambda: None, None, files, api_visibility="private")
        removed = remove.click(self.remove, [remove_doc, confirm, authed], remove_msg, api_visibility="private").then(
            lambda: False, None, confirm, api_visibility="private")
        return remove_doc, [ingested, removed]


def sources_html(answer: dict) -> str:
    """Citations of an answer, or related clauses when it was not answered."""
    if answer["answered"] and answer["citations"]:
        return render.citations_html(answer["citations"])
    return render.related_html(answer["related"], "相关条款（未能直接回答，可查看这些条款）")


def _with_sources(answer: dict) -> str:
    text = render.answer_markdown(answer["answer"])
    if answer["citations"]:
        text += "\n\n" + "  \n".join(
            f"[{c['n']}] {render.answer_markdown(c['path'])}" for c in answer["citations"]
        )
    return text


def _report_summary(report, meta) -> str:
    r = report.to_json()
    lines = [
        f"完成：新增 {len(r['added'])}，更新 {len(r['updated'])}，未变 {r['unchanged']}，跳过 {len(r['skipped'])}；"
        f"共 {r['documents']} 个文件、{r['clauses']} 条条款。"
    ]
    lines += [f"新增 {d}" for d in r["added"]] + [f"更新 {d}" for d in r["updated"]]
    lines += [f"跳过 {Path(s['file']).name}：{s['reason']}" for s in r["skipped"]]
    lines.append(f"索引 {meta['generation']} 已启用。" if meta else "索引无需更新。")
    return "\n".join(lines)


# -- serving -----------------------------------------------------------------------------------------
def build_app(svc) -> gr.Blocks:
    return WebApp(svc).build()


def create_app(svc):
    """The FastAPI app with the JSON routes and, mounted at '/', the Gradio app."""
    api = create_api(svc)
    blocks = build_app(svc)
    app = gr.mount_gradio_app(
        api,
        blocks,
        path="/",
        css=CSS,
        footer_links=["api", "settings"],
        allowed_paths=[],  # no file routes beyond Gradio's own upload cache
        blocked_paths=[str(Path(svc.settings.data_dir).resolve()), str(Path(svc.settings.corpus_dir).resolve())],
        max_file_size=f"{svc.settings.max_upload_mb}mb",
        ssr_mode=False,
        show_error=False,  # messages of gr.Error still reach the user; tracebacks of bugs do not
    )
    # Gradio checks that a file named in a request was uploaded through it (not /etc/… or the data
    # folder) only for apps started by launch(); a mounted app must ask for the check itself.
    blocks.has_launched = True
    _refuse_nameless_uploads(app)
    return app


def _client_error(e: Exception, message: str) -> gr.Error:
    """The error an API caller sees for bad input or an unavailable store. Gradio prints a
    traceback of its own internals for every gr.Error unless told not to; a refused question is
    not a server fault, and an unavailable store gets one log line instead."""
    if not isinstance(e, ValueError):
        log.warning("gradio api: %s", message)
    return gr.Error(message, print_exception=False)


def _refuse_nameless_uploads(app) -> None:
    """Gradio's upload route fails with a TypeError (a bare 500) on a form part that has no file
    name, which no browser sends; answer such a request with 400 and a message instead."""
    from fastapi.responses import JSONResponse
    from starlette.routing import Mount

    gradio_app = next(r.app for r in app.routes if isinstance(r, Mount))

    async def refuse(request, exc: TypeError):
        if request.method == "POST" and request.url.path.endswith("/upload"):
            return JSONResponse({"error": "upload refused: a file has no name; name the file and upload it again"},
                                status_code=400)
        raise exc

    gradio_app.add_exception_handler(TypeError, refuse)


def warm(svc) -> None:
    """Load the model, the index and jieba's dictionary before the port opens, so the first
    question is as fast as the rest; a missing index is reported by the app instead."""
    try:
        svc.searcher.search("平台经济", k=1)
    except UNAVAILABLE as e:
        log.warning("serving without an index: %s", e)


def serve(svc, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Run the app with uvicorn until interrupted (`policyqa serve`)."""
    import uvicorn

    warm(svc)
    app = create_app(svc)
    print(f"policyqa: serving on http://{host}:{port} (JSON API described at /docs)", file=sys.stderr, flush=True)
    # Open browser tabs hold event streams; without a timeout, Ctrl-C would wait for them to close.
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=SHUTDOWN_GRACE)
