"""Responsible units (责任单位) in every common form, with lead and support kept apart:

  （责任单位：A、B）  〔责任单位：A〕  a line of its own 责任单位：A，B
  （牵头单位：A，B；责任单位：C）   （…，牵头考核单位：A）
  （A牵头，B、C配合）  （A负责）  （A牵头，B按职责分工负责）

Pure functions over a clause's text; the organisation endings that tell a unit annotation
from an ordinary parenthetical are a data file (assistant/data/org_suffixes.txt)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.data import read_lines

OPEN_CLOSE = {"（": "）", "〔": "〕", "［": "］", "【": "】", "[": "]", "(": ")"}
_CLOSERS = set(OPEN_CLOSE.values())
ROLE_LABEL = re.compile(
    r"(牵头考核单位|牵头单位|牵头部门|主责单位|主办单位|责任单位|责任部门|实施单位|配合单位|配合部门|协办单位|参与单位)[：:]"
)
LEAD_LABELS = {"牵头考核单位", "牵头单位", "牵头部门", "主责单位", "主办单位"}
SUPPORT_LABELS = {"配合单位", "配合部门", "协办单位", "参与单位"}
# （A牵头，B按职责分工配合）: each comma part is units followed by one role verb.
_VERB_PART = re.compile(r"^(.+?)(?:按职责分工|按照职责分工|按职责|分别|共同)?(牵头负责|牵头|负责|配合|参与|协助|协同)$")
_LEAD_VERBS = {"牵头负责", "牵头"}
_SUPPORT_VERBS = {"配合", "参与", "协助", "协同"}


@dataclass
class Units:
    lead: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # 责任单位 without a named lead, then supporters
    support: list[str] = field(default_factory=list)
    annotations: int = 0

    def merge(self, o: "Units") -> None:
        self.lead += [u for u in o.lead if u not in self.lead]
        self.other += [u for u in o.other if u not in self.other]
        self.support += [u for u in o.support if u not in self.support]
        self.annotations += o.annotations

    @property
    def all(self) -> list[str]:
        out: list[str] = []
        for u in self.lead + self.other + self.support:
            if u not in out:
                out.append(u)
        return out

    @property
    def leads(self) -> list[str]:
        """Named leads; else the first unit listed (the convention of 责任单位 lists)."""
        return list(self.lead) or self.all[:1]


@lru_cache(maxsize=1)
def org_suffixes() -> tuple[str, ...]:
    return tuple(sorted(read_lines("org_suffixes.txt"), key=len, reverse=True))


def looks_like_unit(name: str) -> bool:
    name = re.sub(r"[（〔［(][^）〕］)]*[）〕］)]$", "", name)  # 各县（市、区） → 各县
    return bool(name) and (name.startswith("各") or name.endswith(org_suffixes()))


def split_units(raw: str) -> list[str]:
    """市县人民政府和省财政厅、省教育厅 → [市县人民政府, 省财政厅, 省教育厅].

    Splits on 、，,；和 but not inside brackets (市〔州〕人民政府, 各县（市、区）政府 stay
    whole) and not on the 和 inside a unit's own name (省人力资源和社会保障厅): a 和
    separates units only when the next one starts with a level prefix."""
    parts, buf, depth = [], "", 0
    for i, ch in enumerate(raw):
        if ch in OPEN_CLOSE:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
        if depth == 0 and (ch in "、，,；;" or (ch == "和" and re.match(r"[省市县区各国团共]", raw[i + 1 : i + 2]))):
            parts.append(buf)
            buf = ""
        else:
            buf += ch
    parts.append(buf)
    return _join_levels([p.strip(" 。.\u3000") for p in parts if p.strip(" 。.\u3000")])


# A list item that is only a level («各市、州、县人民政府»: 市 and 州 share the 人民政府 of the
# item they precede), not a unit of its own.
_BARE_LEVEL = re.compile(r"各?[省市州盟县区旗乡镇]{1,2}")


def _join_levels(parts: list[str]) -> list[str]:
    """Bare levels joined with 、 to the name they share: [各市, 州, 县人民政府] →
    [各市、州、县人民政府] (各县（市、区）人民政府 likewise stays whole)."""
    out: list[str] = []
    held: list[str] = []
    for p in parts:
        if _BARE_LEVEL.fullmatch(p):
            held.append(p)
            continue
        out.append("、".join(held + [p]))
        held = []
    return out + held


def _labelled(content: str) -> Units | None:
    """牵头单位：A，B；责任单位：C — text before the first label (a deadline) is not a unit."""
    marks = list(ROLE_LABEL.finditer(content))
    if not marks:
        return None
    u = Units(annotations=1)
    has_lead = any(m.group(1) in LEAD_LABELS for m in marks)
    for m, nxt in zip(marks, marks[1:] + [None]):
        value = content[m.end() : nxt.start() if nxt else len(content)].strip("；;，, ")
        names = split_units(value)
        if m.group(1) in LEAD_LABELS:
            u.lead += names
        elif m.group(1) in SUPPORT_LABELS or has_lead:
            u.support += names
        else:
            u.other += names
    return u


def _verbal(content: str) -> Units | None:
    """A牵头，B、C按职责分工配合 / A负责 — only when every part names organisations."""
    u = Units(annotations=1)
    for k, part in enumerate(p for p in re.split(r"[，；,;]", content) if p):
        m = _VERB_PART.match(part.strip())
        if not m:
            return None
        names = split_units(m.group(1))
        if not names or not all(looks_like_unit(n) for n in names):
            return None
        verb = m.group(2)
        if verb in _LEAD_VERBS or (verb == "负责" and k == 0):
            u.lead += names
        else:
            u.support += names
    return u if u.lead or u.support else None


def _bracket_spans(text: str):
    """Top-level bracketed spans (start, end, content), nested brackets kept inside."""
    i = 0
    while i < len(text):
        if text[i] in OPEN_CLOSE:
            depth, j = 0, i
            while j < len(text):
                if text[j] in OPEN_CLOSE:
                    depth += 1
                elif text[j] in _CLOSERS:
                    depth -= 1
                    if depth == 0:
                        break
                elif text[j] == "\n":
                    break
                j += 1
            if j < len(text) and depth == 0:
                yield i, j + 1, text[i + 1 : j]
                i = j + 1
                continue
        i += 1


def extract_units(text: str) -> tuple[str, Units]:
    """All annotations of a clause's text: (the text without them, the units they name)."""
    found = Units()
    cut: list[tuple[int, int]] = []
    for start, end, content in _bracket_spans(text):
        got = _labelled(content) or _verbal(content)
        if got:
            found.merge(got)
            cut.append((start, end))
    pos = 0
    for line in text.split("\n"):
        if ROLE_LABEL.match(line.strip()):
            got = _labelled(line.strip())
            if got:
                found.merge(got)
                cut.append((pos, pos + len(line)))
        pos += len(line) + 1
    rest = text
    for start, end in sorted(cut, reverse=True):
        rest = rest[:start] + rest[end:]
    rest = re.sub(r"\n{2,}", "\n", rest).strip()
    return rest, found
