"""The storage edge: Chroma collection + jieba/bm25s index + clause records, as snapshots.

Layout under the data folder:
  chroma/                      embedded Chroma (unless CHROMA_URL points at a server)
  snapshots/<id>/state.json    embedder, sources with content hashes, chunk ids
  snapshots/<id>/records.jsonl documents, clauses, chunks
  snapshots/<id>/records/      where each record's line is and how records hang together
                               (records.py): a reader parses a clause or chunk when asked for
  snapshots/<id>/lexical/      jieba token counts per chunk, for BM25 (lexical.py)
  snapshots/<id>/sentence*     one vector per clause sentence, its text and clause as mapped
                               columns (sentences.py), and the chunk holding it
  snapshots/<id>/chunks.npy    the chunks' vectors, in records order: the embedded store's
                               readers search these, so answering writes nothing (an embedded
                               Chroma rewrites its files whenever it is opened)
  snapshots/<id>/inuse.lock    held shared by every process answering from the snapshot
  CURRENT                      the snapshot in use, switched atomically
  ingest.lock                  held by the one process writing (ingest, upload)
An ingest writes a new snapshot and switches CURRENT last, so an interrupted ingest
leaves the previous snapshot in use; an old snapshot is deleted only when no process holds
it; Chroma rows not in the current snapshot are ignored by readers and deleted by the next
ingest. The locks are POSIX flock locks: a process that dies releases them."""
from __future__ import annotations

import fcntl
import functools
import json
import os
import re
import shutil
import time
from contextlib import contextmanager
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import orjson

from .dense import ChromaDense, SnapshotDense  # noqa: F401  (the storage edge picks one)
from .records import (CLAUSE_KINDS, INDEX_DIR, RECORD_KEYS, SENTENCE_CHUNKS, SENTENCE_GROUPS, Groups, RecordIndex, clause_from,
                      line_key, placed_sentences, read_mapped)
from .rows import RowPlan
from .sentences import SentenceVectors  # noqa: F401  (re-exported: the snapshot's sentences)
from .settings import Settings
from .types import Chunk, Clause, Document
from .zh import add_words, tokenize  # noqa: F401  (re-exported: the index is tokenised by the shared helper)

PIPELINE_VERSION = "9"  # 9: a numbered heading whose own line says more than its label kept as a clause (its text had been dropped when items followed); 8: HTML table rows stacked line under line in one cell split into rows; 7: bare levels of a unit list kept with the name they share (各市、州、县人民政府); 5: chunks cut at the cap, repeated texts within a document kept once; 6: chunks.npy


class EmbedderMismatch(RuntimeError):
    pass


class IndexMissing(RuntimeError):
    pass


class IngestBusy(RuntimeError):
    """Another process is writing the index."""


