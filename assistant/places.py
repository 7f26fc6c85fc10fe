"""Places: the gazetteer (assistant/data/places.tsv), the level of an issuer, and place
names found in a text as words — leftmost-longest, never inside another name (西安 is
not a place in «山西安排»)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .data import read_table
from .zh import word_starts, word_tag

# Issuers with no place in their name that act for the whole country.
NATIONAL_PREFIXES = ("国务院", "全国", "中共中央", "中央", "国家", "中华人民共和国", "教育部", "财政部", "人力资源社会保障部")
_NATIONAL_ORG = re.compile(r"^[\u4e00-\u9fff]{1,8}部(办公厅)?$")
SUFFIXES = {"province": ("省", "市", "自治区", "特别行政区"), "city": ("市", "州", "盟", "地区"), "county": ("市", "县", "区", "旗")}


@dataclass(frozen=True)
class Place:
    name: str  # 河北省
    short: str  # 河北
    level: str  # province | city | county
    parent: str  # the province's full name ("" for a province)


@lru_cache(maxsize=1)
def gazetteer() -> tuple[Place, ...]:
    return tuple(Place(r["name"], r["short"], r["level"], r.get("parent", "") or "") for r in read_table("places.tsv"))


@lru_cache(maxsize=1)
def _forms() -> dict[str, list[Place]]:
    forms: dict[str, list[Place]] = {}
    for p in gazetteer():
        for f in {p.name, p.short}:
            if len(f) >= 2:
                forms.setdefault(f, []).append(p)
    return forms


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    names = sorted(_forms(), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


@dataclass(frozen=True)
class Mention:
    text: str
    start: int
    places: tuple[Place, ...]


def find_places(text: str) -> list[Mention]:
    """Place names in a text, leftmost-longest without overlap: «山西安排» has 山西 only.

    A regex alternation scans left to right and, sorted longest first, takes the longest
    name starting at each position, so a name never starts inside one already taken."""
    out = []
    starts = None
    for m in _pattern().finditer(text):
        if starts is None:
            starts = word_starts(text)
        if not starts[m.start()]:
            continue  # begins inside a word: 同仁 in 一视同仁 is no place
        places = tuple(_forms()[m.group(0)])
        if all(p.level == "county" and m.group(0) == p.short for p in places) and not _known_place_word(m.group(0)):
            continue  # a county's bare name that is an ordinary word: 合作 (项目) is no place
        out.append(Mention(m.group(0), m.start(), places))
    return out


def _known_place_word(word: str) -> bool:
    """Whether jieba's dictionary tags the word as a place name (ns), or does not know it."""
    tag = word_tag(word)
    return tag is None or tag == "ns"


@lru_cache(maxsize=4096)
def _leading_place(name: str) -> Place | None:
    """The place an issuer's name starts with, preferring the highest level that fits."""
    mentions = find_places(name[:12])
    if not mentions or mentions[0].start != 0:
        return None
    m = mentions[0]
    rest = name[len(m.text):]
    rank = {"province": 0, "city": 1, "county": 2}
    for p in sorted(m.places, key=lambda p: rank[p.level]):
        # 吉林 alone is the province; 吉林市 the city: a short form takes its level's suffix.
        if m.text == p.name or any(rest.startswith(s) for s in SUFFIXES[p.level]) or m.text == p.short:
            return p
    return m.places[0]


def issuer_level(issuer: str | None) -> str:
    """national / province / city / county from the issuer's name; unknown if it names none."""
    if not issuer:
        return "unknown"
    if issuer.startswith(NATIONAL_PREFIXES) or _NATIONAL_ORG.match(issuer):
        return "national"
    place = _leading_place(issuer)
    if place is not None:
        return place.level
    if re.match(r"^省", issuer):
        return "province"
    if re.match(r"^市", issuer):
        return "city"
    if re.match(r"^[县区]", issuer):
        return "county"
    return "unknown"


@lru_cache(maxsize=1 << 16)
def issuer_places(issuer: str | None, title: str = "", with_parent: bool = False) -> frozenset[str]:
    """The names by which a document's place is asked about: X, X市 (and, with_parent,
    its province's: a city's document covers a question about its province too). Cached:
    questions ask it of every document, and a document's issuer does not change."""
    names: set[str] = set()
    for src in (issuer or "", title):
        place = _leading_place(src)
        if place is None:
            continue
        names |= {place.name, place.short}
        if place.parent and with_parent:
            parent = next((p for p in gazetteer() if p.name == place.parent), None)
            if parent:
                names |= {parent.name, parent.short}
    return frozenset(n for n in names if len(n) >= 2)
