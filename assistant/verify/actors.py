"""Offices a claim names, checked against the sources it cites: named there (a shorter writing
of a name the source gives is that office), and in the role the source gives them.

Pure functions of text; known_units are the 责任单位 the corpus lists, read as one word each."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..data import read_lines
from ..retrieve.query import UNIT_ALIASES, listed_name
from ..types import Given
from ..zh import DOC_NUMBER, add_words, bigrams, word_tag, words
from .polarity import is_hedge
from .text import _SEGMENT

_ALIAS_OF = {v: k for k, v in UNIT_ALIASES.items()}

_BRACKETS = str.maketrans("（）［］【】〔〕", "()[][]()")
# A bracketed list of levels inside a name («各县（市、区）人民政府») qualifies it; the office is
# «各县人民政府».
_QUALIFIER = re.compile(r"(?<=[\u4e00-\u9fff])[(\[][\u4e00-\u9fff、，]{1,8}[)\]](?=[\u4e00-\u9fff])")


def office_text(text: str) -> str:
    """Text as office names are read in it: one bracket style, level qualifiers dropped."""
    return _QUALIFIER.sub("", text.translate(_BRACKETS))
# Tags of words that may stand inside an office's name (教育/行政/部门, 县级, 人社).
_NAME_TAGS = ("n", "nr", "ns", "nt", "nz", "vn", "b", "j", "an", "ng", "l")
_LEVEL_WORDS = set("省市县区乡镇国各") | {"国家", "国务院", "自治区", "本级", "同级", "上级", "地方", "省级", "市级", "县级", "国家级",
                                        "各省", "各市", "各县", "各区", "各级"}
# At most this many words before the office word make up its name («县级/教育/行政部门»).
_NAME_WORDS = 4


@lru_cache(maxsize=1)
def _org_suffixes() -> tuple[str, ...]:
    return tuple(sorted(read_lines("office_suffixes.txt"), key=len, reverse=True))


@lru_cache(maxsize=1)
def _lookalikes() -> tuple[str, ...]:
    return tuple(read_lines("office_lookalikes.txt"))


def looks_like_office_only(word: str) -> bool:
    """A word ending like an office that names none: a lookalike, or a word jieba made of one
    and what stands before it («调整布局»)."""
    return word.endswith(_lookalikes())


@lru_cache(maxsize=8)
def _plain(known_units: frozenset[str]) -> frozenset[str]:
    """Units as named: a 责任单位 list's closing 等 («省文化厅等») is not part of the last name."""
    return frozenset(map(listed_name, known_units))


def actors(text: str, known_units: frozenset[str] = frozenset()) -> list[list[str]]:
    """The offices a text names, each as its words: a word ending like an office (厅, 局,
    部门, 政府 …; assistant/data/office_suffixes.txt) with the name words before it."""
    known_units = _plain(known_units)
    add_words(known_units)  # a known unit is one word (省人社厅), as at retrieval
    text = DOC_NUMBER.sub(" ", text)  # 南政办〔2017〕215号 names a document, not an office
    # Retrieval may have made «省文化厅等» one jieba word: the name is without the 等.
    toks = [t[:-1] if t.endswith("等") and t[:-1] in known_units else t for t in words(office_text(text))]
    out = []
    for i, t in enumerate(toks):
        # jieba leaves a one-character ending alone after the words of a name («发展|改革|委»).
        bare_end = len(t) == 1 and t in _org_suffixes() and i > 0 and len(toks[i - 1]) > 1 \
            and (word_tag(toks[i - 1]) or "x").startswith(_NAME_TAGS)
        if not (t in known_units or bare_end or (len(t) >= 2 and t.endswith(_org_suffixes()) and not looks_like_office_only(t)
                                                 and not (word_tag(t) or "n").startswith("v"))):
            continue
        j = i
        # A name that opens with its level (省人社厅) takes no words before it: «建议市教育局».
        while j > 0 and i - j < _NAME_WORDS and t[0] not in _LEVEL_WORDS and (toks[j - 1] in _LEVEL_WORDS or (len(toks[j - 1]) > 1 and (word_tag(toks[j - 1]) or "x").startswith(_NAME_TAGS))):
            j -= 1
            if toks[j] in _LEVEL_WORDS:
                break  # a level opens a name: «建议/市/教育局» names 市教育局
        name = toks[j: i + 1]
        # A bare 部门 or 政府 names no one in particular; 公安机关 or a known unit does.
        if len(name) > 1 or t in known_units or len(t) > len(next(x for x in _org_suffixes() if t.endswith(x))) + 1:
            out.append(name)
    return out


