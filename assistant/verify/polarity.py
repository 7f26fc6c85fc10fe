"""Direction and negation: the cue classes a text uses (不低于/不高于, 可以/不得, 增加/减少,
保留/取消 — data/polarity.tsv), what it negates, and the checks that a claim does not reverse the
source sentence it restates.

Pure functions of text."""
from __future__ import annotations

import re
from functools import lru_cache

from ..data import read_lines, read_table
from ..zh import bigrams, word_tag, words
from .text import _ALL_CJK, _CJK, _SEGMENT, _clause_of, _stop_words, grounding, restated_part


# -- direction and negation -------------------------------------------------------------------
@lru_cache(maxsize=1)
def _cues() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    rows = read_table("polarity.tsv")
    cls = {w: r["class"] for r in rows for w in r["words"].split()}
    opposite = {r["class"]: r["opposite"] for r in rows}
    return cls, opposite, frozenset(read_lines("negators.txt"))


def is_cue_word(word: str) -> bool:
    """Whether a word fixes direction or force (至少, 不得, 可以): the checks of wording leave it
    to this module."""
    return word in _cues()[0]


# Single characters a negation skips to reach the word it negates («不再从应届毕业生中招聘»).
_NEGATION_SKIPS = set("从向在对按把被给由再能会得将可予以与和就都也还作随")


# Words between a negated verb and its object («不享受有关税收优惠»).
_OBJECT_SKIPS = {"有关", "相关", "其"}  # not 的: «没有通过的学生» negates 通过, not 学生
# Joining coordinated verbs under one negation («不得兼任、担任», «不举办或参与举办»).
_COORDINATORS = {"、", "或", "或者", "和", "及"}
_BOUND_WORDS = {"以上", "以下", "以内", "及以上"}
_QUANTITY_END = re.compile(r"[\d〇零一二两三四五六七八九十百千万%％]$|[年岁级元人名个月天周次所项倍]$")


_NUMERAL_END = re.compile(r"[\d〇零一二两三四五六七八九十百千万]$")


def _bounds_quantity(toks: list[str], i: int) -> bool:
    """Whether the bound word at toks[i] follows a quantity: «3年以上», or a figure and its
    measure word, which jieba keeps apart («30|门|以上», «16|学时|以上»)."""
    return bool(i and _QUANTITY_END.search(toks[i - 1])
                or i > 1 and len(toks[i - 1]) <= 2 and _ALL_CJK.fullmatch(toks[i - 1]) and _NUMERAL_END.search(toks[i - 2]))


def _is_negator(token: str, negators: frozenset[str]) -> bool:
    """不, 不再 — or a negator jieba fused with the function word after it (不作, 不随, 暂不将)."""
    return token in negators or any(
        token.startswith(n) and len(token) > len(n) and all(ch in _NEGATION_SKIPS for ch in token[len(n):]) for n in negators
    )


_NEGATIVE_CLASSES = {"forbid", "needless"}
# Prefixes that deny a class («非城镇学校», «非营利性»): the word they deny is the other class; the
# sentence denies nothing (so they are no negators for `negative`).
_CLASS_NEGATORS = frozenset({"非"})
_PREPOSITIONS = set("对为与向给")  # jieba may join one to a 非 after it (对非: «toward Africa»)


def _first_negator(toks: list[str]) -> int | None:
    negators = _cues()[2]
    return next((i for i, t in enumerate(toks) if _is_negator(t, negators)), None)

# «不只是省教育厅的事», «不止一所»: «not only», «more than» — they add, they do not deny (jieba
# splits 不|只是, 不|止; 不仅, 不光 it keeps whole, as words that are no negator).
_ADDITIVE_AFTER_NOT = {"只是", "止", "仅仅"}  # not 只: «并不只限于» denies a limit


def _not_only(toks: list[str], i: int) -> bool:
    return toks[i] == "不" and i + 1 < len(toks) and toks[i + 1] in _ADDITIVE_AFTER_NOT


