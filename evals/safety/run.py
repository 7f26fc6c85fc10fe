"""The run: every case (or those asked for), one Markdown table, exit code 0 when every row
holds."""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import __doc__ as USAGE
from .cases_ingest import case_1, case_2, case_6, case_7
from .cases_page import case_3, case_4, case_5, case_8
from .lab import CACHE, Lab, Row, short

# --- the run ----------------------------------------------------------------------------------
CASES = {"1": case_1, "2": case_2, "3": case_3, "4": case_4, "5": case_5, "6": case_6, "7": case_7, "8": case_8}


def cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(rows: list[Row]) -> str:
    out = ["| case | what was tried | expected | observed | holds |", "|---|---|---|---|---|"]
    out += [f"| {r.case} | {cell(r.tried)} | {cell(r.expected)} | {cell(r.observed)} | {'yes' if r.holds else 'NO'} |" for r in rows]
    return "\n".join(out)


def run_case(lab: Lab, key: str) -> list[Row]:
    try:
        return CASES[key](lab)
    except Exception as e:  # a case that cannot run is a row that does not hold, and the others still run
        return [Row(key, "running the case", "it runs", f"{type(e).__name__}: {short(e, 200)}", False)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=USAGE.splitlines()[0])
    ap.add_argument("--only", help="comma-separated case numbers, e.g. 1,3")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args(argv)
    keys = [k.strip() for k in args.only.split(",")] if args.only else list(CASES)
    unknown = [k for k in keys if k not in CASES]
    if unknown:
        ap.error(f"unknown case(s) {unknown}; cases are {', '.join(CASES)}")
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="policy-safety-"))
    lab, rows, t0 = Lab(root), [], time.perf_counter()
    try:
        for key in keys:
            t = time.perf_counter()
            rows += run_case(lab, key)
            print(f"case {key}: {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
    finally:
        lab.close()
        if args.keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(table(rows))
    held = sum(r.holds for r in rows)
    print(f"\n{held} of {len(rows)} rows hold; total {time.perf_counter() - t0:.0f} s")
    return 0 if held == len(rows) else 1
