"""The `policyqa` command: ingest, search, ask, show, outline, documents, serve, eval, bench."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

import click

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from app.settings import Settings  # noqa: E402

log = logging.getLogger("policyqa")


class UserError(click.ClickException):
    """One clear line and exit status 1."""


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def _service(ctx: click.Context):
    if "service" not in ctx.obj:
        from app.service import Service

        ctx.obj["service"] = Service(_settings(ctx))
    return ctx.obj["service"]


def _progress(ctx: click.Context, desc: str):
    settings = _settings(ctx)
    if not settings.progress or not sys.stderr.isatty():
        return lambda it: it
    from tqdm import tqdm

    # "embed" steps once per text the model embeds (build_index), so the bar shows units/s and time left.
    unit = {"parse": "file", "embed": "unit"}.get(desc, "item")
    return lambda it: tqdm(it, desc=desc, unit=unit, file=sys.stderr, leave=False, smoothing=0.05)


def _friendly(fn):
    """Turn the library's expected failures into one line for the user."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from index.build import IndexBusy, IndexMissing
        from index.embedder import ModelNotFound
        from index.search import IndexMismatch, QueryError
        from index.store import StoreUnavailable

        try:
            return fn(*args, **kwargs)
        except (IndexBusy, IndexMissing, IndexMismatch, ModelNotFound, StoreUnavailable) as e:
            raise UserError(str(e)) from None
        except KeyError as e:
            raise UserError(str(e.args[0]) if e.args else str(e)) from None
        except QueryError as e:
            raise UserError(str(e)) from None

    return wrapper


