"""app/consult.py: the further articles listed after an answer drawn from laws."""

from __future__ import annotations

from app.citations import Evidence, build_citations
from app.consult import related_articles
from ingest.refs import article_of
from ingest.records import Clause, Hit


def _clause(doc: str, label: str, text: str, citation: str | None = None, kind: str = "article") -> Clause:
    return Clause(id=f"{doc}#{label}", doc_id=doc, labels=tuple(label.split(".")), path=(label,), kind=kind,
                  heading="", text=text, start=0, end=len(text), subtree_end=len(text), parent_id=None, order=0,
                  citation=label.split(".")[0] if citation is None else citation)


def _hit(clause: Clause, score: float, title: str = "刑法") -> Hit:
    return Hit(clause=clause, doc_title=title, score=score, span=(0, len(clause.text)))


THEFT = _clause("刑法", "第二百六十四条", "盗窃公私财物，数额较大的，处三年以下有期徒刑。")
AGE = _clause("刑法", "第十七条", "已满十六周岁的人犯罪，应当负刑事责任。")
AGE_ITEM = _clause("刑法", "第十七条.（一）", "已满十四周岁不满十六周岁的人，犯故意杀人罪的，应当负刑事责任。",
                   citation="第十七条第二款第（一）项", kind="item")
PUBLIC = _clause("治安管理处罚法", "第四十九条", "盗窃、诈骗公私财物的，处五日以上十日以下拘留。")
GUIDELINE = _clause("guideline", "五.（二）", "加大财税政策引导支持力度。", citation="", kind="item")


def test_article_of_an_article_an_item_and_a_clause_outside_articles():
    assert article_of(THEFT) == ("刑法", "第二百六十四条")
    assert article_of(AGE_ITEM) == ("刑法", "第十七条")
    assert article_of(GUIDELINE) is None


def test_further_articles_close_to_the_first_are_listed_with_their_sentence():
    hits = [_hit(THEFT, 1.0), _hit(AGE_ITEM, 0.9), _hit(AGE, 0.8), _hit(PUBLIC, 0.7, "治安管理处罚法")]
    evidence = [Evidence(THEFT, "刑法", THEFT.text)]
    lines = related_articles("yesno", evidence, hits)
    assert [text for text, _ in lines] == [
        "相关条文：",
        "《刑法》第十七条：已满十四周岁不满十六周岁的人，犯故意杀人罪的，应当负刑事责任。",  # its item stands for 第十七条
        "《治安管理处罚法》第四十九条：盗窃、诈骗公私财物的，处五日以上十日以下拘留。",
    ]
    text, citations = build_citations([(THEFT.text, evidence)] + lines)
    assert [c.clause.id for c in citations] == ["刑法#第二百六十四条", "刑法#第十七条.（一）", "治安管理处罚法#第四十九条"]
    assert text.splitlines()[1:] == ["相关条文：", "《刑法》第十七条：已满十四周岁不满十六周岁的人，犯故意杀人罪的，应当负刑事责任。[2]",
                                     "《治安管理处罚法》第四十九条：盗窃、诈骗公私财物的，处五日以上十日以下拘留。[3]"]


def test_hits_far_below_the_first_and_articles_beyond_the_cap_are_not_listed():
    hits = [_hit(THEFT, 1.0), _hit(AGE, 0.5), _hit(PUBLIC, 0.9, "治安管理处罚法")]
    evidence = [Evidence(THEFT, "刑法", THEFT.text)]
    assert [t for t, _ in related_articles("policy", evidence, hits)] == ["相关条文：", "《治安管理处罚法》第四十九条：盗窃、诈骗公私财物的，处五日以上十日以下拘留。"]
    many = [_hit(_clause("刑法", f"第{n}条", f"第{n}条的规定。"), 1.0) for n in "一二三四五六七八"]
    listed = related_articles("policy", [Evidence(many[0].clause, "刑法", "第一条的规定。")], many)
    assert len(listed) == 1 + 4  # the heading and four more: five articles in all


def test_other_kinds_and_answers_outside_articles_get_nothing_more():
    hits = [_hit(THEFT, 1.0), _hit(AGE, 0.95)]
    evidence = [Evidence(THEFT, "刑法", THEFT.text)]
    for kind in ("figure", "department", "definition", "list", "locate", "version", "tasks_of"):
        assert related_articles(kind, evidence, hits) == []
    assert related_articles("policy", [Evidence(GUIDELINE, "指导意见", GUIDELINE.text)], hits) == []


def test_a_listed_article_whose_sentence_opens_with_its_label_is_not_labelled_twice():
    headed = _clause("快递暂行条例", "第三十八条", "第三十八条 消费者交寄的快件遗失的，企业应当赔偿。")
    evidence = [Evidence(THEFT, "刑法", THEFT.text)]
    lines = related_articles("policy", evidence, [_hit(THEFT, 1.0), _hit(headed, 0.9, "快递暂行条例")])
    assert [(t, [e.quote for e in ev]) for t, ev in lines] == [
        ("相关条文：", []),
        ("《快递暂行条例》第三十八条：消费者交寄的快件遗失的，企业应当赔偿。", ["消费者交寄的快件遗失的，企业应当赔偿。"]),
    ]


def test_a_line_quoting_a_laws_article_is_named_as_a_law_is_cited():
    from app.consult import named_articles

    headed = _clause("快递暂行条例", "第二十七条", "第二十七条 快件丢失的，依照民事法律确定赔偿责任。")
    lines = [(THEFT.text, [Evidence(THEFT, "刑法", THEFT.text)]),
             (AGE.text, [Evidence(AGE, "刑法", AGE.text)]),
             ("（一）" + AGE_ITEM.text, [Evidence(AGE_ITEM, "刑法", "（一）" + AGE_ITEM.text)]),  # under 第十七条, named
             (headed.text, [Evidence(headed, "快递暂行条例", headed.text)]),
             ("见《刑法》第十七条：…", [Evidence(AGE, "刑法", AGE.text)]),  # names its place already
             (GUIDELINE.text, [Evidence(GUIDELINE, "意见", GUIDELINE.text)])]  # outside articles
    assert [t for t, _ in named_articles(lines)] == [
        "《刑法》第二百六十四条：盗窃公私财物，数额较大的，处三年以下有期徒刑。",
        "《刑法》第十七条：已满十六周岁的人犯罪，应当负刑事责任。",
        "（一）已满十四周岁不满十六周岁的人，犯故意杀人罪的，应当负刑事责任。",
        "《快递暂行条例》第二十七条：快件丢失的，依照民事法律确定赔偿责任。",
        "见《刑法》第十七条：…",
        "加大财税政策引导支持力度。",
    ]
    alone = [(AGE_ITEM.text, [Evidence(AGE_ITEM, "刑法", AGE_ITEM.text)])]  # an item by itself: its full place
    assert named_articles(alone)[0][0] == "《刑法》第十七条第二款第（一）项：已满十四周岁不满十六周岁的人，犯故意杀人罪的，应当负刑事责任。"
