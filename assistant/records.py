"""A snapshot's clauses and chunks, read from its records.jsonl when they are asked for.

A reader used to hold every record as Python objects: 65 MB of every answering process at
100× the bundled corpus, and growing with every document. The writer now also saves an index
of the records (`records/`): each line's byte offset, each record's id, and the positions tying
chunks to clauses and clauses to documents, as arrays. A reader maps those and the records file,
keeps only the documents (a few hundred bytes each), and parses a clause or chunk when asked,
through a bounded cache. A snapshot written before the index is read whole, as before, and its
index is built in memory from the records, so every caller sees the same interface."""
from __future__ import annotations

import hashlib
import mmap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import orjson

from .sentences import TextColumn
from .types import Chunk, Clause, Document, row_text

INDEX_DIR = "records"
# Records parsed and kept per table. A question touches at most ~120 chunks and their clauses
# (40 candidates from each of three rankings); 1,024 keep the working set of the last few
# questions. Records average ~1 KB but a table's run to 10 KB: at 4,096 the two caches held
# 15 MB at 100× the bundled corpus (tracemalloc), at 1,024 ~4 MB, whatever the corpus' size.
RECORD_CACHE = 1024
CLAUSE_KINDS = ("clause", "section", "table", "case", "preamble")


def id_key(ident: str) -> int:
    """A stable 64-bit key of an id (Python's own hash differs between processes)."""
    return int.from_bytes(hashlib.blake2b(ident.encode("utf-8"), digest_size=8).digest(), "little")


@dataclass
class IdLookup:
    """Id → row, through sorted 64-bit keys (mapped), not a dict of every id."""

    keys: np.ndarray  # sorted uint64
    rows: np.ndarray  # the row each key belongs to
    ids: Sequence[str]

    @classmethod
    def build(cls, ids: Sequence[str]) -> "IdLookup":
        keys = np.fromiter((id_key(i) for i in ids), dtype=np.uint64, count=len(ids))
        order = np.argsort(keys, kind="stable")
        return cls(keys[order], order.astype(np.int32), ids)

    def __post_init__(self) -> None:
        # The ids of the last questions' candidates are asked for again and again: a bounded
        # memo (~17 µs a lookup otherwise: a hash, a search, an id decoded to compare).
        self.find = lru_cache(maxsize=RECORD_CACHE)(self._find)

    def _find(self, ident: str) -> int | None:
        key = np.uint64(id_key(ident))
        i = int(np.searchsorted(self.keys, key))
        while i < len(self.keys) and self.keys[i] == key:  # two ids may share a key: compare them
            row = int(self.rows[i])
            if self.ids[row] == ident:
                return row
            i += 1
        return None


@dataclass
class Groups:
    """Rows grouped by a key column: group g's rows are order[start[g]:start[g + 1]]."""

    order: np.ndarray
    start: np.ndarray

    @classmethod
    def of(cls, keys: np.ndarray, n_groups: int, within: np.ndarray | None = None) -> "Groups":
        order = np.lexsort((within, keys)) if within is not None else np.argsort(keys, kind="stable")
        start = np.searchsorted(keys[order], np.arange(n_groups + 1))  # a key of -1 falls before group 0
        return cls(order.astype(np.int32), start.astype(np.int64))

    def rows(self, g: int) -> np.ndarray:
        return self.order[self.start[g]: self.start[g + 1]]


_ARRAYS = ("clause_doc", "clause_kind", "chunk_clause", "chunk_doc", "clause_units_ptr", "clause_units", "clause_units_lead")
_GROUPS = ("chunks_of_clause", "clauses_of_doc")
_LOOKUPS = ("clause_lookup", "chunk_lookup")


def _unit_columns(clauses: Sequence[Clause], units: list[str]) -> dict[str, np.ndarray]:
    unit_id = {u: i for i, u in enumerate(units)}
    ptr, ids, lead = [0], [], []
    for c in clauses:
        for k, u in enumerate(c.responsible_units):
            ids.append(unit_id[u])
            lead.append(u in c.lead_units if c.lead_units else k == 0)  # the first leads when none is named
        ptr.append(len(ids))
    return {"clause_units_ptr": np.array(ptr, dtype=np.int64), "clause_units": np.array(ids, dtype=np.int32),
            "clause_units_lead": np.array(lead, dtype=np.int8)}


