"""How well the LLM-mode verifier catches corrupted answers, and how often it flags faithful ones.

  python -m evals.verifier_bench --gold ../shared/evals/dev.jsonl evals/gold_own.jsonl

From each answerable gold question: the sources the LLM would be given (top hits), a faithful
answer (the cited sentences with their correct [n]), and three corruptions: a figure changed
to one the cited source does not contain, the citation swapped to another given source, and a
citation to a source that was not given. A corruption is caught when verify_generated drops it."""
from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from assistant.chain import LLM_SOURCES, PolicyAssistant
from assistant.settings import Settings
from assistant.verify import grounding, numbers, verify_generated

from .run import load_gold

_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def mark(quote: str, k: int) -> str:
    """A faithful model marks every sentence of its answer with the source it comes from."""
    sents = [x for x in re.split(r"(?<=[。！？])|\n", quote) if x and x.strip()]
    return "".join(x.rstrip("。；") + f"[{k + 1}]。" for x in sents)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", nargs="+", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--show", action="store_true", help="print the faithful sentences that were flagged")
    args = ap.parse_args(argv)
    rnd = random.Random(args.seed)
    a = PolicyAssistant(Settings.from_env().with_overrides(mode="extractive"))
    stats = {k: [0, 0] for k in ("faithful_flagged", "figure", "swap", "foreign", "swap_to_same_text")}
    for item in load_gold(args.gold):
        if not item.get("answerable", True):
            continue
        s = a._retrieve(a._condense({"question": item["question"], "history": item.get("history") or []}))
        hits = s["hits"][:LLM_SOURCES]
        texts = [h.text for h in hits]
        ans = a.ask(item["question"], item.get("history") or [])
        if not ans.found:
            continue
        for cite in ans.citations:
            k = next((i for i, h in enumerate(hits) if h.clause.clause_id == cite.clause_id), None)
            if k is None:
                continue
            claim = mark(cite.quote, k)
            ok = verify_generated(claim, texts)
            stats["faithful_flagged"][0] += bool(ok.dropped)
            if ok.dropped and args.show:
                print("flagged:", ok.dropped[0][:160])
            stats["faithful_flagged"][1] += 1
            figures = [m for m in _DIGITS.finditer(cite.quote)]
            if figures:
                m = rnd.choice(figures)
                v = float(m.group())
                new = m.group()
                for bump in (7, 13, 1.5, 3):
                    cand = str(int(v + bump)) if float(v).is_integer() else f"{v * bump:.2f}"
                    if cand not in numbers(texts[k]):
                        new = cand
                        break
                bad = mark(cite.quote[: m.start()] + new + cite.quote[m.end():], k)
                stats["figure"][0] += bool(verify_generated(bad, texts).dropped)
                stats["figure"][1] += 1
            others = [j for j in range(len(hits)) if j != k]
            if others:
                j = rnd.choice(others)
                swapped = claim.replace(f"[{k + 1}]", f"[{j + 1}]")
                caught = bool(verify_generated(swapped, texts).dropped)
                # A swap onto a source that says the same thing (a city plan repeating the
                # provincial sentence) is not a wrong citation; count those apart.
                same = grounding(cite.quote, texts[j]) >= 0.9 and numbers(cite.quote) <= numbers(texts[j])
                key = "swap_to_same_text" if same else "swap"
                stats[key][0] += caught
                stats[key][1] += 1
            foreign = claim.replace(f"[{k + 1}]", f"[{len(hits) + 2}]")
            stats["foreign"][0] += bool(verify_generated(foreign, texts).dropped)
            stats["foreign"][1] += 1
    caught = sum(stats[k][0] for k in ("figure", "swap", "foreign"))
    total = sum(stats[k][1] for k in ("figure", "swap", "foreign"))
    for k, (n, d) in stats.items():
        print(f"{k:18s} {n}/{d} = {n / d if d else 0:.3f}")
    print(f"corrupted caught overall {caught}/{total} = {caught / total:.3f}")
    f, d = stats["faithful_flagged"]
    print(f"faithful wrongly flagged {f}/{d} = {f / d:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
