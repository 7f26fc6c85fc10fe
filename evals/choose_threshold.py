"""Choose the gate's operating point on what the whole pipeline answers, vetoes included.

  python -m evals.choose_threshold --bank evals/bank/*.jsonl --corpus docs_corpus ../shared/real-docs [--write]

evals/fit_answerability.py chooses the threshold from the gate's probabilities alone. Since then,
vetoes after the gate (assistant/compose/vetoes.py) refuse some questions the gate lets through,
so a lower threshold costs fewer wrong answers than the fitter assumed. This script answers the
bank's fit and validation parts with the real chain at each threshold of a grid and applies the
fitter's own rule (fit_answerability.choose_threshold: the threshold whose worse class comes
closest to its target, min(answered right / 0.85, refused / 0.90); ties to the higher) to the
two parts pooled. The test part is never read. With --write the chosen value replaces the
threshold in assistant/data/answerability.json, with a note."""
from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from assistant.answerability import MODEL_FILE

from .fit_answerability import ANSWER_TARGET, REFUSE_TARGET
from .run import eval_settings, load_gold, run_system

# Thresholds tried: around the fitter's choice, a hundredth apart (a question's gate p moves
# the bank's pass by ~0.001 per question, so finer steps only chase single questions).
GRID = tuple(round(0.40 + 0.01 * i, 2) for i in range(16))


def decisions(rows: list[dict]) -> dict:
    """Answered right (of the answerable: found, and its first citation the gold clause) and
    refused (of the near-misses), with the counts they come from."""
    ans = [r for r in rows if r["answerable"]]
    un = [r for r in rows if not r["answerable"]]
    right = sum(1 for r in ans if r["answer"]["found"] and r["citation@1"])
    refused = sum(1 for r in un if not r["answer"]["found"])
    return {"answered_right": right / max(len(ans), 1), "refused": refused / max(len(un), 1),
            "pass": sum(r["pass"] for r in rows) / max(len(rows), 1), "n": len(rows)}


def closeness(d: dict) -> float:
    return min(d["answered_right"] / ANSWER_TARGET, d["refused"] / REFUSE_TARGET)


def choose(table: dict[float, dict]) -> float:
    return max(table, key=lambda t: (round(closeness(table[t]), 4), t))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bank", nargs="+", type=Path, required=True)
    ap.add_argument("--corpus", nargs="+", type=Path)
    ap.add_argument("--write", action="store_true", help="store the chosen threshold in the model file")
    args = ap.parse_args(argv)
    if any("shared/evals" in str(p) for p in args.bank):
        raise SystemExit("dev.jsonl is held out: never fitted on")
    items = [it for it in load_gold(args.bank, as_one="bank") if it.get("split") in ("fit", "validation")]
    from assistant.chain import PolicyAssistant

    assistant = PolicyAssistant(eval_settings(args.corpus))
    base = assistant.model
    table: dict[float, dict] = {}
    print("| threshold | fit pass | validation pass | answered right | refused | closeness |\n|---|---|---|---|---|---|")
    for t in sorted(set(GRID) | {round(base.threshold, 4)}):
        assistant.model = dataclasses.replace(base, threshold=t)
        rows = run_system(lambda it: assistant.ask(it["question"], it.get("history") or []).to_json(), items)
        both = decisions(rows)  # each row carries its item's «answerable» (evals.metrics.score)
        parts = {p: decisions([r for r, it in zip(rows, items) if it["split"] == p]) for p in ("fit", "validation")}
        table[t] = both
        print(f"| {t} | {parts['fit']['pass']:.3f} | {parts['validation']['pass']:.3f} | {both['answered_right']:.3f} | "
              f"{both['refused']:.3f} | {closeness(both):.3f} |")
    chosen = choose(table)
    print(f"chosen threshold {chosen} (was {base.threshold})")
    if args.write:
        model = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
        model["threshold"] = chosen
        model["info"]["operating_point_pipeline"] = (
            f"{chosen}: re-chosen by evals/choose_threshold.py on the chain's answers (vetoes after the gate included) "
            f"for the bank's fit and validation parts pooled, by the fitter's rule; the fitter had chosen {base.threshold}")
        MODEL_FILE.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
