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


def _without_label(quote: str, label: str) -> str:
    """The quote without the article's own label at its start ("第三十八条 消费者…" -> "消费者…"): the
    line names the article already ("《…》第三十八条：")."""
    if quote.startswith(label):
        return quote[len(label):].lstrip(" \u3000\t\n：:")
    return quote
