"""Figures in a claim against its sources: each figure read as a value bound to what it counts
(zh.figures), clause numbers and list labels, ratios, ordinals, and comparisons between figures.

Each check returns a reason (Chinese, shown to staff) or None; all are pure functions of text."""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from ..data import read_lines
from ..types import Given
from ..zh import DOC_NUMBER, Figure, bigrams, cn_to_int, figures, split_sentences, word_tag, words
from .checks import named_classes
from .text import _ALL_CJK, best_sentence

# Context a figure is read in: the characters before it (what it counts) and after (its unit's
# noun). 12 / 6 cover a subject and verb in the documents' sentences («生均拨款水平不低于…»).
FIGURE_CONTEXT_BEFORE, FIGURE_CONTEXT_AFTER = 12, 6


def _context(text: str, f: Figure) -> set[str]:
    return bigrams(text[max(0, f.start - FIGURE_CONTEXT_BEFORE): f.start] + text[f.end: f.end + FIGURE_CONTEXT_AFTER])


# A table row as chunks hold it (types.row_text): «指标：课堂育人满意度；单位：%；2023年：84.60».
_ROW = re.compile(r"[^：；\n]{1,30}：[^；\n]*(?:；[^：；\n]{1,30}：[^；\n]*)+")


def _source_context(text: str, f: Figure) -> tuple[set[str], bool]:
    """What a source figure is said of, and whether it is a table cell: the words around it,
    or, in a table row, the whole row (its label cells name what a cell counts, however far
    before it they stand)."""
    start = text.rfind("\n", 0, f.start) + 1
    end = text.find("\n", f.end)
    line = text[start: end if end >= 0 else len(text)]
    if _ROW.fullmatch(line):
        return bigrams(line[: f.start - start] + line[f.end - start:]), True
    return _context(text, f), False


# What may stand between a figure and the noun it counts («民办院校有5所», «专任教师达到2万人»).
_LINK = re.compile(r"(?:[有为是达共约计占了到至总合]|达到|共有|合计|总计|累计|增至|超过|不少于|不低于|不超过)*$")


def _counted_noun(text: str, f: Figure) -> tuple[str, str] | None:
    """What a figure counts when the sentence names it first: the noun right before it (its
    linking verb left out; a word jieba's dictionary tags as a noun, not 建设 or 每周), and the
    Chinese characters right after its unit (up to two: «2节技能教学课» is not «2节体育与健康课»)."""
    head = _LINK.sub("", text[max(0, f.start - 12): f.start])
    ws = words(head) if head else []
    if not ws or not _ALL_CJK.fullmatch(ws[-1]) or len(ws[-1]) < 2 or not (word_tag(ws[-1]) or "").startswith("n"):
        return None
    after = re.match(r"[\u4e00-\u9fff]{0,2}", text[f.end:]).group(0)
    return ws[-1], after


def _show(f: Figure) -> str:
    unit = {"year": "年", "%": "%"}.get(f.unit, f.unit)
    return format(f.value, "f") + unit


# «约1.43万元» for 14290.64元: a figure written as approximate may differ from the source's by
# rounding to two or three significant digits, which stays within this share.
APPROXIMATION = 0.05
# A figure of this many significant digits (330986, 14290.64) found in the source is the
# source's: such numbers do not recur by chance, and table cells carry no words around them.
DISTINCTIVE_DIGITS = 4
_LABEL = re.compile(r"(?:^|›\s*)(?:(\d{1,3})[.．、]|[（(]([一二三四五六七八九十百]+)[）)]|([一二三四五六七八九十百]+)、)", re.M)
# A count of documents («两份文件», «这三个通知»): what follows the figure is a kind of document.
_DOCUMENTS_NEXT = re.compile(r"(?:[\u4e00-\u9fff]{0,4}?)(?:文件|" + "|".join(read_lines("document_kinds.txt")) + ")")
# Ordinals that number events or batches: «第92次» is the «92次» a source writes.
_MEASURE_OF_ORDINAL = {"第次": "次", "第批": "批"}
_COUNTED_UNITS = {"个", "项", "家", "所", "条", "门", "批"}
_ITEMS = re.compile(r"[、，,；;]|以及")


def labels(text: str) -> set[int]:
    """The clause numbers a text shows as labels: 22. / （二十四） / 七、."""
    return {cn_to_int(next(g for g in m.groups() if g)) or 0 for m in _LABEL.finditer(text)}


