"""Conversations as the browser keeps them (app.chats) and feedback / audit reading (app.feedback)."""

from __future__ import annotations

import json

import pytest

from app import chats, feedback

ANSWER = {
    "question": "哪个部门牵头？", "answer": "统计局牵头[1]。", "answered": True, "mode": "extractive", "kind": "department",
    "citations": [{"n": 1, "clause_id": "d#一", "doc_title": "T", "path": "一、总则", "text": "甲。统计局牵头。",
                   "quote": "统计局牵头。", "refs": ["d#二"]}],
    "related": [{"clause_id": "d#三", "doc_title": "T", "path": "三", "text": "很长的条文", "score": 0.1, "span": [0, 2]}],
    "latency_ms": 3.0, "region": "江苏省",
}


def test_compact_drops_clause_texts_keeps_spans_and_unknown_fields():
    msg = chats.compact(ANSWER)
    assert msg["citations"] == [{"n": 1, "clause_id": "d#一", "doc_title": "T", "path": "一、总则", "quote": "统计局牵头。",
                                 "refs": ["d#二"], "span": [2, 8]}]
    assert msg["related"] == [{"clause_id": "d#三", "doc_title": "T", "path": "三", "score": 0.1, "span": [0, 2]}]
    assert msg["region"] == "江苏省" and msg["id"].startswith("m-") and ANSWER["citations"][0]["text"]


def test_add_answer_titles_the_conversation_and_moves_it_first():
    store = chats.empty_store()
    first = store["current"]
    chats.add_answer(store, ANSWER)
    chats.start(store)
    second = store["current"]
    chats.switch(store, first)
    chats.add_answer(store, {**ANSWER, "question": "一个很长很长很长很长很长很长很长的问题？"})
    assert [c["id"] for c in store["convs"]] == [first, second]
    assert store["convs"][0]["title"] == "哪个部门牵头？" and len(store["convs"][0]["msgs"]) == 2


def test_merge_adds_answers_given_meanwhile_once_each_in_their_own_conversation():
    old = chats.empty_store()
    first = old["current"]
    chats.add_answer(old, {**ANSWER, "question": "早先的问题"})
    given_store = json.loads(json.dumps(old))
    msg = chats.add_answer(given_store, ANSWER)  # the answer given meanwhile, in the first conversation
    second = chats.start(old)["id"]  # the user opened a new conversation before sending the next question
    chats.merge(old, [(first, msg)])  # `old` is what the browser sent with that next question
    chats.merge(old, [(first, msg)])  # given twice: kept once
    assert store_questions(old) == {first: ["早先的问题", "哪个部门牵头？"], second: []}
    assert old["convs"][0]["id"] == first and old["current"] == second
    chats.delete(old, first)
    chats.merge(old, [(first, msg)])  # its conversation was deleted meanwhile: not brought back
    assert store_questions(old) == {second: []}


def store_questions(store: dict) -> dict:
    return {c["id"]: [m["question"] for m in c["msgs"]] for c in store["convs"]}


def test_limits_keep_the_newest():
    store = chats.empty_store()
    for i in range(chats.MAX_TURNS + 5):
        chats.add_answer(store, {**ANSWER, "question": f"问{i}"})
    assert [m["question"] for m in chats.current(store)["msgs"]][0] == "问5"
    for _ in range(chats.MAX_CONVS + 3):
        chats.start(store)
        chats.add_answer(store, ANSWER)
    assert len(chats.normalize(store)["convs"]) == chats.MAX_CONVS


@pytest.mark.parametrize("raw", [None, "x", [], {}, {"convs": "x"}, {"convs": [{"id": 1}]},
                                 {"convs": [{"id": "c-1", "msgs": [{"id": "m"}]}], "current": "c-1"}])
def test_normalize_repairs_whatever_the_browser_sends(raw):
    store = chats.normalize(raw)
    conv = chats.current(store)
    assert conv["msgs"] == [] and store["current"] == conv["id"]


