"""Several processes on one real `chroma run` server: what one publishes, the others serve."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import threading
import time
from collections import Counter

import numpy as np
import pytest

from assistant import follow, packs as pack_format, replica
from assistant.sentences import sentence_key
from assistant.store import IndexStore, IngestBusy
from ingest.index import ingest_paths
from tests.conftest import corpus_file

pytestmark = pytest.mark.slow


@pytest.fixture
def replicas(settings_factory, chroma_url, request):
    """Two data folders (two machines' local copies) against one server."""
    name = request.node.name[:30]
    make = lambda tag: settings_factory(f"{name}-{tag}", chroma_url=chroma_url)  # noqa: E731
    return make("a"), make("b")


def _records(settings) -> list[str]:
    snap = IndexStore(settings).load()
    try:
        return sorted(json.dumps([c.clause_id, c.text, c.responsible_units], ensure_ascii=False) for c in snap.clauses.values())
    finally:
        snap.release()


def _bags(path) -> list[dict[str, int]]:
    from assistant.lexical import LexicalIndex

    lex = LexicalIndex.load(path / "lexical", with_keys=True)
    return [lex.bag(i) for i in range(lex.n)]


def _same_copy(a, b) -> None:
    """b's snapshot holds what a's does: the records file byte for byte, the vectors, the
    sentences, each chunk's token counts and the targets."""
    sa, sb = IndexStore(a).load(), IndexStore(b).load()
    try:
        assert (sb.path / "records.jsonl").read_bytes() == (sa.path / "records.jsonl").read_bytes()
        assert _bags(sb.path) == _bags(sa.path)
        assert json.loads((sb.path / "targets.json").read_bytes()) == json.loads((sa.path / "targets.json").read_bytes())
        assert np.allclose(sb.chunk_vectors, sa.chunk_vectors, atol=1e-6)
        assert sb.sentences.key_list() == sa.sentences.key_list()
        assert np.allclose(np.asarray(sb.sentences.vectors), np.asarray(sa.sentences.vectors), atol=1e-6)
    finally:
        sa.release(), sb.release()


def _kept_record_keys(path) -> list[str]:
    from assistant.records import RECORD_KEYS

    return [k.decode() for k in np.load(path / RECORD_KEYS).tolist()]


def _hashed_record_keys(path) -> list[str]:
    import hashlib

    return [hashlib.sha1(line).hexdigest() for line in (path / "records.jsonl").read_bytes().splitlines()]


def _cites(answer, doc_source: str) -> bool:
    """Whether an answer, or a refusal's closest clauses, stand in the document from that file."""
    return any(c.source == doc_source for c in (*answer.citations, *answer.closest))


def test_a_replica_with_an_empty_folder_serves_exactly_what_another_published(replicas, small_corpus):
    a, b = replicas
    report = ingest_paths([small_corpus], a, show_progress=False)
    assert report.added and not report.errors
    assert replica.sync(IndexStore(b)) == IndexStore(a).current_id()
    assert _records(b) == _records(a)
    sa, sb = IndexStore(a).load(), IndexStore(b).load()
    try:
        assert [c.chunk_id for c in sb.chunks] == [c.chunk_id for c in sa.chunks]
        q = ["职业", "教育", "学校", "企业"]
        assert np.allclose(sb.bm25.get_scores(q), sa.bm25.get_scores(q))
        assert sb.sentences.texts == sa.sentences.texts
        assert sb.sentences.key_list() == sa.sentences.key_list() and sb.sentences.keys is not None  # kept as fetched
        assert _kept_record_keys(sb.path) == _hashed_record_keys(sb.path) == _kept_record_keys(sa.path)
        assert np.allclose(sb.chunk_vectors, sa.chunk_vectors, atol=1e-5)  # float32 through JSON
        from assistant.dense import SnapshotDense

        assert isinstance(IndexStore(b).dense(sb), SnapshotDense)  # searched in the copy, no server round trip
    finally:
        sa.release(), sb.release()
    _same_copy(a, b)
    # Already current: a sync reads the head row and writes nothing.
    before = IndexStore(b).current_id()
    replica.sync(IndexStore(b))
    assert IndexStore(b).current_id() == before


def test_a_replica_following_a_change_reads_its_copys_record_keys_instead_of_hashing(replicas, small_corpus, monkeypatch):
    a, b = replicas
    ingest_paths([small_corpus], a, show_progress=False)
    replica.sync(IndexStore(b))
    news = next(p for p in small_corpus.iterdir() if p.name.startswith("新闻"))
    news.write_text(news.read_text(encoding="utf-8") + "\n各地要加强宣传解读。\n", encoding="utf-8")
    ingest_paths([small_corpus], a, show_progress=False)
    hashed: list[bytes] = []
    monkeypatch.setattr(replica, "line_key", lambda line: hashed.append(line) or hashlib.sha1(line).hexdigest())
    assert replica.sync(IndexStore(b)) == IndexStore(a).current_id()
    assert not hashed and _records(b) == _records(a)
    sb = IndexStore(b).load()
    try:
        assert _kept_record_keys(sb.path) == _hashed_record_keys(sb.path)
    finally:
        sb.release()


def test_an_ingest_through_one_replica_reaches_the_other_while_it_answers(replicas, small_corpus):
    from assistant.web.page import AssistantHolder

    a, b = replicas
    ingest_paths([small_corpus], a, show_progress=False)
    holder = AssistantHolder(b.with_overrides(sync_seconds=0.3))  # an empty folder: syncs before loading
    try:
        assert {d.source for d in holder.assistant.documents} == {p.name for p in small_corpus.iterdir()}
        new = corpus_file("2021_")
        shutil.copy(new, small_corpus)
        errors, answered, stop = [], [], threading.Event()

        def keep_asking():
            while not stop.is_set():
                try:
                    answered.append(holder.ask("职业院校的校企合作有什么要求？"))
                except Exception as e:  # noqa: BLE001 - any failure during the switch is the finding
                    errors.append(e)

        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            ingest_paths([small_corpus], a, show_progress=False)
            published = IndexStore(a).current_id()
            deadline = time.time() + 60
            while holder.assistant.snapshot_id == holder.store.current_id() and IndexStore(b).load_state().get("published") != published:
                assert time.time() < deadline, "the other replica never followed"
                time.sleep(0.1)
            while not any(d.source == new.name for d in holder.assistant.documents):
                assert time.time() < deadline, "the other replica never loaded the new document"
                time.sleep(0.1)
        finally:
            stop.set()
            asker.join()
        assert not errors and len(answered) > 1
        title = next(d.title for d in holder.assistant.documents if d.source == new.name)
        assert _cites(holder.ask(f"《{title}》的主要目标是什么？"), new.name)
    finally:
        holder.follower.stop()


def test_publishing_sends_only_changed_packs_and_prunes_what_neither_snapshot_uses(replicas, small_corpus, monkeypatch):
    monkeypatch.setattr(pack_format, "PACK_KEYS", 4)  # the small corpus in many packs, as a large one is
    a, b = replicas
    store = IndexStore(a)
    ingest_paths([small_corpus], a, show_progress=False)
    first = replica.read_head(store)
    packs = replica.packs_collection(store, first.state["embedder"])
    first_packs = set(packs.get(include=[])["ids"])
    assert first.packed and first_packs == {*first.record_pages, *first.sentence_pages} and len(first_packs) > 10

    unchanged = ingest_paths([small_corpus], a, show_progress=False)
    assert not unchanged.changed and replica.read_head(store).snapshot == first.snapshot  # nothing republished

    doc = next(small_corpus.glob("新闻*"))
    doc.write_text(doc.read_text(encoding="utf-8") + "\n各地要认真组织实施本项工作。\n", encoding="utf-8")
    first_chunks = {c.chunk_id for c in IndexStore(a).load().chunks}
    replica.sync(IndexStore(b))
    ingest_paths([small_corpus], a, show_progress=False)
    second_packs = set(packs.get(include=[])["ids"])
    second_chunks = {c.chunk_id for c in IndexStore(a).load().chunks}
    added = second_packs - first_packs
    assert added and len(added) < len(first_packs) / 4  # the changed document's packs, not all
    assert first_packs <= second_packs  # the replaced snapshot's packs stay for replicas still on it
    fetched: list[str] = []
    real = replica._read_packs
    monkeypatch.setattr(replica, "_read_packs", lambda col, ids: fetched.extend(ids) or real(col, ids))
    assert replica.sync(IndexStore(b)) == IndexStore(a).current_id() and _records(b) == _records(a)
    assert set(fetched) == added  # a replica fetches only the packs its copy does not hold
    _same_copy(a, b)

    shutil.copy(corpus_file("2021_"), small_corpus)
    ingest_paths([small_corpus], a, show_progress=False)
    now = replica.read_head(store)
    third = set(packs.get(include=[])["ids"])
    assert third == {*now.record_pages, *now.sentence_pages, *now.previous_record_pages, *now.previous_sentence_pages}
    assert (first_packs - second_packs - third) == set() and (first_packs - third)  # two snapshots back: pruned
    third_chunks = {c.chunk_id for c in IndexStore(a).load().chunks}
    stored = set(store.collection(first.state["embedder"]).get(include=[])["ids"])
    assert stored == second_chunks | third_chunks and (first_chunks - second_chunks) and not (first_chunks - second_chunks) & stored
    snap = store.load()
    try:  # each record and sentence of the snapshot is in its packs, under the key kept with it
        sv = snap.sentences
        keys = [sentence_key(c, t) for c, t in zip(sv.clause_ids, sv.texts)]
        assert sv.keys is not None and sv.key_list() == keys
        got = {i: m for i, (m,) in replica.fetch(packs, [*now.record_pages, *now.sentence_pages], ["metadatas"]).items()}
        assert [k for p in now.sentence_pages for k in replica.SentencePack.read(got[p]).keys] == keys
        assert _kept_record_keys(snap.path) == _hashed_record_keys(snap.path)  # each record line's, as published
        assert [k for p in now.record_pages for k in replica.RecordPack.read(got[p]).keys] == _kept_record_keys(snap.path)
    finally:
        snap.release()


def _publish_as_rows(store: IndexStore) -> None:
    """The current snapshot published a row per record, as the version before packs did."""
    snap = store.load()
    path, embedder = snap.path, snap.state["embedder"]
    lex = __import__("assistant.lexical", fromlist=["LexicalIndex"]).LexicalIndex.load(path / "lexical", with_keys=True)
    records, sentences, heads = replica.collections(store, embedder)
    keys, lines = _hashed_record_keys(path), (path / "records.jsonl").read_text(encoding="utf-8").splitlines()
    first_chunk = len(snap.documents) + len(snap.clauses)
    rows = [json.dumps({"r": line} | ({"h": lex.keys[i - first_chunk], "t": list(Counter(lex.bag(i - first_chunk)).elements())} if i >= first_chunk else {}),
                       ensure_ascii=False) for i, line in enumerate(lines)]
    records.upsert(ids=keys, documents=rows, embeddings=[[1.0]] * len(keys), metadatas=[{"k": 0}] * len(keys))
    sv, skeys = snap.sentences, snap.sentences.key_list()
    sentences.upsert(ids=skeys, documents=list(sv.texts), embeddings=np.asarray(sv.vectors).tolist(),
                     metadatas=[{"clause_id": c} for c in sv.clause_ids])
    ids = [c.chunk_id for c in snap.chunks]  # the ingest put the chunks' vectors on the server
    store.collection(embedder).upsert(ids=ids, embeddings=np.asarray(snap.chunk_vectors).tolist(), metadatas=[{"k": 0}] * len(ids))
    pages = replica.paginate(keys, "r") | replica.paginate(skeys, "s")
    heads.upsert(ids=list(pages), documents=[json.dumps(p) for p in pages.values()], embeddings=[[1.0]] * len(pages),
                 metadatas=[{"k": 0}] * len(pages))
    head = {"snapshot": path.name, "state": {k: v for k, v in snap.state.items() if k != "published"},
            "record_pages": [p for p in pages if p.startswith("r:")], "sentence_pages": [p for p in pages if p.startswith("s:")]}
    replica._head_collection(store, embedder).upsert(ids=["head"], documents=[json.dumps(head, ensure_ascii=False)],
                                                     embeddings=[[1.0]], metadatas=[{"k": 0}])
    snap.release()


def test_a_head_published_a_row_per_record_is_followed_and_retired_two_publishes_later(replicas, small_corpus):
    a, b = replicas
    store = IndexStore(a)
    ingest_paths([small_corpus], dataclasses.replace(a, chroma_url=None), show_progress=False)  # a local index...
    _publish_as_rows(store)  # ...published as the version before packs did
    head = replica.read_head(store)
    assert not head.packed
    assert replica.sync(IndexStore(b)) == head.snapshot and _records(b) == _records(a)
    embedder = head.state["embedder"]
    records = replica.collections(store, embedder)[0]
    assert records.count() > 0

    chunks = [{c.chunk_id for c in IndexStore(a).load().chunks}]  # each snapshot's, the row-format one first
    for n, extra in enumerate(("各地要加强宣传解读。", "各地要认真组织实施。")):
        doc = next(small_corpus.glob("新闻*"))
        doc.write_text(doc.read_text(encoding="utf-8") + f"\n{extra}\n", encoding="utf-8")
        ingest_paths([small_corpus], a, show_progress=False)
        chunks.append({c.chunk_id for c in IndexStore(a).load().chunks})
        assert replica.read_head(store).packed
        assert replica.sync(IndexStore(b)) == IndexStore(a).current_id() and _records(b) == _records(a)
        _same_copy(a, b)
        names = {c.name for c in store.client().list_collections()}
        assert (records.name in names) == (n == 0)  # kept while the replaced snapshot is in rows, then deleted
    stored = set(store.collection(embedder).get(include=[])["ids"])
    assert stored == chunks[1] | chunks[2] and chunks[0] - stored  # the row-format snapshot's own chunks: gone


def test_manifest_pages_end_where_the_keys_say_so_one_change_leaves_the_other_pages_as_they_were():
    import hashlib

    keys = [hashlib.sha1(str(i).encode()).hexdigest() for i in range(60_000)]
    pages = replica.paginate(keys, "r")
    assert [k for p in pages.values() for k in p] == keys
    assert 4 <= len(pages) <= 40 and max(map(len, pages.values())) <= replica.MAX_PAGE_KEYS
    changed = keys[:30_000] + [hashlib.sha1(f"new{i}".encode()).hexdigest() for i in range(80)] + keys[30_050:]
    again = replica.paginate(changed, "r")
    assert [k for p in again.values() for k in p] == changed
    assert len(set(again) - set(pages)) <= 2  # the page(s) holding the change; every other page id is the same
    assert list(replica.paginate([], "s")) == []


def test_a_head_published_with_numbered_pages_is_still_read():
    old = {"snapshot": "s2", "state": {}, "record_pages": 2, "sentence_pages": 1, "previous": "s1", "previous_pages": [1, 1]}
    h = replica.Head.from_json(old)
    assert h.record_pages == ("s2:r0", "s2:r1") and h.sentence_pages == ("s2:s0",)
    assert h.previous_record_pages == ("s1:r0",) and h.previous_sentence_pages == ("s1:s0",)


def test_an_ingest_started_before_another_replica_published_is_not_published(replicas, small_corpus):
    a, b = replicas
    ingest_paths([small_corpus], a, show_progress=False)
    stale = replica.read_head(IndexStore(a)).snapshot
    shutil.copy(corpus_file("2021_"), small_corpus)
    ingest_paths([small_corpus], b, show_progress=False)  # b syncs first, so it builds on a's documents
    assert {d.source for d in IndexStore(b).load().documents.values()} == {p.name for p in small_corpus.iterdir()}
    with pytest.raises(IngestBusy, match="另一个服务进程"):
        replica.publish(IndexStore(a), IndexStore(a).current_path(), base=stale)
    store = IndexStore(a)
    replica._head_collection(store, replica.read_head(store).state["embedder"]).delete(ids=["head"])
    with pytest.raises(IngestBusy, match="已被清空"):  # the head gone since the sync: not published blind
        replica.publish(store, store.current_path(), base=stale)


def test_a_head_an_older_version_kept_beside_the_pages_is_read_and_moved_at_the_next_publish(replicas, small_corpus):
    a, b = replicas
    store = IndexStore(a)
    ingest_paths([small_corpus], a, show_progress=False)
    head = replica.read_head(store)
    own, beside = replica._head_collection(store, head.state["embedder"]), replica.collections(store, head.state["embedder"])[2]
    row = head.to_json()
    beside.upsert(ids=["head"], documents=[row], embeddings=[[1.0]], metadatas=[{"k": 0}])  # where an older version wrote it
    own.delete(ids=["head"])
    legacy = replica.read_head(store)
    assert legacy == head and legacy.legacy
    replica.sync(IndexStore(b))
    assert IndexStore(b).load_state().get("published") == head.snapshot  # a replica follows it as before

    shutil.copy(corpus_file("2021_"), small_corpus)
    ingest_paths([small_corpus], a, show_progress=False)
    now = replica.read_head(store)
    assert now.previous == head.snapshot and not now.legacy
    assert own.get(ids=["head"])["ids"] == ["head"]
    # An older version reading beside the pages now meets the new head's page ids, not a count:
    # it fails loudly rather than serving nothing or publishing over the new head.
    left = json.loads(beside.get(ids=["head"], include=["documents"])["documents"][0])
    assert left["snapshot"] == now.snapshot and not isinstance(left["record_pages"], int)


def test_writes_sent_together_all_finish_and_the_first_error_is_raised():
    done: list[int] = []

    def fail():
        raise ConnectionError("server away")

    replica.together(lambda: done.append(1), lambda: done.append(2))
    assert sorted(done) == [1, 2]
    with pytest.raises(ConnectionError):
        replica.together(lambda: time.sleep(0.05) or done.append(3), fail)
    assert 3 in done  # the other write was not abandoned half-way


def test_the_head_and_the_pages_save_their_index_at_every_write_also_when_made_before(settings_factory, chroma_url):
    """Chroma replays a collection's writes since its index was last saved on every write: the
    head and the pages (a few large rows per publish) are saved at each one, or every publish
    would get slower than the last."""
    from assistant.embed import embedder_id

    settings = settings_factory("few-rows", chroma_url=chroma_url)
    store = IndexStore(settings)
    embedder = embedder_id(settings.embedder)
    slug = store.collection_name(embedder).removeprefix("clauses-")
    client = store.client()
    made_before = client.create_collection(f"heads-{slug}", embedding_function=None)  # as an older version made it
    assert made_before.configuration["hnsw"]["sync_threshold"] == 1000
    records, sentences, _ = replica.collections(store, embedder)
    replica._head_collection(store, embedder)
    threshold = {c.name: c.configuration["hnsw"]["sync_threshold"] for c in client.list_collections()}
    assert threshold[f"heads-{slug}"] == threshold[f"head-{slug}"] == 1
    assert threshold[records.name] == threshold[sentences.name] == 1000  # many small rows a publish: the default


def test_a_document_chunked_again_under_the_same_chunk_ids_reaches_a_replica_with_its_new_vectors(replicas, small_corpus):
    a, b = replicas
    ingest_paths([small_corpus], a, show_progress=False)
    replica.sync(IndexStore(b))
    # Smaller chunks: the same file hash and ordinals, so ids like the old ones, for other text.
    ingest_paths([small_corpus], a.with_overrides(max_chunk_chars=120), rebuild=True, show_progress=False)
    assert replica.sync(IndexStore(b)) == IndexStore(a).current_id()
    sa, sb = IndexStore(a).load(), IndexStore(b).load()
    try:
        ids_a = [c.chunk_id for c in sa.chunks]
        assert ids_a == [c.chunk_id for c in sb.chunks]
        assert np.allclose(sb.chunk_vectors, sa.chunk_vectors, atol=1e-5)
    finally:
        sa.release(), sb.release()


def test_a_replica_starting_empty_makes_a_large_copy_in_a_child_process_and_says_why_when_it_cannot(replicas, small_corpus, monkeypatch):
    a, b = replicas
    monkeypatch.setattr(follow, "CHILD_MIN_PACKS", 2)  # the small corpus's few packs taken for many
    ingest_paths([small_corpus], a, show_progress=False)

    def not_here(store):
        raise AssertionError("the first copy is made in this process")

    monkeypatch.setattr(replica, "sync", not_here)  # the child imports its own, untouched
    follow.prepare(IndexStore(b))
    assert IndexStore(b).load_state().get("published") == IndexStore(a).current_id() and _records(b) == _records(a)
    follow.prepare(IndexStore(b))  # current: one read of the head, no child

    store = IndexStore(a)
    packs = replica.packs_collection(store, replica.read_head(store).state["embedder"])
    packs.delete(ids=packs.get(include=[])["ids"])  # a published head whose packs are gone
    empty = b.with_overrides(data_dir=b.data_dir.parent / "c-empty")
    with pytest.raises(RuntimeError, match="同步索引失败.*数据包"):
        follow.prepare(IndexStore(empty))
    assert not IndexStore(empty).exists()


def test_a_first_copy_that_does_not_finish_in_time_is_stopped_and_named(replicas, small_corpus, monkeypatch):
    a, b = replicas
    monkeypatch.setattr(follow, "CHILD_MIN_PACKS", 2)
    # A child given no time at all stands for one whose server stopped answering mid-copy.
    monkeypatch.setattr(follow, "CHILD_BASE_SECONDS", 0.0)
    monkeypatch.setattr(follow, "CHILD_SECONDS_PER_PACK", 0.001)
    ingest_paths([small_corpus], a, show_progress=False)
    with pytest.raises(RuntimeError, match="同步索引超时.*秒内未完成"):
        follow.prepare(IndexStore(b))
    assert not IndexStore(b).exists()
    monkeypatch.undo()
    monkeypatch.setattr(follow, "CHILD_MIN_PACKS", 2)
    follow.prepare(IndexStore(b))  # the next start copies it whole
    _same_copy(a, b)


def test_a_copy_made_with_another_embedder_lends_no_vectors_to_the_next_sync(replicas, small_corpus):
    a, b = replicas
    ingest_paths([small_corpus], a, show_progress=False)
    replica.sync(IndexStore(b))
    other = a.with_overrides(embedder="hash")  # another embedder publishes the same documents
    ingest_paths([small_corpus], other, rebuild=True, show_progress=False)
    mine = IndexStore(b.with_overrides(embedder="hash"))
    assert replica.sync(mine) == IndexStore(other).current_id()
    sa, sb = IndexStore(other).load(), mine.load()
    try:
        assert np.allclose(sb.chunk_vectors, sa.chunk_vectors, atol=1e-5)
        assert np.allclose(np.asarray(sb.sentences.vectors), np.asarray(sa.sentences.vectors), atol=1e-5)
    finally:
        sa.release(), sb.release()


def test_a_copy_without_its_chunk_vectors_fetches_its_packs_again_instead_of_failing(replicas, small_corpus, monkeypatch):
    monkeypatch.setattr(pack_format, "PACK_KEYS", 4)
    a, b = replicas
    ingest_paths([small_corpus], a, show_progress=False)
    replica.sync(IndexStore(b))
    (IndexStore(b).current_path() / "chunks.npy").unlink()  # a copy made before chunks.npy was kept
    doc = next(small_corpus.glob("新闻*"))
    doc.write_text(doc.read_text(encoding="utf-8") + "\n各地要加强宣传解读。\n", encoding="utf-8")
    ingest_paths([small_corpus], a, show_progress=False)
    assert replica.sync(IndexStore(b)) == IndexStore(a).current_id()
    _same_copy(a, b)


def test_a_pack_lost_on_the_server_is_sent_again_by_the_next_publish(replicas, small_corpus, monkeypatch):
    monkeypatch.setattr(pack_format, "PACK_KEYS", 4)
    a, b = replicas
    store = IndexStore(a)
    ingest_paths([small_corpus], a, show_progress=False)
    head = replica.read_head(store)
    packs = replica.packs_collection(store, head.state["embedder"])
    lost = head.record_pages[0]
    packs.delete(ids=[lost])
    with pytest.raises(RuntimeError, match="数据包"):
        replica.sync(IndexStore(b))  # a replica says what is missing
    doc = next(small_corpus.glob("新闻*"))
    doc.write_text(doc.read_text(encoding="utf-8") + "\n各地要加强宣传解读。\n", encoding="utf-8")
    ingest_paths([small_corpus], a, show_progress=False)
    assert lost in replica.read_head(store).record_pages and packs.get(ids=[lost])["ids"] == [lost]
    assert replica.sync(IndexStore(b)) == IndexStore(a).current_id()
    _same_copy(a, b)


def test_a_small_first_copy_is_made_in_the_serving_process(replicas, small_corpus, monkeypatch):
    a, b = replicas
    ingest_paths([small_corpus], a, show_progress=False)  # a few packs of 1000 keys
    synced: list[str] = []
    real = replica.sync
    monkeypatch.setattr(replica, "sync", lambda store: synced.append("here") or real(store))
    monkeypatch.setattr(follow, "_sync_in_child", lambda store, timeout: pytest.fail("a child for a few packs"))
    follow.prepare(IndexStore(b))
    assert synced == ["here"] and _records(b) == _records(a)


def test_a_replica_takes_token_counts_and_targets_from_the_packs_instead_of_deriving_them(replicas, small_corpus, monkeypatch):
    from assistant import lexical
    from assistant.structure import targets

    a, b = replicas
    ingest_paths([small_corpus], a, show_progress=False)
    found = json.loads((IndexStore(a).current_path() / "targets.json").read_bytes())
    assert found  # the plans set targets: there is something to copy
    monkeypatch.setattr(targets, "_scan", lambda *a, **k: pytest.fail("a replica scanned clauses for targets"))
    monkeypatch.setattr(lexical, "tokenize", lambda text: pytest.fail("a replica tokenised a chunk"))
    replica.sync(IndexStore(b))
    monkeypatch.undo()
    _same_copy(a, b)


def test_packs_of_the_first_format_are_still_read(replicas, small_corpus):
    """Packs a writer of the previous version published: a chunk's tokens as a list, no targets."""
    a, b = replicas
    ingest_paths([small_corpus], a, show_progress=False)
    store = IndexStore(a)
    head = replica.read_head(store)
    col = replica.packs_collection(store, head.state["embedder"])
    got = replica.fetch(col, list(head.record_pages), ["metadatas"])
    for pid, (meta,) in got.items():
        pack = replica.RecordPack.read(meta)
        rows = [{"r": r["r"]} | ({"h": r["h"], "t": [t for t, n in r["c"].items() for _ in range(n)]} if "h" in r else {})
                for r in pack.rows]
        col.update(ids=[pid], metadatas=[replica.RecordPack(pack.keys, rows, pack.vectors).metadata()])
    replica.sync(IndexStore(b))
    _same_copy(a, b)


def _server_packs(store: IndexStore) -> set[str]:
    head = replica.read_head(store)
    return set(replica.packs_collection(store, head.state["embedder"]).get(include=[])["ids"])


def _listed(head) -> set[str]:
    return {*head.record_pages, *head.sentence_pages, *head.previous_record_pages, *head.previous_sentence_pages}


def test_the_packs_of_a_publish_that_never_switched_are_deleted_once_its_note_is_old(replicas, small_corpus, monkeypatch):
    from assistant import pack_ledger

    a, b = replicas
    monkeypatch.setattr(pack_format, "PACK_KEYS", 4)  # many packs, so a change sends a few
    ingest_paths([small_corpus], a, show_progress=False)
    store = IndexStore(a)
    doc = sorted(small_corpus.iterdir())[0]

    def change(line: str) -> None:
        doc.write_text(doc.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")

    def switch_fails(self):
        raise ConnectionError("the server went away before the head was switched")

    change("本文件为测试第一次改动的一句话。")
    with monkeypatch.context() as m:
        m.setattr(replica.Head, "to_json", switch_fails)
        with pytest.raises(ConnectionError):
            ingest_paths([small_corpus], a, show_progress=False)
    stray = _server_packs(store) - _listed(replica.read_head(store))
    assert stray  # sent, listed by no head

    change("本文件为测试第二次改动的一句话。")  # its note is young: a publish may still be under way
    ingest_paths([small_corpus], a, show_progress=False)
    assert stray <= _server_packs(store)  # kept meanwhile

    # Another publish under way (its note young) is sending one of them again: that one stays.
    embedder = replica.read_head(store).state["embedder"]
    kept = sorted(stray - _listed(replica.read_head(store)))[0]
    pack_ledger.note(replica._head_collection(store, embedder), "another-publish", [kept], now=time.time() + 10)
    monkeypatch.setattr(pack_ledger, "ORPHAN_SECONDS", 5.0)  # every note is old now but that one
    real_time, real_stale = time.time, pack_ledger.stale
    monkeypatch.setattr(pack_ledger.time, "time", lambda: real_time() + 6)
    # As when the notes were read before that publish noted it: only the read just before
    # deleting (pending) can keep it.
    monkeypatch.setattr(pack_ledger, "stale", lambda col, mine, now=None: (lambda r: (r[0], r[1] | {kept}))(real_stale(col, mine, now)))
    change("本文件为测试第三次改动的一句话。")
    ingest_paths([small_corpus], a, show_progress=False)
    head = replica.read_head(store)
    assert (stray - _listed(head)) & _server_packs(store) == {kept}  # deleted, unless in use or being sent
    notes = replica._head_collection(store, head.state["embedder"]).get(include=[])["ids"]
    assert sorted(notes) == ["head", "sent:another-publish"]  # the old notes went with their packs
    replica.sync(IndexStore(b))
    _same_copy(a, b)


def test_a_head_a_writer_of_the_first_pack_format_published_is_followed_pack_by_pack(replicas, small_corpus, monkeypatch):
    a, b = replicas
    monkeypatch.setattr(pack_format, "PACK_KEYS", 4)
    doc = sorted(small_corpus.iterdir())[0]
    with monkeypatch.context() as m:  # writer A is of the previous version: no format in pack ids
        m.setattr(pack_format, "PACK_FORMAT", "1")
        ingest_paths([small_corpus], a, show_progress=False)
    replica.sync(IndexStore(b))
    first = replica.read_head(IndexStore(a))
    with monkeypatch.context() as m:
        m.setattr(pack_format, "PACK_FORMAT", "1")
        doc.write_text(doc.read_text(encoding="utf-8") + "\n本文件为测试改动的一句话。\n", encoding="utf-8")
        ingest_paths([small_corpus], a, show_progress=False)
    second = replica.read_head(IndexStore(a))
    fetched: list[str] = []
    real = replica._read_packs
    monkeypatch.setattr(replica, "_read_packs", lambda col, ids: fetched.extend(ids) or real(col, ids))
    replica.sync(IndexStore(b))
    changed = {*second.record_pages, *second.sentence_pages} - {*first.record_pages, *first.sentence_pages}
    assert fetched and set(fetched) <= changed  # only what changed, not the whole index again
    _same_copy(a, b)
