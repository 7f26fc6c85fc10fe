"""Requests to a Chroma server are bounded in time: a server that accepts connections and stops
answering is named in an error instead of holding a process forever (chromadb's own client
waits without limit)."""
from __future__ import annotations

import os
import signal
import socket
import threading

import httpx
import pytest

from assistant import chroma_client
from assistant.chroma_client import ChromaUnreachable, make_client
from tests.conftest import running_chroma

pytestmark = pytest.mark.slow


def _in_thread(call, wait: float = 60.0):
    """Run `call` in a thread: (finished, what it returned or raised). A call that would wait
    forever leaves the thread running instead of hanging the test session."""
    out: dict = {}

    def run():
        try:
            out["value"] = call()
        except BaseException as e:  # noqa: BLE001 - what it raised is the finding
            out["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(wait)
    return not t.is_alive(), out


def test_a_server_that_accepts_and_never_answers_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(chroma_client, "REQUEST_SECONDS", 1.0)
    with socket.socket() as listener:  # a real peer on 127.0.0.1 that accepts and stays silent
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        done, out = _in_thread(lambda: make_client(url, tmp_path))
    assert done and isinstance(out.get("error"), ChromaUnreachable)
    assert url in str(out["error"]) and "没有响应" in str(out["error"])


def test_a_server_nobody_listens_on_is_named(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free once closed: nothing listens there
    with pytest.raises(ChromaUnreachable, match=f"无法连接 Chroma 服务器 http://127.0.0.1:{port}"):
        make_client(f"http://127.0.0.1:{port}", tmp_path)


def test_a_server_that_stops_answering_mid_session_ends_the_request_with_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(chroma_client, "REQUEST_SECONDS", 2.0)
    with running_chroma(tmp_path / "server") as (proc, url):
        client = make_client(url, tmp_path)
        col = client.get_or_create_collection("stall-test", embedding_function=None)
        col.add(ids=["a"], embeddings=[[1.0, 0.0]])
        os.kill(proc.pid, signal.SIGSTOP)  # the server stops answering; its socket still accepts
        try:
            done, out = _in_thread(lambda: col.get(ids=["a"]))
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        assert done and isinstance(out.get("error"), httpx.TimeoutException)
        assert col.get(ids=["a"])["ids"] == ["a"]  # answering again: the same client goes on


def test_a_follower_that_cannot_reach_the_server_says_why_in_its_status(settings_factory):
    import time

    from assistant.follow import Follower
    from assistant.store import IndexStore

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    store = IndexStore(settings_factory("follower-away", chroma_url=f"http://127.0.0.1:{port}"))
    follower = Follower(store, 0.05, lambda: None).start()
    try:
        deadline = time.time() + 30
        while follower.status()["last_error"] is None:
            assert time.time() < deadline, "the follower never reported the server away"
            time.sleep(0.05)
    finally:
        follower.stop()
    status = follower.status()
    assert "ChromaUnreachable" in status["last_error"] and str(port) in status["last_error"]
    assert status["since_last_sync_s"] is None  # never reached it


@pytest.mark.parametrize("url, asked", [
    ("http://127.0.0.1:8123", "http://127.0.0.1:8123/api/v2/heartbeat"),
    ("http://chroma.internal/", "http://chroma.internal:8000/api/v2/heartbeat"),  # the port the client would use
    ("https://chroma.internal", "https://chroma.internal:8000/api/v2/heartbeat"),
])
def test_the_heartbeat_asks_where_the_client_will(url, asked):
    assert chroma_client.heartbeat_url(url) == asked
