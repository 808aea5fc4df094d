"""The STARD suite: real layperson legal questions over real laws, policyqa beside naive baselines.

STARD (`../shared/datasets/stard/`) gives each question the law articles that answer it, as a file
under `laws/` and an article label (第五十六条). A retrieved clause hits when it is that article of
that document or a part of it (an item): its document id is the file's (ingest/pipeline.py's
`doc_id_for`) and its id has the article label among its labels (`<doc>#第五十六条`,
`<doc>#第五十六条.（二）`, or with chapters in front, `<doc>#第二章.第五十六条`).

Systems, all over the same corpus in the same run (each a function `(question, k) -> Retrieved`):
- `policyqa search`: the searcher's top k clauses;
- `policyqa ask`: the clauses `ask` cites, in citation order ("ask cites@5" is hit@5 of them);
- `jieba-bm25 articles` and `llama-index naive` from evals/baselines.py, built from the files.

Figures per system (over all questions): hit@1/5/10 (a gold article among the first k), recall@10
(share of a question's gold articles in the first 10), MRR@10, law hit@10 (a gold document among
the first 10) and p50/p95 latency per call.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from evals.baselines import ARTICLE_LABEL
from evals.metrics import percentile
from ingest.pipeline import doc_id_for

Key = tuple[str, "str | None"]  # (document id, article label); None when a hit is no article
KS = (1, 5, 10)
SEARCH, ASK = "policyqa search", "policyqa ask"
DEPTH = 10  # hits fetched per question: recall, MRR and law hits are measured within them


@dataclass(frozen=True)
class GoldArticle:
    law: str
    article: str
    file: str  # path under laws/


@dataclass(frozen=True)
class StardItem:
    id: str
    question: str
    gold: tuple[GoldArticle, ...]


@dataclass(frozen=True)
class Retrieved:
    """One system's answer to a question: for each ranked hit, the articles it stands for."""

    covered: tuple[tuple[Key, ...], ...]
    ms: float
    answered: bool | None = None  # for `ask`: whether it answered (a refusal cites nothing)


System = Callable[[str, int], Retrieved]


def load_stard(path: Path) -> list[StardItem]:
    """STARD's JSONL: {"id", "question", "gold": [{"law", "article", "file", ...}]} per line."""
    items = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            gold = tuple(GoldArticle(g["law"], g["article"], g["file"]) for g in d["gold"])
            items.append(StardItem(str(d["id"]), d["question"], gold))
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"{path}:{n}: not a STARD item ({type(e).__name__}: {e})") from None
        if not gold:
            raise ValueError(f"{path}:{n}: item {d['id']} has no gold article")
    return items


def gold_doc_id(file: str) -> str:
    """The document id policyqa gives the file when `laws/` (or a mirror of it) is ingested."""
    root = Path("/laws")
    return doc_id_for(root / file, root)


def article_key(clause_id: str) -> Key:
    """(document id, article label) of a clause id; the label is the first label of the id that is
    an article (`第五十六条`, `第十七条之一`), so items and chapter prefixes do not matter."""
    doc, _, path = clause_id.partition("#")
    for label in path.split("."):
        if ARTICLE_LABEL.fullmatch(label.strip()):
            return (doc, label.strip())
    return (doc, None)


class DocResolver:
    """Gold document ids -> the index's: the same id, or the one index id that ends with it
    (an index built from a folder above `laws/`)."""

    def __init__(self, index_ids: Iterable[str]):
        self.ids = set(index_ids)
        self.by_tail: dict[str, list[str]] = {}
        for i in self.ids:
            parts = i.split("/")
            for n in range(1, len(parts)):
                self.by_tail.setdefault("/".join(parts[n:]), []).append(i)

    def __call__(self, doc_id: str) -> str | None:
        if doc_id in self.ids:
            return doc_id
        found = self.by_tail.get(doc_id, [])
        return found[0] if len(found) == 1 else None


def gold_keys(item: StardItem, resolve: Callable[[str], str | None] = lambda d: d) -> frozenset[Key]:
    return frozenset((resolve(gold_doc_id(g.file)) or gold_doc_id(g.file), g.article) for g in item.gold)


