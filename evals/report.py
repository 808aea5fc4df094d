"""Tables (Markdown, also printed to the terminal), charts and the results folders of `eval` and `bench`."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Callable, Sequence

DASH = "—"

# (column title, figure key, format) for the eval tables; a missing or None figure prints as a dash.
EVAL_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("hit@1", "hit@1", "{:.3f}"),
    ("hit@3", "hit@3", "{:.3f}"),
    ("hit@5", "hit@5", "{:.3f}"),
    ("MRR", "mrr", "{:.3f}"),
    ("chars/hit", "chars_per_hit", "{:.0f}"),
    ("answer acc", "answer_acc", "{:.3f}"),
    ("citation prec", "citation_precision", "{:.3f}"),
    ("refusal acc", "refusal_acc", "{:.3f}"),
    ("retr p50 ms", "retrieval_p50_ms", "{:.1f}"),
    ("retr p95 ms", "retrieval_p95_ms", "{:.1f}"),
    ("ask p50 ms", "ask_p50_ms", "{:.1f}"),
    ("ask p95 ms", "ask_p95_ms", "{:.1f}"),
)


def fmt(value, spec: str) -> str:
    return DASH if value is None else spec.format(value)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _system_label(name: str, best: str | None) -> str:
    return f"{name} (answer = top-1 passage)" if name == best else name


def eval_group_table(group: dict, best: str | None) -> str:
    header = ["system"] + [c[0] for c in EVAL_COLUMNS]
    rows = [
        [_system_label(name, best)] + [fmt(figures.get(key), spec) for _, key, spec in EVAL_COLUMNS]
        for name, figures in group["systems"].items()
    ]
    return markdown_table(header, rows)


def eval_markdown(result: dict) -> str:
    """All eval tables: overall first, then one per kind."""
    best = result.get("best_baseline")
    parts = [f"# Evaluation {result['created']}", "", _eval_preamble(result), ""]
    for group, data in result["summary"].items():
        title = "Overall" if group == "overall" else group
        parts += [f"## {title} ({data['n']} questions, {data['answerable']} answerable)", "",
                  eval_group_table(data, best), ""]
    parts += [_eval_notes(result), ""]
    return "\n".join(parts)


def _eval_preamble(result: dict) -> str:
    idx = result["index"]
    return (
        f"Gold set: {result.get('gold', '?')} ({len(result['rows'])} questions); top-k = {result['k']}; "
        f"index {idx.get('generation')} ({idx.get('documents')} documents, {idx.get('clauses')} clauses, "
        f"model {idx.get('model')}). Rule for baseline passages: {result['rule']}."
    )


def _eval_notes(result: dict) -> str:
    ours = result["summary"]["overall"]["systems"].get("ours", {})
    lines = []
    if "unverifiable_citations" in ours:
        lines.append(
            f"Our answers: {ours['citations']} citations, {ours['unverifiable_citations']} unverifiable; "
            f"{ours['refused_answerable']} answerable questions declined; {ours['errors']} errors."
        )
    if result.get("missing_gold_ids"):
        ids = result["missing_gold_ids"]
        lines.append(f"{len(ids)} gold ids are not in the index (those items cannot be hit): {', '.join(ids[:5])}"
                     + (" …" if len(ids) > 5 else ""))
    lines.append("Latency: wall time per call after one warm-up call, in this process; our search and ask each "
                 "embed the question (questions are never cached).")
    return "\n\n".join(lines)


# -- charts -------------------------------------------------------------------------------------
def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def eval_chart(result: dict, path: Path) -> None:
    """Grouped bars: hit@1, hit@3, MRR, answer accuracy per system (labels are ASCII)."""
    plt = _pyplot()
    metrics = [("hit@1", "hit@1"), ("hit@3", "hit@3"), ("MRR", "mrr"), ("answer acc", "answer_acc")]
    systems = result["summary"]["overall"]["systems"]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    width = 0.8 / max(1, len(systems))
    for i, (name, figures) in enumerate(systems.items()):
        values = [figures.get(key) or 0.0 for _, key in metrics]
        xs = [m + i * width for m in range(len(metrics))]
        bars = ax.bar(xs, values, width, label=_system_label(name, result.get("best_baseline")))
        labels = ["n/a" if figures.get(key) is None else f"{figures[key]:.2f}" for _, key in metrics]
        ax.bar_label(bars, labels=labels, fontsize=7)
    ax.set_xticks([m + width * (len(systems) - 1) / 2 for m in range(len(metrics))], [m[0] for m in metrics])
    ax.set_ylim(0, 1.08)
    ax.set_title(f"policyqa eval, {result['summary']['overall']['n']} questions ({result['created']})")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(systems))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def scaling_chart(bench: dict, path: Path) -> None:
    """Four log-log panels against the number of documents: ingest s, index MB, query p50 ms, peak RSS MB."""
    plt = _pyplot()
    panels = [
        ("ingest / build (s)", "ingest_s"),
        ("index size on disk (MB)", "index_mb"),
        ("query p50 (ms)", "query_p50_ms"),
        ("peak RSS (MB)", "peak_rss_mb"),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(9, 6.5))
    for ax, (title, key) in zip(axes.flat, panels):
        for system in ("ours", "naive"):
            pts = [(r["n"], r[system][key]) for r in bench["scaling"] if r.get(system) and r[system].get(key)]
            if pts:
                ax.plot(*zip(*pts), marker="o", label="ours" if system == "ours" else "llama-index naive")
        ax.set_xscale("log")
        ax.set_yscale("log")
        _plain_log_labels(ax)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("documents", fontsize=8)
        ax.legend(fontsize=7)
    fig.suptitle("policyqa bench: scaling on synthetic corpora", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plain_log_labels(ax) -> None:
    """Log axes labelled 20, 50, 100 rather than 2×10^1."""
    from matplotlib.ticker import LogFormatter

    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(LogFormatter())
        axis.set_minor_formatter(LogFormatter(labelOnlyBase=False, minor_thresholds=(2, 0.5)))


# -- bench tables -------------------------------------------------------------------------------
def _f(value, spec: str = "{:.1f}") -> str:
    return fmt(value, spec)


def bench_main_table(bench: dict) -> str:
    ours, naive = bench.get("ours", {}), bench.get("naive", {})
    rows = [
        ("ingest / build of the corpus (s)", _f(ours.get("ingest_s"), "{:.2f}"), _f(naive.get("build_s"), "{:.2f}")),
        ("clauses (ours) / chunks (naive)", _f(ours.get("clauses"), "{:.0f}"), _f(naive.get("chunks"), "{:.0f}")),
        ("embedded units", _f(ours.get("units"), "{:.0f}"), _f(naive.get("chunks"), "{:.0f}")),
        ("throughput (clauses/s; naive: chunks/s)", _f(ours.get("clauses_per_s")), _f(naive.get("chunks_per_s"))),
        ("re-ingest, corpus unchanged (s)", _f(ours.get("reingest_s"), "{:.2f}"), DASH),
        ("index size on disk (MB)", _f(ours.get("index_mb"), "{:.2f}"), _f(naive.get("index_mb"), "{:.2f}")),
        ("cold start to first answer / retrieval (s, median)", _f(ours.get("cold_start_s")), _f(naive.get("cold_start_s"))),
        ("peak RSS of the cold-start process (MB)", _f(ours.get("cold_start_peak_rss_mb"), "{:.0f}"),
         _f(naive.get("cold_start_peak_rss_mb"), "{:.0f}")),
        ("warm search / retrieve p50 (ms)", _f(ours.get("search_p50_ms")), _f(naive.get("retrieve_p50_ms"))),
        ("warm search / retrieve p95 (ms)", _f(ours.get("search_p95_ms")), _f(naive.get("retrieve_p95_ms"))),
        ("warm ask p50 (ms)", _f(ours.get("ask_p50_ms")), DASH),
        ("warm ask p95 (ms)", _f(ours.get("ask_p95_ms")), DASH),
        ("RSS after warm queries (MB)", _f(ours.get("warm_rss_mb"), "{:.0f}"), _f(naive.get("warm_rss_mb"), "{:.0f}")),
        ("peak RSS of the warm-query process (MB)", _f(ours.get("warm_peak_rss_mb"), "{:.0f}"),
         _f(naive.get("warm_peak_rss_mb"), "{:.0f}")),
    ]
    return markdown_table(["figure", "ours", "llama-index naive"], rows)


def bench_scaling_table(bench: dict) -> str:
    header = ["docs", "clauses", "units", "ingest s", "index MB", "search p50/p95 ms", "ask p50 ms", "peak RSS MB",
              "naive build s", "naive MB", "naive p50/p95 ms", "naive RSS MB", "load"]
    rows = []
    for r in bench["scaling"]:
        o, n = r.get("ours") or {}, r.get("naive") or {}
        rows.append([
            str(r["n"]), _f(o.get("clauses"), "{:.0f}"), _f(o.get("units"), "{:.0f}"), _f(o.get("ingest_s")),
            _f(o.get("index_mb")), f"{_f(o.get('query_p50_ms'))} / {_f(o.get('query_p95_ms'))}",
            _f(o.get("ask_p50_ms")), _f(o.get("peak_rss_mb"), "{:.0f}"),
            _f(n.get("ingest_s")), _f(n.get("index_mb")),
            f"{_f(n.get('query_p50_ms'))} / {_f(n.get('query_p95_ms'))}" if n else DASH,
            _f(n.get("peak_rss_mb"), "{:.0f}"), _f(o.get("load_1m")),
        ])
    return markdown_table(header, rows)


def bench_markdown(bench: dict) -> str:
    parts = [f"# Benchmark {bench['created']}", "", bench_machine_line(bench), ""]
    if bench.get("ours") or bench.get("naive"):
        parts += ["## This corpus", "", bench_main_table(bench), ""]
    if bench.get("scaling"):
        parts += ["## Scaling (synthetic corpora)", "", bench.get("scaling_note", ""), "", bench_scaling_table(bench), ""]
        parts += [f"- {line}" for line in bench.get("growth", [])] + [""]
    parts += [f"- {n}" for n in bench.get("notes", [])]
    return "\n".join(parts) + "\n"


def bench_machine_line(bench: dict) -> str:
    m = bench.get("machine", {})
    return (f"Machine: {m.get('cpus')} CPUs, {m.get('memory_gb')} GB RAM, Python {m.get('python')}; "
            f"model {m.get('model')}; total bench time {_f(bench.get('seconds'), '{:.0f}')} s; 1-minute load average "
            f"{_f(m.get('load_1m_start'))} at the start, {_f(m.get('load_1m_end'))} at the end.")


# -- results folders ----------------------------------------------------------------------------
def write_results(out_root: Path, prefix: str, files: dict[str, Callable[[Path], None]]) -> Path:
    """Write each file with its writer into out_root/<prefix>-<timestamp>/ and copy them to out_root/latest/."""
    folder = out_root / f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}"
    n = 2
    while folder.exists():
        folder = out_root / f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}-{n}"
        n += 1
    folder.mkdir(parents=True)
    latest = out_root / "latest"
    latest.mkdir(parents=True, exist_ok=True)
    for name, write in files.items():
        write(folder / name)
        shutil.copy2(folder / name, latest / name)
    return folder


def json_writer(data: dict) -> Callable[[Path], None]:
    return lambda p: p.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def text_writer(text: str) -> Callable[[Path], None]:
    return lambda p: p.write_text(text, encoding="utf-8")