@dataclass
class RecordIndex:
    """Where each record is and how records hang together, as arrays."""

    doc_ids: list[str]  # in records order
    clause_ids: Sequence[str]
    chunk_ids: Sequence[str]
    clause_doc: np.ndarray  # each clause's document (its position in doc_ids)
    clause_kind: np.ndarray  # position in CLAUSE_KINDS
    chunk_clause: np.ndarray  # each chunk's clause (-1: none)
    chunk_doc: np.ndarray
    clause_lookup: IdLookup
    chunk_lookup: IdLookup
    chunks_of_clause: Groups
    clauses_of_doc: Groups  # in text order within a document
    units: list[str]  # every responsible unit named, once
    # Each clause's units: clause r's are units[clause_units[ptr[r]:ptr[r + 1]]], with whether each leads.
    clause_units_ptr: np.ndarray
    clause_units: np.ndarray
    clause_units_lead: np.ndarray
    offsets: np.ndarray | None = None  # each line's byte offset in records.jsonl, and the end

    @classmethod
    def build(cls, documents: Sequence[Document], clauses: Sequence[Clause], chunks: Sequence[Chunk],
              offsets: np.ndarray | None = None) -> "RecordIndex":
        doc_row = {d.doc_id: i for i, d in enumerate(documents)}
        clause_ids = [c.clause_id for c in clauses]
        clause_row = {c: i for i, c in enumerate(clause_ids)}
        clause_doc = np.array([doc_row.get(c.doc_id, -1) for c in clauses], dtype=np.int32)
        chunk_clause = np.array([clause_row.get(ch.clause_id, -1) for ch in chunks], dtype=np.int32)
        starts = np.array([c.char_start for c in clauses], dtype=np.int64)
        units = sorted({u for c in clauses for u in c.responsible_units})
        return cls(
            doc_ids=list(doc_row), clause_ids=clause_ids, chunk_ids=[ch.chunk_id for ch in chunks],
            clause_doc=clause_doc,
            clause_kind=np.array([CLAUSE_KINDS.index(c.kind) for c in clauses], dtype=np.int8),
            chunk_clause=chunk_clause,
            chunk_doc=np.array([doc_row.get(ch.doc_id, -1) for ch in chunks], dtype=np.int32),
            clause_lookup=IdLookup.build(clause_ids), chunk_lookup=IdLookup.build([ch.chunk_id for ch in chunks]),
            chunks_of_clause=Groups.of(chunk_clause, len(clauses)),
            clauses_of_doc=Groups.of(clause_doc, len(documents), within=starts),
            units=units, **_unit_columns(clauses, units), offsets=offsets,
        )

    def rows_by_document(self):
        """Every clause row, by document id, in text order within each document."""
        for d in sorted(range(len(self.doc_ids)), key=self.doc_ids.__getitem__):
            yield from self.clauses_of_doc.rows(d).tolist()

    def save(self, folder: Path) -> None:
        folder.mkdir()
        (folder / "meta.json").write_bytes(orjson.dumps({"doc_ids": self.doc_ids, "units": self.units}))
        np.save(folder / "offsets.npy", self.offsets)
        TextColumn.write(folder, self.clause_ids, "clause_ids.bin", "clause_ids.npy")
        TextColumn.write(folder, self.chunk_ids, "chunk_ids.bin", "chunk_ids.npy")
        for name in _ARRAYS:
            np.save(folder / f"{name}.npy", getattr(self, name))
        for name in _GROUPS:
            g = getattr(self, name)
            np.save(folder / f"{name}.order.npy", g.order)
            np.save(folder / f"{name}.start.npy", g.start)
        for name in _LOOKUPS:
            lk = getattr(self, name)
            np.save(folder / f"{name}.keys.npy", lk.keys)
            np.save(folder / f"{name}.rows.npy", lk.rows)

    @classmethod
    def load(cls, folder: Path) -> "RecordIndex":
        def arr(name: str) -> np.ndarray:
            return np.load(folder / f"{name}.npy", mmap_mode="r").view(np.ndarray)

        meta = orjson.loads((folder / "meta.json").read_bytes())
        clause_ids = TextColumn(folder, "clause_ids.bin", "clause_ids.npy")
        chunk_ids = TextColumn(folder, "chunk_ids.bin", "chunk_ids.npy")
        return cls(
            doc_ids=meta["doc_ids"], clause_ids=clause_ids, chunk_ids=chunk_ids,
            **{name: arr(name) for name in _ARRAYS},
            clause_lookup=IdLookup(arr("clause_lookup.keys"), arr("clause_lookup.rows"), clause_ids),
            chunk_lookup=IdLookup(arr("chunk_lookup.keys"), arr("chunk_lookup.rows"), chunk_ids),
            **{name: Groups(arr(f"{name}.order"), arr(f"{name}.start")) for name in _GROUPS},
            units=meta["units"], offsets=arr("offsets"),
        )


