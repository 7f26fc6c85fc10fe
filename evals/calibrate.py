"""Refusal calibration and retrieval diagnostics on a gold set (use your own set, not dev).

  python -m evals.calibrate --gold evals/gold_own.jsonl

For each question: rank of the first correct clause among the retrieved hits, and the
support features the refusal rule uses (coverage, dense similarity) of the top evidence;
then the accuracy of refusal over a grid of thresholds."""
from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

from assistant.chain import PolicyAssistant
from assistant.compose.extractive import Thresholds, gather, key_terms
from assistant.settings import Settings

from .metrics import clause_ok, doc_ok
from .run import load_gold


def features(a: PolicyAssistant, item: dict) -> dict:
    s = a._condense({"question": item["question"], "history": item.get("history") or []})
    s = a._retrieve(s)
    terms = key_terms(s["info"].text, a.retriever.idf_of)
    ev = gather(s["hits"], terms, s["info"])
    exp = item.get("expect") or {}
    rank = None
    for i, h in enumerate(s["hits"]):
        cite = {"doc_number": h.doc.doc_number, "doc_title": h.doc.title, "clause_path": list(h.clause.clause_path)}
        if exp and doc_ok(cite, exp.get("doc_any", [])) and clause_ok(cite, exp.get("clause_any", [])):
            rank = i
            break
    from assistant.compose.extractive import TOP_EVIDENCE

    # The composer answers from the first of the top evidences that is supported: the most
    # supported of them decides whether it refuses (dense as the second feature).
    top = max(ev[:TOP_EVIDENCE], key=lambda e: (e.support, e.hit.dense)) if ev else None
    return {
        "id": item["id"], "answerable": item.get("answerable", True), "rank": rank,
        "support": top.support if top else 0.0, "dense": top.hit.dense if top else 0.0,
        "foreign": bool(s["info"].foreign_places), "q": s["standalone"],
        "terms": {k: round(v, 1) for k, v in terms.items()},
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", nargs="+", type=Path, required=True)
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args(argv)
    a = PolicyAssistant(Settings.from_env())
    rows = [features(a, it) for it in load_gold(args.gold)]
    ans = [r for r in rows if r["answerable"]]
    print(f"retrieval: correct clause in top1 {sum(r['rank'] == 0 for r in ans)}/{len(ans)}, "
          f"top3 {sum(r['rank'] is not None and r['rank'] < 3 for r in ans)}, "
          f"top8 {sum(r['rank'] is not None for r in ans)}")
    if args.v:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
    best = []
    for cov, dense, dcov in itertools.product([0.3, 0.4, 0.5, 0.55, 0.6, 0.7], [0.84, 0.86, 0.88, 0.9, 1.1], [0.1, 0.2, 0.3, 0.4]):
        th = Thresholds(cov, dense, dcov)
        ok = 0
        for r in rows:
            found = not r["foreign"] and (r["support"] >= th.coverage or (r["dense"] >= th.dense and r["support"] >= th.dense_coverage))
            ok += found == r["answerable"]
        refused_right = sum(
            1 for r in rows if not r["answerable"] and (r["foreign"] or not (r["support"] >= cov or (r["dense"] >= dense and r["support"] >= dcov)))
        )
        best.append((ok / len(rows), refused_right, th))
    best.sort(key=lambda x: (-x[0], -x[1]))
    n_un = sum(not r["answerable"] for r in rows)
    for acc, rr, th in best[:8]:
        print(f"accuracy {acc:.3f}  refusals right {rr}/{n_un}  {th}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
