"""Verify: nothing reaches the user that the cited text does not say.

Every quote must occur in its clause; every figure in the answer must occur in a quote.
A citation that fails is dropped; an answer left without support becomes a refusal."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .store import Snapshot
from .compose.extractive import split_sentences
from .types import Answer

_NUM = re.compile(r"\d+(?:\.\d+)?%?")


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def verify(answer: Answer, snap: Snapshot, on_fail) -> Answer:
    if not answer.found:
        return answer
    good = []
    for c in answer.citations:
        clause = snap.clauses.get(c.clause_id)
        text = _squash(clause.text + "\n" + "\n".join(ch.text for ch in snap.chunks if ch.clause_id == c.clause_id)) if clause else ""
        if clause and all(_squash(part) in text for part in split_sentences(c.quote)):
            good.append(c)
    if not good:
        return on_fail(answer)
    if answer.mode == "llm":
        # Generated text was checked against the cited clauses by verify_generated.
        return replace(answer, citations=tuple(good))
    body = answer.answer.split("依据：")[0]
    context = " ".join(" ".join(c.clause_path) + f" {c.doc_number or ''} {c.doc_title}" for c in good)
    if answer.mode == "structure":
        # Lists built from the structure: figures may come from anywhere in the cited clauses;
        # the counts and numbering of the list itself are ours, not the documents'.
        body = re.sub(r"共 ?\d+ ?项|\d+ ?项|^\d+\. ", "", body, flags=re.M)
        context += " " + " ".join(snap.clauses[c.clause_id].text for c in good)
    else:
        context += " " + " ".join(c.quote for c in good)
    if set(_NUM.findall(body)) - set(_NUM.findall(context)):
        return on_fail(answer)
    return replace(answer, citations=tuple(good))


# -- generated answers (LLM mode) ----------------------------------------------------------
_MARK = re.compile(r"\[(\d{1,2})\]")
_AMOUNT = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(万亿|亿|万|千)?")
_SCALE = {"千": 10**3, "万": 10**4, "亿": 10**8, "万亿": 10**12}
_GEN_SENT = re.compile(r"(?<=[。！？\n])")  # a claim may list items with ；
GROUNDING = 0.35  # share of a claim's character bigrams that must occur in its cited sources


def numbers(text: str) -> set[str]:
    """Figures as canonical values: 12000 / 12,000 / 1.2万 → "12000"; 30% → "30"."""
    out = set()
    for m in _AMOUNT.finditer(_MARK.sub(" ", text)):
        whole, frac, unit = m.group(1).replace(",", ""), m.group(2) or "", m.group(3)
        from decimal import Decimal

        v = Decimal(f"{whole}.{frac}" if frac else whole) * _SCALE.get(unit or "", 1)
        s = format(v.normalize(), "f")
        out.add(s[:-2] if s.endswith(".0") else s)
    return out


def _bigrams(s: str) -> set[str]:
    s = re.sub(r"[^\u4e00-\u9fff0-9A-Za-z%]", "", _MARK.sub("", s))
    return {s[i : i + 2] for i in range(len(s) - 1)}


def grounding(claim: str, source_text: str) -> float:
    b = _bigrams(claim)
    return len(b & _bigrams(source_text)) / len(b) if b else 1.0


@dataclass
class Checked:
    text: str  # the verified answer, markers renumbered in order of use
    used: list[int]  # 0-based indices of the sources cited, in order of first use
    dropped: list[str]  # sentences removed, with the reason
    claims: dict[int, list[str]]  # source index → the verified sentences citing it


def verify_generated(text: str, source_texts: list[str]) -> Checked:
    """Keep a sentence only if each [n] names a given source, it cites at least one, every
    figure in it occurs in a source it cites, and its wording is grounded in those sources."""
    kept, used, dropped, claims = [], [], [], {}
    src_numbers = [numbers(t) for t in source_texts]
    for sent in (s.strip() for s in _GEN_SENT.split(text)):
        if not sent:
            continue
        marks = [int(n) for n in _MARK.findall(sent)]
        valid = [n - 1 for n in marks if 1 <= n <= len(source_texts)]
        body = _MARK.sub("", sent).strip()
        if not re.search(r"[\u4e00-\u9fff0-9]", body):
            continue  # a bare marker or punctuation
        if not valid:
            dropped.append(f"{body}（未标注有效出处）")
            continue
        cited_text = "\n".join(source_texts[i] for i in dict.fromkeys(valid))
        allowed = set().union(*(src_numbers[i] for i in valid))
        missing = numbers(body) - allowed
        if missing:
            dropped.append(f"{body}（数字 {'、'.join(sorted(missing))} 不见于所引原文）")
            continue
        if grounding(body, cited_text) < GROUNDING:
            dropped.append(f"{body}（内容不见于所引原文）")
            continue
        sent = _MARK.sub(lambda m: m.group(0) if 1 <= int(m.group(1)) <= len(source_texts) else "", sent)
        for i in dict.fromkeys(valid):
            if i not in used:
                used.append(i)
            claims.setdefault(i, []).append(body)
        kept.append(sent)
    order = {old: new for new, old in enumerate(used, 1)}
    renumbered = _MARK.sub(lambda m: f"[{order[int(m.group(1)) - 1]}]", "".join(kept))
    return Checked(renumbered.strip(), used, dropped, claims)
