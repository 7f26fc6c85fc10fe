"""Split a question bank once into fit / validation / test parts, by document section.

  python -m evals.split_bank evals/bank/*.jsonl

A section's questions all land in one part, so no clause is seen on both sides of a fit. A
section already split in another bank (evals/gold_realdocs.jsonl) keeps its part there; a new
section goes by a hash of its key (stable across runs and machines). Items that already have
a split are left alone: the split is made once and never redrawn."""
from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from pathlib import Path

from assistant.settings import PROJECT_ROOT

# Shares of sections per part: most to fitting, enough held out to measure per kind.
FIT_SHARE, VALIDATION_SHARE = 0.6, 0.2
EARLIER_BANKS = [PROJECT_ROOT / "evals" / "gold_realdocs.jsonl"]


def part_of(section: str) -> str:
    h = int(hashlib.sha1(section.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "fit" if h < FIT_SHARE else "validation" if h < FIT_SHARE + VALIDATION_SHARE else "test"


def known_parts(paths: list[Path]) -> dict[str, str]:
    out = {}
    for p in paths:
        if p.exists():
            for line in p.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    it = json.loads(line)
                    if it.get("split") and it.get("section"):
                        out[it["section"]] = it["split"]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("banks", nargs="+", type=Path)
    args = ap.parse_args(argv)
    known = known_parts([p for p in EARLIER_BANKS if p not in args.banks])
    for path in args.banks:
        items = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        for it in items:
            if not it.get("split"):
                it["split"] = known.get(it["section"]) or part_of(it["section"])
            known.setdefault(it["section"], it["split"])
        path.write_text("".join(json.dumps(it, ensure_ascii=False) + "\n" for it in items), encoding="utf-8")
        print(path, dict(Counter(it["split"] for it in items)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
