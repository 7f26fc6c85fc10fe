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

from ..retrieve.query import UNIT_ALIASES
from ..zh import word_tag, words
from .actors import _NAME_TAGS, _org_suffixes, looks_like_office_only, office_text, same_office
from .checks import named_classes
from .polarity import negative, opposite_class, polarity_classes
from .text import _stop_words, restated_part

# Unchanged characters needed on each side of a replaced piece for it to be a swap in place:
# with fewer, the claim is not copying the sentence there but saying something else. Two is the
# shortest run that is a word rather than a shared particle (的, 和); checked on the fit part of
# the answer sets (evals/verifier_bench.py --split fit), where one let paraphrase through as swaps.
SWAP_FLANK = 2
# Longest replaced piece (characters) read as a swap: a name or a cue word. Longer pieces are
# paraphrase of a clause, which the wording checks judge.
SWAP_PIECE = 8
# Longest piece read at the very start or end of a segment, with nothing shared on that side:
# a negation or a level (非|营利性, 市|教育局); a longer one there is another clause's opening.
SWAP_EDGE = 2
# Shared characters after a piece at the very start of both, for it to be a replaced subject:
# enough to be the rest of the clause, not a shared particle (fit part of the answer sets: 4
# and 6 catch the same actor swaps; 4 one more recombination).
SUBJECT_FLANK = 4
# Characters of the shared context read with a piece: enough for a cue word the piece cuts
# (不|低于) or a level before a name (省|教育厅).
SWAP_CONTEXT = 3
# Characters after a piece an office name may run on for (市|人力资源社会保障部门).
NAME_TAIL = 12


@dataclass(frozen=True)
class Piece:
    before: str  # the shared characters before the replaced ones
    core_mine: str  # the claim's replaced characters
    core_theirs: str  # the source's characters in their place
    after: str  # the shared characters after (up to NAME_TAIL)
    subject: bool = False  # replaced at the very start of both (the clause's subject)

    @property
    def mine(self) -> str:
        return self.before + self.core_mine + self.after[:SWAP_CONTEXT]

    @property
    def theirs(self) -> str:
        return self.before + self.core_theirs + self.after[:SWAP_CONTEXT]


def _changes(segment: str, sentence: str) -> list[tuple[int, int, int, int]]:
    """The aligned differences, a shared run shorter than SWAP_FLANK counting as part of the
    change around it (人社部门 / 用人单位 share only 人)."""
    out: list[list[int]] = []
    ops = SequenceMatcher(None, segment, sentence, autojunk=False).get_opcodes()
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        short_run = tag == "equal" and i2 - i1 < SWAP_FLANK and 0 < k < len(ops) - 1
        if tag != "equal" or short_run:
            if out and out[-1][1] == i1 and out[-1][3] == j1:
                out[-1][1], out[-1][3] = i2, j2
            else:
                out.append([i1, i2, j1, j2])
    return [tuple(c) for c in out]


def _all_named(segment: str, end: int, sentence: str) -> bool:
    """Every word of two or more characters the segment's first `end` characters touch is in
    the sentence: one of a list the sentence names (各高等职业学校、各省属中等职业学校), not
    another thing."""
    at, touched = 0, []
    for w in words(segment):
        if at >= end:
            break
        if len(w) > 1 and _HAN.fullmatch(w) and w not in _stop_words():
            touched.append(w)
        at += len(w)
    return all(w in sentence for w in touched)


