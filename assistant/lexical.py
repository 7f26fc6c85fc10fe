"""BM25 over jieba tokens, kept as each chunk's term counts so an ingest updates it by document.

bm25s stores finished scores, and every score depends on the corpus' size and mean length: a
changed document meant rebuilding the whole index (4 s of a 100× re-ingest) and re-reading every
chunk's tokens. Here a snapshot keeps the counts (one row of (token id, count) pairs per chunk,
keyed by a hash of the chunk's text); a new snapshot copies the rows of unchanged chunks and
tokenises only new text, and the scores are computed from the counts when the snapshot is
loaded (one vectorised pass). The scoring is bm25s' default (Lucene variant, k1 1.5, b 0.75),
which the fused ranking's weights were fitted with, so rankings are unchanged.

Tokens depend on the words added to jieba (the responsible units, `zh.add_words`): when the
set of units changes, only the chunks whose text holds an added or removed unit are tokenised
again."""
from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import Counter
from itertools import chain
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .zh import add_words, tokenize

K1, B = 1.5, 0.75  # bm25s' defaults, with which FusionParams were fitted
EMPTY = "∅"  # the token of a chunk with none (bm25s cannot index an empty document)
# The weights by token (a CSC matrix: data, row indices, column pointers), saved beside the counts.
WEIGHT_FILES = ("weights.npy", "weight_rows.npy", "weight_ptr.npy")
_BUILDING = threading.Lock()  # the weights are computed once, whichever thread asks first


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass
class LexicalIndex:
    vocab: list[str]
    indptr: np.ndarray  # chunk i's pairs are ids[indptr[i]:indptr[i+1]], counts[...]
    ids: np.ndarray
    counts: np.ndarray
    units: list[str] = field(default_factory=list)  # the jieba words the tokens were made with
    keys: list[str] = field(default_factory=list)  # text_key of each chunk's text
    _scores: tuple | None = None
    _vocab_dict: dict | None = None

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    @property
    def vocab_dict(self) -> dict[str, int]:
        if self._vocab_dict is None:
            self._vocab_dict = {t: i for i, t in enumerate(self.vocab)}
        return self._vocab_dict

    def doc_freqs(self) -> np.ndarray:
        if self._scores is not None:
            return np.diff(self._scores[2])  # a token's column holds one entry per chunk with it
        return np.bincount(self.ids, minlength=len(self.vocab))

    def bag(self, i: int) -> dict[str, int]:
        """Chunk i's token counts."""
        a, b = self.indptr[i], self.indptr[i + 1]
        return {self.vocab[t]: int(c) for t, c in zip(self.ids[a:b].tolist(), self.counts[a:b].tolist())}

    def _columns(self):
        """Per token, the chunks holding it and their BM25 weights (computed once per load)."""
        with _BUILDING:  # the warm-up thread and a first question may both ask
            if self._scores is None:
                self._scores = self._weights()
                if not self.keys:  # loaded to answer, not to build the next index: the counts are done with
                    self.ids = self.counts = None
        return self._scores

    def _weights(self) -> tuple:
        from scipy.sparse import csr_matrix

        n, v = self.n, len(self.vocab)
        lengths = np.add.reduceat(self.counts, self.indptr[:-1]) if len(self.counts) else np.zeros(n)
        lengths = np.where(np.diff(self.indptr) > 0, lengths, 0).astype(np.float32)
        avg = float(lengths.mean()) if n else 1.0
        df = self.doc_freqs().astype(np.float32)
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        rows = np.repeat(np.arange(n), np.diff(self.indptr))
        tf = self.counts.astype(np.float32)
        w = idf[self.ids] * tf / (K1 * ((1 - B) + B * lengths[rows] / avg) + tf)
        csc = csr_matrix((w, self.ids, self.indptr), shape=(n, v)).tocsc()
        return csc.data.astype(np.float32), csc.indices, csc.indptr

    def chunks_with(self, token: str) -> np.ndarray:
        """The chunks holding a token (its posting list)."""
        i = self.vocab_dict.get(token)
        if i is None:
            return np.zeros(0, dtype=np.int64)
        _, rows, ptr = self._columns()
        return rows[int(ptr[i]): int(ptr[i + 1])]

    def get_scores(self, tokens: list[str]) -> np.ndarray:
        """Each chunk's BM25 score for the query tokens (a repeated token counts again, as in bm25s)."""
        data, rows, ptr = self._columns()
        ids = [self.vocab_dict[t] for t in tokens if t in self.vocab_dict]
        if not ids:
            return np.zeros(self.n, dtype=np.float32)
        # Column by column, as slices of the (mapped) arrays: a token's chunks are distinct, so
        # += adds once per chunk. Gathering every posting through one index array first cost a
        # common word's posting list three copies (12 ms of a question at 100× the bundled corpus).
        scores = np.zeros(self.n, dtype=np.float32)
        for i in ids:
            a, b = int(ptr[i]), int(ptr[i + 1])
            scores[rows[a:b]] += data[a:b]
        return scores

    def idf(self) -> dict[str, float]:
        self._columns()
        df = self.doc_freqs()
        n = self.n
        return {t: math.log(1 + (n - int(df[i]) + 0.5) / (int(df[i]) + 0.5)) for i, t in enumerate(self.vocab) if df[i]}

    # -- building -----------------------------------------------------------------------------
    @classmethod
    def build(cls, texts: list[str], units: list[str], previous: "LexicalIndex | None" = None,
              given: dict[str, list[str] | dict[str, int]] | None = None) -> "LexicalIndex":
        """The index of `texts` (in chunk order): rows of a previous index reused for texts it
        holds, unless a unit added or removed since occurs in the text; `given` tokens or token
        counts (by text_key, e.g. fetched from the server) used as they are; the rest tokenised."""
        given = given or {}
        old_row = {k: i for i, k in enumerate(previous.keys)} if previous else {}
        changed = sorted(set(units) ^ set(previous.units)) if previous else []
        keys: list[str] = []
        rows: list[tuple[int, int] | dict] = []  # per text: a previous row's span, or its new bag
        taught = False
        for text in texts:
            k = text_key(text)
            keys.append(k)
            i = old_row.get(k)
            if i is not None and not any(u in text for u in changed):
                rows.append((int(previous.indptr[i]), int(previous.indptr[i + 1])))
                continue
            toks = given.get(k)
            if not toks:
                if not taught:  # a replica's copy is given every bag: it need not load jieba at all
                    add_words(units)
                    taught = True
                toks = tokenize(text) or [EMPTY]
            rows.append(toks if isinstance(toks, dict) else Counter(toks))
        # Token ids for the new bags in one pass (3.8 million pairs of an empty replica's copy at
        # 100×, where a call per token took ~2 s): the vocabulary is the previous one followed by
        # the new tokens in order of first use, so a reused row's ids keep their meaning.
        bags = [r for r in rows if isinstance(r, dict)]
        flat = list(chain.from_iterable(bags))
        vdict = dict.fromkeys(previous.vocab) if previous else {}
        vdict.update(dict.fromkeys(flat))
        vocab = list(vdict)
        id_of = {t: i for i, t in enumerate(vocab)}
        new_ids = np.fromiter(map(id_of.__getitem__, flat), dtype=np.int32, count=len(flat))
        new_counts = np.fromiter(chain.from_iterable(b.values() for b in bags), dtype=np.int32, count=len(flat))
        lengths = np.array([len(r) if isinstance(r, dict) else r[1] - r[0] for r in rows], dtype=np.int64)
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum(lengths)
        ids, counts = np.empty(int(indptr[-1]), dtype=np.int32), np.empty(int(indptr[-1]), dtype=np.int32)
        at = 0  # where the next new bag's pairs start in new_ids
        for n, r in enumerate(rows):
            a, b = int(indptr[n]), int(indptr[n + 1])
            if isinstance(r, dict):
                ids[a:b], counts[a:b] = new_ids[at: at + b - a], new_counts[at: at + b - a]
                at += b - a
            else:
                ids[a:b], counts[a:b] = previous.ids[r[0]: r[1]], previous.counts[r[0]: r[1]]
        return cls(vocab, indptr, ids, counts, sorted(units), keys)

    # -- files ----------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "indptr.npy", self.indptr)
        np.save(folder / "ids.npy", self.ids)
        np.save(folder / "counts.npy", self.counts)
        (folder / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")
        (folder / "keys.json").write_text(json.dumps({"units": self.units, "keys": self.keys}, ensure_ascii=False), encoding="utf-8")
        # The BM25 weights too, computed here once: a reader maps them from disk instead of
        # computing them into its own memory (29 MB of every process at 100× the bundled corpus).
        for name, a in zip(WEIGHT_FILES, self._weights()):
            np.save(folder / name, a)

    @classmethod
    def load(cls, folder: Path, with_keys: bool = False) -> "LexicalIndex":
        """A saved index; the text keys and units (needed only to build the next one) with `with_keys`."""
        meta = json.loads((folder / "keys.json").read_text(encoding="utf-8")) if with_keys else {}
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        if not with_keys and all((folder / f).exists() for f in WEIGHT_FILES):
            none = np.zeros(0, dtype=np.int32)
            return cls(vocab, np.load(folder / "indptr.npy", mmap_mode="r"), none, none,
                       _scores=tuple(np.load(folder / f, mmap_mode="r") for f in WEIGHT_FILES))
        mode = None if with_keys else "r"  # to answer, the counts are read once, from the mapped files
        return cls(vocab, np.load(folder / "indptr.npy", mmap_mode=mode),
                   np.load(folder / "ids.npy", mmap_mode=mode), np.load(folder / "counts.npy", mmap_mode=mode),
                   meta.get("units", []), meta.get("keys", []))