def actor_problem(claim: str, cited: list[Given], known_units: frozenset[str], denied_asked: str = "") -> str | None:
    """Every office the claim names must be named by a cited source (header or text): each
    word of its name there, a level (省/市/县) together with the word it qualifies. An office
    the asker named may stand in a claim that denies it (`denied_asked`: the question, given
    only for a claim that denies): «并未列入团市委» answers «团市委是责任单位吗», and says
    what the sources say by their silence."""
    ref = office_text("\n".join(src.full for src in cited))
    for name in actors(claim, known_units):
        whole = "".join(name)
        if denied_asked and whole in denied_asked:
            continue
        if any(f"{back}{whole}" in claim for back in _REFERS_BACK):
            continue  # «除上述省级部门外»: the offices the answer named before, not a new one
        bare = whole.removeprefix("各")  # «各市» is every 市: a quantifier, not part of the name
        # «管委会和县（市、区）人民政府»: jieba reads 和县 (a county's name) where 和 joins two offices.
        joined = whole[1:] if whole[:1] in "和与及" else whole
        full = _PEOPLES.sub(r"\1人民政府", whole)  # «湖北省政府» is the source's «湖北省人民政府»
        if any(w in ref or UNIT_ALIASES.get(w, w) in ref or w in _ALIAS_OF and _ALIAS_OF[w] in ref for w in {whole, bare, joined, full}):
            continue
        # Is it an office a source names, perhaps written shorter? «人社部门» from «人社» in one
        # place and «部门» in another is not a name the source gives.
        named = any(_same_office(whole, s) for src in cited for s in _actor_slots(office_text(src.full), known_units))
        # A name jieba keeps as one word has no words to look for: that settles it («教育部门» for
        # «教育行政部门»). (Not one opening with a level: «县级人民政府» for «各县人民政府» may be a level moved.)
        if len(name) == 1 and whole[:1] not in _LEVEL_WORDS and named:
            continue
        for k, w in enumerate(name):
            if w == "各":
                continue  # «各市» is every 市: a quantifier, not part of a name
            need = w + name[k + 1] if len(w) == 1 and k + 1 < len(name) else w
            if len(need) > 1 and need not in ref and UNIT_ALIASES.get(need, need) not in ref and _ALIAS_OF.get(need, need) not in ref:
                return f"“{whole}”不见于所引原文"
        if not named:  # each word is there, but not as the office's name
            return f"“{whole}”不见于所引原文"
    return None


_PEOPLES = re.compile(r"([省市县区州])政府")
# Words before an office word that point back to offices already named («上述省级部门»).
_REFERS_BACK = ("上述", "前述", "以上", "这些", "这几个", "该")


# Characters either side of an office name that say what it does («由__负责管理监督考核»).
ACTOR_CONTEXT = 10


@dataclass(frozen=True)
class _Slot:
    name: str  # the office as written
    around: frozenset[str]  # bigrams of the words either side, within its own clause
    full: str  # the name with the words it runs on into (地方人民政府教育行政部门)
    sentence: frozenset[str]  # bigrams of its whole sentence
    recipient: bool = False  # «向教育部报送»: the office receives; the verbs around are another's


_ROLE_END = re.compile(r"[；;。\n]")
# What makes the office after it a recipient, not the one acting: «……组织专家进行审核，向教育部报送».
_TO = re.compile(r"(?:向|给|报|报送|报请|呈报|提交|提交至|送至|送交|交)$")
_NAME_END = re.compile(r"[、，,；;。：:\n（）()]")