@dataclass
class Snapshot:
    """One snapshot's records. A reader's clauses and chunks are tables that parse a record when
    asked for (records.ClauseTable, ChunkTable); a writer's, read with keep_lines, a dict and a
    list. Either way `index` says where each record is and how they hang together."""

    path: Path
    state: dict
    documents: dict[str, Document]
    clauses: Mapping[str, Clause]
    chunks: Sequence[Chunk]
    _index: RecordIndex | None = None
    _bm25: object = None
    _sentences: object = None
    # An open file holding a shared lock on the snapshot while this process may read it:
    # the writer deletes only snapshots nobody holds.
    _hold: object = None
    _derived: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)  # id(record) → (record, its line (bytes or str), its key or None), for a writer

    def derived(self, name: str, build):
        """What `build(self)` computes from the snapshot, computed once: a snapshot never
        changes, so the unit index, the targets or the chunks of each clause need not be
        rebuilt for every question. (Two threads may both build it; they build the same.)"""
        if name not in self._derived:
            self._derived[name] = build(self)
        return self._derived[name]

    @property
    def index(self) -> RecordIndex:
        """Where each record is (saved with the snapshot, or built from the records read whole)."""
        if self._index is None:
            self._index = RecordIndex.build(list(self.documents.values()), list(self.clauses.values()), self.chunks)
        return self._index

    def chunk_position(self, chunk_id: str) -> int | None:
        return self.index.chunk_lookup.find(chunk_id)

    def chunk_rows(self, clause_id: str) -> list[int]:
        """A clause's chunks' positions, in order."""
        row = self.index.clause_lookup.find(clause_id)
        return [] if row is None else sorted(self.index.chunks_of_clause.rows(row).tolist())

    def clause_chunk_text(self, clause_id: str) -> str:
        """The texts of a clause's chunks, joined (a table's rows live only in its chunks)."""
        return "\n".join(self.chunks[i].text for i in self.chunk_rows(clause_id))

    def clauses_of(self, doc_id: str, kind: str | None = None) -> list[Clause]:
        """A document's clauses (of one kind, when given) in text order, read from the records
        for that document only."""
        d = self.doc_ordinals()[0].get(doc_id)
        if d is None:
            return []
        rows = self.index.clauses_of_doc.rows(d)
        if kind is not None:
            rows = rows[self.index.clause_kind[rows] == CLAUSE_KINDS.index(kind)]
        return [self.clause_at(int(r)) for r in rows]

    def clause_at(self, row: int, cached: bool = True) -> Clause:
        """The clause at `row` of the records (index.clause_ids' order); `cached=False` for a
        scan of many, which would only push the recent ones out of the cache."""
        if hasattr(self.clauses, "at"):
            return self.clauses.at(row) if cached else self.clauses.parse(row)
        return self.clauses[self.index.clause_ids[row]]

    def clause_of_chunk(self, position: int) -> Clause:
        """The clause a chunk belongs to, by its position (no id looked up)."""
        row = int(self.index.chunk_clause[position])
        return self.clause_at(row) if row >= 0 else self.clauses[self.chunks[position].clause_id]

    def rows_by_document(self):
        return self.index.rows_by_document()

    def release(self) -> None:
        if self._hold is not None:
            self._hold.close()  # closing the file drops the lock
            self._hold = None

    @property
    def sentences(self) -> "SentenceVectors":
        if self._sentences is None:
            self._sentences = SentenceVectors.load(self.path)
        return self._sentences

    def clause_counts(self) -> dict[str, int]:
        """Structural records per document (the cover notice / preamble not counted)."""
        ix = self.index
        counted = ix.clause_doc[(ix.clause_kind != CLAUSE_KINDS.index("preamble")) & (ix.clause_doc >= 0)]
        counts = np.bincount(counted, minlength=len(ix.doc_ids))
        return {d: int(n) for d, n in zip(ix.doc_ids, counts) if n}

    def chunk_mask(self, doc_ids: tuple[str, ...] = (), level: str | None = None):
        """Which chunks lie in `doc_ids` (any, when empty) at `level` (any, when None), as a
        boolean array in chunk order; None when nothing is filtered."""
        if not doc_ids and not level:
            return None
        order, chunk_doc = self.doc_ordinals()
        wanted = np.ones(len(order), dtype=bool)
        if doc_ids:
            wanted[:] = False
            wanted[[order[d] for d in doc_ids if d in order]] = True
        if level:
            wanted &= self.derived(f"level:{level}", lambda snap: np.array([snap.documents[d].level == level for d in order], dtype=bool))
        return wanted[chunk_doc]  # a lookup per chunk, not a comparison of strings

    def doc_ordinals(self):
        """({doc_id: ordinal}, each chunk's document ordinal as an int array)."""
        return self.derived("doc_order", lambda snap: {d: i for i, d in enumerate(snap.index.doc_ids)}), self.index.chunk_doc

    @property
    def chunk_vectors(self):
        """The chunks' vectors (read-only, mapped from disk), or None for a snapshot written
        before they were kept."""
        f = self.path / "chunks.npy"
        return np.load(f, mmap_mode="r") if f.exists() else None

    @property
    def bm25(self):
        """The lexical index (lexical.LexicalIndex; bm25s for a snapshot written before it)."""
        if self._bm25 is None:
            if (self.path / "lexical").exists():
                from .lexical import LexicalIndex

                self._bm25 = LexicalIndex.load(self.path / "lexical")
            else:
                import bm25s

                self._bm25 = bm25s.BM25.load(str(self.path / "bm25"))
        return self._bm25


