"""Parse real documents and compare with their hand counts: structure, metadata, 责任单位.

  python -m evals.structure_counts [--docs ../shared/real-docs] [--expected evals/realdocs_expected.json] [-v]

Prints one row per document (expected → parsed for every count and metadata field) and
exits non-zero when any differs."""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from assistant.settings import PROJECT_ROOT
from assistant.types import Clause, Document
from ingest.clean import clean_pages
from ingest.load import load_file
from ingest.numbering import SCHEMES, match_marker
from ingest.pipeline import parse_loaded
from ingest.units import extract_units

DEFAULT_DOCS = PROJECT_ROOT.parent / "shared" / "real-docs"
DEFAULT_EXPECTED = PROJECT_ROOT / "evals" / "realdocs_expected.json"
_L2 = SCHEMES[6][2]


def doc_counts(doc: Document, clauses: list[Clause], full_text: str) -> Counter:
    """Distinct headings of each numbering kind (inside an annex counted apart), 项 inside
    articles, 专栏 boxes, table rows, and responsible-unit annotations as written."""
    seen: set[tuple[str, ...]] = set()
    n: Counter = Counter()
    for c in clauses:
        annex = bool(c.clause_path) and c.clause_path[0].startswith("附件")
        for depth, label in enumerate(c.clause_path):
            key = c.clause_path[: depth + 1]
            if key in seen:
                continue
            seen.add(key)
            m = match_marker(label)
            if m:
                kind = {"bian": "bian", "part": "part", "chapter": "chapter", "section": "section", "article": "article"}.get(m.kind, m.kind)
                n[("annex_" if annex else "") + kind] += 1
            elif label.startswith("专栏"):
                n["box"] += 1
        if c.clause_path and match_marker(c.clause_path[-1]) and match_marker(c.clause_path[-1]).kind == "article":
            n["item"] += sum(1 for line in c.text.split("\n") if _L2.match(line))
        if c.kind == "table":
            rows = [x for x in full_text[c.char_start : c.char_end].split("\n") if "\t" in x]
            n["table_rows"] += len(rows)
            n["table_cols"] = max(n["table_cols"], max((len(r.split("\t")) for r in rows), default=0))
        else:
            _, found = extract_units(full_text[c.char_start : c.char_end])
            n["units"] += found.annotations
            n["with_lead"] += found.annotations if found.lead else 0
    return n


def check_file(path: Path, expected: list[dict]) -> tuple[list[dict], float, int]:
    t0 = time.perf_counter()
    lf = load_file(path, 50)
    parsed = parse_loaded(lf)
    seconds = time.perf_counter() - t0
    full = "\n".join(p.text for p in clean_pages(lf.pages, lf.is_pdf))
    rows = []
    for k, exp in enumerate(expected):
        doc = parsed.documents[k] if k < len(parsed.documents) else None
        got_counts = doc_counts(doc, [c for c in parsed.clauses if c.doc_id == doc.doc_id], full) if doc else Counter()
        for key, want in exp.get("counts", {}).items():
            rows.append({"doc": k, "field": key, "want": want, "got": got_counts.get(key, 0)})
        for key in ("title", "doc_number", "issuer", "date", "level", "forwards"):
            if key not in exp:
                continue
            got = getattr(doc, key, None) if doc else None
            if key == "title" and doc is not None:
                got = doc.notice_title if doc.notice_title and exp[key] == doc.notice_title else doc.title
            ok = (got or "").replace(" ", "").startswith(exp[key].replace(" ", "")) if key == "title" and exp[key] and got else got == exp[key]
            rows.append({"doc": k, "field": key, "want": exp[key], "got": got, "ok": ok})
    for r in rows:
        r.setdefault("ok", r["got"] == r["want"])
    return rows, seconds, len(full)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=Path, default=DEFAULT_DOCS)
    ap.add_argument("--expected", type=Path, default=DEFAULT_EXPECTED)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every field, not only the differences")
    args = ap.parse_args(argv)
    expected = {k: v for k, v in json.loads(args.expected.read_text(encoding="utf-8")).items() if not k.startswith("_")}
    bad_total, fields_total = 0, 0
    print(f"{'file':<44} {'docs':>4} {'fields':>6} {'wrong':>5} {'ms':>6}  differences")
    for name, exp in expected.items():
        try:
            rows, seconds, chars = check_file(args.docs / name, exp)
        except Exception as e:  # one unreadable file is reported, the others still counted
            print(f"{name[:44]:<44} {len(exp):>4}  error: {type(e).__name__}: {e}")
            bad_total += 1
            continue
        bad = [r for r in rows if not r["ok"]]
        bad_total += len(bad)
        fields_total += len(rows)
        diff = "; ".join(f"#{r['doc']} {r['field']}: {r['want']} → {r['got']}" for r in (rows if args.verbose else bad))
        print(f"{name[:44]:<44} {len(exp):>4} {len(rows):>6} {len(bad):>5} {seconds * 1000:>6.0f}  {diff}")
    print(f"\n{fields_total - bad_total}/{fields_total} fields as counted by hand; {bad_total} differ")
    return 1 if bad_total else 0


if __name__ == "__main__":
    sys.exit(main())
