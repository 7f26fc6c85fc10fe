"""A new snapshot's vector matrices, gathered from the previous snapshot's saved ones.

A re-ingest of one document at 100× the bundled corpus keeps nearly every row of the previous
snapshot's sentence vectors (269 MB) and chunk vectors (66 MB). Copying them into this process
and saving them again cost ~1 s of the re-ingest; `RowPlan` describes the new matrix instead
(these rows of that file, then these new rows) and, when saved, has the kernel copy the kept
byte ranges from file to file (copy_file_range), ~0.1 s for the same matrices."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

# Rows per run on average below which a gather beats copying run by run (a Python step per run
# costs about as much as gathering a few rows; a system call per run, more).
RUN_MIN_ROWS = 8
_CHUNK = 1 << 24  # bytes per read where the kernel cannot copy between the files


class RowPlan:
    """An n × dim matrix (float32 when read): row i is `src[taken[i]]` where taken[i] ≥ 0,
    otherwise the next row of `given`. `src` is a matrix mapped from a saved .npy file whose rows
    are of unit length (as `save` writes them); `given` rows are scaled to unit length when
    saved, except rows given in half precision: those were read from a saved file (a replica's
    packs) and are written as they are (scaling and rounding them again could move them)."""

    def __init__(self, n: int, dim: int, src, taken: np.ndarray, given: np.ndarray) -> None:
        self.n, self.dim, self.src = n, dim, src
        self.taken = np.asarray(taken, dtype=np.int64)
        g = np.asarray(given)
        self.given = (g if g.dtype == np.float16 else g.astype(np.float32, copy=False)).reshape(-1, dim)
        if len(self.taken) != n or len(self.given) != int((self.taken < 0).sum()):
            raise ValueError(f"行计划不一致：{n} 行，取 {len(self.taken)} 行，新 {len(self.given)} 行 (row plan mismatch)")

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n, self.dim)

    def __len__(self) -> int:
        return self.n

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        out = np.empty((self.n, self.dim), dtype=np.float32)
        have = np.flatnonzero(self.taken >= 0)
        copy_rows(out, have, self.src, self.taken[have])
        out[self.taken < 0] = self.given
        return out if dtype is None else out.astype(dtype, copy=False)

    def copies_from(self, path: Path) -> bool:
        """Whether the kept rows are rows of the .npy file at `path` (mapped whole)."""
        source = _file_of(self.src, self.dim)
        return source is not None and Path(source[0]).resolve() == Path(path).resolve()

    def kept_share(self) -> float:
        """The share of rows taken from `src`."""
        return float(np.mean(self.taken >= 0)) if self.n else 0.0

    def save(self, path: Path, dtype: str = "<f4") -> None:
        """Write the matrix as an .npy file of unit rows of this type."""
        from .embed import unit_rows

        dtype = np.dtype(dtype)
        runs = self._runs()
        source = _file_of(self.src, self.dim, dtype)
        saved = self.given.dtype == np.float16  # rows read from a saved file, unit already
        given = self.given if saved or not len(self.given) else unit_rows(self.given)  # as they are when unit already
        if len(given) == self.n:  # nothing kept (a first copy): the given rows are the matrix
            np.save(path, np.asarray(given, dtype=dtype))
            return
        if source is None or len(runs) > max(1, self.n // RUN_MIN_ROWS):  # gathered in memory
            out = np.asarray(self)
            out[self.taken < 0] = given
            np.save(path, (out if saved else unit_rows(out)).astype(dtype, copy=False))  # kept rows are unit already
            return
        width = self.dim * dtype.itemsize
        with open(path, "wb", buffering=0) as out, open(source[0], "rb", buffering=0) as src:
            np.lib.format.write_array_header_1_0(out, {"descr": dtype.str, "fortran_order": False, "shape": (self.n, self.dim)})
            g = 0  # given rows written so far: they come in order
            for count, first in runs:
                if first < 0:
                    out.write(np.asarray(given[g: g + count], dtype=dtype).tobytes())
                    g += count
                else:
                    _copy_bytes(src.fileno(), out.fileno(), source[1] + first * width, count * width)

    def _runs(self) -> list[tuple[int, int]]:
        """(row count, first source row or -1 for given rows) of each run, in order."""
        t = self.taken
        if not self.n:
            return []
        new = t < 0
        brk = np.flatnonzero((new[1:] != new[:-1]) | (~new[1:] & (np.diff(t) != 1))) + 1
        starts = [0, *brk.tolist()]
        ends = [*brk.tolist(), self.n]
        return [(b - a, -1 if t[a] < 0 else int(t[a])) for a, b in zip(starts, ends)]


def _file_of(src, dim: int, dtype=None) -> tuple[str, int] | None:
    """(file, byte offset of row 0) of a matrix mapped from an .npy file of little-endian
    float rows of this width (and of `dtype`, when given); None for anything else (then the
    rows are copied in memory)."""
    if src is None or not isinstance(src, np.memmap) or getattr(src, "filename", None) is None:
        return None
    if src.dtype not in (np.dtype("<f4"), np.dtype("<f2")) or (dtype is not None and src.dtype != dtype):
        return None
    if src.ndim != 2 or src.shape[1] != dim or not src.flags.c_contiguous:
        return None
    if isinstance(src.base, np.memmap):  # a view of a mapped matrix keeps the whole file's offset
        return None
    return src.filename, int(src.offset)


def _copy_bytes(src_fd: int, dst_fd: int, offset: int, count: int) -> None:
    """Append `count` bytes of src from `offset` to dst, copied by the kernel where it can."""
    copy = getattr(os, "copy_file_range", None)
    while count > 0:
        done = 0
        if copy is not None:
            try:
                done = copy(src_fd, dst_fd, count, offset)
            except OSError:  # another file system, an old kernel: read and write instead
                copy = None
        if copy is None:
            data = os.pread(src_fd, min(count, _CHUNK), offset)
            done = os.write(dst_fd, data) if data else 0
        if done <= 0:
            raise OSError(f"向量文件比预期短（偏移 {offset} 处缺 {count} 字节）(vector file truncated)")
        offset, count = offset + done, count - done


def gather_rows(n: int, old_rows: list[int | None], old, given) -> RowPlan:
    """An n-row float32 matrix: row i is old[old_rows[i]] where that is not None, else the
    given row: `given[i]` from a mapping (zeros where neither), or the next row of a matrix
    that holds the rows not taken from `old`, in order (a replica's packs, ~1 s faster at 100×
    than one row at a time)."""
    taken = np.fromiter((-1 if j is None else j for j in old_rows), dtype=np.int64, count=n)
    need = np.flatnonzero(taken < 0)
    if isinstance(given, np.ndarray):
        rows = given
    else:
        width = old.shape[1] if old is not None and len(old) else len(next(iter(given.values()), [0.0]))
        zero = np.zeros(width, dtype=np.float32)
        rows = np.array([given.get(i, zero) for i in need.tolist()], dtype=np.float32).reshape(len(need), width)
    dim = old.shape[1] if old is not None and len(old) else (rows.shape[1] if rows.ndim == 2 and len(rows) else 1)
    return RowPlan(n, dim, old if len(rows) < n else None, taken, rows)


def copy_rows(out: np.ndarray, at: np.ndarray, src, rows: np.ndarray) -> None:
    """out[at] = src[rows], a run at a time where both are consecutive (a fancy-indexed gather
    of 175,000 sentence vectors from a mapped file took ~1 s at 100×; runs are memory copies)."""
    if not len(rows):
        return
    cut = (np.flatnonzero((np.diff(rows) != 1) | (np.diff(at) != 1)) + 1).tolist()
    if len(cut) > len(rows) // RUN_MIN_ROWS:  # scattered rows: one gather beats many short copies
        out[at] = src[rows]
        return
    for a, b in zip([0, *cut], [*cut, len(rows)]):
        out[at[a]: at[b - 1] + 1] = src[rows[a]: rows[b - 1] + 1]
