"""A published snapshot as packs: rows of a Chroma collection that each hold ~PACK_KEYS records
(or sentences) with their vectors, in the rows' metadata.

Why packs and not a row per record (how this was published before, assistant/replica_rows.py):
measured on one `chroma run` server (chromadb 1.5.9) at 100× the bundled corpus:
  - a row costs ~0.07 ms to read whatever it holds: 71,000 records, 175,000 sentences and
    43,000 chunk vectors took ~34 s to read for a replica with an empty folder;
  - a row's *document* is full-text indexed by the server: a 10 MB document took 13.4 s to
    write, the same 10 MB as a metadata value 0.31 s (read back in 0.1 s either way).
  - a metadata value that is not ASCII is slow to write: 0.45 MB of Chinese text 0.22 s, 0.85 MB
    of ASCII 0.02 s; a record pack's JSON (2.4 MB) took 1.02 s as it is, 0.06 s deflated and in
    base64 (0.73 MB; deflating it took 17 ms, inflating 9 ms).
So a pack keeps its payload in metadata ("z": its JSON deflated, in base64; "v": its vectors as
base64 floats: float32 for chunks, float16 for sentences), and a replica reads ~250 packs instead of ~290,000 rows.

Packs are cut as the manifest pages were (`paginate`): a pack ends after a key whose own hash
says so, and is named by a hash of its keys. A change to one document changes the one or two
packs holding its keys; every other pack keeps its name, so a publish sends only those, and a
replica fetches only the packs its copy does not hold (it names its own keys' packs the same way)."""
from __future__ import annotations

import base64
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson

from .lexical import text_key

PAGE_KEYS = 5000  # keys per manifest page of the row format (replica_rows), on average
MAX_PAGE_KEYS = 4 * PAGE_KEYS  # a run of keys with no cut in it (rare: e^-4 of the pages) still ends
# Keys per pack on average: a record pack is ~3.5 MB (line, tokens, a chunk's vector as base64),
# a sentence pack ~2.2 MB. A one-document change at 100× rewrites 2–4 packs (~0.1 s each to
# write, measured 0.31 s for 10 MB); bigger packs would make that cost grow, smaller ones
# multiply the reads of an empty start.
PACK_KEYS = 1000
RECORD_PACK, SENTENCE_PACK = "R", "S"  # pack id prefixes (the row format's pages are "r:" and "s:")
# What a pack holds besides the record lines and vectors (a chunk's token counts, a clause's
# targets) is derived by this code, so the format is part of every pack's id: a new format names
# all packs anew, a publish sends them again once, and no replica mixes two formats' packs.
#   1: a chunk's tokens as a list; 2: its token counts, each clause's targets, and sentence
#   vectors in the snapshot's precision (half: "d" is "f2").
PACK_FORMAT = "2"


def paginate(keys: list[str], kind: str, size: int = PAGE_KEYS, salt: str = "") -> dict[str, list[str]]:
    """The keys cut into pages, by page id. A page ends after a key whose hash is 0 modulo
    `size` (so ~size keys a page, at most 4 × size): where pages end depends on the keys
    around it only, so inserting or replacing one document's keys leaves the pages before
    and after it as they were, with the same ids. `salt` goes into every id (a pack format)."""
    pages: dict[str, list[str]] = {}
    page: list[str] = []
    for k in keys:
        page.append(k)
        if int(k[-8:], 16) % size == 0 or len(page) >= 4 * size:
            pages[f"{kind}:{text_key(salt + chr(10).join(page))}"] = page
            page = []
    if page:
        pages[f"{kind}:{text_key(salt + chr(10).join(page))}"] = page
    return pages


def packs_of(keys: list[str], kind: str, fmt: str | None = None) -> dict[str, list[str]]:
    """The packs these keys are published in, by pack id (the writer's and a replica's naming),
    in a pack format (this one's by default; format 1 put no format in its ids)."""
    fmt = PACK_FORMAT if fmt is None else fmt
    return paginate(keys, kind, PACK_KEYS, "" if fmt == "1" else fmt)


def is_pack(page_id: str) -> bool:
    return page_id.startswith((RECORD_PACK + ":", SENTENCE_PACK + ":"))


def deflate(data: bytes) -> str:
    """Bytes as ASCII Chroma writes fast: deflated (level 1: ~3× smaller for this JSON, at
    ~140 MB/s), in base64."""
    return base64.b64encode(zlib.compress(data, 1)).decode("ascii")


def inflate(text: str) -> bytes:
    return zlib.decompress(base64.b64decode(text))


def _encode(vectors: np.ndarray) -> str:
    """Vectors as base64 of their little-endian floats, in their own precision (half or single)."""
    v = np.asarray(vectors)
    return base64.b64encode(np.ascontiguousarray(v, dtype="<f2" if v.dtype == np.float16 else "<f4").tobytes()).decode("ascii")


def _decode(text: str, rows: int, dtype: str = "<f4") -> np.ndarray:
    flat = np.frombuffer(base64.b64decode(text), dtype=dtype)
    return flat.reshape(rows, -1) if rows else np.zeros((0, 0), dtype=dtype)


