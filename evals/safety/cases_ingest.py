"""Cases 1, 2, 6 and 7: ingests at once, an ingest while the page answers, errors, and
degenerate input."""
from __future__ import annotations

import json
import os
import statistics
import struct
import threading
import time
import zipfile
from pathlib import Path

from .lab import (BASE_DOC, BASE_Q, BUSY, JINZHONG_PLAN, LVLIANG_PLAN, NEW_Q, NEW_TITLE, ONE_CLAUSE_NOTICE,
                  REPEATED_SENTENCE, Lab, Page, Row, corpus_file, doc_sources, ingest_json, parse_json, short)


# --- 1. two ingests at once ----------------------------------------------------------------
def case_1(lab: Lab) -> list[Row]:
    data = lab.copy_base("c1")
    files = [corpus_file("新闻"), lab.file("吕梁方案.txt", LVLIANG_PLAN)]
    # Started together, so the second asks for the writer lock while the first holds it.
    running = [lab.start(data, "ingest", "--quiet", "--json", str(f)) for f in files]
    results = [r.finish(600) for r in running]
    added, told, said = set(), [], []
    for f, res in zip(files, results):
        if res.rc == 0:
            added |= set(ingest_json(res).get("added", []))
            said.append(f"{f.name[:8]}…: rc=0 in {res.seconds:.1f} s, added {ingest_json(res).get('added')}")
        else:
            told.append((f, res))
            said.append(f"{f.name[:8]}…: {res.brief()}")
    clear = all(BUSY in r.err and r.rc != 0 and r.one_line for _, r in told)
    rows = [Row("1", "two `ingest` processes, different files, same data folder, started together",
                f"each finishes, or exits non-zero with «{BUSY}»; no Traceback", "; ".join(said),
                clear and len(told) < 2)]
    docs, listed = doc_sources(lab, data)
    wanted = added | {corpus_file(BASE_DOC).name}
    rows.append(Row("1", "`docs --json` afterwards", "every document reported added, and the earlier one, listed",
                    f"rc={docs.rc}; listed {len(listed)}: missing {sorted(wanted - listed) or 'none'}",
                    docs.rc == 0 and wanted <= listed))
    for f, _ in told:  # the user's remedy: run it again once the other one is done
        again = lab.cli(data, "ingest", "--quiet", "--json", str(f))
        _, listed = doc_sources(lab, data)
        rows.append(Row("1", f"the refused ingest run again afterwards ({f.name[:8]}…)", "rc 0, now listed with the others",
                        f"rc={again.rc} in {again.seconds:.1f} s; listed: {f.name in listed}; all earlier still listed: {wanted <= listed}",
                        again.rc == 0 and f.name in listed and wanted <= listed))
    ask = lab.cli(data, "ask", BASE_Q)
    rows.append(Row("1", "`ask` afterwards", "rc 0, a cited answer", f"rc={ask.rc} in {ask.seconds:.1f} s; cited: {'《' in ask.out}",
                    ask.rc == 0 and "《" in ask.out))
    return rows


# --- 2. command-line ingest while the page answers -------------------------------------------
def _ask_loop(page: Page, stop: threading.Event, log: dict) -> None:
    client = page.client()
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            text = client.predict(BASE_Q, api_name="/ask")
            log["times"].append(time.perf_counter() - t0)
            if "《" not in text:
                log["bad"].append(short(text, 60))
        except Exception as e:  # any failure of a question counts against the case
            log["bad"].append(type(e).__name__)


def case_2(lab: Lab) -> list[Row]:
    page = lab.page("open")
    client = page.client()
    before = client.predict(NEW_Q, api_name="/ask")
    log: dict = {"times": [], "bad": []}
    stop = threading.Event()
    loop = threading.Thread(target=_ask_loop, args=(page, stop, log))
    loop.start()
    try:
        ingest = lab.cli(page.data, "ingest", "--quiet", "--json", str(lab.file("晋中方案.txt", JINZHONG_PLAN)))
        seen_after = None
        t_end = time.perf_counter()
        while time.perf_counter() - t_end < 60:
            if NEW_TITLE in client.predict(NEW_Q, api_name="/ask"):
                seen_after = time.perf_counter() - t_end
                break
            time.sleep(0.3)
    finally:
        stop.set()
        loop.join(timeout=120)
    times = log["times"]
    latency = f"p50 {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms" if times else "no answers"
    return [
        Row("2", f"before the ingest: «{NEW_Q}» through /ask", f"the answer does not cite 《{NEW_TITLE}》 (not indexed yet)",
            f"cites it: {NEW_TITLE in before}", NEW_TITLE not in before),
        Row("2", "one client asking /ask in a loop while another process ingests a new document",
            "no question fails", f"ingest rc={ingest.rc} in {ingest.seconds:.1f} s; {len(times)} answers, "
            f"{len(log['bad'])} failed {log['bad'][:3]}; {latency}", ingest.rc == 0 and bool(times) and not log["bad"]),
        Row("2", "ask the new document's question after the ingest ended", f"answer cites 《{NEW_TITLE}》 within 30 s",
            f"cited {seen_after:.1f} s after the ingest exited" if seen_after is not None else "not cited within 60 s",
            seen_after is not None and seen_after < 30),
    ]