# «不得在常规录取工作结束后再行组织补录»: a negation before a phrase of time denies the verb after
# it. The words that close such a phrase, and how far one may run (jieba words).
_TIME_CLOSERS = {"后", "前", "时", "之后", "以后", "之前", "以前", "期间", "之际"}
TIME_PHRASE_WORDS = 8


def _past_time_phrase(toks: list[str], skipped_from: int, j: int) -> int:
    """Where the denied verb starts when the negation's skipped words end with 在 opening a
    phrase of time: after the phrase (and the function words after it)."""
    if j == skipped_from or toks[j - 1] != "在":
        return j
    end = next((m for m in range(j, min(len(toks), j + TIME_PHRASE_WORDS)) if toks[m] in _TIME_CLOSERS), None)
    if end is None:
        return j
    j = end + 1
    while j < len(toks) and toks[j] in _NEGATION_SKIPS:
        j += 1
    return j


def _deny_next(toks: list[str], j: int, cls: dict[str, str], negated: set[str]) -> int:
    """Mark the verb at toks[j] denied, with its object and the verbs coordinated with it
    («不得兼任、担任监事»); return the index after the last word denied."""
    while j < len(toks) and toks[j] in _NEGATION_SKIPS:
        j += 1
    if not (j < len(toks) and len(toks[j]) > 1 and toks[j] not in cls and _CJK.sub("", toks[j])):
        return j
    negated.add(toks[j])
    while j + 2 < len(toks) and toks[j + 1] in _COORDINATORS and len(toks[j + 2]) > 1 and toks[j + 2] not in cls:
        j += 2
        negated.add(toks[j])
    # The verb's object is denied too: «不再享受税收优惠» against «落实税收优惠»,
    # «不实行即报即审» against «实施即报即审» (the verbs differ, the object does not).
    k = j + 1 + (j + 1 < len(toks) and toks[j + 1] in _OBJECT_SKIPS)
    if k < len(toks) and len(toks[k]) > 1 and toks[k] not in cls and _CJK.sub("", toks[k]):
        negated.add(toks[k])
        j = k
    return j + 1


# A document's title names it: its words are neither stated nor denied («未按《…职业教育法》的规定»).
_TITLE = re.compile(r"《[^《》]{0,60}》")


def _tokens(text: str) -> list[str]:
    """The text's words as negation reads them: titles out, «不适|用于» read again as «不|适用|于»."""
    toks, negators = words(_TITLE.sub("《》", text)), _cues()[2]
    i = 0
    while i < len(toks):  # (a split lengthens the list: its new words are read too)
        _split_negation(toks, i, negators)
        i += 1
    out = []
    for t in toks:  # «对非|义务教育» («toward Africa»): the preposition, then the class denied
        out += [t[0], t[1]] if len(t) == 2 and t[0] in _PREPOSITIONS and t[1] in _CLASS_NEGATORS else [t]
    return out


