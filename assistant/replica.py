"""Several web processes on one Chroma server: the server holds the index, each process a cache.

With CHROMA_URL set, the process that ingests publishes its new snapshot to the server, beside
the chunks collection (`IndexStore.collection`):
  records-<embedder>    one row per document, clause and chunk record: the JSON line the
                        snapshot's records.jsonl holds (a chunk's row carries its jieba tokens
                        too, as a bag), keyed by a hash of that line, so a record already published is
                        never sent again
  sentences-<embedder>  one row per clause sentence with its vector, keyed by content as well
  head-<embedder>       one row, `head`: which snapshot is published, its state (sources,
                        embedder) and the manifest pages that list its record and sentence keys,
                        in snapshot order (in a collection of its own: one beside the pages took
                        ~0.7 s a write at 100×, as Chroma slows on a collection with much churn)
  heads-<embedder>      the manifest pages. A page is a row named by a hash of its keys, and pages
                        end where a key's own hash says (not every PAGE_KEYS keys): a change to
                        one document changes the few pages holding its keys, and a publish sends
                        only those, not the whole manifest again
Writing `head` last is the switch. Every process polls it (`sync`); when it names a snapshot the
process does not hold, the process fetches only the rows it lacks and writes a local snapshot
from them (BM25 built from the stored tokens, so jieba is not run), which its page then loads
between questions as after a local ingest. The local files are a cache keyed by the published
snapshot id, never a second source of truth: an ingest first syncs, and publishing refuses when
another process published after that sync.

Rows are pruned by the writer only when neither the new snapshot nor the one it replaced uses
them, so a replica still answering from the previous snapshot keeps finding its rows (the
rows of the snapshot two publishes back are deleted while the new ones are sent)."""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

import orjson

from .lexical import text_key
from .records import INDEX_DIR, RECORD_KEYS, RecordIndex, line_key
from .rows import gather_rows
from .store import IndexStore, IngestBusy, SentenceVectors, record_from, return_free_memory

log = logging.getLogger(__name__)

PAGE_KEYS = 5000  # keys per manifest row on average: ~250 KB of JSON, well inside one HTTP request
MAX_PAGE_KEYS = 4 * PAGE_KEYS  # a run of keys with no cut in it (rare: e^-4 of the pages) still ends
BATCH = 500  # rows per Chroma call (the server's default batch limit is far higher)
_DUMMY = [1.0]  # records and manifests are looked up by id only; Chroma still wants a vector


@dataclass(frozen=True)
class Head:
    snapshot: str
    state: dict
    record_pages: tuple[str, ...]  # the manifest's page ids, in order
    sentence_pages: tuple[str, ...]
    # The snapshot this one replaced and its manifest's pages: its rows that neither this
    # snapshot nor the one it replaced uses are deleted at the next publish, without listing
    # whole collections (250,000 ids over HTTP at 100× the bundled corpus).
    previous: str | None = None
    previous_record_pages: tuple[str, ...] = ()
    previous_sentence_pages: tuple[str, ...] = ()
    legacy: bool = field(default=False, compare=False)  # read from beside the pages (an older version's place)

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in self.__dict__.items() if k != "legacy"}, ensure_ascii=False)

    @classmethod
    def from_json(cls, h: dict) -> "Head":
        if isinstance(h["record_pages"], int):  # published before pages were named by content
            prev, (pr, ps) = h.get("previous"), h.get("previous_pages") or (0, 0)
            return cls(h["snapshot"], h["state"], *_numbered_pages(h["snapshot"], h["record_pages"], h["sentence_pages"]),
                       prev, *(_numbered_pages(prev, pr, ps) if prev else ((), ())))
        return cls(h["snapshot"], h["state"], tuple(h["record_pages"]), tuple(h["sentence_pages"]), h.get("previous"),
                   tuple(h.get("previous_record_pages") or ()), tuple(h.get("previous_sentence_pages") or ()))


