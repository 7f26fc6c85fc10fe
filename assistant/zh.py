"""Chinese-text helpers shared by ingest and answering: numerals, sentences, dates.

Each of these exists once; ingest, retrieval, composing and verification import them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL = "〇零一二三四五六七八九十百千两"
_SENTENCE_END = re.compile(r"(?<=[。！？；])|\n")


def cn_to_int(s: str) -> int | None:
    """二十四 → 24, 一百零五 → 105, 十 → 10, 12 → 12; digit-by-digit 一九九六 → 1996."""
    s = s.strip()
    if s.isdigit():
        return int(s)
    if not s or any(ch not in CN_DIGITS and ch not in CN_UNITS for ch in s):
        return None
    if not any(ch in CN_UNITS for ch in s):  # 一九九六: read digit by digit
        return int("".join(str(CN_DIGITS[ch]) for ch in s))
    total, num = 0, 0
    for ch in s:
        if ch in CN_UNITS:
            total += (num or 1) * CN_UNITS[ch]
            num = 0
        else:
            num = CN_DIGITS[ch]
    return total + num


_BIG = {"万": 10**4, "亿": 10**8}


def cn_value(s: str) -> int | None:
    """Chinese numerals with 万/亿: 一万二千 → 12000, 三千五百万 → 35000000, 两 → 2."""
    s = s.strip()
    if not s:
        return None
    total, section = 0, s
    for big in ("亿", "万"):
        if big in section:
            head, section = section.split(big, 1)
            v = cn_to_int(head) if head else 1
            if v is None:
                return None
            total += v * _BIG[big]
    if section:
        v = cn_to_int(section)
        if v is None:
            return None
        # 一万二 means 一万二千: a bare digit after a big unit counts in the next unit down.
        if total and len(section) == 1 and section in CN_DIGITS and s[-2] in _BIG:
            v *= _BIG[s[-2]] // 10
        total += v
    return total


def int_to_cn(n: int) -> str:
    """24 → 二十四, the form clause labels are written in (up to 999)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else ("零" + digits[rest] if rest < 10 else int_to_cn(rest) if rest >= 20 else "一" + int_to_cn(rest))
        return digits[n // 100] + "百" + tail
    return str(n)


def split_sentences(text: str) -> list[str]:
    """Sentences end at 。！？； or a line break; the end mark stays with its sentence."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


_TOKEN_OK = re.compile(r"[\w\u4e00-\u9fff%]")
_jieba_words: set[str] = set()


@lru_cache(maxsize=1)
def _jieba():
    # Once: setting the log level clears the logging caches, which costs more than a short cut.
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def add_words(words) -> None:
    """Teach the segmenter names it would split (units such as 省人社厅)."""
    jieba = _jieba()
    added = False
    for w in words:
        if w and w not in _jieba_words and len(w) <= 20:
            jieba.add_word(w, freq=20000)
            _jieba_words.add(w)
            added = True
    if added:
        _cut.cache_clear()  # a text may now be cut differently


def tokenize(text: str) -> list[str]:
    """Search-mode tokens for BM25: words and their parts, lower-cased, no punctuation."""
    return [t.lower() for t in _jieba().lcut_for_search(text) if t.strip() and _TOKEN_OK.search(t)]


def words(text: str) -> list[str]:
    """The words of a text (jieba precise mode), spaces dropped, punctuation kept."""
    return list(_cut(text))


@lru_cache(maxsize=16384)
def _cut(text: str) -> tuple[str, ...]:
    # Verification cuts the same sources and claims many times over.
    return tuple(w for w in _jieba().lcut(text) if w.strip())


def word_tag(word: str) -> str | None:
    """The part of speech jieba's dictionary gives a word (ns: place name); None if unknown."""
    _jieba()
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab.get(word)


def word_starts(text: str) -> list[bool]:
    """For each character, whether a word begins there: a name found inside a word
    (同仁 in 一视同仁, 其 in 其他) is not that name."""
    starts = [False] * (len(text) + 1)
    pos = 0
    for w in _jieba().lcut(text):
        starts[pos] = True
        pos += len(w)
    return starts


# A sentence shorter than this is a bare label or fragment: not worth a vector of its own.
MIN_SENTENCE_CHARS = 4


def units_of(text: str, table: bool = False) -> list[str]:
    """The sentences of a clause, or the rows of a table (a row is a table's sentence)."""
    parts = [r.strip() for r in text.split("\n") if r.strip()] if table else split_sentences(text)
    return [x for x in parts if len(x) >= MIN_SENTENCE_CHARS]


# Measure words a figure counts in, grouped where one stands for another (钱 is paid in 元).
MEASURE_GROUPS = [
    ("元", "万元", "亿元", "钱"), ("人", "名", "人次", "位"), ("天", "日"), ("学时", "课时", "节"),
    ("所",), ("个",), ("项",), ("门",), ("家",), ("次",), ("年",), ("小时",), ("分钟",), ("周",),
    ("月",), ("分",), ("批",), ("倍",), ("岁",), ("条",), ("座",), ("套",), ("间",), ("亩",),
    ("级",), ("学年",), ("份",), ("支",), ("张",), ("台",),
]
_MEASURE_OF = {w: g[0] for g in MEASURE_GROUPS for w in g}
_MEASURES = "|".join(sorted(_MEASURE_OF, key=len, reverse=True))
_FIGURE = rf"(?:\d+(?:\.\d+)?|[{CN_NUMERAL}万亿]+)"
# A count, not an ordinal (第五十二条 numbers an article) nor the tail of a longer figure.
_COUNTED = re.compile(rf"(?<![第\d.{CN_NUMERAL}万亿]){_FIGURE}\s*(?:[万亿])?\s*({_MEASURES})")
_PERCENT = re.compile(rf"\d+(?:\.\d+)?\s*[%％‰]|[百千]分之[{CN_NUMERAL}\d]+|[{CN_NUMERAL}]成|\d+(?:\.\d+)?个百分点")
# «好几项», «十几个», «几十所» say «several», not «how many».
_ASK_COUNT = re.compile(rf"(?:多少|(?<![好十])几(?![十百千]))(?:万|亿)?\s*({_MEASURES})?")
_ASK_PERCENT = re.compile(r"百分之几|比例|比重|占比|几成|百分比|百分点")


_ASK_DATE = re.compile(r"哪天|哪一天|何时|什么时候|什么时间|截止|几月|哪个月|几号|哪一年|哪年|日期")
# A day or a month asked («几月几号», «哪天», «几月份»): a year alone («2023年») does not give it.
_ASK_DAY = re.compile(r"哪天|哪一天|几月|哪个月|几号|几日|日期")
_DAY_GIVEN = re.compile(rf"{_FIGURE}\s*月")
_DATE_GIVEN = re.compile(rf"{_FIGURE}\s*年\s*{_FIGURE}\s*月|{_FIGURE}\s*月\s*{_FIGURE}\s*[日号]|{_FIGURE}\s*月[底中初]|"
                         rf"\d{{4}}\s*年|[{CN_NUMERAL}]{{4}}年")
_ASK_DURATION = re.compile(r"多长时间|多长|多久")
_ASK_FREQUENCY = re.compile(r"(?:多久|多长时间|几年|几个月)\S{0,4}一[次届轮期回]")
# A span of time: a figure counted in a unit of time. A frequency may also be a rate per unit
# («每年定期召开»).
# A calendar year («到2020年», «二〇二〇年») is a date, not a span.
_DURATION_GIVEN = re.compile(rf"(?<![\d.{CN_NUMERAL}])(?!\d{{4}}\s*年|[{CN_NUMERAL}]{{4}}年){_FIGURE}\s*(?:个)?"
                             r"(?:分钟|小时|天|日|周|星期|月|年|学期|学年|课时|学时|节)")
_RATE_GIVEN = re.compile(r"每(?:天|日|周|星期|月|季度|年|学期|学年)")
# The nouns beside a bare 多少/几 that say what it counts (data/asked_measures.tsv), and how
# far from it they are looked for: «补助经费» right after it, «实习补贴最低标准是多少» before.
_NOUN_AFTER_CHARS, _NOUN_BEFORE_CHARS = 6, 10
# «专职得占多少», «按工资总额的多少提取»: a bare 多少 after 占 (the verb, not 占地…) or after «…的» asks
# for a share.
_ASK_SHARE = re.compile(r"占(?![地用据领有])[^，,。？?；;]{0,12}$|的$")
# «钱每年平均涨了多少» asks for a change, given as a share as often as in the noun's measure.
_ASK_CHANGE = re.compile(r"(?:涨|增长|增加|提高|提升|下降|减少|降低|降|多)了?$")


@lru_cache(maxsize=1)
def _asked_nouns() -> tuple[tuple[str, str], ...]:
    from .data import read_table

    rows = [(r["noun"], r["measure"]) for r in read_table("asked_measures.tsv")]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


def _noun_measure(text: str, nearest_last: bool) -> str | None:
    """The measure of the noun nearest to a 多少 in `text` (its end when the noun comes before)."""
    found = [(text.rfind(n) + len(n) if nearest_last else text.find(n), m) for n, m in _asked_nouns() if n in text]
    if not found:
        return None
    return (max if nearest_last else min)(found)[1]


# Where a question asks what it asks: a yes/no or either-or ending («…，省里鼓励不鼓励？»,
# «…，支持这么干吗？») makes a 几/多少 in the clauses before it an indefinite «a few» of the
# asker's own case («想开几个专业»); 哪几/哪些 ask which, and a 谁 beside a figure word asks who.
_CLAUSE_BREAK = re.compile(r"[，,；;：:、]")
_QUESTION_END = re.compile(r"(?<=[？?。！!])")
_YES_NO = re.compile(r"吗|能不能|可不可以|是不是|是否|行不行|有没有|还是|(\w{1,2})不\1|没有?[？?]?$")
_ASKS_WHICH = re.compile(r"哪几|哪些")
_WHO_DECIDES = re.compile(r"谁(?:来)?(?:说了算|定|决定|制定|确定|审批|批准)")
# A yes/no clause that offers a figure («多久做一次审计，一年一次吗？») checks a guess at what the
# clause before it asks: that ask stands.
_OFFERS_FIGURE = re.compile(rf"(?:\d|[{CN_NUMERAL}])+\s*(?:{_MEASURES}|%|次)")
# A yes/no question asks for a figure only with a word that asks one: «能自定录取比例吗» asks
# whether, «能降多少分吗» how much.
_ASKS_AMOUNT = re.compile(r"多少|几|多大|多高|多长|多久|多重|多远|啥|什么|哪|何时|怎么算|如何计算")


def asking_part(question: str) -> str:
    """The part of a question in which 多少/几/比例 ask for a figure."""
    kept = []
    for sent in filter(None, (x.strip() for x in _QUESTION_END.split(question))):
        clauses = [c for c in _CLAUSE_BREAK.split(sent) if c.strip()]
        if len(clauses) > 1 and _YES_NO.search(clauses[-1]) and not _OFFERS_FIGURE.search(clauses[-1]):
            clauses = clauses[-1:]
        if _YES_NO.search(clauses[-1]) and not _ASKS_AMOUNT.search("".join(clauses)):
            continue
        if len(clauses) > 1 and _WHO_DECIDES.search(clauses[-1]):
            continue  # «收多少，谁说了算？» asks who decides the figure; «保费多少，由谁出？» asks both
        kept += [c for c in clauses if "谁" not in c]
    return _ASKS_WHICH.sub("", "，".join(kept))


_CONTACT = {"tel": re.compile(r"(?<!\d)(?:0\d{2,3}[-－—\s]?\d{7,8}|1[3-9]\d{9})(?!\d)"),
            "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")}


