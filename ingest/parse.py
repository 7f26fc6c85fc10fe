"""Parse: cleaned paragraphs of one document → clause records with their heading paths.

Government documents: 一、 → （一） → 1. ; the annual report: chapters, 1.1 / 1.1.1 sections,
表 x-y tables, 案例 x-y boxes, 附表; news: unnumbered section headings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clean import Paragraph

CN_NUM = "一二三四五六七八九十百"
GOV_LEVELS = [
    re.compile(rf"^[{CN_NUM}]+、"),
    re.compile(rf"^（[{CN_NUM}]+）"),
    re.compile(r"^\d{1,3}[.、](?!\d)"),
]
_UNITS = re.compile(r"（责任单位[：:]")
_TRAILER = re.compile(r"^(抄送|联系人|邮箱|附件|共印)[：]?|^（此件|^\d{4}年\d{1,2}月\d{1,2}日(印发)?$|^共印\d+份")
_SECTION = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,3})\s*(\S.*)$")
_CHAPTER = re.compile(r"^([1-9])\s*([\u4e00-\u9fff“”]{2,10})$")
_TABLE = re.compile(r"^(附表|表)\s*(\d+(?:-\d+)?)\s*[：:]?\s*(.*)$")
_CASE = re.compile(r"^案例\s*(\d+-\d+)\s*(.*)$")
_FIGURE = re.compile(r"^图\s*\d+-\d+")
_SOURCE_NOTE = re.compile(r"^(数据来源|资料来源)[：:]")


@dataclass
class Draft:
    """A clause under construction: heading path and paragraphs (with their indices)."""

    kind: str
    path: list[str]
    paras: list[int] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def split_units(raw: str) -> list[str]:
    """市县人民政府和省财政厅、省教育厅 → [市县人民政府, 省财政厅, 省教育厅].

    Splits on 、，,；和 but not inside ［…］/（…） (各县［市、区］人民政府 stays whole) and
    not on the 和 inside a unit's own name (市规划和自然资源局, 省人力资源和社会保障厅):
    a 和 separates units only when the next unit starts with a level prefix."""
    parts, buf, depth = [], "", 0
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch in "［[（(":
            depth += 1
        elif ch in "］]）)":
            depth -= 1
        if depth == 0 and (ch in "、，,；;" or (ch == "和" and re.match(r"[省市县区各国团共]", raw[i + 1 : i + 2]))):
            parts.append(buf)
            buf = ""
        else:
            buf += ch
        i += 1
    parts.append(buf)
    return [p.strip(" 。") for p in parts if p.strip(" 。")]


def extract_units(text: str) -> tuple[str, list[str]]:
    """Take the last （责任单位：…） out of a clause text; return (text without it, units)."""
    m = None
    for m in _UNITS.finditer(text):
        pass
    if not m:
        return text, []
    depth, end = 0, len(text)
    for k in range(m.start(), len(text)):
        if text[k] in "（［":
            depth += 1
        elif text[k] in "）］":
            depth -= 1
            if depth == 0:
                end = k
                break
    units = split_units(text[m.end() : end])
    rest = (text[: m.start()] + text[end + 1 :]).strip()
    return rest, units


def heading_label(text: str) -> str:
    """（二十四）完善经费投入机制。优化… → （二十四）完善经费投入机制."""
    head = re.split(r"[。；]", text, maxsplit=1)[0]
    return head if len(head) <= 60 else head[:60]


def _is_trailer(p: Paragraph, issuer: str | None) -> bool:
    return bool(_TRAILER.match(p.text)) or (issuer is not None and p.text in (issuer, issuer + "办公室", issuer + "办公厅"))


def parse_government(paras: list[Paragraph], body_start: int, issuer: str | None, title: str) -> list[Draft]:
    drafts: list[Draft] = []
    stack: list[tuple[int, str]] = []  # (level, label)
    preamble = Draft("preamble", [])
    current: Draft | None = None
    seen_structure = False
    for i in range(body_start, len(paras)):
        p = paras[i]
        if p.text == title and not seen_structure:
            continue  # the plan's own title line after the cover notice
        level = next((n for n, rx in enumerate(GOV_LEVELS) if rx.match(p.text)), None)
        if level is not None and (level == 0 or seen_structure):
            seen_structure = True
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, heading_label(p.text)))
            current = Draft("clause", [lbl for _, lbl in stack], [i])
            drafts.append(current)
            continue
        if _is_trailer(p, issuer) or p.kind == "standalone":
            if seen_structure and _TRAILER.match(p.text) and not p.text.startswith("附件"):
                current = None  # 抄送/联系人/印发 lines end the body
            continue
        if current is not None:
            current.paras.append(i)
        elif not seen_structure:
            preamble.paras.append(i)
    # A heading whose text is only the heading (一、指导思想) holds no clause of its own when
    # children follow; it keeps one when body paragraphs follow it (三、发展目标 …).
    kept = [d for k, d in enumerate(drafts) if len(d.paras) > 1 or not _has_child(drafts, k)]
    return ([preamble] if preamble.paras else []) + kept


def _has_child(drafts: list[Draft], k: int) -> bool:
    return k + 1 < len(drafts) and len(drafts[k + 1].path) > len(drafts[k].path)


def parse_report(paras: list[Paragraph], body_start: int) -> list[Draft]:
    drafts: list[Draft] = []
    chapter: str | None = None
    sections: list[str] = []
    annex_group = ""
    current: Draft | None = None
    section_draft: Draft | None = None
    in_toc = False
    started = False
    for i in range(body_start, len(paras)):
        t = paras[i].text
        if re.match(r"^(目\s*录|图目录|表\s*目录|案例目录)", t):
            in_toc = True
            continue
        if in_toc and ("\t" in t and re.search(r"(\t|\.{2,}\s*)[IVX\d]+$|\d{1,3}$", t)):
            continue
        ch = _CHAPTER.match(t)
        sec = _SECTION.match(t)
        if ch and (chapter is None or int(ch.group(1)) == int(chapter.split()[0]) + 1):
            in_toc, started = False, True
            chapter = f"{ch.group(1)} {ch.group(2)}"
            sections, current, section_draft = [], None, None
            continue
        if t in ("前言", "后记") and not in_toc:
            chapter, sections = None, []
            current = section_draft = Draft("section", [t])
            drafts.append(current)
            continue
        if in_toc:
            continue
        if t.startswith("- ") and current is None:
            continue  # the chapter cover's bullet list repeats the section titles
        if t in ("高职：", "中职：", "高职", "中职"):
            annex_group = t.rstrip("：")
            continue
        if sec and paras[i].kind == "heading" and chapter and sec.group(1).split(".")[0] == chapter.split()[0]:
            depth = sec.group(1).count(".")
            sections = sections[: depth - 1] + [f"{sec.group(1)} {sec.group(2)}"]
            current = section_draft = Draft("section", [chapter, *sections])
            drafts.append(current)
            continue
        tb = _TABLE.match(t)
        if tb and "\t" not in t:
            name = f"{tb.group(1)}{tb.group(2)} {tb.group(3)}".strip()
            if tb.group(1) == "附表":
                base = [f"附表（{annex_group}）"] if annex_group else []
                chapter, sections = None, []
            else:
                base = [chapter, *sections] if chapter else []
            current = Draft("table", base + [name], [i])
            drafts.append(current)
            continue
        cs = _CASE.match(t)
        if cs:
            title = cs.group(2)
            if not title and i + 1 < len(paras):
                title = paras[i + 1].text if len(paras[i + 1].text) <= 30 else ""
            current = Draft("case", [*([chapter] if chapter else []), *sections, f"案例{cs.group(1)} {title}".strip()], [i])
            drafts.append(current)
            continue
        if _FIGURE.match(t):
            if current is not None and current.kind == "case":
                current = section_draft  # a figure caption closes the case box
            continue
        if not started or current is None:
            continue
        if current.kind == "table":
            if "\t" in t:
                current.rows.append(t.split("\t"))
                current.paras.append(i)
                continue
            if t.startswith("单位：") or t.startswith("名称："):
                current.paras.append(i)
                continue
            if _SOURCE_NOTE.match(t):
                current.paras.append(i)
            current = section_draft
            if _SOURCE_NOTE.match(t) or current is None:
                continue
        if _SOURCE_NOTE.match(t):
            continue
        if current.kind == "case" and len(current.paras) == 1 and t == current.path[-1].split(" ", 1)[-1]:
            current.paras.append(i)
            continue
        current.paras.append(i)
    for d in drafts:
        if d.kind == "table":
            d.header, d.rows = table_header(d.rows)
    return [d for d in drafts if d.rows or len(d.paras) > (0 if d.kind == "section" else 1)]


def table_header(rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """Header rows are those before the first row that starts with a number (序号/年份);
    multi-row headers are merged per column, a spanning cell carried to the right."""
    n = next((k for k, r in enumerate(rows) if r and re.fullmatch(r"\d{1,4}", r[0].strip())), 1 if rows else 0)
    head_rows, body = rows[:n], rows[n:]
    width = max((len(r) for r in rows), default=0)
    grid = [[(r[j].strip() if j < len(r) else "") for j in range(width)] for r in head_rows]
    # A group header spans the columns to its right whose sub-headers sit in the row below.
    for a in range(len(grid) - 1):
        for j in range(1, width):
            if not grid[a][j] and grid[a][j - 1] and any(grid[b][j] for b in range(a + 1, len(grid))):
                grid[a][j] = grid[a][j - 1]
    header = []
    for j in range(width):
        parts: list[str] = []
        for row in grid:
            if row[j] and row[j] not in parts:
                parts.append(row[j])
        header.append("/".join(parts) if parts else f"列{j + 1}")
    filled, prev = [], []
    for r in body:
        r = [c.strip() for c in r]
        if header and header[0] == "序号" and len(r) == len(header) and r[-1] == "" and r[0] and not r[0].isdigit():
            r = [""] + r[:-1]  # a sub-row that lost its leading tab
        # Sub-rows leave the number and indicator cells empty: carry them down.
        r = [c if c or k > 1 or not prev or k >= len(prev) else prev[k] for k, c in enumerate(r)]
        filled.append(r)
        prev = r
    return header, filled


def parse_news(paras: list[Paragraph], title: str) -> list[Draft]:
    drafts: list[Draft] = []
    current = Draft("section", [])
    drafts.append(current)
    for i, p in enumerate(paras):
        if p.kind == "title" and p.text not in title:
            current = Draft("section", [p.text], [i])
            drafts.append(current)
        elif p.text in title or p.text.startswith("（") and len(p.text) < 12:
            continue  # headline and bylines
        else:
            current.paras.append(i)
    return [d for d in drafts if any(not paras[k].kind == "title" for k in d.paras)]


def parse_plain(paras: list[Paragraph], body_start: int) -> list[Draft]:
    """No structure recognised: groups of paragraphs up to ~600 characters."""
    drafts, cur, size = [], Draft("section", []), 0
    for i in range(body_start, len(paras)):
        cur.paras.append(i)
        size += len(paras[i].text)
        if size >= 600:
            drafts.append(cur)
            cur, size = Draft("section", []), 0
    if cur.paras:
        drafts.append(cur)
    return drafts
