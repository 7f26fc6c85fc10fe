"""Eval runner: scores the assistant (and a naive baseline) on gold JSONL files.

  python -m evals.run --gold ../shared/evals/dev.jsonl evals/gold_own.jsonl [--no-baseline]
  python -m evals.run --gold evals/gold_realdocs.jsonl --corpus docs_corpus ../shared/real-docs --no-baseline

Prints per-kind and overall figures; writes a markdown report and a chart to reports/."""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from assistant.settings import PROJECT_ROOT, Settings

from .metrics import score

METRICS = ["found_ok", "doc@1", "citation@1", "citation@3", "units_recall", "facts", "refused_ok", "pass"]


def load_gold(paths: list[Path], split: str | None = None, as_one: str | None = None) -> list[dict]:
    """Gold items; with `split`, only that part of a split bank (items without one are kept:
    a set that was never fitted on has no parts)."""
    items = []
    for p in paths:
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                d["_set"] = as_one or p.stem
                if split and d.get("split", split) != split:
                    continue
                items.append(d)
    return items


def eval_settings(corpus: list[Path] | None, **overrides) -> Settings:
    """Settings for an eval: with `corpus`, an index of those folders under .cache/ (built or
    brought up to date here) instead of the configured data folder."""
    settings = Settings.from_env().with_overrides(**overrides)
    if corpus:
        from ingest.index import ingest_paths

        key = "-".join(sorted(p.resolve().name for p in corpus))
        settings = settings.with_overrides(data_dir=PROJECT_ROOT / ".cache" / f"eval-index-{key}")
        indexed = ingest_paths(list(corpus), settings, show_progress=False)
        print(f"indexed {', '.join(map(str, corpus))}: {len(indexed.errors)} errors", file=sys.stderr)
    return settings


def followup_accuracy(assistant, items: list[dict]) -> None:
    """How often the follow-up decision (depends on the history or stands alone) is right."""
    from assistant.followup import depends_on_history

    labelled = [it for it in items if it.get("history") and isinstance(it.get("depends"), bool)]
    if labelled:
        ok = sum(depends_on_history(it["question"], it["history"]) == it["depends"] for it in labelled)
        print(f"follow-up decision accuracy: {ok / len(labelled):.3f} ({ok}/{len(labelled)})")


def run_system(answer_fn, items: list[dict]) -> list[dict]:
    rows = []
    for it in items:
        t0 = time.perf_counter()
        ans = answer_fn(it)
        ms = (time.perf_counter() - t0) * 1000
        rows.append({"id": it["id"], "set": it["_set"], "kind": it.get("kind", "?"), "ms": ms, "answer": ans, **score(it, ans)})
    return rows


def summarize(rows: list[dict]) -> dict:
    out = {}
    for m in METRICS:
        vals = [r[m] for r in rows if m in r and r[m] is not None]
        out[m] = (sum(vals) / len(vals), len(vals)) if vals else (None, 0)
    ms = sorted(r["ms"] for r in rows)
    out["p50_ms"] = statistics.median(ms) if ms else None
    out["p95_ms"] = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))] if ms else None
    out["n"] = len(rows)
    return out


def fmt(v) -> str:
    if isinstance(v, tuple):
        return "–" if v[0] is None else f"{v[0]:.3f} ({v[1]})"
    return "–" if v is None else f"{v:.1f}"


def table(title: str, groups: dict[str, dict]) -> str:
    cols = METRICS + ["p50_ms", "p95_ms"]
    lines = [f"### {title}", "", "| group | n | " + " | ".join(cols) + " |", "|---" * (len(cols) + 2) + "|"]
    for g, s in groups.items():
        lines.append(f"| {g} | {s['n']} | " + " | ".join(fmt(s[c]) for c in cols) + " |")
    return "\n".join(lines)


def report(name: str, rows: list[dict]) -> tuple[str, dict]:
    by = defaultdict(list)
    for r in rows:
        by[f"{r['set']}/{r['kind']}"].append(r)
    groups = {k: summarize(v) for k, v in sorted(by.items())}
    sets = defaultdict(list)
    for r in rows:
        sets[r["set"]].append(r)
    for k, v in sets.items():
        groups[f"**{k} overall**"] = summarize(v)
    return table(name, groups), {k: summarize(v) for k, v in sets.items()}


def chart(path: Path, systems: dict[str, dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = ["doc@1", "citation@1", "citation@3", "facts", "refused_ok", "pass"]
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / max(1, len(systems))
    for i, (name, s) in enumerate(systems.items()):
        vals = [s[m][0] or 0 for m in metrics]
        ax.bar([j + i * width for j in range(len(metrics))], vals, width, label=name)
    ax.set_xticks([j + width * (len(systems) - 1) / 2 for j in range(len(metrics))], metrics)
    ax.set_ylim(0, 1.05)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, fontsize=8)
    ax.set_title("clause-aware hybrid vs naive baseline")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", nargs="+", type=Path, required=True)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports")
    ap.add_argument("--mode", choices=["extractive", "llm", "auto"], default=None,
                    help="answer mode (default: POLICY_MODE / auto); llm needs LLM_BASE_URL and LLM_MODEL")
    ap.add_argument("--show-failures", action="store_true")
    ap.add_argument("--split", choices=["fit", "validation", "test"], help="only this part of split banks")
    ap.add_argument("--as-one", metavar="NAME", help="report the gold files as one set (e.g. the bank's parts)")
    ap.add_argument("--corpus", nargs="+", type=Path,
                    help="index these folders/files (into .cache/eval-index) and answer from them, "
                         "e.g. --corpus docs_corpus ../shared/real-docs")
    args = ap.parse_args(argv)
    settings = eval_settings(args.corpus, mode=args.mode)
    items = load_gold(args.gold, args.split, args.as_one)

    from assistant.chain import PolicyAssistant

    t0 = time.perf_counter()
    assistant = PolicyAssistant(settings)
    load_s = time.perf_counter() - t0
    assistant.ask(items[0]["question"])  # warm-up: models and caches load outside the timings
    rows = run_system(lambda it: assistant.ask(it["question"], it.get("history") or []).to_json(), items)
    followup_accuracy(assistant, items)
    md, sys_sets = report(f"clause-aware hybrid ({settings.answer_mode})", rows)
    parts = [f"# Eval report\n\nindex load: {load_s:.2f} s; gold: {', '.join(str(p) for p in args.gold)}\n", md]
    print(md)
    print(f"\nindex load {load_s:.2f} s")
    systems = {}
    for k, s in sys_sets.items():
        systems[f"hybrid/{k}"] = s
    if not args.no_baseline:
        from .baseline import NaiveBaseline

        base = NaiveBaseline(settings)
        brows = run_system(lambda it: base.ask(it["question"]), items)
        bmd, b_sets = report("naive baseline (250-char chunks, dense top-3)", brows)
        parts.append(bmd)
        print("\n" + bmd)
        for k, s in b_sets.items():
            systems[f"baseline/{k}"] = s
    if args.show_failures:
        for r in rows:
            if not r["pass"]:
                print(f"FAIL {r['id']} {r['kind']}: {json.dumps({k: r[k] for k in r if k in METRICS}, ensure_ascii=False)}")
                print("   ", r["answer"]["answer"][:160].replace("\n", " "))
                for c in r["answer"]["citations"][:2]:
                    print("    ->", c["doc_number"] or c["doc_title"][:20], " › ".join(c["clause_path"])[:60])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "eval.md").write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    chart(args.out / "eval.png", systems)
    with open(args.out / "eval_answers.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"\nreport: {args.out / 'eval.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
