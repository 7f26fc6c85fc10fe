"""Packs: what a replica reads back is what the writer packed, in ASCII a Chroma server writes fast."""
from __future__ import annotations

import hashlib
import json

import numpy as np

from assistant.packs import RecordPack, SentencePack, is_pack, paginate


def _keys(n: int, tag: str = "") -> list[str]:
    return [hashlib.sha1(f"{tag}{i}".encode()).hexdigest() for i in range(n)]


def test_a_record_pack_reads_back_its_rows_and_each_chunk_rows_vector_in_ascii():
    rows = [{"r": json.dumps({"type": "clause", "text": "职业院校应当……"}, ensure_ascii=False)},
            {"r": json.dumps({"type": "chunk", "chunk_id": "d:1:0"}), "h": "abc", "t": ["职业", "院校", "职业"]},
            {"r": json.dumps({"type": "chunk", "chunk_id": "d:1:1"}), "h": "def", "t": []}]
    vectors = np.arange(8, dtype=np.float32).reshape(2, 4) / 7
    meta = RecordPack(_keys(3), rows, vectors).metadata()
    assert all(v.isascii() for v in meta.values())
    back = RecordPack.read(meta)
    assert back.keys == _keys(3) and back.rows == rows
    assert np.array_equal(back.vectors, vectors)  # float32 bits, not a decimal rendering
    assert list(back.chunk_vectors()) == _keys(3)[1:] and back.chunk_ids() == ["d:1:0", "d:1:1"]


def test_a_pack_without_chunk_rows_or_sentences_reads_back_empty():
    back = RecordPack.read(RecordPack(_keys(1), [{"r": "{}"}], np.zeros((0, 4), dtype=np.float32)).metadata())
    assert back.rows == [{"r": "{}"}] and back.vectors.shape[0] == 0 and back.chunk_vectors() == {}
    empty = SentencePack.read(SentencePack([], [], [], np.zeros((0, 4), dtype=np.float32)).metadata())
    assert empty.keys == [] and len(empty.vectors) == 0


def test_a_sentence_pack_reads_back_keys_clauses_texts_and_vectors():
    vecs = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    pack = SentencePack(_keys(3, "s"), ["c1", "c1", "c2"], ["第一句。", "第二句。", "第三句。"], vecs)
    back = SentencePack.read(pack.metadata())
    assert (back.keys, back.clause_ids, back.texts) == (pack.keys, pack.clause_ids, pack.texts)
    assert np.array_equal(back.vectors, vecs)


def test_packs_are_cut_by_the_keys_so_a_change_renames_only_the_packs_holding_it():
    keys = _keys(20_000)
    packs = paginate(keys, "R", 1000)
    assert [k for p in packs.values() for k in p] == keys and all(map(is_pack, packs))
    assert 8 <= len(packs) <= 50 and max(map(len, packs.values())) <= 4000
    changed = keys[:9_000] + _keys(40, "new") + keys[9_030:]
    again = paginate(changed, "R", 1000)
    assert len(set(again) - set(packs)) <= 2
    assert not is_pack("r:" + keys[0]) and not is_pack("snap:r0")  # the row format's manifest pages


def test_sentence_vectors_travel_in_the_snapshots_precision():
    keys = _keys(2, "s")
    half = np.asarray([[0.6, 0.8], [1.0, 0.0]], dtype=np.float16)
    back = SentencePack.read(SentencePack(keys, ["c1", "c2"], ["甲。", "乙。"], half).metadata())
    assert back.vectors.dtype == np.float16 and back.vectors.tobytes() == half.tobytes()
    single = SentencePack.read(SentencePack(keys, ["c1", "c2"], ["甲。", "乙。"], half.astype(np.float32)).metadata())
    assert single.vectors.dtype == np.float32  # packs of the first format, or an older snapshot's