def asked_quantity(question: str) -> str | None:
    """What a question asks a figure of: "day" for a day or month, "date" for a time or deadline
    (a year will do), "%" for a share, "duration" for a span of time, "frequency" for how often,
    a measure word (元, 人, 年 …) for a count, "" for a bare 多少; None when it asks for none. With no measure word after 多少/几 (or only 个), the noun
    beside it decides: «多少补助经费» → 元, «多少个工作日» → 天."""
    question = asking_part(question)
    if _ASK_DAY.search(question):
        return "day"
    if _ASK_DATE.search(question):
        return "date"
    if _ASK_FREQUENCY.search(question):
        return "frequency"
    if _ASK_PERCENT.search(question):
        return "%"
    m = _ASK_COUNT.search(question)
    if not m:
        return "duration" if _ASK_DURATION.search(question) else None
    measure = _MEASURE_OF.get(m.group(1) or "", "")
    if measure not in ("", "个"):
        return measure
    if not m.group(1) and _ASK_SHARE.search(question[: m.start()]):
        return "%"
    if _ASK_CHANGE.search(question[: m.start()]):
        return measure
    after = _noun_measure(question[m.end(): m.end() + _NOUN_AFTER_CHARS], nearest_last=False)
    if measure == "个" and re.match(r"[\u4e00-\u9fff]", question[m.end():]):
        return after or measure  # «学生一共拿了几个一等奖» counts 一等奖, not the 学生 before it
    before = _noun_measure(question[max(0, m.start() - _NOUN_BEFORE_CHARS): m.start()], nearest_last=True)
    return after or before or measure