def clause_from(d: dict, one=tuple) -> Clause:
    """A clause from its parsed line; `one` turns each JSON list of strings into its tuple."""
    d = dict(d)
    for k in ("clause_path", "responsible_units", "lead_units", "table_header"):
        d[k] = one(d.get(k) or ())
    d["table_rows"] = tuple(one(r) for r in d.get("table_rows") or ())
    return Clause(**d)


def _map(path: Path):
    with open(path, "rb") as f:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


class _Lines:
    """Records parsed from their lines in a mapped records.jsonl, the recent ones cached."""

    def __init__(self, buf, offsets: np.ndarray, first: int, count: int, parse) -> None:
        self._buf, self._offsets, self._first, self._count, self._parse_one = buf, offsets, first, count, parse
        self.at = lru_cache(maxsize=RECORD_CACHE)(self.parse)

    def parse(self, row: int):
        if not 0 <= row < self._count:
            raise IndexError(row)
        i = self._first + row
        d = orjson.loads(self._buf[int(self._offsets[i]): int(self._offsets[i + 1])])
        del d["type"]
        return self._parse_one(d)


def _lean_chunk(d: dict) -> Chunk:
    d["embed_text"] = ""  # what the embedder saw: only an ingest needs it (a writer reads whole)
    return Chunk(**d)


class ClauseTable(Mapping):
    """clause id → Clause, parsed when asked for. `values()` reads every clause once, uncached:
    for the scans an ingest or a page view makes, not for answering."""

    def __init__(self, index: RecordIndex, lines: _Lines) -> None:
        self.index, self._lines = index, lines

    def __getitem__(self, clause_id: str) -> Clause:
        row = self.index.clause_lookup.find(clause_id)
        if row is None:
            raise KeyError(clause_id)
        return self._lines.at(row)

    def __contains__(self, clause_id) -> bool:
        return isinstance(clause_id, str) and self.index.clause_lookup.find(clause_id) is not None

    def __iter__(self):
        return iter(self.index.clause_ids)

    def __len__(self) -> int:
        return len(self.index.clause_ids)

    def values(self):
        return (self._lines.parse(r) for r in range(len(self)))

    def at(self, row: int) -> Clause:
        return self._lines.at(row)

    def parse(self, row: int) -> Clause:
        return self._lines.parse(row)


class ChunkTable(Sequence):
    """The chunks in records order, parsed when asked for."""

    def __init__(self, index: RecordIndex, lines: _Lines) -> None:
        self.index, self._lines = index, lines

    def __len__(self) -> int:
        return len(self.index.chunk_ids)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self._lines.at(i + len(self) if i < 0 else i)

    def __iter__(self):
        return (self._lines.parse(r) for r in range(len(self)))


def read_mapped(snapshot: Path, parse_document) -> tuple[dict[str, Document], ClauseTable, ChunkTable, RecordIndex] | None:
    """The records of a snapshot with a saved index, mapped; None for one without."""
    folder = snapshot / INDEX_DIR
    if not (folder / "meta.json").exists():
        return None
    index = RecordIndex.load(folder)
    buf = _map(snapshot / "records.jsonl")
    n_docs, n_clauses = len(index.doc_ids), len(index.clause_ids)
    docs: dict[str, Document] = {}
    for i in range(n_docs):
        d = parse_document(orjson.loads(buf[int(index.offsets[i]): int(index.offsets[i + 1])]))
        docs[d.doc_id] = d
    clauses = ClauseTable(index, _Lines(buf, index.offsets, n_docs, n_clauses, clause_from))
    chunks = ChunkTable(index, _Lines(buf, index.offsets, n_docs + n_clauses, len(index.chunk_ids), _lean_chunk))
    return docs, clauses, chunks, index


# Each line's key (line_key), kept with a snapshot in server mode: a publish names the records'
# rows by it, and hashing the 108 MB of lines again was 0.2 s of every publish at 100×.
RECORD_KEYS = "record_keys.npy"


def line_key(line: bytes) -> str:
    """A record line's name on a Chroma server: the hash of its bytes (without the newline)."""
    return hashlib.sha1(line).hexdigest()


SENTENCE_CHUNKS = "sentence_chunks.npy"  # each sentence's chunk position, saved with the snapshot
SENTENCE_GROUPS = ("sentence_by_chunk.order.npy", "sentence_by_chunk.start.npy")  # Groups of it by chunk


