"""Each clause's sentences and their vectors, as a snapshot stores them.

A reader maps the texts from disk instead of holding them: the sentences of a clause are
copies of pieces of its text, 32 MB of every answering process at 100× the bundled corpus.
Snapshots written before the columns kept them in `sentences.json` (clause id and text per
row), and before the clause ids' column in `sentence_clause_ids.json`: both still load."""
from __future__ import annotations

import mmap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson

from .lexical import text_key
from .rows import RowPlan

# Sentence vectors are kept in half precision: they are the largest part of a snapshot (175,000 ×
# 384 at 100× the bundled corpus: 269 MB as float32) and of what a replica copies. Rounded to
# float16, every figure of evals/run.py was unchanged (the bank's three parts, dev, the own set);
# chunk vectors, searched whole, stay float32.
SENTENCE_DTYPE = "<f2"
TEXTS, OFFSETS, CODES, IDS = "sentence_texts.bin", "sentence_offsets.npy", "sentence_clauses.npy", "sentence_clause_ids.json"
# The clause ids the codes stand for, as a mapped column (the JSON list IDS, written before, was
# 4 MB of strings in every reader at 100× the bundled corpus).
ID_TEXTS, ID_OFFSETS = "sentence_clause_ids.bin", "sentence_clause_ids.npy"
# Each row's content key (sentence_key), kept with a snapshot published to a Chroma server, whose
# sentence rows are named by it: computing 175,000 of them was 0.5 s of every publish at 100×.
KEYS = "sentence_keys.npy"


def sentence_key(clause_id: str, text: str) -> str:
    """A sentence row's name on a Chroma server: a hash of its clause and text."""
    return text_key(f"{clause_id}\x1f{text}")


class _Column(Sequence):
    """A read-only column that compares equal to any sequence holding the same values."""

    __hash__ = None

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and not isinstance(other, str) and list(self) == list(other)


class TextColumn(_Column):
    """Row i's text, decoded from a mapped UTF-8 file when asked for."""

    def __init__(self, path: Path, texts: str = TEXTS, offsets: str = OFFSETS) -> None:
        # A plain view of the mapped array: np.memmap's own indexing costs ~1 µs a call.
        self._offsets = np.load(path / offsets, mmap_mode="r").view(np.ndarray)
        with open(path / texts, "rb") as f:
            self._buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if f.seek(0, 2) else b""

    @staticmethod
    def write(path: Path, values, texts: str = TEXTS, offsets: str = OFFSETS) -> None:
        """Write `values` as a column `TextColumn(path, texts, offsets)` maps."""
        encoded = values.encoded() if isinstance(values, PickedTexts) else [t.encode("utf-8") for t in values]
        (path / texts).write_bytes(b"".join(encoded))
        ends = np.zeros(len(encoded) + 1, dtype=np.int64)
        ends[1:] = np.cumsum([len(b) for b in encoded])
        np.save(path / offsets, ends)

    def find(self, needle: str, row: int) -> bool:
        """Whether row `row` holds `needle` (searched in the mapped bytes, nothing decoded)."""
        return self._buf.find(needle.encode("utf-8"), int(self._offsets[row]), int(self._offsets[row + 1])) >= 0

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._buf[int(self._offsets[i]): int(self._offsets[i + 1])].decode("utf-8")

    def __iter__(self):
        ends = self._offsets.tolist()
        buf = self._buf
        for a, b in zip(ends, ends[1:]):
            yield buf[a:b].decode("utf-8")


class PickedTexts(_Column):
    """Some rows of a mapped TextColumn, then new texts: the sentences a re-ingest keeps and
    adds. Written back as the bytes that were read (decoding and encoding again the 175,000
    kept sentences was 0.4 s of a one-document re-ingest at 100× the bundled corpus)."""

    def __init__(self, column: TextColumn, rows: np.ndarray, new: Sequence[str] = ()) -> None:
        self._column, self._rows, self._new = column, np.asarray(rows, dtype=np.int64), list(new)

    def __add__(self, more: Sequence[str]) -> "PickedTexts":
        return PickedTexts(self._column, self._rows, self._new + list(more))

    def __len__(self) -> int:
        return len(self._rows) + len(self._new)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        return self._column[int(self._rows[i])] if i < len(self._rows) else self._new[i - len(self._rows)]

    def __iter__(self):
        for b in self._kept_bytes():
            yield b.decode("utf-8")
        yield from self._new

    def _kept_bytes(self) -> list[bytes]:
        offsets, buf = self._column._offsets, self._column._buf
        starts, ends = offsets[self._rows].tolist(), offsets[self._rows + 1].tolist()
        return [buf[a:b] for a, b in zip(starts, ends)]

    def encoded(self) -> list[bytes]:
        return self._kept_bytes() + [t.encode("utf-8") for t in self._new]


