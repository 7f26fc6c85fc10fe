"""What a question says about where to look: 文号, clause numbers, documents, units, levels.

Pure functions over the question text and the indexed documents' metadata."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping

from ingest.meta import normalize_doc_number

from ..data import read_table
from ..places import find_places, issuer_places
from ..types import Document
from ..zh import asking_part, cn_to_int, int_to_cn, word_starts

# Vocabularies are data files (assistant/data/*, each with its origin noted at its top).
UNIT_ALIASES = {r["full"]: r["short"] for r in read_table("unit_aliases.tsv")}


def _vocabulary(*names: str) -> dict[str, str]:
    """Staff term → its document terms (space-separated), the files read in order; a later
    file's alternatives are added to an earlier one's."""
    out: dict[str, str] = {}
    for name in names:
        for r in read_table(name):
            out[r["staff"]] = " ".join(dict.fromkeys((out.get(r["staff"], "") + " " + r["document"]).split()))
    return out


# The project's rows (hand-written and bank-derived) are trusted both to widen the lexical query
# and to count a staff word as covered by its document term. The general vocabulary only widens
# the lexical query: counted as coverage too, its looser pairs (能不能 → 不得, 现在 → 当前) lifted
# near-misses over the gate and lost answers on the validation part (pass 0.689 against 0.714;
# ../shared/evals/dev.jsonl 0.932 against 0.955, measured 2026-12-04). The phrase table's pairs
# (算进 → 计入) are precise enough to count: bank fit 0.819→0.820, validation 0.767 unchanged, no
# answer lost on either (2026-12-08).
SYNONYMS = _vocabulary("staff_wording_phrases.tsv", "synonyms.tsv")
EXPANSIONS = _vocabulary("staff_wording.tsv", "staff_wording_phrases.tsv", "synonyms.tsv")
# A place named next to one of these is an institution's name (太原市第一中学), not a jurisdiction.
_INSTITUTION_AFTER = r"[^的，,。？?、\s]{0,6}(学校|学院|大学|中学|小学|职中|卫校|中心|集团)"
_SCHOOL_TYPE = r"中等|普通|各|中小|职业院校|高等"  # 北京市中等职业学校: a kind of school in that place
UNITS_Q = re.compile(r"(哪些|哪个|什么)(单位|部门)|谁(来)?负责|由谁|责任单位|牵头|负责单位|负责部门")
NUMBER_Q = re.compile(r"多少|(?<![好十])几[个所项门家次年]|比例|比重|占比|多大|标准是|达到|不低于|金额|人数|数量")


@dataclass(frozen=True)
class QueryInfo:
    text: str
    doc_ids: tuple[str, ...] = ()  # documents the question names (文号, a city's name …)
    level: str | None = None  # 省 / 市 when the question says so
    clause_labels: tuple[str, ...] = ()  # label prefixes: （十一）, 14.
    units: tuple[str, ...] = ()
    asks_units: bool = False
    asks_number: bool = False
    foreign_places: tuple[str, ...] = ()
    years: tuple[str, ...] = field(default=())
    quoted: tuple[str, ...] = ()  # “保障经费投入”: a heading named in quotes
    doc_hints: tuple[str, ...] = ()  # documents the question hints at (年报, a province in a national table)
    local_places: tuple[str, ...] = ()  # cities/counties of a covered province with no document of their own
    mentioned_places: tuple[str, ...] = ()  # places no document issues for that national texts name
    # Articles the question names that the document it names does not have («教育法第八十七条»
    # of a law of 86): as clear a miss as a 文号 no document bears. Shown as «《title》第N条».
    absent_articles: tuple[str, ...] = ()
    # Retrieved documents that never mention a year the question names («2025年的目标» of a plan
    # that runs to 2022): none of their clauses can say what holds in that year.
    yearless_docs: tuple[str, ...] = ()
    # A follow-up merged with the history: the new turn's own words, and the answer it follows
    # (what the asker has already been told). Empty for a question that stands alone.
    turn: str = ""
    previous_answer: str = ""
    # doc_id → how strongly the question's words point at that document's title (retrieve/titles.py).
    title_affinity: Mapping[str, float] = field(default_factory=dict, hash=False, compare=False)


def listed_name(name: str) -> str:
    """A unit as named: a 责任单位 list's closing 等 («省教育厅等», kept as the document writes
    it) is not part of the last name."""
    return name[:-1] if name.endswith("等") and len(name) > 2 else name


def normalize_unit(name: str) -> str:
    """The unit a name stands for: as listed (listed_name), its alias resolved."""
    name = listed_name(name)
    return UNIT_ALIASES.get(name, name)


def expand(text: str) -> str:
    extra = [v for k, v in EXPANSIONS.items() if k in text]
    for full, short in UNIT_ALIASES.items():
        if full in text:
            extra.append(short)
    return text + (" " + " ".join(extra) if extra else "")


def doc_places(doc: Document) -> frozenset[str]:
    """X, X市 … : the place a document's issuer (or title) names."""
    return issuer_places(doc.issuer, doc.title)