def place_sentences(clause_rows: np.ndarray, texts: Sequence[str], index: RecordIndex, clause_at, chunk_text) -> np.ndarray:
    """Each sentence → the position of the chunk holding it (a table's row group, a long
    clause's piece; -1 where its clause, `clause_rows[i]`, is -1 or has no chunk). `clause_at(row)`
    and `chunk_text(pos)` read the records."""
    clause_rows = np.asarray(clause_rows, dtype=np.int64)
    out = np.full(len(clause_rows), -1, dtype=np.int32)
    known = clause_rows >= 0
    start = np.asarray(index.chunks_of_clause.start)
    first, count = np.zeros(len(clause_rows), dtype=np.int64), np.zeros(len(clause_rows), dtype=np.int64)
    first[known] = start[clause_rows[known]]
    count[known] = start[clause_rows[known] + 1] - first[known]
    one = count == 1  # most clauses are one chunk: no text to search
    out[one] = np.asarray(index.chunks_of_clause.order)[first[one]]
    at: dict[int, int] = {}  # per clause, the chunk its previous sentence was found in
    row, mine, clause, held = -1, [], None, {}
    for i in np.flatnonzero(count > 1).tolist():
        if int(clause_rows[i]) != row:  # a clause's sentences are consecutive: read it once
            row = int(clause_rows[i])
            mine = sorted(index.chunks_of_clause.rows(row).tolist())
            clause, held = clause_at(row), {}
        text = texts[i]
        if clause.kind == "table":
            # A table's sentence is a line of its text (cells between tabs); its chunks hold the
            # rows as «列名：值；…».
            text = row_text(clause.table_header, tuple(text.split("\t"))) or text
        # A clause's sentences come in text order, like its chunks: search on from where the
        # previous one was found (a long table's rows, not every row against every chunk).
        k = at.get(row, 0)
        found = next((j for j in [*range(k, len(mine)), *range(k)]
                      if text in (held[j] if j in held else held.setdefault(j, chunk_text(mine[j])))), k)
        at[row] = found
        out[i] = mine[found]
    return out


def placed_sentences(sentences, clauses, chunks, index: RecordIndex, previous: Path | None,
                     text_keys: tuple[Sequence[str], Sequence[str]] | None = None) -> np.ndarray:
    """`place_sentences` for a new snapshot: rows kept from the previous snapshot (a
    rows.RowPlan taken from its sentences.npy) keep its placement, mapped to the new chunk
    position by chunk id where that chunk's text key (lexical.text_key, previous and new
    `text_keys`) is unchanged; the rest are searched for (0.5 s of a one-document re-ingest at
    100× the bundled corpus went into placing again the sentences of unchanged clauses)."""
    n = len(sentences.texts)
    out = _carried(sentences.vectors, chunks, previous, n, text_keys)
    todo = np.flatnonzero(out == _UNPLACED)
    if len(todo):
        row_of = {c.clause_id: i for i, c in enumerate(clauses)}
        ids, texts = sentences.clause_ids, sentences.texts
        out[todo] = place_sentences(clause_rows_of([ids[i] for i in todo.tolist()], row_of.get),
                                    [texts[i] for i in todo.tolist()], index, lambda r: clauses[r], lambda i: chunks[i].text)
    return out


_UNPLACED = -2


def _carried(vectors, chunks, previous: Path | None, n: int, text_keys) -> np.ndarray:
    """Each row's chunk position as the previous snapshot placed it, or _UNPLACED (a new row, a
    chunk no longer there or with other text, a sentence it found no chunk for, or no previous
    placement to read)."""
    from .rows import RowPlan

    out = np.full(n, _UNPLACED, dtype=np.int32)
    old_keys, new_keys = text_keys or ((), ())
    if (previous is None or not isinstance(vectors, RowPlan) or not vectors.copies_from(previous / "sentences.npy")
            or not (previous / SENTENCE_CHUNKS).exists() or not len(old_keys)):
        return out
    kept = np.flatnonzero(vectors.taken >= 0)
    if not len(kept):
        return out
    old = np.load(previous / SENTENCE_CHUNKS, mmap_mode="r")[vectors.taken[kept]]
    old_ids = RecordIndex.load(previous / INDEX_DIR).chunk_ids
    if len(old_keys) != len(old_ids) or len(new_keys) != len(chunks):
        return out
    new_pos = {c.chunk_id: i for i, c in enumerate(chunks)}

    def moved(p: int) -> int:
        q = new_pos.get(old_ids[p], _UNPLACED) if p >= 0 else _UNPLACED
        return q if q >= 0 and new_keys[q] == old_keys[p] else _UNPLACED

    uniq, inv = np.unique(old, return_inverse=True)
    out[kept] = np.array([moved(p) for p in uniq.tolist()], dtype=np.int32)[inv]
    return out


def clause_rows_of(ids: Sequence[str], row_of) -> np.ndarray:
    """Each id's clause row (-1 for none), `row_of` asked once per distinct id."""
    seen: dict[str, int] = {}
    return np.fromiter((seen[c] if c in seen else seen.setdefault(c, _row(row_of(c))) for c in ids),
                       dtype=np.int64, count=len(ids))


def _row(r: int | None) -> int:
    return -1 if r is None else r
