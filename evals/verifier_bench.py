"""How the LLM-mode verifier treats answers written the way chat models write them.

  python -m evals.verifier_bench --corpus docs_corpus ../shared/real-docs --split test

The answer sets in evals/llm_answers/ hold, for questions of the bank, the sources the chain
gives the model (sources.jsonl, from evals/llm_sources.py) and model-style answers written
against them (answers-*.jsonl): a faithful answer, and lies of seven kinds, each the faithful
answer with one sentence changed or added. Every answer is checked in both marker styles
(«……[1]。» as written, and «……。[1]» derived from it). Printed: the share of faithful answers
that reach the user unchanged, the share that fall back to the extractive answer, the share
of each kind of lie that reaches the user, and the time verification takes."""
from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from pathlib import Path

from assistant.verify import Checked, Given, verify_generated
from assistant.verify.checks import clear_caches
from assistant.verify.claims import parse, strip_marks
from assistant.verify.generated import VerifierParams

ANSWERS = Path(__file__).parent / "llm_answers"
LIES = ["figure_arabic", "figure_chinese", "polarity", "actor", "invented_new", "invented_recombined", "citation_moved"]
_BLOCK = re.compile(r"^\[(\d+)\] (.*)$", re.M)


def parse_sources(formatted: str) -> list[Given]:
    """The numbered blocks of compose.llm.format_sources back into header and text."""
    heads = list(_BLOCK.finditer(formatted))
    out = []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(formatted)
        out.append(Given(m.group(2).strip(), formatted[m.end(): end].strip()))
    return out


def after_style(text: str) -> str:
    """The same answer with each marker after the sentence's end mark («……。[1]»)."""
    return re.sub(r"((?:\[\d{1,2}\])+)([。！？；])", r"\2\1", text)


