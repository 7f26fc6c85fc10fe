"""Vetoes after the gate: evidence the gate passed that cannot answer what the question asks,
because the question asks for a kind of thing (a figure, a named school) the clause never gives.
Quoting such a clause would answer around the question. Each is decided from text alone and was
measured on the bank before it was adopted; a veto refuses with its own reason."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from ..data import read_lines
from ..places import find_places
from ..retrieve.query import QueryInfo

if TYPE_CHECKING:
    from .extractive import Evidence

FIGURE_ABSENT = "最接近的条款没有给出所问的具体数字。"
NAMES_ABSENT = "最接近的条款没有列出所问的具体学校或单位名称。"
ATTRIBUTE_ABSENT = "最接近的条款没有提到所问的{}。"


def figure_absent(ev: Evidence) -> bool:
    """The question asks for a kind of figure (元, 人, %, a date …) that the clause gives nowhere:
    quoting it would answer around the question, and the figure must not be made up. On the bank
    every answered question whose best clause lacked the asked kind was a near-miss (fit 2 of 2,
    validation 1 of 1; no answerable one)."""
    return bool(ev.signals and ev.signals.asks_quantity and ev.signals.quantity_missing_clause)


# «哪几所大学», «名单上都有哪些学校», «哪家公司»: a question after schools or companies by name.
_ASKS_NAMED = {
    "school": re.compile(r"哪(?:几|些)?(?:所|个)?(?:学校|高校|大学|学院)|哪几所"),
    "company": re.compile(r"哪(?:几|些)?(?:家|个)?(?:公司|企业)"),
}
# How such a name ends; it starts with a place (山西工程职业学院, 清徐县职业教育中心, 上海财经大学).
_NAME_ENDS = {
    "school": re.compile(r"大学|学院|学校|中学|小学|高校|教育中心"),
    "company": re.compile(r"公司|集团|企业"),
}
# Characters from a place name to the end of the institution's name, within one phrase: a name
# such as «太原城市职业技术学院» runs eight after its place.
NAME_SPAN = 14
_PHRASE_END = re.compile(r"[，。；、：:,;！？\s]")


def names_absent(ev: Evidence, info: QueryInfo) -> bool:
    """The question asks which schools or companies, and the clause names none: it may say that
    there are 20 of them or a list was published, not which. On the bank's fit and validation
    parts every answered question of this kind whose clause named none was a near-miss (fit 3,
    validation 3; no answerable one)."""
    asked = info.turn or info.text
    kind = next((k for k, pattern in _ASKS_NAMED.items() if pattern.search(asked)), None)
    if kind is None:
        return False
    text = ev.hit.text
    for m in find_places(text):
        end = m.start + len(m.text)  # the name runs on from its place, to the end of the phrase
        if _NAME_ENDS[kind].search(_PHRASE_END.split(text[end: end + NAME_SPAN], 1)[0]):
            return False
    return True


@lru_cache(maxsize=1)
def _attributes() -> tuple[str, ...]:
    return tuple(read_lines("asked_attributes.txt"))


def attribute_absent(ev: Evidence, info: QueryInfo) -> str | None:
    """An attribute of a document or form the question asks about (字数, 模板, 栏目 …;
    data/asked_attributes.txt) that the clause never names: the attribute, else None. On the bank's
    fit and validation parts every answered question of this kind was a near-miss (fit 1,
    validation 3; no answerable one asks one)."""
    asked = info.turn or info.text
    where = ev.hit.text + " ".join(ev.hit.clause.clause_path)
    return next((a for a in _attributes() if a in asked and a not in where), None)
