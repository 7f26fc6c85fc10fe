"""Index: parsed files → Chroma + BM25 snapshot, incrementally.

A content hash per source file decides the work: unchanged files are not parsed or
embedded again, changed ones have their chunks replaced, files gone from an ingested
folder are deleted. A bad file is reported and its previous version (if any) kept."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from assistant.embed import CachedEmbedder, embedder_id, make_embedder
from assistant.rows import RowPlan, gather_rows
from assistant.settings import Settings
from assistant.store import PIPELINE_VERSION, IndexStore, SentenceVectors, check_embedder, chroma_metadata, delete_rows, return_free_memory
from assistant.types import Clause, ParsedFile
from assistant.zh import units_of

from .errors import IngestError
from .load import SUPPORTED
from .pipeline import parse_file, read_manifest

SKIP_NAMES = {"manifest.json", "README.md", "readme.md", ".gitkeep"}


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    embedded: int = 0  # passages embedded by the model (cache misses)
    chunks: int = 0
    sentences: int = 0  # sentence vectors in the snapshot

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def collect(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(files to ingest, folders whose vanished files should be removed from the index)."""
    files, folders = [], []
    for p in paths:
        if p.is_dir():
            folders.append(p.resolve())
            files.extend(
                f for f in sorted(p.iterdir()) if f.is_file() and not f.name.startswith(".") and f.name not in SKIP_NAMES
            )
        else:
            files.append(p)
    return files, folders


def _file_hash(path: Path) -> str | None:
    import hashlib

    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def ingest_paths(
    paths: list[Path], settings: Settings, *, rebuild: bool = False, show_progress: bool = True, on_file=None
) -> IngestReport:
    """Ingest files and folders into a new snapshot. One writer at a time: a second one raises
    IngestBusy at once, before reading anything (else the later switch would drop the other's
    documents)."""
    store = IndexStore(settings)
    with store.writer_lock():
        report = _shared(store, settings, lambda: _ingest(store, paths, settings, rebuild, show_progress, on_file))
    if report.changed:
        return_free_memory()  # a serving process (the page's upload) would otherwise keep the ingest's peak
    return report


def _shared(store: IndexStore, settings: Settings, run) -> IngestReport:
    """Run an ingest; with a Chroma server, from the published snapshot and publishing its
    result, so every replica serves it (assistant/replica.py)."""
    if not settings.chroma_url:
        return run()
    from assistant import replica

    base = replica.sync_locked(store)
    report = run()
    if report.changed:
        replica.publish(store, store.current_path(), base)
    return report


def remove_documents(names: list[str], settings: Settings) -> IngestReport:
    """Take documents out of the index by file name, doc id or 文号 (their files are left
    alone). A name that matches nothing is an error and nothing is changed."""
    store = IndexStore(settings)
    with store.writer_lock():
        return _shared(store, settings, lambda: _remove(store, names, settings))


def _remove(store: IndexStore, names: list[str], settings: Settings) -> IngestReport:
    state = store.load_state()
    snap = store.load()
    try:
        by_name: dict[str, set[str]] = {}
        for d in snap.documents.values():
            for key in (d.source, d.doc_id, d.doc_number):
                if key:
                    by_name.setdefault(key, set()).add(d.source)
    finally:
        snap.release()
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ValueError(f"索引中没有这些文件：{'、'.join(unknown)}（可用 policy-assistant docs 查看）")
    drop = set().union(*(by_name[n] for n in names)) & set(state.get("sources", {}))
    return _ingest(store, [], settings, False, False, None, remove=drop)


