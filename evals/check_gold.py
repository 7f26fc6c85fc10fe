"""Check a gold question bank against the source documents it was written from.

  python -m evals.check_gold evals/gold_realdocs.jsonl --docs /work/shared/real-docs

Stdlib only. For every item: the required fields, a known kind and split, unique ids, and no
section shared by two splits. For every answerable item, against the file named by "doc"
(HTML tags stripped for .html; comparisons after NFKC and whitespace removal, as evals/metrics.py
does):
  - each facts_all string occurs in the text, and all of them occur together in one sentence
    (a sentence ends at 。！？；);
  - each clause_any label's number (第X条, (三), 5., 一、, 附件/附表, 专栏2) starts a line, and when
    the label carries heading text after the number ("(二)加强"), some line starts with the whole
    label;
  - each units_all string occurs in the text;
  - at least one doc_any string occurs in the text (〔〕 and [] treated alike).
Prints a summary (counts per document, kind and split) and exits 1 on any problem.
"""
from __future__ import annotations

import argparse
import html
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

KINDS = {"lookup", "eligibility", "units", "figure", "paraphrase", "refuse", "followup"}
SPLITS = {"fit", "validation", "test"}
REQUIRED = ("id", "kind", "question", "answerable", "expect", "doc", "section", "split")
EXPECT_KEYS = ("doc_any", "clause_any", "units_all", "facts_all")

CN = "一二三四五六七八九十百零"
_BLOCK = re.compile(r"(?i)</?(?:p|div|br|tr|li|h\d|table|tbody|thead)\b[^>]*>")
_SENT_END = re.compile(r"(?<=[。！？；!?;])")
_LABEL_NUM = [
    re.compile(rf"^第[{CN}]+[条章节]"),
    re.compile(rf"^\([{CN}]+\)"),
    re.compile(r"^\d{1,3}\."),
    re.compile(rf"^[{CN}]+、"),
    re.compile(r"^专栏\d*"),
    re.compile(r"^附"),
]


def norm(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or ""))


def brackets(s: str) -> str:
    """[2017] and 〔2017〕 compare equal (南政办[2017]215号 is written with square brackets)."""
    return s.replace("[", "〔").replace("]", "〕").replace("【", "〔").replace("】", "〕")


def read_lines(path: Path) -> list[str]:
    raw = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".html", ".htm"):
        raw = re.sub(r"(?is)<(script|style)\b[^>]*>.*?</\1>", "", raw)
        raw = re.sub(r"(?s)<!--.*?-->", "", raw)
        raw = _BLOCK.sub("\n", raw)
        raw = re.sub(r"(?i)<td\b[^>]*>", "\t", raw)
        raw = re.sub(r"<[^>]+>", "", raw)
        raw = html.unescape(raw)
    lines = []
    for line in re.split(r"\r\n|\r|\n", raw):
        line = line.strip(" \t\u3000\xa0")
        if path.suffix.lower() == ".md":
            line = re.sub(r"^#+\s*", "", line)
        if line:
            lines.append(line)
    return lines


class Doc:
    def __init__(self, path: Path):
        self.lines = read_lines(path)
        self.norm_lines = [self._line_key(l) for l in self.lines]
        self.text = norm("".join(self.lines))
        self.sentences = [s for s in _SENT_END.split(self.text) if s]

    @staticmethod
    def _line_key(line: str) -> str:
        n = norm(line)
        # 5、 and 5． are written 5. in labels
        return re.sub(r"^(\d{1,3})[、.．]", r"\1.", n)

    def starts_line(self, prefix: str) -> bool:
        return any(l.startswith(prefix) for l in self.norm_lines)


def label_number(label: str) -> str | None:
    n = norm(label)
    for rx in _LABEL_NUM:
        m = rx.match(n)
        if m:
            return m.group(0)
    return None


def find_doc(docs_dirs: list[Path], name: str) -> Path | None:
    return next((d / name for d in docs_dirs if (d / name).is_file()), None)


def check_history(it: dict, bad) -> None:
    """A follow-up carries the earlier turns and whether the new turn depends on them."""
    hist = it.get("history")
    if hist is None:
        return
    if not isinstance(hist, list) or not hist or not all(
        isinstance(m, dict) and m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str) and m["content"].strip()
        for m in hist
    ):
        bad("history must be a non-empty list of {role: user|assistant, content}")
    if not any(isinstance(m, dict) and m.get("role") == "user" for m in hist or []):
        bad("history has no user turn")
    if not isinstance(it.get("depends"), bool):
        bad("an item with history needs depends: true/false")