class CodedColumn(_Column):
    """Row i's clause id: one string per clause, a small integer per row."""

    def __init__(self, values: list[str], codes: np.ndarray) -> None:
        self._values, self._codes = values, codes

    def __len__(self) -> int:
        return len(self._codes)

    @property
    def codes(self) -> np.ndarray:
        """Each row's value as its integer code (rows of the same clause share one)."""
        return self._codes

    def __getitem__(self, i):
        if isinstance(i, slice):
            values = self._decoded()
            return [values[c] for c in self._codes[i].tolist()]
        return self._values[int(self._codes[i])]

    def __iter__(self):
        values = self._decoded()
        return (values[c] for c in self._codes.tolist())

    def _decoded(self) -> list[str]:
        """The values as a list, for a pass over many rows (each decoded once, not once a row)."""
        return self._values if isinstance(self._values, list) else list(self._values)


@dataclass
class SentenceVectors:
    """Each clause's sentences embedded on their own, so a question worded unlike the
    clause as a whole can still meet the one sentence that answers it."""

    clause_ids: Sequence[str]
    texts: Sequence[str]
    vectors: "object"  # np.ndarray (n × dim, unit length) or a rows.RowPlan to be saved
    keys: "np.ndarray | None" = None  # each row's sentence_key as bytes (S40), where kept

    def key_list(self) -> list[str]:
        """Each row's sentence_key: as kept, else computed."""
        if self._kept_keys():
            return [k.decode("ascii") for k in self.keys.tolist()]
        return [sentence_key(c, t) for c, t in zip(self.clause_ids, self.texts)]

    def keys_at(self, rows: np.ndarray, ids: list[str], texts: list[str]) -> np.ndarray:
        """The sentence_keys (S40) of these rows, whose clause ids and texts are `ids`, `texts`:
        as kept, else computed from them."""
        if self._kept_keys():
            return np.asarray(self.keys[rows], dtype="S40")
        return np.array([sentence_key(c, t) for c, t in zip(ids, texts)], dtype="S40")

    def _kept_keys(self) -> bool:
        return self.keys is not None and len(self.keys) == len(self.texts)

    @classmethod
    def load(cls, path: Path) -> "SentenceVectors":
        vecs = np.load(path / "sentences.npy", mmap_mode="r")  # pages shared by every process reading it
        mapped = (path / ID_TEXTS).exists() and (path / ID_OFFSETS).exists()
        if all((path / f).exists() for f in (TEXTS, OFFSETS, CODES)) and (mapped or (path / IDS).exists()):
            ids = TextColumn(path, ID_TEXTS, ID_OFFSETS) if mapped else orjson.loads((path / IDS).read_bytes())
            keys = np.load(path / KEYS, mmap_mode="r") if (path / KEYS).exists() else None
            return cls(CodedColumn(ids, np.load(path / CODES, mmap_mode="r").view(np.ndarray)), TextColumn(path), vecs, keys)
        meta = orjson.loads((path / "sentences.json").read_bytes())  # a snapshot written before the columns
        shared: dict[str, str] = {}  # one string per clause id, not one per sentence
        return cls([shared.setdefault(m[0], m[0]) for m in meta], [m[1] for m in meta], vecs)

    def save(self, path: Path) -> None:
        from .embed import unit_rows

        TextColumn.write(path, self.texts)
        code_of: dict[str, int] = {}
        codes = np.fromiter((code_of.setdefault(c, len(code_of)) for c in self.clause_ids), dtype=np.int32,
                            count=len(self.clause_ids))
        np.save(path / CODES, codes)
        TextColumn.write(path, list(code_of), ID_TEXTS, ID_OFFSETS)
        if self.keys is not None:
            np.save(path / KEYS, np.asarray(self.keys, dtype="S40"))
        if isinstance(self.vectors, RowPlan):
            self.vectors.save(path / "sentences.npy", SENTENCE_DTYPE)  # kept rows copied file to file
        else:
            np.save(path / "sentences.npy", unit_rows(self.vectors).astype(SENTENCE_DTYPE))

    def select(self, clause_ids: set[str]) -> tuple[np.ndarray, list[str], list[str]]:
        """(rows, clause ids, texts) of the sentences of these clauses, in order: a re-ingest
        keeps the rows' vectors in long runs (rows.RowPlan), not row by row from the
        mapped file (3 s of a 100× re-ingest)."""
        if isinstance(self.clause_ids, CodedColumn):  # one test per clause, not per sentence
            values = self.clause_ids._decoded()
            wanted = np.fromiter((c in clause_ids for c in values), dtype=bool, count=len(values))
            rows = np.flatnonzero(wanted[self.clause_ids.codes]) if len(values) else np.zeros(0, dtype=np.int64)
            ids = [values[c] for c in self.clause_ids.codes[rows].tolist()]
        else:
            rows = np.array([i for i, c in enumerate(self.clause_ids) if c in clause_ids], dtype=np.int64)
            ids = [self.clause_ids[i] for i in rows.tolist()]
        if isinstance(self.texts, TextColumn):  # kept as the bytes they are, decoded only if read
            return rows, ids, PickedTexts(self.texts, rows)
        texts = list(self.texts)  # one pass, not one lookup per row
        return rows, ids, [texts[i] for i in rows.tolist()]
