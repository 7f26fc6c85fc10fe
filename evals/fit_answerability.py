"""Fit the answerability model on the fit part of the question banks; choose its operating
points on the validation part and the fit part scored out of fold; report ROC/PR and the
decision on the test part.

  python -m evals.fit_answerability --bank evals/bank/*.jsonl evals/gold_realdocs.jsonl \
      --corpus docs_corpus ../shared/real-docs [--dry-run]

Rows are (question, candidate clause) pairs: the composer's first candidates for every bank
question, labelled 1 when the candidate is a clause the question's gold answer names. The
question-level decision is "answer with the most probable candidate if p ≥ threshold".
../shared/evals/dev.jsonl is never read here. Writes assistant/data/answerability.json and
reports/answerability.png."""
from __future__ import annotations

import argparse
import datetime
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.answerability import FEATURES, GATE_EXTRA, MODEL_FILE, SENTENCE_FEATURES, Logistic, Model, Signals

from .metrics import clause_ok, doc_ok, hit_cite, norm
from .run import eval_settings, load_gold

# In LLM mode the offline gate only stops clear misses: it lets through this share of the
# validation questions whose best candidate is right.
LLM_PASS_SHARE = 0.98
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # inverse regularisation strengths tried


def correct(item: dict, hit) -> bool:
    """Whether a retrieved clause is one the item's gold answer names."""
    exp = item.get("expect") or {}
    if not item.get("answerable", True) or not exp:
        return False
    cite = hit_cite(hit)
    return doc_ok(cite, exp.get("doc_any") or []) and clause_ok(cite, exp.get("clause_any") or [])


def collect(assistant, items: list[dict]) -> list[dict]:
    """Per question: its candidates' signals and labels (nothing when it is out of scope)."""
    out = []
    for it in items:
        state = assistant.trace(it["question"], it.get("history") or [])
        cands = assistant.candidates(state)
        out.append({
            "id": it["id"], "split": it.get("split"), "kind": it.get("kind"), "answerable": it.get("answerable", True),
            "section": it.get("section") or it["id"],
            "x": [c.signals.vector() for c in cands], "y": [int(correct(it, c.hit)) for c in cands],
        })
    return out


def collect_sentences(assistant, items: list[dict]) -> dict[str, list]:
    """Per split: (sentence signals, label) for the sentences of each question's gold clause
    among its candidates; a sentence is right when it holds every expected fact."""
    from assistant.compose.extractive import key_terms, sentence_signals, turn_terms_of
    from assistant.zh import split_sentences

    out: dict[str, list] = {"fit": [], "validation": [], "test": []}
    for it in items:
        facts = [norm(f) for f in (it.get("expect") or {}).get("facts_all") or []]
        if not it.get("answerable", True) or not facts:
            continue
        state = assistant.trace(it["question"], it.get("history") or [])
        gold = next((c for c in assistant.candidates(state) if correct(it, c.hit)), None)
        if gold is None:
            continue
        h = gold.hit
        sents = [r for r in h.text.split("\n") if r.strip()] if h.clause.kind == "table" else split_sentences(h.text)
        labels = [int(all(f in norm(x) for f in facts)) for x in sents]
        if not any(labels) or all(labels):
            continue  # nothing to choose between
        terms = key_terms(state.info.text, assistant.retriever.idf_of)
        sig = sentence_signals(sents, terms, state.info, h.clause.clause_path[-1] if h.clause.clause_path else "", h.sentence_sims,
                               turn_terms_of(state.info, assistant.retriever.idf_of))
        out[it["split"]].append(([x.vector() for x in sig], labels))
    return out


def fit_sentence_model(assistant, items) -> Logistic:
    rows = collect_sentences(assistant, items)

    def flat(part):
        return np.array([x for xs, _ in rows[part] for x in xs]), np.array([y for _, ys in rows[part] for y in ys])

    lr, _ = fit_lr(*flat("fit"), *flat("validation"), SENTENCE_FEATURES, "sentence")
    for part in ("validation", "test"):
        right = sum(ys[max(range(len(xs)), key=lambda i: lr.probability(dict(zip(SENTENCE_FEATURES, xs[i]))))]
                    for xs, ys in rows[part])
        base = sum(ys[max(range(len(xs)), key=lambda i: xs[i][0] - 0.3 * xs[i][6])] for xs, ys in rows[part])
        print(f"sentence choice on {part}: fitted {right}/{len(rows[part])}, by word coverage {base}/{len(rows[part])}")
    return lr


