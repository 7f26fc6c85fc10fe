"""Real .docx files, written by python-docx from real document text.

Heading numbers are Word automatic numbering: the typed number is cut from the paragraph
text and an abstractNum/num pair in numbering.xml makes Word show it instead, so the number
exists only in the numbering definitions — as in documents typed in Word with list styles.
"""
from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

REAL = Path("/work/shared/real-docs")
HUBEI = REAL / "2016_鄂政办发〔2016〕32号_湖北省全面加强和改进学校美育工作实施意见.txt"
EDU_LAW = REAL / "2021_无文号_中华人民共和国教育法.md"
TIBET = REAL / "1996_国办发〔1996〕32号_国务院办公厅转发国家教委关于内地西藏班扩大规模有关问题请示的通知.html"
CN = "一二三四五六七八九十百零"
HEADER_TEXT = "本页眉不属于正文"

Level = tuple  # (numFmt, lvlText, start, lvlRestart or None, pStyle or None)


def add_list(doc, levels: list[Level], suffix: str = "nothing") -> int:
    """Write an abstractNum with these levels and a num using it; return the numId."""
    numbering = doc.part.numbering_part.element
    abs_id = 1 + max((int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))), default=0)
    lvls = ""
    for i, (fmt, text, start, restart, style) in enumerate(levels):
        lvls += (
            f'<w:lvl w:ilvl="{i}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
            + (f'<w:lvlRestart w:val="{restart}"/>' if restart is not None else "")
            + (f'<w:pStyle w:val="{style}"/>' if style else "")
            + f'<w:suff w:val="{suffix}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
        )
    absn = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abs_id}">'
                     f'<w:multiLevelType w:val="multilevel"/>{lvls}</w:abstractNum>')
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:  # the schema wants every abstractNum before the first num
        first_num.addprevious(absn)
    else:
        numbering.append(absn)
    return add_num(doc, abs_id)


def add_num(doc, abs_id: int, start_override: dict[int, int] | None = None) -> int:
    numbering = doc.part.numbering_part.element
    num_id = 1 + max((int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))), default=0)
    overrides = "".join(
        f'<w:lvlOverride w:ilvl="{i}"><w:startOverride w:val="{v}"/></w:lvlOverride>'
        for i, v in (start_override or {}).items()
    )
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                               f'<w:abstractNumId w:val="{abs_id}"/>{overrides}</w:num>'))
    return num_id


def abstract_of(doc, num_id: int) -> int:
    num = next(n for n in doc.part.numbering_part.element.findall(qn("w:num")) if n.get(qn("w:numId")) == str(num_id))
    return int(num.find(qn("w:abstractNumId")).get(qn("w:val")))


def number(paragraph, num_id: int | None, ilvl: int | None) -> None:
    numpr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    if ilvl is not None:
        numpr.get_or_add_ilvl().val = ilvl
    if num_id is not None:
        numpr.get_or_add_numId().val = num_id


def style_numbering(doc, style_name: str, num_id: int) -> None:
    """Give a paragraph style a list, as Word's multilevel heading lists do."""
    ppr = doc.styles[style_name].element.get_or_add_pPr()
    ppr.get_or_add_numPr().get_or_add_numId().val = num_id


def header_and_footer(doc) -> None:
    """A running header and a 第 X 页 footer made of PAGE/NUMPAGES fields."""
    section = doc.sections[0]
    section.header.paragraphs[0].text = HEADER_TEXT
    p = section.footer.paragraphs[0]
    p.add_run("第 ")
    for instr, shown, tail in (("PAGE", "1", " 页 共 "), ("NUMPAGES", "3", " 页")):
        p._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" {instr} "><w:r><w:t>{shown}</w:t></w:r></w:fldSimple>'))
        p.add_run(tail)


def write(doc, lines: list[str], rules: list[tuple[re.Pattern, object]]) -> None:
    """Each line becomes a paragraph; a line matching a rule loses its typed number and gets
    the rule's numbering instead (rule value: (numId, ilvl) or a paragraph style name)."""
    for line in lines:
        for rx, how in rules:
            m = rx.match(line)
            if m:
                if isinstance(how, str):
                    doc.add_paragraph(line[m.end():], style=how)
                else:
                    number(doc.add_paragraph(line[m.end():]), *how)
                break
        else:
            doc.add_paragraph(line)


def hubei_docx(path: Path) -> Path:
    """鄂政办发〔2016〕32号: 一、 and （一） by a two-level list whose （一） level never
    restarts (the source numbers （一）…（二十一） straight through)."""
    doc = Document()
    num = add_list(doc, [("chineseCounting", "%1、", 1, None, None), ("chineseCounting", "（%2）", 1, 0, None)])
    lines = [x.strip(" \u3000\t") for x in HUBEI.read_text(encoding="utf-8").splitlines()]
    write(doc, [x for x in lines if x], [(re.compile(f"^[{CN}]+、"), (num, 0)), (re.compile(f"^（[{CN}]+）"), (num, 1))])
    header_and_footer(doc)
    doc.save(path)
    return path


