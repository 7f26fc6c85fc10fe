"""Checks of one claim against the sources it cites: wording, swapped sectors or tiers, 文号.
Figures, clause numbers and comparisons are in figures.py, direction and negation in
polarity.py, the wording the checks share in text.py.

Each check returns a reason (Chinese, shown to staff) or None; all are pure functions of text."""
from __future__ import annotations

import os
import re
from functools import lru_cache

from ingest.meta import doc_numbers

from ..data import read_table
from ..types import Given
from ..zh import bigrams, figures, plain_figures, split_sentences, words
from .polarity import is_cue_word, is_hedge, negative, polarity
from .text import _ALL_CJK, _SEGMENT, _clause_of, _stop_words, best_sentence, content_words, restated_part



def word_grounding(claim: str, source_text: str) -> float:
    """Share of the claim's content words (two or more Chinese characters, not stop words)
    found in the source, words of direction or force (至少, 不得) left to the polarity check.
    Figures are read as values first: «二〇二一年十二月» is the source's
    «2021年12月», and its numeral words are the figure check's to judge, not this one's."""
    plain = plain_figures(claim)
    return max(_share_found(plain, source_text), _share_found(_figures_cut(plain), source_text))


def _share_found(text: str, source_text: str) -> float:
    ws = [w for w in content_words(text) if not is_cue_word(w)]  # 至少 for 不少于: read by class
    return sum(w in source_text for w in ws) / len(ws) if ws else 1.0


def _figures_cut(text: str) -> str:
    """The text with its figures taken out: segmented with them, jieba glues a figure's unit to
    the next character («1445人为基数» gives 人为, «1996年起分» gives 起分), words no source holds;
    cut, a figure takes its measure with it («6年级» loses 年级), so both readings are tried."""
    for f in reversed(figures(text)):
        text = text[:f.start] + "，" + text[f.end:]
    return text


# Least content words (found in the sources, not in the question) a segment needs before its
# locality is read: with fewer, one sentence naming all of them says little.
LOCAL_MIN_WORDS = 3


def local_grounding(segment: str, sentences: list[str], question: str) -> float | None:
    """Share of the segment's content words that its best single source sentence holds, of
    those the sources hold at all: a sentence recombined from the source's words joins words
    that no one sentence of the source joins. None when too few words to tell."""
    stop, text = _stop_words(), "\n".join(sentences)
    ws = {w for w in words(segment) if len(w) > 1 and _ALL_CJK.fullmatch(w) and w not in stop and w in text and w not in question}
    if len(ws) < LOCAL_MIN_WORDS:
        return None
    return max(sum(w in s for w in ws) for s in sentences) / len(ws)


def imported_words(segment: str, cited: list[Given], question: str) -> int:
    """How many of the segment's content words come from other sentences of its sources than
    the one it restates: a sentence recombined from the source's words imports them; a
    paraphrase brings new words instead. Words of the headers, of list lead-ins («享有下列权利：»)
    and of the question are the context of every sentence, not imports."""
    sentences = [s for src in cited for s in split_sentences(src.text)]
    ref = best_sentence(segment, sentences)
    context = "\n".join([ref, question, *(src.header for src in cited), *(s for s in sentences if s.rstrip().endswith(("：", ":")))])
    text, stop = "\n".join(sentences), _stop_words()
    return sum(1 for w in set(words(segment))
               if len(w) > 1 and _ALL_CJK.fullmatch(w) and w not in stop and w in text and w not in context)


def segments(claim: str) -> list[str]:
    """The claim's parts between commas that say something: two bigrams or more, or a bare
    verdict word («可以，但须家长自愿»: its «可以» is what the asker reads)."""
    return [s for s in _SEGMENT.split(claim) if len(bigrams(s)) >= 2 or is_cue_word(s.strip(" 。！？!?"))] or [claim]


# -- sectors and tiers -------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _implies() -> dict[str, str]:
    return {r["form"]: r["implies"] for r in read_table("class_implies.tsv")}


