"""Two chat pages (two `serve` processes, two data folders) on one real `chroma run` server: a
document ingested through one replica's folder is answered by the other's page, over HTTP, and
no question fails while it switches."""
from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.request

import pytest

from ingest.index import ingest_paths
from ingest.pipeline import parse_file
from tests.conftest import corpus_file
from tests.web.test_page import _start

pytestmark = pytest.mark.slow


def test_a_document_ingested_through_one_replica_is_answered_by_the_other_page(settings_factory, chroma_url, small_corpus):
    from gradio_client import Client

    make = lambda tag: settings_factory(f"pages-{tag}", chroma_url=chroma_url)  # noqa: E731
    a, b = make("a"), make("b")
    ingest_paths([small_corpus], a, show_progress=False)
    env = {"CHROMA_URL": chroma_url, "POLICY_SYNC_SECONDS": "0.5"}
    pages = [_start(s, extra_env=env) for s in (a, b)]  # b starts from an empty folder
    try:
        url_b = pages[1][1]
        new = corpus_file("2021_")
        title = parse_file(new).documents[0].title
        question = f"《{title}》的主要目标是什么？"
        assert title not in Client(url_b, verbose=False).predict(question, api_name="/ask")  # not there yet
        shutil.copy(new, small_corpus)
        errors, answers, stop = [], [], threading.Event()

        def keep_asking():
            client = Client(url_b, verbose=False)
            while not stop.is_set():
                try:
                    answers.append(client.predict("职业院校的校企合作有什么要求？", api_name="/ask"))
                except Exception as e:  # noqa: BLE001 - a failed question during the switch is the finding
                    errors.append(e)

        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            ingest_paths([small_corpus], a, show_progress=False)  # through replica a's folder
            client, deadline, text = Client(url_b, verbose=False), time.time() + 90, ""
            while title not in text:
                assert time.time() < deadline, "the other page never answered from the new document"
                text = client.predict(question, api_name="/ask")
                time.sleep(0.3)
        finally:
            stop.set()
            asker.join()
        assert not errors and len(answers) > 1 and all(isinstance(t, str) and t for t in answers)
        # The health check says which snapshot the page serves and that it follows the server.
        from assistant.store import IndexStore

        with urllib.request.urlopen(url_b + "healthz", timeout=10) as r:
            health = json.loads(r.read())
        published = IndexStore(a).current_id()
        assert health["ready"] and health["published"] == published
        assert health["following"]["last_error"] is None and health["following"]["since_last_sync_s"] < 30
    finally:
        for proc, _ in pages:
            proc.terminate()
            proc.wait(timeout=20)
