"""Parse: cleaned paragraphs of one document → clause records with their heading paths.

Numbered official writing (laws, regulations, 公文, plans): one parser over the numbering
schemes of ingest.numbering. Reports: chapters, 1.1 / 1.1.1 sections, 表 x-y tables, 案例
boxes, 附表. Unnumbered articles (news): their short section headings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clean import Paragraph
from .units import Units, extract_units
from .numbering import ANNEX, ARTICLE_RANK, BOX, TOC, Marker, Sequence, comparable, heading_label, match_marker

_TRAILER = re.compile(r"^(抄送|联系人|邮箱|共印|主题词|主送)[：]?|^（此件|^共印\d+份|^扫一扫")
_SECTION = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,3})\s*(\S.*)$")
_CHAPTER = re.compile(r"^([1-9])\s*([\u4e00-\u9fff“”]{2,10})$")
_TABLE = re.compile(r"^(附表|表)\s*(\d+(?:-\d+)?)\s*[：:]?\s*(.*)$")
_CASE = re.compile(r"^案例\s*(\d+-\d+)\s*(.*)$")
_FIGURE = re.compile(r"^图\s*\d+-\d+")
_SOURCE_NOTE = re.compile(r"^(数据来源|资料来源)[：:]")
# Unnumbered top-level sections of the genre (序言 before 第一部分, 实施 after the last
# chapter); the names are those of GB/T 9704 公文 and planning-document practice.
# Ranked below every numbering so that the next numbered heading closes it.
GENRE_RANK = 100
GENRE_SECTIONS = {"序言", "前言", "引言", "导言", "总则", "附则", "结束语", "结语", "实施", "组织实施", "附录"}
# A caption introducing an attached table: 附：…计划表 / 附表 / 表1 …
_TABLE_CAPTION = re.compile(r"^(附[：:]?|附表\s*\d*[：:]?|表\s*\d+[：:]?)\s*(.{0,40})$")


_HAN = re.compile(r"[\u4e00-\u9fff]")
_SENTENCE_END = ("。", "；", "！", "？", "：")


@dataclass
class Draft:
    """A clause under construction: heading path and paragraphs (with their indices)."""

    kind: str
    path: list[str]
    paras: list[int] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    rank: int = 99  # the numbering rank of the heading that opened it
    units: Units | None = None


def _is_trailer(p: Paragraph, issuer: str | None) -> bool:
    return bool(_TRAILER.match(p.text)) or (
        issuer is not None and p.text in (issuer, issuer + "办公室", issuer + "办公厅")
    )


def skip_toc(paras: list[Paragraph], i: int) -> int:
    """A 目录 repeats the headings: skip to the line where its first entry reappears."""
    entries: list[str] = []
    j = i + 1
    while j < len(paras):
        key = comparable(paras[j].text)
        if entries and key == entries[0]:
            return j
        if len(paras[j].text) > 60 and re.search(r"[。；]", paras[j].text):
            return j  # prose: the body has begun without repeating the first entry
        entries.append(key)
        j += 1
    return i + 1


class _Tree:
    """The open headings (a stack by rank) and the drafts they opened."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, str]] = []
        self.drafts: list[Draft] = []
        self.seq = Sequence()

    def labels(self, below: int = 1000) -> list[str]:
        return [lbl for r, lbl in self.stack if r < below]

    @property
    def in_article(self) -> bool:
        return any(r == ARTICLE_RANK for r, _ in self.stack)

    def open(self, rank: int, label: str, i: int, kind: str = "clause") -> Draft:
        while self.stack and self.stack[-1][0] >= rank:
            self.stack.pop()
        self.stack.append((rank, label))
        d = Draft(kind, self.labels(), [i], rank=rank)
        self.drafts.append(d)
        return d

    def accept(self, m: Marker) -> bool:
        if self.in_article and m.rank > ARTICLE_RANK:
            return False  # 项 （一） and 款 belong to their article
        parent = tuple(self.labels(m.rank))
        if not self.seq.accepts(m, parent):
            return False
        self.seq.take(m, parent)
        return True


def _annex_label(paras: list[Paragraph], i: int, m: re.Match) -> tuple[str, int]:
    """附件2 + the title on the next short line → 附件2 考评指标; returns (label, lines used)."""
    name = m.group(2).strip()
    if not name and i + 1 < len(paras) and len(paras[i + 1].text) <= 40 and not match_marker(paras[i + 1].text):
        return f"附件{m.group(1)} {paras[i + 1].text}".strip(), 2
    return f"附件{m.group(1)} {name}".strip(), 1


def parse_structured(paras: list[Paragraph], body_start: int, issuer: str | None, title: str) -> list[Draft]:
    """One parser for numbered official writing: laws (编/章/节/条), 公文 (一、/（一）/1./（1）/①),
    部分, 附件, 专栏 and tables, a 目录 skipped, numbering straight through or restarting."""
    tree, preamble = _Tree(), Draft("preamble", [])
    current: Draft | None = None
    started = ended = False
    i = body_start
    while i < len(paras):
        p = paras[i]
        t = p.text
        if TOC.match(t):
            i = skip_toc(paras, i)
            continue
        if t == title and not started:
            i += 1
            continue  # the attached plan's own title line after the cover notice
        step, current, started, ended = _step(paras, i, tree, current, preamble, started, ended, issuer)
        i += step
    drafts = tree.drafts
    _inherit_units(drafts, paras)
    # A heading whose text is only the heading (一、指导思想) holds no clause of its own when
    # children follow; it keeps one when body paragraphs follow it (三、发展目标 …) or its own
    # line says more than its label (46.有下列情形之一的考生…。同一考生…不得超过20分。).
    kept = [d for k, d in enumerate(drafts)
            if d.rows or len(d.paras) > 1 or (d.kind == "clause" and not _has_child(drafts, k)) or _says_more(d, paras)]
    return ([preamble] if preamble.paras else []) + kept


