"""Reading a model's answer into claims: the sentences it asserts and the sources it cites.

Real models put markers before or after 。 («……[1]。» / «……。[1]»), cite a list's lead-in
and not its items, number lists («1.» «（2）»), bullet and bold with Markdown, and leave a
sentence unmarked when the next one in the paragraph carries the marker."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

MARK = re.compile(r"\[\^?(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\]|【(\d{1,2})】")
_MARKS_AT_START = re.compile(rf"^\s*(?:(?:{MARK.pattern})\s*)+")
_SENT_END = re.compile(r"(?<=[。！？!?])")
_ITEM = re.compile(r"^\s*(?:[-*•·]\s+|\d{1,2}(?:[.．](?!\d)|[、)）])\s*|[（(]\d{1,2}[)）]\s*|[一二三四五六七八九十]{1,3}、\s*)")
_MARKDOWN = re.compile(r"\*\*|__|`|^\s*#{1,6}\s*", re.M)
_CONTENT = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]")


def marks_in(text: str) -> list[int]:
    """The source numbers a text cites, in order: [1][2], [1,2], 【1】, [^1]."""
    out = []
    for m in MARK.finditer(text):
        out += [int(x) for x in re.split(r"\s*[,，、]\s*", m.group(1) or m.group(2))]
    return out


def strip_marks(text: str) -> str:
    return MARK.sub("", text)


@dataclass
class Claim:
    raw: str  # the sentence as written, markers included (moved from after 。 when so written)
    body: str  # what it asserts: markers, Markdown and list numbering removed
    marks: list[int]  # 1-based source numbers it cites, own or inherited
    line: int  # the line it stands on
    prefix: str = ""  # list numbering or bullet of its line
    own_marks: bool = True  # False when inherited from the paragraph or the list's lead-in
    notes: list[str] = field(default_factory=list)

    @property
    def leads_list(self) -> bool:
        """Ends with a colon: it introduces what follows («具体要求如下：»)."""
        return self.body.rstrip().endswith(("：", ":"))

    @property
    def is_label(self) -> bool:
        """A lead-in or heading («具体要求如下：», «结论：») asserts nothing of its own."""
        core = re.sub(r"[^\u4e00-\u9fff0-9A-Za-z]", "", self.body)
        return not self.marks and self.leads_list and len(core) <= 12


def _sentences(line: str) -> list[str]:
    """Sentences of one line; markers written after 。 go back to the sentence they close."""
    parts = [p for p in _SENT_END.split(line) if p]
    out: list[str] = []
    for p in parts:
        m = _MARKS_AT_START.match(p)
        if m and out:
            out[-1] += m.group().strip()
            p = p[m.end():]
        if p.strip():
            out.append(p)
    return out


def parse(text: str) -> list[Claim]:
    claims: list[Claim] = []
    lead_marks: list[int] = []  # the marks of the last lead-in ending with ：, for its list items
    for n, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        item = _ITEM.match(line)
        prefix = item.group() if item else ""
        row = []
        for sent in _sentences(line[len(prefix):]):
            body = _MARKDOWN.sub("", strip_marks(sent)).strip()
            if not _CONTENT.search(body):
                if row:  # a stray marker or punctuation: keep it with the sentence before
                    row[-1].raw += sent
                continue
            row.append(Claim(sent, body, marks_in(sent), n, prefix))
        for i, c in enumerate(row):  # unmarked: the paragraph's next (else previous) marker
            if not c.marks:
                donor = next((d for d in row[i + 1:] if d.marks), None) or next((d for d in reversed(row[:i]) if d.marks), None)
                if donor:
                    c.marks, c.own_marks = list(donor.marks), False
                elif item and lead_marks:
                    c.marks, c.own_marks = list(lead_marks), False
        if row and not item:
            lead_marks = row[-1].marks if row[-1].leads_list else []
        claims += row
    return claims


def cite(claim: Claim, marks: list[int]) -> None:
    """Re-attribute a claim: its markers replaced by `marks`, placed where it had them."""
    at = MARK.search(claim.raw)
    new = "".join(f"[{i}]" for i in marks)
    if at is None:
        end = re.search(r"[。！？；;，,]?\s*$", claim.raw)
        claim.raw = claim.raw[: end.start()] + new + claim.raw[end.start():]
    else:
        claim.raw = claim.raw[: at.start()] + new + MARK.sub("", claim.raw[at.start():])
    claim.marks, claim.own_marks = list(marks), True


def render(claims: list[Claim], renumber: dict[int, int]) -> str:
    """The kept claims as text, lines and list numbering as written, markers renumbered."""
    lines: dict[int, list[str]] = {}
    for c in claims:
        raw = MARK.sub(lambda m: "".join(f"[{renumber[i]}]" for i in marks_in(m.group()) if i in renumber), c.raw)
        lines.setdefault(c.line, []).append((c.prefix if not lines.get(c.line) else "") + raw)
    return "\n".join("".join(parts).strip() for _, parts in sorted(lines.items())).strip()
