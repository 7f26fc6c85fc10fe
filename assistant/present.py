"""Present: an answer as the text users read (CLI, page, API) and as the JSON contract."""
from __future__ import annotations

from .types import Answer, Citation


def citation_line(c: Citation) -> str:
    parts = [c.doc_name, *c.clause_path]
    if c.responsible_units:
        parts.append(f"责任单位：{'、'.join(c.responsible_units)}")
    line = " › ".join(parts)
    if c.page:
        line += f"（第{c.page}页）"
    return line


def as_text(answer: Answer) -> str:
    lines = [answer.answer]
    if answer.notice:
        lines.insert(0, f"【提示】{answer.notice}")
    if answer.read_as:
        lines.insert(0, f"【结合上文理解为】{answer.read_as}")
    if answer.citations:
        lines.append("")
        lines.append("依据：")
        for i, c in enumerate(answer.citations, 1):
            lines.append(f"[{i}] {citation_line(c)}")
            lines.append(f"    “{c.quote}”")
    return "\n".join(lines)
