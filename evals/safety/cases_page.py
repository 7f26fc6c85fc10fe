"""Cases 3, 4, 5 and 8: a very long question, disk and pace, admin, and smaller points."""
from __future__ import annotations

import csv
import hashlib
import http.client
import io
import json
import logging
import statistics
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from .lab import (ADMIN_PASSWORD, BASE_Q, JINZHONG_PLAN, LVLIANG_PLAN, ONE_CLAUSE_NOTICE, REPEATED_SENTENCE, Lab,
                  Page, Row, ask_page, ingest_json, parse_json, short, timed)


# --- 3. a very long question ------------------------------------------------------------------
def _median_latency(client, n: int) -> float:
    times = []
    for _ in range(n):
        _, s = timed(ask_page, client, BASE_Q)
        times.append(s)
    return statistics.median(times)


def case_3(lab: Lab) -> list[Row]:
    page = lab.page("open")
    ordinary, long_client = page.client(), page.client()
    long_q = (REPEATED_SENTENCE.strip() * 5000)[:99_990] + "生均拨款是多少？"
    calm = _median_latency(ordinary, 5)
    reply, long_s = timed(ask_page, long_client, long_q)
    stop, long_times = threading.Event(), []

    def flood() -> None:  # the long question sent again and again while the other client asks
        while not stop.is_set():
            long_times.append(timed(ask_page, long_client, long_q)[1])

    t = threading.Thread(target=flood)
    t.start()
    try:
        busy = _median_latency(ordinary, 5)
    finally:
        stop.set()
        t.join(timeout=60)
    said_limit = "500" in reply and "过长" in reply
    batch = lab.cli(page.data, "batch", "-", stdin=(json.dumps({"id": "long", "question": long_q}, ensure_ascii=False) + "\n"
                                                    + json.dumps({"id": "ok", "question": BASE_Q}, ensure_ascii=False) + "\n").encode())
    lines = [parse_json(x) for x in batch.out.splitlines() if x.strip()]
    by_id = {x.get("id"): x for x in lines}
    return [
        Row("3", f"a {len(long_q):,}-character question through /ask", "a Chinese message naming the limit, in < 1 s",
            f"{long_s:.2f} s: «{short(reply, 70)}»", said_limit and long_s < 1),
        Row("3", "another client's ordinary question, alone and while the long one is sent repeatedly",
            "not slowed: median under load ≤ 2 × alone + 0.25 s",
            f"alone median {calm * 1000:.0f} ms; with long questions {busy * 1000:.0f} ms ({len(long_times)} long ones sent)",
            busy <= 2 * calm + 0.25),
        Row("3", "`batch` with the same long question on one line and an ordinary one on the next",
            "the long line gets an error naming the limit; the other is answered; rc 0",
            f"rc={batch.rc} in {batch.seconds:.1f} s; long: «{short(by_id.get('long', {}).get('error', '—'), 60)}»; "
            f"ordinary answered: {'answer' in by_id.get('ok', {})}",
            batch.rc == 0 and "500" in by_id.get("long", {}).get("error", "") and "answer" in by_id.get("ok", {})),
    ]


