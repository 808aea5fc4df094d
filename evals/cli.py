"""`policyqa eval` and `policyqa bench`: registered on the main group at the end of app/cli.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from app.settings import PROJECT_ROOT, Settings
from evals.sets import SETS

DEFAULT_GOLD = PROJECT_ROOT / "evals" / "gold" / "guideline.jsonl"
DEFAULT_SCALE = "1,10,100,1000"


def _settings(ctx: click.Context) -> Settings:
    obj = ctx.find_root().obj or {}
    return obj.get("settings") or Settings.from_env()


def _progress(settings: Settings, desc: str, unit: str = "question"):
    if not settings.progress or not sys.stderr.isatty():
        return lambda it: it
    from tqdm import tqdm

    return lambda it: tqdm(it, desc=desc, unit=unit, file=sys.stderr, leave=False)


def _load_items(gold: Path):
    from evals.metrics import load_gold

    if not gold.is_file():
        raise click.ClickException(f"gold file {gold} not found; pass --gold FILE (format: evals/README.md)")
    try:
        items = load_gold(gold)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    if not items:
        raise click.ClickException(f"{gold} holds no questions; add one JSON object per line (evals/README.md)")
    return items


def _open_service(settings: Settings):
    """The service over an existing index, or one clear line saying what to run."""
    from app.service import Service
    from index.build import IndexMissing, Layout
    from index.embedder import ModelNotFound
    from index.search import IndexMismatch
    from index.store import StoreUnavailable

    if Layout(settings.index_dir).current() is None:
        raise click.ClickException(f"no index in {settings.index_dir}; run `policyqa ingest` first")
    try:
        svc = Service(settings)
        svc.searcher  # noqa: B018 - opens the index now, so a mismatch is reported before any work
    except (IndexMissing, IndexMismatch, ModelNotFound, StoreUnavailable) as e:
        raise click.ClickException(str(e)) from None
    return svc


@click.command("eval")
@click.option("--set", "set_names", multiple=True, metavar="NAME",
              help=f"Gold set to run, repeatable (evals/sets.py: {', '.join(s.name for s in SETS)}); "
                   "default: every set whose file exists. Each is ingested into OUT/data/NAME/.")
@click.option("--split", type=click.Choice(["dev", "test", "all"]), default="all", show_default=True,
              help="Questions to run: the dev split (rules are tuned on it), the held-out test split, or both "
                   "(reported apart).")
@click.option("--gold", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Your own gold file (format in evals/README.md), run on the configured index instead of the sets.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("results"), show_default=True,
              help="Results folder: writes OUT/eval-<time>/ and copies it to OUT/latest/.")
@click.option("--no-baselines", is_flag=True, help="Only our system (skips building the two baselines).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON instead of tables.")
@click.option("-k", "k", default=5, show_default=True, help="Hits retrieved per question (hit@k for k <= this).")
@click.option("--suite", type=click.Choice(["gold", "stard"]), default="gold", show_default=True,
              help="gold: the gold sets above. stard: STARD's real legal questions over real laws (evals/stard.py).")
@click.option("--corpus", default="gold", show_default=True,
              help="stard: 'gold' (the 139 law files that hold STARD's answers), 'full' (all of laws/) or a folder.")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="stard: data folder whose index is reused, or built from the corpus when it has none "
                   "(default: POLICYQA_DATA_DIR).")
@click.option("--questions", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="stard: the questions, STARD's JSONL (default: its dev split).")
@click.option("--naive", type=click.Choice(["same", "gold", "none"]), default="same", show_default=True,
              help="stard: corpus of the llama-index baseline: the same, the 139 gold files (the full corpus "
                   "takes long to embed naively), or none.")
@click.option("--limit", default=0, help="stard: only the first N questions (0: all).")
@click.pass_context
def eval_cmd(ctx, set_names: tuple[str, ...], split: str, gold: Path | None, out: Path, no_baselines: bool,
             as_json: bool, k: int, suite: str, corpus: str, data_dir: Path | None, questions: Path | None,
             naive: str, limit: int) -> None:
    """Score retrieval and answers on the gold sets, per split and question kind, beside two naive baselines."""
    from evals.report import eval_chart, eval_markdown, json_writer, text_writer, write_results
    from evals.run import run_eval, run_sets, split_items, wrap_sets

    if suite == "stard":
        from evals.stard import stard_command

        settings = _settings(ctx)
        stard_command(settings, corpus=corpus, data_dir=data_dir, questions=questions, out=out, limit=limit,
                      naive="none" if no_baselines else naive, bm25=not no_baselines, as_json=as_json,
                      open_service=_open_service, progress=_progress(settings, "stard"))
        return
    if not 1 <= k <= 100:
        raise click.ClickException("-k must be between 1 and 100")
    if gold is not None and set_names:
        raise click.ClickException("pass either --set or --gold, not both")
    settings = _settings(ctx)
    say = (lambda msg: click.echo(msg, err=True)) if settings.progress else (lambda msg: None)
    if gold is not None:
        items = split_items(_load_items(gold), split)
        svc = _open_service(settings)
        baselines = [] if no_baselines else _build_baselines(svc, settings)
        one = run_eval(svc, items, baselines, k=k, progress=_progress(settings, "eval"))
        result = wrap_sets({gold.stem: one | {"gold": str(gold)}}, split, k, one["seconds"])
    else:
        gold_sets = _pick_sets(set_names)
        result = run_sets(gold_sets, settings, out / "data", split=split, k=k, baselines=not no_baselines,
                          progress=_progress(settings, "eval"), say=say)
    for name, one in result["sets"].items():
        if ids := one["missing_gold_ids"]:
            click.echo(f"warning: {name}: {len(ids)} gold ids are not in the index, e.g. {ids[0]}; "
                       "is the index built from the gold set's documents?", err=True)
    markdown = eval_markdown(result)
    folder = write_results(out, "eval", {
        "eval.json": json_writer(result),
        "report.md": text_writer(markdown),
        "eval.png": lambda p: eval_chart(result, p),
    })
    if as_json:
        sets = {name: {key: v for key, v in one.items() if key != "rows"} for name, one in result["sets"].items()}
        click.echo(json.dumps(result | {"sets": sets, "folder": str(folder)}, ensure_ascii=False))
        return
    click.echo("## " + markdown.split("\n## ", 1)[1].rstrip() + "\n")
    click.echo(f"results: {folder} (copied to {out / 'latest'})")


def _pick_sets(names: tuple[str, ...]):
    """The named sets (each file must exist and load), or every set whose gold file exists."""
    from evals.sets import SETS, find_set

    try:
        chosen = [find_set(n) for n in dict.fromkeys(names)] if names else [s for s in SETS if s.gold.is_file()]
    except KeyError as e:
        raise click.ClickException(e.args[0]) from None
    for s in chosen:
        _load_items(s.gold)  # a bad or missing file stops here, before any ingest
    return chosen


def _build_baselines(svc, settings: Settings):
    import time

    from evals.baselines import build_baselines

    t0 = time.perf_counter()
    docs = [(d.id, d.text) for d in svc.searcher.docs.values()]
    click.echo(f"building baselines over {len(docs)} documents …", err=True)
    baselines = build_baselines(docs, settings.embed_model)
    click.echo(f"baselines built in {time.perf_counter() - t0:.1f}s", err=True)
    return baselines


@click.command("bench")
@click.option("--scale", default=DEFAULT_SCALE, show_default=True,
              help="Synthetic corpus sizes (documents) for the scaling run; 'none' skips it.")
@click.option("--naive-max", default=1000, show_default=True, help="Largest size the naive pipeline is run at.")
@click.option("--repeat", default=3, show_default=True, help="Cold starts per system (the median is reported).")
@click.option("--gold", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_GOLD,
              show_default="evals/gold/guideline.jsonl", help="Questions for the warm-latency runs.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("results"), show_default=True,
              help="Results folder: writes OUT/bench-<time>/ and copies it to OUT/latest/.")
@click.option("--skip-corpus", is_flag=True, help="Only the scaling run.")
@click.option("--corpus", "large", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              help="Also a real corpus folder (e.g. shared/corpora/laws): ingest, one document added, warm queries.")
@click.option("--corpus-data", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Data folder for --corpus, kept and reused (its embedding cache lets a new run resume); "
                   "default: a temporary folder.")
@click.option("--corpus-questions", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Questions for --corpus (STARD JSONL or a gold file; default: STARD's dev split if present).")
@click.option("--corpus-queries", default=100, show_default=True, help="How many of those questions.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON instead of tables.")
@click.pass_context
def bench_cmd(ctx, scale: str, naive_max: int, repeat: int, gold: Path, out: Path, skip_corpus: bool,
              large: Path | None, corpus_data: Path | None, corpus_questions: Path | None, corpus_queries: int,
              as_json: bool):
    """Measure ingest, cold start, latency and memory, ours beside naive llama-index, and how they scale."""
    from evals import bench
    from evals.report import bench_markdown, json_writer, scaling_chart, text_writer, write_results

    settings = _settings(ctx)
    sizes = _parse_scale(scale)
    if repeat < 1:
        raise click.ClickException("--repeat must be at least 1")
    questions = [it.question for it in _load_items(gold)]
    corpus = Path(settings.corpus_dir)
    if not skip_corpus and not any(corpus.glob("*")):
        raise click.ClickException(f"the corpus folder {corpus} is empty; set POLICYQA_CORPUS_DIR or pass --skip-corpus")
    large_questions = _large_questions(corpus_questions, questions)[:corpus_queries] if large else []
    plan = bench.Plan(corpus=None if skip_corpus else corpus, questions=questions, sizes=sizes,
                      naive_max=naive_max, repeat=repeat, model=settings.embed_model,
                      large=large, large_data=corpus_data, large_questions=large_questions)
    click.echo(bench.estimate_line(plan), err=True)
    result = bench.run(plan, log=(lambda msg: click.echo(msg, err=True)) if settings.progress else (lambda msg: None))
    markdown = bench_markdown(result) + bench.large_markdown(result)
    files = {"bench.json": json_writer(result), "bench.md": text_writer(markdown)}
    if result.get("scaling"):
        files["scaling.png"] = lambda p: scaling_chart(result, p)
    folder = write_results(out, "bench", files)
    if as_json:
        click.echo(json.dumps(result | {"folder": str(folder)}, ensure_ascii=False))
        return
    click.echo(markdown)
    click.echo(f"results: {folder} (copied to {out / 'latest'})")


def _large_questions(path: Path | None, fallback: list[str]) -> list[str]:
    """Questions for the real-corpus run: a JSONL file's "question" fields (STARD's dev split by default)."""
    from evals.stard import STARD

    path = path or (STARD / "dev.jsonl")
    if not path.is_file():
        return fallback
    with path.open(encoding="utf-8") as f:
        return [json.loads(line)["question"] for line in f if line.strip()]


def _parse_scale(scale: str) -> list[int]:
    if scale.strip().lower() in ("", "none", "0"):
        return []
    try:
        sizes = [int(s) for s in scale.split(",") if s.strip()]
    except ValueError:
        raise click.ClickException(f"--scale {scale!r} must be comma-separated document counts, e.g. 1,10,100") from None
    if any(n < 1 for n in sizes):
        raise click.ClickException("--scale sizes must be at least 1")
    return sorted(set(sizes))