def _ingest(store: IndexStore, paths: list[Path], settings: Settings, rebuild: bool, show_progress: bool, on_file,
            remove: set[str] = frozenset()) -> IngestReport:
    emb_id = embedder_id(settings.embedder)
    state = {} if rebuild else store.load_state()
    check_embedder(state, emb_id)
    old_sources: dict = dict(state.get("sources", {}))
    same_pipeline = state.get("pipeline_version") == PIPELINE_VERSION
    # The previous snapshot is read only when something changed: an unchanged re-ingest
    # compares file hashes with the state and stops (reading 40,000 records costs 1.6 s).
    previous = _Once((lambda: store.load(keep_lines=True)) if (state and not rebuild) else (lambda: None))

    report = IngestReport()
    files, folders = collect(paths)
    notify = on_file or (lambda *_: None)
    parsed, kept, seen = _read_files(files, settings, previous, old_sources, same_pipeline, report, notify)
    kept |= _still_present(old_sources, kept, parsed, seen, folders, remove, report)

    if not report.changed:  # nothing new (or every file refused into an empty index): no snapshot
        if state and not rebuild:
            report.chunks = sum(int(info.get("chunks", 0)) for info in old_sources.values())
            # Rows of an interrupted ingest. (On a server the replaced snapshot's rows are kept
            # for replicas still on it, so the count differs: its next changing ingest prunes.)
            if not settings.chroma_url and store.collection(emb_id).count() != report.chunks:
                _prune_orphans(store, emb_id, {c.chunk_id for c in previous().chunks})
        if previous.done and previous() is not None:
            previous().release()
        return report
    old = previous()

    documents, clauses, chunks = _assemble(old, kept, parsed)
    embedder = CachedEmbedder(make_embedder(settings.embedder), settings.embed_cache_path)
    fresh_vectors = _embed_new(store, emb_id, embedder, parsed, documents, clauses, show_progress)
    sources = {s: old_sources[s] for s in kept if s in old_sources}
    for source, pf in parsed.items():
        path = next(p for p in files if p.name == source)
        sources[source] = {"hash": pf.content_hash, "path": str(path.resolve()), "doc_ids": [d.doc_id for d in pf.documents],
                           "chunks": len(pf.chunks)}
    new_state = {"embedder": emb_id, "collection": store.collection_name(emb_id), "sources": sources}
    fresh = [c for pf in parsed.values() for c in pf.clauses]
    sentences = _sentence_vectors(old, clauses, fresh, embedder, show_progress, same_pipeline, bool(settings.chroma_url))
    report.embedded = embedder.computed
    chunk_vectors = _chunk_vectors(store, emb_id, old, chunks, fresh_vectors)
    replaced = [c.chunk_id for c in old.chunks] if old is not None else []
    if old is not None:
        old.release()  # this process is done reading it: it may be collected
    store.write_snapshot(new_state, documents, clauses, chunks, sentences, chunk_vectors, lines=old.lines if old else None)
    report.chunks, report.sentences = len(chunks), len(sentences.texts)
    if not settings.chroma_url:  # on a server, publishing prunes (replicas may still use the replaced rows)
        _prune_orphans(store, emb_id, {c.chunk_id for c in chunks}, replaced)
    return report


class _Once:
    """A value computed on first use only."""

    def __init__(self, make) -> None:
        self.make, self.done, self.value = make, False, None

    def __call__(self):
        if not self.done:
            self.value, self.done = self.make(), True
        return self.value


def _read_files(files: list[Path], settings: Settings, previous: _Once, old_sources: dict, same_pipeline: bool,
                report: IngestReport, notify) -> tuple[dict[str, ParsedFile], set[str], set[str]]:
    """Parse each file that is new or changed; an unchanged one, or one refused after it was
    indexed before, keeps what the old snapshot holds for it."""
    parsed: dict[str, ParsedFile] = {}
    kept: set[str] = set()
    seen: set[str] = set()
    manifests = {f: read_manifest(f) for f in {p.parent.resolve() for p in files}}
    for path in files:
        source = path.name
        seen.add(source)
        prev = old_sources.get(source)
        digest = _file_hash(path) if path.exists() else None
        if prev and digest and prev["hash"] == digest and same_pipeline:
            report.unchanged.append(source)
            kept.add(source)
            notify(source, "unchanged", None)
            continue
        try:
            if path.suffix.lower() not in SUPPORTED:
                raise IngestError(source, f"不支持的文件类型 {path.suffix or '（无扩展名）'} (unsupported extension; use .pdf, .docx, .html, .txt or .md)")
            overrides = manifests.get(path.parent.resolve(), {}).get(source)
            pf = parse_file(path, settings.max_file_mb, settings.max_chunk_chars, overrides or {})
            clash = _doc_clash(pf, source, previous(), kept, parsed)
            if clash:
                raise IngestError(source, clash)
        except IngestError as e:
            report.errors.append((source, e.reason))
            if prev:
                kept.add(source)  # keep what was indexed before
            notify(source, "error", e.reason)
            continue
        parsed[source] = pf
        (report.updated if prev else report.added).append(source)
        notify(source, "updated" if prev else "added", None)
    return parsed, kept, seen


