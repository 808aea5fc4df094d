"""The Gradio web app (问答 / 条款检索 / 文件 / 管理) mounted on the JSON API's FastAPI app: one server.

The only module that imports gradio. HTML comes from app.render, CSS and JS from app/static/,
conversations live in the browser (app.chats), answers and searches come from the Service."""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import collections  # noqa: E402
import hmac  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import unicodedata  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import gradio as gr  # noqa: E402

from app import chats, feedback, render  # noqa: E402
from app.api import MAX_K, UNAVAILABLE, create_api, document_meta, document_rows, search_json  # noqa: E402
from app.feedback import record_feedback  # noqa: E402,F401  (re-exported for the tests)
from app.messages import ZH_MESSAGES, zh_message  # noqa: E402,F401  (ZH_MESSAGES re-exported for the tests)
from app.qa import Conversation  # noqa: E402
from app.turns import PageTurns  # noqa: E402
from index.build import IndexBusy  # noqa: E402
from index.tokenizer import fold, normalize_query  # noqa: E402
from ingest.loaders import SUPPORTED_SUFFIXES  # noqa: E402
from ingest.records import Answer, Citation, content_hash  # noqa: E402

try:  # departments' equivalence groups, where the index has them
    from index.lexicon import body_key as _body_key  # noqa: E402
except ImportError:  # the query normaliser applies the alias table instead
    _body_key = None

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
# When the corpus offers none of its own (no index yet): questions any policy corpus answers.
GENERAL_EXAMPLES = ["这些文件对企业有哪些扶持措施？", "哪个部门负责监督管理？"]
MAX_EXAMPLES = 4
EXAMPLE_SCAN = 5000  # clauses read for a defined term: the examples are built once, at start-up
_DEFINED = re.compile(r"(?:^|[。；：\n]|第[一二三四五六七八九十百]+条\s*)(?:本\w{1,4}所称)?“?([\u4e00-\u9fa5]{2,10})”?，是指")
SEARCH_MODES = [("混合（关键词+语义）", "hybrid"), ("关键词", "keyword"), ("语义", "semantic")]
ALL = ""  # the "no filter" value of every dropdown
ALL_SECTIONS = "全部章节"  # the label of the section filter's ALL
CHUNKS = 6  # pieces an answer is revealed in, for the streaming feel
CHUNK_PAUSE = 0.04
WRONG_PASSWORD_PAUSE = 1.0  # seconds; slows down guessing
SHUTDOWN_GRACE = 3  # seconds open connections get to finish when the server is stopped
# Questions and searches of different users run side by side (Gradio's default is one at a time per
# event, which queued every chat user behind the others). The login keeps that default: one
# password guess at a time, each wrong one followed by a pause.
CONCURRENT_READS = 8
REBUILT_TURNS = 3  # answers from the browser's copy that restore a conversation the server forgot
STORAGE_KEY = "policyqa-conversations"
GRADIO_ZH = {"common.complete": "完成", "status.queue_position": "排队中：第 {position} 位，共 {size} 位"}
# One click handler for every HTML component (clause buttons, copy, feedback, conversations, sorting).
EVENTS_JS = (STATIC / "events.js").read_text(encoding="utf-8")

# Kinds of official documents (the 公文 kinds and the usual regulatory forms), longest first: the
# 文种 column falls back to the one a title ends with when a record has no doc_type of its own.
DOC_KINDS = sorted(
    "指导意见 实施意见 实施细则 实施方案 行动计划 管理办法 暂行办法 决议 决定 命令 公报 公告 通告 意见 通知 通报 报告 "
    "请示 批复 议案 函 纪要 条例 规定 办法 细则 方案 规划 纲要 计划 措施 规则 法".split(), key=len, reverse=True)

# -- uploads (plain functions: tested without a server) ----------------------------------------------
class UploadError(ValueError):
    """Why a file is refused (the message) and what to do about it (`advice`)."""

    def __init__(self, message: str, advice: str = ""):
        super().__init__(message)
        self.advice = advice


# Gradio's own checks of type and size run in the browser and answer in English toasts; the upload
# area accepts every file instead, the import names what is wrong with each in Chinese, and this
# cap on one upload request (all files chosen at once) stays on the server.
UPLOAD_REQUEST_FACTOR = 5  # one upload request may carry this many files of the largest accepted size
UPLOAD_ROUTES = ("/gradio_api/upload", "/gradio_api/process_recording")


# "快递暂行条例(2019-03-02)": the version date that ingest reads from a file name (and keeps out of
# the title); an upload keeps it, so that two uploaded versions of a law are told apart by date.
VERSION_STAMP = re.compile(r"\(\d{4}-\d{2}-\d{2}\)$")


def _clean_name_part(part: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in part)
    return re.sub(r"\.{2,}", ".", re.sub(r"_{2,}", "_", cleaned)).strip("._-")