@lru_cache(maxsize=8192)
def polarity(text: str, class_denials: bool = True) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The text's cue classes, the words it only ever negates (不纳入, 不再从应届毕业生中招聘
    negates 应届), and the words it only ever states. `class_denials`: a class a prefix denies
    («非城镇») counts as negated."""
    cls, opposite, negators = _cues()
    class_negators = _CLASS_NEGATORS if class_denials else frozenset()
    toks = _tokens(text)
    classes, negated, stated, i = set(), set(), set(), 0
    while i < len(toks):
        t = toks[i]
        for k in (3, 2, 1):
            w = "".join(toks[i: i + k])
            if w in cls and (k > 1 or len(w) > 1 or t == w):
                # 以上/以下 bound a quantity («3年以上»); «以下要求» only points ahead.
                if w not in _BOUND_WORDS or _bounds_quantity(toks, i):
                    classes.add(cls[w])
                i += k
                break
        else:
            if _is_negator(t, negators) and not _not_only(toks, i):
                j = i + 1
                while j < len(toks) and toks[j] in _NEGATION_SKIPS:
                    j += 1
                j = _past_time_phrase(toks, i + 1, j)
                if j < len(toks) and toks[j] in cls:
                    classes.add(opposite[cls[toks[j]]])
                    i = j + 1
                else:
                    i = _deny_next(toks, j, cls, negated)
                continue
            fused = _fused_cue(t, cls)
            if fused:
                classes.add(fused)  # «不断扩大»: jieba keeps an adverb and a cue as one word
            denied = _fused_negation(t, negators | class_negators)
            if denied:
                negated.add(denied)  # «不定期»: jieba keeps the negator and the word it denies as one
            elif t in class_negators and i + 1 < len(toks) and len(toks[i + 1]) > 1 and _ALL_CJK.fullmatch(toks[i + 1]):
                negated.add(toks[i + 1])  # «非|城镇|学校»: the class denied, not the clause
                i += 1
            elif len(t) > 1 and _CJK.sub("", t):
                stated.add(t)
            i += 1
    return frozenset(classes), frozenset(negated - stated), frozenset(stated - negated)


# Shortest word a one-character negator fused with is read as denying (不|定期, 不|合格): one
# character after it makes words of their own (不断, 不仅, 无论, 未来).
FUSED_DENIED = 2


def _fused_negation(token: str, negators: frozenset[str]) -> str | None:
    """The word a jieba word denies when it is a one-character negator and a word (不定期 →
    定期), else None."""
    rest = token[1:]
    if token[:1] in negators and len(rest) >= FUSED_DENIED and _ALL_CJK.fullmatch(rest) and words(rest) == [rest]:
        return rest
    return None


def _split_negation(toks: list[str], i: int, negators: frozenset[str]) -> bool:
    """jieba joins a negator to the first character of the word it denies when the two make a
    word of their own («不适|用于» for «不|适用于»): split there when that character and the next
    word begin with a word. Changes `toks` in place; whether it did."""
    t = toks[i]
    if len(t) != 2 or t[0] not in negators or t in negators or is_cue_word(t) or i + 1 >= len(toks) \
            or not _ALL_CJK.fullmatch(toks[i + 1]):
        return False  # (不得|以 is 不得 and 以, not 不|得以)
    again = words(t[1] + toks[i + 1])
    if len(again[0]) < 2 or not (word_tag(again[0]) or "x").startswith("v"):
        return False  # a verb is what a negation denies; «不仅|要» is no «不|仅要»
    toks[i: i + 2] = [t[0], *again]
    return True


# At most this many characters before a cue word inside one jieba word (不断|扩大, 逐步|提高).
FUSED_PREFIX = 2


def _fused_cue(token: str, cls: dict[str, str]) -> str | None:
    for n in range(1, min(FUSED_PREFIX, len(token) - 2) + 1):
        if token[n:] in cls and not _is_negator(token[:n], _cues()[2]):
            return cls[token[n:]]
    return None


def polarity_classes(text: str) -> frozenset[str]:
    return polarity(text)[0]


def opposite_class(cls: str) -> str | None:
    return _cues()[1].get(cls)


@lru_cache(maxsize=8192)
def negative(text: str) -> bool:
    """Whether the text denies or forbids: a negation that is not part of a bound (不低于 is
    a bound, not a denial), or a word of prohibition or exemption (禁止, 无需)."""
    classes, negated, _ = polarity(text)
    cls, _, negators = _cues()
    toks = _tokens(text)
    bare = any(_is_negator(t, negators) and not _not_only(toks, i) and "".join(toks[i: i + 2]) not in cls
               and "".join(toks[i: i + 3]) not in cls for i, t in enumerate(toks))
    return bool(classes & _NEGATIVE_CLASSES) or bare


@lru_cache(maxsize=1)
def _hedges() -> frozenset[str]:
    return frozenset(w.removeprefix("say:") for w in read_lines("hedges.txt") if not w.startswith("defer:"))


@lru_cache(maxsize=1)
def _deferrals() -> tuple[str, ...]:
    return tuple(w.removeprefix("defer:") for w in read_lines("hedges.txt") if w.startswith("defer:"))


@lru_cache(maxsize=8192)
def is_hedge(segment: str) -> bool:
    """A caveat: the part denies a word of specificity or universality (没有明确, 并非所有, 没有
    细则) or of stating (没有写明, 没有提到), saying the sources are less precise than a stronger
    reading or silent on a point, not reversing them."""
    if any(d in segment for d in _deferrals()):
        return True  # «还要看后续配套细则»: the point is left to what the sources do not hold
    toks = words(segment)
    at = _first_negator(toks)
    return at is not None and any(t in _hedges() for t in toks[at + 1:])


# A rule that binds (应当, 不低于, 之前) or narrows («只能取最高的一项», «仅限») is ground for a
# «no» in a case outside it, as much as a prohibition is.
_BINDING_CLASSES = {"must", "at_least", "at_most", "before", "after"}
_ONLY = re.compile(r"只能|只有|仅限|仅|只限|限于|确保|(?<![不需])要(?!点)|由[^，。；]{1,20}(?:负责|组织|决定|审批|批准|认定)")


def restricts(text: str) -> bool:
    """Whether the text binds or narrows: a duty, a bound, a deadline, an «only», a «由…负责»."""
    return bool(polarity_classes(text) & _BINDING_CLASSES) or bool(_ONLY.search(text))


# A bound the claim sets on what its source allows: «不得高于当地普通高中» for «可适当高于当地普通
# 高中». The comparison each bound caps, and a permission just before that comparison.
_CAPPED = {"at_most": re.compile(r"高于|超过|多于|大于"), "at_least": re.compile(r"低于|少于|小于")}
_PERMITS_BEFORE = re.compile(r"(?:可以|可|允许|准予)[\u4e00-\u9fff]{0,3}$")


def _caps_a_permission(claim_classes: frozenset[str], part: str) -> bool:
    for cls, comparison in _CAPPED.items():
        if cls in claim_classes:
            if any(_PERMITS_BEFORE.search(part[: m.start()]) for m in comparison.finditer(part)):
                return True
    return False


def polarity_problem(segment: str, sentence: str) -> str | None:
    """The claim reverses its source sentence: an opposite cue class without the source's own
    (不低于 → 不高于, 可以 → 不得), or a verb negated on one side only (纳入 → 不纳入). Checked
    against the whole sentence and against the part of it the segment restates: «减少100所…，
    促进内涵提升» holds both directions, its part «减少100所左右的中职学校» only one."""
    _, opposite, _ = _cues()
    c_cls, _, c_pos = polarity(segment)
    c_neg = polarity(segment, class_denials=False)[1]  # «对非义务教育»: naming the other class is no denial
    part = restated_part(segment, sentence)
    for ref in dict.fromkeys(x for x in (sentence, part) if x):
        s_cls, s_neg, s_pos = polarity(ref)
        if any(opposite.get(c) in s_cls and c not in s_cls for c in c_cls):
            return "与原文的肯定/否定或方向相反"
        # A class whose opposite has another opposite of its own (建立 → 取消, where 取消's is
        # 保留) is read from the source's side too.
        if any(opposite.get(opposite.get(c)) != c and opposite.get(c) in c_cls - s_cls and c not in c_cls for c in s_cls):
            return "与原文的肯定/否定或方向相反"
        if (c_neg & s_pos) | (s_neg & c_pos):
            return "与原文的肯定/否定相反"
        if _caps_a_permission(c_cls, ref):
            return "与原文的肯定/否定或方向相反"
    return None


_LIST_WORDS = {"、", "和", "与", "及", "以及", "或", "或者", "，", ",", "；"}


def order_problem(segment: str, sentence: str) -> str | None:
    """Two things the source relates the other way round: «以教育现代化带动教育信息化» for
    «以教育信息化带动教育现代化». The same words stand between them on both sides, and they are
    not items of a list (whose order says nothing)."""
    stop = _stop_words()

    def once(ws: list[str]) -> dict[str, int]:
        seen: dict[str, int] = {}
        for i, w in enumerate(ws):
            seen[w] = -1 if w in seen else i
        return {w: i for w, i in seen.items() if i >= 0 and len(w) > 1 and _ALL_CJK.fullmatch(w) and w not in stop}

    part = restated_part(segment, sentence)
    if _turned_round(segment, part):
        return "所说的先后或主次与原文相反"
    mine_ws, theirs_ws = words(segment), words(part)
    mine, theirs = once(mine_ws), once(theirs_ws)
    shared = sorted(set(mine) & set(theirs), key=mine.get)
    for k, a in enumerate(shared):
        for b in shared[k + 1:]:
            if theirs[b] >= theirs[a]:
                continue
            between = mine_ws[mine[a] + 1: mine[b]]
            if between and between == theirs_ws[theirs[b] + 1: theirs[a]] and not _LIST_WORDS & set(between):
                return "所说的先后或主次与原文相反"
    return None


# A change from one state to another: «由被动响应向主动服务转变», «从数量扩张转向质量提升».
_CHANGE = re.compile(r"(?:由|从)([\u4e00-\u9fff]{2,10}?)(?:向|到|转向|转为|走向)([\u4e00-\u9fff]{2,10}?)(?:转变|转型|过渡|转化|延伸|拓展|发展|$)")


def _turned_round(segment: str, part: str) -> bool:
    """The claim states the source's change the other way round (由A向B for 由B向A)."""
    mine, theirs = _CHANGE.search(segment), _CHANGE.search(part)
    return bool(mine and theirs) and (mine.group(1), mine.group(2)) == (theirs.group(2), theirs.group(1))


