"""One writer at a time, readers never disturbed — with real processes on a real index."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from assistant.settings import PROJECT_ROOT
from assistant.store import IndexStore, IngestBusy
from tests.conftest import EMBED_CACHE, corpus_file

pytestmark = pytest.mark.slow


def _ingest_proc(settings, path):
    env = {**os.environ, "POLICY_DATA_DIR": str(settings.data_dir), "POLICY_EMBED_CACHE": str(EMBED_CACHE)}
    return subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "ingest", "--quiet", str(path)], cwd=PROJECT_ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.fixture
def one_doc_index(settings_factory):
    from ingest.index import ingest_paths

    settings = settings_factory("concurrent")
    assert not ingest_paths([corpus_file("2022_")], settings, show_progress=False).errors
    return settings


def _sources(settings) -> set[str]:
    snap = IndexStore(settings).load()
    try:
        return {d.source for d in snap.documents.values()}
    finally:
        snap.release()


def test_a_second_writer_is_told_and_changes_nothing(one_doc_index):
    store = IndexStore(one_doc_index)
    before = store.current_id()
    with store.writer_lock():
        with pytest.raises(IngestBusy):
            with IndexStore(one_doc_index).writer_lock():
                pass
        proc = _ingest_proc(one_doc_index, corpus_file("新闻"))
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and "另一个收录任务正在进行" in err and "Traceback" not in err
    assert store.current_id() == before and _sources(one_doc_index) == {corpus_file("2022_").name}


def test_concurrent_ingests_lose_nothing_they_report(one_doc_index):
    files = [corpus_file("新闻"), corpus_file("2021_")]
    procs = [_ingest_proc(one_doc_index, f) for f in files]
    results = [(p.wait(timeout=600), p.stderr.read()) for p in procs]
    indexed = _sources(one_doc_index)  # loads: nothing was deleted under anyone
    assert corpus_file("2022_").name in indexed
    for f, (rc, err) in zip(files, results):
        if rc == 0:
            assert f.name in indexed
        else:
            assert rc == 2 and "另一个收录任务正在进行" in err, err
    assert any(rc == 0 for rc, _ in results)


def test_a_held_snapshot_survives_an_ingest_and_the_page_switches_by_itself(one_doc_index):
    from assistant.web.page import AssistantHolder

    holder = AssistantHolder(one_doc_index)
    old_id, old_dir = holder.assistant.snapshot_id, holder.assistant.snap.path
    proc = _ingest_proc(one_doc_index, corpus_file("新闻"))
    assert proc.wait(timeout=600) == 0, proc.stderr.read()
    assert old_dir.exists(), "the snapshot a process answers from was deleted"
    assert holder.ask("职业教育活动周是什么时候？").question  # still answering, from the old snapshot
    loading = holder.refresh_if_changed()
    loading.join(timeout=120)
    assert holder.assistant.snapshot_id != old_id
    assert corpus_file("新闻").name in {d.source for d in holder.assistant.documents}
    # The old snapshot is released now: the next ingest collects it.
    proc = _ingest_proc(one_doc_index, corpus_file("2021_"))
    assert proc.wait(timeout=600) == 0, proc.stderr.read()
    time.sleep(0.1)
    assert not old_dir.exists()


def _fingerprint(root) -> dict[str, bytes]:
    import hashlib

    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).digest() + str(p.stat().st_mtime_ns).encode()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_answering_from_the_command_line_writes_nothing_to_the_data_folder(one_doc_index):
    before = _fingerprint(one_doc_index.data_dir)
    env = {**os.environ, "POLICY_DATA_DIR": str(one_doc_index.data_dir), "POLICY_EMBED_CACHE": str(EMBED_CACHE)}
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "学习贯彻大会精神有哪些要求？"], cwd=PROJECT_ROOT,
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "《" in out.stdout  # a cited answer came back, searched without opening Chroma for writing
    assert _fingerprint(one_doc_index.data_dir) == before


def test_snapshot_vectors_rank_as_the_chroma_collection_does(one_doc_index):
    from assistant.embed import make_embedder
    from assistant.dense import ChromaDense, SnapshotDense

    store = IndexStore(one_doc_index)
    snap = store.load()
    try:
        local = store.dense(snap)
        assert isinstance(local, SnapshotDense)
        remote = ChromaDense(snap, store.collection(snap.state["embedder"]))
        qv = make_embedder(one_doc_index.embedder).embed_query("职业院校要做哪些工作？")
        mine, theirs = local.query(qv, 5), remote.query(qv, 5)
        assert [i for i, _ in mine] == [i for i, _ in theirs]
        assert all(abs(a - b) < 1e-3 for (_, a), (_, b) in zip(mine, theirs))
        doc = snap.chunks[0].doc_id
        assert {snap.chunks[i].doc_id for i, _ in local.query(qv, 50, doc_ids=(doc,))} == {doc}
        mine, theirs = local.query(qv, 5, doc_ids=(doc,)), remote.query(qv, 5, doc_ids=(doc,))
        assert [i for i, _ in mine] == [i for i, _ in theirs]  # a filtered question too
        assert local.query(qv, 5, level="county") == remote.query(qv, 5, level="county") == []
        assert np.allclose(local.vectors_of([0, 1]), remote.vectors_of([0, 1]), atol=1e-5)
    finally:
        snap.release()
