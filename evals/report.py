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


# The columns of the headline and per-kind tables, ours and the best baseline: the quality figures.
HEADLINE_COLUMNS = tuple(c for c in EVAL_COLUMNS if c[1] in ("hit@1", "mrr", "answer_acc", "citation_precision",
                                                              "refusal_acc"))
SPLIT_NOTE = {
    "dev": "dev: rules may be tuned on it",
    "test": "test: held out, reported only",
    "all": "both splits together",
}


def eval_markdown(result: dict) -> str:
    """The headline table (every set × split beside the best baseline), then per set and split the
    systems table and the per-kind table."""
    parts = [f"# Evaluation {result['created']}", "", _eval_preamble(result), "",
             "## Every set and split", "", headline_table(result), ""]
    for name, one in result["sets"].items():
        for split, summary in one["summary"].items():
            overall = summary["overall"]
            parts += [f"## {name}, {split} ({overall['n']} questions, {overall['answerable']} answerable; "
                      f"{SPLIT_NOTE.get(split, split)})", "",
                      eval_group_table(overall, one.get("best_baseline")), "",
                      kind_table(summary, one.get("best_baseline")), ""]
        parts += [_set_notes(name, one), ""]
    return "\n".join(parts)


def _eval_preamble(result: dict) -> str:
    first = next(iter(result["sets"].values()), {})
    return (
        f"Splits: every question is in `dev` or `test` by a hash of its id (`evals.metrics.split_of`); "
        f"rules are tuned on dev only, test is reported. Questions run: {result['split']}. "
        f"Top-k = {result['k']}. Rule for baseline passages: {first.get('rule', '—')}."
    )


def _figure_cells(figures: dict) -> list[str]:
    return [fmt(figures.get(key), spec) for _, key, spec in HEADLINE_COLUMNS]


def headline_table(result: dict) -> str:
    header = (["set", "split", "questions", "answerable"] + [f"ours {c[0]}" for c in HEADLINE_COLUMNS]
              + ["unverifiable", "best baseline", "its hit@1", "its answer acc"])
    rows = []
    for name, one in result["sets"].items():
        best = one.get("best_baseline")
        for split, summary in one["summary"].items():
            overall = summary["overall"]
            ours = overall["systems"].get("ours", {})
            theirs = overall["systems"].get(best, {}) if best else {}
            rows.append([name, split, str(overall["n"]), str(overall["answerable"]), *_figure_cells(ours),
                         fmt(ours.get("unverifiable_citations"), "{:d}"), best or DASH,
                         fmt(theirs.get("hit@1"), "{:.3f}"), fmt(theirs.get("answer_acc"), "{:.3f}")])
    return markdown_table(header, rows)


def kind_table(summary: dict, best: str | None) -> str:
    """One row per question kind: our figures, then hit@1 of each baseline (and the best one's answer acc)."""
    baselines = [n for n in summary["overall"]["systems"] if n != "ours"]
    header = (["kind", "n", "answerable"] + [f"ours {c[0]}" for c in HEADLINE_COLUMNS]
              + [f"{n} hit@1" for n in baselines] + ([f"{best} answer acc"] if best else []))
    rows = []
    for group, data in summary.items():
        ours = data["systems"].get("ours", {})
        row = [group, str(data["n"]), str(data["answerable"]), *_figure_cells(ours)]
        row += [fmt(data["systems"][n].get("hit@1"), "{:.3f}") for n in baselines]
        if best:
            row.append(fmt(data["systems"][best].get("answer_acc"), "{:.3f}"))
        rows.append(row)
    return markdown_table(header, rows)


def _set_notes(name: str, one: dict) -> str:
    idx, ingest = one["index"], one.get("ingest") or {}
    lines = [f"{name}: gold {one.get('gold', '?')} ({len(one['rows'])} questions run); "
             f"corpus {', '.join(ingest.get('corpus', [])) or '(the configured index)'}; "
             f"index {idx.get('generation')} ({idx.get('documents')} documents, {idx.get('clauses')} clauses, "
             f"model {idx.get('model')})"
             + (f", ingest {ingest['seconds']:.1f} s ({'rebuilt' if ingest.get('index_rebuilt') else 'reused'})"
                if "seconds" in ingest else "") + "."]
    whole = one["summary"].get("all") or next(iter(one["summary"].values()))  # both splits, or the one run
    ours = whole["overall"]["systems"].get("ours", {})
    if "unverifiable_citations" in ours:
        lines.append(
            f"Our answers: {ours['citations']} citations, {ours['unverifiable_citations']} unverifiable; "
            f"{ours['refused_answerable']} answerable questions declined; {ours['errors']} errors."
        )
    if ids := one.get("missing_gold_ids"):
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
    """Grouped bars per set and split (dev, test; not both together): our hit@1, answer and refusal accuracy, and the best baseline's
    hit@1 and answer accuracy (labels are ASCII)."""
    plt = _pyplot()
    bars = [("ours hit@1", "ours", "hit@1"), ("ours answer acc", "ours", "answer_acc"),
            ("ours refusal acc", "ours", "refusal_acc"), ("best baseline hit@1", None, "hit@1"),
            ("best baseline answer acc (top-1 passage)", None, "answer_acc")]
    groups = [(f"{name}\n{split}", one["summary"][split]["overall"]["systems"], one.get("best_baseline"))
              for name, one in result["sets"].items() for split in one["summary"] if split != "all"]
    fig, ax = plt.subplots(figsize=(max(8, 1.6 * len(groups)), 4.8))
    width = 0.8 / len(bars)
    for i, (label, system, key) in enumerate(bars):
        values = [(systems.get(system or best) or {}).get(key) if (system or best) else None
                  for _, systems, best in groups]
        xs = [g + i * width for g in range(len(groups))]
        drawn = ax.bar(xs, [v or 0.0 for v in values], width, label=label)
        ax.bar_label(drawn, labels=["n/a" if v is None else f"{v:.2f}" for v in values], fontsize=6)
    ax.set_xticks([g + width * (len(bars) - 1) / 2 for g in range(len(groups))], [g[0] for g in groups], fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_title(f"policyqa eval ({result['created']}); test splits are held out", fontsize=10)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3)
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