def _mostly_kept(vectors, previous: Path | None) -> bool:
    """Whether a new snapshot's chunk vectors are rows of the previous snapshot's, all but a
    REFIT_SHARE of them."""
    from .dense import REFIT_SHARE

    return (previous is not None and isinstance(vectors, RowPlan) and vectors.copies_from(previous / "chunks.npy")
            and vectors.kept_share() >= 1 - REFIT_SHARE)


def record_from(r: dict) -> tuple[str, Document | Clause | Chunk]:
    """One line of records.jsonl (parsed) as its record: ("document" | "clause" | "chunk", it)."""
    r = dict(r)
    kind = r.pop("type")
    if kind == "document":
        return kind, Document(**r)
    if kind == "clause":
        return kind, clause_from(r)
    return kind, Chunk(**r)


def lean_record(r: dict, docs: dict[str, Document], clauses: dict[str, Clause], shared: dict[str, str]):
    """One parsed line as a reader's record, holding what answering uses and no copies: one
    string for what many records repeat (ids, the headings of a path — 1,300 labels in 77,000
    places at 100× the bundled corpus —, units, table cells), a chunk that is its whole clause
    sharing the clause's text, and no embedded text (text + title + heading path), which only
    an ingest embeds or tokenises (a writer reads with keep_lines). At 100× the records held
    three copies of every clause's text."""
    if r["type"] == "document":
        return record_from(r)
    kind = r.pop("type")
    d = docs.get(r["doc_id"])
    r["doc_id"] = d.doc_id if d is not None else r["doc_id"]
    if kind == "clause":
        return kind, clause_from(r, lambda xs: tuple(shared.setdefault(x, x) for x in xs))
    c = clauses.get(r["clause_id"])
    if c is not None:
        r["clause_id"] = c.clause_id
        r["text"] = c.text if c.text == r["text"] else r["text"]
    r["embed_text"] = ""
    return kind, Chunk(**r)


def record_line(kind: str, x) -> str:
    """A record as its records.jsonl line. The records are flat frozen dataclasses whose tuples
    JSON writes as lists: a shallow dict, not dataclasses.asdict's deep copy (5 s of a 100×
    re-ingest)."""
    return orjson.dumps({"type": kind, **{f.name: getattr(x, f.name) for f in fields(x)}}).decode("utf-8")


def chroma_metadata(doc: Document, clause: Clause, chunk: Chunk) -> dict:
    """Every record field as Chroma metadata (None is not storable: empty string / -1)."""
    return {
        "doc_id": doc.doc_id,
        "doc_title": doc.title,
        "doc_number": doc.doc_number or "",
        "issuer": doc.issuer or "",
        "date": doc.date or "",
        "level": doc.level,
        "source": doc.source,
        "clause_id": clause.clause_id,
        "kind": clause.kind,
        "clause_path": list(clause.clause_path) or [""],
        "clause_path_text": " › ".join(clause.clause_path),
        "responsible_units": list(clause.responsible_units) or [""],
        "page": clause.page if clause.page is not None else -1,
        "char_start": clause.char_start,
        "char_end": clause.char_end,
        "ordinal": chunk.ordinal,
    }


