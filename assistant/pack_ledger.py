"""Packs sent by a publish that never switched the head.

A publish sends its new packs before it switches the head row. If it fails in between (the
process ends, the server goes away, another replica publishes first), those packs are listed
by no head, and the pruning of the snapshot two publishes back never meets them: they would
stay on the server for good. So a publish notes what it is about to send in a row beside the
head ("sent:<snapshot>", with the time) and removes the note once the head is switched; a later
publish deletes the packs of notes older than ORPHAN_SECONDS that no live snapshot lists and no
younger note (a publish still under way) lists either."""
from __future__ import annotations

import json
import time

from .packs import deflate, inflate

NOTE_PREFIX = "sent:"
# A publish sends at most every pack of its snapshot: all 260 packs of the 100× benchmark's snapshot
# (evals/scale.py) took 12.3 s to publish to an empty server. A note an hour old, ~300 times that,
# belongs to a publish that has ended, for corpora up to two orders of magnitude larger.
ORPHAN_SECONDS = 3600.0
_DUMMY = [1.0]


def note(col, snapshot: str, packs: list[str], now: float | None = None) -> None:
    """Note the packs this publish is about to send."""
    meta = {"kind": "sent", "t": time.time() if now is None else now, "z": deflate(json.dumps(packs).encode("utf-8"))}
    col.upsert(ids=[NOTE_PREFIX + snapshot], embeddings=[_DUMMY], metadatas=[meta])


def _others(col, mine: str, now: float | None):
    """(note id, age in seconds, packs listed) of every note but this publish's own."""
    now = time.time() if now is None else now
    got = col.get(where={"kind": "sent"}, include=["metadatas"])
    for i, meta in zip(got["ids"], got["metadatas"]):
        if i != NOTE_PREFIX + mine:
            yield i, now - float(meta.get("t", 0.0)), set(json.loads(inflate(meta["z"])))


def stale(col, mine: str, now: float | None = None) -> tuple[list[str], set[str]]:
    """(the notes older than ORPHAN_SECONDS, the packs they list that no younger note lists),
    leaving out this publish's own note."""
    old_ids, old, young = [], set(), set()
    for i, age, packs in _others(col, mine, now):
        if age > ORPHAN_SECONDS:
            old_ids.append(i)
            old |= packs
        else:
            young |= packs
    return old_ids, old - young


def pending(col, mine: str, now: float | None = None) -> set[str]:
    """The packs the notes younger than ORPHAN_SECONDS list (publishes under way), but this one's."""
    return {p for _, age, packs in _others(col, mine, now) if age <= ORPHAN_SECONDS for p in packs}


def forget(col, ids: list[str]) -> None:
    if ids:
        col.delete(ids=ids)