def sanitize_filename(name: str) -> str:
    """A safe file name: the base name only, CJK letters, digits, ASCII letters and `-_.` kept, and
    a version date "(2019-03-02)" at the end of the name."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name or ""))[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stamp = VERSION_STAMP.search(stem)
    stem = _clean_name_part(stem[:stamp.start()] if stamp else stem)[:100]
    suffix = _clean_name_part(suffix)
    if not stem:
        raise UploadError(f"文件名“{name}”中没有可用的字符，请改名后重新上传。")
    stem += stamp.group(0) if stamp else ""
    return f"{stem}.{suffix}" if suffix else stem


def check_upload(src: Path, name: str, max_bytes: int) -> str:
    """The sanitised name if the file may be stored; UploadError with the reason otherwise."""
    safe = sanitize_filename(name)
    suffix = Path(safe).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadError(
            f"{safe}：不支持的文件类型 {suffix or '（无扩展名）'}，支持 {'、'.join(SUPPORTED_SUFFIXES)}",
            "请把文件另存为其中一种格式后重新上传。",
        )
    size = src.stat().st_size
    if size == 0:
        raise UploadError(f"{safe}：文件是空的", "请检查文件内容后重新上传。")
    if size > max_bytes:
        # images make a Word or PDF file large; a text file has none to remove
        pictures = "（或删去其中的图片）" if suffix in (".docx", ".pdf", ".html", ".htm") else ""
        raise UploadError(f"{safe}：{size / 1e6:.1f} MB，超过了 {max_bytes / 1e6:.0f} MB 的上限",
                          f"请把它拆成几个较小的文件{pictures}后重新上传。")
    return safe


def store_upload(src: Path, name: str, uploads: Path, max_bytes: int) -> Path:
    """Copy an accepted upload into `uploads` atomically. A different file with the same name is
    kept and the new one gets a suffixed name, so an upload never replaces a stored document."""
    safe = check_upload(src, name, max_bytes)
    uploads.mkdir(parents=True, exist_ok=True)
    data_hash = content_hash(src.read_bytes())
    target = uploads / safe
    if target.exists() and content_hash(target.read_bytes()) != data_hash:
        stem = target.stem  # the hash goes before a version date, which must end the name
        cut = stamp.start() if (stamp := VERSION_STAMP.search(stem)) else len(stem)
        target = uploads / f"{stem[:cut]}-{data_hash[:6]}{stem[cut:]}{target.suffix}"
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


# -- small helpers -----------------------------------------------------------------------------------
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


def with_versions(searcher, answer: dict) -> dict:
    """An answer's citations and related clauses, each marked with its document's version and
    whether it is in force when the corpus holds several versions of that document: in the chat
    the 2020 and the 2025 text of one regulation otherwise read alike (same title, same 第八条)."""
    catalogue = getattr(searcher, "catalogue", None)
    if catalogue is None:
        return answer

    def mark(item: dict) -> dict:
        clause = searcher.by_id.get(item.get("clause_id", ""))
        info = catalogue.docs.get(clause.doc_id) if clause is not None else None
        if info is None or len(catalogue.versions_of(info.id)) < 2:
            return item
        return {**item, "in_force": info.in_force, **({"version_date": info.version} if info.version else {})}

    return {**answer, "citations": [mark(c) for c in answer.get("citations", [])],
            "related": [mark(h) for h in answer.get("related", [])]}


def _clip(question: str, n: int = 30) -> str:
    """A question as a status line names it: at most `n` characters, in quotes."""
    q = " ".join(question.split())
    return f"“{q[:n]}{'…' if len(q) > n else ''}”"


def _chunks(text: str, n: int = CHUNKS) -> list[str]:
    """Growing prefixes of the text, ending with the whole text."""
    step = max(1, -(-len(text) // n))
    return [text[:i] for i in range(step, len(text), step)] + [text]


def _event(evt) -> dict:
    data = getattr(evt, "_data", None)
    return data if isinstance(data, dict) else {}


def dept_key(name: str) -> str:
    """省商务厅 and 商务厅 (and 发改委 and 发展改革委) are one department in a filter."""
    if _body_key is not None:
        return _body_key(name)
    return re.sub(r"^省", "", normalize_query(name.strip()))


def task_rows(searcher, dept: str = ALL) -> list[list]:
    """The task-division table rows, optionally only those a department takes part in."""
    want = dept_key(dept) if dept else ""
    rows = []
    for c in searcher.clauses:
        r = c.row
        if r is None or (want and not any(want in dept_key(d) for d in r.departments)):
            continue
        depts = "、".join(r.departments) + ("等" if r.non_exhaustive else "")
        rows.append([r.number, r.task, r.lead, depts, searcher.docs[c.doc_id].title, c.id])
    return rows


def department_choices(searcher) -> list[tuple[str, str]]:
    """Each department of the task tables once, by the name the tables write most often (经济和信息化委,
    not the key it shares with today's 工业和信息化厅), with the number of rows the filter then shows."""
    rows = [c.row for c in searcher.clauses if c.row]
    written: dict[str, dict[str, int]] = {}
    for r in rows:
        for d in r.departments:
            names = written.setdefault(dept_key(d), {})
            names[d] = names.get(d, 0) + 1
    counts = {k: sum(any(k in dept_key(d) for d in r.departments) for r in rows) for k in written}
    ordered = sorted(written, key=lambda k: (-counts[k], k))
    label = {k: max(names, key=lambda n: (names[n], -len(n))) for k, names in written.items()}
    return [("全部部门", ALL)] + [(f"{label[k]}（{counts[k]}）", k) for k in ordered]


def example_questions(searcher) -> list[str]:
    """Example questions built from the corpus loaded, so that each is one it answers: the department
    of the task tables with most rows and the first row's task, a term a document defines, when a
    document takes effect. None of them is written for one document."""
    out: list[str] = []
    rows = [c.row for c in searcher.clauses if c.row]
    if rows:
        label = department_choices(searcher)[1][0].rsplit("（", 1)[0]
        out += [f"{rows[0].task.split('，')[0]}由哪个部门负责？", f"{label}负责哪些任务？"]
    for c in searcher.clauses[:EXAMPLE_SCAN]:
        if m := _DEFINED.search(c.text):
            out.append(f"{m.group(1)}是指什么？")
            break
    dated = [d for d in searcher.docs.values() if d.effective]
    if dated:
        out.append(f"{min(dated, key=lambda d: (d.effective, d.title)).title}什么时候开始施行？")
    return (out + GENERAL_EXAMPLES)[:MAX_EXAMPLES] if len(out) < 2 else out[:MAX_EXAMPLES]


IMPORTING = "正在保存并导入所选文件：先解析条款，再计算向量，每个文件需要几秒到几十秒，请稍候……"
# Gradio's progress display says "processing | 0.4s" and "queue: 1/2" in English whatever the page
# language: the events hide it (QUIET), and those that take a while say at once, in Chinese, that
# they are working.
ANSWERING = "正在查找相关条款并组织回答，请稍候……"
QUEUED = "上一个问题回答完后，接着回答：{question}"
SEARCHING = "正在检索，请稍候……"
REMOVING = "正在删除，并重建索引，请稍候……"
# Every event of the page: not part of the API, and without Gradio's progress display (the upload,
# whose progress bar is in Chinese, keeps it).
QUIET = dict(show_progress="hidden", api_visibility="private")


def _in_place(searcher, clause) -> tuple[tuple[str, ...], list]:
    """What the panel shows a clause with: a table row's column names (the lines of its table's
    heading after the title: 序号, 工作任务, 责任部门), and the parts under it that its text does not
    hold (those of "一、总体要求", the rows of a table)."""
    columns: tuple[str, ...] = ()
    if clause.kind == "row" and clause.parent_id:
        try:
            columns = tuple(searcher.clause(clause.parent_id).text.split("\n")[1:])
        except KeyError:
            pass
    # a section's or item's text stops where its first part begins ("（三）发展目标。围绕…" before its
    # 1﹒…4﹒), a table's at its column names; an article's holds its items already
    return columns, searcher.children(clause.id) if clause.kind != "article" else []


def _send_at_once(html: str) -> str:
    """The js of sending a question: (the box emptied, the question, `html` in the status, the
    question's number on this page: 1, 2, …), in the browser."""
    return f"(q) => ['', q, {json.dumps(html, ensure_ascii=False)}, (window.pqSent = (window.pqSent || 0) + 1)]"


def _show_at_once(html: str) -> str:
    """The js of an event that puts `html` into its output in the browser, before the server answers."""
    return f"() => {json.dumps(html, ensure_ascii=False)}"


# The dates that tell one version of a document from another, best first; a date in the document's
# id (its file name, "条例(2020-07-05)") comes before the date it took effect.
VERSION_DATES = ("version_date", "date", "promulgated", "adopted", "id", "effective")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def version_of(doc) -> str:
    """The date of this version of a document ("2025-03-17"), or "" when it has none."""
    for key in VERSION_DATES:
        value = getattr(doc, key, None) or ""
        if key == "id":
            value = m.group(0) if (m := ISO_DATE.search(value)) else ""
        if value:
            return value
    return ""


def doc_choices(searcher, everything: str | None = "全部文件") -> list[tuple[str, str]]:
    """One choice a document; every version of a document (the same title) is labelled alike, by
    the title and the version's date, "保障中小企业款项支付条例（2025-03-17 版）" (by its id when it has
    no date, or shares the date with another version)."""
    versions = version_notes(searcher)
    docs = [(d.title + versions[d.id], d.id) for d in searcher.docs.values()]
    return ([(everything, ALL)] if everything else []) + docs


def version_notes(searcher) -> dict[str, str]:
    """For each document, what tells it from the other versions of the same title: "（2025-03-17 版）",
    or "" when no other document has its title."""
    titles = collections.Counter(d.title for d in searcher.docs.values())
    dated = collections.Counter((d.title, version_of(d)) for d in searcher.docs.values())

    def note(d) -> str:
        date = version_of(d)
        if titles[d.title] == 1:
            return ""
        if not date:
            return f"（{d.id}）"
        return f"（{date} 版）" if dated[(d.title, date)] == 1 else f"（{date} 版，{d.id}）"

    return {d.id: note(d) for d in searcher.docs.values()}


def section_choices(searcher, doc_id: str = ALL) -> list[tuple[str, str]]:
    """Section filters: sections and items of one document, or the top-level labels of all
    (named only where every document gives the label the same heading)."""
    paths: dict[str, set[str]] = {}
    for c in searcher.clauses:
        if c.kind not in ("section", "item", "table"):
            continue
        if (c.doc_id == doc_id and c.level <= 2) if doc_id else c.level == 1:
            paths.setdefault(".".join(c.labels), set()).add(c.path_text)
    return [(ALL_SECTIONS, ALL)] + [(next(iter(p)) if len(p) == 1 else key, key) for key, p in paths.items()]


# What people type for a section path, in the form of the clause labels: "五、" or "五." is 五;
# "五.(二)", "五．（二）", "五 > （二）" and "五（二）" are 五.（二）.
SECTION_TYPED = [(r"\(", "（"), (r"\)", "）"), (r"\s*(>|＞|\.|．|。|、|,|，)\s*", "."), (r"\s+", "."),
                 (r"(?<=[^.])（", ".（")]
SECTIONS_LISTED = 12  # sections named in the message about a section that does not exist


def section_key(searcher, typed: str, docs: set[str] | None) -> str | None:
    """The label path ("五.（二）") of a section the user typed or chose, within the documents
    `docs` (all when None); None when no clause there has it."""
    typed = (typed or "").strip()
    named = {c.path_text: ".".join(c.labels) for c in searcher.clauses if docs is None or c.doc_id in docs}
    key = typed
    for pattern, repl in SECTION_TYPED:
        key = re.sub(pattern, repl, key)
    key = named.get(typed) or key.strip(".")
    prefix = tuple(key.split("."))
    found = any(c.labels[: len(prefix)] == prefix for c in searcher.clauses if docs is None or c.doc_id in docs)
    return key if found else None


def missing_section_message(searcher, typed: str, doc_ids: set[str] | None) -> str:
    """Which section is not there, which sections are, and what to do."""
    if doc_ids and len(doc_ids) == 1:
        doc_id = next(iter(doc_ids))
        where = f"《{searcher.docs[doc_id].title}》{version_notes(searcher)[doc_id]}中"
    else:
        where = "所选文件中" if doc_ids else "已导入的文件中"
    tops = list(dict.fromkeys(c.labels[0] for c in searcher.clauses
                              if c.level == 1 and c.kind in ("section", "item", "table")
                              and (doc_ids is None or c.doc_id in doc_ids)))
    listed = "、".join(tops[:SECTIONS_LISTED]) + ("等" if len(tops) > SECTIONS_LISTED else "")
    have = f"，有这些章节：{listed}。" if tops else "。"
    return (f"{where}没有章节“{typed.strip()}”{have}"
            f"请在“章节”列表中选择（也可输入 五 或 五.（二） 这样的编号），或选“{ALL_SECTIONS}”后再检索。")


def infer_doc_type(title: str) -> str:
    """The kind of document a title ends with (…的指导意见 -> 指导意见), or "" when none."""
    t = re.sub(r"[（(][^）)]*[）)]$", "", (title or "").strip())  # "（试行）", "（征求意见稿）"
    return next((k for k in DOC_KINDS if t.endswith(k)), "")


def doc_meta(searcher, doc) -> dict:
    """A document's metadata for filters and display: the record's own fields, the region and
    in-force flag the searcher's catalogue derived (when it has one), and the kind from the title."""
    meta = document_meta(doc)
    catalogue = getattr(searcher, "catalogue", None)
    info = getattr(catalogue, "docs", {}).get(doc.id) if catalogue is not None else None
    if info is not None and getattr(info, "region", "") and "region" not in meta:
        meta["region"] = info.region
    # in force or not, said of a document the corpus holds in several versions: of one held in a single
    # version nothing tells (a guideline whose targets ended in 2020 would read 现行有效)
    if (info is not None and getattr(catalogue, "superseded", None) and "in_force" not in meta
            and len(catalogue.versions_of(doc.id)) > 1):
        meta["in_force"] = bool(getattr(info, "in_force", True))
    meta.setdefault("doc_type", infer_doc_type(doc.title) or None)
    return {k: v for k, v in meta.items() if v is not None}


VERSION_CHOICES = [("全部版本", ALL), ("现行有效", "current"), ("已失效或旧版本", "old")]


def filter_choices(searcher) -> dict[str, list[tuple[str, str]]]:
    """Choices of the region, type and version filters from what the documents carry; a filter
    with nothing to choose from has only its "all" entry (and stays hidden)."""
    metas = [doc_meta(searcher, d) for d in searcher.docs.values()]
    regions = sorted({m["region"] for m in metas if m.get("region")})
    types = sorted({m["doc_type"] for m in metas if m.get("doc_type")})
    versions = VERSION_CHOICES if any("in_force" in m for m in metas) else VERSION_CHOICES[:1]
    return {
        "region": [("全部地区", ALL)] + [(r, r) for r in regions],
        "doc_type": [("全部文种", ALL)] + [(t, t) for t in types],
        "version": versions,
    }


def docs_matching(searcher, region: str = ALL, doc_type: str = ALL, version: str = ALL) -> set[str] | None:
    """Ids of the documents the metadata filters allow; None when no filter is set."""
    if not (region or doc_type or version):
        return None
    out = set()
    for d in searcher.docs.values():
        m = doc_meta(searcher, d)
        if region and m.get("region") != region or doc_type and m.get("doc_type") != doc_type:
            continue
        if version and m.get("in_force", True) != (version == "current"):
            continue
        out.add(d.id)
    return out


def query_terms(tokenizer, query: str) -> tuple[list[str], list[str]]:
    """The user's own words (folded; a single character only when it is the whole query) and the
    words the search added for them: synonyms and other names of the bodies named."""
    own = list(dict.fromkeys(tokenizer.tokenize(fold(query or "").strip())))
    terms = [t for t in own if len(t) >= 2] or (own if len(own) == 1 else [])
    added = [t for t in dict.fromkeys(tokenizer.tokenize_query(query or "")) if t not in own and len(t) >= 2]
    return terms, [t for t in added if not any(t in w for w in terms)]


def documents_rows(searcher) -> list[dict]:
    """document_rows with the display metadata of doc_meta."""
    return [{**r, **doc_meta(searcher, searcher.docs[r["id"]])} for r in document_rows(searcher)]


def browser_secret(data_dir: Path) -> str:
    """The key Gradio encrypts the stored conversations with, kept in the data folder so that they
    survive a restart of the server (a new key each start would make every browser's copy unreadable)."""
    path = Path(data_dir) / ".browser-secret"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    secret = secrets.token_urlsafe(24)
    with os.fdopen(fd, "w") as f:
        f.write(secret)
    return secret


# -- the app -----------------------------------------------------------------------------------------
class WebApp:
    """Event handlers over one Service; `build()` lays out the Blocks and wires them."""

    def __init__(self, svc):
        self.svc = svc
        self.settings = svc.settings
        self.uploads = Path(self.settings.data_dir).resolve() / "uploads"
        self.feedback_path = Path(self.settings.data_dir) / "feedback.jsonl"
        self.audit_path = Path(self.settings.data_dir) / "logs" / "audit.jsonl"
        self.turns = PageTurns()

    # conversations --------------------------------------------------------------------------------
    def _views(self, store: dict):
        """(conversation list, chat) of a store."""
        conv = chats.current(store)
        return render.conversations_html(store["convs"], store["current"]), render.chat_html(conv["msgs"])

    def restore(self, store):
        """On page load: the conversations the browser kept, or a first empty one. An empty one gets an
        id of its own: the page's default store is built once, so every new browser brings the same id."""
        store = chats.renamed_empty(chats.normalize(store))
        return (store, *self._views(store))

    def new_conversation(self, store):
        store = chats.normalize(store)
        chats.start(store)
        return (store, *self._views(store), render.panel_placeholder(), "")

    def conversation_click(self, store, evt: gr.EventData):
        """Switch to (data-conv) or delete (data-del) a conversation of the list."""
        store = chats.normalize(store)
        data = _event(evt)
        if data.get("del"):
            chats.delete(store, str(data["del"]))
        elif not chats.switch(store, str(data.get("conv", ""))):
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return (store, *self._views(store), render.panel_placeholder(), "")

    def _conversation(self, conv: dict) -> Conversation:
        """The server's conversation for a browser one; rebuilt from the last stored answers when the
        server no longer has it (restarted, or the conversation came from another browser tab)."""
        c = self.svc.sessions.get(conv["id"])
        # The browser's messages are the conversation; the server's copy only spares rebuilding it. One
        # that does not end with the browser's last question (another browser's conversation of the
        # same id, or one the browser has since lost) is not this conversation.
        last = conv["msgs"][-1]["question"] if conv["msgs"] else None
        if (c.last[0] if c.last else None) != last:
            c.turns.clear()
        if not c.turns and conv["msgs"]:
            try:
                s = self.svc.searcher
            except UNAVAILABLE:
                return c
            for m in conv["msgs"][-REBUILT_TURNS:]:
                cites = []
                for cite in m.get("citations", []):
                    try:
                        cites.append(Citation(int(cite["n"]), s.clause(cite["clause_id"]), cite["doc_title"],
                                              cite.get("quote", "")))
                    except (KeyError, ValueError, TypeError):
                        continue  # a clause that no longer exists cannot be followed up
                c.add(m["question"], Answer(m["question"], m["answer"], bool(m.get("answered")),
                                            str(m.get("mode", "")), str(m.get("kind", "")), tuple(cites), (),
                                            query=str(m.get("query") or "")))
        return c

    # chat -------------------------------------------------------------------------------------------
    def respond(self, question: str | None, store, request: gr.Request | None = None, sent: int | None = None):
        """Ask in the current conversation, revealing the answer in a few chunks. Yields (chat,
        question box, store, conversation list, status). A refused question changes nothing but the
        status, and goes back into the box (the browser emptied it when it was sent) to be corrected.

        One browser page's questions are answered one after another, in the order sent: a question
        sent while the previous one is being answered waits for it, and then starts from the
        conversation as that answer left it (the store this call got is older), so neither the
        question nor the answer before it is lost. The order is `sent`, the number the browser gave
        the question, not the order in which the server happens to pick the requests up."""
        number = int(sent) if isinstance(sent, (int, float)) and sent >= 1 else None
        with self.turns.turn(getattr(request, "session_hash", None), number) as turn:
            if turn.waiting:
                yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), render.message_html(
                    QUEUED.format(question=_clip(question or "")), "info")
                turn.wait()
                yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), render.message_html(ANSWERING, "info")
            store = chats.normalize(store)
            chats.merge(store, turn.given)
            conv = chats.current(store)
            try:
                server_conv = self._conversation(conv)
                answer = self.svc.ask(question or "", server_conv, channel="web")
            except (ValueError, *UNAVAILABLE) as e:
                box = question if (question or "").strip() else gr.skip()
                yield gr.skip(), box, gr.skip(), gr.skip(), render.message_html(zh_message(e), "error")
                return
            # what was searched, so that a follow-up after a reload resolves against it as before
            answer = with_versions(self.svc.searcher, {**answer.to_json(), "query": answer.query})
            for part in _chunks(answer["answer"])[:-1]:
                pending = {"question": answer["question"], "answer": part, "answered": answer["answered"]}
                # the status keeps a later question's "接着回答" note while this answer is revealed
                status = "" if not turn.behind() else gr.skip()
                yield render.chat_html(conv["msgs"], pending), gr.skip(), gr.skip(), gr.skip(), status
                time.sleep(CHUNK_PAUSE)
            turn.given.append((conv["id"], chats.add_answer(store, answer)))
            status = "" if not turn.behind() else gr.skip()
            yield render.chat_html(chats.current(store)["msgs"]), gr.skip(), store, self._views(store)[0], status

    def chat_click(self, store, evt: gr.EventData):
        """A click inside the chat: a citation (opens the clause) or a feedback button.
        Returns (panel, store, chat, status)."""
        data = _event(evt)
        if data.get("fb"):
            return self.give_feedback(store, str(data.get("mid", "")), str(data["fb"]), str(data.get("comment", "")))
        return self.open_clause(evt), gr.skip(), gr.skip(), gr.skip()

    def give_feedback(self, store, msg_id: str, verdict: str, comment: str = ""):
        """Record 有用/有误 for one answer, once; returns (panel, store, chat, status)."""
        store = chats.normalize(store)
        found = chats.find(store, msg_id)
        if found is None or verdict not in feedback.VERDICTS:
            return gr.skip(), gr.skip(), gr.skip(), render.message_html("找不到这条回答，无法评价。", "error")
        conv, msg = found
        if msg.get("fb"):
            return gr.skip(), gr.skip(), gr.skip(), render.message_html("这条回答已经评价过了。", "info")
        entry = feedback.record_feedback(self.feedback_path, msg, verdict, comment, session=conv["id"], message=msg_id)
        msg["fb"] = verdict
        status = render.FEEDBACK_DONE[verdict] if entry else "这条回答已经评价过了。"
        chat = render.chat_html(chats.current(store)["msgs"]) if conv["id"] == store["current"] else gr.skip()
        return gr.skip(), store, chat, render.message_html(status, "info")

    def open_clause(self, evt: gr.EventData) -> str:
        """The clause a button names (data-cid), with the span (data-s, data-e) marked."""
        data = _event(evt)
        try:
            s = self.svc.searcher
            c = s.clause(str(data.get("cid", "")))
        except (KeyError, *UNAVAILABLE) as e:
            return render.message_html(zh_message(e), "error")
        prev, nxt = s.neighbours(c.id)
        span = _span(data.get("s"), data.get("e"))
        span = span if span and span[1] <= len(c.text) else None
        doc = s.docs[c.doc_id]
        return render.clause_panel_html(doc.title, c, span, prev, nxt, doc_meta(s, doc), *_in_place(s, c))

    # search -----------------------------------------------------------------------------------------
    def run_search(self, query: str, mode: str, doc: str, section: str, k, region: str = ALL,
                   doc_type: str = ALL, version: str = ALL) -> str:
        try:
            s = self.svc.searcher
            k = _whole(k)
            allowed = docs_matching(s, region, doc_type, version)
            if allowed is not None and not allowed:
                return render.message_html("没有符合地区、文种或版本筛选条件的文件，请放宽筛选。", "empty")
            if allowed is not None and len(allowed) == 1 and not doc:
                doc, allowed = next(iter(allowed)), None
            section = (section or "").strip()
            section = "" if section == ALL_SECTIONS else section  # the label typed rather than chosen
            if section:
                scope = s.resolve_doc(doc) if doc else allowed
                key = section_key(s, section, scope)
                if key is None:
                    return render.message_html(missing_section_message(s, section, scope), "empty")
                section = key
            result = search_json(s, query or "", k if allowed is None else MAX_K, doc or None,
                                 section or None, mode, self.settings.max_question_chars)
        except (ValueError, *UNAVAILABLE) as e:
            return render.message_html(zh_message(e), "error")
        hits = []
        for h in result["hits"]:
            d = s.docs[s.clause(h["clause_id"]).doc_id]
            if allowed is None or d.id in allowed:
                hits.append({**doc_meta(s, d), **h})
        terms, synonyms = query_terms(s.tokenizer, query)
        return render.search_results_html(query, hits[:k], terms, synonyms, fold, semantic_only=mode == "semantic")

    def sections_for(self, doc: str):
        try:
            return gr.update(choices=section_choices(self.svc.searcher, doc or ALL), value=ALL)
        except UNAVAILABLE:
            return gr.update(choices=[(ALL_SECTIONS, ALL)], value=ALL)

    # documents --------------------------------------------------------------------------------------
    def outline(self, doc: str) -> str:
        try:
            s = self.svc.searcher
        except UNAVAILABLE as e:
            return render.message_html(zh_message(e), "error")
        if not doc:
            return render.message_html("选择一个文件查看条款目录。", "info")
        return render.clause_tree_html([c for c in s.clauses if c.doc_id == doc])

    def tasks(self, dept: str) -> str:
        try:
            return render.tasks_html(task_rows(self.svc.searcher, dept or ALL))
        except UNAVAILABLE as e:
            return render.message_html(zh_message(e), "error")

    def refresh(self):
        """Everything that depends on the current index: tables and the choices of every dropdown.
        Order: documents table, search document, search section, region, type, version, outline
        document, outline, tasks table, department, removal document."""
        try:
            s = self.svc.searcher
        except UNAVAILABLE as e:
            note = render.message_html(zh_message(e), "error")
            empty = gr.update(choices=[], value=None)
            hidden = gr.update(choices=[], value=ALL, visible=False)
            return note, empty, empty, hidden, hidden, hidden, empty, note, note, empty, empty
        only_docs = doc_choices(s, None)
        first = only_docs[0][1] if only_docs else None
        filters = filter_choices(s)
        return (
            render.documents_html(documents_rows(s)),
            gr.update(choices=doc_choices(s), value=ALL),
            gr.update(choices=section_choices(s), value=ALL),
            *(gr.update(choices=filters[key], value=ALL, visible=len(filters[key]) > 1)
              for key in ("region", "doc_type", "version")),
            gr.update(choices=only_docs, value=first),
            self.outline(first or ""),
            render.tasks_html(task_rows(s)),
            gr.update(choices=department_choices(s), value=ALL),
            gr.update(choices=only_docs, value=None),
        )

    # admin ------------------------------------------------------------------------------------------
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
        progress(0, desc="保存文件")  # a Chinese line at once, not Gradio's English "processing |"
        stored, problems = [], []
        already = set(self.uploads.iterdir()) if self.uploads.exists() else set()
        for f in files if isinstance(files, list) else [files]:
            src = Path(getattr(f, "name", f))
            try:
                stored.append(store_upload(src, src.name, self.uploads, self.settings.max_upload_mb * 1_000_000))
            except UploadError as e:
                problems.append(f"{e}。{e.advice}" if e.advice else str(e))
            finally:
                src.unlink(missing_ok=True)  # Gradio's temporary copy; stored files live in data/uploads
        lines = [f"未导入 {p}" for p in problems]
        if not stored:
            return "\n".join(["没有可导入的文件。", *lines])
        try:
            report, meta = self.svc.ingest(
                stored,
                # Gradio counts in "steps" unless told the unit
                progress=lambda it: progress.tqdm(list(it), desc="解析文件", unit="个文件"),
                embed_progress=lambda it: progress.tqdm(it, desc="计算向量", unit="段"),
            )
        except IndexBusy as e:
            # Nothing was ingested: files this upload added must not linger in uploads/ unindexed
            # (a file that was already there stays: it belongs to an ingested document).
            for path in stored:
                if path not in already:
                    path.unlink(missing_ok=True)
            pid = re.search(r"pid (\d+)", str(e))
            busy = f"（进程 {pid.group(1)}）" if pid else ""
            return "\n".join([f"另一个导入正在进行{busy}，本次上传的文件未保存；请等它完成后重新上传。", *lines])
        for skipped in report.skipped:  # unreadable files are not kept: uploads/ holds ingested documents only
            if Path(skipped.source).parent == self.uploads:
                Path(skipped.source).unlink(missing_ok=True)
        titles = {d: self.svc.searcher.docs[d].title for d in [*report.added, *report.updated]
                  if d in self.svc.searcher.docs}
        return "\n".join([_report_summary(report, meta, titles, refused=len(problems)), *lines])

    def ask_remove(self, doc_id: str, authed: bool):
        """The first click on 删除: says exactly what will go and shows 确认删除 / 取消. Returns
        (confirmation row, its question, the message below, pending document id)."""
        refused = lambda message: (gr.update(visible=False), "", message, "")  # noqa: E731
        if not authed:
            return refused("请先输入管理密码。")
        if not doc_id:
            return refused("请选择要删除的文件。")
        try:
            s = self.svc.searcher
            title, n = s.docs[doc_id].title, sum(1 for c in s.clauses if c.doc_id == doc_id)
        except (KeyError, *UNAVAILABLE):
            title, n = doc_id, 0
        return (gr.update(visible=True),
                f"确定删除《{title}》吗？它的 {n} 条条款将从索引中移除，问答和检索不再引用它。", "", doc_id)

    def remove(self, doc_id: str, authed: bool) -> str:
        """The confirmed removal of the document named by ask_remove."""
        if not authed:
            return "请先输入管理密码。"
        if not doc_id:
            return "请选择要删除的文件。"
        source = self.svc.records.manifest().get(doc_id, {}).get("source", "")
        try:
            self.svc.remove(doc_id)
        except (KeyError, IndexBusy) as e:
            return zh_message(e)
        src = Path(source)
        if source and src.resolve().parent == self.uploads:
            src.unlink(missing_ok=True)
            return f"已删除 {doc_id}（及其上传的文件）。"
        return f"已删除 {doc_id}。它来自语料目录 {src.parent}；下次运行 policyqa ingest 时会再次导入，除非先把文件移走。"

    def records(self, authed: bool, view: str, verdict: str, channel: str, answered: str, text: str) -> str:
        """The admin view: feedback or recent questions, filtered, newest first."""
        if not authed:
            return render.message_html("请先输入管理密码。", "error")
        rows, columns = self._records(view, verdict, channel, answered, text)
        return render.records_html(rows, columns, feedback.cell)

    def export(self, authed: bool, view: str, verdict: str, channel: str, answered: str, text: str):
        """The rows of the admin view as a CSV file to download."""
        if not authed:
            return gr.update(value=None, visible=False)
        rows, columns = self._records(view, verdict, channel, answered, text)
        name = f"{'questions' if view == 'questions' else 'feedback'}-{datetime.now():%Y%m%d-%H%M%S}.csv"
        path = Path(tempfile.mkdtemp(prefix="policyqa-export-")) / name
        path.write_text(feedback.to_csv(rows, columns), encoding="utf-8")
        return gr.update(value=str(path), visible=True)

    def _records(self, view: str, verdict: str, channel: str, answered: str, text: str):
        if view == "questions":
            rows = feedback.read_questions(self.audit_path, channel or "", answered or "", text or "")
            return rows, feedback.QUESTION_COLUMNS
        return feedback.read_feedback(self.feedback_path, verdict or "", text or ""), feedback.FEEDBACK_COLUMNS

    # api --------------------------------------------------------------------------------------------
    def api_ask(self, question: str = "", session: str = "") -> str:
        """Answer a question with cited clauses. Questions sent with the same session id are one
        conversation, so a follow-up ("那它由哪个部门负责？") refers to the previous answer. Returns the
        JSON text `policyqa ask --json` prints (text rather than an object: gradio_client would take
        the citations' "path" keys for files)."""
        try:
            conv = self.svc.sessions.get((session or "").strip()[:200] or None)
            return json.dumps(self.svc.ask(question, conv, channel="gradio").to_json(), ensure_ascii=False)
        except (ValueError, *UNAVAILABLE) as e:
            raise _client_error(e, str(e)) from None

    def api_search(self, query: str, k: int = 5, doc: str = "", section: str = "", mode: str = "hybrid") -> str:
        """Find clauses. Returns the JSON text `policyqa search --json` prints."""
        try:
            result = search_json(self.svc.searcher, query, _whole(k), doc or None, section or None, mode,
                                 self.settings.max_question_chars)
        except (ValueError, *UNAVAILABLE) as e:
            raise _client_error(e, str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)) from None
        return json.dumps(result, ensure_ascii=False)

    # layout -----------------------------------------------------------------------------------------
    def _examples(self) -> list[str]:
        try:
            return example_questions(self.svc.searcher)
        except Exception as e:  # no index yet, or one being rebuilt: the page still comes up
            log.info("example questions from the corpus unavailable (%s); general ones shown", e)
            return GENERAL_EXAMPLES

    def build(self) -> gr.Blocks:
        with gr.Blocks(title="政策文件问答", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
            gr.HTML('<h1 class="pq-title">政策文件问答</h1>', elem_id="pq-header")
            # Registered first so that they own the names /ask and /search.
            gr.api(self.api_ask, api_name="ask", concurrency_limit=CONCURRENT_READS)
            gr.api(self.api_search, api_name="search", concurrency_limit=CONCURRENT_READS)
            with gr.Tabs():
                with gr.Tab("问答", id="chat"):
                    self._chat_tab(demo)
                with gr.Tab("条款检索", id="search"):
                    search_lists = self._search_tab()
                with gr.Tab("文件", id="docs"):
                    docs_lists = self._documents_tab()
                with gr.Tab("管理", id="admin"):
                    remove_doc, changed = self._admin_tab()
            table, doc, tree, tasks, dept = docs_lists
            outputs = [table, *search_lists, doc, tree, tasks, dept, remove_doc]
            demo.load(self.refresh, None, outputs, **QUIET)
            for event in changed:  # an ingest or removal changes every list of documents
                event.then(self.refresh, None, outputs, **QUIET)
        return demo

    def _panel(self, placeholder: str | None = None, elem_id: str | None = None) -> gr.HTML:
        """A clause panel: beside the content on wide screens, a drawer over it on a phone."""
        return gr.HTML(render.panel_placeholder(*([placeholder] if placeholder else [])), js_on_load=EVENTS_JS,
                       elem_classes=["pq-panel-box"], elem_id=elem_id)

    def _chat_tab(self, demo: gr.Blocks) -> None:
        store = gr.BrowserState(chats.empty_store(), storage_key=STORAGE_KEY,
                                secret=browser_secret(self.settings.data_dir))
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=200, elem_classes=["pq-side"]):
                new = gr.Button("＋ 新对话", size="sm", elem_id="pq-new")
                convs = gr.HTML(elem_id="pq-convs", js_on_load=EVENTS_JS)
            with gr.Column(scale=4, min_width=320):
                chat = gr.HTML(render.chat_html([]), elem_id="pq-chat", js_on_load=EVENTS_JS,
                               elem_classes=["pq-chat-box"])
                status = gr.HTML(elem_id="pq-status")
                with gr.Row(elem_id="pq-input-row"):
                    # No max_length: the browser would cut a pasted question silently at the limit and
                    # answer a different question; the service refuses an over-long one with a message
                    # that names its length, and the question stays in the box to be shortened.
                    msg = gr.Textbox(label="问题", placeholder="输入问题，按回车发送", show_label=False, scale=5, lines=1,
                                     elem_id="pq-question")
                    send = gr.Button("发送", variant="primary", scale=1, min_width=72, elem_id="pq-send")
                examples = gr.Examples([[q] for q in self._examples()], inputs=msg, label="示例问题")
            with gr.Column(scale=3, min_width=280, elem_classes=["pq-aside"]):
                panel = self._panel(elem_id="pq-panel")
        demo.load(self.restore, [store], [store, convs, chat], **QUIET)
        # The question sent leaves the box at once, in the browser, for the next one to be typed while
        # this one is answered; `asked` carries it to the server (an answer never empties the box).
        asked = gr.Textbox(visible="hidden", elem_id="pq-asked")
        sent = gr.Number(visible="hidden", precision=0, elem_id="pq-sent")  # the question's number on the page
        # "multiple": Gradio's default ("once") drops an event fired while the same one is pending,
        # i.e. a question sent during an answer; PageTurns answers them in the order sent instead.
        chat_io = dict(inputs=[asked, store, sent], outputs=[chat, msg, store, convs, status], trigger_mode="multiple",
                       concurrency_limit=CONCURRENT_READS, **QUIET)
        busy = render.message_html(ANSWERING, "info")
        # A click on an example question fills the box and sends it, as typing it and pressing Enter would.
        for trigger in (msg.submit, send.click, examples.load_input_event.then):
            trigger(None, msg, [msg, asked, status, sent], js=_send_at_once(busy), queue=False, **QUIET).then(
                self.respond, **chat_io)
        views = [store, convs, chat, panel, status]
        new.click(self.new_conversation, [store], views, **QUIET)
        convs.click(self.conversation_click, [store], views, **QUIET)
        chat.click(self.chat_click, [store], [panel, store, chat, status], **QUIET)
        panel.click(self.open_clause, None, panel, **QUIET)

    def _search_tab(self):
        with gr.Row():
            query = gr.Textbox(label="检索词", placeholder="输入关键词，如部门名称、政策措施、条款中的说法", scale=4, elem_id="pq-query")
            go = gr.Button("检索", variant="primary", scale=1, elem_id="pq-go")
        with gr.Row():
            mode = gr.Radio(SEARCH_MODES, value="hybrid", label="方式")
            k = gr.Dropdown([5, 10, 20, 50], value=10, label="条数", elem_id="pq-k")
        with gr.Row():
            doc = gr.Dropdown([("全部文件", ALL)], value=ALL, label="文件", elem_id="pq-f-doc")
            section = gr.Dropdown([(ALL_SECTIONS, ALL)], value=ALL, label="章节（如 五 或 五.（二））",
                                  allow_custom_value=True, elem_id="pq-f-section")
            region = gr.Dropdown([("全部地区", ALL)], value=ALL, label="地区", visible=False, elem_id="pq-f-region")
            doc_type = gr.Dropdown([("全部文种", ALL)], value=ALL, label="文种", visible=False, elem_id="pq-f-type")
            version = gr.Dropdown(VERSION_CHOICES[:1], value=ALL, label="版本", visible=False, elem_id="pq-f-version")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                results = gr.HTML(elem_id="pq-results", js_on_load=EVENTS_JS)
            with gr.Column(scale=2, elem_classes=["pq-aside"]):
                panel = self._panel("点击条款标题，在此查看原文。")
        inputs = [query, mode, doc, section, k, region, doc_type, version]
        busy = render.message_html(SEARCHING, "info")
        for trigger in (query.submit, go.click):
            # "always_last": a search sent while one runs is run after it (Gradio's "once" drops it)
            trigger(None, None, results, js=_show_at_once(busy), queue=False, **QUIET).then(
                self.run_search, inputs, results, trigger_mode="always_last", concurrency_limit=CONCURRENT_READS,
                **QUIET)
        doc.change(self.sections_for, doc, section, **QUIET)
        for source in (results, panel):
            source.click(self.open_clause, None, panel, **QUIET)
        return doc, section, region, doc_type, version

    def _documents_tab(self):
        gr.HTML('<h3 class="pq-h3">已导入的文件</h3>')
        table = gr.HTML(elem_id="pq-docs", js_on_load=EVENTS_JS)
        gr.HTML('<h3 class="pq-h3">条款目录</h3>')
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                doc = gr.Dropdown([], label="文件", elem_id="pq-outline-doc")
                tree = gr.HTML(js_on_load=EVENTS_JS, max_height=520, elem_id="pq-tree")
            with gr.Column(scale=2, elem_classes=["pq-aside"]):
                panel = self._panel("点击目录或任务表中的条款，在此查看原文。")
        gr.HTML('<h3 class="pq-h3">任务分工表 <small>（点击表头排序，再点一次倒序）</small></h3>')
        dept = gr.Dropdown([("全部部门", ALL)], value=ALL, label="部门（可输入简称，如 发改委）",
                           allow_custom_value=True, elem_id="pq-dept")
        tasks = gr.HTML(elem_id="pq-tasks", js_on_load=EVENTS_JS)
        doc.change(self.outline, doc, tree, **QUIET)
        for source in (tree, tasks, panel):
            source.click(self.open_clause, None, panel, **QUIET)
        dept.change(self.tasks, dept, tasks, **QUIET)
        return table, doc, tree, tasks, dept

    def _admin_tab(self):
        """Returns the removal dropdown and the events after which the document lists must refresh."""
        if not self.settings.admin_password:
            gr.HTML(render.message_html(
                "管理功能未启用。设置环境变量 POLICYQA_ADMIN_PASSWORD 后重新运行 policyqa serve，"
                "即可在此上传、导入和删除文件，查看反馈和提问记录。"), elem_id="pq-admin-disabled")
            return gr.Dropdown(visible=False), []
        authed = gr.State(False)
        with gr.Row():
            password = gr.Textbox(type="password", label="管理密码", scale=3, elem_id="pq-password")
            login = gr.Button("登录", scale=1)
        login_msg = gr.Markdown()
        with gr.Column(visible=False) as admin:
            gr.HTML('<h3 class="pq-h3">上传与导入</h3>')
            gr.Markdown(f"上传 {'、'.join(SUPPORTED_SUFFIXES)} 文件，单个不超过 {self.settings.max_upload_mb} MB。"
                        "文件保存在数据目录中，语料目录保持不变。")
            # No file_types and no max_file_size: Gradio would refuse a file with an English toast.
            # The import below says in Chinese what is wrong with each file; a file over the size
            # limit is kept in the browser by ui.js, with the same words, instead of being uploaded.
            files = gr.File(file_count="multiple", label="上传文件", elem_id="pq-files")
            ingest = gr.Button("导入", variant="primary")
            ingest_msg = gr.Textbox(label="导入结果", lines=4, interactive=False, elem_id="pq-ingest-msg")
            gr.HTML('<h3 class="pq-h3">删除文件</h3>')
            pending = gr.State("")
            with gr.Row():
                remove_doc = gr.Dropdown([], label="要删除的文件", scale=3, elem_id="pq-remove-doc")
                remove = gr.Button("删除…", variant="stop", scale=1, elem_id="pq-remove")
            with gr.Row(visible=False, elem_id="pq-confirm") as confirm_row:
                confirm_msg = gr.Markdown()
                confirm = gr.Button("确认删除", variant="stop", scale=0, elem_id="pq-confirm-yes")
                cancel = gr.Button("取消", scale=0, elem_id="pq-confirm-no")
            remove_msg = gr.Markdown(elem_id="pq-remove-msg")
            records = self._records_view(authed)
        for trigger in (login.click, password.submit):
            trigger(self.login, password, [authed, admin, login_msg, password], **QUIET).then(
                self.records, [authed, *records[1:]], records[0], **QUIET)
        # A word at once, before the progress bar of parsing and embedding: twelve regulations take
        # over a minute, and a box that stays empty that long looks broken.
        ingested = ingest.click(lambda: IMPORTING, None, ingest_msg, **QUIET).then(
            self.upload, [files, authed], ingest_msg, api_visibility="private").then(  # its progress bar shows
            lambda: None, None, files, **QUIET)
        remove.click(self.ask_remove, [remove_doc, authed], [confirm_row, confirm_msg, remove_msg, pending],
                     **QUIET)
        cancel.click(lambda: (gr.update(visible=False), "", "已取消。"), None, [confirm_row, pending, remove_msg],
                     **QUIET)
        removing = confirm.click(None, None, remove_msg, js=_show_at_once(REMOVING), queue=False, **QUIET)
        removed = removing.then(self.remove, [pending, authed], remove_msg, **QUIET).then(
            lambda: (gr.update(visible=False), ""), None, [confirm_row, pending], **QUIET)
        return remove_doc, [ingested, removed]

    def _records_view(self, authed):
        """Feedback and recent questions with filters and CSV export; returns [table, *filters]."""
        gr.HTML('<h3 class="pq-h3">反馈与提问记录</h3>')
        with gr.Row():
            view = gr.Radio([("用户反馈", "feedback"), ("最近的提问", "questions")], value="feedback", label="查看",
                            elem_id="pq-rec-view")
            verdict = gr.Dropdown([("全部评价", ""), ("有用", "useful"), ("有误", "wrong")], value="", label="评价")
            channel = gr.Dropdown([("全部渠道", "")] + [(v, k) for k, v in feedback.CHANNEL_NAMES.items()], value="",
                                  label="渠道（提问记录）")
            answered = gr.Dropdown([("全部", ""), ("已回答", "yes"), ("未能回答", "no")], value="",
                                   label="是否回答（提问记录）")
            text = gr.Textbox(label="包含文字", placeholder="问题、回答或说明中的文字", elem_id="pq-rec-text")
        with gr.Row(equal_height=False):
            show = gr.Button("查询", variant="primary", scale=0, elem_id="pq-rec-show")
            export = gr.Button("导出 CSV", scale=0, elem_id="pq-rec-export")
            # beside the button that made it: below a long table it would be off the screen
            csv_file = gr.File(label="导出的文件", interactive=False, visible=False, elem_id="pq-rec-file")
        table = gr.HTML(elem_id="pq-records", js_on_load=EVENTS_JS)
        filters = [view, verdict, channel, answered, text]
        for trigger in (show.click, view.change, verdict.change, channel.change, answered.change, text.submit):
            trigger(self.records, [authed, *filters], table, **QUIET)
        export.click(self.export, [authed, *filters], csv_file, **QUIET)
        return [table, *filters]


