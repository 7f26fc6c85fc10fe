"""Dense search over chunk vectors: in the snapshot's own array (the embedded store, and a
replica's copy of the snapshot published on a Chroma server), or in a Chroma collection (a
snapshot without its vectors). The storage edge (`store.IndexStore.dense`) picks one.

In the snapshot's array, a small corpus is searched exactly. A large one is searched in two
steps: the vectors projected on their first PREFILTER_DIMS principal directions pick RESCORE
candidates, and their exact cosines rank them. The full product is memory-bound (66 MB of
vectors read per question at 43,000 chunks, ~5 ms on this machine); the projected pass reads
a third of it. Sign bits (binary quantisation) were tried first and lost too much on
multilingual-e5, whose vectors share one large common direction: rescoring 4.7 % of the
bundled corpus' and real documents' 5,282 sentence vectors kept 0.36 of the exact first 40
uncentred and 0.82 centred, against 0.99 for 128 principal directions (2026-12-05, a one-off
script; the principal-direction figures are reproduced by evals/dense_recall.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .embed import as_unit, top_indices, unit_length

if TYPE_CHECKING:
    from .store import Snapshot

# Below this many rows (after the filters) the exact product costs ≤ ~2.5 ms on 2 cores and the
# projected pass saves too little to be worth its approximation.
EXACT_BELOW = 20_000
# Principal directions of the projected pass, and the candidates it hands to exact rescoring.
# evals/dense_recall.py, real multilingual-e5 vectors, 4.7 % of the rows rescored (the share
# 2,000 is of the 100x scale corpus' 43,000 chunks): the 10x scale corpus' 4,304 chunks (ten
# near-duplicate variants of each document) keep 0.974 of the exact first 40 with 128
# directions (0.951 with 96, 0.989 with 192); the 5,282 sentence vectors keep 0.988.
PREFILTER_DIMS = 128
RESCORE = 2_000
# Rows the principal directions are fitted on: a strided sample, so loading stays fast.
FIT_ROWS = 4_096


@dataclass(frozen=True)
class Projection:
    """The corpus' first principal directions (dim × k)."""

    axes: np.ndarray

    @classmethod
    def fit(cls, vecs: np.ndarray, dims: int = PREFILTER_DIMS) -> "Projection":
        sample = np.asarray(vecs[:: max(1, len(vecs) // FIT_ROWS)], dtype=np.float32)
        mean = sample.mean(axis=0)
        _, _, vt = np.linalg.svd(sample - mean, full_matrices=False)
        return cls(np.ascontiguousarray(vt[:dims].T, dtype=np.float32))

    def __call__(self, vecs: np.ndarray) -> np.ndarray:
        # The mean shifts every row's score by the same amount for one query: it is left out.
        return np.asarray(vecs, dtype=np.float32) @ self.axes


PROJECTION_FILES = ("projection.npy", "projected.npy")  # the axes, and every chunk projected on them
FITTED_ROWS = "projection_rows.npy"  # the row count the axes were fitted at (kept while it barely moves)


# A new snapshot keeps the previous one's principal directions while its row count stays within
# this share of the count they were fitted for: a one-document change moves them by nothing
# that matters, and the fit (an SVD of 4,096 rows) was 0.2 s of each re-ingest at 43,000 chunks.
REFIT_SHARE = 0.1


def save_projection(folder, vecs: np.ndarray, exact_below: int = EXACT_BELOW, previous=None) -> None:
    """Fit a large corpus' projection when its snapshot is written, so that readers map it from
    disk (21 MB at 43,000 chunks) instead of each fitting and holding its own copy. With the
    `previous` snapshot's folder (given only when most vectors are its own, see
    store._mostly_kept), its directions are kept while the corpus size barely moved."""
    if len(vecs) < exact_below:
        return
    proj, fitted_rows = None, len(vecs)
    old = load_projection(previous) if previous is not None else None
    if old is not None and old[0].axes.shape[0] == vecs.shape[1]:
        fitted_rows = int(np.load(previous / FITTED_ROWS)) if (previous / FITTED_ROWS).exists() else len(old[1])
        if abs(len(vecs) - fitted_rows) <= REFIT_SHARE * fitted_rows:
            proj = old[0]
    if proj is None:
        proj, fitted_rows = Projection.fit(vecs), len(vecs)
    np.save(folder / PROJECTION_FILES[0], proj.axes)
    np.save(folder / PROJECTION_FILES[1], proj(vecs))
    np.save(folder / FITTED_ROWS, np.int64(fitted_rows))


def load_projection(folder) -> "tuple[Projection, np.ndarray] | None":
    if not all((folder / f).exists() for f in PROJECTION_FILES):
        return None
    return Projection(np.load(folder / PROJECTION_FILES[0])), np.load(folder / PROJECTION_FILES[1], mmap_mode="r")


def prefiltered(vecs: np.ndarray, projected: np.ndarray, proj: Projection, q: np.ndarray,
                keep: np.ndarray | None, rescore: int = RESCORE) -> tuple[np.ndarray, np.ndarray]:
    """(row indices, cosines) of the rescored candidates: the `rescore` rows nearest in the
    projection (within `keep`), with their exact cosine to the unit query `q`."""
    approx = projected @ proj(q)
    if keep is not None:
        approx = np.where(keep, approx, -np.inf)
    m = min(rescore, len(approx))
    cand = np.argpartition(-approx, m - 1)[:m] if m < len(approx) else np.arange(len(approx))
    if keep is not None:
        cand = cand[keep[cand]]
    return cand, vecs[cand] @ q


def ranked(rows: np.ndarray | None, sims: np.ndarray, n: int) -> list[tuple[int, float]]:
    """(row, cosine) of the n best of `sims`, scored for `rows` (all rows when None)."""
    top = top_indices(sims, n)
    top = top[np.isfinite(sims[top])]
    idx = top if rows is None else rows[top]
    return list(zip(idx.tolist(), sims[top].astype(float).tolist()))  # one conversion, not one per hit


class SnapshotDense:
    """Dense search over the vectors kept in the snapshot; no file written, no server asked."""

    def __init__(self, snap: "Snapshot", vectors, exact_below: int = EXACT_BELOW) -> None:
        self.snap = snap
        self.vecs = as_unit(vectors)
        self.exact_below = exact_below
        # Set once: read from the snapshot when its writer fitted it, else by prepare().
        self._pass: tuple[Projection, np.ndarray] | None = load_projection(snap.path) if snap.path else None

    def prepare(self) -> None:
        """Fit and apply the projection of a large corpus (~0.7 s at 43,000 chunks). Called in
        the background after loading, so a replica starts without it; questions asked before
        it is ready are searched exactly."""
        if self._pass is None and len(self.vecs) >= self.exact_below:
            proj = Projection.fit(self.vecs)
            self._pass = (proj, proj(self.vecs))  # one assignment: a question sees both or neither

    @property
    def proj(self) -> Projection | None:
        return self._pass[0] if self._pass else None

    def query(self, qv, n: int, doc_ids: tuple[str, ...] = (), level: str | None = None) -> list[tuple[int, float]]:
        """(chunk index, cosine) of the n nearest chunks within the filters."""
        if not len(self.vecs):
            return []
        q = unit_length(qv)
        keep = self.snap.chunk_mask(doc_ids, level)
        ready = self._pass
        if ready is not None and (keep is None or int(keep.sum()) >= self.exact_below):
            rows, sims = prefiltered(self.vecs, ready[1], ready[0], q, keep, max(RESCORE, 4 * n))
        elif keep is not None:
            rows = np.flatnonzero(keep)
            sims = self.vecs[rows] @ q
        else:
            rows, sims = None, self.vecs @ q
        return ranked(rows, sims, n)

    def vectors_of(self, indices: list[int]):
        return self.vecs[indices]


class ChromaDense:
    """Dense search in a Chroma collection: for a snapshot without its own chunk vectors."""

    def __init__(self, snap: "Snapshot", collection) -> None:
        self.snap, self.col = snap, collection

    def query(self, qv, n: int, doc_ids: tuple[str, ...] = (), level: str | None = None) -> list[tuple[int, float]]:
        conds = ([{"doc_id": {"$in": list(doc_ids)}}] if doc_ids else []) + ([{"level": level}] if level else [])
        where = None if not conds else conds[0] if len(conds) == 1 else {"$and": conds}
        res = self.col.query(query_embeddings=[list(map(float, qv))], n_results=max(n, 1), where=where, include=["distances"])
        out = []
        for cid, dist in zip(res["ids"][0], res["distances"][0]):
            idx = self.snap.chunk_position(cid)
            if idx is not None:  # else a row of an unfinished ingest: not part of the live snapshot
                out.append((idx, 1.0 - float(dist)))
        return out

    def prepare(self) -> None:
        """Nothing to build: the server searches its own index."""

    def vectors_of(self, indices: list[int]):
        ids = [self.snap.chunks[i].chunk_id for i in indices]
        got = self.col.get(ids=ids, include=["embeddings"])
        by_id = {i: np.asarray(e, dtype=np.float32) for i, e in zip(got["ids"], got["embeddings"])}
        return np.stack([by_id[i] for i in ids])
