"""Further applicable articles for a question answered from laws and regulations.

A legal question ("未成年人偷别人东西会被抓起来吗？", "民间借贷合同什么时候成立？") is rarely settled by
one article: the rule, its exceptions and the article that fixes the consequence sit apart, often in
different laws. When the answer quotes an article (a clause of a 第X条 structure) and retrieval ranked
further articles nearly as high, those are listed after the answer under 相关条文, each with its
best-matching sentence and its own citation, so the reader sees every provision the question may
turn on. Questions about a figure, a department, a definition, a list or one numbered article keep
their single focused answer: this applies to policy and yes/no answers only.

Measured on STARD's development questions over the 1,422 documents of laws/ (`policyqa eval --suite
stard --corpus full`): see the README's Quality section.
"""

from __future__ import annotations

from app.citations import Evidence
from ingest.records import Hit
from ingest.refs import article_of

# Distinct articles an answer cites at most, those it quotes included.
MAX_ARTICLES = 5
# A further hit is listed when its fused score is at least this share of the first hit's.
RELATED_SHARE = 0.6
KINDS = ("policy", "yesno")

Line = tuple[str, list[Evidence]]


def related_articles(kind: str, evidence: list[Evidence], hits: list[Hit]) -> list[Line]:
    """Answer lines for the further articles among the hits (see the module docstring); none when
    the answer is of another kind or quotes no article."""
    if kind not in KINDS or not hits:
        return []
    cited = {a for a in (article_of(e.clause) for e in evidence) if a}
    if not cited:
        return []
    floor = RELATED_SHARE * hits[0].score
    lines: list[Line] = []
    for hit in hits:
        if len(cited) >= MAX_ARTICLES:
            break
        article = article_of(hit.clause)
        # Not "break" on a low score: hits put first for a named article or region keep their score.
        if article is None or article in cited or hit.score < floor:
            continue
        cited.add(article)
        s, e = hit.span
        quote = _without_label(hit.clause.text[s:e].strip(), article[1])
        if not quote:
            continue
        lines.append((f"《{hit.doc_title}》{article[1]}：{quote}", [Evidence(hit.clause, hit.doc_title, quote)]))
    return [("相关条文：", [])] + lines if lines else []


def named_articles(lines: list[Line]) -> list[Line]:
    """An answer's lines that quote a law's article, named as a law is cited: the first line quoting
    an article opens with it, "《快递暂行条例》第二十七条：…" (an item: "…第四十三条第（四）项："), so an
    answer drawn from several laws says which law each rule is in; the label the quote opens with is
    not repeated, and further lines of an article named already stay as they are. Lines that name their place already (见《…》, 分工表第…) and clauses outside
    articles (a guideline's 五、（二）) are left as they are."""
    seen: set[tuple[str, str]] = set()  # (document, 第X条) named so far
    out: list[Line] = []
    for text, evidence in lines:
        e = evidence[0] if len(evidence) == 1 else None
        article = article_of(e.clause) if e is not None and text == e.quote.strip() else None
        if article is None:
            out.append((text, evidence))
            continue
        place = e.clause.citation or article[1]
        shown = _without_label(_without_label(text, article[1]), e.clause.labels[-1] if e.clause.labels else "")
        if article in seen or not shown:  # its article is named above: "（二）佩戴安全头盔；" reads under it
            out.append((text, evidence))
            continue
        seen.add(article)
        out.append((f"《{e.doc_title}》{place}：{shown}", evidence))
    return out


def _without_label(quote: str, label: str) -> str:
    """The quote without the article's own label at its start ("第三十八条 消费者…" -> "消费者…"): the
    line names the article already ("《…》第三十八条：")."""
    if label and quote.startswith(label):
        return quote[len(label):].lstrip(" \u3000\t\n：:")
    return quote