# -- scoring (pure) -----------------------------------------------------------------------------
def score(r: Retrieved, gold: frozenset[Key]) -> dict:
    """First hit rank, recall@DEPTH and law hit@DEPTH of one question."""
    first = next((i for i, keys in enumerate(r.covered[:DEPTH], start=1) if gold & set(keys)), None)
    found = {k for keys in r.covered[:DEPTH] for k in keys} & gold
    docs = {d for keys in r.covered[:DEPTH] for d, _ in keys}
    row = {
        "rank": first,
        "recall": len(found) / len(gold),
        "law_hit": bool(docs & {d for d, _ in gold}),
        "ms": round(r.ms, 3),
        "ids": [["#".join(k) if k[1] else k[0] for k in keys] for keys in r.covered[:DEPTH]],
    }
    if r.answered is not None:
        row["answered"] = r.answered
    return row


def figures(rows: Sequence[dict], system: str) -> dict:
    scored = [r["systems"][system] for r in rows]
    if not scored:
        return {}
    ms = [s["ms"] for s in scored]
    out = {f"hit@{k}": statistics.fmean(s["rank"] is not None and s["rank"] <= k for s in scored) for k in KS}
    out["recall@10"] = statistics.fmean(s["recall"] for s in scored)
    out["mrr@10"] = statistics.fmean(1.0 / s["rank"] if s["rank"] else 0.0 for s in scored)
    out["law_hit@10"] = statistics.fmean(s["law_hit"] for s in scored)
    out["p50_ms"] = percentile(ms, 50)
    out["p95_ms"] = percentile(ms, 95)
    if all("answered" in s for s in scored):
        out["answered"] = statistics.fmean(s["answered"] for s in scored)
    return out


def evaluate(items: Sequence[StardItem], systems: dict[str, System], resolve: Callable[[str], str | None],
             progress: Callable[[Iterable], Iterable] = lambda it: it) -> list[dict]:
    """Per-question rows; every system gets one unmeasured warm-up call first."""
    for system in systems.values():
        if items:
            system(items[0].question, DEPTH)
    rows = []
    for item in progress(items):
        gold = gold_keys(item, resolve)
        rows.append({
            "id": item.id,
            "question": item.question,
            "gold": sorted("#".join(k) for k in gold),
            "systems": {name: score(system(item.question, DEPTH), gold) for name, system in systems.items()},
        })
    return rows


# -- systems ------------------------------------------------------------------------------------
def timed(fn: Callable, *args):
    t0 = time.perf_counter()
    value = fn(*args)
    return value, (time.perf_counter() - t0) * 1000


def search_system(searcher) -> System:
    def run(question: str, k: int) -> Retrieved:
        hits, ms = timed(lambda: searcher.search(question, k=k))
        return Retrieved(tuple((article_key(h.clause.id),) for h in hits), ms)

    return run


def ask_system(searcher) -> System:
    """The clauses `ask` cites, in order. Goes through app.qa directly: the service would also
    write every question to the data folder's audit log, which may be someone else's index."""
    from app.qa import Conversation, answer_question

    def run(question: str, k: int) -> Retrieved:
        answer, ms = timed(lambda: answer_question(searcher, question, Conversation()))
        cited = list(dict.fromkeys(c.clause.id for c in answer.citations))
        return Retrieved(tuple((article_key(cid),) for cid in cited[:k]), ms, answered=answer.answered)

    return run


def baseline_system(baseline, article_map: Callable) -> System:
    def run(question: str, k: int) -> Retrieved:
        passages, ms = timed(baseline.retrieve, question, k)
        return Retrieved(tuple(article_map(p) for p in passages), ms)

    return run


# -- corpus -------------------------------------------------------------------------------------
def mirror(laws: Path, files: Sequence[str], folder: Path) -> Path:
    """A folder of symlinks with `laws/`'s layout for the listed files, so ingesting it gives the
    documents the same ids as ingesting `laws/` would. Idempotent."""
    for f in files:
        link = folder / f
        if link.is_symlink() or link.exists():
            continue
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to((laws / f).resolve())
    return folder


