"""Several web processes on one Chroma server: the server holds the index, each process a cache.

With CHROMA_URL set, the process that ingests publishes its new snapshot to the server, beside
the chunks collection (`IndexStore.collection`):
  packs-<embedder>      the snapshot's records (a chunk's with its jieba token counts and its
                        vector, a clause's with its targets) and its clause sentences with their
                        vectors, ~PACK_KEYS to a
                        row, named by a hash of their keys (assistant/packs.py): a publish sends
                        only the packs the server lacks, a replica fetches only those its copy lacks
  head-<embedder>       one row, `head`: which snapshot is published, its state (sources,
                        embedder) and its packs, in snapshot order (in a collection of its own:
                        Chroma slows on a collection with much churn); beside it, a note of
                        the packs a publish under way sends (assistant/pack_ledger.py)
Writing `head` last is the switch. Every process polls it (`sync`); when it names a snapshot the
process does not hold, the process fetches the packs it lacks and writes a local snapshot from
them (BM25 built from the stored token counts, so jieba is not run), which its page then loads
between questions as after a local ingest (assistant/follow.py: before the first answer, then
while answering). The local files are a cache keyed by the published snapshot
id, never a second source of truth: an ingest first syncs, and publishing refuses when another
process published after that sync. Payloads are row metadata, deflated into ASCII, never
documents: Chroma indexes a document's full text and writes non-ASCII text slowly
(assistant/packs.py has the figures).

Packs are pruned by the writer only when neither the new snapshot nor the one it replaced uses
them, so a replica still answering from the previous snapshot keeps finding them (the packs of
the snapshot two publishes back are deleted while the new ones are sent, with those of a publish
that never switched, once its note is old). A head published a
row per record, by the version before packs, is still followed (assistant/replica_rows.py)."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import orjson

from . import pack_ledger
from .packs import (MAX_PAGE_KEYS, PACK_KEYS, PAGE_KEYS, RECORD_PACK, SENTENCE_PACK, LocalPacks, RecordPack,  # noqa: F401
                    SentencePack, deflate, inflate, is_pack, packs_of, paginate)
from .records import INDEX_DIR, RECORD_KEYS, RecordIndex, line_key
from .rows import gather_rows
from .store import IndexStore, IngestBusy, SentenceVectors, delete_rows, record_from, return_free_memory

log = logging.getLogger(__name__)

BATCH = 500  # rows per Chroma call (the server's default batch limit is far higher)
PACK_BATCH = 4  # packs per Chroma call: ~14 MB a response
_DUMMY = [1.0]  # rows are looked up by id only; Chroma still wants a vector


@dataclass(frozen=True)
class Head:
    snapshot: str
    state: dict
    record_pages: tuple[str, ...]  # its packs (or, in the row format, its manifest pages), in order
    sentence_pages: tuple[str, ...]
    # The snapshot this one replaced and its packs: those that neither this snapshot nor the one
    # it replaced uses are deleted at the next publish, without listing whole collections.
    previous: str | None = None
    previous_record_pages: tuple[str, ...] = ()
    previous_sentence_pages: tuple[str, ...] = ()
    legacy: bool = field(default=False, compare=False)  # read from beside the pages (an older version's place)
    packed: bool = False  # published as packs (else a row per record: replica_rows)

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in self.__dict__.items() if k != "legacy"}, ensure_ascii=False)

    @classmethod
    def from_json(cls, h: dict) -> "Head":
        if isinstance(h["record_pages"], int):  # published before pages were named by content
            prev, (pr, ps) = h.get("previous"), h.get("previous_pages") or (0, 0)
            return cls(h["snapshot"], h["state"], *_numbered_pages(h["snapshot"], h["record_pages"], h["sentence_pages"]),
                       prev, *(_numbered_pages(prev, pr, ps) if prev else ((), ())))
        return cls(h["snapshot"], h["state"], tuple(h["record_pages"]), tuple(h["sentence_pages"]), h.get("previous"),
                   tuple(h.get("previous_record_pages") or ()), tuple(h.get("previous_sentence_pages") or ()),
                   packed=bool(h.get("packed")))


def _numbered_pages(snapshot: str, record_pages: int, sentence_pages: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (tuple(f"{snapshot}:r{i}" for i in range(record_pages)), tuple(f"{snapshot}:s{i}" for i in range(sentence_pages)))


# Chroma (1.5.9, embedded and `chroma run`) replays a collection's writes since its vector index
# was last saved on every new write, and saves it every `sync_threshold` rows (default 1000). The
# head (one row, rewritten at each publish) and the packs (a few large rows a publish) would
# reach that after hundreds of publishes: measured on one server, a head write grew by ~18 ms
# with each publish (0.04 s → 0.47 s after 25). Their indexes hold a few hundred rows at most
# (one-number dummy vectors), so saving at every write costs nothing and keeps writes flat.
_FEW_ROWS = {"hnsw": {"sync_threshold": 1, "batch_size": 1}}


def _few_rows(client, name: str):
    """A collection of few large rows, saved at every write. One made before this setting is
    changed to it (a running server applies it once it loads the collection again)."""
    col = client.get_or_create_collection(name, embedding_function=None, configuration=_FEW_ROWS)
    hnsw = (getattr(col, "configuration", None) or {}).get("hnsw") or {}
    if hnsw.get("sync_threshold", 1) != 1:
        col.modify(configuration=_FEW_ROWS)
    return col


def _slug(store: IndexStore, embedder: str) -> str:
    return store.collection_name(embedder).removeprefix("clauses-")


def collections(store: IndexStore, embedder: str):
    """The row format's collections (records, sentences, manifest pages): read, pruned, retired."""
    slug, client = _slug(store, embedder), store.client()
    get = client.get_or_create_collection
    return (get(f"records-{slug}", embedding_function=None), get(f"sentences-{slug}", embedding_function=None),
            _few_rows(client, f"heads-{slug}"))


