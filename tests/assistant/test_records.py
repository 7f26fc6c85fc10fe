"""A reader's records are read from the mapped records file when asked for, through a bounded
cache, and are the records a writer holds; a snapshot written before the index still loads."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from assistant import records
from assistant.records import INDEX_DIR, RECORD_CACHE, ChunkTable, ClauseTable, Groups, IdLookup, RecordIndex
from assistant.store import IndexStore


@pytest.fixture(scope="module")
def pair(corpus_index):
    reader = IndexStore(corpus_index).load()
    writer = IndexStore(corpus_index).load(keep_lines=True)
    yield reader, writer
    reader.release()
    writer.release()


def test_a_reader_parses_records_on_demand_and_they_equal_the_writers(pair):
    reader, writer = pair
    assert isinstance(reader.clauses, ClauseTable) and isinstance(reader.chunks, ChunkTable)
    assert list(reader.clauses.values()) == list(writer.clauses.values())
    assert list(reader.clauses) == list(writer.clauses)
    # Chunks without the embedded text, which only an ingest embeds or tokenises.
    assert all(ch.embed_text == "" for ch in reader.chunks) and all(ch.embed_text for ch in writer.chunks)
    assert [(c.chunk_id, c.clause_id, c.text) for c in reader.chunks] == [(c.chunk_id, c.clause_id, c.text) for c in writer.chunks]
    assert reader.chunks[-1] == reader.chunks[len(reader.chunks) - 1]
    assert reader.documents == writer.documents


def test_every_id_is_found_and_an_unknown_one_is_not(pair):
    reader, writer = pair
    for cid, clause in writer.clauses.items():
        assert cid in reader.clauses and reader.clauses[cid] == clause
    for i, ch in enumerate(writer.chunks):
        assert reader.chunk_position(ch.chunk_id) == i
    assert "不存在的条款" not in reader.clauses and reader.clauses.get("不存在的条款") is None
    with pytest.raises(KeyError):
        reader.clauses["不存在的条款"]
    assert reader.chunk_position("不存在的块") is None and reader.chunk_rows("不存在的条款") == []


def test_the_saved_index_equals_the_one_built_from_the_records(pair):
    reader, writer = pair
    saved, built = reader.index, writer.index  # mapped from disk / built in memory from the records
    assert list(saved.clause_ids) == list(built.clause_ids) and saved.units == built.units
    for name in ("clause_doc", "clause_kind", "chunk_clause", "chunk_doc", "clause_units_ptr", "clause_units",
                 "clause_units_lead"):
        assert np.array_equal(getattr(saved, name), getattr(built, name)), name
    for doc_id in writer.documents:
        expected = sorted((c for c in writer.clauses.values() if c.doc_id == doc_id), key=lambda c: c.char_start)
        assert reader.clauses_of(doc_id) == writer.clauses_of(doc_id) == expected
        for kind in ("preamble", "clause"):
            assert reader.clauses_of(doc_id, kind) == [c for c in expected if c.kind == kind]
    assert reader.clause_counts() == writer.clause_counts() and sum(reader.clause_counts().values()) > 0
    for cid in list(writer.clauses)[:50]:
        expected = [i for i, ch in enumerate(writer.chunks) if ch.clause_id == cid]
        assert reader.chunk_rows(cid) == writer.chunk_rows(cid) == expected


def test_the_record_cache_stays_bounded(pair, monkeypatch):
    reader, _ = pair
    assert RECORD_CACHE >= 1024  # a few questions' working set
    monkeypatch.setattr(records, "RECORD_CACHE", 8)
    lines = reader.index.offsets
    small = records._Lines(reader.chunks._lines._buf, lines, 0, len(lines) - 1, lambda d: d)
    for i in range(50):
        small.at(i)
    assert small.at.cache_info().currsize == 8
    with pytest.raises(IndexError):
        small.at(small._count)


def test_ids_that_share_a_key_are_told_apart(monkeypatch):
    monkeypatch.setattr(records, "id_key", lambda ident: 7)  # every id collides
    lookup = IdLookup.build(["甲", "乙", "丙"])
    assert [lookup.find(x) for x in ("甲", "乙", "丙", "丁")] == [0, 1, 2, None]


def test_groups_list_each_keys_rows_in_order_and_skip_the_unowned():
    g = Groups.of(np.array([2, -1, 0, 2, 0]), 4, within=np.array([9, 0, 5, 1, 3]))
    assert [g.rows(k).tolist() for k in range(4)] == [[4, 2], [], [3, 0], []]


def test_a_snapshot_written_before_the_index_is_read_whole(corpus_index, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(corpus_index.data_dir, copy)
    settings = corpus_index.with_overrides(data_dir=copy)
    shutil.rmtree(IndexStore(settings).current_path() / INDEX_DIR)
    old = IndexStore(settings).load()
    new = IndexStore(corpus_index).load()
    try:
        assert isinstance(old.clauses, dict) and isinstance(old.index, RecordIndex)
        assert list(old.clauses.values()) == list(new.clauses.values())
        doc = next(iter(new.documents))
        assert old.clauses_of(doc) == new.clauses_of(doc)
    finally:
        old.release()
        new.release()


def test_targets_saved_at_write_are_those_a_full_scan_finds_after_a_document_changes(settings_factory, small_corpus):
    from assistant.structure import targets
    from ingest.index import ingest_paths

    settings = settings_factory("targets-incremental")
    ingest_paths([small_corpus], settings, show_progress=False)
    plan = next(p for p in small_corpus.iterdir() if p.name.startswith("2022_"))
    text = plan.read_text(encoding="utf-8")
    cut = text.index("\n\n", len(text) // 2)  # a new paragraph in the body, not after the sign-off
    plan.write_text(text[:cut] + "\n\n到2030年，全省新增实训基地300个。" + text[cut:], encoding="utf-8")
    ingest_paths([small_corpus], settings, show_progress=False)
    snap = IndexStore(settings).load()
    try:
        saved = targets._found(snap)
        scanned = targets._scan(snap.documents, ((r, snap.clause_at(r)) for r in snap.rows_by_document()))
        assert saved == scanned and any("实训基地300个" in t[1] for t in saved)
        assert [t.year for t in targets.targets_due(snap, 2030)] and all(
            t.clause.clause_id == snap.index.clause_ids[t.row] for t in targets.extract_targets(snap))
    finally:
        snap.release()