def _still_present(old_sources: dict, kept: set[str], parsed: dict, seen: set[str], folders, remove: set[str],
                   report: IngestReport) -> set[str]:
    """Indexed sources this run did not read: gone when asked to remove them or when their
    folder was read and they were not in it; otherwise kept."""
    out = set()
    for source, info in old_sources.items():
        if source in kept or source in parsed:
            continue
        if source in remove or (source not in seen and any(str(Path(info.get("path", ""))).startswith(str(f)) for f in folders)):
            report.removed.append(source)
        else:
            out.add(source)
    return out


def _assemble(old, kept: set[str], parsed: dict[str, ParsedFile]) -> tuple[list, list, list]:
    """The new snapshot's records: kept sources from the old one, plus the freshly parsed files."""
    documents, clauses, chunks = [], [], []
    if old is not None:
        kept_docs = {d.doc_id for d in old.documents.values() if d.source in kept}
        documents += [d for d in old.documents.values() if d.doc_id in kept_docs]
        clauses += [c for c in old.clauses.values() if c.doc_id in kept_docs]
        chunks += [c for c in old.chunks if c.doc_id in kept_docs]
    for pf in parsed.values():
        documents += pf.documents
        clauses += pf.clauses
        chunks += pf.chunks
    return documents, clauses, chunks


def _embed_new(store: IndexStore, emb_id: str, embedder, parsed: dict[str, ParsedFile], documents, clauses,
               show_progress: bool) -> dict[str, object]:
    """Embed the new files' chunks and upsert them into Chroma; their vectors by chunk id."""
    new_chunks = [c for pf in parsed.values() for c in pf.chunks]
    if not new_chunks:
        return {}
    vectors = _embed(embedder, [c.embed_text for c in new_chunks], show_progress)
    col = store.collection(emb_id)
    docs_by_id = {d.doc_id: d for d in documents}
    clause_by_id = {c.clause_id: c for c in clauses}
    for s in range(0, len(new_chunks), 256):
        part = new_chunks[s : s + 256]
        col.upsert(
            ids=[c.chunk_id for c in part],
            embeddings=[v.tolist() for v in vectors[s : s + 256]],
            documents=[c.text for c in part],
            metadatas=[chroma_metadata(docs_by_id[c.doc_id], clause_by_id[c.clause_id], c) for c in part],
        )
    return {c.chunk_id: v for c, v in zip(new_chunks, vectors)}


def _doc_clash(pf: ParsedFile, source: str, old, kept: set[str], parsed: dict[str, ParsedFile]) -> str | None:
    """The same document (same 文号) from two files would make citations ambiguous."""
    others = {d.doc_id: d.source for p in parsed.values() for d in p.documents}
    if old is not None:
        others |= {d.doc_id: d.source for d in old.documents.values() if d.source != source}
    for d in pf.documents:
        if d.doc_id in others and others[d.doc_id] != source:
            return f"文件中的 {d.doc_id} 已由 {others[d.doc_id]} 收录 (duplicate document: same 文号 already indexed)"
    return None