@lru_cache(maxsize=1 << 16)
def _doc_aliases(doc: Document) -> frozenset[str]:
    # A city's or county's name narrows a question to its documents; a province's name does
    # not (a province's plan, report and explainers are all "the province's").
    names = set(doc_places(doc)) if doc.level in ("city", "county") else set()
    if doc.kind == "report":
        names |= {"年报", "质量年度报告", "年度报告", "质量报告"}
    if doc.kind == "news":
        names |= {"新闻", "报道", "解读"}
    if doc.doc_number:
        names.add(doc.doc_number)
    return frozenset(names)


@lru_cache(maxsize=1 << 16)
def title_aliases(doc: Document) -> frozenset[str]:
    """How a question names a document: its title, without 中华人民共和国 or a trailing
    （2021修正）; laws are named by their short title (教育法)."""
    out = set()
    for t in filter(None, (doc.title, doc.notice_title)):
        bare = re.sub(r"（[^）]*）$", "", t)
        out |= {t, bare, bare.removeprefix("中华人民共和国"), re.sub(r"[《》]|中华人民共和国", "", bare)}
    return frozenset(a for a in out if len(a) >= MIN_TITLE_ALIAS)


# A title is named as a word: «职业教育法» does not name the 教育法. These may precede it.
_BEFORE_NAME = set("按照据依的和与及在于对从是《了把")  # a particle or preposition before a title


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


# 教育法 is three characters; a shorter run of a title is a common word, not a name.
MIN_TITLE_ALIAS = 3


class DocIndex:
    """What analysing a question asks of the documents, indexed once per document list: a
    question then costs lookups at each of its positions, not a pass over every document's
    titles, aliases and places (500 documents: 6 ms of every question)."""

    def __init__(self, documents: list[Document]) -> None:
        self.order = {d.doc_id: i for i, d in enumerate(documents)}
        self.numbers = {d.doc_number for d in documents if d.doc_number}
        self.by_number: dict[str, list[str]] = {}
        for d in documents:
            if d.doc_number:
                self.by_number.setdefault(d.doc_number, []).append(d.doc_id)
        self.titles = self._by_head([(a, d.doc_id) for d in documents for a in title_aliases(d)], MIN_TITLE_ALIAS)
        self.kinds = self._by_head([(a, d.doc_id) for d in documents for a in _doc_aliases(d) - doc_places(d) if len(a) >= 2], 2)
        self.place_docs: dict[str, set[str]] = {}
        for d in documents:
            for place in _places_of(d, documents, with_parent=True):
                self.place_docs.setdefault(place, set()).add(d.doc_id)
        self.unplaced = {d.doc_id for d in documents if not _places_of(d, documents)}
        self.covered = covered_places(documents)

    @staticmethod
    def _by_head(pairs: list[tuple[str, str]], n: int) -> dict[str, list[tuple[str, str]]]:
        out: dict[str, list[tuple[str, str]]] = {}
        for alias, doc_id in pairs:
            out.setdefault(alias[:n], []).append((alias, doc_id))
        return out

    def occurrences(self, q: str, table: dict, n: int):
        """(start, alias, doc id) of every alias of `table` occurring in q."""
        for i in range(len(q) - n + 1):
            for alias, doc_id in table.get(q[i: i + n], ()):
                if q.startswith(alias, i):
                    yield i, alias, doc_id

    def sorted_ids(self, ids) -> list[str]:
        return sorted(set(ids), key=self.order.__getitem__)


_INDEXES: dict[int, tuple[list, DocIndex]] = {}


def doc_index(documents: list[Document]) -> DocIndex:
    """The index of this document list (the assistant keeps one list for its lifetime)."""
    got = _INDEXES.get(id(documents))
    if got is None or got[0] is not documents or len(got[1].order) != len(documents):
        if len(_INDEXES) > 8:
            _INDEXES.clear()
        got = _INDEXES[id(documents)] = (documents, DocIndex(documents))
    return got[1]


def named_by_title(q: str, documents: list[Document]) -> list[str]:
    """Documents the question names by title, longest match wins: «高等教育法» names the
    higher-education law, not the education law whose title it contains."""
    index = doc_index(documents)
    first: dict[tuple[str, str], int] = {}
    for start, a, doc_id in index.occurrences(q, index.titles, MIN_TITLE_ALIAS):
        first.setdefault((a, doc_id), start)  # an alias counts where it first occurs
    spans = [(start, start + len(a), doc_id) for (a, doc_id), start in first.items()
             if start == 0 or q[start - 1] in _BEFORE_NAME or not _is_cjk(q[start - 1])]
    kept = [s for s in spans if not any(o[0] <= s[0] and s[1] <= o[1] and (o[1] - o[0]) > (s[1] - s[0]) for o in spans)]
    return index.sorted_ids(s[2] for s in kept)


