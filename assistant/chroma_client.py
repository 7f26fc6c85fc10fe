"""The Chroma client: embedded in the data folder, or over HTTP to a `chroma run` server
(CHROMA_URL), with every request bounded in time.

chromadb's HTTP client waits for a reply without limit: chromadb 1.5.9 builds its session as
`httpx.Client(timeout=None)` and no setting reaches it (chroma-core/chroma#5805). A server that
accepts connections and stops answering would hold an ingest, a replica's start or its follower
forever, silently. So the server is asked for its heartbeat first, with a bound (the client's own
construction already sends requests), and the client's session is then given a bound per
request."""
from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlparse

log = logging.getLogger(__name__)

# The largest requests are a publish's pack writes and a sync's pack reads, ~1 s each at 100× the
# bundled corpus (evals/scale.py); a batch of chunk vectors written by an ingest, less. The bound
# allows a hundred times that, so only a server that has stopped answering meets it.
REQUEST_SECONDS = 120.0
# A server on the same network accepts a connection in milliseconds.
CONNECT_SECONDS = 10.0


DEFAULT_PORT = 8000  # `chroma run`'s, and what a CHROMA_URL without a port means here


class ChromaUnreachable(RuntimeError):
    pass


def make_client(chroma_url: str | None, folder: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    cs = ChromaSettings(anonymized_telemetry=False)
    if not chroma_url:
        folder.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(folder), settings=cs)
    u = urlparse(chroma_url)
    _heartbeat(chroma_url)
    client = chromadb.HttpClient(host=u.hostname or "127.0.0.1", port=u.port or DEFAULT_PORT, ssl=u.scheme == "https", settings=cs)
    bound_requests(client, chroma_url)
    return client


def _timeout():
    import httpx

    return httpx.Timeout(REQUEST_SECONDS, connect=CONNECT_SECONDS)


def heartbeat_url(chroma_url: str) -> str:
    """Where the client itself would ask: the same scheme, host and port (Chroma's 8000 when the
    URL names none, as chromadb.HttpClient is given)."""
    u = urlparse(chroma_url)
    return f"{u.scheme or 'http'}://{u.hostname or '127.0.0.1'}:{u.port or DEFAULT_PORT}/api/v2/heartbeat"


def _heartbeat(chroma_url: str) -> None:
    import httpx

    url = heartbeat_url(chroma_url)
    try:
        httpx.get(url, timeout=_timeout()).raise_for_status()
    except httpx.TimeoutException:
        raise ChromaUnreachable(f"Chroma 服务器 {chroma_url} 在 {REQUEST_SECONDS:.0f} 秒内没有响应：请检查服务器是否正常运行") from None
    except httpx.HTTPError as e:
        raise ChromaUnreachable(f"无法连接 Chroma 服务器 {chroma_url}：{e}") from None


def bound_requests(client, chroma_url: str) -> bool:
    """Give the client's HTTP session a bound per request; False (and a warning) where this
    chromadb keeps its session elsewhere."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if not isinstance(session, httpx.Client):
        log.warning("chromadb's HTTP session not found: requests to %s wait without a time limit", chroma_url)
        return False
    session.timeout = _timeout()
    return True