_CN_ORD = "一二三四五六七八九十百零〇"
# Clause references written out in a claim: 第十三章, 第（十二）条, «（十六）开展…» (a label before
# its heading's words). Chinese ordinals carry no measure word, so figures() does not read them.
_CLAUSE_REF = re.compile(rf"第\s*[（(]?([{_CN_ORD}]+|\d+)[）)]?\s*[编章节条部]|[（(]([{_CN_ORD}]+)[）)](?=[\u4e00-\u9fff])")


def clause_refs(text: str) -> set[int]:
    """The clause numbers a text names in running words (第十三章, 第（十二）条, （十六）开展…)."""
    out = set()
    for m in _CLAUSE_REF.finditer(text):
        g = m.group(1) or m.group(2)
        v = int(g) if g.isdigit() else cn_to_int(g)
        if v:
            out.add(v)
    return out


_RATIO_TERM = rf"(\d{{1,3}}|[{_CN_ORD}两]{{1,3}})"
# 6：3：1 or 六比三比一 — one figure; its parts are small numbers the figure check lets pass.
_RATIO = re.compile(rf"{_RATIO_TERM}\s*(?:[：:]|比)\s*{_RATIO_TERM}(?:\s*(?:[：:]|比)\s*{_RATIO_TERM})?(?![\d.])")


def ratios(text: str) -> set[tuple[int, ...]]:
    out = set()
    for m in _RATIO.finditer(text):
        parts = [int(g) if g.isdigit() else cn_to_int(g) for g in m.groups() if g]
        if all(p is not None for p in parts):
            out.add(tuple(parts))
    return out


def ratio_problem(claim: str, cited: list[Given]) -> str | None:
    """A ratio the claim gives (5：3：2, 五比三比二) must be one a cited source gives."""
    given = set().union(*(ratios(src.full) for src in cited)) if cited else set()
    for r in sorted(ratios(claim)):
        if r not in given:
            return f"比例 {'：'.join(map(str, r))} 不见于所引原文"
    return None


def clause_ref_problem(claim: str, cited: list[Given]) -> str | None:
    """A clause number the claim names must be one the cited sources show (as a label, or in
    their own words): «（十六）开展高质量职业培训» for a source headed «（十四）…» is wrong."""
    shown = set().union(*(labels(src.full) | clause_refs(src.full) for src in cited)) if cited else set()
    shown |= {int(f.value) for src in cited for f in _source_figures(src.full) if f.unit.startswith("第")}
    for v in sorted(clause_refs(claim)):
        if v not in shown:
            return f"条款编号 {v} 不见于所引原文"
    # An article of a named law («民办教育促进法第65条») must be the one the sources cite of that
    # law (…促进法第六十四条), not the number of the clause that cites it.
    wrong = _numbered_mismatch(_LAW_REF, claim, cited)
    if wrong:
        law, n, m = wrong
        return f"{law}第{n}条与原文所引不符（原文为第{m}条）"
    return None


_LAW_REF = re.compile(r"([\u4e00-\u9fff]{2}法)》?第(?P<n>[一二三四五六七八九十百零〇\d]{1,6})条")


def _numbered(pattern: re.Pattern, text: str) -> dict[str, set[int]]:
    """The numbers a pattern reads in the text (its group `n`), by what they number (its other
    groups, joined)."""
    out: dict[str, set[int]] = {}
    at = pattern.groupindex["n"]
    for m in pattern.finditer(text):
        g = m.group(at)
        n = int(g) if g.isdigit() else cn_to_int(g)
        if n:
            out.setdefault("".join(x for i, x in enumerate(m.groups(), 1) if i != at), set()).add(n)
    return out


def _numbered_mismatch(pattern: re.Pattern, claim: str, cited: list[Given]) -> tuple[str, int, int] | None:
    """(what is numbered, the claim's number, the sources' number) for the first thing the claim
    numbers otherwise than every cited source does; None when the sources number none of them."""
    source = _numbered(pattern, "\n".join(src.full for src in cited))
    for key, ns in _numbered(pattern, claim).items():
        if key in source and not ns & source[key]:
            return key, min(ns), min(source[key])
    return None


def _digits(v) -> str:
    return format(v, "f").replace(".", "").strip("0")


def _significant(v) -> int:
    return len(_digits(v))


_LAST_JOIN = re.compile(r"(?<=[\u4e00-\u9fff]{2})(?:和|及|与)(?=[\u4e00-\u9fff]{2})")


