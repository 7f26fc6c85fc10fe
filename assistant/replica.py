"""Several web processes on one Chroma server: the server holds the index, each process a cache.

With CHROMA_URL set, the process that ingests publishes its new snapshot to the server, beside
the chunks collection (`IndexStore.collection`):
  records-<embedder>    one row per document, clause and chunk record: the JSON line the
                        snapshot's records.jsonl holds (a chunk's row carries its jieba tokens
                        too, as a bag), keyed by a hash of that line, so a record already published is
                        never sent again
  sentences-<embedder>  one row per clause sentence with its vector, keyed by content as well
  heads-<embedder>      the row `head`: which snapshot is published, its state (sources,
                        embedder) and how many manifest pages list its record and sentence keys,
                        in snapshot order; the pages are rows `<snapshot>:r<i>` / `<snapshot>:s<i>`
Writing `head` last is the switch. Every process polls it (`sync`); when it names a snapshot the
process does not hold, the process fetches only the rows it lacks and writes a local snapshot
from them (BM25 built from the stored tokens, so jieba is not run), which its page then loads
between questions as after a local ingest. The local files are a cache keyed by the published
snapshot id, never a second source of truth: an ingest first syncs, and publishing refuses when
another process published after that sync.

Rows are pruned by the writer only when neither the new snapshot nor the one it replaced uses
them, so a replica still answering from the previous snapshot keeps finding its rows."""
from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from .lexical import text_key
from .store import IndexStore, IngestBusy, SentenceVectors, record_from

log = logging.getLogger(__name__)

PAGE_KEYS = 5000  # keys per manifest row: ~250 KB of JSON, well inside one HTTP request
BATCH = 500  # rows per Chroma call (the server's default batch limit is far higher)
_DUMMY = [1.0]  # records and manifests are looked up by id only; Chroma still wants a vector


@dataclass(frozen=True)
class Head:
    snapshot: str
    state: dict
    record_pages: int
    sentence_pages: int


def _key(line: str) -> str:
    return hashlib.sha1(line.encode("utf-8")).hexdigest()


def sentence_key(clause_id: str, text: str) -> str:
    return _key(f"{clause_id}\x1f{text}")


def _collections(store: IndexStore, embedder: str):
    slug = store.collection_name(embedder).removeprefix("clauses-")
    get = store.client().get_or_create_collection
    return (get(f"records-{slug}", embedding_function=None), get(f"sentences-{slug}", embedding_function=None),
            get(f"heads-{slug}", embedding_function=None))


def _embedder_of(store: IndexStore) -> str:
    from .embed import embedder_id

    return embedder_id(store.settings.embedder)


def read_head(store: IndexStore) -> Head | None:
    _, _, heads = _collections(store, _embedder_of(store))
    got = heads.get(ids=["head"], include=["documents"])
    if not got["ids"]:
        return None
    h = json.loads(got["documents"][0])
    return Head(h["snapshot"], h["state"], h["record_pages"], h["sentence_pages"])


def _manifest(heads, head: Head) -> tuple[list[str], list[str]]:
    ids = [f"{head.snapshot}:r{i}" for i in range(head.record_pages)] + [f"{head.snapshot}:s{i}" for i in range(head.sentence_pages)]
    got = dict(zip(*(lambda g: (g["ids"], g["documents"]))(heads.get(ids=ids, include=["documents"]))))
    if len(got) != len(ids):
        raise RuntimeError(f"Chroma 中已发布索引 {head.snapshot} 的清单不完整（缺 {len(ids) - len(got)} 页）")
    pages = [json.loads(got[i]) for i in ids]
    return ([k for p in pages[: head.record_pages] for k in p], [k for p in pages[head.record_pages:] for k in p])


