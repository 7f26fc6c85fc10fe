"""Fit the fusion weights of the three rankers (dense chunks, BM25, sentences) on the fit part
of the question bank: the weights under which a gold clause is most often among the first
candidates. Prints recall@1/@5 and MRR on fit and validation for every setting tried.

  python -m evals.fit_fusion --bank evals/bank/*.jsonl evals/gold_realdocs.jsonl --corpus docs_corpus ../shared/real-docs"""
from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from .fit_answerability import correct
from .run import eval_settings, load_gold

GRID = {"w_dense": (0.5, 1.0, 1.5), "w_bm25": (0.5, 1.0, 1.5), "w_sentence": (0.0, 0.5, 1.0, 1.5)}
DEPTH = 5  # candidates the answerability model scores (compose.extractive.CANDIDATES)


def measure(assistant, items: list[dict]) -> dict:
    ranks = []
    for it in items:
        state = assistant.trace(it["question"], it.get("history") or [])
        hits = list(state.hits)
        r = next((i for i, h in enumerate(hits) if correct(it, h)), None)
        ranks.append(r)
    n = len(ranks) or 1
    return {"r@1": sum(r == 0 for r in ranks) / n, f"r@{DEPTH}": sum(r is not None and r < DEPTH for r in ranks) / n,
            "mrr": sum(1 / (r + 1) for r in ranks if r is not None) / n}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bank", nargs="+", type=Path, required=True)
    ap.add_argument("--corpus", nargs="+", type=Path)
    args = ap.parse_args(argv)
    from assistant.chain import PolicyAssistant

    assistant = PolicyAssistant(eval_settings(args.corpus))
    embed = assistant.retriever.embedder
    embed.embed_query = lru_cache(maxsize=None)(embed.embed_query)  # one embedding per question
    items = [it for it in load_gold(args.bank) if it.get("answerable", True)]
    part = {k: [it for it in items if it.get("split") == k] for k in ("fit", "validation")}
    base = assistant.retriever.params
    results = []
    for values in itertools.product(*GRID.values()):
        assistant.retriever.params = replace(base, **dict(zip(GRID, values)))
        fit = measure(assistant, part["fit"])
        results.append((fit[f"r@{DEPTH}"], fit["mrr"], values, fit))
    results.sort(key=lambda x: (-x[0], -x[1]))
    for r5, mrr, values, fit in results[:8]:
        assistant.retriever.params = replace(base, **dict(zip(GRID, values)))
        val = measure(assistant, part["validation"])
        print(dict(zip(GRID, values)), "fit", {k: round(v, 3) for k, v in fit.items()}, "validation", {k: round(v, 3) for k, v in val.items()})
    assistant.retriever.params = base
    print("current", {k: getattr(base, k) for k in GRID}, "validation", measure(assistant, part["validation"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