def _named_by_place(q: str, documents: list[Document]) -> list[str]:
    """A place names the documents issued there or in its cities (and those of unknown
    origin, which a place cannot rule out)."""
    words = {m.text for m in find_places(q)}
    if words:
        index = doc_index(documents)
        placed = set().union(*(index.place_docs.get(w, set()) for w in words))
        if placed and len(placed) < len(documents):
            return index.sorted_ids(placed | index.unplaced)
    return []


def _places_of(doc: Document, documents: list[Document], with_parent: bool = False) -> set[str]:
    """A document's places; one forwarded without a place of its own (教育厅等部门) has those
    of the notice that forwards it."""
    got = issuer_places(doc.issuer, doc.title, with_parent=with_parent)
    if not got and doc.forwarded_by:
        parent = next((d for d in documents if d.doc_number == doc.forwarded_by), None)
        if parent is not None:
            got = issuer_places(parent.issuer, parent.title, with_parent=with_parent)
    return got


def _hinted_by_kind(q: str, documents: list[Document]) -> list[str]:
    """年报/解读 hint at a kind of document; only a hint: «年报制度» is a topic, not the report."""
    index = doc_index(documents)
    return index.sorted_ids(doc_id for _, _, doc_id in index.occurrences(q, index.kinds, 2))


def covered_places(documents: list[Document]) -> frozenset[str]:
    """Places the corpus answers for: its documents' issuers and their provinces."""
    return _covered(tuple(sorted({(d.issuer or "", d.title) for d in documents})))


@lru_cache(maxsize=4)
def _covered(issuers: tuple[tuple[str, str], ...]) -> frozenset[str]:
    return frozenset(n for issuer, title in issuers for n in issuer_places(issuer, title, with_parent=True))


# «我们是拉萨一所中学», «我校地处长治»: the asker's own place. Its province's documents govern
# it, so it is no sign that the question wants a document of that city (unlike «长治的行动计划»).
_OWN_PLACE = re.compile(r"(?:我们|咱们|我校|本校|我们学校|我所在|我单位)[^，,。？?；;]*$")
_OWN_PLACE_CHARS = 8
# A question that asks what its province or city says («省里», «我们市») wants that place's own documents.
_PROVINCE_ASKED = re.compile(r"省里|省级|全省|本省|我省|市里|本市|我市|省政府|市政府|省教育厅|市教育局")


def foreign_places(q: str, covered: set[str], corpus_text_has, naming: list | None = None,
                   local: list | None = None, mentioned: list | None = None) -> tuple[str, ...]:
    """Places the question asks about that no document issues for or even mentions: another
    province, or a city of one. Matched as words (西安 is not in 山西安排). National documents
    that name such a place are added to `naming`: only they can answer. A city or county of a
    covered province with no document of its own goes to `local`: its province's documents
    may govern it (太原的学校 under a 山西 plan), or the question wants its own (大同的计划) —
    not a clear miss, a signal for the answerability model. Places only national texts name go
    to `mentioned` as well."""
    out = []
    for m in find_places(q):
        if m.text in covered or any(p.name in covered or p.short in covered for p in m.places):
            continue
        own = bool(_OWN_PLACE.search(q[max(0, m.start - _OWN_PLACE_CHARS): m.start]))
        if any(p.parent and p.parent in covered for p in m.places):
            if local is not None and not own:
                local.append(m.text)
            continue
        after = re.match(_INSTITUTION_AFTER, q[m.start + len(m.text):])
        if after and not re.search(_SCHOOL_TYPE, after.group(0)) and all(p.level != "province" for p in m.places):
            continue  # 太原市第一中学: a school's name, not the city's rules
        docs = corpus_text_has(m.text)
        if own and not docs and not _PROVINCE_ASKED.search(q):
            # «我们是成都的中学，……»: national rules govern the asker's school wherever it is; only
            # another place's own documents cannot speak for it (compose.lookups.outside_jurisdiction).
            if mentioned is not None:
                mentioned.append(m.text)
            continue
        if docs:
            if naming is not None:
                naming += [d for d in docs if d not in naming]
            if mentioned is not None:
                mentioned.append(m.text)
            continue  # a national document names it (a table of provinces): it decides
        out.append(m.text)
    return tuple(out)


