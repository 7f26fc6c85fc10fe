"""The shared pieces of the safety cases: the sample documents, the rows, the commands and
pages they run, and small helpers."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CORPUS = ROOT / "docs_corpus"
CACHE = ROOT / ".cache" / "safety-embeddings.sqlite"
ADMIN_PASSWORD = "管理员密码2024"
BASE_DOC = "2022_"  # the smallest corpus document with clauses: the base index of every case
BASE_Q = "学习贯彻大会精神有哪些要求？"
NEW_Q = "晋中市到2025年要建成多少个市级实训基地？"
NEW_TITLE = "晋中市职业教育提质行动方案"
BUSY = "另一个收录任务正在进行"
# Inherited settings would change what is measured (an LLM, a password, a rate): cleared.
CLEARED_ENV = ("LLM_BASE_URL", "LLM_MODEL", "LLM_API_KEY", "POLICY_MODE", "POLICY_ADMIN_PASSWORD",
               "POLICY_RATE_PER_MINUTE", "POLICY_RATE_BURST", "POLICY_MAX_FILE_MB", "CHROMA_URL", "POLICY_EMBEDDER")

JINZHONG_PLAN = """晋中市人民政府文件

晋中政发〔2023〕5号

晋中市人民政府关于印发晋中市职业教育提质行动方案的通知

各县（区、市）人民政府，市直各有关单位：

现将《晋中市职业教育提质行动方案》印发给你们，请认真贯彻执行。

晋中市人民政府
2023年3月15日

晋中市职业教育提质行动方案

一、主要任务

（一）建设实训基地。到2025年建成市级实训基地12个。（责任单位：市教育局、市财政局）

（二）培育双师型教师。到2025年双师型教师占专业课教师比例达到60%以上。（责任单位：市教育局、市人社局）
"""

LVLIANG_PLAN = """吕梁市人民政府文件

吕政发〔2022〕11号

吕梁市人民政府关于印发吕梁市产教融合实施方案的通知

各县（市、区）人民政府，市直各有关单位：

现将《吕梁市产教融合实施方案》印发给你们，请认真组织实施。

吕梁市人民政府
2022年6月8日

吕梁市产教融合实施方案

一、重点任务

（一）培育产教融合型企业。到2024年培育市级产教融合型企业30家。（责任单位：市发展改革委、市教育局）

（二）建设产业学院。每所高职院校至少建设2个产业学院。（责任单位：市教育局）

二、保障措施

（三）落实税费优惠。按规定落实产教融合型企业税费优惠政策。（责任单位：市税务局、市财政局）
"""

ONE_CLAUSE_NOTICE = """山西省教育厅关于做好2024年职业院校招生工作的通知

晋教职成函〔2024〕3号

各市教育局：

一、各职业院校要在2024年6月30日前完成招生计划备案。

