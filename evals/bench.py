"""Latency benchmark (extractive mode, warm): index load time, then p50/p95 per question.

  python -m evals.bench [--gold FILE ...] [--repeat 3] [--corpus docs_corpus ../shared/real-docs]"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from assistant.settings import PROJECT_ROOT

from .run import eval_settings, load_gold


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", nargs="+", type=Path, default=[PROJECT_ROOT / "evals" / "gold_own.jsonl"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--corpus", nargs="+", type=Path, help="index these folders under .cache/ and answer from them")
    args = ap.parse_args(argv)
    from assistant.chain import PolicyAssistant

    t0 = time.perf_counter()
    a = PolicyAssistant(eval_settings(args.corpus, mode="extractive"))
    load = time.perf_counter() - t0
    items = load_gold(args.gold)
    a.ask(items[0]["question"])  # warm-up: first query pays for lazy initialisation
    times = []
    for _ in range(args.repeat):
        for it in items:
            t = time.perf_counter()
            a.ask(it["question"], it.get("history") or [])
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p95 = times[int(round(0.95 * (len(times) - 1)))]
    print(f"index load: {load:.2f} s")
    print(f"questions: {len(times)}  p50 {statistics.median(times):.1f} ms  p95 {p95:.1f} ms  max {times[-1]:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
