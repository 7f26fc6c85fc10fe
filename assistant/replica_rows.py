"""Reading a snapshot published a row per record (the format before packs, assistant/packs.py):

  records-<embedder>    one row per document, clause and chunk record, keyed by a hash of its
                        JSON line (a chunk's row carries its jieba tokens too, as a bag)
  sentences-<embedder>  one row per clause sentence with its vector, keyed by content as well
  heads-<embedder>      the manifest pages: each lists the record or sentence keys of a part of
                        the snapshot, in snapshot order
and each chunk's vector in the chunks collection. This version publishes packs only; it still
follows a head in this format (a server written by the version before) and prunes its rows once
no snapshot in use is in it."""
from __future__ import annotations

import json
from pathlib import Path

import orjson

from . import replica
from .rows import gather_rows
from .store import IndexStore, SentenceVectors


def manifest(heads, head) -> tuple[list[str], list[str]]:
    return pages(heads, head.record_pages, head.sentence_pages, strict=True)


def pages(heads, record_pages, sentence_pages, strict: bool = False) -> tuple[list[str], list[str]]:
    """A published snapshot's record and sentence keys, in order."""
    ids = list(dict.fromkeys([*record_pages, *sentence_pages]))
    got = {i: replica.payload(doc, meta) for i, (doc, meta) in replica.fetch(heads, ids, ["documents", "metadatas"]).items()}
    if strict and len(got) != len(ids):
        raise RuntimeError(f"Chroma 中已发布索引的清单不完整（缺 {len(ids) - len(got)} 页）")

    def keys(page_ids) -> list[str]:
        return [k for i in page_ids if i in got for k in json.loads(got[i])]

    return keys(record_pages), keys(sentence_pages)


def sync(store: IndexStore, head, local: Path | None) -> None:
    records, sentences, heads = replica.collections(store, head.state["embedder"])
    record_keys, sentence_keys = manifest(heads, head)
    local_lines = replica.raw_lines(local)
    lines, tokens = dict(local_lines), {}
    missing = [k for k in record_keys if k not in lines]
    for k, (doc,) in replica.fetch(records, missing, ["documents"]).items():
        row = json.loads(doc)
        lines[k] = row["r"]
        if "t" in row:
            tokens[row["h"]] = row["t"]
    if any(k not in lines for k in record_keys):
        raise RuntimeError(f"Chroma 中已发布索引 {head.snapshot} 缺少记录：请在写入的进程上重新收录")
    documents, clauses, chunks, reuse, unchanged, _ = replica.parse_records(record_keys, lines, local_lines)
    sent = _sentences(local, sentences, sentence_keys)
    need = [c.chunk_id for c in chunks if c.chunk_id not in unchanged]
    got = {c: v for c, (v,) in replica.fetch(store.collection(head.state["embedder"]), need, ["embeddings"]).items()}
    vecs = replica.chunk_vectors(local, replica.local_chunk_ids(local, local_lines), chunks, unchanged, got)
    store.write_snapshot({**head.state, "published": head.snapshot}, documents, clauses, chunks, sent, vecs,
                         tokens=tokens, lines=reuse)


def _sentences(local: Path | None, col, keys: list[str]) -> SentenceVectors:
    import numpy as np

    old, row, old_ids, old_texts = None, {}, [], []
    if local is not None and (local / "sentences.npy").exists():
        old = SentenceVectors.load(local)
        # Read the mapped columns once as lists, not a row at a time (1.5 s at 100× the bundled corpus).
        old_ids, old_texts = list(old.clause_ids), list(old.texts)
        row = {k: i for i, k in enumerate(old.key_list())}
    got = replica.fetch(col, [k for k in keys if k not in row], ["documents", "metadatas", "embeddings"])
    ids = [old_ids[row[k]] if k in row else got[k][1]["clause_id"] for k in keys]
    texts = [old_texts[row[k]] if k in row else got[k][0] for k in keys]
    vecs = gather_rows(len(keys), [row.get(k) for k in keys], old.vectors if old else None,
                       {i: got[k][2] for i, k in enumerate(keys) if k not in row})
    return SentenceVectors(ids, texts, vecs, np.array(keys, dtype="S40"))


def prune(store: IndexStore, embedder: str, head, live_records: set[str], live_sentences: set[str],
          live_pages: set[str], live_chunks: set[str]) -> None:
    """Delete the rows of the snapshot two publishes back that neither the new snapshot nor
    the one it replaced uses: its records, its sentences, its chunks' vectors and its manifest pages."""
    records, sentences, heads = replica.collections(store, embedder)
    # Only the pages no live manifest lists can hold dead keys: a page's id names its keys.
    dead_records = [i for i in head.previous_record_pages if i not in live_pages]
    dead_sentences = [i for i in head.previous_sentence_pages if i not in live_pages]
    dead_pages = list(dict.fromkeys([*dead_records, *dead_sentences]))
    older_records, older_sentences = pages(heads, dead_records, dead_sentences)
    dead = [k for k in dict.fromkeys(older_records) if k not in live_records]
    chunk_ids = []
    for _, (doc,) in replica.fetch(records, dead, ["documents"]).items():
        rec = orjson.loads(orjson.loads(doc)["r"])
        if rec.get("type") == "chunk":
            chunk_ids.append(rec["chunk_id"])
    # A chunk id names its file and place, not its text: a document chunked again keeps ids for
    # other text, so a dead record's id may be the new snapshot's.
    chunk_ids = [c for c in chunk_ids if c not in live_chunks]
    replica.together(replica.deleting(records, dead),
                     replica.deleting(sentences, [k for k in dict.fromkeys(older_sentences) if k not in live_sentences]),
                     replica.deleting(store.collection(embedder), chunk_ids), replica.deleting(heads, dead_pages))


def retire(store: IndexStore, embedder: str, live_chunks: set[str]) -> None:
    """Once no snapshot in use is in the row format: its record and sentence collections and
    its manifest pages deleted whole, and the chunk vectors no live snapshot has (listed once)."""
    client = store.client()
    records, sentences, heads = replica.collections(store, embedder)
    pages_left = [i for i in heads.get(include=[])["ids"] if i != "head"]
    chunks = store.collection(embedder)
    dead = [c for c in chunks.get(include=[])["ids"] if c not in live_chunks]
    replica.together(replica.deleting(heads, pages_left), replica.deleting(chunks, dead))
    for col in (records, sentences):
        client.delete_collection(col.name)