def without_given_figures(text: str, question: str) -> str:
    """The text without the figures the question itself states: «实操不低于50%，那面试要占多少？»
    is not answered by the clause's 50%."""
    given = _given_figures(question)
    return given.sub(" ", text) if given else text


@lru_cache(maxsize=64)
def _given_figures(question: str) -> re.Pattern | None:
    """The question's figures as one pattern, each matched only as a whole number (read once
    per question, not once per candidate clause)."""
    numbers = sorted(set(re.findall(r"\d+(?:\.\d+)?", question)), key=len, reverse=True)
    return re.compile(rf"(?<![\d.])(?:{'|'.join(map(re.escape, numbers))})(?![\d.])") if numbers else None


# A list label at the start of a clause or line («3.», «（二）», «第五条»): it numbers, it counts nothing.
_LABEL = re.compile(rf"(?:^|(?<=\n))\s*(?:\d+[.．、]|[（(][{CN_NUMERAL}\d]+[）)]|第[{CN_NUMERAL}\d]+条)")


def has_quantity(text: str, measure: str) -> bool:
    """Whether the text gives a figure of that kind (any figure for "")."""
    if measure == "day":
        return bool(_DAY_GIVEN.search(text))
    if measure == "date":
        return bool(_DATE_GIVEN.search(text))
    if measure == "%":
        return bool(_PERCENT.search(text))
    if measure == "duration":
        return bool(_DURATION_GIVEN.search(text))
    if measure == "frequency":
        return bool(_DURATION_GIVEN.search(text) or _RATE_GIVEN.search(text))
    if measure == "":  # any figure: a count, a share, a date or a number, not a list label (3.) nor 统一
        return bool(_COUNTED.search(text) or _PERCENT.search(text) or _DATE_GIVEN.search(text)
                    or re.search(r"\d", _LABEL.sub("", text)))
    if measure in _CONTACT:
        return bool(_CONTACT[measure].search(text))
    if measure == "个":  # 个 counts anything: «几个一等奖» is answered by «一等奖8项»
        return any(_MEASURE_OF[m.group(1)] in _CLASSIFIERS for m in _COUNTED.finditer(text))
    return any(_MEASURE_OF[m.group(1)] == measure for m in _COUNTED.finditer(text))