# Why a file was skipped (ingest/loaders.py LoadError), for the admin: (pattern of the English reason, Chinese).
ZH_SKIPPED = [
    (r"^empty file", "文件里没有文字，是空的。"),
    (r"^binary file, not text", "这不是文本文件（可能是图片或其他格式改了扩展名），请上传 .txt、.md、.html、.docx 或 .pdf 文件。"),
    (r"^unsupported file type ([^\s:]+)", "不支持 {0} 文件，请上传 .txt、.md、.html、.docx 或 .pdf 文件。"),
    (r"^PDF has no text layer", "PDF 里没有文字层（可能是扫描件），请先做文字识别（OCR）再上传。"),
    (r"^encrypted PDF", "PDF 设了密码，请去掉密码后重新导出再上传。"),
    (r"^encrypted or password-protected DOCX", "DOCX 设了密码，请去掉密码后另存再上传。"),
    (r"^legacy Word \.doc", "这是旧版 Word（.doc）文件，请在 Word 里另存为 .docx 再上传。"),
    (r"^suspicious DOCX", "DOCX 文件异常（解压后大得离谱，可能是恶意文件），已拒绝。"),
    (r"^corrupt (DOCX|PDF)", "{0} 文件已损坏，无法读取，请重新导出后再上传。"),
    (r"^cannot read file", "无法读取这个文件，请重新上传。"),
]


