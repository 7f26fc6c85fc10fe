"""Dense search in the snapshot's vectors: exact for a small corpus; for a large one a pass over
the vectors' principal directions picks candidates that exact cosines then rank."""
from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.dense import Projection, SnapshotDense
from assistant.embed import make_embedder
from assistant.store import IndexStore
from tests.conftest import PROJECT_ROOT

DEV = PROJECT_ROOT.parent / "shared" / "evals" / "dev.jsonl"


@pytest.fixture(scope="module")
def loaded(corpus_index):
    store = IndexStore(corpus_index)
    snap = store.load()
    emb = make_embedder(corpus_index.embedder)
    questions = [json.loads(x)["question"] for x in DEV.read_text(encoding="utf-8").splitlines() if x.strip()][:20]
    yield snap, store.dense(snap), [emb.embed_query(q) for q in questions]
    snap.release()


def test_a_small_corpus_is_searched_exactly(loaded):
    snap, dense, _ = loaded
    dense.prepare()
    assert isinstance(dense, SnapshotDense) and dense.proj is None  # the bundled corpus: 427 chunks


def test_the_projection_keeps_the_exact_first_results_and_their_cosines(loaded, monkeypatch):
    import assistant.dense as dense

    snap, exact, queries = loaded
    projected = SnapshotDense(snap, exact.vecs, exact_below=1)
    assert projected.proj is None  # exact until prepared
    projected.prepare()
    assert projected.proj is not None
    # Rescoring 2,000 of 427 rows would be exact: the pass is made to pick a tenth of the rows.
    monkeypatch.setattr(dense, "RESCORE", len(snap.chunks) // 10)
    kept = []
    for qv in queries:
        want = exact.query(qv, 10)
        got = projected.query(qv, 10)
        cos = dict(want)
        assert all(abs(c - float(exact.vecs[i] @ (qv / np.linalg.norm(qv)))) < 1e-4 for i, c in got)  # exact cosines
        kept.append(len(set(cos) & {i for i, _ in got}) / 10)
        assert [c for _, c in got] == sorted((c for _, c in got), reverse=True)
    assert np.mean(kept) >= 0.9


def test_filters_hold_in_the_projected_pass(loaded):
    snap, exact, queries = loaded
    projected = SnapshotDense(snap, exact.vecs, exact_below=1)
    projected.prepare()
    doc = snap.chunks[0].doc_id
    got = projected.query(queries[0], 30, doc_ids=(doc,))
    assert got and {snap.chunks[i].doc_id for i, _ in got} == {doc}
    assert projected.query(queries[0], 5, level="county") == []


def test_principal_directions_are_orthonormal_and_ordered(loaded):
    _, exact, _ = loaded
    p = Projection.fit(exact.vecs, 16)
    assert np.allclose(p.axes.T @ p.axes, np.eye(16), atol=1e-4)
    spread = np.asarray(exact.vecs) @ p.axes
    var = spread.var(axis=0)
    assert var[0] >= var[-1]


def test_a_projection_saved_with_the_snapshot_is_mapped_by_readers_not_fitted_again(loaded, tmp_path):
    from dataclasses import replace as dc_replace

    from assistant.dense import load_projection, save_projection

    snap, exact, queries = loaded
    save_projection(tmp_path, np.asarray(exact.vecs), exact_below=10**9)
    assert load_projection(tmp_path) is None  # a small corpus: nothing saved, searched exactly
    save_projection(tmp_path, np.asarray(exact.vecs), exact_below=1)
    reader = SnapshotDense(dc_replace(snap, path=tmp_path), exact.vecs, exact_below=1)
    assert reader.proj is not None and isinstance(reader._pass[1], np.memmap)  # ready without prepare()
    fitted = SnapshotDense(snap, exact.vecs, exact_below=1)
    fitted.prepare()
    assert np.allclose(reader.proj.axes, fitted.proj.axes)
    assert reader.query(queries[0], 10) == fitted.query(queries[0], 10)


def test_a_new_snapshot_keeps_the_previous_directions_until_the_corpus_size_moves(loaded, tmp_path):
    from assistant.dense import FITTED_ROWS, REFIT_SHARE, load_projection, save_projection

    _, exact, _ = loaded
    vecs = np.asarray(exact.vecs)
    first, second, third = (tmp_path / n for n in ("first", "second", "third"))
    for d in (first, second, third):
        d.mkdir()
    save_projection(first, vecs, exact_below=1)
    grown = vecs[: int(len(vecs) * (1 - REFIT_SHARE / 2))]  # a few documents fewer: the directions kept
    save_projection(second, grown, exact_below=1, previous=first)
    kept, projected = load_projection(second)
    assert np.array_equal(kept.axes, load_projection(first)[0].axes) and int(np.load(second / FITTED_ROWS)) == len(vecs)
    assert np.allclose(projected, grown @ kept.axes, atol=1e-5)  # every row projected on them
    half = vecs[: len(vecs) // 2]  # half the corpus gone: fitted again
    save_projection(third, half, exact_below=1, previous=second)
    assert int(np.load(third / FITTED_ROWS)) == len(half)
    assert np.allclose(load_projection(third)[0].axes, Projection.fit(half).axes)


def test_directions_are_fitted_again_for_vectors_of_another_model_or_mostly_new(loaded, tmp_path):
    from assistant.dense import FITTED_ROWS, save_projection
    from assistant.rows import RowPlan
    from assistant.store import _mostly_kept

    _, exact, _ = loaded
    vecs = np.asarray(exact.vecs)
    first, other = tmp_path / "first", tmp_path / "other"
    first.mkdir(), other.mkdir()
    np.save(first / "chunks.npy", vecs)
    save_projection(first, vecs, exact_below=1)
    narrower = vecs[:, :64] / np.linalg.norm(vecs[:, :64], axis=1, keepdims=True)  # another embedder's width
    save_projection(other, narrower, exact_below=1, previous=first)
    assert np.load(other / "projection.npy").shape[0] == 64 and int(np.load(other / FITTED_ROWS)) == len(vecs)
    # Whether the previous directions are offered at all: only for rows mostly copied from it.
    src = np.load(first / "chunks.npy", mmap_mode="r")
    n = len(vecs)
    kept = RowPlan(n, vecs.shape[1], src, np.r_[np.arange(n - 1), -1], vecs[:1])
    fresh = RowPlan(n, vecs.shape[1], src, np.r_[np.arange(n // 2), -np.ones(n - n // 2, dtype=int)], vecs[: n - n // 2])
    assert _mostly_kept(kept, first) and not _mostly_kept(kept, other)
    assert not _mostly_kept(fresh, first) and not _mostly_kept(vecs, first)