def fit_lr(X: np.ndarray, y: np.ndarray, Xv: np.ndarray, yv: np.ndarray, names, label: str,
           grid=C_GRID) -> tuple[Logistic, float]:
    """A logistic regression whose regularisation is chosen by validation log-loss (over `grid`),
    and that regularisation."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    best = None
    for c in grid:
        scaler = StandardScaler().fit(X)
        lr = LogisticRegression(C=c, max_iter=5000).fit(scaler.transform(X), y)
        p = np.clip(lr.predict_proba(scaler.transform(Xv))[:, 1], 1e-6, 1 - 1e-6)
        loss = float(-np.mean(yv * np.log(p) + (1 - yv) * np.log(1 - p)))
        if best is None or loss < best[0]:
            best = (loss, c, scaler, lr)
    loss, c, scaler, lr = best
    if label:
        print(f"{label}: C={c}, validation log-loss {loss:.4f}")
    return Logistic(tuple(names), tuple(map(float, scaler.mean_)), tuple(map(float, scaler.scale_)),
                    tuple(map(float, lr.coef_[0])), float(lr.intercept_[0])), c


# The fit part's questions are scored out of fold, in this many groups of whole sections, to
# choose the operating point on them and the validation part together: the validation part
# alone (~290 questions) moved the threshold between refits of near-identical models by 0.05,
# which moved the bank's validation pass by three points.
OOF_FOLDS = 5


def out_of_fold_scores(fit_rows: list[dict], validation_rows: list[dict], c_rank: float, c_gate: float) -> list[tuple[float, bool, bool]]:
    """(gate p, best candidate right, answerable) for each fit question, from a ranker and gate
    fitted without its section, with the regularisation the full fit chose (c_rank, c_gate)."""
    from sklearn.model_selection import GroupKFold

    out = []
    groups = [r["section"] for r in fit_rows]
    Xv, yv = candidate_matrix(validation_rows)
    for train, held in GroupKFold(OOF_FOLDS).split(fit_rows, groups=groups):
        part = [fit_rows[i] for i in train]
        X, y = candidate_matrix(part)
        rank, _ = fit_lr(X, y, Xv, yv, FEATURES, "", grid=(c_rank,))
        gX, gy = gate_rows(part, rank)
        gXv, gyv = gate_rows(validation_rows, rank)
        gate, _ = fit_lr(gX, gy, gXv, gyv, GATE_EXTRA + FEATURES, "", grid=(c_gate,))
        out += question_scores([fit_rows[i] for i in held], Model(rank, gate, 0.5, 0.0, {}))
    return out


def candidate_matrix(rows: list[dict]):
    return np.array([x for r in rows for x in r["x"]]), np.array([v for r in rows for v in r["y"]])


def _best(r: dict, rank: Logistic) -> tuple[int, float, float]:
    p = [rank.probability(dict(zip(FEATURES, x))) for x in r["x"]]
    order = sorted(range(len(p)), key=lambda i: -p[i])
    return order[0], p[order[0]], (p[order[1]] if len(order) > 1 else 0.0)


def gate_rows(rows: list[dict], rank: Logistic):
    """Per question the ranker's best candidate: the gate's inputs, and whether the question
    is answered right by it (answerable, and that candidate is a gold clause)."""
    X, y = [], []
    for r in rows:
        if r["x"]:
            i, p, second = _best(r, rank)
            X.append([p, p - second, *r["x"][i]])
            y.append(int(r["answerable"] and r["y"][i]))
    return np.array(X), np.array(y)


def question_scores(rows: list[dict], model: Model) -> list[tuple[float, bool, bool]]:
    """(gate p, the best candidate is right, answerable) per question; out of scope → p 0."""
    out = []
    for r in rows:
        if not r["x"]:
            out.append((0.0, False, r["answerable"]))
            continue
        i, p, second = _best(r, model.rank)
        out.append((model.answer_probability(Signals(*r["x"][i]), p, second), bool(r["y"][i]), r["answerable"]))
    return out


def decide(qs, t: float) -> dict:
    ans = [q for q in qs if q[2]]
    un = [q for q in qs if not q[2]]
    right = sum(1 for p, ok, _ in ans if p >= t and ok)
    refused = sum(1 for p, _, _ in un if p < t)
    answered = sum(1 for p, _, _ in qs if p >= t)
    return {
        "threshold": round(t, 4), "answered_right": round(right / max(len(ans), 1), 3),
        "refused_unanswerable": round(refused / max(len(un), 1), 3), "accuracy": round((right + refused) / max(len(qs), 1), 3),
        "precision": round(right / answered, 3) if answered else 0.0, "n": len(qs), "answerable": len(ans), "unanswerable": len(un),
    }


# The product's targets for the bank (issue 11): answerable questions answered from the right
# clause, and near-misses refused. The operating point is the one that comes closest to both.
ANSWER_TARGET = 0.85
REFUSE_TARGET = 0.90


def choose_threshold(qs) -> float:
    """The operating point: the validation threshold whose worse class is closest to its target
    — max over t of min(answered right / ANSWER_TARGET, refused / REFUSE_TARGET). Not plain
    accuracy: how many near-misses a bank holds is an artefact of how it was written, and plain
    accuracy then trades refusals for answers (at the 2026-12-04 refit it refused 0.76 of the
    validation near-misses). Ties go to the higher threshold (refusing is the safer error)."""
    grid = sorted({round(p, 4) for p, _, _ in qs} | {0.5})

    def closeness(t: float) -> float:
        d = decide(qs, t)
        return min(d["answered_right"] / ANSWER_TARGET, d["refused_unanswerable"] / REFUSE_TARGET)

    return max(grid, key=lambda t: (closeness(t), t))


def llm_threshold(qs) -> float:
    good = sorted(p for p, ok, a in qs if a and ok)
    return float(good[int((1 - LLM_PASS_SHARE) * len(good))]) if good else 0.0


def curves(qs, path: Path) -> dict:
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

    y = np.array([int(a and ok) for _, ok, a in qs])
    s = np.array([p for p, _, _ in qs])
    if len(set(y)) < 2:
        return {}
    out = {"roc_auc": round(float(roc_auc_score(y, s)), 3), "average_precision": round(float(average_precision_score(y, s)), 3)}
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fpr, tpr, _ = roc_curve(y, s)
    prec, rec, _ = precision_recall_curve(y, s)
    fig, ax = plt.subplots(1, 2, figsize=(9, 4))
    ax[0].plot(fpr, tpr)
    ax[0].set(title=f"ROC (AUC {out['roc_auc']:.3f})", xlabel="false positive rate", ylabel="true positive rate")
    ax[1].plot(rec, prec)
    ax[1].set(title=f"PR (AP {out['average_precision']:.3f})", xlabel="recall", ylabel="precision")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bank", nargs="+", type=Path, required=True)
    ap.add_argument("--corpus", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, default=MODEL_FILE)
    ap.add_argument("--dry-run", action="store_true", help="report only; do not write the model")
    args = ap.parse_args(argv)
    if any("shared/evals" in str(p) for p in args.bank):
        raise SystemExit("dev.jsonl is held out: never fitted on")
    items = load_gold(args.bank)
    if any(not it.get("split") for it in items):
        raise SystemExit("every bank item needs a split: run python -m evals.split_bank first")
    from assistant.chain import PolicyAssistant

    assistant = PolicyAssistant(eval_settings(args.corpus))
    sentence = fit_sentence_model(assistant, items)
    assistant.model = replace(assistant.model, sentence=sentence)  # candidates now quote by it
    rows = collect(assistant, items)
    part = {k: [r for r in rows if r["split"] == k] for k in ("fit", "validation", "test")}
    n_rows = {k: sum(len(r["y"]) for r in v) for k, v in part.items()}
    print("candidate rows:", n_rows, "positives:", {k: sum(sum(r["y"]) for r in v) for k, v in part.items()})
    X, y = candidate_matrix(part["fit"])
    Xv, yv = candidate_matrix(part["validation"])
    rank, c_rank = fit_lr(X, y, Xv, yv, FEATURES, "ranker")
    gX, gy = gate_rows(part["fit"], rank)
    gXv, gyv = gate_rows(part["validation"], rank)
    gate, c_gate = fit_lr(gX, gy, gXv, gyv, GATE_EXTRA + FEATURES, "gate")
    draft = Model(rank, gate, 0.5, 0.0, {})
    qs = {k: question_scores(v, draft) for k, v in part.items()}
    t = choose_threshold(qs["validation"] + out_of_fold_scores(part["fit"], part["validation"], c_rank, c_gate))
    t_llm = min(llm_threshold(qs["validation"]), t)
    test = decide(qs["test"], t)
    report = {
        "validation": decide(qs["validation"], t), "test": test,
        "validation_answer_everything": decide(qs["validation"], 0.0),
        "test_answer_everything": decide(qs["test"], 0.0),
        "test_refusing_90pct_of_validation_unanswerable": decide(qs["test"], min(
            [x for x in sorted({p for p, _, _ in qs["validation"]}) if decide(qs["validation"], x)["refused_unanswerable"] >= 0.9] or [1.0])),
        "test_curves": curves(qs["test"], Path("reports") / "answerability.png"),
        "llm_gate_test": decide(qs["test"], t_llm),
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))
    for name, lr in (("ranker", rank), ("gate", gate)):
        print(f"{name} coefficients (standardised):", {f: round(w, 3) for f, w in zip(lr.features, lr.coef)})
    info = {
        "fitted": datetime.date.today().isoformat(), "embedder": assistant.snap.state.get("embedder"),
        "banks": [str(p) for p in args.bank], "rows": n_rows,
        "operating_point": "the threshold closest to both targets, max of min(answered right / 0.85, refused / 0.90), "
                           "over the validation part and the fit part scored out of fold",
        "llm_threshold": f"lets through {LLM_PASS_SHARE:.0%} of validation questions whose best candidate is right",
        "test": test, "test_curves": report["test_curves"],
    }
    if not args.dry_run:
        args.out.write_text(json.dumps(Model(rank, gate, t, t_llm, info, sentence).to_json(), ensure_ascii=False, indent=1) + "\n",
                            encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