def zh_reason(reason: str) -> str:
    """A loader's reason for skipping a file, in Chinese; an unknown one as it is."""
    for pattern, zh in ZH_SKIPPED:
        if m := re.match(pattern, reason):
            return zh.format(*m.groups())
    return reason


def _report_summary(report, meta, titles: dict[str, str] | None = None, refused: int = 0) -> str:
    """What an import did, for an administrator: counts, each document by its title, each file not
    imported with why (a refused upload and an unreadable file alike), and whether answers changed."""
    r = report.to_json()
    titles = titles or {}
    named = lambda d: f"《{titles[d]}》（{d}）" if titles.get(d) and titles[d] != d else d  # noqa: E731
    lines = [
        f"导入完成：新增 {len(r['added'])} 个，更新 {len(r['updated'])} 个，未变 {r['unchanged']} 个，"
        f"未导入 {len(r['skipped']) + refused} 个；知识库现有 {r['documents']} 个文件、{r['clauses']} 条条款。"
    ]
    lines += [f"新增 {named(d)}" for d in r["added"]] + [f"更新 {named(d)}" for d in r["updated"]]
    lines += [f"未导入 {Path(s['file']).name}：{zh_reason(s['reason'])}" for s in r["skipped"]]
    lines.append("已更新索引，问答和检索即按导入后的文件进行。" if meta else "文件没有变化，索引无需更新。")
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
        css_paths=[STATIC / "app.css"],
        head_paths=[STATIC / "head.html"],
        js=(STATIC / "ui.js").read_text(encoding="utf-8").replace(
            "__PQ_MAX_UPLOAD_BYTES__", str(svc.settings.max_upload_mb * 1_000_000)),
        # Gradio's Chinese strings lack a few keys; without these the key itself would show.
        i18n=gr.I18n(**{"zh-CN": GRADIO_ZH}),
        footer_links=["api", "settings"],
        allowed_paths=[],  # no file routes beyond Gradio's own upload cache
        blocked_paths=[str(Path(svc.settings.data_dir).resolve()), str(Path(svc.settings.corpus_dir).resolve())],
        max_file_size=None,  # checked per file by the import, per request by UploadCap
        ssr_mode=False,
        show_error=False,  # messages of gr.Error still reach the user; tracebacks of bugs do not
    )
    # Gradio checks that a file named in a request was uploaded through it (not /etc/… or the data
    # folder) only for apps started by launch(); a mounted app must ask for the check itself.
    blocks.has_launched = True
    _refuse_nameless_uploads(app)
    app.add_middleware(UploadCap, max_mb=svc.settings.max_upload_mb)
    web = WebApp(svc)
    app.add_middleware(ApiDefaults, defaults={"ask": _defaults(web.api_ask), "search": _defaults(web.api_search)})
    return app


