"""HTML for the web app as pure functions: every piece of document text is escaped before marks are added.

Clickable items carry `data-cid` (a clause id) and optionally `data-s`/`data-e` (a span of the clause
text to highlight); the web module's click handler opens that clause in the side panel."""

from __future__ import annotations

import html
import re
from typing import Callable, Iterable, Sequence
from urllib.parse import quote

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


def quote_range(text: str, quote: str) -> tuple[int, int] | None:
    """Where a quoted sentence lies in the clause text (None when it does not occur)."""
    quote = (quote or "").strip()
    if not quote:
        return None
    i = text.find(quote)
    return (i, i + len(quote)) if i != -1 else None


def highlight_span(text: str, span: tuple[int, int] | None) -> str:
    return mark_ranges(text, [span] if span else [], "pq-quote")


# -- small pieces ----------------------------------------------------------------------------------
CITE_MARK = re.compile(r"\[(\d{1,3})\]")
META_DATES = (("adopted", "通过"), ("promulgated", "公布"), ("revised", "修订"), ("effective", "施行"),
              ("version_date", "版本"))


def _attrs(**values) -> str:
    """HTML attributes from keyword arguments (data_cid -> data-cid); None values are left out."""
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in values.items() if v is not None)


def _clause_button(cid: str, label: str, cls: str, span: tuple[int, int] | None = None, n: int | None = None,
                   title: str | None = None) -> str:
    """A button that opens a clause in the side panel; `label` is already HTML."""
    s, e = (span[0], span[1]) if span else (None, None)
    return f'<button type="button"{_attrs(class_=cls, data_cid=cid, data_s=s, data_e=e, data_n=n, title=title)}>{label}</button>'


def _span_of(item: dict) -> tuple[int, int] | None:
    """A citation's or hit's span: stored as `span`, or found from its quote in its text."""
    span = item.get("span")
    if span and len(span) == 2:
        return int(span[0]), int(span[1])
    return quote_range(item.get("text", ""), item.get("quote", ""))


def meta_badges(item: dict) -> str:
    """Document metadata when a record carries it (region, type, dates, in force); nothing otherwise."""
    out = []
    if item.get("in_force") is False:
        out.append('<span class="pq-badge pq-badge-old">已被修订</span>')  # an older version of a revised text
    elif item.get("in_force") is True:
        out.append('<span class="pq-badge pq-badge-ok">现行有效</span>')
    for key in ("region", "doc_type"):
        if item.get(key):
            out.append(f'<span class="pq-badge">{esc(item[key])}</span>')
    out += [f'<span class="pq-badge">{name} {esc(value)}</span>' for name, value in _dates(item)]
    return "".join(out)


def _dates(item: dict) -> list[tuple[str, str]]:
    """(name, date) of each date a document record states; the version's date is said once, not
    again when it is the revision's or the promulgation's."""
    return [(name, item[key]) for key, name in META_DATES if item.get(key)
            and not (key == "version_date" and item[key] in (item.get("revised"), item.get("promulgated")))]


def _refs_html(refs) -> str:
    """Cross-references of a clause (ids or {clause_id, path} objects), each opening in the panel."""
    items = []
    for r in refs or ():
        cid = r.get("clause_id") if isinstance(r, dict) else str(r)
        if cid:
            label = r.get("path") or r.get("text") or cid if isinstance(r, dict) else cid
            items.append(_clause_button(cid, esc(label), "pq-link pq-ref-link"))
    return f'<div class="pq-refs">参见：{"、".join(items)}</div>' if items else ""


# -- chat ------------------------------------------------------------------------------------------
def answer_html(text: str, citations: Sequence[dict]) -> str:
    """The answer as text (never Markdown or HTML); each [n] of a citation opens that clause."""
    by_n = {int(c["n"]): c for c in citations}
    parts, pos = [], 0
    for m in CITE_MARK.finditer(text or ""):
        parts.append(esc(text[pos:m.start()]))
        c = by_n.get(int(m.group(1)))
        if c is None:
            parts.append(esc(m.group(0)))
        else:
            parts.append(_clause_button(c["clause_id"], esc(m.group(0)), "pq-cite-n", _span_of(c), int(c["n"]),
                                        title=f"《{c['doc_title']}》{c['path']}"))
        pos = m.end()
    parts.append(esc((text or "")[pos:]))
    return "".join(parts)