def _entries(text: str) -> set[int]:
    """How many items a list names: those between its commas, and one more when its last item
    is joined by 和/及/与 («A、B和C»); both counts are kept, since a name may hold 和 itself
    (人力资源和社会保障厅)."""
    text = re.sub(r"[（(［\[][^）)］\]]*[）)］\]]", "", text)  # 各县（市、区）is one item
    items = [x for x in _ITEMS.split(text) if x.strip()]
    return {len(items), len(items) + (bool(items) and len(_LAST_JOIN.split(items[-1], 1)) - 1)}


def _enumerated(claim: str, f: Figure, listed: tuple[str, ...] = ()) -> bool:
    """«责任单位共有8个：A、B、…以及H»: a count of what the sentence itself goes on to list; or,
    for a lead-in («从四个方面着手：»), of the list lines that follow it (or of the entries on
    them: «共9家：» over lines of units)."""
    rest = re.split(r"[。！？]", claim[f.end:])[0]
    rest = rest.split("：", 1)[1] if "：" in rest else rest.split(":", 1)[-1]
    before = re.split(r"[，,；;。：:\n]", claim[:f.start])[-1]
    listed_before = "、" in before
    if f.value in _entries(rest) or listed_before and f.value in _entries(re.sub(r"[这那该此]$", "", before)):
        return True  # «A、B和C这三个区»: a count of the list before it
    return bool(listed) and f.value in (len(listed), sum(min(_entries(re.split(r"[：:]", x)[-1])) for x in listed))


# A year naming a document's issue, right before its 《title》 or its 文号 in brackets («2019年印发的《方案》»,
# «2016年印发的美育实施意见（鄂政办发〔2016〕32号）»):
# the year of a source's 文号 (国发〔2019〕4号) gives it. A date (2022年12月) it does not give.
_ISSUED = re.compile(r"[^\d月，,。；;、《]{0,8}《|[^\d月，,。；;、《]{0,12}[（(]" + DOC_NUMBER.pattern)


# Character pairs the words before «等N个» must share with a source's list for N to count it:
# a name of one entry, at least («武昌区等6个实验区» for «武汉市武昌区、……和赤壁市作为实验区»).
LIST_SHARED = 2


def _source_list_counts(before: str, cited: list[Given]) -> set[int]:
    """How many entries the source list the words before a «等N个» name (the claim's entry, at
    least) holds, when the source lists without counting: the count is the model's own."""
    b = bigrams(re.split(r"[，,：:。；]", before)[-1])
    ref = best_sentence(before, [x for src in cited for x in split_sentences(src.text)])
    return {n for part in re.split(r"[，,：:。]", ref) if "、" in part and len(b & bigrams(part)) >= LIST_SHARED
            for n in _entries(part)}


@lru_cache(maxsize=2048)
def _source_figures(text: str) -> tuple[Figure, ...]:
    """A source's figures, read once for all the claims that cite it."""
    return tuple(figures(text))


