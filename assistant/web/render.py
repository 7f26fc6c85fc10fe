"""HTML/markdown for the page. Text from documents and users is always escaped:
it is displayed, never run."""
from __future__ import annotations

import html
import re

from ..present import citation_line
from ..store import Snapshot
from ..types import Answer, Citation

LEVELS = {"national": "国家", "province": "省级", "city": "市级", "county": "县级", "unknown": "—"}


def esc(s: str | None) -> str:
    return html.escape(s or "", quote=True)


def md_escape(s: str) -> str:
    """Escape for the chat's markdown: HTML first, then markdown syntax characters."""
    s = html.escape(s, quote=False)
    return re.sub(r"([\\`*_{}\[\]#+|>~])", r"\\\1", s)


def chat_markdown(answer: Answer) -> str:
    read = f"> 结合上文理解为：{md_escape(answer.read_as)}\n\n" if answer.read_as else ""
    if not answer.found:
        return f"{read}⚠️ **文件中未找到相关规定**\n\n{md_escape(answer.answer)}"
    lines = [md_escape(answer.answer), "", "**依据：**"]
    for i, c in enumerate(answer.citations, 1):
        lines.append(f"{i}. {md_escape(citation_line(c))}")
    if answer.notice:
        lines.insert(0, f"> {md_escape(answer.notice)}\n")
    return read + "\n".join(lines)


def _highlight(text: str, quote: str) -> str:
    """The clause in full with the quoted sentence(s) marked."""
    out = esc(text)
    for part in [p for p in re.split(r"\n", quote) if p.strip()]:
        e = esc(part)
        if e in out:
            out = out.replace(e, f"<mark>{e}</mark>", 1)
    return out.replace("\n", "<br>")


def sources_html(answer: Answer | None, snap: Snapshot) -> str:
    if answer is None:
        return "<div class='src-empty'>提问后，这里显示回答所依据的条款原文。</div>"
    if not answer.found:
        head = esc(answer.answer.split("\n")[0])
        near = "".join(
            f"<li>{esc(citation_line(c))}<br><span class='src-near'>“{esc(c.quote)}”</span></li>" for c in answer.closest
        )
        near = f"<p>最接近的条款（仅供核对，<b>不是</b>对这个问题的回答）：</p><ol>{near}</ol>" if near else ""
        return f"<div class='src-refusal'><b>{head}</b>{near}</div>"
    parts = []
    for i, c in enumerate(answer.citations, 1):
        clause = snap.clauses.get(c.clause_id)
        body = _highlight(clause.text if clause else c.quote, c.quote)
        meta = [
            f"发文机关：{esc(c.issuer) or '—'}",
            f"日期：{esc(c.date) or '—'}",
            f"层级：{LEVELS.get(c.level, '—')}",
        ]
        if c.page:
            meta.append(f"第 {c.page} 页")
        units = units_html(c.responsible_units, c.lead_units)
        parts.append(
            f"<div class='src-card' id='src-{i}'><div class='src-title'>[{i}] {esc(c.doc_name)}</div>"
            f"<div class='src-path'>{esc(' › '.join(c.clause_path))}</div>{units}"
            f"<div class='src-meta'>{' ｜ '.join(meta)}</div><div class='src-text'>{body}</div></div>"
        )
    return "\n".join(parts)


def units_html(units: tuple[str, ...], leads: tuple[str, ...]) -> str:
    """责任单位 with the 牵头 units named (when the document names them apart, or the first)."""
    if not units:
        return ""
    leads = leads or units[:1]
    return f"<div class='src-units'>责任单位：{esc('、'.join(units))}（牵头：{esc('、'.join(leads))}）</div>"


def document_html(snap: Snapshot, cite: Citation) -> str:
    """The whole document, every clause in order, the cited one marked and scrolled to."""
    cited_clause = snap.clauses.get(cite.clause_id)
    if cited_clause is None:
        return "<div>找不到该文件。</div>"
    doc = snap.documents[cited_clause.doc_id]
    blocks = [f"<h3>《{esc(doc.title)}》{esc(doc.doc_number or '')}</h3>"]
    for c in snap.clauses_of(doc.doc_id):
        head = f"<div class='doc-path'>{esc(' › '.join(c.clause_path))}</div>" if c.clause_path else ""
        units = units_html(c.responsible_units, c.lead_units)
        cited = c.clause_id == cite.clause_id
        text = _highlight(c.text, cite.quote) if cited else esc(c.text).replace("\n", "<br>")
        cls = "doc-clause cited" if cited else "doc-clause"
        anchor = " id='cited-clause'" if cited else ""
        blocks.append(f"<div class='{cls}'{anchor}>{head}<div>{text}</div>{units}</div>")
    return "<div class='doc-full'>" + "\n".join(blocks) + "</div>"