def citations_html(citations: Sequence[dict]) -> str:
    """An answer's sources, collapsed: `[n] path 《title》` opening the clause, the quote beneath."""
    if not citations:
        return ""
    items = []
    for c in citations:
        n = int(c["n"])
        label = f'<b>[{n}]</b> {esc(c["path"])} <span class="pq-doc">《{esc(c["doc_title"])}》</span>'
        quote = f'<div class="pq-src-quote">{esc(c["quote"])}</div>' if c.get("quote") else ""
        items.append(f"<li>{_clause_button(c['clause_id'], label, 'pq-cite', _span_of(c), n)}{meta_badges(c)}"
                     f"{quote}{_refs_html(c.get('refs'))}</li>")
    return (f'<details class="pq-src"><summary>引用条款（{len(citations)} 条，点击查看原文）</summary>'
            f'<ol class="pq-src-list">{"".join(items)}</ol></details>')


def related_html(hits: Sequence[dict], title: str = "相关条款") -> str:
    """Clauses shown when a question was not answered; `hits` as in Hit.to_json()."""
    if not hits:
        return ""
    items = []
    for h in hits:
        label = f'{esc(h["path"])} <span class="pq-doc">《{esc(h["doc_title"])}》</span>'
        items.append(f"<li>{_clause_button(h['clause_id'], label, 'pq-related', _span_of(h))}{meta_badges(h)}</li>")
    return (f'<details class="pq-src pq-rel" open><summary>{esc(title)}（{len(hits)} 条）</summary>'
            f'<ul class="pq-src-list">{"".join(items)}</ul></details>')


FEEDBACK_DONE = {"useful": "已反馈：有用。谢谢！", "wrong": "已反馈：有误。管理员会复核。"}


def feedback_html(msg: dict) -> str:
    """有用 / 有误 for one answer, with an optional comment; once given, only what was said."""
    if msg.get("fb") in FEEDBACK_DONE:
        return f'<div class="pq-fb pq-fb-done">{FEEDBACK_DONE[msg["fb"]]}</div>'
    mid = esc(msg.get("id", ""))
    return (
        f'<div class="pq-fb" data-mid="{mid}">'
        '<button type="button" class="pq-fb-btn" data-fb="useful">有用</button>'
        '<button type="button" class="pq-fb-btn" data-fb="wrong">有误</button>'
        '<input type="text" class="pq-fb-comment" maxlength="500" placeholder="说明（可选），再点有用或有误" '
        'aria-label="反馈说明（可选）"></div>'
    )


def turn_html(msg: dict, pending: bool = False) -> str:
    """One question and its answer with the answer's own sources and feedback."""
    answered = msg.get("answered", True)
    cites = msg.get("citations") or []
    body = f'<div class="pq-atext">{answer_html(msg.get("answer", ""), cites)}</div>'
    if not pending:
        body += citations_html(cites) if answered and cites else related_html(
            msg.get("related") or [], "相关条款（未能直接回答，可查看这些条款）")
        body += feedback_html(msg)
    # "还有别的吗" after everything was shown is told so, not styled as a refusal
    refused = not answered and msg.get("kind") != "exhausted"
    cls = "pq-bot" + (" pq-refused" if refused else "") + (" pq-pending" if pending else "")
    return (
        f'<article class="pq-turn"{_attrs(data_mid=msg.get("id"))}>'
        f'<div class="pq-q"><div class="pq-bubble pq-user">{esc(msg.get("question", ""))}</div></div>'
        f'<div class="pq-a"><div class="pq-bubble {cls}">{body}</div></div></article>'
    )


def chat_html(msgs: Sequence[dict], pending: dict | None = None) -> str:
    """A whole conversation; `pending` is an answer still being revealed."""
    turns = [turn_html(m) for m in msgs] + ([turn_html(pending, pending=True)] if pending else [])
    if not turns:
        return '<div class="pq-chat-empty">就已导入的政策文件提问，回答附条款引用；点击回答中的 [1] 查看原文。</div>'
    return f'<div class="pq-turns">{"".join(turns)}</div>'


def conversations_html(convs: Sequence[dict], current: str) -> str:
    """The conversation list: switch by clicking a title, delete with × (asks once)."""
    items = []
    for c in convs:
        cls = "pq-conv" + (" pq-current" if c["id"] == current else "")
        n = len(c.get("msgs", []))
        title = esc(c.get("title") or "新对话")
        items.append(
            f'<li{_attrs(class_=cls)}>'
            + f'<button type="button" class="pq-conv-open"{_attrs(data_conv=c["id"])}>{title}'
            f'<span class="pq-conv-n">{n} 问</span></button>'
            f'<button type="button" class="pq-conv-del"{_attrs(data_del=c["id"])} title="删除此对话" '
            'aria-label="删除此对话">×</button></li>'
        )
    return f'<ul class="pq-convs">{"".join(items)}</ul>'