class IndexStore:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = Path(settings.data_dir)
        self._client = None

    # -- Chroma ---------------------------------------------------------------------------
    def client(self):
        if self._client is None:
            from .chroma_client import make_client

            self._client = make_client(self.settings.chroma_url, self.root / "chroma")
        return self._client

    @staticmethod
    def collection_name(embedder_id: str) -> str:
        slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", embedder_id).strip("-.")[:40]
        return f"clauses-{slug}"

    def collection(self, embedder_id: str):
        # embedding_function=None: Chroma's default would try to download a model.
        return self.client().get_or_create_collection(
            self.collection_name(embedder_id), embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )

    def dense(self, snap: Snapshot):
        """Where a snapshot's dense search runs: in its own vectors (nothing written while
        answering), also on a replica of a Chroma server, whose snapshot is a copy of the
        published one. Asking the server instead costs every question an HTTP round trip and a
        share of the one server's cores (see the closing note of issue 14 for the figures).
        The Chroma collection is searched only for a snapshot that lacks its vectors."""
        vecs = snap.chunk_vectors
        if vecs is not None and len(vecs) == len(snap.chunks):
            return SnapshotDense(snap, vecs)
        return ChromaDense(snap, self.collection(snap.state["embedder"]))

    # -- snapshots --------------------------------------------------------------------------
    def current_path(self) -> Path | None:
        cur = self.root / "CURRENT"
        if not cur.exists():
            return None
        p = self.root / "snapshots" / cur.read_text().strip()
        return p if (p / "state.json").exists() else None

    def exists(self) -> bool:
        return self.current_path() is not None

    def current_id(self) -> str | None:
        """The snapshot CURRENT names (a cheap check between questions)."""
        try:
            return (self.root / "CURRENT").read_text().strip() or None
        except FileNotFoundError:
            return None

    def load(self, keep_lines: bool = False) -> Snapshot:
        """The snapshot CURRENT names, held against deletion until released. `keep_lines`: also
        each record's line (for a writer: unchanged records are written back as read)."""
        # A writer may switch CURRENT and delete the old snapshot between our reading CURRENT
        # and taking the snapshot's shared lock: then read CURRENT again.
        for _ in range(5):
            p = self.current_path()
            if p is None:
                raise IndexMissing(f"索引不存在（{self.root}）：请先运行 `policy-assistant ingest`")
            try:
                hold = _hold(p)
                if not (p / "state.json").exists():
                    hold.close()
                    continue
                snap = self._read(p, keep_lines)
            except FileNotFoundError:
                continue
            snap._hold = hold
            return snap
        raise IndexMissing(f"索引正在更新，无法读取（{self.root}）：请稍后再试")

    def _read(self, p: Path, keep_lines: bool = False) -> Snapshot:
        state = json.loads((p / "state.json").read_text(encoding="utf-8"))
        mapped = None if keep_lines else read_mapped(p, lambda r: record_from(r)[1])
        if mapped is not None:
            docs, clause_table, chunk_table, index = mapped
            if "embedder" not in state or not docs:
                raise IndexMissing(f"索引已损坏（{p.name}：缺少{'嵌入模型信息' if 'embedder' not in state else '文件记录'}）："
                                   f"请运行 `policy-assistant ingest --rebuild` 重建 (broken index)")
            return Snapshot(p, state, docs, clause_table, chunk_table, _index=index)
        docs, clauses, chunks = {}, {}, []
        lines: dict[int, tuple[object, bytes, str | None]] = {}
        shared: dict[str, str] = {}
        keys = np.load(p / RECORD_KEYS).tolist() if keep_lines and (p / RECORD_KEYS).exists() else []
        with open(p / "records.jsonl", "rb") as f:
            for n, line in enumerate(f):
                if keep_lines:
                    kind, obj = record_from(orjson.loads(line))
                    # Kept as bytes: written back as read, never decoded and encoded again (108 MB at 100×).
                    lines[id(obj)] = (obj, line.rstrip(b"\n"), keys[n].decode("ascii") if n < len(keys) else None)
                else:
                    kind, obj = lean_record(orjson.loads(line), docs, clauses, shared)
                if kind == "document":
                    docs[obj.doc_id] = obj
                elif kind == "clause":
                    clauses[obj.clause_id] = obj
                else:
                    chunks.append(obj)
        if "embedder" not in state or not docs:
            raise IndexMissing(f"索引已损坏（{p.name}：缺少{'嵌入模型信息' if 'embedder' not in state else '文件记录'}）："
                               f"请运行 `policy-assistant ingest --rebuild` 重建 (broken index)")
        if keys and len(keys) != len(lines):  # not this file's keys: computed again when written
            lines = {i: (obj, text, None) for i, (obj, text, _) in lines.items()}
        snap = Snapshot(p, state, docs, clauses, chunks)
        snap.lines = lines
        return snap

    def load_state(self) -> dict:
        p = self.current_path()
        return json.loads((p / "state.json").read_text(encoding="utf-8")) if p else {}

    def write_snapshot(self, state: dict, documents, clauses, chunks, sentences: SentenceVectors, chunk_vectors,
                       tokens: dict | None = None, lines: dict | None = None, targets: dict[str, list] | None = None) -> Path:
        """Write a new snapshot and switch CURRENT to it. `tokens`: chunk tokens (or token
        counts) already known, by lexical.text_key of the chunk's text, and `targets`: the
        targets already found in clauses, by clause id, e.g. fetched from the server; `lines`: the
        previous snapshot's `Snapshot.lines`, so its unchanged records are not serialised again."""
        lines = lines or {}
        from .dense import save_projection
        from .embed import unit_rows
        from .lexical import LexicalIndex

        snap_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        tmp = self.root / "snapshots" / f".tmp-{snap_id}"
        tmp.mkdir(parents=True)
        offsets = [0]
        keys: list[str] | None = [] if self.settings.chroma_url else None  # a publish names rows by them
        with open(tmp / "records.jsonl", "wb") as f:
            for kind, items in (("document", documents), ("clause", clauses), ("chunk", chunks)):
                for x in items:
                    known = lines.get(id(x))
                    _, text, key = known if known and known[0] is x else (x, record_line(kind, x), None)
                    line = (text if isinstance(text, bytes) else text.encode("utf-8")) + b"\n"
                    f.write(line)
                    offsets.append(offsets[-1] + len(line))
                    if keys is not None:
                        keys.append(key or line_key(line[:-1]))
        if keys is not None:
            np.save(tmp / RECORD_KEYS, np.array(keys, dtype="S40"))
        index = RecordIndex.build(documents, clauses, chunks, np.array(offsets, dtype=np.int64))
        index.save(tmp / INDEX_DIR)
        from .structure.targets import save_targets  # derived from the records, like the index

        save_targets(tmp, documents, clauses, index, self.current_path(),
                     lambda c: (known := lines.get(id(c))) is not None and known[0] is c, targets)
        units = sorted({u for c in clauses for u in c.responsible_units})  # taught to jieba if a text is tokenised
        cur = self.current_path()
        previous = LexicalIndex.load(cur / "lexical", with_keys=True) if cur is not None and (cur / "lexical" / "keys.json").exists() else None
        lexical = LexicalIndex.build([c.embed_text for c in chunks], units, previous, tokens)
        lexical.save(tmp / "lexical")
        sentences.save(tmp)
        # Which chunk holds each sentence, found once here rather than by every reader at start;
        # kept sentences keep their chunk where its text (the lexical key) is the same.
        placed = placed_sentences(sentences, clauses, chunks, index, cur,
                                  (previous.keys, lexical.keys) if previous is not None else None)
        np.save(tmp / SENTENCE_CHUNKS, placed)
        by_chunk = Groups.of(placed, len(chunks))  # each chunk's sentences, for a question's pool
        np.save(tmp / SENTENCE_GROUPS[0], by_chunk.order)
        np.save(tmp / SENTENCE_GROUPS[1], by_chunk.start)
        if isinstance(chunk_vectors, RowPlan) and len(chunks):
            chunk_vectors.save(tmp / "chunks.npy")  # kept rows copied file to file
            unit = np.load(tmp / "chunks.npy", mmap_mode="r")
        else:
            vecs = np.asarray(chunk_vectors, dtype=np.float32)
            unit = unit_rows(vecs.reshape(len(chunks), -1)) if len(chunks) else np.zeros((0, 1), dtype=np.float32)
            np.save(tmp / "chunks.npy", unit)
        # The previous directions only for vectors mostly copied from that snapshot (not after a
        # rebuild, another embedder, or a corpus largely replaced).
        save_projection(tmp, unit, previous=cur if _mostly_kept(chunk_vectors, cur) else None)
        (tmp / "inuse.lock").touch()  # readers hold it shared; garbage collection needs it free
        state = {**state, "pipeline_version": PIPELINE_VERSION, "created": time.time()}
        (tmp / "state.json").write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        final = self.root / "snapshots" / snap_id
        tmp.rename(final)
        cur_tmp = self.root / "CURRENT.tmp"
        cur_tmp.write_text(snap_id)
        os.replace(cur_tmp, self.root / "CURRENT")  # the switch: atomic on POSIX
        self.collect_garbage(keep=snap_id)
        return final

    def collect_garbage(self, keep: str) -> list[str]:
        """Delete old snapshots no process holds, and temporary folders of crashed writers
        (the caller holds the writer lock, so no other writer is mid-way)."""
        removed = []
        for old in (self.root / "snapshots").iterdir():
            if old.name == keep:
                continue
            if not old.name.startswith(".tmp-"):
                lock = _free(old)
                if lock is None:
                    continue  # a reader still answers from it
                lock.close()
            shutil.rmtree(old, ignore_errors=True)
            removed.append(old.name)
        return removed

    @contextmanager
    def writer_lock(self):
        """One ingest at a time, across processes; a second one is told so at once."""
        self.root.mkdir(parents=True, exist_ok=True)
        f = open(self.root / "ingest.lock", "a+")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.close()
            raise IngestBusy(f"另一个收录任务正在进行（{self.root}），请等它结束后再试 (another ingest is running)") from None
        try:
            yield
        finally:
            f.close()