def packs_collection(store: IndexStore, embedder: str):
    return _few_rows(store.client(), f"packs-{_slug(store, embedder)}")


def _embedder_of(store: IndexStore) -> str:
    from .embed import embedder_id

    return embedder_id(store.settings.embedder)


def _head_collection(store: IndexStore, embedder: str):
    return _few_rows(store.client(), f"head-{_slug(store, embedder)}")


def payload(document: str | None, metadata: dict | None) -> str:
    """A row's payload: deflated in its metadata (packs.deflate); a row an older version wrote
    has it as its document."""
    return inflate(metadata["z"]).decode("utf-8") if metadata and "z" in metadata else document


def read_head(store: IndexStore) -> Head | None:
    embedder = _embedder_of(store)
    got = _head_collection(store, embedder).get(ids=["head"], include=["documents", "metadatas"])
    legacy = not got["ids"]
    if legacy:  # published by a version that kept the head beside the pages
        got = collections(store, embedder)[2].get(ids=["head"], include=["documents", "metadatas"])
    if not got["ids"]:
        return None
    return replace(Head.from_json(json.loads(payload(got["documents"][0], got["metadatas"][0]))), legacy=legacy)


def raw_lines(path: Path | None) -> dict[str, bytes]:
    """The records of a local snapshot by key, as the file's bytes (parsed and written back as
    such, never decoded: 108 MB at 100×). The keys are those kept beside the file when it has
    them, else hashed from the bytes (the same key as lexical.text_key of the decoded line)."""
    if path is None:
        return {}
    lines = [line for line in (path / "records.jsonl").read_bytes().splitlines() if line]
    keys = _kept_keys(path)
    if len(keys) == len(lines):
        return dict(zip(keys, lines))
    return {line_key(line): line for line in lines}


def _kept_keys(snapshot: Path) -> list[str]:
    """The record keys kept beside a snapshot's records (records.RECORD_KEYS); [] without them."""
    return [k.decode("ascii") for k in np.load(snapshot / RECORD_KEYS).tolist()] if (snapshot / RECORD_KEYS).exists() else []