def _step(paras, i, tree: _Tree, current, preamble, started, ended, issuer):
    """One paragraph: open a heading, an annex, a box or a table, or add to the current clause."""
    p, t = paras[i], paras[i].text
    annex = ANNEX.match(t) if p.kind != "body" or len(t) <= 20 else None
    if annex and (started or annex.group(2)):
        label, used = _annex_label(paras, i, annex)
        tree.stack, tree.seq = [], Sequence()  # an annex restarts the numbering
        return used, tree.open(-1, label, i, "section"), started, False
    m = match_marker(t)
    if m and (started or m.number == 1) and tree.accept(m):
        return 1, tree.open(m.rank, heading_label(t), i), True, False
    if p.kind == "title" and t in GENRE_SECTIONS:
        tree.stack = [(r, lbl) for r, lbl in tree.stack if r < 0]  # a sibling of the top level
        return 1, tree.open(GENRE_RANK, t, i, "section"), True, False
    box = BOX.match(t)
    if box and current is not None and current.path and current.path[-1].startswith(f"专栏{box.group(1)}"):
        current.paras.append(i)  # the box's caption repeated over its table
        return 1, current, started, ended
    if box and started:
        d = Draft("section", tree.labels() + [f"专栏{box.group(1)} {box.group(2)}".strip()], [i])
        tree.drafts.append(d)
        return 1, d, started, ended
    if "\t" in t:
        if current is not None and current.kind == "section" and current.path[-1:] and current.path[-1].startswith("专栏"):
            current.kind = "table"  # a 专栏 holding a table is that table
        if current is None or current.kind != "table" or not current.rows and len(current.paras) > 1:
            current = _table_draft(paras, i, tree, current)
        current.rows.append(t.split("\t"))
        current.paras.append(i)
        return 1, current, started, ended
    cap = _TABLE_CAPTION.match(t)
    if cap and started and i + 1 < len(paras) and ("\t" in paras[i + 1].text or _TABLE_CAPTION.match(paras[i + 1].text)):
        return 1, _caption_draft(tree, t, i), started, ended
    if _is_trailer(p, issuer) or p.kind == "standalone":
        if started and _TRAILER.match(t):
            return 1, None, started, True  # 抄送/联系人 lines end the body
        return 1, current, started, ended
    if current is not None and current.kind == "table" and current.rows:
        current = next((d for d in reversed(tree.drafts) if d.kind != "table"), None)  # text after a table
    if current is not None and not ended:
        current.paras.append(i)
    elif not started:
        preamble.paras.append(i)
    return 1, current, started, ended


def _inherit_units(drafts: list[Draft], paras: list[Paragraph]) -> None:
    """Units named at a heading apply to the items under it that name none of their own. The
    drafts come in document order, so the headings above an item are a stack: linear in the
    number of clauses (a text of 60,000 numbered lines is parsed in seconds)."""
    for d in drafts:
        _, d.units = extract_units("\n".join(paras[k].text for k in d.paras))
    above: list[Draft] = []
    for d in drafts:
        if d.kind == "table":
            continue
        while above and not (len(above[-1].path) < len(d.path) and d.path[: len(above[-1].path)] == above[-1].path):
            above.pop()
        if not d.units.all:
            a = next((a for a in reversed(above) if a.units.all), None)
            if a is not None:
                d.units = Units(list(a.units.lead), list(a.units.other), list(a.units.support), 0)
        above.append(d)


def _caption_draft(tree: _Tree, caption: str, i: int) -> Draft:
    d = Draft("table", tree.labels() + [caption.rstrip("：:")], [i])
    tree.drafts.append(d)
    return d


def _table_draft(paras, i, tree: _Tree, current: Draft | None) -> Draft:
    """Rows with no caption line: a table inside the current clause, named by the line above."""
    above = paras[i - 1].text if i > 0 else ""
    name = above if len(above) <= 40 and "\t" not in above and not match_marker(above) else "表"
    base = current.path if current is not None and current.kind != "table" else tree.labels()
    d = Draft("table", base + [name], [])
    tree.drafts.append(d)
    return d


def _says_more(d: Draft, paras: list[Paragraph]) -> bool:
    """A one-line heading whose line holds text beyond the label its children carry in their
    path: dropping it would lose that text."""
    if d.kind != "clause" or len(d.paras) != 1 or not d.path:
        return False
    text = paras[d.paras[0]].text
    rest = text[len(d.path[-1]):] if text.startswith(d.path[-1]) else text
    return bool(_HAN.search(rest))


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
            chapter, sections, started = None, [], True  # a foreword before chapter 1 is text too
            current = section_draft = Draft("section", [t])
            drafts.append(current)
            continue
        if in_toc:
            continue
        if t.startswith("- ") and current is None:
            continue  # the chapter cover's bullet list repeats the section titles
        if _is_group_label(t, paras, i):
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
        if not started:
            continue
        if current is None:
            if chapter is None or not t.endswith(_SENTENCE_END):
                continue  # the chapter cover's own title and picture labels
            # A chapter's opening paragraph before its first section is text of the chapter.
            current = section_draft = Draft("section", [chapter])
            drafts.append(current)
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


def _is_group_label(t: str, paras: list[Paragraph], i: int) -> bool:
    """A short line such as «高职：» that groups the annex tables after it."""
    return (
        len(t.rstrip("：")) <= 6 and not re.search(r"[，。；\t\d]", t)
        and i + 1 < len(paras) and bool(_TABLE.match(paras[i + 1].text)) and _TABLE.match(paras[i + 1].text).group(1) == "附表"
    )


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