def pieces(segment: str, sentence: str, whole: str = "") -> list[Piece]:
    """The short pieces the segment replaces (or inserts, or drops) between runs of at least
    SWAP_FLANK characters it shares with the sentence."""
    out = []
    for i1, i2, j1, j2 in _changes(segment, sentence):
        if max(i2 - i1, j2 - j1) > SWAP_PIECE:
            continue
        # Shared runs either side, or the same start or end of both («由|市|人力资源…»); at
        # the very edge of both, only a piece of at most SWAP_EDGE characters («非|营利性»).
        edge = max(i2 - i1, j2 - j1) <= SWAP_EDGE
        # A subject replaced at the start of both («省级招办|不能仅因其残疾而不予录取» for
        # «高校|不能…»): the long shared run after it is the flank.
        subject = i1 == j1 == 0 and i2 > 0 and j2 > 0 and segment[i2: i2 + SUBJECT_FLANK] == sentence[j2: j2 + SUBJECT_FLANK] \
            and len(segment) - i2 >= SUBJECT_FLANK and not _all_named(segment, i2, whole or sentence)
        left = subject or ((0 < i1 or edge) and segment[:i1] == sentence[:j1]) or (i1 >= SWAP_FLANK and segment[i1 - SWAP_FLANK: i1] == sentence[j1 - SWAP_FLANK: j1])
        right = ((i2 < len(segment) or edge) and segment[i2:] == sentence[j2:]) or (
            len(segment) - i2 >= SWAP_FLANK and segment[i2: i2 + SWAP_FLANK] == sentence[j2: j2 + SWAP_FLANK])
        if not (left and right):
            continue
        before = segment[max(0, i1 - SWAP_CONTEXT): i1]
        tail = 0
        while tail < NAME_TAIL and i2 + tail < len(segment) and j2 + tail < len(sentence) and segment[i2 + tail] == sentence[j2 + tail]:
            tail += 1
        out.append(Piece(before, segment[i1:i2], sentence[j1:j2], segment[i2: i2 + tail], subject and not i1))
    return out


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
    start = ends[first] - len(toks[first])
    if first and toks[first - 1] in _LEVELS:
        first, start = first - 1, ends[first - 1] - len(toks[first - 1])  # 省|人社厅: the level opens the name
    for k in range(first, len(toks)):
        if toks[k].endswith(_org_suffixes()) and not looks_like_office_only(toks[k]):
            return (start, ends[k]) if _HAN.fullmatch(piece[start: ends[k]]) else None
        if toks[k] in _LEVELS or (word_tag(toks[k]) or "x").startswith(_NAME_TAGS):
            continue
        if k == first and ends[k] - len(toks[k]) < at:
            start = at  # «由区»: jieba joined the core to the word before; the name starts at it
            continue
        return None  # a verb or a particle: the words after are not one name
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
    at, wide_mine, wide_theirs = len(p.before), p.before + p.core_mine + p.after, p.before + p.core_theirs + p.after
    for core, other_core, piece, other in ((p.core_theirs, p.core_mine, wide_theirs, wide_mine), (p.core_mine, p.core_theirs, wide_mine, wide_theirs)):
        span = _name_span(piece, at, core)
        if span is None:
            continue
        name, counter = piece[slice(*span)], other[slice(*_counterpart(span, at, core, other_core))]
        mine, theirs = (counter, name) if piece is wide_theirs else (name, counter)
        if min(len(mine), len(theirs)) < 2 or not _HAN.fullmatch(mine + theirs) or office_text(mine) in office_text(sentence) or _same(mine, theirs):
            return None
        return f"“{mine}”与原文所写“{theirs}”不符"
    return None


_PARTICLES = re.compile(r"^[的是由向对把将被给在和与及]+")


def _same(a: str, b: str) -> bool:
    """One is a shorter or fuller writing of the other, or its alias, or the other with a word
    before it (建议|市教育局 where the source has 各|市教育局: the office is the same)."""
    # A name's words start after the particles the alignment took in with it («的是|省教育厅»).
    a, b = _PARTICLES.sub("", a).removeprefix("各"), _PARTICLES.sub("", b).removeprefix("各")
    if a.endswith(b) or b.endswith(a):
        return True
    if UNIT_ALIASES.get(a) == b or UNIT_ALIASES.get(b) == a:
        return True
    return same_office(a, b) or same_office(b, a)


def _class_swap(p: Piece) -> bool:
    """Another class of the same axis (高职 → 中职); or classes the claim names in place of
    others the source names there, of any axes (应用型本科高校 → 职业院校, 普通高中 → 义务教育);
    or one level for another (省、市财政 → 市、县财政)."""
    # (A class of the same axis in place of another is one such pair: added and dropped.)
    mine, theirs = _class_pairs(p.mine), _class_pairs(p.theirs)
    if mine - theirs and theirs - mine:
        return True
    if p.core_mine != p.core_theirs and bool(p.core_mine) and set(p.core_mine + p.core_theirs) <= _LEVELS:
        return True
    # One character for another where one is a level (大|军区 → 省|军区): another body of that name.
    return (len(p.core_mine) == len(p.core_theirs) == 1 and bool({p.core_mine, p.core_theirs} & _LEVELS)
            and _HAN.fullmatch(p.core_mine + p.core_theirs) is not None)