def figure_problem(claim: str, cited: list[Given], question: str, params, listed: tuple[str, ...] = ()) -> str | None:
    """Each figure must be the one the source gives for the same thing: the source figure of
    the same unit whose context best matches the claim's. A figure also in the question or in
    a header (a year, a 文号) is given; a clause number must be one the sources show; a count
    may be of what the answer lists (`listed`: the list lines after a lead-in claim)."""
    asked = {(f.value, f.unit) for f in figures(question)}
    issued = {Decimal(m.group(2)) for src in cited for m in DOC_NUMBER.finditer(src.header)}
    pool = [(t, g) for src in cited for t in (src.header, src.text) for g in _source_figures(t)]
    for f in figures(claim):
        if (f.value, f.unit) in asked or (not f.unit and f.value < 10) or f.unit == "year" and f.value in issued and _ISSUED.match(claim, f.end):
            continue  # asked, or a bare small number («一共4种»): a count of the answer's own
        if f.unit == "年" and f.value in _spans(claim + "\n" + "\n".join(src.text for src in cited)):
            continue  # «2016—2020年，共五年»: the length of a period the answer or the source dates
        if f.unit == "year" and re.search(_TARGET + "$", claim[: f.start]) and _target_year(claim, cited) == int(f.value):
            continue  # «到2020年达到40%»: the year a source's clause sets the target by, however far before it
        if f.unit == "第" and f.value < 10:
            continue  # 第一位, 第三批: a rank of the answer's own ordering, not a clause (see ordinal_problem)
        if f.value <= len({src.header.split(" › ")[0] for src in cited}) and _DOCUMENTS_NEXT.match(claim, f.end):
            continue  # «两份文件都没有列明»: a count of the documents the answer was given
        if f.unit.startswith("第"):
            # 第92次 is the source's «92次» (a meeting, a batch), not a clause number.
            shown = {g.value for _, g in pool if g.unit in (f.unit, "第", _MEASURE_OF_ORDINAL.get(f.unit))} | set().union(*(labels(src.full) for src in cited))
            if f.value not in shown:
                return f"条款编号 {f.value}{f.unit[1:]} 不见于所引原文"
            continue
        # 个 is the measure word of anything counted: «767个项目» is the source's «项目767项».
        same_unit = [(t, g) for t, g in pool if g.unit == f.unit or not (f.unit and g.unit)
                     or f.unit == "个" and g.unit in _COUNTED_UNITS and g.value == f.value]
        if f.unit in _COUNTED_UNITS and (_enumerated(claim, f, listed) or claim[f.start - 1: f.start] == "等" and f.value in _source_list_counts(claim[:f.start], cited)):
            continue
        if f.unit == "级" and _counts_given_list(claim[:f.start], f.value, cited):
            continue  # «市、县两级财政» where the source names «市、县财政»: a count of the tiers it lists
        if f.unit in _COUNTED_UNITS and _counts_source_list(claim, f, cited):
            continue  # «四项考评方式» where the source lists four «…等方式», or numbers five «职责»
        if f.unit in _COUNTED_UNITS and f.value in {len(src.units) for src in cited if src.units} and _UNITS_COUNTED.search(claim):
            continue  # «共五个单位»: a count of the 责任单位 a cited source's header lists
        if not same_unit:
            return f"数字 {_show(f)} 不见于所引原文"
        if f.approximate and any(g.value and abs(g.value - f.value) <= Decimal(str(APPROXIMATION)) * abs(g.value) for _, g in same_unit):
            continue
        if _significant(f.value) >= DISTINCTIVE_DIGITS and any(
                _digits(g.value) == _digits(f.value) and not (g.value == f.value and _source_context(t, g)[1]) for t, g in pool):
            continue  # the same digits, perhaps in another scale (236498.85万元 in a 万元 column); a cell of
            # the same value is read by its row's labels below: a table's other rows hold such figures too
        counted = _counted_noun(claim, f)
        if counted and any(g.value == f.value and _counted_noun(t, g) == counted for t, g in same_unit):
            continue  # «民办院校有5所» is the source's «民办院校5所», however the rest of the sentence runs
        # The classes the claim names with its figure (高中, 市级) against those the source names
        # with each of its figures: another class's value is caught, this class's is accepted.
        mine, bound = _classes_bound(claim, f, same_unit)
        other = _other_class(mine, bound, f)
        if other:
            return f"数字 {_show(f)} 在原文中说的是“{other.strip()}”"
        if _class_agrees(mine, bound, f):
            continue
        # The part the claim restates best gives one figure of this kind: the claim may give it
        # with words borrowed from around another («经济效益较好的企业可以按照职工工资总额的2.5%提取»
        # restates «……经济效益较好的企业可以按照百分之二点五提取», not «企业按照职工工资总额的百分之
        # 一点五……提取»). Not a veto: made one (another value there, in a part the claim restates
        # nearly whole), it lost faithful answers at every share tried and stopped no lie (fit parts).
        best_part = _best_part(claim, same_unit)
        if best_part and len(best_part[1]) == 1 and best_part[1][0].value == f.value:
            continue
        ctx = _context(claim, f)
        scored = [(len(ctx & ctx_g), g, row) for t, g in same_unit for ctx_g, row in [_source_context(t, g)]]
        top = max(s for s, _, _ in scored)
        # The figure the source gives for this thing: the best-matching context, or one of the
        # same value nearly as well matched (a figure repeated in other words) — but not in a
        # table, whose rows share all their words but the label: there only the best row.
        # A bare number of the source (a table cell) counts only where its context matches.
        if not any(g.value == f.value and s >= (top if row else params.figure_context * top) and (s or g.unit)
                   for s, g, row in scored):
            best = next(g for s, g, _ in scored if s == top)
            return f"数字 {_show(f)} 与原文不符（原文为 {_show(best)}）"
    return None