def test_normalize_keeps_valid_conversations_and_picks_a_current_one():
    store = chats.empty_store()
    chats.add_answer(store, ANSWER)
    again = chats.normalize(json.loads(json.dumps({**store, "current": "c-gone"})))
    assert again["convs"] == store["convs"] and again["current"] == store["convs"][0]["id"]


def test_delete_the_last_conversation_leaves_a_new_empty_one():
    store = chats.empty_store()
    only = store["current"]
    chats.delete(store, only)
    assert len(store["convs"]) == 1 and store["current"] != only and chats.current(store)["msgs"] == []


def test_feedback_read_filters_and_csv(tmp_path):
    path = tmp_path / "feedback.jsonl"
    answer = {"question": "问,“引号”", "answer": "答[1]", "citations": [{"clause_id": "d#一"}, {"clause_id": "d#二"}]}
    assert feedback.record_feedback(path, answer, "useful", session="c-1", message="m-1")
    assert feedback.record_feedback(path, answer, "wrong", session="c-1", message="m-1") is None  # once per answer
    feedback.record_feedback(path, {**answer, "question": "别的"}, "wrong", "不对", session="c-1", message="m-2")
    path.open("a", encoding="utf-8").write("{broken\n")
    assert [e["question"] for e in feedback.read_feedback(path)] == ["别的", "问,“引号”"]  # newest first
    assert [e["verdict"] for e in feedback.read_feedback(path, verdict="wrong")] == ["wrong"]
    assert feedback.read_feedback(path, text="不对")[0]["comment"] == "不对"
    csv_text = feedback.to_csv(feedback.read_feedback(path, verdict="useful"), feedback.FEEDBACK_COLUMNS)
    header, row = csv_text.splitlines()
    assert csv_text.startswith("\ufeff") and header == "\ufeff时间,评价,问题,回答,引用条款,说明,会话,消息"
    assert row.split(",", 1)[1] == "有用,\"问,“引号”\",答[1],d#一；d#二,,c-1,m-1"


def test_questions_come_from_the_audit_log_and_its_backups(tmp_path):
    log = tmp_path / "audit.jsonl"
    lines = lambda *qs: "".join(json.dumps({"question": q, "channel": c, "answered": a}, ensure_ascii=False) + "\n"
                                for q, c, a in qs)
    (tmp_path / "audit.jsonl.2").write_text(lines(("最早", "web", True)), encoding="utf-8")
    (tmp_path / "audit.jsonl.1").write_text(lines(("较早", "api", False)), encoding="utf-8")
    log.write_text(lines(("最新", "gradio", True)), encoding="utf-8")
    assert [e["question"] for e in feedback.read_questions(log)] == ["最新", "较早", "最早"]
    assert [e["question"] for e in feedback.read_questions(log, channel="api")] == ["较早"]
    assert [e["question"] for e in feedback.read_questions(log, answered="yes")] == ["最新", "最早"]
    assert feedback.cell("channel", "gradio") == "Gradio 接口" and feedback.cell("answered", False) == "否"


def test_every_answer_kind_reads_in_chinese_in_the_admin_table():
    from app.qa import COMPOSERS

    kinds = {*COMPOSERS, "social", "unanswerable", "count", "version", "mentions"}
    assert {k for k in kinds if feedback.cell("kind", k) == k} == set()  # none shown as its English name
    assert feedback.cell("kind", "yesno") == "能否/是否" and feedback.cell("kind", "department") == "责任部门"


def test_times_of_feedback_and_of_the_audit_log_read_alike(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    import time

    time.tzset()
    try:
        # feedback stores UTC with "+00:00", the audit log local time with "+0800": one form in the table
        assert feedback.cell("time", "2026-12-07T10:00:05+00:00") == "2026-12-07 18:00:05"
        assert feedback.cell("time", "2026-12-07T18:00:05+0800") == "2026-12-07 18:00:05"
        assert feedback.cell("time", "昨天") == "昨天" and feedback.cell("time", None) == ""
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
