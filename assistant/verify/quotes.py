"""Verify an extractive answer: every quote must occur in its clause; every figure in the answer must occur in a quote.
A citation that fails is dropped; an answer left without support becomes a refusal."""
from __future__ import annotations

import re
from dataclasses import replace

from ..compose.extractive import split_sentences
from ..store import Snapshot
from ..types import Answer

_NUM = re.compile(r"\d+(?:\.\d+)?%?")


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def verify(answer: Answer, snap: Snapshot, on_fail) -> Answer:
    if not answer.found:
        return answer
    good = []
    for c in answer.citations:
        clause = snap.clauses.get(c.clause_id)
        text = _squash(clause.text + "\n" + snap.clause_chunk_text(c.clause_id)) if clause else ""
        if clause and all(_squash(part) in text for part in split_sentences(c.quote)):
            good.append(c)
    if not good:
        return on_fail(answer)
    if answer.mode == "llm":
        # Generated text was checked against the cited clauses by verify_generated.
        return replace(answer, citations=tuple(good))
    body = answer.answer.split("依据：")[0]
    context = " ".join(" ".join(c.clause_path) + f" {c.doc_name}" for c in good)
    if answer.mode == "structure":
        # Lists built from the structure: figures may come from anywhere in the cited clauses;
        # the counts and numbering of the list itself are ours, not the documents'.
        body = re.sub(r"共 ?\d+ ?项|\d+ ?项|涉及 ?\d+ ?份文件|^\d+\. ", "", body, flags=re.M)
        context += " " + " ".join(snap.clauses[c.clause_id].text for c in good)
    else:
        context += " " + " ".join(c.quote for c in good)
    if set(_NUM.findall(body)) - set(_NUM.findall(context)):
        return on_fail(answer)
    return replace(answer, citations=tuple(good))