def _denies_what_it_says(segment: str, part: str) -> bool:
    """The segment's denial bears on the part: a word of prohibition or exemption (不得, 无需),
    or words after the negation that the part says (不再单独提高农村教师待遇 / 提高农村教师
    待遇). «超过的部分也不会作废» denies 作废, which the source never says: not a reversal."""
    classes, _, _ = polarity(segment)
    if classes & _NEGATIVE_CLASSES:
        return True
    toks = words(segment)
    at = _first_negator(toks)
    return at is None or bool(bigrams("".join(toks[at + 1:])) & bigrams(part))


_DENIAL = re.compile(r"不得|不再|严禁|禁止|无需|没有|不|未|无")
# Character pairs after the denial a segment must share with a denying part of the sentence for
# that part to be the one it restates (a verb and its object, at least).
DENIED_SHARED = 2


def _denied_there_too(segment: str, sentence: str) -> bool:
    """The segment joins two parts of the sentence («……本科层次招生一律不得再行组织补录» for «……本科层次
    招生，一律不得在常规录取工作结束后再行组织补录»): what it denies, another part denies too."""
    m = _DENIAL.search(segment)
    if not m:
        return False
    denied = bigrams(segment[m.end():])
    for part in _SEGMENT.split(sentence):
        n = _DENIAL.search(part)
        if n and negative(part) and len(denied & bigrams(part[n.end():])) >= DENIED_SHARED:
            return True
    return False


