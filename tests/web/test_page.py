"""The chat page in a real browser (Debian Chromium driven by Playwright) and its API."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"


def _start(settings, admin_password: str | None = None, extra_env: dict | None = None):
    port = free_port()
    env = {
        **os.environ,
        "POLICY_DATA_DIR": str(settings.data_dir),
        "POLICY_EMBED_CACHE": str(settings.embed_cache_path),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "POLICY_RATE_PER_MINUTE": "0",  # the tests ask faster than a person; pacing has its own test
    }
    env.pop("POLICY_ADMIN_PASSWORD", None)
    if admin_password:
        env["POLICY_ADMIN_PASSWORD"] = admin_password
    for k in ("LLM_BASE_URL", "LLM_MODEL", "LLM_API_KEY", "POLICY_MODE"):
        env.pop(k, None)
    env.update(extra_env or {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url, timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError(proc.stdout.read() if proc.stdout else "server did not start")
    return proc, url


@pytest.fixture(scope="module")
def server(corpus_index):
    proc, url = _start(corpus_index)
    yield url, corpus_index
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture
def admin_server(corpus_index, tmp_path):
    """A server with uploads enabled, on a copy of the index (uploads change it)."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(corpus_index.data_dir, data)
    settings = corpus_index.with_overrides(data_dir=data)
    proc, url = _start(settings, admin_password="管理员密码2024")
    yield url, settings
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run scripts/install_browser.sh (make test does)")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                  "--disable-component-update", "--disable-sync", "--disable-quic"],
        )
        yield b
        b.close()


def _ask(page, question: str, expect: str):
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()
    page.locator("#chat").get_by_text(expect).first.wait_for(timeout=30000)


def test_ask_see_citation_open_sources_and_give_feedback(server, browser):
    from playwright.sync_api import expect

    url, settings = server
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.get_by_text("公办高职院校生均财政拨款不低于多少？").first.wait_for()  # example questions on an empty chat
    page.screenshot(path=str(ARTIFACTS / "page-empty.png"), full_page=True)
    _ask(page, "公办高职院校生均财政拨款不低于多少？", "依据")
    expect(page.locator("#chat")).to_contain_text("（二十四）", timeout=30000)  # citations render after «依据»
    chat = page.locator("#chat").inner_text()
    assert "12000" in chat and "晋政发〔2020〕19号" in chat and "（二十四）" in chat
    sources = page.locator("#sources")
    sources.locator("mark").first.wait_for()
    assert "12000" in sources.locator("mark").first.inner_text()
    assert "发文机关：山西省人民政府" in sources.inner_text()
    page.locator("#open-doc label").first.click()
    page.locator("#doc-view .cited").wait_for()
    assert "（二十五）营造良好发展环境" in page.locator("#doc-view").inner_text()
    page.screenshot(path=str(ARTIFACTS / "page-answer.png"), full_page=True)

    page.locator("#fb-comment textarea").fill("希望也列出中职标准")
    page.locator("#fb-down").click()
    page.locator("#fb-status").get_by_text("已记录").wait_for()
    db = sqlite3.connect(str(Path(settings.data_dir) / "feedback.sqlite"))
    row = db.execute("SELECT rating, comment, question, citations FROM feedback ORDER BY id DESC LIMIT 1").fetchone()
    assert row[0] == "down" and row[1] == "希望也列出中职标准"
    assert row[2] == "公办高职院校生均财政拨款不低于多少？" and "晋政发〔2020〕19号" in row[3]
    page.close()


def test_a_follow_up_shows_how_it_was_read_with_the_history(server, browser):
    from playwright.sync_api import expect

    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    _ask(page, "公办高职院校生均财政拨款不低于多少？", "依据")
    expect(page.locator("#chat")).to_contain_text("（二十四）", timeout=30000)
    page.locator("#sources mark").first.wait_for(timeout=30000)
    page.locator("#question textarea").fill("那中职呢？")
    page.locator("#send").click()
    chat = page.locator("#chat")
    # The reading names the previous question's topic with the new turn's term swapped in.
    try:
        expect(chat).to_contain_text("结合上文理解为：公办中职生均财政拨款", timeout=30000)
    except AssertionError:
        raise AssertionError(f"chat shows: {chat.inner_text()}") from None
    page.screenshot(path=str(ARTIFACTS / "page-follow-up.png"), full_page=True)
    page.close()


