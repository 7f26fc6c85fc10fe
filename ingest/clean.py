"""Clean: repair PDF-extraction damage while keeping the document's own wording.

Pages of raw text → paragraphs (each with the page it starts on). Repairs: lines broken
mid-sentence (with or without blank lines between), spaces inside Chinese text, page
numbers, running headers/footers, full-/half-width punctuation variants, and a
parenthetical cut by a page break and continued on a later line.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

CJK = "\u4e00-\u9fff\u3400-\u4dbf"
CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201f\u2014\u2026\u00b7"
_CJKISH = f"[{CJK}{CJK_PUNCT}]"

# Spaces next to Chinese text are extraction damage (体 化 设 计, 2021 年, 8 号); spaces
# between Latin words are not. Tabs separate table cells and are kept.
_SPACE_LEFT = re.compile(rf"(?<={_CJKISH})[ \u00a0\u3000]+(?=[{CJK}{CJK_PUNCT}0-9A-Za-z%])")
_SPACE_RIGHT = re.compile(rf"(?<=[0-9A-Za-z%.])[ \u00a0\u3000]+(?={_CJKISH})")
_FULLWIDTH_ALNUM = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in list(range(0xFF10, 0xFF1A)) + list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B))}
    | {"％": "%", "．": ".", "﹒": ".", "\u2002": " ", "\u2003": " ", "\u200b": ""}
)
_TERMINAL = "。！？；：…"
_PUNCT_ANY = re.compile(r"[，。、；：！？“”‘’《》（）〔〕［］【】,.;:!?()%\-—]")
_DATE_LINE = re.compile(r"^\d{4}年\d{1,2}月(\d{1,2}日)?(印发)?$")
_PAGE_NO = re.compile(r"^(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4})$")
_LONE_NUMBER = re.compile(r"^\d{1,4}$")
# A field or role line (发文字号：…, 责任单位：…) starts a paragraph — unless the line before
# left a bracket open: then it is the rest of （责 / 任单位：…）, cut by a line break.
_FIELD_START = re.compile(r"^[\u4e00-\u9fff]{2,6}[：:](?=\S)")
# The label/value fields that 北大法宝, gov.cn and similar pages print above a document.
FIELD_LABELS = (
    "制定机关|发文机关|发布机关|发布部门|颁布机关|发文字号|文号|成文日期|公布日期|发布日期|颁布日期|施行日期|标题|"
    "索引号|主题分类|时效性|效力位阶|效力级别|法规类别|主题词"
)
_META_FIELD = re.compile(rf"^({FIELD_LABELS})[：:]")
# The words a document's title ends with (…的通知, …条例); ingest.meta adds rarer kinds.
DOC_KINDS = "通知|通报|意见|决定|办法|规定|条例|法|细则|规则|章程|规划|纲要|方案|计划|报告|请示|批复|函|公告"
_DOC_TITLE_END = re.compile(rf"({DOC_KINDS})(（[^）]{{0,20}}）)?$")

# A line starting with one of these starts a new paragraph.
STRUCTURE_START = re.compile(
    r"^(?:[一二三四五六七八九十百]+、"
    r"|（[一二三四五六七八九十百]+）"
    r"|\d{1,3}[.、](?!\d)"
    r"|第[一二三四五六七八九十百千零〇\d]+(?:编|部分|章|节|条)"
    r"|（\d{1,3}）|[\u2460-\u2473]"
    r"|专栏\s*\d|附件\s*\d*$|目\s*录$"
    r"|\d{1,2}(?:\.\d{1,2}){1,3}\s*[\u4e00-\u9fff“]"
    r"|(?:附表|表|图|案例)\s*\d+"
    r"|(?:数据来源|资料来源|注)[：:]"
    r"|——|附件[：:]|抄送[：:]|联系人[：:]"
    r")"
)


@dataclass(frozen=True)
class Paragraph:
    text: str
    page: int | None  # 1-based PDF page the paragraph starts on; None for text files
    kind: str = "body"  # body | heading (numbered) | title (unnumbered short heading) | standalone


def normalize_line(line: str) -> str:
    """Unify punctuation variants and remove spaces inside Chinese text."""
    s = line.translate(_FULLWIDTH_ALNUM).replace("**", "").strip(" \u3000\u00a0\r")
    s = s.replace("(", "（").replace(")", "）")
    s = re.sub(r"(?<!\d):(?!//)|:(?!\d|//)", "：", s)
    s = re.sub(rf"(?<={_CJKISH}),|,(?={_CJKISH})", "，", s)
    s = re.sub(rf"(?<={_CJKISH});|;(?={_CJKISH})", "；", s)
    s = re.sub(rf"(?<={_CJKISH})\?", "？", s)
    s = re.sub(rf"(?<={_CJKISH})!", "！", s)
    s = _SPACE_LEFT.sub("", s)
    s = _SPACE_RIGHT.sub("", s)
    # A space before/after a closing/opening bracket is never meaningful in Chinese text.
    s = re.sub(r"\s+(?=[）〕］】》”])|(?<=[（〔［【《“])\s+", "", s)
    return s


def _open_bracket(line: str) -> bool:
    """A bracket left open at the line end: （责任单位： or 〔责任 cut by a line break."""
    return sum(line.count(c) for c in "（〔［【") > sum(line.count(c) for c in "）〕］】")


def _ends_paragraph(line: str) -> bool:
    if not line:
        return True
    last = line[-1]
    if _open_bracket(line):
        return False  # inside a parenthetical such as （责任单位：… cut at the line end
    if last in _TERMINAL or re.search(r"https?://\S+$", line) or _META_FIELD.match(line):
        return True  # a sentence end, a page's address line, a metadata field
    if last in "”’」』" and len(line) > 1 and line[-2] in _TERMINAL:
        return True
    if last in "》”" and not re.search(r"[，。；、]", line):
        return True  # a title-like line such as 我省印发《…》
    if _DOC_TITLE_END.search(line) and not re.search(r"[，。；、：]", line) and line.count("《") <= line.count("》"):
        return True  # a document's title line (…的实施意见, …条例): never run into the next line
    if last == "）":
        # （此件公开发布）, （责任单位：…）, a whole-line parenthetical, or 。） all close a paragraph.
        open_at = line.rfind("（")
        inner = line[open_at + 1 : -1] if open_at >= 0 else ""
        return (
            open_at <= 0
            or line[open_at - 1] in _TERMINAL
            or inner.startswith(("此件", "见图", "见表"))
            or bool(re.search(r"单位[：:]|牵头|配合|负责", inner))  # a responsible-unit annotation
            or bool(re.fullmatch(rf"[{CJK}]{{2,4}}", inner))  # a byline: the author's name
            or (open_at >= 0 and line.count("（") == line.count("）") and len(line) < 20)
        )
    return False


def _is_heading_line(line: str) -> bool:
    """A numbered heading on a line of its own (no sentence punctuation)."""
    return bool(STRUCTURE_START.match(line)) and not re.search(r"[。；！？]", line) and len(line) <= 60


def _typical_width(lines: list[str]) -> float:
    lens = sorted(len(x) for x in lines if len(x) >= 8 and "\t" not in x)
    if not lens:
        return 40.0
    p75 = lens[int(len(lens) * 0.75)]
    return float(min(40, max(10, p75)))


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Headers/footers: short lines repeated at the top or bottom of many pages."""
    if len(pages) < 3:
        return set()
    edge = Counter()
    for lines in pages:
        body = [x for x in lines if x]
        for x in set(body[:2] + body[-2:]):
            if len(x) <= 40:
                edge[re.sub(r"\d+", "#", x)] += 1
    need = max(3, int(0.4 * len(pages)))
    return {k for k, n in edge.items() if n >= need}


