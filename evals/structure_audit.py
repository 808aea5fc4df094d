"""How faithfully real law files parse: counts over a folder of Markdown laws, no index involved.

    python -m evals.structure_audit [--root DIR] [--files FILE_LIST] [--show N] [--json]

For every file it parses the document (ingest only) and counts, over all files:

- `article_lines`: lines of the document text that start with an article label (第X条, 第X条之一);
- `article_clauses`: clauses whose own label is an article label;
- `in_tables`: article lines that start a table cell (a table listing articles), not an article;
- `glued`: article lines that fall inside another clause's text instead of starting a clause;
- `missing`: article lines with no clause starting on them (glued ones included);
- `duplicate_ids`: clause ids made unique with a `~N` suffix (a repeated label);
- `bad_titles`: titles that keep an HTML comment or are longer than MAX_TITLE_CHARS;
- `missing_dates`: documents with no date at all (adoption, promulgation, effect or version).

`--show N` prints up to N examples of each problem. `--files` takes a list of paths relative to
the root, one a line (e.g. ../shared/datasets/stard/gold-law-files.txt).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

from ingest.pipeline import parse_document
from ingest.records import ParsedDocument

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "laws"
MAX_TITLE_CHARS = 60
_ARTICLE_LINE = re.compile(r"^第[零〇一二三四五六七八九十百千两\d]+条(?:之[一二三四五六七八九十]+)?(?=[\s　]|$)", re.M)
_ARTICLE_LABEL = re.compile(r"^第[零〇一二三四五六七八九十百千两\d]+条(?:之[一二三四五六七八九十]+)?$")
_DATE_FIELDS = ("adopted", "promulgated", "effective", "version_date", "date")


def audit_document(parsed: ParsedDocument) -> tuple[Counter, dict[str, list[str]]]:
    """Counts and examples for one parsed document."""
    doc = parsed.document
    counts: Counter = Counter(documents=1, clauses=len(parsed.clauses))
    examples: dict[str, list[str]] = {}
    starts = {c.start: c for c in parsed.clauses}
    for m in _ARTICLE_LINE.finditer(doc.text):
        counts["article_lines"] += 1
        if m.start() in starts:
            counts["in_tables"] += starts[m.start()].kind in ("table", "row")
            continue
        counts["missing"] += 1
        holder = next((c for c in parsed.clauses if c.start < m.start() < c.end), None)
        if holder is not None:
            counts["glued"] += 1
            examples.setdefault("glued", []).append(f"{m.group(0)} inside {holder.id} ({len(holder.text)} chars)")
        else:
            examples.setdefault("missing", []).append(f"{doc.id}: {m.group(0)}")
    for c in parsed.clauses:
        if _ARTICLE_LABEL.match(c.labels[-1] if c.labels else ""):
            counts["article_clauses"] += 1
        if re.search(r"~\d+$", c.id):
            counts["duplicate_ids"] += 1
            examples.setdefault("duplicate_ids", []).append(c.id)
    if "<!--" in doc.title or len(doc.title) > MAX_TITLE_CHARS:
        counts["bad_titles"] += 1
        examples.setdefault("bad_titles", []).append(f"{doc.id}: {doc.title[:80]!r}")
    if not any(getattr(doc, f, None) for f in _DATE_FIELDS):
        counts["missing_dates"] += 1
        examples.setdefault("missing_dates", []).append(doc.id)
    return counts, examples


def audit(root: Path, files: list[Path]) -> tuple[Counter, dict[str, list[str]]]:
    total: Counter = Counter()
    examples: dict[str, list[str]] = {}
    for path in files:
        doc_id = path.relative_to(root).with_suffix("").as_posix() if path.is_relative_to(root) else path.stem
        parsed = parse_document(path, path.read_bytes(), doc_id, str(path))
        counts, ex = audit_document(parsed)
        total.update(counts)
        for key, items in ex.items():
            examples.setdefault(key, []).extend(items)
    return total, examples


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.structure_audit", description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="folder of Markdown laws")
    ap.add_argument("--files", type=Path, help="file listing paths relative to --root, one a line")
    ap.add_argument("--show", type=int, default=5, help="examples printed per problem")
    ap.add_argument("--json", action="store_true", help="print the counts as one JSON object")
    args = ap.parse_args(argv)
    if args.files:
        names = [n.strip() for n in args.files.read_text(encoding="utf-8").splitlines() if n.strip()]
        files = [args.root / n for n in names]
    else:
        files = sorted(args.root.rglob("*.md"))
    if not files:
        print(f"no Markdown files under {args.root}", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    total, examples = audit(args.root, files)
    seconds = time.perf_counter() - t0
    if args.json:
        print(json.dumps({**total, "seconds": round(seconds, 1)}, ensure_ascii=False))
        return 0
    for key in ("documents", "clauses", "article_lines", "article_clauses", "in_tables", "glued", "missing",
                "duplicate_ids", "bad_titles", "missing_dates"):
        print(f"{key:16} {total[key]}")
    print(f"{'seconds':16} {seconds:.1f}")
    for key, items in examples.items():
        print(f"\n{key} ({len(items)}):")
        for item in items[: args.show]:
            print(f"  {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
