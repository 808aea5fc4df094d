"""The record store's JSON helpers: orjson output equal to json.dumps of asdict."""

from __future__ import annotations

import json

from ingest.pipeline import parse_document
from ingest.records import clause_to_dict
from ingest.store import json_bytes, read_json, write_atomic
from tests.conftest import TINY_POLICY


def test_json_bytes_of_clauses_is_what_asdict_and_json_dumps_give(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text(TINY_POLICY, encoding="utf-8")
    parsed = parse_document(path, path.read_bytes(), "tiny", "tiny.txt")
    clauses = list(parsed.clauses)
    assert len(clauses) == 7
    expected = json.dumps([clause_to_dict(c) for c in clauses], ensure_ascii=False)
    assert json.loads(json_bytes(clauses)) == json.loads(expected)
    assert "跨境电商" in json_bytes(clauses).decode("utf-8")  # Chinese kept as it is, not \\u-escaped
    write_atomic(tmp_path / "clauses.json", json_bytes(clauses))
    assert read_json(tmp_path / "clauses.json") == json.loads(expected)