def _doc_number(q: str, documents: list[Document]) -> str | None:
    """The 文号 a question names. The pattern may take a word before it for the issuer's
    abbreviation («按教基一〔2010〕1号»): a known number it ends with is the one meant."""
    num = normalize_doc_number(q)
    if not num:
        return None
    numbers = doc_index(documents).numbers
    known = [num[i:] for i in range(len(num)) if num[i:] in numbers]
    return max(known, key=len) if known else num


def _mentioned(num: str, corpus_text_has) -> bool:
    head = num.split("〔")[0]
    return any(corpus_text_has(num[i:]) for i in range(max(1, len(head) - 1)))


def _named_units(q: str, known_units) -> list[str]:
    """Units the question names as words, or right after a place (运城市教育局 names the
    市教育局 of 运城); not inside another word."""
    found = [u for u in known_units if u and u in q]
    if not found:
        return []
    starts = word_starts(q)
    places = find_places(q)
    ends = {m.start + len(m.text) for m in places} | {m.start + len(m.text) - 1 for m in places}
    return [u for u in found if _as_word(q, u, starts, ends)]


def _as_word(q: str, name: str, starts: list[bool], ends: set[int]) -> bool:
    i = q.find(name)
    while i >= 0:
        if starts[i] or i in ends:
            return True
        i = q.find(name, i + 1)
    return False


_ARTICLE = re.compile(r"第([零〇一二三四五六七八九十百\d]+)条")
# A numbered clause label of any style: 第八条, （八）, 8.
NUMBERED_LABEL = re.compile(r"第[零〇一二三四五六七八九十百\d]+条|[（(][一二三四五六七八九十]+[）)]|\d+[.．]")


def named_articles(q: str) -> list[tuple[str, list[str]]]:
    """The articles a question names («第八十七条»), each with the labels a clause of that
    number may bear: 第八十七条 in a law, 87. or （八十七） in a plan."""
    out = []
    for m in _ARTICLE.finditer(q):
        n = cn_to_int(m.group(1))
        if n:
            out.append((m.group(0), [f"{n}.", f"（{int_to_cn(n)}）", f"第{int_to_cn(n)}条"]))
    return out


def analyse(question: str, documents: list[Document], known_units: set[str], corpus_text_has) -> QueryInfo:
    q = question.strip()
    doc_ids: list[str] = []
    # 文号 in any bracket style, or the short «19号文».
    index = doc_index(documents)
    num = _doc_number(q, documents)
    doc_ids += index.by_number.get(num, []) if num else []
    for m in re.finditer(r"(\d{1,4})号文", q):
        doc_ids += index.sorted_ids(i for n, ids in index.by_number.items() if n.endswith(f"〕{m.group(1)}号") for i in ids)
    if not doc_ids:  # by title, or by a staff name for it (职教20条) from the vocabulary
        doc_ids = named_by_title(expand(q), documents)
    if not doc_ids:
        doc_ids = _named_by_place(q, documents)
    level = None
    if re.search(r"省里|省级文件|省政府|省里的|全省性|省的规定|省行动计划|省文件", q):
        level = "province"
    elif re.search(r"市里|市级文件|市政府", q) and not doc_ids:
        level = "city"

    labels: list[str] = []
    for m in re.finditer(r"(专栏|附件|附表)\s*(\d{1,3})", q):  # 专栏2, 附件1: named blocks
        labels.append(f"{m.group(1)}{m.group(2)}")
    for m in re.finditer(r"第?[（(]([一二三四五六七八九十]+)[）)]条?", q):
        labels.append(f"（{m.group(1)}）")
    for _, variants in named_articles(q):
        labels += variants
    units = _named_units(q, known_units)
    for full, short in UNIT_ALIASES.items():
        if full in q:
            units.append(short)
    naming: list[str] = []
    local: list[str] = []
    mentioned: list[str] = []
    foreign = foreign_places(q, index.covered, corpus_text_has, naming, local, mentioned)
    # National documents naming a place no document issues for (a table of provinces) may
    # answer for it: a hint, not a restriction.
    hints = [d for d in dict.fromkeys(naming + _hinted_by_kind(q, documents)) if d not in doc_ids]
    if num and num not in index.numbers and not _mentioned(num, corpus_text_has):
        foreign += (num,)  # a 文号 no indexed document bears: that document is not here
    years = tuple(re.findall(r"(20\d\d)年", q))
    return QueryInfo(
        text=q, doc_ids=tuple(dict.fromkeys(doc_ids)), level=level, clause_labels=tuple(dict.fromkeys(labels)),
        units=tuple(dict.fromkeys(units)), asks_units=bool(UNITS_Q.search(q)), asks_number=bool(NUMBER_Q.search(asking_part(q))),
        foreign_places=foreign, years=years, doc_hints=tuple(hints), local_places=tuple(local),
        mentioned_places=tuple(mentioned), quoted=tuple(re.findall(r"[“\"]([^”\"]{2,20})[”\"]", q)),
    )