def case_classes(text: str) -> dict[str, set[str]]:
    """The classes a text names, with the wider ones its kinds of school belong to (初中 → 义务教育,
    基础教育): what an asker's case is, for matching it with the rule for its class."""
    wider = " ".join(v for k, v in _implies().items() if k in text)
    return named_classes(text + "|" + wider)


def compatible(case: dict[str, set[str]], rule: dict[str, set[str]]) -> bool:
    """No axis on which the rule names classes and the case names only others."""
    return all(case[axis] & classes for axis, classes in rule.items() if axis in case)

@lru_cache(maxsize=1)
def _axes() -> list[tuple[str, str, tuple[str, ...]]]:
    rows = read_table("contrast_axes.tsv")
    return [(r["axis"], r["class"], tuple(sorted(r["forms"].split(), key=len, reverse=True))) for r in rows]


def named_classes(text: str) -> dict[str, set[str]]:
    """The classes of each axis the text names. Longer forms are read first and taken out, so
    a form inside another is not read again (营利性 in 非营利性, 本科 in 职业本科)."""
    out: dict[str, set[str]] = {}
    for axis, forms in _axis_forms():
        rest = text
        for form, cls in forms:
            if form in rest:
                out.setdefault(axis, set()).add(cls)
                rest = rest.replace(form, "|")
    return out


@lru_cache(maxsize=1)
def _axis_forms() -> list[tuple[str, list[tuple[str, str]]]]:
    by_axis: dict[str, list[tuple[str, str]]] = {}
    for axis, cls, forms in _axes():
        by_axis.setdefault(axis, []).extend((f, cls) for f in forms)
    return [(axis, sorted(forms, key=lambda fc: len(fc[0]), reverse=True)) for axis, forms in by_axis.items()]


def contrast_problem(segment: str, sentence: str, claim: str = "") -> str | None:
    """公办 ↔ 民办, 高职 ↔ 中职, 省级 ↔ 市级: the claim names only classes its source sentence
    does not, where the sentence names another of the same kind."""
    # A lead-in before a colon states the rule and the cases listed after it narrow it («义务教育阶段
    # 学校每周开设5节体育与健康课：小学……；初中……»): a segment restating the lead-in is read
    # against the lead-in's classes, not the cases'.
    lead, colon, _ = sentence.partition("：")
    restated = restated_part(segment, sentence)
    scope = lead if colon and restated and restated in lead else sentence
    mine, theirs, said = named_classes(segment), named_classes(scope), named_classes(claim or segment)
    for axis, classes in mine.items():
        ref = theirs.get(axis, set())  # what the restated sentence names; elsewhere is another matter
        if ref and not (classes | said.get(axis, set())) & ref:  # a swap replaces; naming one more (教师 and 学生) is not one
            return "所说的学校类型或层级与原文不符"
    # A sentence may name both classes (本科 and 高职) and the claim swap one for the other in
    # one place: compare the words the segment adds with those it drops from the part it restates.
    # Read against the whole clause (between commas): the list items before a shared predicate
    # («各高等职业学校、各中等职业学校及时报告») all take it.
    part = _clause_of(restated_part(segment, sentence), sentence)
    if part:
        seg_words, part_words = words(segment), words(part)
        added = named_classes("|".join(w for w in seg_words if w not in set(part_words)))
        dropped = named_classes("|".join(w for w in part_words if w not in set(seg_words)))
        if any(axis in dropped and not (cls & dropped[axis]) for axis, cls in added.items()):
            return "所说的学校类型或层级与原文不符"
    return None


# The doc-number pattern takes up to ten characters before the bracket, so it may take words
# before the issuer's abbreviation too, and a paraphrase words them otherwise (按照国办发 vs
# 按国办发). Two numbers with the same year and number name the same document when their
# prefixes end alike in at least this many characters: an issuer's own ending (国办发, 政办发),
# while a swapped place (晋政发 vs 京政发) shares only two.
ISSUER_OVERLAP = 3