def _local_lines(path: Path | None) -> dict[str, str]:
    """The records of a local snapshot by key (its JSON line)."""
    lines = {}
    if path is not None:
        with open(path / "records.jsonl", encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                lines[_key(line)] = line
    return lines


def _local_tokens(path: Path) -> dict[str, list[str]]:
    """A local snapshot's chunk tokens by text key (as bags: BM25 needs no order)."""
    from .lexical import LexicalIndex

    lex = LexicalIndex.load(path / "lexical", with_keys=True)
    return {k: lex.tokens(i) for i, k in enumerate(lex.keys)}


def _fetch(col, ids: list[str], include: list[str]) -> dict[str, tuple]:
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
        return sync_locked(store)


def sync_locked(store: IndexStore) -> str | None:
    head = read_head(store)
    if head is None:
        return None
    local = store.current_path()
    if local is not None and head.snapshot in (local.name, store.load_state().get("published")):
        return head.snapshot
    records, sentences, heads = _collections(store, head.state["embedder"])
    record_keys, sentence_keys = _manifest(heads, head)
    lines, tokens = _local_lines(local), {}
    missing = [k for k in record_keys if k not in lines]
    for k, (doc,) in _fetch(records, missing, ["documents"]).items():
        row = json.loads(doc)
        lines[k] = row["r"]
        if "t" in row:
            tokens[row["h"]] = row["t"]
    if any(k not in lines for k in record_keys):
        raise RuntimeError(f"Chroma 中已发布索引 {head.snapshot} 缺少记录：请在写入的进程上重新收录")
    documents, clauses, chunks = [], [], []
    for k in record_keys:
        kind, obj = record_from(json.loads(lines[k]))
        (documents if kind == "document" else clauses if kind == "clause" else chunks).append(obj)
    sent = _sentences(store, local, sentences, sentence_keys)
    vecs = _chunk_vectors(store, local, head.state["embedder"], chunks)
    store.write_snapshot({**head.state, "published": head.snapshot}, documents, clauses, chunks, sent, vecs, tokens=tokens)
    return head.snapshot


def _sentences(store: IndexStore, local: Path | None, col, keys: list[str]) -> SentenceVectors:
    import numpy as np

    have: dict[str, tuple[str, str, object]] = {}
    if local is not None and (local / "sentences.json").exists():
        old = SentenceVectors.load(local)
        have = {sentence_key(c, t): (c, t, v) for c, t, v in zip(old.clause_ids, old.texts, old.vectors)}
    got = _fetch(col, [k for k in keys if k not in have], ["documents", "metadatas", "embeddings"])
    rows = [have[k] if k in have else (got[k][1]["clause_id"], got[k][0], np.asarray(got[k][2], dtype=np.float32)) for k in keys]
    vecs = np.stack([r[2] for r in rows]) if rows else np.zeros((0, 1), dtype=np.float32)
    return SentenceVectors([r[0] for r in rows], [r[1] for r in rows], vecs)


def _chunk_vectors(store: IndexStore, local: Path | None, embedder: str, chunks):
    import numpy as np

    have = {}
    if local is not None and (local / "chunks.npy").exists():
        snap = store._read(local)
        vecs = snap.chunk_vectors
        if vecs is not None and len(vecs) == len(snap.chunks):
            have = {c.chunk_id: vecs[i] for i, c in enumerate(snap.chunks)}
    got = _fetch(store.collection(embedder), [c.chunk_id for c in chunks if c.chunk_id not in have], ["embeddings"])
    have |= {i: np.asarray(v[0], dtype=np.float32) for i, v in got.items()}
    return np.stack([have[c.chunk_id] for c in chunks]) if chunks else np.zeros((0, 1), dtype=np.float32)


def publish(store: IndexStore, snapshot: Path, base: str | None) -> Head:
    """Send a local snapshot to the server and make it the published one. `base` is the
    published snapshot the ingest started from: if another process has published since, the
    new snapshot would drop its documents, so nothing is switched."""
    state = json.loads((snapshot / "state.json").read_text(encoding="utf-8"))
    records, sentences, heads = _collections(store, state["embedder"])
    head = read_head(store)
    if head is not None and head.snapshot != base:
        raise IngestBusy(f"另一个服务进程刚刚更新了共享索引（{head.snapshot}），本次收录未发布：请重试 (index changed on the server)")
    old_records, old_sentences = _manifest(heads, head) if head else ([], [])
    lines = _local_lines(snapshot)
    record_keys = list(lines)
    known = set(old_records)
    fresh = [k for k in record_keys if k not in known]
    tokens = _local_tokens(snapshot) if fresh else {}
    _upsert(records, [(k, _row(lines[k], tokens), None) for k in fresh])
    sv = SentenceVectors.load(snapshot)
    sentence_keys = [sentence_key(c, t) for c, t in zip(sv.clause_ids, sv.texts)]
    known = set(old_sentences)
    _upsert(sentences, [(k, sv.texts[i], (sv.vectors[i], sv.clause_ids[i])) for i, k in enumerate(sentence_keys) if k not in known])
    pages = [record_keys[s: s + PAGE_KEYS] for s in range(0, len(record_keys), PAGE_KEYS)]
    spages = [sentence_keys[s: s + PAGE_KEYS] for s in range(0, len(sentence_keys), PAGE_KEYS)]
    new = Head(snapshot.name, {k: v for k, v in state.items() if k != "published"}, len(pages), len(spages))
    page_rows = [(f"{new.snapshot}:r{i}", json.dumps(p), None) for i, p in enumerate(pages)]
    page_rows += [(f"{new.snapshot}:s{i}", json.dumps(p), None) for i, p in enumerate(spages)]
    _upsert(heads, page_rows)
    _upsert(heads, [("head", json.dumps(new.__dict__, ensure_ascii=False), None)])  # the switch
    _prune(records, set(record_keys) | set(old_records))
    _prune(sentences, set(sentence_keys) | set(old_sentences))
    _prune(heads, {"head"} | {r[0] for r in page_rows} | _page_ids(head))
    return new


def _page_ids(head: Head | None) -> set[str]:
    if head is None:
        return set()
    return {f"{head.snapshot}:r{i}" for i in range(head.record_pages)} | {f"{head.snapshot}:s{i}" for i in range(head.sentence_pages)}


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


def _prune(col, keep: set[str]) -> None:
    dead = [i for i in col.get(include=[])["ids"] if i not in keep]
    for s in range(0, len(dead), BATCH):
        col.delete(ids=dead[s: s + BATCH])


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
