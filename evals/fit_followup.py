"""Fit the follow-up decision (does a new turn depend on the history?) on the fit part of the
question banks; choose the threshold on validation; print accuracy on the test part.

  python -m evals.fit_followup --bank evals/bank/*.jsonl [--dry-run]

Labelled turns are the bank items with a history and a "depends" label. Standalone bank
questions of the same part, each placed after an earlier question of another section, are
added as turns that do not depend (a full question does not lean on an unrelated one); the
test figure is reported on the written follow-ups alone. Writes assistant/data/followup.json."""
from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
from pathlib import Path

import numpy as np

from assistant.answerability import Logistic
from assistant.followup import MODEL_FILE, FollowupModel, TurnCues, cues, last_user

from .run import load_gold

# Standalone questions added per written follow-up: enough to show the model full questions
# after unrelated ones without drowning the written turns. (All of them, with balanced class
# weights, scored lower on the validation follow-ups: 0.947 against 1.0.)
STANDALONE_PER_FOLLOWUP = 1.0
SEED = 11
# A standalone question merged with the old one is answered as another question, with
# confidence; a missed follow-up is at worst refused or answered broadly and asked again. So
# the threshold is chosen on validation with a false merge counted as two misses (a policy,
# from the issue's «a standalone question is never merged»), ties to the higher threshold.
FALSE_MERGE_COST = 2


def labelled(items: list[dict]) -> list[tuple[str, str, int]]:
    return [(it["question"], last_user(it["history"]) or "", int(it["depends"]))
            for it in items if it.get("history") and isinstance(it.get("depends"), bool)]


def standalone_pairs(items: list[dict], n: int, rng: random.Random) -> list[tuple[str, str, int]]:
    plain = [it for it in items if not it.get("history")]
    out = []
    for it in rng.sample(plain, min(n, len(plain))):
        other = rng.choice([o for o in plain if o.get("section") != it.get("section")] or plain)
        out.append((it["question"], other["question"], 0))
    return out


def matrix(rows):
    return np.array([cues(q, prev).vector() for q, prev, _ in rows]), np.array([y for _, _, y in rows])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bank", nargs="+", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=MODEL_FILE)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args(argv)
    if any("shared/evals" in str(p) for p in args.bank):
        raise SystemExit("dev.jsonl is held out: never fitted on")
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    rng = random.Random(SEED)
    items = load_gold(args.bank)
    part = {k: [it for it in items if it.get("split") == k] for k in ("fit", "validation", "test")}
    written = {k: labelled(v) for k, v in part.items()}
    fit_rows = written["fit"] + standalone_pairs(part["fit"], int(STANDALONE_PER_FOLLOWUP * len(written["fit"])), rng)
    X, y = matrix(fit_rows)
    scaler = StandardScaler().fit(X)
    lr = LogisticRegression(C=1.0, max_iter=5000).fit(scaler.transform(X), y)
    names = [f for f in TurnCues.__dataclass_fields__]

    # Each part's cues and probabilities once; the thresholds only compare them.
    scored = {}
    for k, rows in written.items():
        if rows:
            Xr, yr = matrix(rows)
            scored[k] = (lr.predict_proba(scaler.transform(Xr))[:, 1], yr)

    def acc(part, t):
        if part not in scored:
            return 0.0
        p, y = scored[part]
        return float(np.mean((p >= t) == y))

    def cost(part, t):
        p, y = scored[part]
        merged = p >= t
        return FALSE_MERGE_COST * int(np.sum(merged & (y == 0))) + int(np.sum(~merged & (y == 1)))

    grid = [x / 20 for x in range(2, 19)]
    t = min(grid, key=lambda g: (cost("validation", g), -g))
    report = {k: {"n": len(written[k]), "accuracy": round(acc(k, t), 3)} for k in written}
    print(f"fit rows {len(fit_rows)} ({len(written['fit'])} written); threshold {t}")
    print(json.dumps(report, ensure_ascii=False))
    print("coefficients:", {n: round(float(w), 3) for n, w in zip(names, lr.coef_[0])})
    fitted = Logistic(tuple(names), tuple(map(float, scaler.mean_)), tuple(map(float, scaler.scale_)),
                      tuple(map(float, lr.coef_[0])), float(lr.intercept_[0]))
    model = FollowupModel(fitted, t,
                          {"fitted": datetime.date.today().isoformat(), "banks": [str(p) for p in args.bank],
                           "fit_rows": len(fit_rows), "accuracy": report})
    if not args.dry_run:
        args.out.write_text(json.dumps(model.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