_YEAR_SPAN = re.compile(r"((?:19|20)\d\d)\s*年?\s*(?:[—–\-－~～至到])\s*((?:19|20)\d\d)\s*年")
_TARGET = r"(?:到|至|截至|截止到)"  # «到2020年»: the year targets are set for


def _target_year(claim: str, cited: list[Given]) -> int | None:
    """The year the claim's target is set for where a source states it: the last «到YYYY年» in
    or before the source sentence the claim restates («到2020年，……。……毛入学率达到40%»)."""
    sentences = [(src.text, x) for src in cited for x in split_sentences(src.text)]
    best = best_sentence(_YEAR.sub("", claim), [x for _, x in sentences])
    text = next((t for t, x in sentences if x == best), "")
    end = text.find(best) + len(best) if best and best in text else -1
    years = re.findall(rf"{_TARGET}((?:19|20)\d\d)年", text[: end]) if end > 0 else []
    return int(years[-1]) if years else None


_YEAR = re.compile(r"(?:19|20)\d\d年")


def _spans(text: str) -> set[int]:
    """The lengths in years of the periods a text dates («2016—2020年»: 5, or 4 counted as differences)."""
    return {int(b) - int(a) + k for a, b in _YEAR_SPAN.findall(text) for k in (0, 1) if int(b) > int(a)}


# Short names listed right before a count («省、市、县三级», «市、校两级»).
_SHORT_LIST = re.compile(r"((?:[\u4e00-\u9fff]{1,2}、)+[\u4e00-\u9fff]{1,2})$")


def _counts_given_list(before: str, n: Decimal, cited: list[Given]) -> bool:
    """The count is of a list the claim gives right before it, and a source gives that list
    in the same order: the count is the answer's own of what the source names."""
    m = _SHORT_LIST.search(before)
    return bool(m) and len(m.group(1).split("、")) == n and any(m.group(1) in src.text for src in cited)


# Words after a count read as the thing it counts («四项|考评|方式», «五项|职责»).
COUNTED_WORDS = 2
# Characters between a list's closing 等 and the thing it lists («第三方评估等|方式»).
LIST_TO_NOUN = 4
_ITEM_LINE = re.compile(r"^\s*(?:[（(]([一二三四五六七八九十]+)[）)]|(\d{1,2})[.．、])", re.M)


def _counts_source_list(claim: str, f: Figure, cited: list[Given]) -> bool:
    """The count is of a list a cited source gives without counting it, the list being of the
    thing counted: a 、-list closed by 等 and that thing («以日常监测、实地调研、民意调查、第三方评估
    等方式»), or numbered item lines after a lead-in naming it («履行下列职责：（一）……（五）……»)."""
    nouns = [w for w in words(claim[f.end: f.end + 8])[:COUNTED_WORDS] if len(w) > 1 and _ALL_CJK.fullmatch(w)]
    if not nouns:
        return False
    closing = re.compile(rf"等[\u4e00-\u9fff]{{0,{LIST_TO_NOUN}}}?(?:{'|'.join(map(re.escape, nouns))})")
    for src in cited:
        for part in re.split(r"[，,：:。；;\n]", src.text):
            m = closing.search(part)
            # (A list's count is its items and one joined by 和: a name holding 和 is rarer.)
            if m and "、" in part[: m.start()] and f.value == max(_entries(part[: m.start()])):
                return True
        items = list(_ITEM_LINE.finditer(src.text))
        numbers = [int(m.group(2)) if m.group(2) else cn_to_int(m.group(1)) for m in items]
        # The lead-in's last part names what the lines list («……学术委员会，履行下列职责：»).
        before = src.text[: items[0].start()].strip() if items else ""
        lead = re.split(r"[，,。；;]", before.splitlines()[-1])[-1] if before else ""
        if numbers == list(range(1, len(numbers) + 1)) and len(numbers) == f.value and any(n in lead for n in nouns):
            return True
    return False


# A claim about the responsible units, whose number the header's list gives.
_UNITS_COUNTED = re.compile(r"责任单位|[个家](?:责任)?(?:单位|部门)")
_BOUND_START = re.compile(r"[，,。；;：:！？\n]")
_BOUND_END = re.compile(r"[，,。；;：:！？、\n]|和|及|与")