def fetch(col, ids: list[str], include: list[str], batch: int = BATCH) -> dict[str, tuple]:
    # One batch at a time: four in flight took a first sync at 100× from 33 to 28 s, but left
    # 460 MB of heap in the threads' malloc arenas after it, against 270 MB (2026-12-06).
    out: dict[str, tuple] = {}
    for s in range(0, len(ids), batch):
        got = col.get(ids=ids[s: s + batch], include=include)
        for n, i in enumerate(got["ids"]):
            out[i] = tuple(got[k][n] for k in include)
    return out


def _read_packs(col, ids: list[str]) -> dict[str, RecordPack | SentencePack]:
    """Packs fetched and decoded, a batch at a time. (A worker thread fetching the next batch
    while this one decoded took an empty start at 100× 23 → 19 s with plain JSON packs; with
    deflated packs it gained nothing, 17.8 against 17.2 s, and left 40–60 MB more heap.)"""
    out: dict[str, RecordPack | SentencePack] = {}
    for s in range(0, len(ids), PACK_BATCH):
        got = col.get(ids=ids[s: s + PACK_BATCH], include=["metadatas"])
        for i, meta in zip(got["ids"], got["metadatas"]):
            out[i] = (RecordPack if i.startswith(RECORD_PACK + ":") else SentencePack).read(meta)
    return out


def sync(store: IndexStore) -> str | None:
    """Bring the local snapshot to the published one; the published id it now matches (None:
    nothing published yet). Takes the local writer lock: another process on the same folder
    already syncing raises IngestBusy."""
    with store.writer_lock():
        before = store.current_id()
        published = sync_locked(store)
    if store.current_id() != before:
        return_free_memory()  # the records parsed for the new snapshot are garbage now
    return published


def holds_published(store: IndexStore, head: Head, local: Path | None) -> bool:
    """Whether the local copy is the published snapshot (written by this process, or synced)."""
    return local is not None and head.snapshot in (local.name, store.load_state().get("published"))


def sync_locked(store: IndexStore) -> str | None:
    head = read_head(store)
    if head is None:
        return None
    local = store.current_path()
    if holds_published(store, head, local):
        return head.snapshot
    if local is not None and store.load_state().get("embedder") != head.state.get("embedder"):
        local = None  # another embedder's copy: its vectors are not this index's (keys name text only)
    if head.packed:
        _sync_packs(store, head, local)
    else:
        from . import replica_rows

        replica_rows.sync(store, head, local)
    return head.snapshot


def _sync_packs(store: IndexStore, head: Head, local: Path | None) -> None:
    local_lines = raw_lines(local)
    local_ids = local_chunk_ids(local, local_lines)
    # A record pack counts as held only where the copy's chunk vectors can be read by row (a
    # copy without chunks.npy fetches its chunks' packs again, vectors and all).
    have_records = _held(list(local_lines), RECORD_PACK) if local_ids else {}
    old = SentenceVectors.load(local) if local is not None and (local / "sentences.npy").exists() else None
    have_sentences = _held(old.key_list() if old is not None else [], SENTENCE_PACK)
    need = [p for p in dict.fromkeys([*head.record_pages, *head.sentence_pages]) if p not in have_records and p not in have_sentences]
    got = _read_packs(packs_collection(store, head.state["embedder"]), need)
    if len(got) != len(need):
        raise RuntimeError(f"Chroma 中已发布索引 {head.snapshot} 缺少 {len(need) - len(got)} 个数据包：请在写入的进程上重新收录")
    lines, tokens, targets, given, record_keys = dict(local_lines), {}, {}, {}, []
    for p in head.record_pages:
        if p in have_records:
            record_keys += have_records[p]
            continue
        pack = got[p]
        record_keys += pack.keys
        for k, row in zip(pack.keys, pack.rows):
            lines[k] = row["r"]
            if "h" in row:
                tokens[row["h"]] = row["c"] if "c" in row else row["t"]
            elif "g" in row:
                targets[k] = row["g"]
        given |= pack.chunk_vectors()
    documents, clauses, chunks, reuse, unchanged, chunk_keys = parse_records(record_keys, lines, local_lines)
    vectors = {c.chunk_id: given[k] for c, k in zip(chunks, chunk_keys) if k in given}
    vecs = chunk_vectors(local, local_ids, chunks, unchanged, vectors)
    sent = _pack_sentences(head, old, have_sentences, got)
    found = {obj.clause_id: targets[k] for obj, _, k in reuse.values() if k in targets}
    store.write_snapshot({**head.state, "published": head.snapshot}, documents, clauses, chunks, sent, vecs,
                         tokens=tokens, lines=reuse, targets=found)