def _defaults(fn) -> list:
    return [p.default for p in inspect.signature(fn).parameters.values()]


class ApiDefaults:
    """Gradio's REST route /gradio_api/call/<name> refuses a call that leaves out a parameter, even
    one with a default (gradio_client fills defaults in itself). Scripts that call /ask with the
    question only, as before /ask took a session id, keep working: left-out trailing arguments get
    their defaults before Gradio sees the request."""

    def __init__(self, app, defaults: dict[str, list]):
        self.app = app
        self.defaults = defaults

    async def __call__(self, scope, receive, send):
        name = scope.get("path", "").rpartition("/gradio_api/call/")[2] if scope["type"] == "http" else ""
        if scope.get("method") != "POST" or name not in self.defaults:
            return await self.app(scope, receive, send)
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        body = self._pad(body, self.defaults[name])
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        scope = {**scope, "headers": headers + [(b"content-length", str(len(body)).encode())]}
        return await self.app(scope, replay, send)

    @staticmethod
    def _pad(body: bytes, defaults: list) -> bytes:
        try:
            payload = json.loads(body)
        except ValueError:
            return body  # Gradio answers a broken body itself
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, list) or len(data) >= len(defaults):
            return body
        payload["data"] = data + defaults[len(data):]
        return json.dumps(payload).encode()


