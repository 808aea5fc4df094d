"""Records written before the law fields existed still load, with the new fields at their defaults."""

from __future__ import annotations

from ingest.records import Clause, Document, clause_from_dict, clause_to_dict, document_from_dict, document_to_dict

OLD_DOCUMENT = {"id": "d", "title": "某某办法", "source": "d.txt", "sha": "0", "text": "正文", "format": "txt",
                "encoding": "utf-8", "issuer": None, "number": None, "date": "2020-01-01"}
OLD_CLAUSE = {"id": "d#一", "doc_id": "d", "labels": ["一"], "path": ["一、总则"], "kind": "section", "heading": "总则",
              "text": "一、总则", "start": 0, "end": 5, "subtree_end": 5, "parent_id": None, "order": 0, "row": None}


def test_old_document_record_loads_with_defaults():
    doc = document_from_dict(OLD_DOCUMENT)
    assert (doc.date, doc.region, doc.doc_type, doc.adopted, doc.effective, doc.version_date, doc.part) == (
        "2020-01-01", None, None, None, None, None, None)
    assert document_from_dict({**OLD_DOCUMENT, "field_of_a_later_version": 1}) == doc


def test_old_clause_record_loads_with_defaults():
    c = clause_from_dict(OLD_CLAUSE)
    assert (c.paragraph, c.citation, c.paragraphs, c.refs) == (0, "", (), ())


def test_new_records_round_trip():
    doc = Document("d", "t", "s", "0", "x", "md", "utf-8", region="广东省", effective="2022-07-01")
    assert document_from_dict(document_to_dict(doc)) == doc
    c = Clause("d#第二条", "d", ("第二条",), ("第二条",), "article", "", "第二条 甲。\n乙。", 0, 9, 9, None, 0,
               citation="第二条", paragraphs=((0, 6), (7, 9)), refs=((0, 2, "d#第一条"),))
    assert clause_from_dict(clause_to_dict(c)) == c