@dataclass
class RecordPack:
    """Records in snapshot order: each one's key and row ({"r": its line}; a chunk's also
    {"h": the lexical key of its text, "c": its jieba token counts} (format 1: "t", the tokens
    as a list); a clause's also {"g": the targets found in it, as targets.json holds them}, when
    the snapshot had them), and one vector per chunk row, in order. A replica takes the counts
    and targets as they are instead of deriving them again (~3 s of an empty start at 100×)."""

    keys: list[str]
    rows: list[dict]
    vectors: np.ndarray

    def metadata(self) -> dict:
        return {"z": deflate(orjson.dumps({"keys": self.keys, "rows": self.rows})), "v": _encode(self.vectors)}

    @classmethod
    def read(cls, meta: dict) -> "RecordPack":
        p = orjson.loads(inflate(meta["z"]))
        return cls(p["keys"], p["rows"], _decode(meta["v"], sum("h" in r for r in p["rows"])))

    def chunk_vectors(self) -> dict[str, np.ndarray]:
        """Each chunk row's vector, by its record key."""
        return dict(zip([k for k, r in zip(self.keys, self.rows) if "h" in r], self.vectors))

    def chunk_ids(self) -> list[str]:
        return [orjson.loads(r["r"])["chunk_id"] for r in self.rows if "h" in r]


@dataclass
class SentencePack:
    keys: list[str]
    clause_ids: list[str]
    texts: list[str]
    vectors: np.ndarray

    def metadata(self) -> dict:
        body = {"keys": self.keys, "clause_ids": self.clause_ids, "texts": self.texts}
        half = np.asarray(self.vectors).dtype == np.float16  # as the snapshot keeps them (sentences.SENTENCE_DTYPE)
        return {"z": deflate(orjson.dumps(body)), "v": _encode(self.vectors)} | ({"d": "f2"} if half else {})

    @classmethod
    def read(cls, meta: dict) -> "SentencePack":
        p = orjson.loads(inflate(meta["z"]))
        return cls(p["keys"], p["clause_ids"], p["texts"], _decode(meta["v"], len(p["keys"]), "<f2" if meta.get("d") == "f2" else "<f4"))


class LocalPacks:
    """A local snapshot read as packs, for publishing it: each record's line found by its key
    through the kept offsets, a chunk's tokens and vector by its position."""

    def __init__(self, snapshot: Path, kept_keys: list[str]) -> None:
        """`kept_keys`: the record keys kept beside the snapshot (records.RECORD_KEYS), if any;
        without them (or not matching its records) each line's key is hashed."""
        from .lexical import LexicalIndex
        from .records import INDEX_DIR, RecordIndex, line_key
        from .sentences import SentenceVectors
        from .structure.targets import targets_by_clause

        index = RecordIndex.load(snapshot / INDEX_DIR)
        self._offsets = index.offsets
        if self._offsets is not None and len(self._offsets) == len(kept_keys) + 1:
            self.record_keys = kept_keys  # in file order, repeats kept
        else:
            self.record_keys = [line_key(line) for line in (snapshot / "records.jsonl").read_bytes().splitlines() if line]
        self.chunk_ids = index.chunk_ids
        self._clause_ids = index.clause_ids
        self._first_clause = len(index.doc_ids)
        self._first_chunk = len(index.doc_ids) + len(index.clause_ids)
        self._targets = targets_by_clause(snapshot)
        self._row = {}
        for i, k in enumerate(self.record_keys):
            self._row.setdefault(k, i)
        self._file = open(snapshot / "records.jsonl", "rb")
        self._lexical = LexicalIndex.load(snapshot / "lexical", with_keys=True)
        self._chunks = np.load(snapshot / "chunks.npy", mmap_mode="r")
        self.sentences = SentenceVectors.load(snapshot)
        self.sentence_keys = self.sentences.key_list()

    def close(self) -> None:
        self._file.close()

    def _line(self, i: int) -> str:
        self._file.seek(int(self._offsets[i]))
        return self._file.read(int(self._offsets[i + 1] - self._offsets[i])).rstrip(b"\n").decode("utf-8")

    def record_pack(self, keys: list[str]) -> RecordPack:
        rows, vectors = [], []
        for k in keys:
            i = self._row[k]
            row = {"r": self._line(i)}
            if i >= self._first_chunk:
                c = i - self._first_chunk
                row |= {"h": self._lexical.keys[c], "c": self._lexical.bag(c)}
                vectors.append(self._chunks[c])
            elif i >= self._first_clause and self._targets is not None:
                row["g"] = self._targets.get(self._clause_ids[i - self._first_clause], [])
            rows.append(row)
        dim = self._chunks.shape[1] if self._chunks.ndim == 2 else 0
        return RecordPack(keys, rows, np.asarray(vectors, dtype=np.float32).reshape(len(vectors), dim))

    def sentence_pack(self, keys: list[str], rows: dict[str, int]) -> SentencePack:
        at = np.array([rows[k] for k in keys], dtype=np.int64)
        sv = self.sentences
        return SentencePack(keys, [sv.clause_ids[i] for i in at], [sv.texts[i] for i in at],
                            np.asarray(sv.vectors[at]))  # in the snapshot's precision