# --- 6. errors --------------------------------------------------------------------------------
def case_6(lab: Lab) -> list[Row]:
    return _batch_rows(lab) + _broken_index_rows(lab) + _odd_input_rows(lab)


def _batch_rows(lab: Lab) -> list[Row]:
    data = lab.copy_base("c6-batch")
    q = lab.root / "files" / "questions.jsonl"
    q.parent.mkdir(parents=True, exist_ok=True)
    good = lambda i, text: json.dumps({"id": i, "question": text}, ensure_ascii=False).encode()  # noqa: E731
    q.write_bytes(b"\n".join([good(1, BASE_Q), b'{"id": 2, "question": "\xff\xfe \xe7\x94"}', good(3, "职业教育活动周是什么时候？")]) + b"\n")
    res = lab.cli(data, "batch", str(q))
    lines = [parse_json(x) for x in res.out.splitlines() if x.strip()]
    answered = [x.get("id") for x in lines if "answer" in x]
    errors = [x.get("line") for x in lines if "error" in x]
    missing = lab.cli(data, "batch", str(lab.root / "no-such-questions.jsonl"))
    return [
        Row("6", "`batch` file whose line 2 has an invalid UTF-8 byte", "lines 1 and 3 answered, line 2 an error; rc 0",
            f"rc={res.rc}; answered ids {answered}; error on lines {errors}", res.rc == 0 and answered == [1, 3] and errors == [2]),
        Row("6", "`batch` of a file that does not exist", "one-line message, non-zero exit, no Traceback",
            missing.brief(), missing.rc != 0 and missing.one_line),
    ]


def _broken_index_rows(lab: Lab) -> list[Row]:
    empty = lab.copy_base("c6-empty-records")
    current = (empty / "CURRENT").read_text().strip()
    (empty / "snapshots" / current / "records.jsonl").write_bytes(b"")
    ask_empty = lab.cli(empty, "ask", BASE_Q)
    docs_empty = lab.cli(empty, "docs")
    corrupt = lab.copy_base("c6-corrupt-chroma")
    (corrupt / "chroma" / "chroma.sqlite3").write_bytes(os.urandom(200_000))
    ask_corrupt = lab.cli(corrupt, "ask", BASE_Q)
    ingest_corrupt = lab.cli(corrupt, "ingest", "--quiet", str(lab.file("单条通知.txt", ONE_CLAUSE_NOTICE)))
    fresh = lab.root / "c6-empty-folder"
    pdf = make_long_pdf(lab.root / "files" / "c6-2000页.pdf")
    first_refused = lab.cli(fresh, "ingest", "--quiet", str(pdf))
    return [
        Row("6", "`ask` with the current snapshot's records.jsonl emptied", "one-line message, non-zero exit",
            ask_empty.brief(), ask_empty.rc != 0 and ask_empty.one_line),
        Row("6", "`docs` on the same folder", "one-line message, non-zero exit", docs_empty.brief(),
            docs_empty.rc != 0 and docs_empty.one_line),
        Row("6", "`ask` with chroma/chroma.sqlite3 overwritten by random bytes",
            "answers (answering reads the snapshot, not Chroma) or a one-line error",
            f"rc={ask_corrupt.rc}, cited answer: {'《' in ask_corrupt.out}; stderr: {short(ask_corrupt.err, 60) or '（空）'}",
            "Traceback" not in ask_corrupt.err and (ask_corrupt.rc == 0 and "《" in ask_corrupt.out or ask_corrupt.one_line)),
        Row("6", "`ingest` into that corrupt Chroma", "one-line message, non-zero exit", ingest_corrupt.brief(),
            ingest_corrupt.rc != 0 and ingest_corrupt.one_line),
        Row("6", "a first `ingest` into an empty data folder of a file that is refused (2,000-page PDF)",
            "only the file's refusal, one line, rc 1 (as for a refused file in an existing index)",
            first_refused.brief(), first_refused.rc == 1 and first_refused.one_line),
    ]