def corpus_texts(folder: Path) -> list[tuple[str, str]]:
    """(document id, text) of every Markdown file under a folder, ids as ingest gives them."""
    return [(doc_id_for(p, folder), p.read_text(encoding="utf-8")) for p in sorted(folder.rglob("*.md"))]


def read_list(path: Path) -> list[str]:
    return [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


# -- run and report ---------------------------------------------------------------------------
def run_stard(items: Sequence[StardItem], systems: dict[str, System], index_doc_ids: Iterable[str],
              about: dict, progress: Callable[[Iterable], Iterable] = lambda it: it) -> dict:
    """The whole run as one JSON-ready dict: `about` (corpus, index, notes…), figures, rows."""
    resolve = DocResolver(index_doc_ids)
    missing = sorted({gold_doc_id(g.file) for it in items for g in it.gold if resolve(gold_doc_id(g.file)) is None})
    t0 = time.perf_counter()
    rows = evaluate(items, systems, resolve, progress)
    return about | {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "questions": len(items),
        "depth": DEPTH,
        "missing_gold_documents": missing,
        "seconds": round(time.perf_counter() - t0, 1),
        "summary": {name: figures(rows, name) for name in systems},
        "rows": rows,
    }


COLUMNS = ("hit@1", "hit@5", "hit@10", "recall@10", "mrr@10", "law_hit@10", "p50_ms", "p95_ms")


def markdown(result: dict) -> str:
    """The figures table, what each system ran on, and the notes of the run."""
    corpora = result.get("system_corpus", {})
    lines = [
        f"# STARD: {result['questions']} questions ({result['questions_file']})",
        "",
        f"Corpus `{result['corpus']}`: {result['documents']} documents; index {result['data_dir']} "
        f"(model {result.get('model')}). {result['created']}, {result['seconds']} s.",
        "",
        "| system | corpus | " + " | ".join(COLUMNS) + " |",
        "|---|---|" + "---|" * len(COLUMNS),
    ]
    for name, f in result["summary"].items():
        cells = [f"{f[c]:.1f}" if c.endswith("_ms") else f"{f[c]:.3f}" for c in COLUMNS]
        lines.append(f"| {name} | {corpora.get(name, result['corpus'])} | " + " | ".join(cells) + " |")
    lines.append("")
    ask = result["summary"].get(ASK)
    if ask and "answered" in ask:
        lines.append(f"`{ASK}`: hit@k over the clauses it cites, in citation order (hit@5 is \"ask cites@5\"); "
                     f"it answered {ask['answered']:.3f} of the questions (a refusal cites nothing).")
    if result["missing_gold_documents"]:
        lines.append(f"{len(result['missing_gold_documents'])} gold documents are not in the index, e.g. "
                     f"{result['missing_gold_documents'][0]}: their questions cannot be hit.")
    lines += [f"- {n}" for n in result.get("notes", ())]
    return "\n".join(lines) + "\n"


# -- the command --------------------------------------------------------------------------------
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
LAWS = SHARED / "corpora" / "laws"
STARD = SHARED / "datasets" / "stard"
GOLD_FILES = STARD / "gold-law-files.txt"


def corpus_folder(corpus: str, data_dir: Path) -> Path:
    """'gold': a mirror of the 139 answer-holding files inside the data folder; 'full': laws/;
    anything else: that folder."""
    if corpus == "gold":
        return mirror(LAWS, read_list(GOLD_FILES), data_dir / "stard-corpus")
    return LAWS if corpus == "full" else Path(corpus)


def naive_baseline(texts: list[tuple[str, str]], model: str, cache: Path, say: Callable[[str], None]):
    """llama-index's naive pipeline over the texts, persisted under `cache` by content, so the
    slow embedding of every chunk is paid once per corpus and model."""
    import hashlib

    from evals.baselines import LlamaIndexNaive, huggingface_embedding

    key = hashlib.sha1(f"{model}\n".encode() + "\n".join(f"{d}\t{len(t)}\t{hash_text(t)}" for d, t in texts).encode())
    folder = cache / key.hexdigest()[:16]
    embed = huggingface_embedding(model)
    if (folder / "docstore.json").exists():
        say(f"llama-index naive: reusing {folder}")
        naive = LlamaIndexNaive.load(folder, embed)
        naive.texts = dict(texts)
        return naive
    say(f"llama-index naive: embedding {len(texts)} documents (slow; persisted to {folder}) …")
    naive = LlamaIndexNaive.build(texts, embed)
    naive.persist(folder)
    return naive


def hash_text(text: str) -> str:
    import hashlib

    return hashlib.sha1(text.encode()).hexdigest()


def stard_command(settings, *, corpus: str, data_dir: Path | None, questions: Path | None, out: Path,
                  limit: int, naive: str, bm25: bool, as_json: bool, open_service: Callable,
                  progress: Callable[[Iterable], Iterable]) -> dict:
    """`policyqa eval --suite stard`: reuse (or build) the index, build the baselines, run, write
    OUT/stard-<time>/ (stard.json, report.md)."""
    import dataclasses

    import click

    from app.service import Service
    from evals.baselines import ArticleMap, JiebaBM25Articles
    from evals.report import json_writer, text_writer, write_results
    from index.build import IndexBusy, Layout

    say = (lambda msg: click.echo(msg, err=True)) if settings.progress else (lambda msg: None)
    if data_dir is not None:
        settings = dataclasses.replace(settings, data_dir=Path(data_dir))
    questions = Path(questions or STARD / "dev.jsonl")
    if not questions.is_file():
        raise click.ClickException(f"questions file {questions} not found; pass --questions FILE (STARD's JSONL)")
    try:
        items = load_stard(questions)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    items = items[:limit] if limit > 0 else items
    folder = corpus_folder(corpus, Path(settings.data_dir))
    if not folder.is_dir():
        raise click.ClickException(f"corpus folder {folder} not found; --corpus is gold, full or a folder")
    if Layout(settings.index_dir).current() is None:
        say(f"no index in {settings.data_dir}: ingesting {folder} (long: all of laws/ took 34 minutes on a quiet 2-core machine) …")
        try:
            Service(settings).ingest([folder], progress=progress, embed_progress=progress)
        except IndexBusy as e:
            raise click.ClickException(f"{settings.data_dir} has no index yet and {e}") from None
    svc = open_service(settings)
    searcher = svc.searcher
    systems: dict[str, System] = {SEARCH: search_system(searcher), ASK: ask_system(searcher)}
    about = {"corpus": corpus, "questions_file": str(questions), "data_dir": str(settings.data_dir),
             "documents": len(searcher.docs), "model": searcher.meta.get("model"), "system_corpus": {}, "notes": []}
    texts = corpus_texts(folder)
    if bm25:
        t0 = time.perf_counter()
        systems["jieba-bm25 articles"] = baseline_system(JiebaBM25Articles(texts), ArticleMap(texts))
        say(f"BM25 over articles built in {time.perf_counter() - t0:.0f} s")
    if naive != "none":
        naive_texts = texts if naive == "same" else corpus_texts(corpus_folder("gold", Path(settings.data_dir)))
        t0 = time.perf_counter()
        systems["llama-index naive"] = baseline_system(
            naive_baseline(naive_texts, settings.embed_model, out / ".stard-naive", say), ArticleMap(naive_texts))
        say(f"llama-index naive ready in {time.perf_counter() - t0:.0f} s")
        if naive == "gold" and corpus != "gold":
            about["system_corpus"]["llama-index naive"] = "gold"
            about["notes"].append("llama-index naive ran over the 139 gold files only (embedding the whole "
                                  "corpus chunk by chunk takes too long on this machine); its figures are not "
                                  "comparable with the others'.")
    result = run_stard(items, systems, searcher.docs, about, progress)
    text = markdown(result)
    written = write_results(out, "stard", {"stard.json": json_writer(result), "report.md": text_writer(text)})
    if as_json:
        click.echo(json.dumps({key: v for key, v in result.items() if key != "rows"} | {"folder": str(written)},
                              ensure_ascii=False))
    else:
        click.echo(text)
        click.echo(f"results: {written} (copied to {out / 'latest'})")
    return result
