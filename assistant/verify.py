"""Verify: nothing reaches the user that the cited text does not say.

Every quote must occur in its clause; every figure in the answer must occur in a quote.
A citation that fails is dropped; an answer left without support becomes a refusal."""
from __future__ import annotations

import re
from dataclasses import replace

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
    quoted = " ".join(c.quote for c in good) + " " + " ".join(" ".join(c.clause_path) for c in good)
    body_numbers = set(_NUM.findall(answer.answer.split("依据：")[0]))
    allowed = set(_NUM.findall(quoted)) | {n for c in good for n in _NUM.findall(f"{c.doc_number or ''}{c.doc_title}")}
    if body_numbers - allowed:
        return on_fail(answer)
    return replace(answer, citations=tuple(good))