def _hold(snapshot: Path):
    """A shared lock on a snapshot, held as long as the returned file stays open. Opened for
    reading, so a read-only data folder serves as well (nobody writes there to collect)."""
    try:
        f = open(snapshot / "inuse.lock", "r")
    except FileNotFoundError:
        try:
            f = open(snapshot / "inuse.lock", "a+")  # a snapshot written before locks existed
        except OSError:
            return open(os.devnull)
    fcntl.flock(f, fcntl.LOCK_SH)
    return f


def _free(snapshot: Path):
    """An exclusive lock on a snapshot no one holds, or None when someone does."""
    try:
        f = open(snapshot / "inuse.lock", "a+")
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.close()
        return None
    return f


def check_embedder(state: dict, embedder_id: str) -> None:
    built = state.get("embedder")
    if built and built != embedder_id:
        raise EmbedderMismatch(
            f"索引由嵌入模型 {built} 建立，当前设置为 {embedder_id}；两者不能混用。"
            f"请重新建索引：policy-assistant ingest --rebuild "
            f"(index built with {built}, queried with {embedder_id}: re-ingest)"
        )


def delete_rows(col, ids: list[str], batch: int = 500) -> None:
    """Delete these rows of a Chroma collection, a batch at a time (500: well inside a server's
    request limit)."""
    for s in range(0, len(ids), batch):
        col.delete(ids=ids[s: s + batch])


def return_free_memory() -> None:
    """Hand the heap freed after writing a snapshot back to the system. Writing one at 100× the
    bundled corpus parses every record; the objects are freed afterwards, but glibc keeps their
    pages (a replica that synced from empty kept 1.1 GB of RssAnon, 0.23 GB after trimming), so a
    serving process would hold the peak of its last sync or ingest for good. Never fails: the
    snapshot is written by then. (The collection first matters: without it a replica that synced
    from empty kept 382 MB, not 263 MB, at 100×.)"""
    trim = _malloc_trim()
    if trim is not None:
        import gc

        gc.collect()
        trim(0)


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's malloc_trim, or None where there is none (another libc, no libc found)."""
    import ctypes
    import ctypes.util

    try:
        name = ctypes.util.find_library("c")
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None