# Measure words that count things (not money, people, time or marks): what a 个 may stand for.
_CLASSIFIERS = {"个", "所", "项", "门", "家", "批", "条", "座", "套", "间", "份", "支", "张", "台"}  # not 次 (how often) nor 级


_DATE = re.compile(
    rf"(\d{{4}}|[{CN_NUMERAL}]{{4}})\s*[年.\-/]\s*(\d{{1,2}}|[{CN_NUMERAL}]{{1,3}})\s*[月.\-/]\s*"
    rf"(?:(\d{{1,2}}|[{CN_NUMERAL}]{{1,3}})\s*日?)?"
)


def parse_date(text: str) -> str | None:
    """2019年01月24日 / 2010.01.04 / 一九九六年七月十七日 / 2024年2月 → ISO (YYYY-MM-DD or YYYY-MM)."""
    m = _DATE.search(text)
    if not m:
        return None
    year, month = cn_to_int(m.group(1)), cn_to_int(m.group(2))
    day = cn_to_int(m.group(3)) if m.group(3) else None
    if not year or not month or not 1 <= month <= 12 or not 1900 <= year <= 2100:
        return None
    if day and 1 <= day <= 31:
        return f"{year}-{month:02d}-{day:02d}"
    return f"{year}-{month:02d}"