山西省教育厅
2024年3月1日
"""

REPEATED_SENTENCE = "（一）各地要加强职业院校实训基地建设，完善校企合作机制。\n"


@dataclass
class Row:
    case: str
    tried: str
    expected: str
    observed: str
    holds: bool


@dataclass
class Result:
    """One finished command: exit code, output, wall seconds and peak memory."""
    rc: int
    out: str
    err: str
    seconds: float
    max_rss_mb: float

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]

    @property
    def one_line(self) -> bool:
        """A one-line message: no traceback, and the error said in a single line."""
        errors = [line for line in self.err_lines if not line.startswith("完成")]
        return "Traceback" not in self.err and len(errors) == 1

    def brief(self) -> str:
        return f"rc={self.rc}, {self.seconds:.1f} s: {short(' / '.join(self.err_lines)) or '（stderr 为空）'}"


def short(text: str, n: int = 150) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


class Running:
    """A started command. Output goes to files (a pipe could fill and stall it); os.wait4
    gives this one child's peak memory."""

    def __init__(self, cmd: list[str], env: dict, folder: Path, stdin: bytes | None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        tag = f"{time.monotonic_ns()}"
        self.out_path, self.err_path = folder / f"{tag}.out", folder / f"{tag}.err"
        stdin_path = folder / f"{tag}.in"
        stdin_path.write_bytes(stdin or b"")
        self.t0 = time.perf_counter()
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err, open(stdin_path, "rb") as inp:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=inp, stdout=out, stderr=err)

    def finish(self, timeout: float = 300) -> Result:
        timer = threading.Timer(timeout, self.proc.kill)  # a hung command fails its row, not the run
        timer.start()
        try:
            _, status, usage = os.wait4(self.proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - self.t0
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        read = lambda p: p.read_bytes().decode("utf-8", "replace")  # noqa: E731
        return Result(self.proc.returncode, read(self.out_path), read(self.err_path), seconds, usage.ru_maxrss / 1024)


@dataclass
class Page:
    proc: subprocess.Popen
    url: str
    log: Path
    data: Path

    def client(self):
        from gradio_client import Client

        return Client(self.url, verbose=False)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """The temporary folder, the base index and the pages; everything started is stopped by
    its own handle in close()."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._base: Path | None = None
        self.pages: dict[str, Page] = {}

    def env(self, data: Path, **extra: str) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
        env.update({"POLICY_DATA_DIR": str(data), "POLICY_EMBED_CACHE": str(CACHE), "GRADIO_ANALYTICS_ENABLED": "False",
                    "PYTHONIOENCODING": "utf-8"})
        env.update(extra)
        return env

    def start(self, data: Path, *args: str, stdin: bytes | None = None, env: dict | None = None) -> Running:
        cmd = [sys.executable, "-m", "assistant.cli", *args]
        return Running(cmd, {**self.env(data), **(env or {})}, self.root / "runs", stdin)

    def cli(self, data: Path, *args: str, stdin: bytes | None = None, env: dict | None = None, timeout: float = 300) -> Result:
        return self.start(data, *args, stdin=stdin, env=env).finish(timeout)

    def file(self, name: str, text: str) -> Path:
        path = self.root / "files" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def base(self) -> Path:
        """A data folder holding one corpus document, built once per run."""
        if self._base is None:
            data = self.root / "base"
            res = self.cli(data, "ingest", "--quiet", "--json", str(corpus_file(BASE_DOC)), timeout=900)
            if res.rc != 0:
                raise RuntimeError(f"could not build the base index: {res.brief()}")
            self._base = data
        return self._base

    def copy_base(self, name: str) -> Path:
        dest = self.root / name
        shutil.copytree(self.base(), dest)
        return dest

    def page(self, profile: str) -> Page:
        """'open': no pacing (many questions in a row are the point there); 'guarded': admin
        password, a 1 MB file limit and the default pace of 30 questions a minute."""
        if profile not in self.pages:
            extra = {"open": {"POLICY_RATE_PER_MINUTE": "0"},
                     "guarded": {"POLICY_ADMIN_PASSWORD": ADMIN_PASSWORD, "POLICY_MAX_FILE_MB": "1",
                                 "POLICY_RATE_PER_MINUTE": "30"}}[profile]
            self.pages[profile] = self._serve(profile, extra)
        return self.pages[profile]

    def _serve(self, profile: str, extra: dict) -> Page:
        data, port = self.copy_base(f"page-{profile}"), free_port()
        log = self.root / f"page-{profile}.log"
        tmp = self.root / f"gradio-tmp-{profile}"
        env = self.env(data, GRADIO_TEMP_DIR=str(tmp), **extra)
        with open(log, "wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                                    stdout=out, stderr=subprocess.STDOUT)
        page = Page(proc, f"http://127.0.0.1:{port}/", log, data)
        deadline = time.time() + 180
        while time.time() < deadline and proc.poll() is None:
            try:
                if urllib.request.urlopen(page.url, timeout=2).status == 200:
                    return page
            except OSError:
                time.sleep(0.5)
        proc.kill()
        proc.wait()
        raise RuntimeError(f"the {profile} page did not start: {page.log_text()[-500:]}")

    def close(self) -> None:
        for page in self.pages.values():
            page.proc.terminate()
            try:
                page.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                page.proc.kill()
                page.proc.wait()


def corpus_file(prefix: str) -> Path:
    return next(p for p in sorted(CORPUS.iterdir()) if p.name.startswith(prefix))


def ingest_json(res: Result) -> dict:
    try:
        return json.loads(res.out)
    except json.JSONDecodeError:
        return {}


def doc_sources(lab: Lab, data: Path) -> tuple[Result, set[str]]:
    res = lab.cli(data, "docs", "--json")
    try:
        return res, {d["source"] for d in json.loads(res.out)}
    except (json.JSONDecodeError, KeyError, TypeError):
        return res, set()


def parse_json(line: str) -> dict:
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def ask_page(client, question) -> str:
    return client.predict(question, api_name="/ask")


def timed(fn, *a):
    t0 = time.perf_counter()
    value = fn(*a)
    return value, time.perf_counter() - t0