@click.group()
@click.option("--data-dir", type=click.Path(path_type=Path), default=None, help="Override POLICYQA_DATA_DIR.")
@click.option("--no-progress", is_flag=True, help="Hide progress bars.")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, no_progress: bool, verbose: bool) -> None:
    """policyqa: search and ask questions over Chinese policy documents, with cited clauses."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env(data_dir=data_dir, progress=False if no_progress else None)
    except ValueError as e:  # a POLICYQA_* variable that does not parse
        raise UserError(str(e)) from None
    ctx.obj = {"settings": settings}


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.option("--strict", is_flag=True, help="Exit 1 if any file was skipped.")
@click.option("--rebuild", is_flag=True, help="Rebuild the index even if nothing changed.")
@click.option("--if-stale", is_flag=True, help="Do nothing when the index is up to date with the corpus.")
@click.pass_context
@_friendly
def ingest(ctx, paths, as_json, strict, rebuild, if_stale):
    """Parse documents (default: the corpus folder) and build the search index."""
    svc = _service(ctx)
    report, meta = svc.ingest(
        paths or None, rebuild=rebuild, progress=_progress(ctx, "parse"), embed_progress=_progress(ctx, "embed")
    )
    summary = report.to_json()
    summary["index"] = (
        {"generation": meta["generation"], "units": meta["units"], "seconds": meta["seconds"]} if meta else "up to date"
    )
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
    else:
        for s in report.skipped:
            click.echo(f"skipped {s.source}: {s.reason}", err=True)
        click.echo(
            f"{report.documents} documents, {report.clauses} clauses, {report.table_rows} table rows "
            f"(added {len(report.added)}, updated {len(report.updated)}, removed {len(report.removed)}, "
            f"unchanged {len(report.unchanged)}, skipped {len(report.skipped)}) in {report.seconds:.1f}s; "
            + (f"index {meta['generation']} built with {meta['units']} units in {meta['seconds']:.1f}s" if meta else "index up to date")
        )
    parsed_any = report.documents > 0
    if not parsed_any or (strict and report.skipped):
        reason = "nothing could be ingested" if not parsed_any else f"{len(report.skipped)} file(s) skipped (--strict)"
        raise UserError(f"{reason}; fix or remove the files named above and run again")


@main.command()
@click.argument("query")
@click.option("-k", "k", default=5, show_default=True, help="Number of clauses.")
@click.option("--doc", default=None, help="Only this document (id or part of its title).")
@click.option("--section", default=None, help="Only this section, by label path, e.g. 五 or 五.（二）.")
@click.option("--mode", type=click.Choice(["hybrid", "keyword", "semantic"]), default="hybrid", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON; with query '-', one object per input line.")
@click.pass_context
@_friendly
def search(ctx, query, k, doc, section, mode, as_json):
    """Find clauses by words or meaning. QUERY '-' reads one query per line from stdin."""
    if k < 1 or k > 100:
        raise UserError("-k must be between 1 and 100")
    searcher = _service(ctx).searcher
    queries = _stdin_lines() if query == "-" else [query]
    for q in queries:
        if not q.strip():
            raise UserError("the query is empty; type some words to search for")
        hits = searcher.search(q, k=k, doc=doc, section=section, mode=mode)
        if as_json or query == "-":
            click.echo(json.dumps({"query": q, "hits": [h.to_json() for h in hits]}, ensure_ascii=False))
        else:
            for i, h in enumerate(hits, 1):
                s, e = h.span
                click.echo(f"{i}. {h.clause.id}  [{h.score:.4f}]\n   {h.clause.path_text}\n   …{h.clause.text[s:e]}…")


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print JSON; with '-', one object per input line.")
@click.pass_context
@_friendly
def ask(ctx, question, as_json):
    """Answer a question with cited clauses. QUESTION '-' reads one per line from stdin."""
    from app.qa import Conversation

    svc = _service(ctx)
    conv = Conversation()
    questions = _stdin_lines() if question == "-" else [question]
    for q in questions:
        answer = svc.ask(q, conv)
        if as_json or question == "-":
            click.echo(json.dumps(answer.to_json(), ensure_ascii=False))
        else:
            click.echo(answer.answer)
            for c in answer.citations:
                click.echo(f"  [{c.n}] {c.clause.id}  {c.clause.path_text}")
            if not answer.answered and answer.related:
                click.echo("  相关条款：" + "；".join(h.clause.path_text for h in answer.related))


@main.command()
@click.argument("clause_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@_friendly
def show(ctx, clause_id, as_json):
    """Print one clause with its path."""
    searcher = _service(ctx).searcher
    c = searcher.clause(clause_id)
    doc = searcher.docs[c.doc_id]
    if as_json:
        from ingest.records import clause_to_dict

        click.echo(json.dumps({**clause_to_dict(c), "doc_title": doc.title, "path_text": c.path_text}, ensure_ascii=False))
        return
    click.echo(f"{doc.title}\n{c.path_text}\n{c.id}  [{c.start}:{c.end}]\n\n{c.text}")


@main.command()
@click.argument("doc")
@click.pass_context
@_friendly
def outline(ctx, doc):
    """Print a document's clause tree."""
    searcher = _service(ctx).searcher
    doc_ids = searcher.resolve_doc(doc)
    for doc_id in sorted(doc_ids):
        d = searcher.docs[doc_id]
        click.echo(f"{d.title}  ({doc_id})")
        for c in (c for c in searcher.clauses if c.doc_id == doc_id):
            click.echo(f"{'  ' * c.level}{c.path[-1]}  [{c.id.split('#', 1)[1]}]")


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@_friendly
def documents(ctx, as_json):
    """List ingested documents."""
    searcher = _service(ctx).searcher
    rows = []
    for d in searcher.docs.values():
        n = sum(1 for c in searcher.clauses if c.doc_id == d.id)
        rows.append({"id": d.id, "title": d.title, "issuer": d.issuer, "number": d.number, "date": d.date,
                     "format": d.format, "encoding": d.encoding, "clauses": n, "source": d.source})
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
    else:
        for r in rows:
            click.echo(f"{r['id']}  {r['title']}  ({r['clauses']} clauses, {r['format']}, {r['encoding']})")


@main.command()
@click.option("--host", default=None, help="Bind address (default POLICYQA_HOST, 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default POLICYQA_PORT, 7860).")
@click.option("--ingest-if-stale/--no-ingest", default=True, help="Ingest the corpus first when the index is missing or stale.")
@click.pass_context
@_friendly
def serve(ctx, host, port, ingest_if_stale):
    """Run the web app and the JSON API."""
    svc = _service(ctx)
    if ingest_if_stale and svc.index_is_stale():
        report, meta = svc.ingest(None)
        click.echo(f"ingested {report.documents} documents, {report.clauses} clauses", err=True)
    from app.web import serve as run_server

    run_server(svc, host=host or svc.settings.host, port=port or svc.settings.port)


@main.command("config")
def config_cmd():
    """List the settings and their environment variables."""
    for env, default, help_text in Settings.describe():
        click.echo(f"{env}  (default: {default})\n    {help_text}")


def _stdin_lines() -> list[str]:
    return [line.rstrip("\n") for line in sys.stdin if line.strip()]



from evals.cli import bench_cmd, eval_cmd  # noqa: E402

main.add_command(eval_cmd, "eval")
main.add_command(bench_cmd, "bench")


if __name__ == "__main__":
    main()
