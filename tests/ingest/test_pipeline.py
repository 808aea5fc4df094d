"""Incremental, idempotent ingest into the record store, and skipped files with reasons."""

from __future__ import annotations

import shutil

from ingest.pipeline import sync
from ingest.store import RecordStore
from tests.conftest import GUIDELINE, TINY_POLICY


def test_metadata_of_a_document_that_states_it(tiny_corpus, data_dir):
    store = RecordStore(data_dir / "parsed")
    report = sync([tiny_corpus], store)
    assert report.added == ["tiny"]
    doc = store.get("tiny").document
    assert (doc.title, doc.issuer, doc.number, doc.date) == (
        "省商务厅关于促进跨境电商发展的通知", "江苏省商务厅", "苏商发〔2020〕12号", "2020-03-05")
    assert doc.format == "txt" and doc.encoding == "utf-8"


def test_guideline_metadata(tmp_path, data_dir):
    corpus = tmp_path / "c"
    corpus.mkdir()
    shutil.copy(GUIDELINE, corpus)
    store = RecordStore(data_dir / "parsed")
    report = sync([corpus], store)
    assert (report.documents, report.clauses, report.table_rows) == (1, 53, 14)
    doc = store.get("jiangsu-platform-economy-guideline").document
    assert (doc.title, doc.issuer, doc.number, doc.date) == (
        "省政府关于加快互联网平台经济发展的指导意见", "省政府", None, None)


def test_unchanged_corpus_changes_nothing(tiny_corpus, data_dir):
    store = RecordStore(data_dir / "parsed")
    sync([tiny_corpus], store)
    before = store.fingerprint()
    mtime = (store.docs / next(iter(store.docs.iterdir())).name).stat().st_mtime_ns
    again = sync([tiny_corpus], store)
    assert (again.added, again.updated, again.removed, again.unchanged) == ([], [], [], ["tiny"])
    assert not again.changed
    assert store.fingerprint() == before
    assert next(iter(store.docs.iterdir())).stat().st_mtime_ns == mtime


def test_changed_file_replaces_its_clauses(tiny_corpus, data_dir):
    store = RecordStore(data_dir / "parsed")
    sync([tiny_corpus], store)
    (tiny_corpus / "tiny.txt").write_text(TINY_POLICY.replace("（二）人才支持。", "（二）人才支持。新增条款。\n（三）用地支持。保障用地。"), encoding="utf-8")
    report = sync([tiny_corpus], store)
    assert report.updated == ["tiny"]
    ids = [c.id for c in store.get("tiny").clauses]
    assert "tiny#二.（三）" in ids


def test_removed_file_disappears(tiny_corpus, data_dir):
    store = RecordStore(data_dir / "parsed")
    (tiny_corpus / "second.txt").write_text("第二份文件\n一、总则\n（一）内容。这是正文。", encoding="utf-8")
    sync([tiny_corpus], store)
    assert set(store.manifest()) == {"tiny", "second"}
    (tiny_corpus / "second.txt").unlink()
    report = sync([tiny_corpus], store)
    assert report.removed == ["second"]
    assert set(store.manifest()) == {"tiny"}


def test_ingesting_one_file_does_not_remove_others(tiny_corpus, tmp_path, data_dir):
    store = RecordStore(data_dir / "parsed")
    sync([tiny_corpus], store)
    extra = tmp_path / "extra.md"
    extra.write_text("# 补充通知\n一、事项\n（一）要求。按时完成。", encoding="utf-8")
    report = sync([extra], store)
    assert report.added == ["extra"] and report.removed == []
    assert set(store.manifest()) == {"tiny", "extra"}


def test_bad_files_are_skipped_with_reasons_and_the_rest_ingested(tiny_corpus, data_dir):
    (tiny_corpus / "empty.txt").write_bytes(b"")
    (tiny_corpus / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (tiny_corpus / "broken.docx").write_bytes(b"not a zip at all")
    (tiny_corpus / "sheet.xlsx").write_bytes(b"PK")
    store = RecordStore(data_dir / "parsed")
    report = sync([tiny_corpus], store)
    assert report.added == ["tiny"]
    reasons = {s.source.rsplit("/", 1)[1]: s.reason for s in report.skipped}
    assert reasons == {
        "empty.txt": "empty file",
        "binary.txt": "binary file, not text",
        "broken.docx": "corrupt DOCX (not a zip archive)",
        "sheet.xlsx": "unsupported file type .xlsx",
    }


def test_a_file_that_turns_bad_keeps_its_previous_clauses(tiny_corpus, data_dir):
    store = RecordStore(data_dir / "parsed")
    sync([tiny_corpus], store)
    (tiny_corpus / "tiny.txt").write_bytes(b"")
    report = sync([tiny_corpus], store)
    assert [s.reason for s in report.skipped] == ["empty file"]
    assert report.removed == [] and "tiny" in store.manifest()