def _class_pairs(text: str) -> set[tuple[str, str]]:
    """(axis, class) for each class the text names."""
    return {(a, c) for a, cs in named_classes(text).items() for c in cs}


def _same_class(p: Piece) -> bool:
    return bool(_class_pairs(p.mine) & _class_pairs(p.theirs))


def _direction_swap(p: Piece) -> bool:
    mine, theirs = polarity_classes(p.mine), polarity_classes(p.theirs)
    return negative(p.mine) != negative(p.theirs) or any(opposite_class(c) in theirs and c not in theirs for c in mine)


def _nouns_at(text: str, start: int, end: int) -> list[str]:
    """The nouns of the text that overlap its characters start:end."""
    out, at = [], 0
    for w in words(text):
        if at < end and at + len(w) > start and len(w) >= 2 and _HAN.fullmatch(w) and (word_tag(w) or "x").startswith(("n", "j")):
            out.append(w)
        at += len(w)
    return out


def _imported_swap(p: Piece, sentence: str, elsewhere: str) -> str | None:
    """The claim puts a thing the sources name elsewhere (管理人员) in place of the one this
    sentence names (一线职工): the sources' own words, in the wrong place."""
    if not (_HAN.fullmatch(p.core_mine or "-") and (not p.core_theirs or _HAN.fullmatch(p.core_theirs))):
        return None
    at = len(p.before)
    new = [w for w in _nouns_at(p.mine, at, at + len(p.core_mine)) if w not in sentence]
    mine = [w for w in new if w in elsewhere]
    theirs = [w for w in _nouns_at(p.theirs, at, at + len(p.core_theirs)) if w not in p.mine]
    # (全省 for 山西省: the scope of the place the source names, «全» and its level.)
    scope = bool(mine and theirs) and mine[0][0] in "全各本" and len(mine[0]) > 1 and theirs[0].endswith(mine[0][1:])
    if mine and theirs and not scope and not _class_pairs(mine[0]) & _class_pairs(theirs[0]):  # 市级 for 本市: one tier
        return f"“{mine[0]}”与原文所写“{theirs[0]}”不符"
    # (A scope before a name — 全省, 各市, 本县 — says whose, not which.)
    # (Nor does a word about the answer or the document — «文件鼓励……实训基地» — name anything.)
    inserted = [w for w in new if w[0] not in "全各本" and w[-1] not in _LEVELS and w not in _stop_words()]
    if inserted and not p.core_theirs and _ORG_AFTER.match(p.after):
        # «山西|水利|职业技术学院»: a word put into the name this sentence gives: another institution.
        return f"“{inserted[0]}”不见于原文这句所说的名称"
    return None


# The rest of a name after an inserted word: characters running into an institution's ending.
_ORG_AFTER = re.compile(r"[\u4e00-\u9fff]{0,8}?(?:学院|大学|学校|中心|集团|公司|委员会|协会)")


def swap_problem(segment: str, sentence: str, elsewhere: str = "", headers: str = "") -> str | None:
    """Why a piece the segment replaces in its source sentence changes what it says, or None.
    `elsewhere`: the other text of the cited sources; `headers`: their titles and paths (a
    subject the claim takes from them, «条例中允许…», names the document, not an actor)."""
    # The part the segment restates (between the sentence's commas) holds the swap, and aligning
    # with it rather than the whole sentence keeps the alignment cheap.
    for p in pieces(segment, restated_part(segment, sentence) or sentence, sentence + "\n" + headers):
        if p.subject and _same_class(p):
            continue  # «中职每年达到…» for «公办中等职业教育每年达到…»: the same thing, shorter
        reason = _imported_swap(p, sentence, elsewhere) if elsewhere else None
        if reason:
            return reason
        reason = _office_swap(p, sentence)  # the most precise reason first: it names both offices
        if reason:
            return reason
        if _class_swap(p):
            return "所说的学校类型或层级与原文不符"
        if _direction_swap(p):
            return "与原文的肯定/否定或方向相反"
    return None
