"""The gold sets `policyqa eval` runs, each with the corpus it is asked over, and a service per set
on a data folder of its own, so that no two sets share an index."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from app.settings import PROJECT_ROOT, Settings

GOLD_DIR = PROJECT_ROOT / "evals" / "gold"
CORPORA_DIR = PROJECT_ROOT / "evals" / "corpora"
GUIDELINE = PROJECT_ROOT / "corpus" / "jiangsu-platform-economy-guideline.txt"
# Code whose change makes a set's parsed records and index stale: the ingest and index packages and
# their data files (domain words). Parser version and records fingerprint alone miss an index change.
BUILD_CODE = (PROJECT_ROOT / "ingest", PROJECT_ROOT / "index")
BUILD_STAMP = "eval-build.json"  # in a set's data folder: the code fingerprint it was built with
KEPT_ON_REBUILD = {"cache"}  # embeddings are keyed by model and text, so they stay valid


@dataclass(frozen=True)
class GoldSet:
    """A gold file and the files and folders ingested to answer it."""

    name: str
    gold: Path
    corpus: tuple[Path, ...]
    about: str


SETS: tuple[GoldSet, ...] = (
    GoldSet("guideline", GOLD_DIR / "guideline.jsonl", (GUIDELINE,),
            "the project's first set over the Jiangsu guideline; the answer rules were written while reading it"),
    GoldSet("guideline-fresh", GOLD_DIR / "guideline-fresh.jsonl", (GUIDELINE,),
            "new questions over the guideline, written without reading the code"),
    GoldSet("related-policies", GOLD_DIR / "related-policies.jsonl", (CORPORA_DIR / "related-policies", GUIDELINE),
            "questions over 12 regulations, asked of a corpus of those 12 plus the guideline"),
    GoldSet("related-policies-more", GOLD_DIR / "related-policies-more.jsonl",
            (CORPORA_DIR / "related-policies", GUIDELINE),
            "a second batch of 150 questions over the same 12 regulations and corpus, written blind to the code "
            "after the first batch's dev split was saturated"),
    GoldSet("related-policies-third", GOLD_DIR / "related-policies-third.jsonl",
            (CORPORA_DIR / "related-policies", GUIDELINE),
            "a third batch of 168 questions over the same 12 regulations and corpus, written blind to the code "
            "after the second batch's dev split was saturated, weighted toward figures, scope, versions, "
            "reverse-department and locate questions"),
    GoldSet("related-policies-fourth", GOLD_DIR / "related-policies-fourth.jsonl",
            (CORPORA_DIR / "related-policies", GUIDELINE),
            "a fourth batch of 150 questions over the same 12 regulations and corpus, written blind to the code "
            "after the third batch's dev split was saturated, weighted toward everyday words far from the "
            "documents' own (商家, 刷脸, 押金) and yes/no stories"),
    GoldSet("related-policies-fifth", GOLD_DIR / "related-policies-fifth.jsonl",
            (CORPORA_DIR / "related-policies", GUIDELINE),
            "a fifth batch of 150 questions over the same 12 regulations and corpus, written blind to the code "
            "after the fourth batch, weighted toward unanswerable near misses (44) beside real figures"),
    GoldSet("related-policies-sixth", GOLD_DIR / "related-policies-sixth.jsonl",
            (CORPORA_DIR / "related-policies", GUIDELINE),
            "a sixth batch of 150 questions over the same 12 regulations and corpus, written blind to the code "
            "after the fifth batch, weighted toward yes/no stories (33) and unanswerable near misses (45), "
            "preferring articles no earlier batch asked"),
)


def shown_path(path: Path) -> str:
    """A path as reports show it: relative to the project when inside it."""
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def find_set(name: str) -> GoldSet:
    """The set called name; KeyError naming the known sets otherwise."""
    for s in SETS:
        if s.name == name:
            return s
    raise KeyError(f"no gold set {name!r}; known sets: {', '.join(s.name for s in SETS)}")


def set_settings(settings: Settings, gold_set: GoldSet, data_root: Path) -> Settings:
    """The user's settings (model, fusion, precision …) with the set's corpus and its own data folder."""
    return dataclasses.replace(settings, corpus_dir=gold_set.corpus[0], data_dir=Path(data_root) / gold_set.name)


def code_fingerprint(folders=BUILD_CODE) -> str:
    """A hash of every file under the given folders (names and bytes), caches excluded."""
    h = hashlib.sha256()
    for folder in folders:
        for f in sorted(Path(folder).rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(f.relative_to(Path(folder).parent).as_posix().encode("utf-8") + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def clear_if_built_by_other_code(data_dir: Path, fingerprint: str) -> bool:
    """Empty a set's data folder (except the embedding cache) when it was built by other code or
    unknown code; returns whether it did."""
    stamp = data_dir / BUILD_STAMP
    if stamp.is_file() and json.loads(stamp.read_text(encoding="utf-8")).get("code") == fingerprint:
        return False
    for child in data_dir.iterdir() if data_dir.is_dir() else ():
        if child.name not in KEPT_ON_REBUILD:
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    return True


def open_set(gold_set: GoldSet, settings: Settings, data_root: Path, embedder=None):
    """A service over data_root/<set name>, ingested from the set's corpus. A folder built by the same
    ingest and index code is reused (unchanged files are not parsed again, an index of the same
    records, model and dictionary is kept); otherwise it is rebuilt from scratch.
    Returns the service and what the ingest did (JSON-ready)."""
    from app.service import Service

    settings = set_settings(settings, gold_set, data_root)
    data_dir = Path(settings.data_dir)
    fingerprint = code_fingerprint()
    cleared = clear_if_built_by_other_code(data_dir, fingerprint)
    svc = Service(settings, embedder=embedder)
    t0 = time.perf_counter()
    report, meta = svc.ingest(list(gold_set.corpus))
    (data_dir / BUILD_STAMP).write_text(json.dumps({"code": fingerprint}), encoding="utf-8")
    info = report.to_json() | {
        "data_dir": str(data_dir),
        "corpus": [shown_path(p) for p in gold_set.corpus],
        "index_rebuilt": meta is not None,
        "cleared_for_new_code": cleared,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    return svc, info
