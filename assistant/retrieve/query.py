"""What a question says about where to look: 文号, clause numbers, documents, units, levels.

Pure functions over the question text and the indexed documents' metadata."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.meta import normalize_doc_number

from ..types import Document

CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# Short forms people use for units, and the full names documents sometimes use.
UNIT_ALIASES = {
    "省人力资源和社会保障厅": "省人社厅",
    "省发改委": "省发展改革委",
    "省发展和改革委员会": "省发展改革委",
    "省工业和信息化厅": "省工信厅",
    "省国有资产监督管理委员会": "省国资委",
    "市人力资源和社会保障局": "市人社局",
    "市发改委": "市发展改革委",
    "市工业和信息化局": "市工信局",
}
# Terms users shorten; expanded for lexical search only.
SYNONYMS = {
    "中职": "中等职业",
    "高职": "高等职业",
    "双师": "双师型",
    "人社厅": "人力资源和社会保障",
    "经费": "拨款 投入",
    "钱": "经费 拨款",
    "老师": "教师",
    "中专": "中等职业学校",
    "年报": "质量年度报告",
}
SHANXI_CITIES = "太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁".split()
PROVINCES = (
    "北京 天津 河北 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 广西 海南 "
    "重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 香港 澳门 台湾 深圳 广州 杭州 南京 成都 武汉 西安 郑州"
).split()
UNITS_Q = re.compile(r"(哪些|哪个|什么)(单位|部门)|谁(来)?负责|由谁|责任单位|牵头|负责单位|负责部门")
NUMBER_Q = re.compile(r"多少|几[个所项门家次年]|比例|比重|占比|多大|标准是|达到|不低于|金额|人数|数量")


def cn_to_int(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if not s or any(ch not in CN_DIGITS and ch not in "十百" for ch in s):
        return None
    total, num = 0, 0
    for ch in s:
        if ch == "十":
            total += (num or 1) * 10
            num = 0
        elif ch == "百":
            total += (num or 1) * 100
            num = 0
        else:
            num = CN_DIGITS[ch]
    return total + num


def int_to_cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


@dataclass(frozen=True)
class QueryInfo:
    text: str
    doc_ids: tuple[str, ...] = ()  # documents the question names (文号, 运城的文件 …)
    level: str | None = None  # 省 / 市 when the question says so
    clause_labels: tuple[str, ...] = ()  # label prefixes: （十一）, 14.
    units: tuple[str, ...] = ()
    asks_units: bool = False
    asks_number: bool = False
    foreign_places: tuple[str, ...] = ()
    years: tuple[str, ...] = field(default=())
    quoted: tuple[str, ...] = ()  # “保障经费投入”: a heading named in quotes


def normalize_unit(name: str) -> str:
    return UNIT_ALIASES.get(name, name)


def expand(text: str) -> str:
    extra = [v for k, v in SYNONYMS.items() if k in text]
    for full, short in UNIT_ALIASES.items():
        if full in text:
            extra.append(short)
    return text + (" " + " ".join(extra) if extra else "")


def doc_places(doc: Document) -> set[str]:
    """运城, 运城市 … : the place a document's issuer or title names."""
    names = set()
    for src in (doc.issuer or "", doc.title):
        m = re.match(r"^([\u4e00-\u9fff]{2,3}?)(市|省)", src)
        if m:
            names |= {m.group(1), m.group(1) + m.group(2)}
    return names


def _doc_aliases(doc: Document) -> set[str]:
    names = {n for n in doc_places(doc) if not n.startswith("山西")}
    if doc.kind == "report":
        names |= {"年报", "质量年度报告", "年度报告", "质量报告"}
    if doc.kind == "news":
        names |= {"实施意见", "新闻", "报道", "解读"}
    if doc.doc_number:
        names.add(doc.doc_number)
    return names


def analyse(question: str, documents: list[Document], known_units: set[str], corpus_text_has) -> QueryInfo:
    q = question.strip()
    doc_ids: list[str] = []
    # 文号 in any bracket style, or the short «19号文».
    num = normalize_doc_number(q)
    for d in documents:
        if num and d.doc_number == num:
            doc_ids.append(d.doc_id)
    for m in re.finditer(r"(\d{1,4})号文", q):
        doc_ids += [d.doc_id for d in documents if d.doc_number and d.doc_number.endswith(f"〕{m.group(1)}号")]
    if not doc_ids:
        for d in documents:
            if any(a in q for a in _doc_aliases(d) if len(a) >= 2 and not a.startswith(("山西",))):
                doc_ids.append(d.doc_id)
    level = None
    if re.search(r"省里|省级文件|省政府|省里的|全省性|省的规定|省行动计划|省文件", q):
        level = "province"
    elif re.search(r"市里|市级文件|市政府", q) and not doc_ids:
        level = "city"

    labels: list[str] = []
    for m in re.finditer(r"第?[（(]([一二三四五六七八九十]+)[）)]条?", q):
        labels.append(f"（{m.group(1)}）")
    for m in re.finditer(r"第([一二三四五六七八九十\d]+)条", q):
        n = cn_to_int(m.group(1))
        if n:
            labels += [f"{n}.", f"（{int_to_cn(n)}）"]
    units = [u for u in known_units if u and u in q]
    for full, short in UNIT_ALIASES.items():
        if full in q:
            units.append(short)
    # Another province, or a city with no document of its own, as the subject of the
    # question («太原市的行动计划», «北京市中职…»): the indexed documents do not cover it.
    own = {a for d in documents for a in _doc_aliases(d)}
    foreign = tuple(p for p in PROVINCES if p in q) + tuple(
        c for c in SHANXI_CITIES
        if c not in own and re.search(rf"{c}市(?!.{{0,6}}(学校|学院|大学|中学|职中|卫校|中心|集团))", q)
    )
    years = tuple(re.findall(r"(20\d\d)年", q))
    return QueryInfo(
        text=q, doc_ids=tuple(dict.fromkeys(doc_ids)), level=level, clause_labels=tuple(dict.fromkeys(labels)),
        units=tuple(dict.fromkeys(units)), asks_units=bool(UNITS_Q.search(q)), asks_number=bool(NUMBER_Q.search(q)),
        foreign_places=foreign, years=years, quoted=tuple(re.findall(r"[“\"]([^”\"]{2,20})[”\"]", q)),
    )
