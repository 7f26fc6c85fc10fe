"""How a serving process keeps its local copy on the published snapshot: brought to it before
the first answer (`prepare`: a large first copy made by a child process), then followed while it
answers (`Follower`). The copying itself is assistant/replica.py."""
from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

from . import replica
from .packs import PACK_KEYS, PAGE_KEYS
from .replica import holds_published, read_head
from .store import IndexStore, IngestBusy

log = logging.getLogger(__name__)


# A first copy of at least this many packs is made by a child process. Measured at 100× the
# bundled corpus (~260 packs): an empty start in-process kept 256 MB of heap against 153 MB with a
# current copy, ~0.4 MB a pack; a child costs ~2 s of start (3.1–3.5 → 5.4 s at 1×, 5 packs). The
# memory bar (1.2× a 145 MB process) leaves ~29 MB: from ~50 packs on, the heap kept would eat
# most of it, so below that the copy is made in-process.
CHILD_MIN_PACKS = 50
# chromadb's HTTP client waits for a reply without limit, so a server that stops answering mid-copy
# would hold a starting replica forever. The child is killed past this time: a first copy at 100×
# took ~15 s for ~260 packs (~0.06 s a pack, start included); the bound allows ten times that
# per pack, plus a minute for the child's start and writing the snapshot.
CHILD_BASE_SECONDS, CHILD_SECONDS_PER_PACK = 60.0, 0.6


def prepare(store: IndexStore) -> None:
    """Before a process answers: its cache brought to the published snapshot (with a current
    cache that is one read of the head row). A large first copy is made by a child process
    (CHILD_MIN_PACKS), so the serving process never holds what that sync allocated. With the
    server unreachable it answers from the cache it has, if any."""
    try:
        head = read_head(store)
        local = store.current_path()
        if head is None or holds_published(store, head, local):
            return
        packs = len(head.record_pages) + len(head.sentence_pages)
        if not head.packed:  # the row format's pages hold ~PAGE_KEYS keys, packs ~PACK_KEYS
            packs *= PAGE_KEYS // PACK_KEYS
        if local is None and packs >= CHILD_MIN_PACKS:
            _sync_in_child(store, CHILD_BASE_SECONDS + CHILD_SECONDS_PER_PACK * packs)
        else:
            replica.sync(store)
    except IngestBusy:
        pass  # another process on this folder is syncing or ingesting: CURRENT will follow
    except Exception:
        if not store.exists():
            raise
        log.exception("Chroma server unreachable: answering from the local copy %s", store.current_id())


_SECRETS = ("llm_api_key", "admin_password")  # not handed to the child: it only reads the index
_BUSY_EXIT = 3


def _sync_in_child(store: IndexStore, timeout: float) -> None:
    import dataclasses
    import subprocess
    import sys

    fields = {k: (str(v) if isinstance(v, Path) else v) for k, v in dataclasses.asdict(store.settings).items() if k not in _SECRETS}
    try:
        done = subprocess.run([sys.executable, "-c", "from assistant.follow import sync_child; sync_child()"],
                              input=json.dumps(fields), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:  # killed: its lock goes with it, its unfinished snapshot is never current
        raise RuntimeError(f"从 Chroma 服务器同步索引超时：{timeout:.0f} 秒内未完成，已停止。"
                           f"请检查 {store.settings.chroma_url} 是否正常响应") from None
    if done.returncode == _BUSY_EXIT:
        raise IngestBusy(done.stderr.strip())
    if done.returncode != 0:
        last = " / ".join(done.stderr.strip().splitlines()[-3:]) or "(no output)"  # the error, after its traceback
        raise RuntimeError(f"从 Chroma 服务器同步索引失败：{last}")


def sync_child() -> None:
    """The child process of `_sync_in_child`: the settings as JSON on stdin, one sync."""
    import dataclasses
    import sys

    from .settings import Settings

    given = json.loads(sys.stdin.read())
    paths = {f.name for f in dataclasses.fields(Settings) if "Path" in str(f.type)}
    settings = Settings(**{k: (Path(v) if k in paths and v is not None else v) for k, v in given.items()})
    try:
        replica.sync(IndexStore(settings))
    except IngestBusy as e:
        print(e, file=sys.stderr)
        raise SystemExit(_BUSY_EXIT)


class Follower:
    """Keeps a serving process on the published snapshot: polls the server's head every
    `every` seconds, syncs the local cache when it moved, then calls `on_change` (the page
    loads the new snapshot in the background, so the next question already sees it)."""

    def __init__(self, store: IndexStore, every: float, on_change) -> None:
        self.store, self.every, self.on_change = store, every, on_change
        self.last_ok: float | None = None  # until the first poll: prepare() may have answered from the copy alone
        self.last_error: str | None = None  # why the latest poll failed, until one succeeds
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
                replica.sync(self.store)
                self.last_ok, self.last_error = time.time(), None
                if self.store.current_id() != before:
                    self.on_change()
            except IngestBusy:
                pass  # this folder's own writer (an ingest, another process's sync) is at work
            except Exception as e:  # the server away for a moment: keep serving what is loaded
                self.last_error = f"{type(e).__name__}: {e}"
                log.exception("could not follow the published index")

    def status(self) -> dict:
        """For a health check: how long since the published head was last read, and why not since."""
        age = None if self.last_ok is None else round(time.time() - self.last_ok, 1)
        return {"every_s": self.every, "since_last_sync_s": age, "last_error": self.last_error}