# -- figures as values bound to what they count -------------------------------------------
@dataclass(frozen=True)
class Figure:
    value: Decimal  # in the measure's base unit: 1.2万元 → 12000 (元); 60% → 60 (%)
    unit: str  # a measure (元, 人, 年 …), "%" , "百分点", "year" for a calendar year, "" bare;
    # "第条", "第章" … for an ordinal (第三十三条), which names a clause
    start: int
    end: int
    approximate: bool = False  # 约1.43万元, 3800余名


# «一» before these, or after these, is an article («一项举措», «这一条»), not a count.
_ARTICLE_UNITS = {"项", "个", "条", "批", "种"}
_ARTICLE_BEFORE = set("这那该同每哪某任其另唯单")
_LEVEL_BEFORE = set("省市县区乡镇")  # «在市一级» is "at the city level": 一级 there counts nothing
_DEMONSTRATIVES = set("这那该此")  # «这两项工作» refers back; it does not count anew
# …unless the clause it ends lists what it counts: «A、B和C这三个区» counts A, B and C.
_LISTED_BEFORE = re.compile(r"、[^，,；;。：:\n]*$")


_NUM_AR = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NUM_CN = rf"[{CN_NUMERAL}万亿]+(?:点[{CN_NUMERAL}]+)?"
_FIG = re.compile(
    rf"(?P<approx>约|近|逾|超过|大约)?(?P<pct>百分之|千分之)?(?:(?P<ar>{_NUM_AR})|(?P<cn>{_NUM_CN}))\s*(?P<big>万亿|亿|万|千)?\s*"
    rf"(?P<more>余|多)?(?P<unit>[%％‰]|个百分点|百分点|成|个月|{_MEASURES})?"
)
# A 文号 (晋政发〔2020〕19号) and list numbering are names, not figures.
# A 文号 in any bracket style: 晋政发〔2020〕19号, X政发[2020]第19号 (issuer, year, number).
DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,10})\s*[〔\[［（(【]\s*(\d{4})\s*[〕\]］）)】]\s*第?(\d{1,4})\s*号")
_NOT_FIGURES = re.compile(
    DOC_NUMBER.pattern + r"|^\s*(?:\d{1,2}(?:[.．](?!\d)|[、)）])|[（(]\d{1,2}[)）])"
    r"|\d{1,3}[.．、](?=[\u4e00-\u9fff])(?<!\d[、.．]\d[.．、])", re.M)
# A range gives its first figure the unit of the second: 1至5年, 1-2所, 5～7个.
_RANGE = re.compile(r"^\s*(?:-|－|—|～|~|至|到)\s*$")
_ORDINAL_OF = "条章节款项批届次"


def _decimal(m: re.Match) -> Decimal | None:
    if m.group("ar"):
        return Decimal(m.group("ar").replace(",", ""))
    cn = m.group("cn")
    whole, _, frac = cn.partition("点")
    v = cn_value(whole)
    if v is None:
        return None
    if frac:
        return Decimal(f"{v}." + "".join(str(CN_DIGITS[c]) for c in frac if c in CN_DIGITS))
    return Decimal(v)