# -- the side panel --------------------------------------------------------------------------------
_BRACKETED_ITEM = re.compile(r"第[（(]([一二三四五六七八九十]+)[)）]项")


def clause_reference(doc_title: str, path_text: str, citation: str = "", meta: dict | None = None) -> str:
    """The reference a user copies into a memo, as Chinese legal writing cites: 《title》第十五条第一款
    第二项 (an item's number without its brackets), a clause outside articles by its path, an older
    version of a revised text with its date; no internal id."""
    where = _BRACKETED_ITEM.sub(r"第\1项", citation) if citation else path_text
    old = meta is not None and meta.get("in_force") is False and meta.get("version_date")
    return f"《{doc_title}》" + (f"（{meta['version_date']}版）" if old else "") + where


def copy_button(ref: str) -> str:
    return f'<button type="button" class="pq-copy"{_attrs(data_copy=ref)}>复制引用</button>'


def clause_panel_html(
    doc_title: str,
    clause: Clause,
    span: tuple[int, int] | None = None,
    prev: Clause | None = None,
    nxt: Clause | None = None,
    meta: dict | None = None,
    columns: Sequence[str] = (),
    parts: Sequence[Clause] = (),
) -> str:
    """The side panel: document, path, clause text with the quote marked, neighbours, copy reference.
    A table row with its table's `columns` (序号, 工作任务, 责任部门) reads as that row, each cell under
    its column's name; the `parts` under a clause that its text does not hold (一、总体要求's, a
    table's rows) are listed, one click each."""
    nav = []
    if prev is not None:
        nav.append(_clause_button(prev.id, f"← 上一条：{esc(prev.path[-1] if prev.path else prev.id)}", "pq-nav pq-prev"))
    if nxt is not None:
        nav.append(_clause_button(nxt.id, f"下一条：{esc(nxt.path[-1] if nxt.path else nxt.id)} →", "pq-nav pq-next"))
    ref = clause_reference(doc_title, clause.path_text, clause.citation, meta)
    return (
        '<div class="pq-panel">'
        '<button type="button" class="pq-close" data-close="1" aria-label="关闭">关闭 ×</button>'
        f'<div class="pq-panel-doc">《{esc(doc_title)}》{meta_badges(meta or {})}</div>'
        f'<div class="pq-panel-path">{esc(clause.path_text)}</div>'
        f'<div class="pq-panel-id"><code translate="no">{esc(clause.id)}</code> {copy_button(ref)}</div>'
        f'<div class="pq-panel-text">{_row_html(clause.text, span, columns) or highlight_span(clause.text, span)}</div>'
        f'{_parts_html(parts)}'
        f'<div class="pq-panel-nav">{"".join(nav)}</div>'
        "</div>"
    )


def _row_html(text: str, span: tuple[int, int] | None, columns: Sequence[str]) -> str:
    """A table row's cells (its lines) under their columns' names, the quote marked in each; "" when
    the row's lines are not one per column."""
    cells, pos = [], 0
    for line in text.split("\n"):
        cells.append((pos, pos + len(line)))
        pos += len(line) + 1
    if not columns or len(columns) != len(cells):
        return ""
    out = []
    for name, (a, b) in zip(columns, cells):
        inside = (max(span[0], a) - a, min(span[1], b) - a) if span and span[0] < b and span[1] > a else None
        out.append(f"<dt>{esc(name)}</dt><dd>{highlight_span(text[a:b], inside)}</dd>")
    return f'<dl class="pq-row">{"".join(out)}</dl>'


def _parts_html(parts: Sequence[Clause]) -> str:
    if not parts:
        return ""
    items = "".join(f"<li>{_clause_button(c.id, esc(c.path[-1] if c.path else c.heading), 'pq-part')}</li>" for c in parts)
    title = "表中各行：" if parts[0].kind == "row" else "本部分包括："
    return f'<div class="pq-parts"><div class="pq-parts-title">{title}</div><ul>{items}</ul></div>'


def panel_placeholder(text: str = "点击回答中的 [1] 或引用条款，在此查看原文。") -> str:
    return f'<div class="pq-panel pq-empty">{esc(text)}</div>'


