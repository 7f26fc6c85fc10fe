"""Export, for questions of the bank, the numbered sources LLM mode would give the model, so
model-style answers can be written against exactly what a model would see.

  python -m evals.llm_sources --bank evals/bank/*.jsonl --corpus docs_corpus ../shared/real-docs \
      --per-split fit=60 validation=30 test=40 --out evals/llm_answers/sources.jsonl

Only answerable questions whose expected clause is among the given sources are kept (a model
given sources that do not answer should refuse; that is the answerability gate's job)."""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from assistant.chain import PolicyAssistant
from assistant.compose.llm import format_sources

from .metrics import clause_ok, doc_ok, hit_cite
from .run import eval_settings, load_gold


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bank", nargs="+", type=Path, required=True)
    ap.add_argument("--corpus", nargs="+", type=Path)
    ap.add_argument("--per-split", nargs="+", default=["fit=60", "validation=30", "test=40"])
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--exclude", nargs="*", type=Path, default=[], help="source files whose questions are already taken")
    args = ap.parse_args(argv)
    taken_ids = {json.loads(line)["id"] for p in args.exclude for line in p.read_text(encoding="utf-8").splitlines() if line.strip()}
    want = {k: int(v) for k, v in (x.split("=") for x in args.per_split)}
    a = PolicyAssistant(eval_settings(args.corpus, mode="extractive"))
    items = [d for d in load_gold(args.bank) if d.get("answerable", True) and d.get("split") in want
             and d["id"] not in taken_ids]
    random.Random(args.seed).shuffle(items)
    taken = {k: 0 for k in want}
    with args.out.open("w", encoding="utf-8") as f:
        for d in items:
            if taken[d["split"]] >= want[d["split"]]:
                continue
            hits = a.sources(d["question"], d.get("history") or [])
            exp = d["expect"]
            cites = [hit_cite(h) for h in hits]
            if not any(doc_ok(c, exp.get("doc_any") or []) and clause_ok(c, exp.get("clause_any") or []) for c in cites):
                continue
            taken[d["split"]] += 1
            f.write(json.dumps({
                "id": d["id"], "split": d["split"], "kind": d["kind"], "question": d["question"],
                "history": d.get("history") or [], "facts": exp.get("facts_all", []),
                "sources": format_sources(hits),
            }, ensure_ascii=False) + "\n")
    print(taken)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
