"""HTML for the web app as pure functions: every piece of document text is escaped before marks are added.

Clickable items carry `data-cid` (a clause id) and optionally `data-s`/`data-e` (a span of the clause
text to highlight); the web module's click handler opens that clause in the side panel."""

from __future__ import annotations

import html
from typing import Callable, Iterable, Sequence

from ingest.records import Clause

Fold = Callable[[str], str]


def esc(text: object) -> str:
    """Escape text for HTML content and attribute values alike."""
    return html.escape("" if text is None else str(text), quote=True)


# -- highlighting ----------------------------------------------------------------------------------
def merge_ranges(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, e in sorted(r for r in ranges if r[1] > r[0]):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def mark_ranges(text: str, ranges: Iterable[tuple[int, int]], cls: str = "") -> str:
    """Escape `text` and wrap each (merged) range of the raw text in <mark>."""
    attr = f' class="{esc(cls)}"' if cls else ""
    parts, pos = [], 0
    for s, e in merge_ranges((max(0, s), min(len(text), e)) for s, e in ranges):
        parts += [esc(text[pos:s]), f"<mark{attr}>", esc(text[s:e]), "</mark>"]
        pos = e
    parts.append(esc(text[pos:]))
    return "".join(parts)


def fold_chars(text: str, fold: Fold | None = None) -> str:
    """Fold character by character so that offsets in the result are offsets in `text`."""
    if fold is None:
        return text.lower()
    out = []
    for ch in text:
        f = fold(ch)
        out.append(f if len(f) == 1 else ch.lower())
    return "".join(out)


def term_ranges(text: str, terms: Iterable[str], fold: Fold | None = None) -> list[tuple[int, int]]:
    """Every occurrence of every term (already folded, e.g. query tokens) in `text`."""
    folded = fold_chars(text, fold)
    ranges = []
    for term in {t for t in terms if t and t.strip()}:
        start = folded.find(term)
        while start != -1:
            ranges.append((start, start + len(term)))
            start = folded.find(term, start + 1)
    return merge_ranges(ranges)


def highlight_terms(text: str, terms: Iterable[str], fold: Fold | None = None) -> str:
    return mark_ranges(text, term_ranges(text, terms, fold), "pq-term")


def quote_range(text: str, quote: str) -> tuple[int, int] | None:
    """Where a quoted sentence lies in the clause text (None when it does not occur)."""
    quote = (quote or "").strip()
    if not quote:
        return None
    i = text.find(quote)
    return (i, i + len(quote)) if i != -1 else None


def highlight_span(text: str, span: tuple[int, int] | None) -> str:
    return mark_ranges(text, [span] if span else [], "pq-quote")


def answer_markdown(text: str) -> str:
    """Answer text for the chat's markdown renderer: markup characters show as themselves."""
    return html.escape(text or "", quote=False)


# -- chat ------------------------------------------------------------------------------------------
def _clause_button(cid: str, label: str, cls: str, span: tuple[int, int] | None = None, n: int | None = None) -> str:
    data = f' data-cid="{esc(cid)}"'
    if span:
        data += f' data-s="{span[0]}" data-e="{span[1]}"'
    if n is not None:
        data += f' data-n="{n}"'
    return f'<button type="button" class="{cls}"{data}>{label}</button>'


def citations_html(citations: Sequence[dict]) -> str:
    """The answer's sources as buttons `[n] path`; `citations` as in Answer.to_json()."""
    if not citations:
        return ""
    items = []
    for c in citations:
        span = quote_range(c["text"], c.get("quote", ""))
        label = f'<b>[{int(c["n"])}]</b> {esc(c["path"])} <span class="pq-doc">《{esc(c["doc_title"])}》</span>'
        items.append(f"<li>{_clause_button(c['clause_id'], label, 'pq-cite', span, int(c['n']))}</li>")
    return f'<div class="pq-cites"><div class="pq-h">引用条款（点击查看原文）</div><ul>{"".join(items)}</ul></div>'


def related_html(hits: Sequence[dict], title: str = "相关条款") -> str:
    """Clauses shown when a question was not answered; `hits` as in Hit.to_json()."""
    if not hits:
        return ""
    items = []
    for h in hits:
        span = tuple(h["span"]) if h.get("span") else None
        label = f'{esc(h["path"])} <span class="pq-doc">《{esc(h["doc_title"])}》</span>'
        items.append(f"<li>{_clause_button(h['clause_id'], label, 'pq-related', span)}</li>")
    return f'<div class="pq-cites pq-rel"><div class="pq-h">{esc(title)}</div><ul>{"".join(items)}</ul></div>'


def clause_panel_html(
    doc_title: str,
    clause: Clause,
    span: tuple[int, int] | None = None,
    prev: Clause | None = None,
    nxt: Clause | None = None,
) -> str:
    """The side panel: document, path, clause text with the quote marked, links to its neighbours."""
    nav = []
    if prev is not None:
        nav.append(_clause_button(prev.id, f"← 上一条：{esc(prev.path[-1] if prev.path else prev.id)}", "pq-nav pq-prev"))
    if nxt is not None:
        nav.append(_clause_button(nxt.id, f"下一条：{esc(nxt.path[-1] if nxt.path else nxt.id)} →", "pq-nav pq-next"))
    return (
        '<div class="pq-panel">'
        f'<div class="pq-panel-doc">《{esc(doc_title)}》</div>'
        f'<div class="pq-panel-path">{esc(clause.path_text)}</div>'
        f'<div class="pq-panel-id"><code>{esc(clause.id)}</code></div>'
        f'<div class="pq-panel-text">{highlight_span(clause.text, span)}</div>'
        f'<div class="pq-panel-nav">{"".join(nav)}</div>'
        "</div>"
    )


def panel_placeholder(text: str = "点击引用条款，在此查看原文。") -> str:
    return f'<div class="pq-panel pq-empty">{esc(text)}</div>'


def message_html(text: str, kind: str = "info") -> str:
    return f'<div class="pq-msg pq-{esc(kind)}">{esc(text)}</div>'


# -- clause search ---------------------------------------------------------------------------------
def clause_reference(doc_title: str, path_text: str, clause_id: str) -> str:
    """The citable reference a user copies into a memo."""
    return f"《{doc_title}》{path_text}（{clause_id}）"


def hits_html(hits: Sequence[dict], terms: Sequence[str], fold: Fold | None = None) -> str:
    """Search results with matched terms marked; `hits` as in Hit.to_json()."""
    if not hits:
        return message_html("没有找到匹配的条款。换个说法，或去掉文件和章节筛选再试。", "empty")
    cards = []
    for i, h in enumerate(hits, 1):
        ref = clause_reference(h["doc_title"], h["path"], h["clause_id"])
        span = tuple(h["span"]) if h.get("span") else None
        cards.append(
            '<div class="pq-hit">'
            f'<div class="pq-hit-head"><span class="pq-rank">{i}</span> '
            f'{_clause_button(h["clause_id"], esc(h["path"]), "pq-open", span)}'
            f' <span class="pq-doc">《{esc(h["doc_title"])}》</span>'
            f' <span class="pq-score">{float(h["score"]):.4f}</span></div>'
            f'<div class="pq-hit-text">{highlight_terms(h["text"], terms, fold)}</div>'
            f'<div class="pq-ref"><code>{esc(ref)}</code> '
            f'<button type="button" class="pq-copy" data-copy="{esc(ref)}">复制引用</button></div>'
            "</div>"
        )
    return f'<div class="pq-hits">{"".join(cards)}</div>'


# -- documents -------------------------------------------------------------------------------------
def clause_tree_html(clauses: Sequence[Clause]) -> str:
    """A document's clauses indented by depth; each opens in the panel."""
    if not clauses:
        return message_html("这个文件没有条款。", "empty")
    items = []
    for c in clauses:
        label = esc(c.path[-1] if c.path else c.id)
        items.append(
            f'<li class="pq-tree-l{min(c.level, 4)}">{_clause_button(c.id, label, "pq-open pq-tree-item")}</li>'
        )
    return f'<ul class="pq-tree">{"".join(items)}</ul>'


# -- the OpenAPI page ------------------------------------------------------------------------------
def openapi_html(spec: dict) -> str:
    """A self-contained page describing the JSON routes (no CDN scripts: the app runs offline)."""
    rows = []
    for path, ops in spec.get("paths", {}).items():
        for method, op in ops.items():
            params = "".join(
                f"<li><code>{esc(p['name'])}</code> ({esc(p.get('in'))}{', required' if p.get('required') else ''})"
                f" {esc(p.get('description') or p.get('schema', {}).get('description', ''))}</li>"
                for p in op.get("parameters", [])
            )
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            body_ref = body.get("$ref", "").rsplit("/", 1)[-1]
            rows.append(
                f'<section><h2><span class="m">{esc(method.upper())}</span> <code>{esc(path)}</code></h2>'
                f"<p>{esc(op.get('summary', ''))}</p><p>{esc(op.get('description', ''))}</p>"
                + (f"<ul>{params}</ul>" if params else "")
                + (f"<p>JSON body: <code>{esc(body_ref)}</code></p>" if body_ref else "")
                + f"<p>Responses: {esc(', '.join(op.get('responses', {})))}</p></section>"
            )
    info = spec.get("info", {})
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{esc(info.get('title', 'API'))}</title>"
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "section{border-top:1px solid #ddd;padding:.5rem 0}.m{background:#eef;padding:0 .4rem}</style>"
        f"</head><body><h1>{esc(info.get('title', 'API'))} {esc(info.get('version', ''))}</h1>"
        f"<p>{esc(info.get('description', ''))}</p>"
        "<p>Machine-readable schema: <a href='/openapi.json'>/openapi.json</a>. "
        "Gradio endpoints <code>/ask</code> and <code>/search</code> are described at "
        "<a href='/?view=api'>/?view=api</a>.</p>"
        + "".join(rows)
        + "</body></html>"
    )