def message_html(text: str, kind: str = "info") -> str:
    return f'<div class="pq-msg pq-{esc(kind)}" role="status">{esc(text)}</div>'


# -- clause search ---------------------------------------------------------------------------------
def mark_classes(text: str, layers: Sequence[tuple[Iterable[tuple[int, int]], str]]) -> str:
    """Escape `text` and mark ranges of several kinds; where kinds overlap the earlier layer wins."""
    owner: list[str | None] = [None] * len(text)
    for ranges, cls in reversed(layers):
        for s, e in ranges:
            for i in range(max(0, s), min(len(text), e)):
                owner[i] = cls
    parts, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and owner[j] == owner[i]:
            j += 1
        chunk = esc(text[i:j])
        parts.append(f'<mark class="{owner[i]}">{chunk}</mark>' if owner[i] else chunk)
        i = j
    return "".join(parts)


def _terms_found(text: str, terms: Iterable[str], fold: Fold | None) -> list[str]:
    folded = fold_chars(text, fold)
    return [t for t in dict.fromkeys(terms) if t and t in folded]


def hit_card(i: int, h: dict, terms: Sequence[str], synonyms: Sequence[str], fold: Fold | None) -> str:
    """One result: its path opening the clause, what matched (words, synonyms, or only the meaning),
    the text with words and synonyms marked differently, and the reference to copy."""
    found = _terms_found(h["text"], terms, fold)
    found = [t for t in found if not any(t != o and t in o for o in found)]  # 经纪 is already in 经纪人
    syn_found = _terms_found(h["text"], synonyms, fold)
    why = []
    if found:
        why.append(f'<span class="pq-why pq-why-term">含检索词：{esc("、".join(found))}</span>')
    if syn_found:
        why.append(f'<span class="pq-why pq-why-syn">同义词或别称：{esc("、".join(syn_found))}</span>')
    if not why:
        why.append('<span class="pq-why pq-why-sem">意思相近（不含检索词）</span>')
    ref = clause_reference(h["doc_title"], h["path"], h.get("citation", ""), h)
    text = mark_classes(h["text"], [(term_ranges(h["text"], found, fold), "pq-term"),
                                     (term_ranges(h["text"], syn_found, fold), "pq-syn")])
    return (
        '<div class="pq-hit">'
        f'<div class="pq-hit-head"><span class="pq-rank">{i}</span> '
        f'{_clause_button(h["clause_id"], esc(h["path"]), "pq-open", _span_of(h))}'
        f' <span class="pq-doc">《{esc(h["doc_title"])}》</span>{meta_badges(h)}</div>'
        f'<div class="pq-hit-why">{"".join(why)}</div>'
        f'<div class="pq-hit-text">{text}</div>'
        f'<div class="pq-ref"><code translate="no">{esc(ref)}</code> {copy_button(ref)}</div>'
        "</div>"
    )


NO_RESULTS_TIPS = (
    "换成文件里的说法，例如“补贴”可试“扶持”“资金支持”；",
    "去掉文件、章节等筛选条件；",
    "改用“语义”方式检索意思相近的条款；",
    "或到“问答”页直接提问。",
)
SEARCH_LEGEND = ('<div class="pq-legend"><mark class="pq-term">检索词</mark> 与 <mark class="pq-syn">同义词或简称</mark>'
                 " 分别标出；“意思相近”表示条款不含检索词，按语义排序。</div>")


def search_results_html(query: str, hits: Sequence[dict], terms: Sequence[str], synonyms: Sequence[str],
                        fold: Fold | None = None, semantic_only: bool = False) -> str:
    """Results that contain the words (or their synonyms) first, then those only close in meaning;
    an explicit "no matching clauses" state with suggestions when nothing contains them."""
    def matches(h: dict) -> bool:
        return bool(_terms_found(h["text"], list(terms) + list(synonyms), fold))

    direct = [h for h in hits if matches(h)]
    nearby = [h for h in hits if not matches(h)]
    if not hits or (not direct and not semantic_only):
        # a semantic search that found nothing is not told to search semantically
        tips = "".join(f"<li>{t}</li>" for t in NO_RESULTS_TIPS if not (semantic_only and "语义" in t))
        found = f"与“{esc(query.strip())}”意思相近" if semantic_only else f"包含“{esc(query.strip())}”"
        out = (f'<div class="pq-noresult" role="status"><div class="pq-noresult-title">没有找到{found}的条款。'
               f"</div><ul>{tips}</ul></div>")
        if nearby:
            cards = "".join(hit_card(i, h, terms, synonyms, fold) for i, h in enumerate(nearby[:3], 1))
            out += f'<div class="pq-divider">意思可能相近的条款（仅供参考）</div><div class="pq-hits">{cards}</div>'
        return out
    ordered = direct + nearby
    cards = []
    for i, h in enumerate(ordered, 1):
        if i == len(direct) + 1 and direct:
            cards.append('<div class="pq-divider">以下条款不含检索词，按意思相近排列</div>')
        cards.append(hit_card(i, h, terms, synonyms, fold))
    return f'{SEARCH_LEGEND}<div class="pq-hits">{"".join(cards)}</div>'


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