def _held(keys: list[str], kind: str) -> dict[str, list[str]]:
    """The packs a copy holding these keys holds, named as this version names them and as a
    writer of the first pack format did: a head that writer published is matched too."""
    return packs_of(keys, kind, "1") | packs_of(keys, kind)


def _pack_sentences(head: Head, old: SentenceVectors | None, have: dict[str, list[str]], got: dict) -> SentenceVectors:
    """The published snapshot's sentences: the packs the local copy holds read from it, the others as fetched."""
    row = {k: i for i, k in enumerate(old.key_list())} if old is not None else {}
    old_ids, old_texts = (list(old.clause_ids), list(old.texts)) if have else ([], [])
    keys, ids, texts, old_rows, given = [], [], [], [], []
    for p in head.sentence_pages:
        if p in have:
            at = [row[k] for k in have[p]]
            keys += have[p]
            ids += [old_ids[i] for i in at]
            texts += [old_texts[i] for i in at]
            old_rows += at
            continue
        pack = got[p]
        given.append(pack.vectors)
        keys += pack.keys
        ids += pack.clause_ids
        texts += pack.texts
        old_rows += [None] * len(pack.keys)
    dim = next((g.shape[1] for g in given if g.ndim == 2 and len(g)), old.vectors.shape[1] if old is not None else 1)
    rows = np.concatenate(given).reshape(-1, dim) if given else np.zeros((0, dim), dtype=np.float32)
    vecs = gather_rows(len(keys), old_rows, old.vectors if old is not None else None, rows)
    return SentenceVectors(ids, texts, vecs, np.array(keys, dtype="S40"))


def parse_records(record_keys: list[str], lines: dict, local_lines: dict[str, bytes]):
    """The records of a published snapshot from their lines: (documents, clauses, chunks, the
    lines to write back as received (Snapshot.lines), the ids of the chunks whose line the local
    copy holds as it is, each chunk's record key)."""
    documents, clauses, chunks, reuse, unchanged, chunk_keys = [], [], [], {}, set(), []
    for k in record_keys:
        if k not in lines:
            raise RuntimeError(f"Chroma 中已发布的索引缺少记录 {k}：请在写入的进程上重新收录")
        kind, obj = record_from(orjson.loads(lines[k]))
        (documents if kind == "document" else clauses if kind == "clause" else chunks).append(obj)
        reuse[id(obj)] = (obj, lines[k], k)  # written back as received, not serialised again
        if kind == "chunk":
            chunk_keys.append(k)
            if k in local_lines:
                unchanged.add(obj.chunk_id)
    return documents, clauses, chunks, reuse, unchanged, chunk_keys


def chunk_vectors(local: Path | None, local_ids: list[str], chunks, unchanged: set[str], given: dict):
    """The chunks' vectors: those the local snapshot holds for `unchanged` chunks (`local_ids`:
    its chunk ids in chunks.npy row order, local_chunk_ids), the rest `given` by chunk id. A
    chunk id alone is not enough: a document chunked again (another chunk size, another
    pipeline) keeps its ids for other text, whose vectors are the server's."""
    row, old = {}, None
    if local_ids:
        old = np.load(local / "chunks.npy", mmap_mode="r")
        row = {c: i for i, c in enumerate(local_ids) if c in unchanged}
    missing = [c.chunk_id for c in chunks if c.chunk_id not in row and c.chunk_id not in given]
    if missing:
        raise RuntimeError(f"Chroma 中缺少 {len(missing)} 个片段向量：请在写入的进程上重新收录")
    pos = {c.chunk_id: i for i, c in enumerate(chunks)}
    return gather_rows(len(chunks), [row.get(c.chunk_id) for c in chunks], old if row else None,
                       {pos[c]: v for c, v in given.items() if c not in row})


