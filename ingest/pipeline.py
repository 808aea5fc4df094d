"""Ingest: find files, parse each into a document and its clauses, and sync them into the record store."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ingest.loaders import SUPPORTED_SUFFIXES, LoadError, load_file
from ingest.records import Document, ParsedDocument, Skipped, content_hash
from ingest.store import RecordStore
from ingest.metadata import document_metadata
from ingest.refs import resolve_references
from ingest.structure import parse_structure

log = logging.getLogger(__name__)

# Bump when parsing changes so that an unchanged corpus is re-parsed once with the new rules.
PARSER_VERSION = "8"
_IGNORED_NAMES = re.compile(r"^(\.|~\$|README)", re.IGNORECASE)
_FILE_DATE = re.compile(r"\(\d{4}-\d{2}-\d{2}\)$")  # "快递暂行条例(2019-03-02)": a version date, not title


@dataclass
class IngestReport:
    documents: int = 0
    clauses: int = 0
    table_rows: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_json(self) -> dict:
        return {
            "documents": self.documents,
            "clauses": self.clauses,
            "table_rows": self.table_rows,
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": len(self.unchanged),
            "skipped": [{"file": s.source, "reason": s.reason} for s in self.skipped],
            "seconds": round(self.seconds, 3),
        }


def doc_id_for(path: Path, root: Path | None) -> str:
    """A readable, stable id: the path below the corpus root without its suffix."""
    rel = path.relative_to(root) if root and path.is_relative_to(root) else Path(path.name)
    stem = rel.with_suffix("").as_posix()
    return re.sub(r"[\s#]+", "-", stem)


def parse_document(path: Path, data: bytes, doc_id: str, source: str) -> ParsedDocument:
    """Parse one file's bytes (already read) into a document with its clause tree."""
    loaded = load_file(path)
    structure = parse_structure(doc_id, loaded.blocks)
    if not structure.text.strip():
        raise LoadError("no text found")
    doc = Document(
        id=doc_id,
        title=structure.title or _FILE_DATE.sub("", path.stem),
        source=source,
        sha=content_hash(data),
        text=structure.text,
        format=loaded.format,
        encoding=loaded.encoding,
        **document_metadata(structure, path.name),
    )
    return resolve_references(ParsedDocument(doc, tuple(structure.clauses)))


def discover(paths: Iterable[Path]) -> tuple[list[tuple[Path, Path | None]], list[Skipped], list[Path]]:
    """Expand folders into files. Returns (file, root) pairs, skipped files and the folder roots."""
    files: list[tuple[Path, Path | None]] = []
    skipped: list[Skipped] = []
    roots: list[Path] = []
    for p in paths:
        p = p.resolve()
        if p.is_dir():
            roots.append(p)
            for f in sorted(p.rglob("*")):
                if f.is_file() and not _IGNORED_NAMES.match(f.name):
                    if f.suffix.lower() in SUPPORTED_SUFFIXES:
                        files.append((f, p))
                    else:
                        skipped.append(Skipped(str(f), f"unsupported file type {f.suffix or '(none)'}"))
        elif p.is_file():
            files.append((p, p.parent))
        else:
            skipped.append(Skipped(str(p), "no such file or folder"))
    return files, skipped, roots


def sync(
    paths: Iterable[Path],
    store: RecordStore,
    progress: Callable[[Iterable], Iterable] = lambda it: it,
) -> IngestReport:
    """Bring the record store in line with the given files and folders.

    Unchanged files (same bytes, same parser version) are left alone; a changed file replaces its
    document; a document whose source lay under one of the given folders and is gone is removed.
    """
    t0 = time.perf_counter()
    files, skipped, roots = discover(list(paths))
    report = IngestReport(skipped=skipped)
    manifest = store.manifest()
    by_source = {entry["source"]: doc_id for doc_id, entry in manifest.items()}
    seen: set[str] = set()
    for path, root in progress(files):
        source = str(path)
        try:
            data = path.read_bytes()
        except OSError as e:
            report.skipped.append(Skipped(source, f"cannot read ({e.strerror})"))
            continue
        sha = content_hash(data)
        doc_id = by_source.get(source) or _unique_id(doc_id_for(path, root), manifest)
        seen.add(doc_id)
        entry = manifest.get(doc_id)
        if entry and entry["sha"] == sha and entry.get("parser") == PARSER_VERSION:
            report.unchanged.append(doc_id)
            continue
        try:
            parsed = parse_document(path, data, doc_id, source)
        except LoadError as e:
            log.info("Skipping %s: %s", source, e)
            report.skipped.append(Skipped(source, str(e)))
            continue
        store.put(parsed, parser=PARSER_VERSION)
        manifest[doc_id] = {"source": source, "sha": sha, "parser": PARSER_VERSION}
        (report.updated if entry else report.added).append(doc_id)
    for doc_id, entry in list(manifest.items()):
        src = Path(entry["source"])
        if doc_id not in seen and any(src.is_relative_to(r) for r in roots) and not src.exists():
            store.remove(doc_id)
            report.removed.append(doc_id)
    stats = store.stats()
    report.documents, report.clauses, report.table_rows = stats
    report.seconds = time.perf_counter() - t0
    return report


def _unique_id(doc_id: str, manifest: dict) -> str:
    if doc_id not in manifest:
        return doc_id
    return f"{doc_id}-{content_hash(doc_id + str(len(manifest)))[:6]}"