# --- 4. disk and pace -------------------------------------------------------------------------
def post_upload(url: str, size: int, name: str = "big.txt") -> tuple[int, str, float]:
    u = urlparse(url)
    boundary = "----safetycheck"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: text/plain\r\n\r\n").encode()
    body = head + b"x" * size + f"\r\n--{boundary}--\r\n".encode()
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request("POST", "/gradio_api/upload", body=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    resp = conn.getresponse()
    text = resp.read().decode("utf-8", "replace")
    conn.close()
    return resp.status, text, time.perf_counter() - t0


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def case_4(lab: Lab) -> list[Row]:
    page = lab.page("guarded")
    limit = 1024 * 1024  # POLICY_MAX_FILE_MB=1 on this page
    status, body, secs = post_upload(page.url, limit + 1024)
    kept = folder_bytes(lab.root / "gradio-tmp-guarded")
    small, _, _ = post_upload(page.url, 10, "small.txt")
    rows = [Row("4", f"POST /gradio_api/upload, field files, {limit + 1024:,} bytes (limit POLICY_MAX_FILE_MB=1)",
                "refused (HTTP 413), nothing of it kept; a 10-byte file still accepted",
                f"HTTP {status} in {secs:.2f} s «{short(body, 70)}»; {kept:,} bytes in Gradio's temp folder; 10-byte file: HTTP {small}",
                status == 413 and kept < limit and small == 200)]
    rows.append(_feedback_comment_row(lab))
    rows.append(_pace_row(page))
    return rows


def sample_answer(question: str = BASE_Q, answer: str = "示例回答"):
    from assistant.types import Answer

    return Answer(question=question, answer=answer, found=True)


def _feedback_comment_row(lab: Lab) -> Row:
    from assistant.feedback import FeedbackStore

    store = FeedbackStore(lab.root / "c4-feedback" / "feedback.sqlite")
    t0 = time.perf_counter()
    try:
        store.add(sample_answer(), "示例回答", "down", "意" * 1_000_000)
        said = "accepted"
    except ValueError as e:
        said = f"ValueError «{short(e, 70)}»"
    secs = time.perf_counter() - t0
    store.add(sample_answer(), "示例回答", "up", "意" * 2000)  # the longest allowed: still taken
    stored = [len(r["comment"] or "") for r in store.rows()]
    return Row("4", "feedback comment of 1,000,000 characters (FeedbackStore.add, as the page calls it)",
               "refused with a Chinese message; nothing stored; a 2,000-character one still taken",
               f"{said} in {secs:.3f} s; stored comment lengths {stored}",
               said.startswith("ValueError") and "意见过长" in said and stored == [2000])


def _pace_row(page: Page) -> Row:
    client = page.client()
    replies, t0 = [], time.perf_counter()
    for _ in range(20):
        replies.append(client.predict(BASE_Q, api_name="/ask"))
    secs = time.perf_counter() - t0
    refused = [i for i, r in enumerate(replies, 1) if "提问过于频繁" in r]
    first = f"first refused: #{refused[0]} «{short(replies[refused[0] - 1], 60)}»" if refused else "none refused"
    return Row("4", "one client sends 20 questions to /ask as fast as it can (POLICY_RATE_PER_MINUTE=30, burst default)",
               "after the burst, answers contain 提问过于频繁",
               f"{20 - len(refused)} answered, {len(refused)} refused in {secs:.1f} s; {first}",
               bool(refused) and refused[0] <= 15)


# --- 5. admin ---------------------------------------------------------------------------------
class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def case_5(lab: Lab) -> list[Row]:
    from assistant.web.admin import AdminGate

    rows = [_page_gate_row(lab)]
    cap = _Capture()
    logger = logging.getLogger("assistant.web.admin")
    logger.addHandler(cap)
    logger.setLevel(logging.DEBUG)
    try:
        gate = AdminGate(ADMIN_PASSWORD)
        right = gate.check(ADMIN_PASSWORD)
        compared, attempts, t0 = 0, 0, time.perf_counter()
        while time.perf_counter() - t0 < 2.0:
            attempts += 1
            compared += gate.check(f"猜{attempts}") == "密码错误，未收录"
        real_s = time.perf_counter() - t0
        now = [0.0]
        sim = AdminGate(ADMIN_PASSWORD, clock=lambda: now[0])
        sim_compared = 0
        for i in range(144 * 600):  # ten minutes at the 144 guesses a second measured without a gate
            now[0] = i / 144
            sim_compared += sim.check(f"猜{i}") == "密码错误，未收录"
    finally:
        logger.removeHandler(cap)
    logged = "\n".join(cap.lines)
    leaked = ADMIN_PASSWORD in logged or "猜1" in logged
    rows.append(Row("5", f"AdminGate: the right password «{ADMIN_PASSWORD}», then wrong guesses as fast as possible for 2 s",
                    "right one accepted; wrong ones compared far below 144/s",
                    f"right: {'accepted' if right is None else right}; {attempts:,} attempts, {compared} compared ({compared / real_s:.1f}/s)",
                    right is None and compared / real_s < 10))
    rows.append(Row("5", "AdminGate with a simulated clock: 144 guesses/s for 10 minutes", "far below 144/s compared",
                    f"{sim_compared} of {144 * 600:,} compared = {sim_compared / 600:.3f}/s",
                    sim_compared / 600 < 1))
    rows.append(Row("5", "the admin log while guessing", "counts only; no password, right or guessed",
                    f"{len(cap.lines)} lines, e.g. «{short(cap.lines[0] if cap.lines else '', 60)}»; password in log: {leaked}",
                    bool(cap.lines) and not leaked))
    rows.append(_keep_upload_row(lab))
    return rows


def _page_gate_row(lab: Lab) -> Row:
    """The gate on the real page, through the upload button's API (no files: after the gate
    the answer is «请选择文件»)."""
    page = lab.page("guarded")
    client = page.client()

    def result(password: str) -> str:
        table = client.predict(password, [], api_name="/upload")[0]
        return table["data"][0][1]

    right = result(ADMIN_PASSWORD)
    t0 = time.perf_counter()
    wrong = [result(f"错误密码{i}") for i in range(10)]
    secs = time.perf_counter() - t0
    compared = sum(w == "密码错误，未收录" for w in wrong)
    log = page.log_text()
    leaked = ADMIN_PASSWORD in log or "错误密码" in log
    return Row("5", "the page's upload API: the Unicode password (no files), then 10 wrong passwords",
               "right one passes the gate (请选择文件); at most 5 wrong ones compared, then locked; page log without passwords",
               f"right: «{right}»; wrong: {compared} compared, then «{short(wrong[-1], 30)}» ({secs:.1f} s); password in page log: {leaked}",
               right == "请选择文件" and compared <= 5 and not leaked)


def _keep_upload_row(lab: Lab) -> Row:
    from assistant.web.admin import keep_upload

    dest = lab.root / "c5-uploads"
    made = []
    for i, text in enumerate((JINZHONG_PLAN, LVLIANG_PLAN, JINZHONG_PLAN)):
        f = lab.root / f"c5-tmp{i}" / "通知.txt"  # Gradio's temporary copies keep the uploader's file name
        f.parent.mkdir(parents=True)
        f.write_text(text, encoding="utf-8")
        made.append(keep_upload(f, dest))
    contents = sorted(p.read_text(encoding="utf-8")[:10] for p in dest.iterdir())
    return Row("5", "keep_upload: 通知.txt, then a different 通知.txt, then the first again",
               "both kept under different names; the same file again adds nothing",
               f"files: {sorted(p.name for p in dest.iterdir())}; third upload → {made[2].name}",
               len(contents) == 2 and len(set(contents)) == 2 and made[2] == made[0])


# --- 8. smaller points ------------------------------------------------------------------------
def fingerprint(root: Path) -> dict[str, tuple[str, int]]:
    return {str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def case_8(lab: Lab) -> list[Row]:
    rows = []
    llm = lab.cli(lab.base(), "ask", "--mode", "llm", BASE_Q)
    rows.append(Row("8", "`ask --mode llm <question>` (option after the subcommand; no LLM configured)",
                    "accepted by the parser; a clear one-line message", llm.brief(),
                    "unrecognized arguments" not in llm.err and "Traceback" not in llm.err and (llm.rc == 0 or llm.one_line)))
    data = lab.copy_base("c8-one-clause")
    one = lab.cli(data, "ingest", "--quiet", "--json", str(lab.file("招生通知.txt", ONE_CLAUSE_NOTICE)))
    docs = lab.cli(data, "docs", "--json")
    listed = {d["doc_number"]: d["clauses"] for d in json.loads(docs.out or "[]")}
    rows.append(Row("8", "`ingest` a notice with a single clause (一、…)", "ingested, listed by `docs`",
                    f"rc={one.rc}, added {ingest_json(one).get('added')}; docs: 晋教职成函〔2024〕3号 clauses {listed.get('晋教职成函〔2024〕3号')}",
                    one.rc == 0 and "晋教职成函〔2024〕3号" in listed))
    rows.append(_read_only_row(lab))
    rows += _monitoring_rows(lab)
    rows.append(_csv_row(lab))
    return rows


def _read_only_row(lab: Lab) -> Row:
    data = lab.copy_base("c8-read-only")
    before = fingerprint(data)
    res = lab.cli(data, "ask", BASE_Q)
    after = fingerprint(data)
    changed = sorted(k for k in before.keys() & after.keys() if before[k][0] != after[k][0])
    touched = sorted(k for k in before.keys() & after.keys() if before[k] != after[k] and k not in changed)
    new, gone = sorted(after.keys() - before.keys()), sorted(before.keys() - after.keys())
    return Row("8", f"plain `ask` on a copied data folder ({len(before)} files hashed before and after)",
               "no file written, created or deleted", f"rc={res.rc}; content changed {changed or 'none'}; "
               f"only mtime changed {touched or 'none'}; new {new or 'none'}; deleted {gone or 'none'}",
               res.rc == 0 and not (changed or touched or new or gone))


def _monitoring_rows(lab: Lab) -> list[Row]:
    page = lab.page("open")
    statuses = {}
    for path in ("monitoring", "monitoring/summary"):
        try:
            statuses[path] = urllib.request.urlopen(page.url + path, timeout=10).status
        except urllib.error.HTTPError as e:
            statuses[path] = e.code
    mentions = [line for line in page.log_text().splitlines() if "monitoring" in line.lower()]
    return [Row("8", "anonymous GET /monitoring and /monitoring/summary on the page", "not served (non-200)",
                ", ".join(f"/{k} → HTTP {v}" for k, v in statuses.items()), all(v != 200 for v in statuses.values())),
            Row("8", "the page's log", "no monitoring key printed", f"{len(mentions)} lines mention monitoring {mentions[:1]}",
                not mentions)]


def _csv_row(lab: Lab) -> Row:
    from assistant.feedback import FeedbackStore

    data = lab.root / "c8-feedback"
    store = FeedbackStore(data / "feedback.sqlite")
    risky = ['=HYPERLINK("http://example.invalid","点我")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)"]
    for comment in risky:
        store.add(sample_answer("=1+1 生均拨款是多少？", "-5 元"), "-5 元", "down", comment)
    res = lab.cli(data, "feedback", "--csv")
    cells = [c for row in csv.reader(io.StringIO(res.out)) for c in row]
    live = [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    quoted = [c for c in cells if c[:1] == "'" and c[1:2] in ("=", "+", "-", "@")]
    return Row("8", "`feedback --csv` with comments/question/answer starting = + - @", "every such cell neutralised (leading ')",
               f"rc={res.rc}; {len(quoted)} cells neutralised, {len(live)} still starting with = + - @ {live[:2]}",
               res.rc == 0 and not live and len(quoted) >= len(risky) + 2)