def edu_law_docx(path: Path) -> Path:
    """教育法: 第X章 from the Heading 1 style's list (style numbering), 第X条 straight through
    the law, （一） items restarting in each article."""
    doc = Document()
    num = add_list(doc, [("chineseCountingThousand", "第%1章", 1, None, "Heading1"),
                         ("chineseCounting", "第%2条", 1, 0, None), ("chineseCounting", "（%3）", 1, None, None)],
                   suffix="space")
    style_numbering(doc, "Heading 1", num)
    lines = []
    for x in EDU_LAW.read_text(encoding="utf-8").splitlines():
        x = re.sub(r"^#+\s*", "", x.strip())
        if x and not x.startswith("<!--"):
            lines.append(x)
    write(doc, lines, [(re.compile(f"^第[{CN}]+章\\s*"), "Heading 1"),
                       (re.compile(f"^第[{CN}]+条\\s*"), (num, 1)), (re.compile(f"^（[{CN}]+）"), (num, 2))])
    header_and_footer(doc)
    doc.save(path)
    return path


def tibet_table() -> list[list[tuple[str, int, int]]]:
    """The 附表 of 国办发〔1996〕32号 as (text, rowspan, colspan) cells per row."""
    soup = BeautifulSoup(TIBET.read_text(encoding="utf-8"), "lxml")
    table = next(t for t in soup.find_all("table") if len(t.find_all("tr")) == 22)
    return [[(td.get_text(strip=True), int(td.get("rowspan", 1)), int(td.get("colspan", 1))) for td in tr.find_all("td")]
            for tr in table.find_all("tr")]


def tibet_docx(path: Path) -> Path:
    """国办发〔1996〕32号: cover notice, the forwarded 请示 (一、/（一） restarting per
    section, the Word default) and its 附表 as a Word table with merged cells."""
    soup = BeautifulSoup(TIBET.read_text(encoding="utf-8"), "lxml")
    body = soup.find(id="UCAP-CONTENT")
    lines = [re.sub(r"[\s\u00a0]+", " ", p.get_text()).replace("&sp;", "").strip() for p in body.find_all("p", recursive=False)]
    doc = Document()
    num = add_list(doc, [("chineseCounting", "%1、", 1, None, None), ("chineseCounting", "（%2）", 1, None, None)])
    write(doc, [x for x in lines if x], [(re.compile(f"^[{CN}]+、"), (num, 0)), (re.compile(f"^（[{CN}]+）"), (num, 1))])
    rows = tibet_table()
    table = doc.add_table(rows=len(rows), cols=6)
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in taken:
                c += 1
            table.cell(r, c).text = text
            if rs > 1 or cs > 1:
                table.cell(r, c).merge(table.cell(r + rs - 1, c + cs - 1))
            taken |= {(r + i, c + j) for i in range(rs) for j in range(cs)}
            c += cs
    header_and_footer(doc)
    doc.save(path)
    return path


# (numFmt, lvlText, start) → the labels Word shows for three paragraphs in a row.
FORMATS = [
    ("decimal", "%1.", 1, ["1.", "2.", "3."]),
    ("chineseCounting", "%1、", 19, ["十九、", "二十、", "二十一、"]),
    ("chineseCounting", "（%1）", 99, ["（九十九）", "（一百）", "（一百零一）"]),
    ("chineseCountingThousand", "第%1章", 9, ["第九章", "第十章", "第十一章"]),
    ("chineseCounting", "第%1条", 20, ["第二十条", "第二十一条", "第二十二条"]),
    ("ideographTraditional", "%1、", 1, ["甲、", "乙、", "丙、"]),
    ("japaneseCounting", "%1、", 10, ["十、", "十一、", "十二、"]),
    ("decimalEnclosedCircle", "%1", 19, ["⑲", "⑳", "㉑"]),
    ("decimalFullWidth", "%1．", 9, ["９．", "１０．", "１１．"]),
    ("upperLetter", "%1.", 25, ["Y.", "Z.", "AA."]),
    ("lowerLetter", "(%1)", 1, ["(a)", "(b)", "(c)"]),
    ("upperRoman", "%1.", 3, ["III.", "IV.", "V."]),
    ("lowerRoman", "%1)", 8, ["viii)", "ix)", "x)"]),
]


def article_texts() -> list[str]:
    """The 教育法's article texts without their typed 第X条."""
    lines = EDU_LAW.read_text(encoding="utf-8").splitlines()
    return [re.sub(f"^第[{CN}]+条\\s*", "", x.strip()) for x in lines if re.match(f"^第[{CN}]+条", x.strip())]


def formats_docx(path: Path) -> tuple[Path, list[str]]:
    """One list per numFmt, then restart/continue cases; returns the labels Word would show."""
    doc = Document()
    texts = iter(article_texts())
    expected: list[str] = []
    for fmt, text, start, labels in FORMATS:
        num = add_list(doc, [(fmt, text, start, None, None)])
        for label in labels:
            number(doc.add_paragraph(next(texts)), num, 0)
            expected.append(label)
    # Two levels "%1.%2": the second restarts when the first advances.
    num = add_list(doc, [("decimal", "%1.", 1, None, None), ("decimal", "%1.%2", 1, None, None)], suffix="space")
    for ilvl, label in ((0, "1. "), (1, "1.1 "), (1, "1.2 "), (0, "2. "), (1, "2.1 ")):
        number(doc.add_paragraph(next(texts)), num, ilvl)
        expected.append(label)
    # A second num on the same abstractNum continues the list unless it has a startOverride.
    abs_id = abstract_of(doc, num)
    for override, label in (({0: 1}, "1. "), (None, "3. ")):
        number(doc.add_paragraph(next(texts)), add_num(doc, abs_id, override), 0)
        expected.append(label)
    doc.save(path)
    return path, expected