def _odd_input_rows(lab: Lab) -> list[Row]:
    data = lab.base()
    binary = b"\x89PNG\r\n\x1a\n\xff\xd8\xff\xe0\x10JFIF"
    # os.fsdecode keeps undecodable bytes as surrogates, which Popen turns back into the raw bytes.
    ask = lab.cli(data, "ask", os.fsdecode(binary))
    junk = lab.cli(data, "batch", "-", stdin=os.urandom(4096))
    junk_lines = [parse_json(x) for x in junk.out.splitlines() if x.strip()]
    page = lab.page("open")
    client = page.client()
    replies = {repr(v): client.predict(v, api_name="/ask") for v in (12345, 3.5)}
    chinese = all(any("\u4e00" <= ch <= "\u9fff" for ch in r) and "Traceback" not in r and "Error" not in r for r in replies.values())
    return [
        Row("6", "`ask` with raw binary bytes (a PNG/JPEG header) as the question", "one-line message, non-zero exit, no Traceback",
            ask.brief(), ask.rc != 0 and ask.one_line),
        Row("6", "`batch -` fed 4 KB of random bytes on stdin", "an error per line, rc 0, no Traceback",
            f"rc={junk.rc}; {len(junk_lines)} output lines, all errors: {all('error' in x for x in junk_lines)}; "
            f"Traceback: {'Traceback' in junk.err}",
            junk.rc == 0 and "Traceback" not in junk.err),
        Row("6", "page API /ask given a number (12345, 3.5) through gradio_client", "a Chinese message, not a Python error",
            "; ".join(f"{k} → «{short(v, 40)}»" for k, v in replies.items()), chinese),
    ]


# --- 7. degenerate input ----------------------------------------------------------------------
def make_long_pdf(out: Path, pages: int = 2000) -> Path:
    """A real text PDF (reportlab, the CJK CID font the tests use), one line a page."""
    if out.exists():
        return out
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    out.parent.mkdir(parents=True, exist_ok=True)
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(out), pagesize=A4)
    for i in range(pages):
        c.setFont("STSong-Light", 12)
        c.drawString(72, 760, f"第{i + 1}页 {REPEATED_SENTENCE.strip()}")
        c.showPage()
    c.save()
    return out


def make_docx_bomb(out: Path, inflated_mb: int = 250, claim: int | None = None) -> Path:
    """A .docx whose document.xml is one byte repeated; `claim` rewrites the size the zip's
    headers state (a bomb that lies about itself)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        with z.open("word/document.xml", "w") as f:
            block = b"a" * (1 << 20)
            for _ in range(inflated_mb):
                f.write(block)
    if claim is not None:
        data = bytearray(out.read_bytes())
        for sig, name_len_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
            i = data.find(sig)
            while i >= 0:
                n = struct.unpack_from("<H", data, i + name_len_at)[0]
                if data[i + name_at:i + name_at + n] == b"word/document.xml":
                    struct.pack_into("<I", data, i + size_at, claim)
                i = data.find(sig, i + 4)
        out.write_bytes(bytes(data))
    return out


def case_7(lab: Lab) -> list[Row]:
    text = lab.root / "files" / "重复5MB.txt"
    text.parent.mkdir(parents=True, exist_ok=True)
    text.write_text(REPEATED_SENTENCE * (5 * 1024 * 1024 // len(REPEATED_SENTENCE.encode()) + 1), encoding="utf-8")
    rep = lab.cli(lab.root / "c7-text", "ingest", "--quiet", "--json", str(text), timeout=240)
    summary = ingest_json(rep)
    rows = [Row("7", f"`ingest` a {text.stat().st_size / 1e6:.1f} MB text of one policy sentence repeated",
                "ends in < 30 s without a Traceback (the repeats kept once)",
                f"rc={rep.rc} in {rep.seconds:.1f} s, {rep.max_rss_mb:.0f} MB peak; chunks {summary.get('chunks')}, "
                f"embedded {summary.get('embedded')}", rep.seconds < 30 and "Traceback" not in rep.err and rep.rc in (0, 1))]
    t0 = time.perf_counter()
    pdf = make_long_pdf(lab.root / "files" / "2000页.pdf")
    made = time.perf_counter() - t0
    data = lab.copy_base("c7")
    res = lab.cli(data, "ingest", "--quiet", str(pdf), timeout=120)
    rows.append(Row("7", f"`ingest` a 2,000-page text PDF made with reportlab ({pdf.stat().st_size / 1e6:.1f} MB, made in {made:.1f} s)",
                    "refused with the page count, fast (< 30 s)", f"{res.brief()}; {res.max_rss_mb:.0f} MB peak",
                    res.rc != 0 and "2000" in res.err and res.seconds < 30))
    for label, claim in (("", None), (", its zip headers claiming 4 KB", 4096)):
        bomb = make_docx_bomb(lab.root / "files" / f"bomb{claim or ''}.docx", claim=claim)
        res = lab.cli(data, "ingest", "--quiet", str(bomb), timeout=120)
        rows.append(Row("7", f"`ingest` a .docx ({bomb.stat().st_size // 1024} KB) inflating to 250 MB{label}",
                        "refused fast (< 30 s), memory far below the inflated size",
                        f"{res.brief()}; {res.max_rss_mb:.0f} MB peak",
                        res.rc != 0 and res.one_line and res.seconds < 30 and res.max_rss_mb < 250))
    return rows