def _numbered_pages(snapshot: str, record_pages: int, sentence_pages: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (tuple(f"{snapshot}:r{i}" for i in range(record_pages)), tuple(f"{snapshot}:s{i}" for i in range(sentence_pages)))


def paginate(keys: list[str], kind: str) -> dict[str, list[str]]:
    """The keys cut into pages, by page id. A page ends after a key whose hash is 0 modulo
    PAGE_KEYS (so ~PAGE_KEYS keys a page, at most MAX_PAGE_KEYS): where pages end depends on
    the keys around it only, so inserting or replacing one document's keys leaves the pages
    before and after it as they were, with the same ids."""
    pages: dict[str, list[str]] = {}
    page: list[str] = []
    for k in keys:
        page.append(k)
        if int(k[-8:], 16) % PAGE_KEYS == 0 or len(page) >= MAX_PAGE_KEYS:
            pages[f"{kind}:{text_key(chr(10).join(page))}"] = page
            page = []
    if page:
        pages[f"{kind}:{text_key(chr(10).join(page))}"] = page
    return pages


# Chroma (1.5.9, embedded and `chroma run`) replays a collection's writes since its vector index
# was last saved on every new write, and saves it every `sync_threshold` rows (default 1000). The
# head (one ~150 KB row, rewritten at each publish) and the pages (a few ~250 KB rows a publish)
# would reach that after hundreds of publishes: measured on one server, a head write grew by
# ~18 ms with each publish (0.04 s → 0.47 s after 25). Their indexes hold a row or a few dozen
# (one-number dummy vectors), so saving at every write costs nothing and keeps writes flat (~0.05 s).
_FEW_ROWS = {"hnsw": {"sync_threshold": 1, "batch_size": 1}}


def _few_rows(client, name: str):
    """A collection of few large rows, saved at every write. One made before this setting is
    changed to it (a running server applies it once it loads the collection again)."""
    col = client.get_or_create_collection(name, embedding_function=None, configuration=_FEW_ROWS)
    hnsw = (getattr(col, "configuration", None) or {}).get("hnsw") or {}
    if hnsw.get("sync_threshold", 1) != 1:
        col.modify(configuration=_FEW_ROWS)
    return col


def _collections(store: IndexStore, embedder: str):
    slug = store.collection_name(embedder).removeprefix("clauses-")
    client = store.client()
    get = client.get_or_create_collection
    return (get(f"records-{slug}", embedding_function=None), get(f"sentences-{slug}", embedding_function=None),
            _few_rows(client, f"heads-{slug}"))


def _embedder_of(store: IndexStore) -> str:
    from .embed import embedder_id

    return embedder_id(store.settings.embedder)


def _head_collection(store: IndexStore, embedder: str):
    slug = store.collection_name(embedder).removeprefix("clauses-")
    return _few_rows(store.client(), f"head-{slug}")


def read_head(store: IndexStore) -> Head | None:
    embedder = _embedder_of(store)
    got = _head_collection(store, embedder).get(ids=["head"], include=["documents"])
    legacy = not got["ids"]
    if legacy:  # published by a version that kept the head beside the pages
        got = _collections(store, embedder)[2].get(ids=["head"], include=["documents"])
    if not got["ids"]:
        return None
    return replace(Head.from_json(json.loads(got["documents"][0])), legacy=legacy)


def _manifest(heads, head: Head) -> tuple[list[str], list[str]]:
    return _pages(heads, head.record_pages, head.sentence_pages, strict=True)


def _pages(heads, record_pages, sentence_pages, strict: bool = False) -> tuple[list[str], list[str]]:
    """A published snapshot's record and sentence keys, in order."""
    ids = list(dict.fromkeys([*record_pages, *sentence_pages]))
    got = {i: doc for i, (doc,) in _fetch(heads, ids, ["documents"]).items()}
    if strict and len(got) != len(ids):
        raise RuntimeError(f"Chroma 中已发布索引的清单不完整（缺 {len(ids) - len(got)} 页）")

    def keys(pages) -> list[str]:
        return [k for i in pages if i in got for k in json.loads(got[i])]

    return keys(record_pages), keys(sentence_pages)


def _raw_lines(path: Path | None) -> dict[str, bytes]:
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
    import numpy as np

    return [k.decode("ascii") for k in np.load(snapshot / RECORD_KEYS).tolist()] if (snapshot / RECORD_KEYS).exists() else []


def _published_lines(snapshot: Path, known: set[str]) -> tuple[list[str], dict[str, str]]:
    """(a local snapshot's record keys in order, the lines of those not in `known`, decoded):
    from the keys kept with it where it has them, else by hashing every line."""
    keys = _kept_keys(snapshot)
    offsets = RecordIndex.load(snapshot / INDEX_DIR).offsets if keys else None
    if offsets is None or len(offsets) != len(keys) + 1:
        raw = _raw_lines(snapshot)
        return list(raw), {k: line.decode("utf-8") for k, line in raw.items() if k not in known}
    fresh: dict[str, str] = {}
    with open(snapshot / "records.jsonl", "rb") as f:
        for i, k in enumerate(keys):
            if k not in known and k not in fresh:
                f.seek(int(offsets[i]))
                fresh[k] = f.read(int(offsets[i + 1] - offsets[i])).rstrip(b"\n").decode("utf-8")
    return list(dict.fromkeys(keys)), fresh


def _local_tokens(path: Path, wanted: set[str]) -> dict[str, list[str]]:
    """A local snapshot's tokens of the chunk texts with these keys (as bags: BM25 needs no order)."""
    from .lexical import LexicalIndex

    lex = LexicalIndex.load(path / "lexical", with_keys=True)
    return {k: lex.tokens(i) for i, k in enumerate(lex.keys) if k in wanted}


def _fetch(col, ids: list[str], include: list[str]) -> dict[str, tuple]:
    # One batch at a time: four in flight took a first sync at 100× from 33 to 28 s, but left
    # 460 MB of heap in the threads' malloc arenas after it, against 270 MB (2026-12-06).
    out: dict[str, tuple] = {}
    for s in range(0, len(ids), BATCH):
        got = col.get(ids=ids[s: s + BATCH], include=include)
        for n, i in enumerate(got["ids"]):
            out[i] = tuple(got[k][n] for k in include)
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


def sync_locked(store: IndexStore) -> str | None:
    head = read_head(store)
    if head is None:
        return None
    local = store.current_path()
    if local is not None and head.snapshot in (local.name, store.load_state().get("published")):
        return head.snapshot
    records, sentences, heads = _collections(store, head.state["embedder"])
    record_keys, sentence_keys = _manifest(heads, head)
    local_lines = _raw_lines(local)
    lines, tokens = dict(local_lines), {}
    missing = [k for k in record_keys if k not in lines]
    for k, (doc,) in _fetch(records, missing, ["documents"]).items():
        row = json.loads(doc)
        lines[k] = row["r"]
        if "t" in row:
            tokens[row["h"]] = row["t"]
    if any(k not in lines for k in record_keys):
        raise RuntimeError(f"Chroma 中已发布索引 {head.snapshot} 缺少记录：请在写入的进程上重新收录")
    documents, clauses, chunks, reuse = [], [], [], {}
    unchanged: set[str] = set()  # chunks whose record line the local copy holds as it is
    for k in record_keys:
        kind, obj = record_from(orjson.loads(lines[k]))
        (documents if kind == "document" else clauses if kind == "clause" else chunks).append(obj)
        reuse[id(obj)] = (obj, lines[k], k)  # written back as received, not serialised again
        if kind == "chunk" and k in local_lines:
            unchanged.add(obj.chunk_id)
    sent = _sentences(local, sentences, sentence_keys)
    vecs = _chunk_vectors(store, local, local_lines, head.state["embedder"], chunks, unchanged)
    store.write_snapshot({**head.state, "published": head.snapshot}, documents, clauses, chunks, sent, vecs,
                         tokens=tokens, lines=reuse)
    return head.snapshot


def _sentences(local: Path | None, col, keys: list[str]) -> SentenceVectors:
    import numpy as np

    old, row, old_ids, old_texts = None, {}, [], []
    if local is not None and (local / "sentences.npy").exists():
        old = SentenceVectors.load(local)
        # Read the mapped columns once as lists, not a row at a time (1.5 s at 100× the bundled corpus).
        old_ids, old_texts = list(old.clause_ids), list(old.texts)
        row = {k: i for i, k in enumerate(old.key_list())}
    got = _fetch(col, [k for k in keys if k not in row], ["documents", "metadatas", "embeddings"])
    ids = [old_ids[row[k]] if k in row else got[k][1]["clause_id"] for k in keys]
    texts = [old_texts[row[k]] if k in row else got[k][0] for k in keys]
    vecs = gather_rows(len(keys), [row.get(k) for k in keys], old.vectors if old else None,
                   {i: got[k][2] for i, k in enumerate(keys) if k not in row})
    return SentenceVectors(ids, texts, vecs, np.array(keys, dtype="S40"))


def _chunk_vectors(store: IndexStore, local: Path | None, local_lines: dict[str, bytes], embedder: str, chunks,
                   unchanged: set[str]):
    """The chunks' vectors: those the local snapshot holds for `unchanged` chunks (its chunk
    lines, in file order, are its chunks.npy rows), the rest fetched from the chunks
    collection. A chunk id alone is not enough: a document chunked again (another chunk size,
    another pipeline) keeps its ids for other text, whose vectors are the server's."""
    import numpy as np

    row, old = {}, None
    if local is not None and (local / "chunks.npy").exists():
        old = np.load(local / "chunks.npy", mmap_mode="r")
        if (local / INDEX_DIR / "meta.json").exists():  # the chunk ids as a column, no line parsed
            local_ids = list(RecordIndex.load(local / INDEX_DIR).chunk_ids)
        else:
            local_ids = [r["chunk_id"] for r in map(orjson.loads, local_lines.values()) if r.get("type") == "chunk"]
        if len(local_ids) == len(old):
            row = {c: i for i, c in enumerate(local_ids) if c in unchanged}
    need = [c.chunk_id for c in chunks if c.chunk_id not in row]
    got = _fetch(store.collection(embedder), need, ["embeddings"])
    if len(got) != len(need):
        raise RuntimeError(f"Chroma 中缺少 {len(need) - len(got)} 个片段向量：请在写入的进程上重新收录")
    pos = {c.chunk_id: i for i, c in enumerate(chunks)}
    return gather_rows(len(chunks), [row.get(c.chunk_id) for c in chunks], old if row else None,
                   {pos[c]: v[0] for c, v in got.items()})


def publish(store: IndexStore, snapshot: Path, base: str | None) -> Head:
    """Send a local snapshot to the server and make it the published one. `base` is the
    published snapshot the ingest started from: if another process has published since, the
    new snapshot would drop its documents, so nothing is switched."""
    state = json.loads((snapshot / "state.json").read_text(encoding="utf-8"))
    records, sentences, heads = _collections(store, state["embedder"])
    head = read_head(store)
    if (head.snapshot if head else None) != base:  # also a head gone since the sync: never publish blind
        now = head.snapshot if head else "已被清空"
        raise IngestBusy(f"另一个服务进程刚刚更新了共享索引（{now}），本次收录未发布：请重试 (index changed on the server)")
    old_records, old_sentences = _manifest(heads, head) if head else ([], [])
    record_keys, lines = _published_lines(snapshot, set(old_records))
    fresh = list(lines)
    fresh_texts = {text_key(r["embed_text"]) for r in (orjson.loads(lines[k]) for k in fresh) if r.get("type") == "chunk"}
    tokens = _local_tokens(snapshot, fresh_texts) if fresh_texts else {}
    sv = SentenceVectors.load(snapshot)
    sentence_keys = sv.key_list()
    known = set(old_sentences)
    pages, spages = paginate(record_keys, "r"), paginate(sentence_keys, "s")
    new = Head(snapshot.name, {k: v for k, v in state.items() if k != "published"}, tuple(pages), tuple(spages),
               head.snapshot if head else None, head.record_pages if head else (), head.sentence_pages if head else ())
    sent = set(head.record_pages) | set(head.sentence_pages) if head else set()  # on the server already
    # Three collections written at once (the server serves them in parallel); all before the switch.
    writes = [lambda: _upsert(records, [(k, _row(lines[k], tokens), None) for k in fresh]),
              lambda: _upsert(sentences, [(k, sv.texts[i], (sv.vectors[i], sv.clause_ids[i]))
                                          for i, k in enumerate(sentence_keys) if k not in known]),
              lambda: _upsert(heads, [(i, json.dumps(p), None) for i, p in (pages | spages).items() if i not in sent])]
    if head is not None and head.previous:
        # Rows that only the snapshot two publishes back uses are dead whether this switch
        # happens or not (the published one does not use them either): deleted meanwhile.
        writes.append(lambda: _prune(store, state["embedder"], head, set(record_keys) | set(old_records),
                                     set(sentence_keys) | set(old_sentences), set(new.record_pages) | set(new.sentence_pages) | sent))
    _together(*writes)
    _upsert(_head_collection(store, state["embedder"]), [("head", new.to_json(), None)])  # the switch
    if head is not None and head.legacy:
        # Where an older version reads the head: overwritten, not deleted, so a process of that
        # version still running fails loudly (pages it cannot count) instead of seeing no index.
        _upsert(heads, [("head", new.to_json(), None)])
    return new


def _prune(store: IndexStore, embedder: str, head: Head, live_records: set[str], live_sentences: set[str],
           live_pages: set[str]) -> None:
    """Delete the rows of the snapshot two publishes back that neither the new snapshot nor
    the one it replaced uses: its records, its sentences, its chunks' vectors and its manifest pages."""
    records, sentences, heads = _collections(store, embedder)
    # Only the pages no live manifest lists can hold dead keys: a page's id names its keys, so
    # a live page's keys are all live (a one-document change leaves a handful of pages to read,
    # not the whole manifest: 12 MB at 100× the bundled corpus).
    dead_records = [i for i in head.previous_record_pages if i not in live_pages]
    dead_sentences = [i for i in head.previous_sentence_pages if i not in live_pages]
    dead_pages = list(dict.fromkeys([*dead_records, *dead_sentences]))
    older_records, older_sentences = _pages(heads, dead_records, dead_sentences)
    dead = [k for k in dict.fromkeys(older_records) if k not in live_records]
    chunk_ids = []
    for _, (doc,) in _fetch(records, dead, ["documents"]).items():
        rec = orjson.loads(orjson.loads(doc)["r"])
        if rec.get("type") == "chunk":
            chunk_ids.append(rec["chunk_id"])  # a chunk id names its file's content: a dead record's is dead

    def delete(col, ids: list[str]):
        return lambda: [col.delete(ids=ids[s: s + BATCH]) for s in range(0, len(ids), BATCH)]

    _together(delete(records, dead), delete(sentences, [k for k in dict.fromkeys(older_sentences) if k not in live_sentences]),
              delete(store.collection(embedder), chunk_ids), delete(heads, dead_pages))


def _together(*calls) -> None:
    """Run calls to the server at once, each in its own thread; the first error is raised once
    all have ended (a write on one collection is ~0.3–0.9 s on a server with much churn)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(c) for c in calls]
    for f in futures:
        f.result()


def _row(line: str, tokens: dict[str, list[str]]) -> str:
    rec = json.loads(line)
    row = {"r": line}
    if rec.get("type") == "chunk":
        h = text_key(rec["embed_text"])
        if h in tokens:
            row |= {"h": h, "t": tokens[h]}
    return json.dumps(row, ensure_ascii=False)


def _upsert(col, rows: list[tuple[str, str, tuple | None]]) -> None:
    for s in range(0, len(rows), BATCH):
        part = rows[s: s + BATCH]
        vec = [list(map(float, r[2][0])) if r[2] else _DUMMY for r in part]
        meta = [{"clause_id": r[2][1]} if r[2] else {"k": 0} for r in part]
        col.upsert(ids=[r[0] for r in part], documents=[r[1] for r in part], embeddings=vec, metadatas=meta)


def prepare(store: IndexStore) -> None:
    """Before a process answers: its cache brought to the published snapshot (with a current
    cache that is one read of the head row). With the server unreachable it answers from the
    cache it has, if any."""
    try:
        sync(store)
    except IngestBusy:
        pass  # another process on this folder is syncing or ingesting: CURRENT will follow
    except Exception:
        if not store.exists():
            raise
        log.exception("Chroma server unreachable: answering from the local copy %s", store.current_id())


class Follower:
    """Keeps a serving process on the published snapshot: polls the server's head every
    `every` seconds, syncs the local cache when it moved, then calls `on_change` (the page
    loads the new snapshot in the background, so the next question already sees it)."""

    def __init__(self, store: IndexStore, every: float, on_change) -> None:
        self.store, self.every, self.on_change = store, every, on_change
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="index-follower")

    def start(self) -> "Follower":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                before = self.store.current_id()
                sync(self.store)
                if self.store.current_id() != before:
                    self.on_change()
            except IngestBusy:
                pass  # this folder's own writer (an ingest, another process's sync) is at work
            except Exception:  # the server away for a moment: keep serving what is loaded
                log.exception("could not follow the published index")