@lru_cache(maxsize=2048)
def _actor_slots(text: str, known_units: frozenset[str]) -> tuple[_Slot, ...]:
    """Each office a text names with the words around it."""
    out, start = [], 0
    for name in actors(text, known_units):
        whole = "".join(name)
        at = text.find(whole, start)
        if at < 0:
            continue
        start = at + len(whole)
        # An office's role is said in its own clause: «A主管X；B则主管Y» gives B none of X.
        before = _ROLE_END.split(text[max(0, at - ACTOR_CONTEXT): at])[-1]
        after = _ROLE_END.split(text[start: start + ACTOR_CONTEXT])[0]
        sentence = _ROLE_END.split(text[:at])[-1] + _ROLE_END.split(text[at:])[0]
        out.append(_Slot(whole, frozenset(bigrams(before + "|" + after) - bigrams(whole)),
                         whole + _NAME_END.split(text[start: start + ACTOR_CONTEXT])[0], frozenset(bigrams(sentence)),
                         bool(_TO.search(before))))
    return tuple(out)


def _same_office(name: str, slot: _Slot) -> bool:
    return same_office(name, slot.name, slot.full)


def same_office(name: str, named: str, full: str | None = None) -> bool:
    """The claim's office is the one named (`full`: with the words it runs on into), perhaps
    written shorter: «地方政府» for «地方人民政府», «地方教育行政部门» for «地方人民政府教育行政部门»
    (same level first, the characters in order), not «市人民政府» for «直辖市人民政府»."""
    if name in named or named in name:
        return True
    name = re.sub(r"(?<=[省市县区乡镇])级", "", name).removeprefix("各")  # 县级政府 is 县…政府
    full = (full or named).removeprefix("各")  # 各县人民政府: every 县人民政府
    it = iter(full)
    return name[:1] == full[:1] and all(ch in it for ch in name)


def actor_role_problem(claim: str, cited: list[Given], known_units: frozenset[str], least: int) -> str | None:
    """Offices in swapped roles («由教育部门负责…由人社部门负责» reversed): the source office
    whose surroundings best match the claim office's must be that office; where several match
    as well (parallel sentences «由区教育行政部门审批» / «由区人社部门审批»), the one whose
    sentence shares most with the claim."""
    slots = [s for src in cited for s in _actor_slots(office_text(src.text), known_units)]
    if len({s.name for s in slots}) < 2:
        return None
    listed = office_text("\n".join(src.header for src in cited))
    for mine in _actor_slots(office_text(claim), known_units):
        if mine.name in listed:
            continue  # a responsible unit the header lists: the claim is naming the clause's units
        alike = [s for s in slots if s.recipient == mine.recipient]  # one who acts is compared with those who act
        top = max((len(mine.around & s.around) for s in alike), default=0)
        if top < least:
            continue
        best = [s for s in alike if len(mine.around & s.around) == top]
        most = max(len(mine.sentence & s.sentence) for s in best)
        best = [s for s in best if len(mine.sentence & s.sentence) == most]
        if not any(_same_office(mine.name, s) for s in best) and not any(
                _listed_together(mine.name, s.name, office_text(src.text), "共同" in claim) for s in best for src in cited):
            return f"“{mine.name}”在原文中不承担这项职责（原文为“{'、'.join(sorted({s.name for s in best}))}”）"
    return None


# What may stand between two offices of one list («教育行政部门、人力资源社会保障行政部门或者其他有关部门»).
_LIST_JOINT = re.compile(r"(?:[、，,]|和|及|与|以及|或者|或|其他|等)+")
# The longest list of offices read as one (characters): a sentence's worth of names. Set by
# hand, not fitted: four or five full office names (人力资源社会保障行政部门 is 12).
LIST_SPAN = 60


