"""Conversations as the browser keeps them (Gradio BrowserState, i.e. localStorage): plain JSON.

    {"current": "c-…", "convs": [{"id": "c-…", "title": "…", "msgs": [answer, …]}, …]}

An answer is Answer.to_json() without the clause texts (they are looked up when a clause is opened)
but with each citation's quote span, an id ("m-…") and, once given, the feedback verdict. Whatever
else a newer answer JSON carries is kept and passed to the renderer. Everything here is pure: the
store that comes back from the browser is checked and repaired, never trusted."""

from __future__ import annotations

import copy
import uuid

MAX_CONVS = 20  # conversations kept in the browser; the oldest go first
MAX_TURNS = 50  # answers kept per conversation
TITLE_CHARS = 18


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def new_conversation() -> dict:
    return {"id": new_id("c"), "title": "", "msgs": []}


def empty_store() -> dict:
    conv = new_conversation()
    return {"current": conv["id"], "convs": [conv]}


def _valid_msg(m) -> bool:
    return isinstance(m, dict) and isinstance(m.get("id"), str) and isinstance(m.get("question"), str) \
        and isinstance(m.get("answer"), str) and isinstance(m.get("citations", []), list)


def renamed_empty(store: dict) -> dict:
    """The store with a new id for each conversation that has no message yet (nothing refers to it)."""
    out = {**store, "convs": []}
    for c in store["convs"]:
        fresh = {**c, "id": new_id("c")} if not c["msgs"] else c
        if store["current"] == c["id"]:
            out["current"] = fresh["id"]
        out["convs"].append(fresh)
    return out


def normalize(store) -> dict:
    """A usable store from whatever the browser sent: a copy, malformed parts dropped, never empty."""
    convs = []
    for c in (store or {}).get("convs", []) if isinstance(store, dict) else []:
        if isinstance(c, dict) and isinstance(c.get("id"), str) and isinstance(c.get("msgs", []), list):
            msgs = [copy.deepcopy(m) for m in c.get("msgs", []) if _valid_msg(m)][-MAX_TURNS:]
            convs.append({"id": c["id"][:64], "title": str(c.get("title") or "")[:TITLE_CHARS + 1], "msgs": msgs})
    if not convs:
        return empty_store()
    current = store.get("current")
    if current not in {c["id"] for c in convs}:
        current = convs[0]["id"]
    return {"current": current, "convs": convs[:MAX_CONVS]}


def current(store: dict) -> dict:
    return next(c for c in store["convs"] if c["id"] == store["current"])


def compact(answer: dict) -> dict:
    """An answer JSON as stored: clause texts dropped, quote spans kept, an id added."""
    from app.render import quote_range

    out = {k: copy.deepcopy(v) for k, v in answer.items() if k not in ("citations", "related")}
    out["id"] = new_id("m")
    out["citations"] = []
    for c in answer.get("citations", []):
        c2 = {k: v for k, v in c.items() if k != "text"}
        span = quote_range(c.get("text", ""), c.get("quote", ""))
        if span:
            c2["span"] = list(span)
        out["citations"].append(c2)
    out["related"] = [{k: v for k, v in h.items() if k != "text"} for h in answer.get("related", [])]
    return out


def add_answer(store: dict, answer: dict) -> dict:
    """Append a compacted answer to the current conversation (titled by its first question)."""
    msg = compact(answer)
    _append(store, current(store), msg)
    return msg


def _append(store: dict, conv: dict, msg: dict) -> None:
    conv["msgs"] = (conv["msgs"] + [msg])[-MAX_TURNS:]
    if not conv["title"]:
        q = msg.get("question", "")
        conv["title"] = q[:TITLE_CHARS] + ("…" if len(q) > TITLE_CHARS else "")
    # the conversation just used moves to the top of the list
    store["convs"] = [conv] + [c for c in store["convs"] if c is not conv]


def merge(store: dict, given: list[tuple[str, dict]]) -> None:
    """Put into `store` the answers given since the browser sent it, as (conversation id, stored
    answer): each once, in its own conversation, unless that conversation was deleted meanwhile."""
    for conv_id, msg in given:
        conv = next((c for c in store["convs"] if c["id"] == conv_id), None)
        if conv is not None and all(m["id"] != msg["id"] for m in conv["msgs"]):
            _append(store, conv, copy.deepcopy(msg))


def start(store: dict) -> dict:
    """A new, empty conversation becomes current (an empty current one is reused)."""
    conv = current(store)
    if conv["msgs"]:
        conv = new_conversation()
        store["convs"] = ([conv] + store["convs"])[:MAX_CONVS]
    store["current"] = conv["id"]
    return conv


def switch(store: dict, conv_id: str) -> bool:
    if conv_id in {c["id"] for c in store["convs"]}:
        store["current"] = conv_id
        return True
    return False


def delete(store: dict, conv_id: str) -> None:
    """Remove a conversation; the current one moves to the next, or a new one when none is left."""
    store["convs"] = [c for c in store["convs"] if c["id"] != conv_id]
    if not store["convs"]:
        store.update(empty_store())
    elif store["current"] == conv_id:
        store["current"] = store["convs"][0]["id"]


def find(store: dict, msg_id: str) -> tuple[dict, dict] | None:
    """(conversation, answer) of a message id."""
    for c in store["convs"]:
        for m in c["msgs"]:
            if m["id"] == msg_id:
                return c, m
    return None
