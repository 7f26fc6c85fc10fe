"""A new snapshot's vectors written from the previous snapshot's file: the same matrix as
gathering the rows in memory and saving them, whatever the pattern of kept and new rows."""
from __future__ import annotations

import os

import numpy as np
import pytest

from assistant.embed import unit_rows
from assistant.rows import RowPlan, gather_rows

SRC = unit_rows(np.random.default_rng(7).normal(size=(40, 6)).astype(np.float32))
PATTERNS = {
    "all kept": list(range(40)),
    "one document replaced (a hole, new rows at the end)": [*range(12), *range(19, 40), -1, -1, -1],
    "new rows between kept ones": [*range(5), -1, -1, *range(5, 40)],
    "all new": [-1] * 5,
    "nothing": [],
    "kept out of order": [*range(20, 40), *range(20)],
    "scattered (written from memory)": [3, 17, 2, 2, 39, 0, -1, 11],
}


@pytest.fixture
def mapped(tmp_path):
    np.save(tmp_path / "old.npy", SRC)
    return np.load(tmp_path / "old.npy", mmap_mode="r")


def _plan(src, taken: list[int]) -> RowPlan:
    new = np.arange(taken.count(-1) * 6, dtype=np.float32).reshape(-1, 6) + 1  # not of unit length
    return RowPlan(len(taken), 6, src, np.array(taken, dtype=np.int64), new)


def _expected(taken: list[int]) -> np.ndarray:
    new = iter(np.arange(taken.count(-1) * 6, dtype=np.float32).reshape(-1, 6) + 1)
    return unit_rows(np.array([SRC[t] if t >= 0 else next(new) for t in taken], dtype=np.float32).reshape(-1, 6))


@pytest.mark.parametrize("name", PATTERNS)
def test_a_saved_plan_is_the_gathered_matrix_in_unit_rows(tmp_path, mapped, name):
    taken = PATTERNS[name]
    plan = _plan(mapped, taken)
    plan.save(tmp_path / "new.npy")
    back = np.load(tmp_path / "new.npy")
    assert back.shape == (len(taken), 6) and back.dtype == np.float32
    assert np.allclose(back, _expected(taken), atol=1e-6)
    kept = [i for i, t in enumerate(taken) if t >= 0]
    assert np.array_equal(back[kept], SRC[[taken[i] for i in kept]])  # kept rows: the very bytes
    assert np.allclose(np.asarray(plan)[[i for i, t in enumerate(taken) if t < 0]],
                       np.arange(taken.count(-1) * 6, dtype=np.float32).reshape(-1, 6) + 1)  # in memory: as given


@pytest.mark.parametrize("src", ["a view of the mapped file", "an array in memory"])
def test_rows_not_mapped_from_a_whole_file_are_gathered_in_memory_with_the_same_result(tmp_path, mapped, src):
    taken = PATTERNS["one document replaced (a hole, new rows at the end)"]
    if src == "a view of the mapped file":  # its offset is the file's, not the view's: never copied from the file
        whole = np.concatenate([SRC[:1], SRC])
        np.save(tmp_path / "longer.npy", whole)
        source = np.load(tmp_path / "longer.npy", mmap_mode="r")[1:]
    else:
        source = np.array(mapped)
    _plan(source, taken).save(tmp_path / "new.npy")
    assert np.allclose(np.load(tmp_path / "new.npy"), _expected(taken), atol=1e-6)


def test_without_the_kernels_copy_the_bytes_are_read_and_written(tmp_path, mapped, monkeypatch):
    def refuse(*_a, **_k):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", refuse, raising=False)
    taken = PATTERNS["new rows between kept ones"]
    _plan(mapped, taken).save(tmp_path / "new.npy")
    back = np.load(tmp_path / "new.npy")
    assert np.allclose(back, _expected(taken), atol=1e-6) and np.array_equal(back[:5], SRC[:5]) and np.array_equal(back[7:], SRC[5:])


def test_a_source_shorter_than_its_header_says_is_an_error_naming_it(tmp_path, mapped):
    plan = _plan(mapped, PATTERNS["all kept"])
    with open(tmp_path / "old.npy", "r+b") as f:
        f.truncate(mapped.offset + 10 * 6 * 4)  # the header and 10 of 40 rows
    with pytest.raises(OSError, match="向量文件比预期短"):
        plan.save(tmp_path / "new.npy")


def test_a_plan_whose_counts_disagree_is_refused():
    with pytest.raises(ValueError, match="行计划不一致"):
        RowPlan(3, 6, None, np.array([-1, -1, -1]), np.zeros((2, 6), dtype=np.float32))


def test_gathered_rows_without_a_given_vector_are_zero(mapped):
    got = np.asarray(gather_rows(3, [None, 4, None], mapped, {0: [1.0] * 6}))
    assert np.array_equal(got[0], np.ones(6)) and np.array_equal(got[1], SRC[4]) and not got[2].any()


@pytest.mark.parametrize("name", PATTERNS)
def test_a_plan_saved_in_half_precision_from_a_half_precision_file_keeps_its_rows_bytes(tmp_path, name):
    np.save(tmp_path / "half.npy", SRC.astype("<f2"))
    half = np.load(tmp_path / "half.npy", mmap_mode="r")
    taken = PATTERNS[name]
    _plan(half, taken).save(tmp_path / "new.npy", "<f2")
    back = np.load(tmp_path / "new.npy")
    assert back.shape == (len(taken), 6) and back.dtype == np.float16
    kept = [i for i, t in enumerate(taken) if t >= 0]
    assert np.array_equal(back[kept], half[[taken[i] for i in kept]])  # the very bytes
    assert np.allclose(back.astype(np.float32), _expected(taken), atol=2e-3)  # new rows: unit, then rounded


def test_a_single_precision_file_is_saved_again_in_half_precision(tmp_path, mapped):
    """A snapshot written before sentence vectors were kept in half precision: its kept rows
    are converted once, by the next snapshot."""
    taken = PATTERNS["one document replaced (a hole, new rows at the end)"]
    _plan(mapped, taken).save(tmp_path / "new.npy", "<f2")
    back = np.load(tmp_path / "new.npy")
    assert back.dtype == np.float16 and np.allclose(back.astype(np.float32), _expected(taken), atol=2e-3)


def test_rows_given_in_half_precision_are_written_as_given():
    """A replica's packs carry the writer's saved half-precision rows: scaling and rounding them
    again could move them, so they are written byte for byte."""
    import tempfile
    from pathlib import Path

    rows = SRC[:5].astype(np.float16)
    with tempfile.TemporaryDirectory() as d:
        gather_rows(5, [None] * 5, None, rows).save(Path(d) / "m.npy", "<f2")
        assert np.load(Path(d) / "m.npy").tobytes() == rows.tobytes()
