"""Chunk: clauses → the pieces that are embedded and searched.

A clause is one chunk; a long report section is split at paragraph, then sentence
boundaries; a table becomes row groups with its header repeated. The document title and
heading path are carried into the embedded text, never into the quoted text."""
from __future__ import annotations

import re

from assistant.types import Chunk, Clause, Document, row_text

_SENTENCE = re.compile(r"(?<=[。！？；])")


def sentences(text: str) -> list[str]:
    out = []
    for para in text.split("\n"):
        out.extend(s for s in _SENTENCE.split(para) if s.strip())
    return out


def pack(pieces: list[str], limit: int, sep: str = "") -> list[str]:
    """Pieces joined into groups of at most `limit` characters; a piece longer than that (a
    page of text without a full stop) is cut, so no chunk grows with its source."""
    groups, cur = [], ""
    pieces = [p[i: i + limit] for p in pieces for i in range(0, len(p), limit)] if limit > 0 else pieces
    for s in pieces:
        if cur and len(cur) + len(s) > limit:
            groups.append(cur)
            cur = ""
        cur = cur + sep + s if cur else s
    if cur:
        groups.append(cur)
    return groups


def chunk_texts(clause: Clause, limit: int) -> list[str]:
    if clause.kind == "table" and clause.table_rows:
        lines = [row_text(clause.table_header, r) for r in clause.table_rows]
        return pack([x for x in lines if x], limit, sep="\n")
    # A numbered clause is kept whole up to twice the limit: its parts are one rule.
    if clause.kind == "clause" and len(clause.text) <= 2 * limit:
        return [clause.text]
    if len(clause.text) <= limit:
        return [clause.text]
    paras = [p for p in clause.text.split("\n") if p.strip()]
    pieces: list[str] = []
    for p in paras:
        pieces.extend([p] if len(p) <= limit else pack(sentences(p), limit))
    return pack(pieces, limit, sep="\n")


def embed_prefix(doc: Document, clause: Clause) -> str:
    path = " › ".join(clause.clause_path)
    head = f"{doc.title}（{doc.doc_number}）" if doc.doc_number else doc.title
    return f"{head} {path}".strip()


def chunk_clause(doc: Document, clause: Clause, ordinal: int, content_hash: str, limit: int) -> list[Chunk]:
    prefix = embed_prefix(doc, clause)
    table_head = ""
    if clause.kind == "table":
        unit = re.search(r"(单位：\S+)", clause.text)
        table_head = f"（{unit.group(1)}）" if unit else ""
    out = []
    for k, body in enumerate(chunk_texts(clause, limit)):
        embed = f"{prefix}{table_head}\n{body}"
        out.append(Chunk(f"{content_hash[:16]}:{ordinal}:{k}", clause.clause_id, doc.doc_id, k, body, embed))
    return out