def test_the_question_box_is_emptied_when_sent_and_what_is_typed_meanwhile_is_kept(server, browser):
    from playwright.sync_api import expect

    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    box = page.locator("#question textarea")
    box.fill("公办高职院校生均财政拨款不低于多少？")
    page.locator("#send").click()
    expect(box).to_have_value("", timeout=10000)  # emptied as it is sent
    box.fill("那中职呢？")  # typed while the first answer is still coming
    expect(page.locator("#chat")).to_contain_text("（二十四）", timeout=30000)
    page.locator("#sources mark").first.wait_for(timeout=30000)
    expect(box).to_have_value("那中职呢？")
    page.close()


def test_refusal_looks_different_and_text_is_escaped(server, browser):
    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    _ask(page, "北京市中等职业学校的生均拨款标准是多少？<img src=x onerror=alert(1)>", "文件中未找到相关规定")
    # The sources panel is a separate output: it may update a moment after the chat does.
    page.locator("#sources .src-refusal").wait_for(timeout=30000)
    assert page.locator("#sources .src-refusal").count() == 1
    # The closest clauses are listed for checking, plainly marked as not the answer.
    assert page.locator("#sources .src-refusal li").count() >= 1
    assert "不是" in page.locator("#sources .src-refusal").inner_text()
    assert page.locator("#chat img[src='x']").count() == 0  # user text shown, never run
    page.screenshot(path=str(ARTIFACTS / "page-refusal.png"), full_page=True)
    page.locator("#new-chat").click()
    page.get_by_text("公办高职院校生均财政拨款不低于多少？").first.wait_for()
    page.close()


def test_ask_api_endpoint_with_gradio_client(server):
    from gradio_client import Client

    url, _ = server
    text = Client(url, verbose=False).predict("公办高职院校生均财政拨款不低于多少？", api_name="/ask")
    assert "12000" in text and "晋政发〔2020〕19号" in text and "（二十四）完善经费投入机制" in text and "依据：" in text


def test_health_check_names_the_snapshot_served_and_its_documents(server):
    import json

    from assistant.store import IndexStore

    url, settings = server
    with urllib.request.urlopen(url + "healthz", timeout=10) as r:
        assert r.status == 200 and r.headers["content-type"].startswith("application/json")
        health = json.loads(r.read())
    snap = IndexStore(settings).load()
    try:
        assert health["ready"] is True and health["snapshot"] == snap.path.name and health["documents"] == len(snap.documents)
    finally:
        snap.release()
    assert "following" not in health  # no Chroma server: nothing to follow


def test_feedback_export_csv(server):
    url, settings = server
    env = {**os.environ, "POLICY_DATA_DIR": str(settings.data_dir)}
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "feedback", "--csv"], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and out.stdout.startswith("id,created,rating,comment,question")


def test_documents_tab_lists_the_index_and_hides_upload_without_password(server, browser):
    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.get_by_role("tab", name="已收录文件").click()
    from playwright.sync_api import expect

    table = page.locator("#docs-table")
    expect(table).to_contain_text("晋政发〔2020〕19号")
    expect(table).to_contain_text("运政发〔2021〕8号")
    expect(table).to_contain_text("山西省人民政府")
    assert page.get_by_text("管理员上传未启用").count() == 1
    page.close()


def test_admin_upload_ingests_files_and_reports_each_result(admin_server, browser, tmp_path):
    from tests.pdf_fixtures import text_to_pdf

    from playwright.sync_api import expect

    url, settings = admin_server
    good = text_to_pdf(
        "晋中市人民政府文件\n\n晋中政发〔2023〕5号\n\n晋中市人民政府关于印发晋中市职业教育提质行动方案的通知\n\n"
        "各县（区、市）人民政府：\n\n现印发给你们。\n\n一、主要任务\n\n（一）建设实训基地。到2025年建成市级实训基地12个。"
        "（责任单位：市教育局、市财政局）", tmp_path / "晋中方案.pdf")
    empty = tmp_path / "空白.txt"
    empty.write_bytes(b"")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.get_by_role("tab", name="已收录文件").click()
    page.get_by_text("管理员：上传或移出文件").click()
    page.locator("input[type=password]").fill("wrong")
    page.locator("#upload-files input[type=file]").set_input_files([str(good), str(empty)])
    page.get_by_role("button", name="上传并收录").click()
    results = page.locator("#upload-results")
    expect(results).to_contain_text("密码错误，未收录", timeout=30000)
    page.locator("input[type=password]").fill("管理员密码2024")  # any Unicode: compared as bytes
    page.get_by_role("button", name="上传并收录").click()
    expect(results).to_contain_text("错误：文件为空 (empty file)", timeout=120000)
    expect(results).to_contain_text("已收录")
    expect(page.locator("#docs-table")).to_contain_text("晋中政发〔2023〕5号", timeout=30000)
    page.screenshot(path=str(ARTIFACTS / "page-upload.png"), full_page=True)
    page.get_by_role("tab", name="问答").click()
    _ask(page, "晋中市到2025年要建成多少个市级实训基地？", "依据")
    assert "12个" in page.locator("#chat").inner_text()
    # And out again: the admin takes the document out of the index.
    page.get_by_role("tab", name="已收录文件").click()
    page.locator("#remove-docs input").fill("晋中")
    page.get_by_role("option").filter(has_text="晋中政发〔2023〕5号").first.click()
    page.locator("#remove-go").click()
    expect(results).to_contain_text("已移出", timeout=60000)
    expect(page.locator("#docs-table")).not_to_contain_text("晋中政发〔2023〕5号", timeout=30000)
    page.close()