def table_html(headers: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]], cls: str = "", empty: str = "") -> str:
    """A table whose cells are already HTML; headers are (label, "number"|"text") and sort on click.
    On a phone each row becomes a card whose cells carry their column name (data-label)."""
    if not rows:
        return message_html(empty or "没有记录。", "empty")
    head = "".join(
        f'<th scope="col"><button type="button" class="pq-sort"{_attrs(data_sort=i, data_type=kind)}'
        f' title="点击按此列排序">{esc(label)}</button></th>'
        for i, (label, kind) in enumerate(headers)
    )
    body = "".join(
        "<tr>" + "".join(f'<td{_attrs(data_label=headers[j][0])}>{cell}</td>' for j, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f'<div class="pq-table-wrap"><table class="pq-table {esc(cls)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


DOC_COLUMNS = [("标题", "text"), ("发文机关", "text"), ("文种", "text"), ("文号", "text"), ("日期", "text"),
               ("条款数", "number"), ("原文", "text")]


def documents_html(rows: Sequence[dict]) -> str:
    """The documents table: title (with id), issuer, type, number, dates, clauses, original file links."""
    out = []
    for r in rows:
        named = _dates(r)
        # the record's own date (its signature's, else its version's) when no named date says it
        dates = ([r["date"]] if r.get("date") and r["date"] not in {d for _, d in named} else []) + [
            f"{name} {d}" for name, d in named]
        url = f"/api/documents/{quote(r['id'], safe='')}/original"
        links = (f'<a href="{esc(url)}" target="_blank" rel="noopener">查看</a> · '
                 f'<a href="{esc(url)}?download=1" download>下载</a>')
        title = (f'<div class="pq-doc-title">{esc(r["title"])}{meta_badges({"in_force": r.get("in_force")})}</div>'
                 f'<div class="pq-doc-id"><code translate="no">{esc(r["id"])}</code></div>')
        out.append([title, esc(r.get("issuer") or "—"), esc(r.get("doc_type") or "—"), esc(r.get("number") or "—"),
                    "<br>".join(map(esc, dates)) or "—", str(r.get("clauses", 0)), links])
    return table_html(DOC_COLUMNS, out, "pq-docs", "还没有导入文件。")


# The first department a row lists: 牵头 only where a table's header says so, which the column
# cannot know for every table (the answers name the role as each table does).
TASK_COLUMNS = [("序号", "number"), ("工作任务", "text"), ("列第一位的部门", "text"), ("责任部门", "text"), ("文件", "text"),
                ("条款", "text")]


def tasks_html(rows: Sequence[Sequence]) -> str:
    """The task-division table: rows of (number, task, lead, departments, document title, clause id)."""
    out = [[str(n), esc(task), esc(lead), esc(depts), esc(title), _clause_button(cid, "查看条款", "pq-link")]
           for n, task, lead, depts, title, cid in rows]
    return table_html(TASK_COLUMNS, out, "pq-tasks", "没有符合条件的任务。")


ID_COLUMNS = ("citations", "session", "message")  # clause, conversation and answer ids: not words to translate


def records_html(rows: Sequence[dict], columns: Sequence[tuple[str, str]], cell: Callable[[str, object], str]) -> str:
    """Feedback or audit rows for the admin view, newest first."""
    def show(key: str, value) -> str:
        text = esc(cell(key, value))
        return f'<span translate="no">{text}</span>' if key in ID_COLUMNS and text else text

    return table_html([(name, "text") for _, name in columns],
                      [[show(key, r.get(key)) for key, _ in columns] for r in rows], "pq-records", "没有符合条件的记录。")


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