def figures(text: str) -> list[Figure]:
    """Every figure in the text as a value and what it counts: 12000元 = 1.2万元 = 一万二千元;
    60% = 百分之六十 = 六成; 0.5% = 千分之五; 2022年 = 二〇二二年 (a calendar year). Chinese numerals count only
    when they count something (一方面, 统一 are not figures)."""
    masked = _NOT_FIGURES.sub(lambda m: " " * len(m.group()), text)
    out = []
    for m in _FIG.finditer(masked):
        unit, cn = m.group("unit") or "", m.group("cn")
        if cn and not (unit or m.group("pct") or m.group("big")) or (cn and set(cn) <= set("万亿")):
            continue
        before = masked[m.start() - 1: m.start()]
        if cn and not m.group("pct") and (before in _DEMONSTRATIVES and not _LISTED_BEFORE.search(masked[:m.start() - 1])
                                          or cn == "一" and (unit in _ARTICLE_UNITS or before in _ARTICLE_BEFORE)
                                          or cn == "一" and unit == "级" and before in _LEVEL_BEFORE):
            continue  # 一项举措, 这一条, 这两项工作, 市一级: an article, a reference or a level, not a count
        v = _decimal(m)
        if v is None:
            continue
        v *= {"万亿": 10**12, "亿": 10**8, "万": 10**4, "千": 1000}.get(m.group("big") or "", 1)
        ordinal = m.start() and masked[m.start() - 1] == "第"
        if m.group("pct") == "千分之" or unit == "‰":
            unit, v = "%", v / 10
        elif m.group("pct") or unit in ("%", "％"):
            unit = "%"
        elif unit == "成":
            unit, v = "%", v * 10
        elif unit in ("个百分点", "百分点"):
            unit = "百分点"
        elif unit == "个月":
            unit = "月"
        elif unit:
            v *= {"万元": 10**4, "亿元": 10**8}.get(unit, 1)
            unit = _MEASURE_OF[unit]
        if unit == "年" and 1900 <= v <= 2100 and v == int(v):
            unit = "year"
        if ordinal:  # 第三十三条 names a clause: it is compared with clause numbers only
            nxt = masked[m.end(): m.end() + 1]
            unit = "第" + (unit if unit and unit in _ORDINAL_OF else nxt if nxt and nxt in _ORDINAL_OF else "")
        if out and not out[-1].unit and unit and _RANGE.match(masked[out[-1].end: m.start()]):
            out[-1] = Figure(out[-1].value, unit, out[-1].start, out[-1].end)
        out.append(Figure(v.normalize(), unit, m.start(), m.end(), bool(m.group("approx") or m.group("more"))))
    return out


_NOT_BIGRAM = re.compile(r"[^\u4e00-\u9fff0-9A-Za-z%]")


@lru_cache(maxsize=8192)
def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the text's Chinese, Latin and digit characters: the unit of
    overlap between a claim and its source, or between two headings."""
    s = _NOT_BIGRAM.sub("", text)
    return frozenset(s[i: i + 2] for i in range(len(s) - 1))


_UNIT_WORD = {"year": "年", "%": "%", "百分点": "个百分点"}


@lru_cache(maxsize=4096)
def plain_figures(text: str) -> str:
    """The text with each figure written one way, its value in Arabic digits and its measure
    word (二〇二一年十二月二十一日 → 2021年12月21天, 1.2万元 → 12000元, 百分之六十 → 60%), so
    wording shared around a figure is found whatever numerals either side uses."""
    out, at = [], 0
    for f in figures(text):
        if f.unit.startswith("第"):
            continue
        out.append(text[at: f.start])
        day_of_month = text[f.end - 1: f.end] == "日" and text[max(0, f.start - 1): f.start] == "月"  # 7月19日 is no span of 19天
        out.append(format(f.value, "f") + ("日" if day_of_month else _UNIT_WORD.get(f.unit, f.unit)))
        at = f.end
    return "".join(out) + text[at:]


def overlap(text: str, other: str) -> float:
    """Share of the text's bigrams found in the other text (1.0 for a text without any)."""
    b = bigrams(text)
    return len(b & bigrams(other)) / len(b) if b else 1.0