def _bound_span(text: str, f: Figure, figs: tuple[Figure, ...] | list[Figure]) -> str:
    """What the figure is said of: the words from the previous figure or its clause's start to
    it, and after it to the next list joint («小学、初中每周16节课时量、高中每周14节»: 16 of
    «小学、初中每周…节课时量», 14 of «高中每周…节课时量»; «30门以上市级精品课程和20门…»)."""
    start = max([m.end() for m in _BOUND_START.finditer(text, 0, f.start)] + [0])
    # (Only a figure of the same kind before it shares its clause as a list does: «第十四条…经费的10%» not.)
    start = max([start] + [_after_end(text, g, figs) for g in figs if start <= g.start and g.end <= f.start and g.unit == f.unit])
    return text[start: f.start] + "|" + text[f.end: _after_end(text, f, figs)]


def _after_end(text: str, f: Figure, figs) -> int:
    """Where the words after a figure that belong to it end: the next list joint or figure."""
    stop = _BOUND_END.search(text, f.end)
    return min([stop.start() if stop else len(text)] + [g.start for g in figs if g.start >= f.end])


def _classes_bound(claim: str, f: Figure, same_unit: list[tuple[str, Figure]]):
    """The classes the claim names with its figure, and each source figure's."""
    mine = named_classes(_bound_span(claim, f, figures(claim)))
    bound = [(g, span, named_classes(span), _part_of(t, g)) for t, g in same_unit for span in [_bound_span(t, g, _source_figures(t))]] if mine else []
    return mine, bound


def _other_class(mine: dict, bound: list, f: Figure) -> str | None:
    """The source gives this value for another class of the same axis (contrast_axes: 小学/初中/
    高中, 公办/民办 …) than the claim names with it, and another value for the claim's class
    («高中每周16节» where the source has «初中每周16节…、高中每周14节»): what the source says
    the value of, or None."""
    for axis, classes in mine.items():
        same = [(span, b) for g, span, b, _ in bound if g.value == f.value and axis in b]
        if same and not any(b[axis] & classes for _, b in same) and any(b.get(axis, set()) & classes for g, _, b, _ in bound if g.value != f.value):
            return same[0][0].split("|")[0] or same[0][0]
    return None


def _class_agrees(mine: dict, bound: list, f: Figure) -> bool:
    """The source gives this value for the class the claim names with it, in a sentence that
    gives other values for other classes of that axis only: the figure is the source's for this
    class, however the words around it run («30门以上市级…课程» for «30门以上…市级…课程和20门
    以上省级…»)."""
    for axis, classes in mine.items():
        for g, _, b, part in bound:
            if g.value != f.value or b.get(axis) != classes:
                continue
            others = [c for h, _, c, p in bound if p == part and h.value != f.value and axis in c]
            if others and not any(c[axis] & classes for c in others):
                return True
    return False


_PART_END = re.compile(r"[。；;！？\n]")


def _part_of(text: str, g: Figure) -> str:
    """The sentence or ；-part of the text that holds the figure."""
    ends = [m.end() for m in _PART_END.finditer(text, 0, g.start)]
    stop = _PART_END.search(text, g.end)
    return text[ends[-1] if ends else 0: stop.start() if stop else len(text)]


def _best_part(claim: str, same_unit: list[tuple[str, Figure]]) -> tuple[str, list[Figure]] | None:
    """The source part (sentence or ；-part) with figures of this kind the claim restates best,
    and those figures. Table rows are read by their labels instead (_source_context)."""
    parts: dict[str, list[Figure]] = {}
    for t, g in same_unit:
        part = _part_of(t, g)
        if not _ROW.fullmatch(part):
            parts.setdefault(part, []).append(g)
    if not parts:
        return None
    b = bigrams(claim)
    best = max(parts, key=lambda p: len(b & bigrams(p)))
    return best, parts[best]


# 第N个 (次, 批, 届 …), read by the measure and the two characters after it: what it ranks.
_ORDINAL = re.compile(r"第(?P<n>[一二两三四五六七八九十\d]{1,3})(个|次|批|届|轮|期|位|名)([\u4e00-\u9fff]{2})")


def ordinal_problem(claim: str, cited: list[Given]) -> str | None:
    """«第2个中长期教育规划纲要» where the source ranks the same thing 第一个: an ordinal is
    compared with the source's ordinal of the same measure and following words."""
    wrong = _numbered_mismatch(_ORDINAL, claim, cited)
    if wrong:
        key, n, m = wrong
        return f"序数“第{n}{key[0]}”与原文不符（原文为第{m}{key[0]}）"
    return None
