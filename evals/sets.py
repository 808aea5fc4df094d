"""The gold sets `policyqa eval` runs, each with the corpus it is asked over, and a service per set
on a data folder of its own, so that no two sets share an index."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

from app.settings import PROJECT_ROOT, Settings

GOLD_DIR = PROJECT_ROOT / "evals" / "gold"
CORPORA_DIR = PROJECT_ROOT / "evals" / "corpora"
GUIDELINE = PROJECT_ROOT / "corpus" / "jiangsu-platform-economy-guideline.txt"


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
)


def find_set(name: str) -> GoldSet:
    """The set called name; KeyError naming the known sets otherwise."""
    for s in SETS:
        if s.name == name:
            return s
    raise KeyError(f"no gold set {name!r}; known sets: {', '.join(s.name for s in SETS)}")


def set_settings(settings: Settings, gold_set: GoldSet, data_root: Path) -> Settings:
    """The user's settings (model, fusion, precision …) with the set's corpus and its own data folder."""
    return dataclasses.replace(settings, corpus_dir=gold_set.corpus[0], data_dir=Path(data_root) / gold_set.name)


def open_set(gold_set: GoldSet, settings: Settings, data_root: Path, embedder=None):
    """A service over data_root/<set name>, ingested from the set's corpus. Unchanged files are not
    parsed again and an index built from the same records, model and dictionary is reused as it is.
    Returns the service and what the ingest did (JSON-ready)."""
    from app.service import Service

    svc = Service(set_settings(settings, gold_set, data_root), embedder=embedder)
    t0 = time.perf_counter()
    report, meta = svc.ingest(list(gold_set.corpus))
    info = report.to_json() | {
        "data_dir": str(svc.settings.data_dir),
        "corpus": [str(p.relative_to(PROJECT_ROOT)) if p.is_relative_to(PROJECT_ROOT) else str(p)
                   for p in gold_set.corpus],
        "index_rebuilt": meta is not None,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    return svc, info
