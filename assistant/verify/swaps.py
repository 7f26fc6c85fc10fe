"""Swaps in place: a claim that copies its source sentence but replaces a few characters —
an office (省教育厅 → 省人社厅), a sector (本科 → 高职), a direction (扩大 → 缩小) or a
negation (需要 → 不需要). The other checks read words; jieba splits a changed name differently
from the original («本科学籍»), so here the claim and its source sentence are aligned character
by character and each short replaced piece, read with the characters around it, is judged.

Pure functions of text."""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from ..data import read_lines
from ..retrieve.query import UNIT_ALIASES
from ..zh import words
from .actors import _Slot, _lookalikes, _same_office, office_text
from .checks import named_classes, negative, opposite_class, polarity_classes, restated_part

# Unchanged characters needed on each side of a replaced piece for it to be a swap in place:
# with fewer, the claim is not copying the sentence there but saying something else. Two is the
# shortest run that is a word rather than a shared particle (的, 和); checked on the fit part of
# the answer sets (evals/verifier_bench.py --split fit), where one let paraphrase through as swaps.
SWAP_FLANK = 2
# Longest replaced piece (characters) read as a swap: a name or a cue word. Longer pieces are
# paraphrase of a clause, which the wording checks judge.
SWAP_PIECE = 8
# Characters of the shared context read with a piece: enough for the rest of an office name
# (教育|厅) or a cue word the piece cuts (不|低于).
SWAP_CONTEXT = 3


@dataclass(frozen=True)
class Piece:
    mine: str  # the claim's characters, with their shared context
    theirs: str  # the source's characters, with the same context
    core_mine: str  # the replaced characters alone
    core_theirs: str
    at: int  # where the replaced characters start in both (the context before is shared)


def pieces(segment: str, sentence: str) -> list[Piece]:
    """The short pieces the segment replaces (or inserts, or drops) between runs it shares with
    the sentence."""
    ops = SequenceMatcher(None, segment, sentence, autojunk=False).get_opcodes()
    out = []
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal" or max(i2 - i1, j2 - j1) > SWAP_PIECE:
            continue
        left = ops[k - 1] if k else None
        right = ops[k + 1] if k + 1 < len(ops) else None
        if not (left and left[0] == "equal" and left[2] - left[1] >= SWAP_FLANK
                and right and right[0] == "equal" and right[2] - right[1] >= SWAP_FLANK):
            continue
        before = segment[i1 - SWAP_CONTEXT: i1] if i1 >= SWAP_CONTEXT else segment[:i1]
        after = segment[i2: i2 + SWAP_CONTEXT]
        out.append(Piece(before + segment[i1:i2] + after, before + sentence[j1:j2] + after, segment[i1:i2], sentence[j1:j2], len(before)))
    return out


@lru_cache(maxsize=1)
def _office_ends() -> tuple[str, ...]:
    return tuple(sorted(read_lines("office_suffixes.txt"), key=len, reverse=True))


# Characters that, standing alone before a name, are its level (省|教育厅).
_LEVELS = set("省市县区乡镇国")
_HAN = re.compile(r"[\u4e00-\u9fff]+")


def _name_span(piece: str, at: int, core: str) -> tuple[int, int] | None:
    """Where the office name the replaced characters stand in lies in the piece: from the word
    holding them (with a level before it) to the end of the first word, at or after them, that
    ends like an office (省|人社|厅 → 省人社厅; not 全部, 办法, 委托, whose 部/办/委 begin
    or end other words)."""
    if not _HAN.fullmatch(core):
        return None
    toks, ends = words(piece), []
    for w in toks:
        ends.append((ends[-1] if ends else 0) + len(w))
    first = next(k for k, e in enumerate(ends) if e > at)
    if first and toks[first - 1] in _LEVELS:
        first -= 1  # 省|人社厅: the level opens the name
    for k in range(first, len(toks)):
        if toks[k].endswith(_office_ends()) and toks[k] not in _lookalikes():
            start, end = ends[first] - len(toks[first]), ends[k]
            return (start, end) if _HAN.fullmatch(piece[start:end]) else None
    return None


def _counterpart(span: tuple[int, int], at: int, core: str, other_core: str) -> tuple[int, int]:
    """The same span in the other piece: the shared context before is where it was; past the
    replaced characters it moves by the difference in their lengths."""
    start, end = span
    end = end + len(other_core) - len(core) if end >= at + len(core) else at + len(other_core)
    return start, end


def _office_swap(p: Piece, sentence: str) -> str | None:
    """The claim puts another actor where the source names an office (省教育厅 → 省人社厅,
    省级招办 → 报考高校), or an office where the source names another actor."""
    if not (p.core_mine and p.core_theirs):
        return None
    for core, other_core, piece, other in ((p.core_theirs, p.core_mine, p.theirs, p.mine), (p.core_mine, p.core_theirs, p.mine, p.theirs)):
        span = _name_span(piece, p.at, core)
        if span is None:
            continue
        name, counter = piece[slice(*span)], other[slice(*_counterpart(span, p.at, core, other_core))]
        mine, theirs = (counter, name) if piece is p.theirs else (name, counter)
        if min(len(mine), len(theirs)) < 2 or not _HAN.fullmatch(mine + theirs) or office_text(mine) in office_text(sentence) or _same(mine, theirs):
            return None
        return f"“{mine}”与原文所写“{theirs}”不符"
    return None


def _same(a: str, b: str) -> bool:
    """One is a shorter or fuller writing of the other, or its alias."""
    if UNIT_ALIASES.get(a) == b or UNIT_ALIASES.get(b) == a:
        return True
    return _same_office(a, _Slot(b, frozenset(), b, frozenset())) or _same_office(b, _Slot(a, frozenset(), a, frozenset()))


def _class_swap(p: Piece) -> bool:
    mine, theirs = named_classes(p.mine), named_classes(p.theirs)
    return any(axis in theirs and not (cls & theirs[axis]) for axis, cls in mine.items())


def _direction_swap(p: Piece) -> bool:
    mine, theirs = polarity_classes(p.mine), polarity_classes(p.theirs)
    return negative(p.mine) != negative(p.theirs) or any(opposite_class(c) in theirs and c not in theirs for c in mine)


def swap_problem(segment: str, sentence: str) -> str | None:
    """Why a piece the segment replaces in its source sentence changes what it says, or None."""
    # The part the segment restates (between the sentence's commas) holds the swap, and aligning
    # with it rather than the whole sentence keeps the alignment cheap.
    for p in pieces(segment, restated_part(segment, sentence) or sentence):
        if _class_swap(p):
            return "所说的学校类型或层级与原文不符"
        if _direction_swap(p):
            return "与原文的肯定/否定或方向相反"
        reason = _office_swap(p, sentence)
        if reason:
            return reason
    return None