def check_item(it: dict, docs_dirs: list[Path], cache: dict, problems: list[str], unsplit: bool = False) -> None:
    iid = it.get("id", "?")

    def bad(msg: str) -> None:
        problems.append(f"{iid}: {msg}")

    for k in REQUIRED:
        if k not in it and not (unsplit and k == "split"):
            bad(f"missing field {k!r}")
    if not isinstance(it.get("question"), str) or not it.get("question", "").strip():
        bad("empty question")
    if it.get("kind") not in KINDS:
        bad(f"unknown kind {it.get('kind')!r}")
    if not unsplit and it.get("split") not in SPLITS:
        bad(f"invalid split {it.get('split')!r}")
    check_history(it, bad)
    if not isinstance(it.get("section"), str) or not it.get("section"):
        bad("empty section")
    if not isinstance(it.get("answerable"), bool):
        bad("answerable must be true/false")
        return
    exp = it.get("expect")
    if not isinstance(exp, dict):
        bad("expect must be an object")
        return

    if not it["answerable"]:
        if exp:
            bad("unanswerable item must have expect {}")
        if it.get("kind") != "refuse":
            bad("unanswerable item should have kind 'refuse'")
        if not str(it.get("section", "")).startswith("refuse/"):
            bad("unanswerable item's section should start with 'refuse/'")
        if it.get("doc") is not None and find_doc(docs_dirs, it["doc"]) is None:
            bad(f"doc file not found: {it['doc']}")
        return

    if it.get("kind") == "refuse":
        bad("answerable item with kind 'refuse'")
    for k in EXPECT_KEYS:
        v = exp.get(k)
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            bad(f"expect.{k} must be a list of non-empty strings")
            return
    if not exp["doc_any"]:
        bad("expect.doc_any is empty")
    if not exp["facts_all"] and not exp["units_all"]:
        bad("answerable item with neither facts_all nor units_all")

    name = it.get("doc")
    if not name:
        bad("answerable item without doc")
        return
    path = find_doc(docs_dirs, name)
    if path is None:
        bad(f"doc file not found: {name}")
        return
    if name not in cache:
        cache[name] = Doc(path)
    doc = cache[name]

    # doc_any: the title or 文号 should be findable in the file itself
    text_b = brackets(doc.text)
    if not any(brackets(norm(d)) in text_b for d in exp["doc_any"]):
        bad(f"no doc_any string occurs in {name}: {exp['doc_any']}")

    # facts: each in the text, all together in one sentence
    facts = [norm(f) for f in exp["facts_all"]]
    for f, raw in zip(facts, exp["facts_all"]):
        if f not in doc.text:
            bad(f"fact not in document: {raw!r}")
    if facts and all(f in doc.text for f in facts):
        if not any(all(f in s for f in facts) for s in doc.sentences):
            bad(f"facts not all in one sentence: {exp['facts_all']}")

    # clause labels
    for lbl in exp["clause_any"]:
        num = label_number(lbl)
        if num is None:
            bad(f"clause label not recognised: {lbl!r}")
            continue
        if not doc.starts_line(num):
            bad(f"clause label number {num!r} does not start a line in {name}")
            continue
        full = re.sub(r"^(\d{1,3})[、.．]", r"\1.", norm(lbl))
        if full != num and not num.startswith("附") and not doc.starts_line(full):
            bad(f"no line starts with clause label {lbl!r}")

    # responsible units
    for u in exp["units_all"]:
        if norm(u) not in doc.text:
            bad(f"unit not in document: {u!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", type=Path, help="gold JSONL file")
    ap.add_argument("--docs", type=Path, nargs="+", required=True, help="folder(s) of the source documents")
    ap.add_argument("--unsplit", action="store_true", help="a bank not yet split: no split field required")
    ap.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    args = ap.parse_args(argv)

    problems: list[str] = []
    items = []
    for n, line in enumerate(args.gold.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as e:
            problems.append(f"line {n}: invalid JSON ({e})")

    ids = Counter(it.get("id") for it in items)
    for iid, c in ids.items():
        if c > 1:
            problems.append(f"{iid}: id used {c} times")

    cache: dict = {}
    for it in items:
        check_item(it, args.docs, cache, problems, args.unsplit)

    sec_splits: dict[str, set] = defaultdict(set)
    for it in items:
        if it.get("section") and it.get("split"):
            sec_splits[it["section"]].add(it["split"])
    for sec, sp in sorted(sec_splits.items()):
        if len(sp) > 1:
            problems.append(f"section {sec!r} is in several splits: {sorted(sp)}")

    if not args.quiet:
        answerable = sum(1 for it in items if it.get("answerable"))
        print(f"{args.gold}: {len(items)} items, {answerable} answerable, {len(items) - answerable} unanswerable, "
              f"{len(sec_splits)} sections")
        by_doc = Counter(it.get("doc") or "(no document)" for it in items)
        print("\nper document (answerable / unanswerable):")
        for d in sorted(by_doc, key=lambda x: (x == "(no document)", x)):
            a = sum(1 for it in items if (it.get("doc") or "(no document)") == d and it.get("answerable"))
            print(f"  {a:3d} / {by_doc[d] - a:2d}  {d}")
        print("\nper kind:  " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(it.get("kind") for it in items).items())))
        sp = Counter(it.get("split") for it in items)
        print("per split: " + ", ".join(f"{k} {sp.get(k, 0)} ({sp.get(k, 0) / max(len(items), 1):.0%})"
                                      for k in ("fit", "validation", "test")))
        sec_by_split = Counter(next(iter(s)) for s in sec_splits.values() if len(s) == 1)
        print("sections per split: " + ", ".join(f"{k} {sec_by_split.get(k, 0)}" for k in ("fit", "validation", "test")))

    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  " + p)
        return 1
    if not args.quiet:
        print("\nno problems")
    return 0


if __name__ == "__main__":
    sys.exit(main())