def local_chunk_ids(local: Path | None, local_lines: dict[str, bytes]) -> list[str]:
    """The local copy's chunk ids in the order of its chunks.npy rows; [] when it has no such
    file or the file does not match its chunks."""
    if local is None or not (local / "chunks.npy").exists():
        return []
    if (local / INDEX_DIR / "meta.json").exists():  # the chunk ids as a column, no line parsed
        ids = list(RecordIndex.load(local / INDEX_DIR).chunk_ids)
    else:
        ids = [r["chunk_id"] for r in map(orjson.loads, local_lines.values()) if r.get("type") == "chunk"]
    return ids if len(ids) == len(np.load(local / "chunks.npy", mmap_mode="r")) else []


def publish(store: IndexStore, snapshot: Path, base: str | None) -> Head:
    """Send a local snapshot to the server and make it the published one. `base` is the
    published snapshot the ingest started from: if another process has published since, the
    new snapshot would drop its documents, so nothing is switched."""
    state = json.loads((snapshot / "state.json").read_text(encoding="utf-8"))
    embedder = state["embedder"]
    head = read_head(store)
    if (head.snapshot if head else None) != base:  # also a head gone since the sync: never publish blind
        now = head.snapshot if head else "已被清空"
        raise IngestBusy(f"另一个服务进程刚刚更新了共享索引（{now}），本次收录未发布：请重试 (index changed on the server)")
    packs = packs_collection(store, embedder)
    local = LocalPacks(snapshot, _kept_keys(snapshot))
    try:
        records, sentences = packs_of(local.record_keys, RECORD_PACK), packs_of(local.sentence_keys, SENTENCE_PACK)
        new = Head(snapshot.name, {k: v for k, v in state.items() if k != "published"}, tuple(records), tuple(sentences),
                   head.snapshot if head else None, head.record_pages if head else (), head.sentence_pages if head else (),
                   packed=True)
        on_server = {*head.record_pages, *head.sentence_pages} if head is not None and head.packed else set()
        listed = [p for p in dict.fromkeys([*records, *sentences]) if p in on_server]
        # The packs the published head lists that this snapshot keeps, checked to be there (one
        # ids-only read): a pack lost (a writer's race, a hand-made deletion) is sent again.
        sent = set(packs.get(ids=listed, include=[])["ids"]) if listed else set()
        rows = {k: i for i, k in enumerate(local.sentence_keys)}
        notes = _head_collection(store, embedder)
        # Noted before the others are read: a publish that reads the notes after this one sees it.
        pack_ledger.note(notes, snapshot.name, [p for p in dict.fromkeys([*records, *sentences]) if p not in sent])
        stale_notes, orphaned = pack_ledger.stale(notes, snapshot.name)
        pending = lambda: pack_ledger.pending(notes, snapshot.name)  # noqa: E731
        # Records and sentences sent at once (the server serves them in parallel); all before the switch.
        writes = [lambda: _put(packs, ((p, local.record_pack(k)) for p, k in records.items() if p not in sent)),
                  lambda: _put(packs, ((p, local.sentence_pack(k, rows)) for p, k in sentences.items() if p not in sent))]
        if (head is not None and head.previous) or orphaned:
            # What only the snapshot two publishes back uses is dead whether this switch happens
            # or not (the published one does not use it either): deleted meanwhile; so are the
            # packs of a publish that never switched.
            writes.append(lambda: _prune(store, embedder, head or _NO_HEAD, new, set(local.chunk_ids), local, orphaned, pending))
        together(*writes)
    finally:
        local.close()
    head_row = new.to_json()
    notes.upsert(ids=["head"], embeddings=[_DUMMY], metadatas=[{"z": deflate(head_row.encode("utf-8"))}])  # the switch
    try:  # published whatever happens here: a note left behind only protects packs for an hour
        pack_ledger.forget(notes, [pack_ledger.NOTE_PREFIX + snapshot.name, *stale_notes])
    except Exception:
        log.exception("published %s; could not remove its note of the packs sent", snapshot.name)
    if head is not None and head.legacy:
        # Where an older version reads the head: overwritten, not deleted, so a process of that
        # version still running fails loudly (pages it cannot find) instead of seeing no index.
        collections(store, embedder)[2].upsert(ids=["head"], embeddings=[_DUMMY], documents=[head_row], metadatas=[{"k": 0}])
    return new