_NUMBER_TAIL = re.compile(r"(?:〔\d{4}〕|第)\d+号$")  # the year and number of the one written form


def same_doc_number(a: str, b: str) -> bool:
    """Whether two 文号 in the one written form (ingest.meta) name the same document."""
    ta, tb = _NUMBER_TAIL.search(a), _NUMBER_TAIL.search(b)
    cut_a, cut_b = ta.start() if ta else len(a), tb.start() if tb else len(b)
    if a[cut_a:] != b[cut_b:]:
        return False
    shared = len(os.path.commonprefix([a[:cut_a][::-1], b[:cut_b][::-1]]))  # the prefixes' common ending
    return shared >= min(cut_a, cut_b) or shared >= ISSUER_OVERLAP


def doc_number_problem(claim: str, cited: list[Given]) -> str | None:
    """A 文号 the claim names must be one a cited source bears (same_doc_number)."""
    given = doc_numbers("\n".join(src.full for src in cited))
    for num in doc_numbers(claim):
        if not any(same_doc_number(num, g) for g in given):
            return f"文号 {num} 与所引原文不符"
    return None


def clear_caches() -> None:
    """Forget the per-text caches (benchmarks time verification cold)."""
    from ..zh import _cut
    from .actors import _actor_slots
    from .figures import _source_figures

    for f in (bigrams, polarity, negative, _actor_slots, _source_figures, restated_part, _cut):
        f.cache_clear()


def sentences_of(src: Given) -> list[str]:
    return split_sentences(src.text) + [src.header]


# Words a claim puts in quotation marks: a name or phrase it says the source uses.
_QUOTED = re.compile(r"[“「『\"《]([^”」』\"》\n]{2,60})[”」』\"》]")
# Left out when quoted words are looked for: spacing, list and clause marks, inner quotes.
_QUOTE_NOISE = re.compile(r"[\s·、，,。：:；;‘’“”「」『』'\"《》〈〉<>]")
# A label the answer gives what it goes on to list («四个统一»): the count is the answer's.
_COUNT_LABEL = re.compile(r"[一二两三四五六七八九十]+个")


def quote_problem(claim: str, cited: list[Given], question: str) -> str | None:
    """Words the claim quotes must be the sources' own (or the asker's): «“十五五”期间» where the
    source says «“十四五”», «“八大行动”» for «“五大行动”». Punctuation, spacing and an ellipsis
    aside; a quote in a part that denies («文件没有单独写明“牵头单位”») names what is missing."""
    quotes = list(_QUOTED.finditer(claim))
    if not quotes:
        return None  # most claims quote nothing: the sources are not normalised for them
    given_raw = "\n".join([*(src.full for src in cited), question])
    given = _QUOTE_NOISE.sub("", given_raw)
    for m in quotes:
        part = _SEGMENT.split(claim[: m.start()])[-1] + m.group(0)
        if negative(part) or is_hedge(part):
            continue
        pieces = [_QUOTE_NOISE.sub("", x) for x in re.split(r"…+|\.{3,}", _COUNT_LABEL.sub("", m.group(1)))]
        if m.group(0).startswith("《") and any(_abbreviates(pieces[0], t) for t in _titles_in(given_raw)):
            continue  # «《教育规划纲要》» for «《国家中长期教育改革和发展规划纲要》»: a short title
        if any(len(x) >= 2 and x not in given for x in pieces):
            return f"引号中的“{m.group(1)}”不见于所引原文"
    return None


def _titles_in(text: str) -> list[str]:
    # (A title's bracketed years or edition, «（2010-2020年）», are not what a short form keeps.)
    return [_QUOTE_NOISE.sub("", re.sub(r"[（(][^）)]*[）)]$", "", t)) for t in re.findall(r"《([^》\n]{2,80})》", text)]


def _abbreviates(short: str, title: str) -> bool:
    """The short title keeps the title's characters in their order (纲要 its last words)."""
    it = iter(title)
    return bool(short) and all(ch in it for ch in short) and short[-2:] == title[-2:]