def test_page_in_llm_mode_shows_the_verified_answer(corpus_index, browser):
    from playwright.sync_api import expect

    from tests.llm_server import ScriptedOpenAI

    with ScriptedOpenAI() as llm:
        llm.script.append({"content": "公办高职院校生均财政拨款水平每年不低于12000元[1]。学费每年减免5000元[1]。"})
        proc, url = _start(corpus_index, extra_env={"LLM_BASE_URL": llm.url, "LLM_MODEL": "test-model"})
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.locator("#answer-mode").get_by_text("大模型（核验后显示）").wait_for()
            _ask(page, "公办高职院校生均财政拨款不低于多少？", "依据")
            # The citation lines render after «依据»: wait for the last of them, then read.
            expect(page.locator("#chat")).to_contain_text("（二十四）完善经费投入机制", timeout=30000)
            chat = page.locator("#chat").inner_text()
            assert "12000元" in chat and "5000" not in chat and "已删除1句" in chat
            page.screenshot(path=str(ARTIFACTS / "page-llm.png"), full_page=True)
            page.close()
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def test_units_compare_and_targets_views(server, browser):
    from playwright.sync_api import expect

    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.get_by_role("tab", name="责任单位").click()
    page.locator("#unit-pick input").click()
    page.locator("#unit-pick input").fill("省人社厅")
    page.get_by_role("option", name="省人社厅（24项，牵头0项）").click()
    expect(page.locator("#unit-table")).to_contain_text("（二十五）营造良好发展环境", timeout=20000)
    page.screenshot(path=str(ARTIFACTS / "page-units.png"), full_page=True)
    page.get_by_role("tab", name="省市对比").click()
    expect(page.locator("#compare-table")).to_contain_text("14.建设高水平师资队伍", timeout=20000)
    expect(page.locator("#compare-table")).to_contain_text("60%以上")
    page.get_by_role("tab", name="目标与期限").click()
    expect(page.locator("#targets-table")).to_contain_text("到2022年底")
    page.screenshot(path=str(ARTIFACTS / "page-targets.png"), full_page=True)
    page.close()


def _post_upload(url: str, size: int) -> int:
    import http.client
    from urllib.parse import urlparse

    u = urlparse(url)
    boundary = "----policytest"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\n").encode()
    body = head + b"x" * size + f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request("POST", "/gradio_api/upload", body=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    return conn.getresponse().status


def test_upload_route_is_closed_on_a_page_without_uploads(server):
    url, _ = server
    assert _post_upload(url, 10) == 403


def test_upload_route_refuses_a_file_over_the_size_limit_and_paces_each_address(admin_server):
    from assistant.web.limits import UPLOADS_PER_MINUTE

    url, settings = admin_server
    assert _post_upload(url, int(settings.max_file_mb * 1024 * 1024) + 1024) == 413
    statuses = [_post_upload(url, 10) for _ in range(UPLOADS_PER_MINUTE)]
    assert statuses[:-1] == [200] * (UPLOADS_PER_MINUTE - 1) and statuses[-1] == 429


def test_one_client_asking_too_fast_is_told_to_wait_and_monitoring_is_closed(corpus_index):
    from gradio_client import Client

    proc, url = _start(corpus_index, extra_env={"POLICY_RATE_PER_MINUTE": "6", "POLICY_RATE_BURST": "2"})
    try:
        c = Client(url, verbose=False)
        got = [c.predict("公办高职院校生均财政拨款不低于多少？", api_name="/ask") for _ in range(3)]
        assert all("12000" in g for g in got[:2])
        assert got[2].startswith("提问过于频繁") and "每分钟最多 6 个问题" in got[2] and "12000" not in got[2]
        for path in ("monitoring", "monitoring/summary"):
            try:
                status = urllib.request.urlopen(url + path, timeout=10).status
            except urllib.error.HTTPError as e:
                status = e.code
            assert status != 200, path
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert "monitoring" not in out.lower()
