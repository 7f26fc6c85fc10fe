"""Costs that must not grow with the corpus: structure answers listed once per snapshot, a chat
answer that stays readable when one office is named in hundreds of clauses, and a bounded
sentence pool."""
from __future__ import annotations

import pytest

from assistant.structure.answer import LISTED_IN_CHAT, unit_tasks_answer
from assistant.structure import targets
from assistant.structure.units import tasks_of, unit_index
from tests.assistant.test_answers import assistant  # noqa: F401  (the real corpus, indexed once)


def test_the_unit_index_is_built_once_and_the_targets_were_found_when_the_snapshot_was_written(assistant):  # noqa: F811
    snap = assistant.snap
    assert unit_index(snap) is unit_index(snap)
    assert (snap.path / targets.TARGETS_FILE).exists() and "targets" not in snap._derived  # no scan of the clauses
    assert targets.extract_targets(snap) == targets.extract_targets(snap) and targets.extract_targets(snap)


def test_a_long_task_list_is_cut_for_the_chat_with_the_total_and_where_the_rest_is(assistant):  # noqa: F811
    tasks = tasks_of(assistant.snap, "省人社厅")
    many = tasks * (LISTED_IN_CHAT // len(tasks) + 2)  # the same office in several copies of a plan
    ans = unit_tasks_answer("省人社厅负责哪些任务？", "省人社厅", many, False)
    assert f"共 {len(many)} 项" in ans.answer and f"前 {LISTED_IN_CHAT} 项" in ans.answer and "责任单位" in ans.answer
    assert len(ans.citations) == LISTED_IN_CHAT
    short = unit_tasks_answer("省人社厅负责哪些任务？", "省人社厅", tasks, False)
    assert f"共 {len(tasks)} 项（" in short.answer and len(short.citations) == len(tasks)


def test_past_the_pool_size_only_the_best_chunks_sentences_are_scored(assistant, monkeypatch):  # noqa: F811
    import numpy as np

    import assistant.retrieve.hybrid as hybrid

    r = assistant.retriever
    q = "公办高职院校生均财政拨款水平不低于多少？"
    info = assistant.trace(q).info
    monkeypatch.setattr(hybrid, "SENTENCE_POOL", 10_000)  # every sentence scored
    exact = r.search(q, info)
    monkeypatch.setattr(hybrid, "SENTENCE_POOL", 60)  # the real corpus has 427 chunks
    pooled = r.search(q, info)
    assert pooled[0].clause.clause_id == exact[0].clause.clause_id
    assert all(np.isfinite(v) for h in pooled for v in h.sentence_sims.values())
    # A pool's sentences get the scores a full pass gives them; every other sentence none.
    qv = assistant.embedder.embed_query(q)
    pool = np.array([0, 5, 17, r.n_chunks - 1])
    full, part = r.sentence_scores(qv), r.sentence_scores(qv, pool)
    inside = np.isin(r.sent_chunk, pool)
    assert inside.any() and np.allclose(part[inside], full[inside]) and np.isneginf(part[~inside]).all()
    sims = r.sentence_scores(r.embedder.embed_query(q), np.arange(60))
    assert np.isinf(sims).sum() == (r.sent_chunk >= 60).sum() + (r.sent_chunk < 0).sum()
    # Ranking only the pool's rows gives what ranking every row gives (the rest are -inf).
    rows = r.pool_rows(np.arange(60))
    doc = r.snap.chunks[3].doc_id
    for filters in (((), None), ((doc,), None), ((), "province")):
        ranked = r._sentence_ranking(sims, *filters, 8, rows)
        assert ranked == r._sentence_ranking(sims, *filters, 8)
        assert filters[1] or ranked[0]  # ranks found (the province filter may keep none of 60 chunks)


def test_the_document_index_follows_the_document_list_it_was_built_for(assistant):  # noqa: F811
    from assistant.retrieve.query import doc_index, named_by_title

    docs = list(assistant.documents)
    index = doc_index(docs)
    assert doc_index(docs) is index  # built once per list
    for d in docs:  # each document is found by its own title, as a word of the question
        assert d.doc_id in named_by_title(f"按照{d.title}的规定", docs), d.title
    fewer = docs[1:]
    assert doc_index(fewer) is not index and docs[0].doc_id not in doc_index(fewer).order
    assert docs[0].doc_id not in named_by_title(f"按照{docs[0].title}的规定", fewer)


@pytest.mark.parametrize("rows", [[], [("c1", "第一句。"), ("c1", "第二句，含数字12000元。"), ("c2", "")]])
def test_sentences_are_read_back_from_mapped_columns_as_written(tmp_path, rows):
    import numpy as np

    from assistant.sentences import SentenceVectors, TextColumn

    vecs = np.eye(3, dtype=np.float32)[: len(rows)] if rows else np.zeros((0, 3), dtype=np.float32)
    SentenceVectors([c for c, _ in rows], [t for _, t in rows], vecs).save(tmp_path)
    back = SentenceVectors.load(tmp_path)
    assert isinstance(back.texts, TextColumn)
    assert list(zip(back.clause_ids, back.texts)) == rows
    assert np.allclose(back.vectors, vecs)
    if rows:
        assert back.texts[-1] == rows[-1][1] and back.clause_ids[1:] == [c for c, _ in rows[1:]]
        assert back.select({"c2"})[2] == [""]
        at, ids, texts = back.select({"c1", "absent"})
        assert list(zip(ids, texts)) == rows[:2] and np.allclose(back.vectors[at], vecs[:2])
        at, ids, texts = SentenceVectors([c for c, _ in rows], [t for _, t in rows], vecs).select({"c1"})
        assert list(zip(ids, texts)) == rows[:2] and list(at) == [0, 1]
        # Kept texts plus new ones, written from the bytes read: read back as the same texts.
        at, ids, kept = back.select({"c1", "c2"})
        more = kept + ["新增的一句，含二〇二二年。"]
        assert len(more) == 4 and more[1] == rows[1][1] and more[-1] == "新增的一句，含二〇二二年。"
        assert list(more) == [t for _, t in rows] + [more[-1]]
        again = tmp_path / "again"
        again.mkdir()
        SentenceVectors(ids + ["c3"], more, np.eye(4, 3, dtype=np.float32)).save(again)
        assert list(SentenceVectors.load(again).texts) == list(more)
    none = back.select(set())
    assert len(none[0]) == 0 and none[1] == none[2] == []
    # A snapshot written before the clause ids' column has them as a JSON list.
    import orjson

    ids = list(dict.fromkeys(c for c, _ in rows))
    (tmp_path / "sentence_clause_ids.json").write_bytes(orjson.dumps(ids))
    for f in ("sentence_clause_ids.bin", "sentence_clause_ids.npy"):
        (tmp_path / f).unlink()
    assert list(zip(*(lambda s: (s.clause_ids, s.texts))(SentenceVectors.load(tmp_path)))) == rows
    # One written before any column has its rows in sentences.json.
    (tmp_path / "sentences.json").write_bytes(orjson.dumps([[c, t] for c, t in rows]))
    for f in ("sentence_texts.bin", "sentence_offsets.npy"):
        (tmp_path / f).unlink()
    assert list(zip(*(lambda s: (s.clause_ids, s.texts))(SentenceVectors.load(tmp_path)))) == rows


def test_a_mapped_column_equals_the_list_it_was_written_from(tmp_path):
    import numpy as np

    from assistant.sentences import SentenceVectors

    SentenceVectors(["a", "b"], ["一", "二"], np.eye(2, dtype=np.float32)).save(tmp_path)
    back = SentenceVectors.load(tmp_path)
    assert back.texts == ["一", "二"] and back.clause_ids == ["a", "b"] and back.texts != ["一"]
    assert back.texts == SentenceVectors.load(tmp_path).texts


def test_a_table_row_is_placed_in_the_chunk_that_holds_it(assistant):  # noqa: F811
    from assistant.types import row_text

    r, snap = assistant.retriever, assistant.snap
    placed = 0
    for i, (cid, text) in enumerate(zip(snap.sentences.clause_ids, snap.sentences.texts)):
        clause = snap.clauses[cid]
        mine = snap.chunk_rows(cid)
        if clause.kind != "table" or len(mine) < 2:
            continue
        row = row_text(clause.table_header, tuple(text.split("\t")))
        if row and any(row in snap.chunks[j].text for j in mine):
            assert row in snap.chunks[r.sent_chunk[i]].text
            placed += r.sent_chunk[i] != mine[0]
    assert placed  # the rows of a table's later row groups are not all put in its first chunk


def test_the_heap_freed_after_writing_a_snapshot_goes_back_to_the_system():
    import subprocess
    import sys

    # In a fresh process: a sync or an ingest leaves behind many record lines (~1 KB each, so
    # malloc'd, not pymalloc'd) with a few survivors scattered among them, which keep glibc from
    # shrinking the heap by itself (without the call: 16 -> 179 -> 177 MB; with it: 17 MB).
    code = """
import sys
from pathlib import Path
from assistant.store import return_free_memory
def anon():
    return next(int(l.split()[1]) for l in Path('/proc/self/status').read_text().splitlines() if l.startswith('RssAnon:')) // 1024
base = anon()
lines = [('{"type": "chunk", "id": %d, "text": "%s"}' % (i, "职业教育" * 120)) for i in range(150_000)]
keep = lines[::1000]
peak = anon()
del lines
return_free_memory()
print(base, peak, anon())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    base, peak, after = map(int, out.stdout.split())
    assert peak - base > 100 and after - base < (peak - base) / 4, (base, peak, after)


@pytest.mark.parametrize("rows", [[], [3], [0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19], [9, 2, 5, 5, 0, 11]])
@pytest.mark.parametrize("spaced", [False, True])
def test_rows_copied_in_runs_are_the_rows_a_gather_reads(tmp_path, rows, spaced):
    import numpy as np

    from assistant.rows import copy_rows, gather_rows

    src = np.arange(20 * 3, dtype=np.float32).reshape(20, 3)
    np.save(tmp_path / "v.npy", src)
    mapped = np.load(tmp_path / "v.npy", mmap_mode="r")
    rows = np.array(rows, dtype=np.int64)
    at = np.arange(len(rows)) * (2 if spaced else 1) + 1  # after a first row left alone
    out = np.zeros((2 * len(rows) + 1, 3), dtype=np.float32)
    copy_rows(out, at, mapped, rows)
    assert np.array_equal(out[at], src[rows])
    assert not np.delete(out, at, axis=0).any()  # nothing written elsewhere
    old_rows = [None if i % 3 == 0 else int(r) for i, r in enumerate(rows)]
    got = gather_rows(len(rows), old_rows, mapped, {i: [1.0, 1.0, 1.0] for i, r in enumerate(old_rows) if r is None})
    assert np.array_equal(got, np.array([[1.0] * 3 if r is None else src[r] for r in old_rows], dtype=np.float32).reshape(len(rows), 3))
