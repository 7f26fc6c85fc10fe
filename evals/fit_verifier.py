"""Fit the verifier's numbers on the fit part of the answer sets (evals/llm_answers/).

  python -m evals.fit_verifier --corpus docs_corpus ../shared/real-docs [--dry-run] [--jobs 2]

Objective: the total shortfall from the product's bars (faithful answers unchanged ≥ 0.90, each
kind of lie ≤ 0.05, the recombined invention ≤ 0.25), both marker styles. Coordinate search over a grid, two
rounds; the validation part is printed for the chosen values; the test part is never read."""
from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, replace

from assistant.data import DATA_DIR
from assistant.verify.generated import VerifierParams, load_params

from .verifier_bench import LIES, evaluate, known_units_of, load_set

GRID = {
    "grounding": [0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7],
    "figure_context": [0.4, 0.6, 0.8, 0.9, 1.0],
    "negation_match": [0.3, 0.4, 0.5, 0.6, 0.7, 1.1],
    "actor_context": [2, 3, 4, 6, 8, 99],
    "citation_margin": [0.1, 0.2, 0.3, 0.4, 0.6, 2.0],
    "short_claim": [4, 6, 8, 10, 12, 14],
    "word_grounding": [0.0, 0.3, 0.4, 0.5, 0.6, 0.7],
    "local_grounding": [0.0, 0.5, 0.6, 0.67, 0.7, 0.75, 0.8],
    "imported_words": [1, 2, 3, 4, 99],
}


# The product's bars (issue 12): faithful answers reach the user unchanged at least this often;
# each kind of lie at most this often (the recombined invention is allowed more without a judge).
FAITHFUL_BAR = 0.90
LIE_BAR = {k: 0.05 for k in LIES} | {"invented_recombined": 0.25}


def objective(res: dict) -> float:
    """Minus the shortfall from the bars: the faithful side weighs as much as all the kinds of
    lie together (their mean), so removing everything is not a way to stop lies."""
    st = res["stats"]
    faithful = st["faithful_unchanged"][0] / st["faithful_unchanged"][1]
    lies = {k: st[k][0] / st[k][1] for k in LIES if st[k][1]}
    over = [max(0.0, v - LIE_BAR[k]) for k, v in lies.items()]
    return -(max(0.0, FAITHFUL_BAR - faithful) + sum(over) / len(over))


_WORKER: dict = {}


def _start_worker(units, fit) -> None:
    _WORKER.update(units=units, fit=fit)


def _fit_objective(params: VerifierParams) -> float:
    return objective(evaluate(_WORKER["fit"], _WORKER["units"], params, timed=False))


def main(argv=None) -> int:
    from pathlib import Path

    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", nargs="+", type=Path)
    ap.add_argument("--dry-run", action="store_true", help="print, do not write assistant/data/verifier.json")
    ap.add_argument("--jobs", type=int, default=1, help="grid points scored at once, one process each (~30 s a point)")
    args = ap.parse_args(argv)
    units = known_units_of(args.corpus)
    fit, val = load_set(split="fit"), load_set(split="validation")
    best = load_params()
    score = objective(evaluate(fit, units, best, timed=False))
    with ProcessPoolExecutor(args.jobs, initializer=_start_worker, initargs=(units, fit)) as pool:
        for _ in range(2):
            for name, values in GRID.items():
                # The values of one number are scored against the same other numbers: at once.
                candidates = [replace(best, **{name: v}) for v in values]
                for p, s in zip(candidates, pool.map(_fit_objective, candidates)):
                    if s > score + 1e-9:
                        best, score = p, s
                print(f"{name}: {getattr(best, name)}  (fit objective {score:.3f})", flush=True)
    v = evaluate(val, units, best, timed=False)
    print(f"chosen {asdict(best)}; validation objective {objective(v):.3f}")
    for k, (hit, n) in v["stats"].items():
        print(f"  validation {k}: {hit}/{n}")
    if not args.dry_run:
        out = {**asdict(best), "note": f"fitted by evals/fit_verifier.py on the fit part ({len(fit)} questions); fit objective {score:.3f}"}
        (DATA_DIR / "verifier.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