def clean_pages(pages: tuple[str, ...], is_pdf: bool) -> list[Paragraph]:
    page_lines = [[normalize_line(x) for x in p.replace("\r\n", "\n").split("\n")] for p in pages]
    running = _running_lines(page_lines) if is_pdf else set()
    kept: list[tuple[str, int | None]] = []
    for i, lines in enumerate(page_lines):
        for x in lines:
            if not x or _PAGE_NO.match(x):
                continue
            if is_pdf and (_LONE_NUMBER.match(x) or re.sub(r"\d+", "#", x) in running):
                continue
            kept.append((x, i + 1 if is_pdf else None))
    width = _typical_width([x for x, _ in kept])
    return _join(kept, width, is_pdf)


# A PDF line this close to the typical line width ran out of room: what follows continues it.
FULL_LINE_SHARE = 0.85


def _join(lines: list[tuple[str, int | None]], width: float, is_pdf: bool = False) -> list[Paragraph]:
    paras: list[list] = []  # [text, page, kind] kind: body | heading | standalone
    short = max(6.0, 0.55 * width)

    def prev_closed() -> bool:
        return not paras or paras[-1][2] != "body" or _ends_paragraph(paras[-1][0])

    for line, page in lines:
        no_punct = not _PUNCT_ANY.search(line) and "\t" not in line
        if "\t" in line or _DATE_LINE.match(line):
            paras.append([line, page, "standalone"])
            continue
        field = _FIELD_START.match(line) and not (paras and _open_bracket(paras[-1][0]))
        if STRUCTURE_START.match(line) or field:
            paras.append([line, page, "heading" if _is_heading_line(line) else "body"])
            continue
        if (is_pdf and paras and paras[-1][2] == "heading" and len(paras[-1][0]) >= FULL_LINE_SHARE * width
                and not _ends_paragraph(paras[-1][0])):
            paras[-1][0] += line  # a numbered heading wrapped at the page edge
            continue
        if no_punct and len(line) < 0.8 * width and len(line) <= 24:
            # Unnumbered headings (news sections, titles) are short lines without punctuation
            # that follow a finished paragraph; consecutive ones are one heading cut in two.
            if paras and paras[-1][2] == "title" and len(paras[-1][0]) + len(line) <= 30:
                paras[-1][0] += line
                continue
            if prev_closed():
                paras.append([line, page, "title"])
                continue
        if paras and paras[-1][0] == line:
            paras.append([line, page, "title"])  # a title printed twice is not one long line
            continue
        if paras and paras[-1][2] == "body" and not _ends_paragraph(paras[-1][0]) and len(paras[-1][0]) >= short:
            paras[-1][0] += line
            continue
        if paras and paras[-1][2] == "body" and _is_continuation(paras[-1][0], line):
            paras[-1][0] = paras[-1][0][:-1] + line
            continue
        paras.append([line, page, "body"])
    return [Paragraph(t, p, k) for t, p, k in paras]


def _is_continuation(prev: str, line: str) -> bool:
    """`（责任单位：市人民政府）` … `和省发展改革委、省教育厅）`: a page break closed the
    parenthetical early and its rest arrived on a later line with an unmatched `）`."""
    return (
        prev.endswith("）")
        and line[0] in "和、，及与"
        and line.count("）") > line.count("（")
    )