class UploadCap:
    """The server's limit on one upload request: UPLOAD_REQUEST_FACTOR times the largest accepted
    file. A bigger request (or one that does not say its length) is refused before it is read, with a
    message in Chinese that the page shows; a file under the cap but over POLICYQA_MAX_UPLOAD_MB
    reaches the import, which refuses it by name."""

    def __init__(self, app, max_mb: int):
        self.app = app
        self.max_mb = max_mb
        self.max_bytes = UPLOAD_REQUEST_FACTOR * max_mb * 1_000_000

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST" or \
                not scope.get("path", "").rstrip("/").endswith(UPLOAD_ROUTES):
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) <= self.max_bytes:
            return await self.app(scope, receive, send)
        from starlette.responses import PlainTextResponse

        if not length.isdigit():  # browsers always send it; a chunked upload cannot be capped before reading
            return await PlainTextResponse("上传被拒绝：请求没有注明大小（Content-Length）。",
                                           status_code=411)(scope, receive, send)
        message = (f"上传被拒绝：一次选择的文件合计超过 {self.max_bytes // 1_000_000} MB。"
                   f"单个文件不能超过 {self.max_mb} MB，请把过大的文件拆开，分几次上传。")
        return await PlainTextResponse(message, status_code=413)(scope, receive, send)


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
