"""Many staff at once: the page served by a real process, asked by N clients together.

  python -m evals.concurrency --corpus docs_corpus --clients 20 --rounds 5 [--think 2]

Each client sends questions of the gold sets through the page's HTTP API (gradio_client, as
any integration would) and checks that the answer it gets is the one for its own question.
Printed: single-client p50/p95, then the same under N concurrent clients, errors and wrong
answers. --think S: each client waits a random 0.5·S–1.5·S seconds between its questions, as a
person reading the answer does (0: back to back, a stress test). Every client comes from
127.0.0.1, so the page's per-address pacing is switched off here."""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from assistant.settings import PROJECT_ROOT

from .run import eval_settings, load_gold


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_page(settings) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "POLICY_DATA_DIR": str(settings.data_dir), "POLICY_EMBED_CACHE": str(settings.embed_cache_path),
           "GRADIO_ANALYTICS_ENABLED": "False", "POLICY_MODE": "extractive",
           "POLICY_RATE_PER_MINUTE": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)], cwd=PROJECT_ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(240):
        try:
            if urllib.request.urlopen(url, timeout=2).status == 200:
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the page did not start")


def _p(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * (len(xs) - 1) + 0.5))]


def run_clients(url: str, questions: list[str], expected: dict[str, str], clients: int, rounds: int,
                think: float = 0.0) -> dict:
    import random

    from gradio_client import Client

    times: list[float] = []
    errors, wrong = [], []
    lock = threading.Lock()

    def worker(k: int) -> None:
        c = Client(url, verbose=False)
        rng = random.Random(k)
        for r in range(rounds):
            if think:
                time.sleep(rng.uniform(0.5 * think, 1.5 * think))
            q = questions[(k * rounds + r) % len(questions)]
            t0 = time.perf_counter()
            try:
                text = c.predict(q, api_name="/ask")
            except Exception as e:  # any failure counts; the kind is printed
                with lock:
                    errors.append(type(e).__name__)
                continue
            with lock:
                times.append((time.perf_counter() - t0) * 1000)
                if text != expected[q]:
                    wrong.append(q)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"n": len(times), "p50": _p(times, 0.5), "p95": _p(times, 0.95), "errors": errors, "wrong": wrong, "wall": wall}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", nargs="+", type=Path, default=[PROJECT_ROOT / "docs_corpus"])
    ap.add_argument("--gold", nargs="+", type=Path, default=[Path("../shared/evals/dev.jsonl")])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--think", type=float, default=0.0, help="mean seconds a client waits between questions")
    args = ap.parse_args(argv)
    settings = eval_settings(args.corpus)
    questions = list(dict.fromkeys(d["question"] for d in load_gold(args.gold) if not d.get("history")))
    proc, url = start_page(settings)
    try:
        from gradio_client import Client

        c = Client(url, verbose=False)
        expected = {q: c.predict(q, api_name="/ask") for q in questions}  # one client alone, as reference
        single = run_clients(url, questions, expected, 1, len(questions))
        many = run_clients(url, questions, expected, args.clients, args.rounds, args.think)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"think time between a client's questions: {args.think:g} s (0: back to back)")
    print(f"| clients | answers | p50 ms | p95 ms | errors | answer not the one for the question | wall s |\n|---|---|---|---|---|---|---|")
    for label, r in (("1", single), (str(args.clients), many)):
        print(f"| {label} | {r['n']} | {r['p50']:.0f} | {r['p95']:.0f} | {len(r['errors'])} | {len(r['wrong'])} | {r['wall']:.1f} |")
    print(f"p95 under {args.clients} clients / single-client p95: {many['p95'] / single['p95']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