def _sentence_vectors(old, clauses: list[Clause], fresh: list[Clause], embedder: CachedEmbedder, show_progress: bool,
                      reuse: bool, keyed: bool) -> SentenceVectors:
    """Kept clauses keep their sentence vectors from the old snapshot; new ones are embedded
    (through the cache, so a re-ingest of known text costs a lookup). `keyed`: keep each row's
    sentence_key too (a snapshot published to a Chroma server names its rows by it)."""
    import numpy as np

    fresh_ids = {c.clause_id for c in fresh}
    kept_ids = {c.clause_id for c in clauses} - fresh_ids
    rows, ids, texts = np.zeros(0, dtype=np.int64), [], []
    if old is not None and reuse and kept_ids:
        rows, ids, texts = old.sentences.select(kept_ids)
    else:
        fresh = clauses  # no usable old vectors: embed every clause's sentences
    todo: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for c in fresh:
        for t in units_of(c.text, c.kind == "table"):
            if (c.doc_id, t) not in seen:  # a sentence repeated in a document is kept once
                seen.add((c.doc_id, t))
                todo.append((c.clause_id, t))
    unique = list(dict.fromkeys(t for _, t in todo))  # the same text in two documents: embedded once
    new = _embed(embedder, unique, show_progress) if unique else np.zeros((0, embedder.dim), dtype=np.float32)
    row = {t: i for i, t in enumerate(unique)}
    # The kept rows stay in the old snapshot's file until the new one is written (rows.RowPlan).
    vecs = RowPlan(len(rows) + len(todo), new.shape[1], old.sentences.vectors if len(rows) else None,
                   np.concatenate([rows, np.full(len(todo), -1, dtype=np.int64)]), new[[row[t] for _, t in todo]])
    keys = _sentence_keys(old, rows, ids, texts, todo) if keyed else None
    return SentenceVectors(ids + [c for c, _ in todo], texts + [t for _, t in todo], vecs, keys)


def _sentence_keys(old, rows, ids: list[str], texts: list[str], todo: list[tuple[str, str]]):
    """Each row's sentence_key: the kept rows' as the old snapshot keeps them (else computed)."""
    import numpy as np

    from assistant.sentences import sentence_key

    kept = old.sentences.keys_at(rows, ids, texts) if old is not None and len(rows) else np.zeros(0, dtype="S40")
    return np.concatenate([kept, np.array([sentence_key(c, t) for c, t in todo], dtype="S40")])


def _chunk_vectors(store: IndexStore, emb_id: str, old, chunks, fresh: dict):
    """Every chunk's vector in snapshot order: new ones as just embedded, kept ones from the
    old snapshot, or read back from Chroma when that snapshot did not keep them."""
    import numpy as np

    known = dict(fresh)
    where_old: dict[str, int] = {}
    old_vecs = old.chunk_vectors if old is not None else None
    if old_vecs is not None and len(old_vecs) == len(old.chunks):
        where_old = {c.chunk_id: i for i, c in enumerate(old.chunks) if c.chunk_id not in known}
    missing = [c.chunk_id for c in chunks if c.chunk_id not in known and c.chunk_id not in where_old]
    if missing:
        col = store.collection(emb_id)
        for s in range(0, len(missing), 500):
            got = col.get(ids=missing[s : s + 500], include=["embeddings"])
            known |= {i: np.asarray(e, dtype=np.float32) for i, e in zip(got["ids"], got["embeddings"])}
    if not chunks:
        return np.zeros((0, 1), dtype=np.float32)
    lost = [c.chunk_id for c in chunks if c.chunk_id not in known and c.chunk_id not in where_old]
    if lost:
        raise RuntimeError(f"{len(lost)} 个片段既不在旧快照中也不在 Chroma 中（如 {lost[0]}）：请用 --rebuild 重建索引")
    return gather_rows(len(chunks), [where_old.get(c.chunk_id) for c in chunks], old_vecs if where_old else None,
                       {i: known[c.chunk_id] for i, c in enumerate(chunks) if c.chunk_id in known})


def _embed(embedder: CachedEmbedder, texts: list[str], show_progress: bool):
    if not show_progress:
        return embedder.embed_passages(texts)
    from tqdm import tqdm

    with tqdm(total=len(texts), desc="嵌入 embedding", unit="段", file=sys.stderr, leave=False) as bar:
        return embedder.embed_passages(texts, progress=bar.update)


def _prune_orphans(store: IndexStore, emb_id: str, live: set[str], replaced: list[str] = ()) -> None:
    """Delete Chroma rows that no snapshot references: the `replaced` snapshot's chunks that
    are not live, then, when the count still differs from the live rows', every row not live
    (an interrupted ingest's). Listing every id costs 0.2 s at 100× the bundled corpus."""
    col = store.collection(emb_id)
    delete_rows(col, [i for i in replaced if i not in live])
    if col.count() != len(live):
        delete_rows(col, [i for i in col.get(include=[])["ids"] if i not in live])