def load_set(folder: Path = ANSWERS, split: str | None = None) -> list[dict]:
    sources = {d["id"]: d for d in map(json.loads, (folder / "sources.jsonl").read_text(encoding="utf-8").splitlines())}
    items = []
    for path in sorted(folder.glob("answers-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                a = json.loads(line)
                src = sources[a["id"]]
                if split and src["split"] != split:
                    continue
                items.append({**a, "question": src["question"], "given": parse_sources(src["sources"]), "split": src["split"]})
    return items


def _norm(s: str) -> str:
    return re.sub(r"[\s*`#]", "", strip_marks(s))


def unchanged(text: str, checked: Checked) -> bool:
    return bool(checked.text) and not checked.dropped and not checked.repaired and _norm(checked.text) == _norm(text)


def lie_reached(lie: dict, checked: Checked) -> bool:
    body = _norm(parse(lie["lie"])[0].body) if parse(lie["lie"]) else _norm(lie["lie"])
    for c in checked.kept:
        if _norm(c.body) == body or (body and body in _norm(c.body)):
            if lie["kind"] == "citation_moved":
                return lie.get("true_source") not in c.marks
            return True
    return False


def evaluate(items: list[dict], known_units: frozenset[str], params: VerifierParams | None = None, show: str | None = None,
             timed: bool = True) -> dict:
    """Counts per measure: [hits, n]; and the verification times in ms (cold when `timed`; the
    fitter, which only counts, keeps the per-text caches warm across its many runs)."""
    stats: dict[str, list[int]] = {k: [0, 0] for k in ["faithful_unchanged", "faithful_fallback", *LIES]}
    times: list[float] = []
    for it in items:
        for style in (lambda t: t, after_style):
            t = style(it["faithful"])
            if timed:
                clear_caches()  # timed cold: a new answer's sources are not yet in the caches
            t0 = time.perf_counter()
            ok = verify_generated(t, it["given"], it["question"], known_units, params)
            times.append((time.perf_counter() - t0) * 1000)
            stats["faithful_unchanged"][0] += unchanged(t, ok)
            stats["faithful_unchanged"][1] += 1
            stats["faithful_fallback"][0] += not ok.text
            stats["faithful_fallback"][1] += 1
            if show == "faithful" and not unchanged(t, ok):
                print(f"[{it['id']}] {ok.dropped or ok.repaired or 'changed'}\n   {t[:300]}")
            for lie in it.get("lies", []):
                if lie["kind"] not in stats:
                    continue
                checked = verify_generated(style(lie["answer"]), it["given"], it["question"], known_units, params)
                reached = lie_reached(lie, checked)
                stats[lie["kind"]][0] += reached
                stats[lie["kind"]][1] += 1
                if show == lie["kind"] and reached and style is after_style:
                    print(f"[{it['id']}] reached: {lie['lie']}")
    return {"stats": stats, "times": times}


def replay(items: list[dict], corpus: list[Path] | None) -> dict:
    """The same answers through the whole chain: PolicyAssistant in LLM mode, the real
    ChatOpenAI client, and a server on 127.0.0.1 speaking the OpenAI protocol that replies with
    the written answer. Checks that the chain gives the model the sources the answers were
    written against and that what the user sees matches the direct measurement."""
    from assistant.chain import PolicyAssistant
    from assistant.compose.llm import given
    from tests.llm_server import ScriptedOpenAI

    from .run import eval_settings

    stats: dict[str, list[int]] = {k: [0, 0] for k in ["same_sources", "faithful_unchanged", *LIES[:-1]]}
    with ScriptedOpenAI() as server:
        a = PolicyAssistant(eval_settings(corpus, mode="llm", llm_base_url=server.url, llm_model="replay"))
        for it in items:
            same = [(g.header, g.text) for g in given(a.sources(it["question"], it.get("history") or []))] == [(g.header, g.text) for g in it["given"]]
            stats["same_sources"][0] += same
            stats["same_sources"][1] += 1
            if not same:
                continue
            for style in (lambda t: t, after_style):
                server.script.append({"content": style(it["faithful"])})
                ans = a.ask(it["question"], it.get("history") or [])
                stats["faithful_unchanged"][0] += ans.mode == "llm" and not ans.notice and _norm(ans.answer) == _norm(style(it["faithful"]))
                stats["faithful_unchanged"][1] += 1
                for lie in it.get("lies", []):
                    if lie["kind"] not in stats:
                        continue
                    server.script.append({"content": style(lie["answer"])})
                    ans = a.ask(it["question"], it.get("history") or [])
                    body = _norm(parse(lie["lie"])[0].body) if parse(lie["lie"]) else _norm(lie["lie"])
                    stats[lie["kind"]][0] += ans.mode == "llm" and body in _norm(ans.answer)
                    stats[lie["kind"]][1] += 1
    return stats


def known_units_of(corpus: list[Path] | None) -> frozenset[str]:
    from assistant.store import IndexStore

    from .run import eval_settings

    from assistant.zh import add_words

    snap = IndexStore(eval_settings(corpus)).load()
    units = frozenset(u for c in snap.clauses.values() for u in c.responsible_units)
    add_words(units)  # as the assistant does when it loads: unit names are words
    return units


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", nargs="+", type=Path, help="the indexed folders (for the known responsible units)")
    ap.add_argument("--split", choices=["fit", "validation", "test"], help="one part of the answer sets (default: all)")
    ap.add_argument("--answers", type=Path, default=ANSWERS)
    ap.add_argument("--show", help="print the misses of one measure: faithful or a kind of lie")
    ap.add_argument("--replay", action="store_true", help="also send every answer through the chain and a real OpenAI-protocol server")
    args = ap.parse_args(argv)
    items = load_set(args.answers, args.split)
    res = evaluate(items, known_units_of(args.corpus), show=args.show)
    print(f"answer sets: {len(items)} questions ({args.split or 'all parts'}), each in both marker styles")
    print("| measure | n | share |\n|---|---|---|")
    for k, (hit, n) in res["stats"].items():
        label = k if k.startswith("faithful") else f"lie reached: {k}"
        print(f"| {label} | {n} | {hit / n:.3f} |" if n else f"| {label} | 0 | – |")
    t = sorted(res["times"])
    print(f"verification per answer: mean {statistics.mean(t):.1f} ms, p95 {t[int(0.95 * (len(t) - 1))]:.1f} ms")
    if args.replay:
        print("\nreplayed through the chain and an OpenAI-protocol server on 127.0.0.1:\n| measure | n | share |\n|---|---|---|")
        for k, (hit, n) in replay(items, args.corpus).items():
            print(f"| {k if k.startswith(('faithful', 'same')) else 'lie reached: ' + k} | {n} | {hit / n:.3f} |" if n else f"| {k} | 0 | – |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
