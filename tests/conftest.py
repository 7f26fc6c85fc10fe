from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.settings import PROJECT_ROOT, Settings

CORPUS = PROJECT_ROOT / "docs_corpus"
# Embeddings persist across test sessions (keyed by text hash), so only the first run
# on a machine pays for embedding the corpus.
EMBED_CACHE = Path(os.environ.get("POLICY_TEST_EMBED_CACHE", PROJECT_ROOT / ".cache" / "test-embeddings.sqlite"))


def corpus_file(prefix: str) -> Path:
    return next(p for p in sorted(CORPUS.iterdir()) if p.name.startswith(prefix))


@pytest.fixture(scope="session")
def settings_factory(tmp_path_factory):
    def make(name: str, **kw) -> Settings:
        base = Settings(data_dir=tmp_path_factory.mktemp(name), corpus_dir=CORPUS, embed_cache=EMBED_CACHE)
        return base.with_overrides(**kw)

    return make


@pytest.fixture(scope="session")
def corpus_index(settings_factory):
    """The real index over the real corpus, built once per test session."""
    from ingest.index import ingest_paths

    settings = settings_factory("corpus-index")
    report = ingest_paths([CORPUS], settings, show_progress=False)
    assert not report.errors, report.errors
    return settings


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory):
    """Two corpus documents as real multi-page PDFs."""
    from tests.pdf_fixtures import text_to_pdf

    d = tmp_path_factory.mktemp("pdfs")
    for prefix, name in (("2020_", "晋政发2020-19号.pdf"), ("2021_", "运政发2021-8号.pdf")):
        text_to_pdf(corpus_file(prefix).read_text(encoding="utf-8"), d / name)
    return d


@pytest.fixture
def small_corpus(tmp_path):
    """A writable folder with copies of two small corpus documents."""
    d = tmp_path / "corpus"
    d.mkdir()
    for prefix in ("2022_", "新闻"):
        shutil.copy(corpus_file(prefix), d)
    return d


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_chroma(path: Path):
    """A real `chroma run` server on 127.0.0.1: (its process, its URL); stopped by its PID."""
    port = free_port()
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("chroma run did not start") from None
                time.sleep(0.3)
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` server on 127.0.0.1, shared by the session's tests."""
    with running_chroma(tmp_path_factory.mktemp("chroma-server")) as (_, url):
        yield url


@pytest.fixture
def chroma_url(chroma_server):
    """The server's URL for one test; the collections it wrote are deleted afterwards, so the
    next test starts from an empty server (a published index is shared by every replica)."""
    yield chroma_server
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    host, port = chroma_server.removeprefix("http://").split(":")
    client = chromadb.HttpClient(host=host, port=int(port), settings=ChromaSettings(anonymized_telemetry=False))
    for col in client.list_collections():
        client.delete_collection(getattr(col, "name", col))
