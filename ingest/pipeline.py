"""From a file on disk to its documents, clause records and chunks (no index I/O here)."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from assistant.types import Clause, Document, ParsedFile

from .chunk import chunk_clause
from .clean import Paragraph, clean_pages
from .errors import IngestError
from .load import LoadedFile, load_file
from .meta import Segment, detect_segments
from .parse import Draft, parse_news, parse_plain, parse_report, parse_structured
from .units import extract_units

MANIFEST = "manifest.json"
OVERRIDABLE = {"title", "doc_number", "issuer", "date", "level"}


def _assemble(paras: list[Paragraph], offsets: list[int], d: Draft, doc: Document, n: int) -> Clause:
    text = "\n".join(paras[k].text for k in d.paras)
    units, leads = (), ()
    if d.kind != "table":
        text, found = extract_units(text)
        if not found.all and d.units is not None:
            found = d.units  # inherited from the heading above
        units, leads = tuple(found.all), tuple(found.leads)
    first, last = d.paras[0], d.paras[-1]
    pages = [paras[k].page for k in d.paras if paras[k].page is not None]
    return Clause(
        clause_id=f"{doc.doc_id}:{n}",
        doc_id=doc.doc_id,
        kind=d.kind,  # type: ignore[arg-type]
        clause_path=tuple(x for x in d.path if x),
        text=text,
        responsible_units=units,
        lead_units=leads,
        page=min(pages) if pages else None,
        page_end=max(pages) if pages else None,
        char_start=offsets[first],
        char_end=offsets[last] + len(paras[last].text),
        table_header=tuple(d.header),
        table_rows=tuple(tuple(r) for r in d.rows),
    )


def _drafts(seg: Segment, paras: list[Paragraph]) -> list[Draft]:
    local = paras[seg.start : seg.end]
    body = seg.body_start - seg.start
    if seg.kind == "report":
        drafts = parse_report(local, body)
    else:
        drafts = parse_structured(local, body, seg.issuer, seg.title)
    if not any(d.kind != "preamble" for d in drafts):
        # No numbering: an article's short section headings, else paragraphs in groups.
        unnumbered = seg.kind in ("news", "other") and any(p.kind == "title" for p in local[body:])
        news = parse_news(local, seg.title) if unnumbered else []
        drafts = news or (drafts + parse_plain(local, body) if not drafts else drafts)
    for d in drafts:  # back to file-level paragraph indices
        d.paras = [k + seg.start for k in d.paras]
    return drafts


def parse_loaded(lf: LoadedFile, overrides: dict | None = None, chunk_chars: int = 320) -> ParsedFile:
    paras = clean_pages(lf.pages, lf.is_pdf)
    if not paras:
        raise IngestError(lf.source, "没有可用的文字内容 (no text after cleaning)")
    offsets, pos = [], 0
    for p in paras:
        offsets.append(pos)
        pos += len(p.text) + 1
    stem = Path(lf.source).stem
    documents, clauses, chunks = [], [], []
    segments = detect_segments(paras, stem)
    for s_idx, seg in enumerate(segments):
        meta = dict(
            title=seg.title, doc_number=seg.doc_number, issuer=seg.issuer, date=seg.date, level=seg.level
        )
        if overrides and s_idx == 0:
            meta.update({k: v for k, v in overrides.items() if k in OVERRIDABLE})
        doc_id = meta["doc_number"] or stem
        if any(d.doc_id == doc_id for d in documents):  # documents issued together share a 文号
            doc_id = f"{doc_id}#{s_idx + 1}"
        doc = Document(
            doc_id=doc_id, kind=seg.kind, source=lf.source, content_hash=lf.content_hash,  # type: ignore[arg-type]
            notice_title=seg.notice_title, forwarded_by=seg.forwarded_by, forwards=seg.forwards, **meta,
        )
        documents.append(doc)
        seen: set[str] = set()  # a text repeated within a document is searched once
        for d in _drafts(seg, paras):
            clause = _assemble(paras, offsets, d, doc, len(clauses))
            if not clause.text.strip() and not clause.table_rows:
                continue
            clauses.append(clause)
            for ch in chunk_clause(doc, clause, len(clauses) - 1, lf.content_hash, chunk_chars):
                if ch.text not in seen:
                    seen.add(ch.text)
                    chunks.append(ch)
    if not clauses:
        raise IngestError(lf.source, "没有解析出任何条款或段落 (no clauses found)")
    return ParsedFile(lf.source, lf.content_hash, tuple(documents), tuple(clauses), tuple(chunks))


def read_manifest(folder: Path) -> dict[str, dict]:
    """Optional docs_corpus/manifest.json: {"<file name>": {"title": …, "issuer": …}}."""
    path = folder / MANIFEST
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise IngestError(MANIFEST, f"清单文件无法解析 (invalid manifest: {e})") from None
    if not isinstance(data, dict):
        raise IngestError(MANIFEST, "清单文件应为对象 (manifest must be a JSON object keyed by file name)")
    return data


def parse_file(path: Path, max_mb: float = 50.0, chunk_chars: int = 320, overrides: dict | None = None) -> ParsedFile:
    lf = load_file(path, max_mb)
    if overrides is None:
        overrides = read_manifest(path.parent).get(path.name)
    return parse_loaded(lf, overrides, chunk_chars)


def with_source(parsed: ParsedFile, source: str) -> ParsedFile:
    docs = tuple(replace(d, source=source) for d in parsed.documents)
    return replace(parsed, source=source, documents=docs)