def _put(col, packs) -> None:
    for page_id, pack in packs:
        col.upsert(ids=[page_id], embeddings=[_DUMMY], metadatas=[pack.metadata()])


_NO_HEAD = Head("", {}, (), (), packed=True)  # nothing published yet (a first publish that never switched)


def _prune(store: IndexStore, embedder: str, head: Head, new: Head, new_chunks: set[str], local: LocalPacks,
           orphaned: set[str] = frozenset(), pending=lambda: set()) -> None:
    """Delete what the snapshot two publishes back (head.previous) used and neither the new
    snapshot nor the one it replaced (head) uses, and the `orphaned` packs (pack_ledger) no
    live snapshot uses: those packs and their chunks' vectors. `pending()`: the packs publishes
    under way are sending (read again just before deleting)."""
    from . import replica_rows

    packs = packs_collection(store, embedder)
    live = {*new.record_pages, *new.sentence_pages, *head.record_pages, *head.sentence_pages}
    strays = [p for p in sorted(orphaned) if p not in live]
    if head.previous and not head.packed:  # the replaced snapshot in the row format, and so the one before it
        _, _, heads = collections(store, embedder)
        old_records, old_sentences = replica_rows.manifest(heads, head)
        replica_rows.prune(store, embedder, head, set(local.record_keys) | set(old_records),
                           set(local.sentence_keys) | set(old_sentences), {*head.record_pages, *head.sentence_pages}, new_chunks)
        delete_rows(packs, [p for p in strays if p not in pending()], BATCH)  # their chunks: swept when the row format retires
        return
    replaced_only = [p for p in head.record_pages if p not in set(new.record_pages)]
    dead = [p for p in dict.fromkeys([*head.previous_record_pages, *head.previous_sentence_pages, *strays]) if p not in live]
    dead_records = [p for p in dict.fromkeys([*head.previous_record_pages, *strays]) if p not in live and p.startswith(RECORD_PACK + ":")]
    legacy = not all(map(is_pack, [*head.previous_record_pages, *head.previous_sentence_pages]))
    if legacy:  # its pages are not packs: only the strays are read
        dead, dead_records = [p for p in dead if is_pack(p)], [p for p in dead_records if is_pack(p)]
    # The replaced snapshot's packs that the new one shares hold chunks the new one has too.
    live_chunks = new_chunks | _chunk_ids(packs, replaced_only)
    if legacy:  # two publishes back was the row format: nothing in use is in it any more
        replica_rows.retire(store, embedder, live_chunks)
    dead_chunks = _chunk_ids(packs, dead_records) - live_chunks
    sending = pending()
    dead = [p for p in dead if p not in sending]  # a publish that began meanwhile sends them again
    together(deleting(packs, dead), deleting(store.collection(embedder), sorted(dead_chunks)))


def _chunk_ids(col, record_packs: list[str]) -> set[str]:
    """The chunk ids of these record packs, read a batch at a time and kept as ids only: after a
    pack format change every pack of the replaced snapshot is read here (~70 at 100×, ~10 MB
    each decoded)."""
    out: set[str] = set()
    for s in range(0, len(record_packs), PACK_BATCH):
        for pack in _read_packs(col, record_packs[s: s + PACK_BATCH]).values():
            out.update(pack.chunk_ids())
    return out


def deleting(col, ids: list[str]):
    """A call deleting these rows (for `together`)."""
    return lambda: delete_rows(col, ids, BATCH)


def together(*calls) -> None:
    """Run calls to the server at once, each in its own thread; the first error is raised once
    all have ended (a write on one collection is ~0.3–0.9 s on a server with much churn)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(c) for c in calls]
    for f in futures:
        f.result()