def _listed_together(name: str, other: str, text: str, jointly: bool = False) -> bool:
    """The source names both offices in one list: they share the role the sentence gives them —
    unless the list bears it together («由教育部、省级教育行政部门及试点高校共同承担») and the
    claim (not `jointly`) gives it to one of them alone."""
    for m in re.finditer(re.escape(other), text):
        window = text[max(0, m.start() - LIST_SPAN): m.end() + LIST_SPAN]
        at = m.start() - max(0, m.start() - LIST_SPAN)
        for n in re.finditer(re.escape(name), window):
            lo, hi = (n.end(), at) if n.start() < at else (at + len(other), n.start())
            between = window[lo:hi]
            if lo < hi and _LIST_JOINT.fullmatch(re.sub(r"[\u4e00-\u9fff]{2,16}?(?:部门|机关|厅|局|委|办|政府)", "", between) or "、"):
                return jointly or "共同" not in window[max(lo, hi): max(lo, hi) + LIST_SPAN // 2]
    return False


_CLAIM_CLAUSE = re.compile(r"[，,；;：:。]")


@lru_cache(maxsize=1)
def _titles() -> frozenset[str]:
    return frozenset(read_lines("position_titles.txt"))


def title_problem(claim: str, cited: list[Given], question: str = "") -> str | None:
    """A post the claim puts in charge (局长, 副市长, 召集人) must be one the cited sources or the
    asker name: «召集人是市教育局局长» where the source has the 副市长 convene."""
    ref = "\n".join(src.full for src in cited) + "\n" + question
    missing = [w for w in words(claim) if w in _titles() and w not in ref]
    if missing:
        # (A caveat naming a post the sources leave out — «没有写明联席会议的召集人» — puts no one in charge.)
        said = " ".join(seg for seg in _SEGMENT.split(claim) if not is_hedge(seg))
        missing = [w for w in missing if w in said]
    return f"“{missing[0]}”不见于所引原文" if missing else None


def denied_unit_problem(claim: str, cited: list[Given], known_units: frozenset[str]) -> str | None:
    """A clause of the claim that denies an office the cited source lists as a responsible unit
    («……并不由县级政府负责»): the source gives it that task."""
    from .polarity import negative

    # Joined and read as office names first: «各县［市、区］人民政府» is one unit.
    listed = [u for src in cited for u in office_text("、".join(src.units)).split("、") if u]
    for part in _CLAIM_CLAUSE.split(claim):
        if not listed or not negative(part):
            continue
        for name in actors(part, known_units):
            whole = "".join(name)
            unit = next((u for u in listed if same_office(whole, u)), None)
            if unit:
                return f"原文把“{unit}”列为责任单位"
    return None


# «由省教育厅牵头», «省教育厅牵头负责»: the office a claim puts in the lead.
_LEADS = re.compile(r"(?:由|以)?(?P<office>[\u4e00-\u9fff、（）()]{2,24}?)(?:牵头|为牵头单位|作为牵头单位)")


def _lead_name(matched: str) -> str:
    """The office a _LEADS match ends with: the last of those it lists, without its 由 or 以."""
    return re.split(r"[由以、，]", matched)[-1]


def lead_problem(claim: str, cited: list[Given]) -> str | None:
    """An office the claim puts in the lead must lead in the source: named there with 牵头, or,
    where the source names no lead in words, first in its 责任单位 (documents list the lead unit
    first). «由国家发展改革委牵头» where the source's text has 教育部牵头 is a swapped lead."""
    m = _LEADS.search(claim)
    if not m:
        return None
    office = re.sub(r"(?:单独|共同|统一|具体|负责)$", "", _lead_name(m.group("office")))
    if len(office) < 2 or re.search(r"[一二两三四五六七八九十几\d][家个所方]", office):
        return None  # «由三家单位牵头：A、B和C»: a count of the leads the claim goes on to name
    texts = [office_text(src.text) for src in cited]
    led = [x.group("office") for t in texts for x in _LEADS.finditer(t)]
    if led:
        if any(same_office(office, _lead_name(x)) or office in x for x in led):
            return None
        return f"原文的牵头单位不是“{office}”"
    firsts = [src.units[0] for src in cited if src.units]
    if firsts and not any(same_office(office, office_text(u)) for u in firsts) \
            and any(same_office(office, office_text(u)) for src in cited for u in src.units):
        return f"原文的牵头单位是“{firsts[0]}”"
    return None