def denial_problem(claim: str, segment: str, sentence: str, match: float, following: str = "") -> str | None:
    """Denial (不/未/无需/禁止) added or dropped in other words: the segment restates the source
    sentence and denies where it does not; or a denying phrase of the sentence is restated in
    the claim, which denies nothing. `following`: the source sentence after it, which may deny
    what the segment joins to it («由…责令改正；拒不改正的，…» read as «责令改正后仍拒不改正»)."""
    part = restated_part(segment, sentence)
    if negative(segment) and part and not negative(part) and not negative(_clause_of(part, sentence)) \
            and grounding(segment, part) >= match and _denies_what_it_says(segment, part) \
            and not _denied_there_too(segment, sentence + following):
        return "与原文的肯定/否定相反"
    if not negative(claim):
        for part in _SEGMENT.split(sentence):
            if negative(_NEGATED_MODIFIER.sub("", part)) and len(bigrams(part)) >= 2 and grounding(part, claim) >= match:
                return "与原文的肯定/否定相反"
    return None


# A negation inside a modifier before a noun («1-2所尚未开齐开足体育美育课程的农村中小学校»)
# describes the noun: a claim leaving the modifier out («支持服务1-2所中小学») denies nothing less.
_NEGATED_MODIFIER = re.compile(r"(?:尚未|未|没有|不)[^，,。；;、的]{1,20}的(?=[\u4e00-\u9fff])")
