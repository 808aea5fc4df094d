"""JSON routes for scripts, served beside the Gradio app: /api/ask, /api/search, /api/clauses/{id}, /healthz.

They return the same JSON as `policyqa ask --json`, `search --json` and `show --json`; /api/search and
/api/ask name the index generation they read in the X-Index-Generation header (the load script checks
with it that a re-ingest never gives a mixed answer). Endpoints are plain `def`, so FastAPI runs the
blocking search in its threadpool."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from app.messages import zh_message
from app.render import openapi_html
from app.service import Sessions  # noqa: F401  (re-exported: the API tests and scripts import it here)
from index.build import IndexBusy, IndexMissing
from index.embedder import ModelNotFound
from index.search import MODES, IndexMismatch
from index.store import StoreUnavailable
from ingest.records import clause_to_dict, content_hash

log = logging.getLogger(__name__)

MAX_K = 100
MAX_QUERY_CHARS = 500  # search words; the routes pass POLICYQA_MAX_QUESTION_CHARS
GENERATION_HEADER = "X-Index-Generation"  # the index generation a response was read from
UNAVAILABLE = (IndexMissing, IndexMismatch, ModelNotFound, StoreUnavailable, IndexBusy)


class ApiError(Exception):
    """An HTTP error: its English `message` (stable, for scripts) and the Chinese one for people."""

    def __init__(self, status: int, message: str, zh: str):
        super().__init__(message)
        self.status = status
        self.message = message
        self.zh = zh

    @classmethod
    def of(cls, status: int, e: Exception) -> ApiError:
        return cls(status, str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e), zh_message(e))


class AskRequest(BaseModel):
    question: str = Field(description="The question, in Chinese; at most POLICYQA_MAX_QUESTION_CHARS characters.")
    session: str | None = Field(
        default=None, max_length=200,
        description="Any id chosen by the caller; questions with the same id are one conversation (follow-ups).",
    )


# Metadata a Document may carry (added by newer parsers); listed only when a document has it.
DOC_META = ("region", "doc_type", "adopted", "promulgated", "revised", "effective", "version_date", "in_force")


def document_meta(doc) -> dict:
    """The optional metadata fields a document has set (none of them is required)."""
    return {k: getattr(doc, k) for k in DOC_META if getattr(doc, k, None) is not None}


def document_rows(searcher) -> list[dict]:
    """The ingested documents with their metadata, as `policyqa documents --json` prints them."""
    counts: dict[str, int] = {}
    for c in searcher.clauses:
        counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
    return [
        {"id": d.id, "title": d.title, "issuer": d.issuer, "number": d.number, "date": d.date,
         "format": d.format, "encoding": d.encoding, "clauses": counts.get(d.id, 0), "source": d.source,
         **document_meta(d)}
        for d in searcher.docs.values()
    ]


# How an original file is sent: text formats as plain text in their own encoding (an uploaded .html
# is shown as source, never run in the app's origin), PDF inline, Word as a download.
ORIGINAL_TYPES = {".txt": "text/plain", ".md": "text/plain", ".html": "text/plain", ".htm": "text/plain",
                  ".pdf": "application/pdf"}


def original_file(searcher, doc_id: str) -> tuple[Path, str]:
    """The source file of an ingested document and its media type. Only a file whose bytes are still
    those that were ingested is given out (KeyError otherwise): the route serves documents, not paths."""
    doc = searcher.docs.get(doc_id)
    if doc is None:
        raise KeyError(f"no ingested document {doc_id!r}")
    path = Path(doc.source)
    if not path.is_file() or content_hash(path.read_bytes()) != doc.sha:
        raise KeyError(f"the original file of {doc_id!r} is no longer there or has changed since it was ingested")
    kind = ORIGINAL_TYPES.get(path.suffix.lower(), "application/octet-stream")
    if kind == "text/plain":
        kind += f"; charset={doc.encoding or 'utf-8'}"
    return path, kind


def clause_json(searcher, clause_id: str) -> dict:
    """One clause as `policyqa show --json` prints it, plus its neighbours' and children's ids."""
    c = searcher.clause(clause_id)
    prev, nxt = searcher.neighbours(c.id)
    return {
        **clause_to_dict(c),
        "doc_title": searcher.docs[c.doc_id].title,
        "path_text": c.path_text,
        "neighbours": {"prev": prev.id if prev else None, "next": nxt.id if nxt else None},
        "children": [ch.id for ch in searcher.children(c.id, c.doc_id)],
    }


def search_json(searcher, query: str, k: int = 5, doc: str | None = None, section: str | None = None,
                mode: str = "hybrid", max_chars: int = MAX_QUERY_CHARS) -> dict:
    """Validate and run a search; the result is what `policyqa search --json` prints."""
    if query is not None and not isinstance(query, str):
        raise ValueError("the query must be text")
    if not query or not query.strip():
        raise ValueError("the query is empty; type some words to search for")
    if len(query) > max_chars:
        raise ValueError(f"the query is {len(query)} characters long; keep it under {max_chars} characters")
    if not 1 <= k <= MAX_K:
        raise ValueError(f"k must be between 1 and {MAX_K}")
    if mode not in MODES:
        raise ValueError(f"unknown search mode {mode!r}; choose one of {', '.join(MODES)}")
    hits = searcher.search(query, k=k, doc=doc or None, section=section or None, mode=mode)
    return {"query": query, "hits": [h.to_json() for h in hits]}


def _error(status: int, message: str, zh: str) -> JSONResponse:
    """{"error": English, what scripts match on; "message": the same in Chinese, to show a person}."""
    return JSONResponse({"error": message, "message": zh}, status_code=status)


def create_api(svc) -> FastAPI:
    """The FastAPI app holding the JSON routes; the web module mounts Gradio on it at '/'."""
    app = FastAPI(
        title="policyqa",
        version="0.1.0",
        description="Cited answers and clause search over Chinese policy documents.",
        docs_url=None,  # FastAPI's page loads its scripts from a CDN; ours below works offline
        redoc_url=None,
    )

    @app.exception_handler(ApiError)
    def _api_error(request: Request, exc: ApiError):
        return _error(exc.status, exc.message, exc.zh)

    @app.exception_handler(RequestValidationError)
    def _bad_request(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        if first.get("type") == "json_invalid":
            return _error(400, "the request body is not valid JSON; send {\"question\": \"…\"}",
                          "请求体不是有效的 JSON，请发送 {\"question\": \"…\"}。")
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        if not where:
            return _error(400, "invalid request body", "请求体格式不对，请发送 {\"question\": \"…\"}。")
        return _error(400, f"{where}: {first.get('msg', 'invalid request')}", f"请求参数 {where} 不对，请按接口说明填写。")

    def searcher():
        try:
            return svc.searcher
        except UNAVAILABLE as e:
            raise ApiError.of(503, e) from None

    def run(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except UNAVAILABLE as e:
            raise ApiError.of(503, e) from None
        except ValueError as e:
            raise ApiError.of(400, e) from None

    @app.get("/healthz", summary="Liveness and the index being served")
    def healthz():
        s = searcher()
        return {"status": "ok", "generation": s.generation, "documents": len(s.docs), "clauses": len(s.clauses)}

    @app.post("/api/ask", summary="Answer a question with cited clauses (same JSON as `policyqa ask --json`)")
    def ask(body: AskRequest, response: Response):
        before = searcher().generation  # 503 before anything else when there is no index
        conv = svc.sessions.get(body.session)
        answer = run(svc.ask, body.question, conv, channel="api").to_json()
        # Generations only move forward: the same one before and after means the answer came from it.
        if svc.layout.current() == before:
            response.headers[GENERATION_HEADER] = before
        return answer

    @app.get("/api/search", summary="Find clauses (same JSON as `policyqa search --json`)")
    def search(
        response: Response,
        q: str = Query(..., description="Words or a question."),
        k: int = Query(5, description=f"Number of clauses, 1 to {MAX_K}."),
        doc: str | None = Query(None, description="Only this document: id or part of its title."),
        section: str | None = Query(None, description="Only this section, by label path, e.g. 五 or 五.（二）."),
        mode: str = Query("hybrid", description="hybrid, keyword or semantic."),
    ):
        s = searcher()
        result = run(search_json, s, q, k, doc, section, mode, svc.settings.max_question_chars)
        response.headers[GENERATION_HEADER] = s.generation
        return result

    @app.get("/api/clauses/{clause_id:path}", summary="One clause with its document, path and neighbours")
    def clause(clause_id: str):
        s = searcher()
        try:
            return clause_json(s, clause_id)
        except KeyError as e:
            raise ApiError.of(404, e) from None

    @app.get("/api/documents", summary="The ingested documents (same JSON as `policyqa documents --json`)")
    def documents():
        return document_rows(searcher())

    @app.get("/api/documents/{doc_id}/original", summary="The original file of a document (view, or download=1)")
    def original(doc_id: str, download: bool = Query(False, description="Send as an attachment.")):
        try:
            path, kind = original_file(searcher(), doc_id)
        except KeyError as e:
            raise ApiError.of(404, e) from None
        inline = not download and not kind.startswith("application/octet-stream")
        disposition = f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(path.name)}"
        headers = {"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"}
        if kind.startswith("text/"):
            headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
        return FileResponse(path, media_type=kind, headers=headers)

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs_page():
        return openapi_html(app.openapi())

    return app
