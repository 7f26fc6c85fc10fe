"""The numbering schemes of Chinese official writing, recognised at the start of a line.

Laws and regulations: 第X编 › 第X章 › 第X节 › 第X条 (项 （一） and 款 stay inside the article).
公文: 第X部分 › 一、 › （一） › 1. › （1） › ①, with every dot variant (1. 1． 1﹒ 1、).
Blocks: 附件 (an annex restarts the numbering), 专栏 boxes, 附表/表 tables.

The rank order is the convention of the genre (GB/T 9704 and legislative drafting
practice); a document may skip levels (items 1. directly under 一、), which a stack handles."""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.zh import CN_NUMERAL, cn_to_int

_N = rf"[{CN_NUMERAL}\d]+"
# (kind, rank, pattern): the pattern's group 1 is the number, group 2 the heading text.
SCHEMES: list[tuple[str, int, re.Pattern]] = [
    ("bian", 0, re.compile(rf"^第({_N})编\s*(.*)$")),
    ("part", 1, re.compile(rf"^第({_N})部分\s*(.*)$")),
    ("chapter", 2, re.compile(rf"^第({_N})章\s*(.*)$")),
    ("section", 3, re.compile(rf"^第({_N})节\s*(.*)$")),
    ("article", 4, re.compile(rf"^第({_N})条(?:之[{CN_NUMERAL}]+)?\s*(.*)$")),
    ("l1", 5, re.compile(rf"^([{CN_NUMERAL}]+)\s*[、.．]\s*(.*)$")),
    ("l2", 6, re.compile(rf"^（([{CN_NUMERAL}]+)）\s*(.*)$")),
    ("l3", 7, re.compile(r"^(\d{1,3})\s*[.、．﹒](?![\d])\s*(.*)$")),
    ("l4", 8, re.compile(r"^（(\d{1,3})）\s*(.*)$")),
    ("l5", 9, re.compile(r"^([\u2460-\u2473])\s*(.*)$")),
]
RANK = {kind: rank for kind, rank, _ in SCHEMES}
ARTICLE_RANK = RANK["article"]
# An annex line is short: 附件 / 附件2 / 附件：名称 — not 附件：1.… 2.… lists of a cover notice.
ANNEX = re.compile(r"^附件\s*(\d{0,2})\s*[：:]?\s*(.{0,40})$")
BOX = re.compile(r"^专栏\s*(\d{1,3})\s*[：:]?\s*(.*)$")
TABLE = re.compile(r"^(附表|表)\s*(\d+(?:[-—.]\d+)?)?\s*[：:]?\s*(.{0,40})$")
TOC = re.compile(r"^目\s*录$")


@dataclass(frozen=True)
class Marker:
    kind: str
    rank: int
    number: int
    label: str  # the numbering as written: 第三条, （二十四）, 5.
    text: str  # what follows the numbering on the line


def circled(ch: str) -> int:
    return ord(ch) - 0x2460 + 1


def match_marker(line: str) -> Marker | None:
    for kind, rank, rx in SCHEMES:
        m = rx.match(line)
        if not m:
            continue
        raw = m.group(1)
        n = circled(raw) if kind == "l5" else cn_to_int(raw)
        if n is None or n <= 0:
            continue
        label = line[: m.start(2)].strip() if m.group(2) else line.strip()
        return Marker(kind, rank, n, label, m.group(2).strip())
    return None


def heading_label(text: str, limit: int = 60) -> str:
    """（二十四）完善某项机制。优化… → （二十四）完善某项机制; 第三条 为了… → 第三条."""
    m = match_marker(text)
    if m and m.kind == "article":
        return m.label
    head = re.split(r"[。；：]", text, maxsplit=1)[0]
    return head[:limit]


class Sequence:
    """Numbering must advance: a candidate heading whose number neither starts a run (1)
    nor follows the last number of its kind (straight-through or restarted) is body text —
    a decimal in a table, a cross-reference at a line start, a quoted list."""

    # One missing number is tolerated (a heading lost in extraction); a larger jump is not.
    MAX_GAP = 2

    def __init__(self) -> None:
        self.last: dict[str, int] = {}
        self.last_in_parent: dict[tuple[str, tuple], int] = {}

    def accepts(self, m: Marker, parent: tuple) -> bool:
        if m.number == 1:
            return True
        prev_here = self.last_in_parent.get((m.kind, parent))
        prev_any = self.last.get(m.kind)
        return any(p is not None and p < m.number <= p + self.MAX_GAP for p in (prev_here, prev_any))

    def take(self, m: Marker, parent: tuple) -> None:
        self.last[m.kind] = m.number
        self.last_in_parent[(m.kind, parent)] = m.number

    def reset(self) -> None:
        """An annex restarts every level's numbering."""
        self.last.clear()
        self.last_in_parent.clear()


def comparable(line: str) -> str:
    """A heading as a 目录 line and as a body line: without spaces, leaders and page numbers."""
    s = re.sub(r"[\s.…·\-—_]+\d*$", "", line)
    return re.sub(r"[\s\u3000]", "", s)
