"""Entailment by the configured model: an optional second check after the deterministic ones.

One request per answer lists the sources once and every kept sentence with the sources it
cites; the model replies «编号：是/否» per sentence. A reply that does not judge every
sentence counts as no judgement: the deterministic checks alone then decide."""
from __future__ import annotations

import re
from typing import Callable

from prompts import load

from ..types import Given
from .claims import Claim

_VERDICT = re.compile(r"^\s*(?:陈述)?\s*(\d{1,3})\s*[：:.、．)）]\s*\**\s*(是|否)", re.M)


def judge_prompt(claims: list[Claim], sources: list[Given]) -> str:
    blocks = "\n\n".join(f"[{i}] {g.header}\n{g.text}" for i, g in enumerate(sources, 1))
    lines = "\n".join(
        f"{k}. （引用资料{'、'.join(f'[{m}]' for m in c.marks)}）{c.body}" for k, c in enumerate(claims, 1)
    )
    return load("judge.txt").format(sources=blocks, claims=lines)


def parse_verdicts(reply: str, n: int) -> list[bool] | None:
    """«1：是 / 2：否 …» → [True, False, …]; None unless each of the n sentences is judged once."""
    found: dict[int, bool] = {}
    for m in _VERDICT.finditer(reply):
        k = int(m.group(1))
        if k in found or not 1 <= k <= n:
            return None
        found[k] = m.group(2) == "是"
    return [found[k] for k in range(1, n + 1)] if len(found) == n else None


def judge(claims: list[Claim], sources: list[Given], ask: Callable[[str], str]) -> list[bool] | None:
    """Per claim: does it follow from its cited sources? None when the judge gave no usable reply
    (`ask` raising is the caller's concern: it passes a function that returns text)."""
    if not claims:
        return []
    return parse_verdicts(ask(judge_prompt(claims, sources)), len(claims))
