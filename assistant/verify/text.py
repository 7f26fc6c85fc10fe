"""Wording shared by the verifier's checks: how much of a claim a source holds, a claim's words
about the topic, and which source sentence (and which part of it) a claim segment restates.

Pure functions of text."""
from __future__ import annotations

import re
from functools import lru_cache

from ..data import read_lines
from ..zh import bigrams, overlap, plain_figures, words

_CJK = re.compile(r"[^\u4e00-\u9fff0-9A-Za-z%]")
_ALL_CJK = re.compile(r"[\u4e00-\u9fff]+")
_SEGMENT = re.compile(r"[，,；;：:、（）()]")


def grounding(claim: str, source_text: str) -> float:
    """Share of the claim's character bigrams found in the source, figures read as values
    (a date or sum the claim writes in other numerals is still the source's wording)."""
    return overlap(plain_figures(claim), plain_figures(source_text))


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    return frozenset(read_lines("stopwords.txt")) | frozenset(read_lines("answer_discourse.txt"))


def content_words(claim: str) -> list[str]:
    """The claim's words about the topic: two or more Chinese characters, not stop or discourse words."""
    stop = _stop_words()
    return [w for w in words(claim) if len(w) > 1 and _ALL_CJK.fullmatch(w) and w not in stop]


def best_sentence(segment: str, sentences: list[str]) -> str:
    b = bigrams(segment)
    return max(sentences, key=lambda s: len(b & bigrams(s)), default="")


@lru_cache(maxsize=4096)
def restated_part(segment: str, sentence: str) -> str:
    """The part of a source sentence (between its commas, colons, brackets) a claim segment
    restates; the direction, negation and swap checks all read it, so it is found once."""
    return best_sentence(segment, _SEGMENT.split(sentence))


_CLAUSE = re.compile(r"[，,；;：:（）()]")


def _clause_of(part: str, sentence: str) -> str:
    """The clause (between commas) holding a part: «不得兼任、担任监事» for «担任监事», whose
    denial stands before the 、 that joins the two verbs."""
    return next((c for c in _CLAUSE.split(sentence) if part and part in c), part)
