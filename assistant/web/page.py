"""The chat page: ask in Chinese, see the answer and where it stands, check the clause."""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported: no outbound calls

import gradio as gr  # noqa: E402

from ..chain import PolicyAssistant  # noqa: E402
from ..feedback import FeedbackStore  # noqa: E402
from ..present import as_text  # noqa: E402
from ..data import read_lines  # noqa: E402
from ..settings import Settings  # noqa: E402
from ..store import IndexStore, IngestBusy  # noqa: E402
from ..types import Answer, doc_name  # noqa: E402
from .admin import AdminGate, keep_upload  # noqa: E402
from .limits import RateLimiter, UploadGuard, client_key  # noqa: E402
from .render import LEVELS, chat_markdown, document_html, md_escape, sources_html  # noqa: E402

# Example questions shown under the chat box: a data file, written for the bundled corpus.
EXAMPLES = read_lines("examples.txt")
CSS = """
.src-card {border:1px solid #d0d7de; border-radius:8px; padding:10px 12px; margin-bottom:10px; background:#fff;}
.src-title {font-weight:600;} .src-path {color:#0b5394; margin:4px 0;} .src-units {color:#6a3d00; margin:4px 0;}
.src-meta {color:#57606a; font-size:0.9em; margin-bottom:6px;} .src-text {line-height:1.7;}
.src-text mark, .doc-clause mark {background:#fff3a3; padding:0 2px;}
.src-refusal {border:2px solid #d4a72c; background:#fff8e1; border-radius:8px; padding:12px;}
.src-empty {color:#57606a;} .doc-clause {padding:6px 0; border-bottom:1px dashed #ddd;}
.doc-clause.cited {background:#f0f7ff;} .doc-path {font-weight:600; color:#0b5394;}
"""


class AssistantHolder:
    """The loaded assistant, shared by every request without a lock around answering (the
    assistant is read-only once loaded). When another process (a command-line ingest,
    another page) has switched the index, a newer assistant is loaded in the background and
    swapped in between questions; a question already running finishes on the one it began
    with, whose snapshot no ingest deletes until the last such question is done."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.lock = threading.Lock()  # guards the swap and the counts, never an answer
        self.store = IndexStore(settings)
        self.follower = None
        if settings.chroma_url:  # one of several replicas: follow what any of them publishes
            from .. import follow

            follow.prepare(self.store)
            self.follower = follow.Follower(self.store, settings.sync_seconds, self.refresh_if_changed).start()
        self.assistant = PolicyAssistant(settings)
        self._busy: dict[int, int] = {}
        self._loading: threading.Thread | None = None

    def health(self) -> dict:
        """What a load balancer or an operator checks: the snapshot served, the documents in it
        and, for a replica, the published snapshot and how its following goes. Serving at all
        means ready: the page starts listening only once its copy is made."""
        a = self.assistant
        out = {"ready": True, "snapshot": a.snapshot_id, "documents": len(a.documents)}
        if self.follower is not None:
            out |= {"published": self.store.load_state().get("published"), "following": self.follower.status()}
        return out

    def reload(self) -> None:
        fresh = PolicyAssistant(self.settings)
        with self.lock:
            old, self.assistant = self.assistant, fresh
            if not self._busy.get(id(old)):
                old.snap.release()

    def refresh_if_changed(self) -> threading.Thread | None:
        """Start loading the index CURRENT names if it is not the one in use."""
        current = self.store.current_id()
        if current and current != self.assistant.snapshot_id and not (self._loading and self._loading.is_alive()):
            self._loading = threading.Thread(target=self._load_quietly, daemon=True)
            self._loading.start()
        return self._loading

    def _load_quietly(self) -> None:
        try:
            self.reload()
        except Exception:  # a half-written or broken index: keep serving the loaded one
            logging.getLogger(__name__).exception("could not load the newer index; still serving %s", self.assistant.snapshot_id)

    def ask(self, *a, **kw) -> Answer:
        self.refresh_if_changed()
        with self.lock:
            assistant = self.assistant  # the whole question is answered by this one
            self._busy[id(assistant)] = self._busy.get(id(assistant), 0) + 1
        try:
            return assistant.ask(*a, **kw)
        finally:
            with self.lock:
                self._busy[id(assistant)] -= 1
                if not self._busy[id(assistant)]:
                    del self._busy[id(assistant)]
                    if assistant is not self.assistant:
                        assistant.snap.release()


def _doc_choices(holder: AssistantHolder) -> list[tuple[str, str]]:
    return [(f"{d.title}{('（' + d.doc_number + '）') if d.doc_number else ''}", d.doc_id) for d in holder.assistant.documents]


def _compare_caption(holder) -> str:
    pair = holder.assistant.compare_docs
    if not pair:
        return "已收录的文件中没有引用省级文件文号的市级计划，无法逐条对照。"
    city, prov = (holder.assistant.snap.documents[d] for d in pair)
    return (f"{doc_name(city.title, city.doc_number, city.forwarded_by)}逐条对照其所落实的"
            f"{doc_name(prov.title, prov.doc_number, prov.forwarded_by)}。")


def _docs_table(holder: AssistantHolder) -> list[list]:
    a = holder.assistant
    counts = a.snap.clause_counts()
    return [[d.title, d.doc_number or "—", d.issuer or "—", d.date or "—", LEVELS.get(d.level, "—"), counts.get(d.doc_id, 0)]
            for d in a.documents]


def _history(answers: list[Answer]) -> list[dict]:
    out = []
    for a in answers:
        out += [{"role": "user", "content": a.question}, {"role": "assistant", "content": a.answer}]
    return out


class PageActions:
    """What the page's controls do: each method is one event handler. Kept apart from the
    layout so build_app only arranges components and wires them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.holder = AssistantHolder(settings)
        self.gate = AdminGate(settings.admin_password)
        self.feedback = FeedbackStore(Path(settings.data_dir) / "feedback.sqlite")
        self.pace = RateLimiter(settings.rate_per_minute, settings.rate_burst)

    def respond(self, message, chat, answers, selected, doc_ids, level, mode, request: gr.Request):
        message = (message or "").strip()
        if not message:
            yield chat, answers, selected, gr.update(), gr.update(), ""
            return
        chat = list(chat or []) + [{"role": "user", "content": md_escape(message)}]
        too_fast = self.pace.refusal(client_key(request))
        if too_fast:
            yield chat + [{"role": "assistant", "content": too_fast}], answers, selected, gr.update(), gr.update(), ""
            return
        yield chat + [{"role": "assistant", "content": "正在检索文件……"}], answers, selected, gr.update(), gr.update(), ""
        try:
            ans = self.holder.ask(message, _history(answers), doc_ids=tuple(doc_ids or ()),
                                  level=None if level == "all" else level, mode=mode)
        except ValueError as e:  # too long, not text: say what and why, keep the conversation
            yield chat + [{"role": "assistant", "content": md_escape(str(e))}], answers, selected, gr.update(), gr.update(), ""
            return
        full = chat_markdown(ans)
        step = max(8, len(full) // 12)
        for k in range(step, len(full), step):  # stream the text as it is shown
            yield chat + [{"role": "assistant", "content": full[:k]}], answers, selected, gr.update(), gr.update(), ""
        answers = list(answers) + [ans]
        chat = chat + [{"role": "assistant", "content": full}]
        cites = _cite_choices(ans)
        yield (chat, answers, len(answers) - 1, sources_html(ans, self.holder.assistant.snap),
               gr.update(choices=cites, value=None, visible=bool(cites)), as_text(ans))

    def select_message(self, answers, evt: gr.SelectData):
        idx = evt.index if isinstance(evt.index, int) else evt.index[0]
        turn = idx // 2
        if not answers or turn >= len(answers):
            return gr.update(), gr.update(), gr.update(), gr.update()
        ans = answers[turn]
        cites = _cite_choices(ans)
        return turn, sources_html(ans, self.holder.assistant.snap), gr.update(choices=cites, value=None, visible=bool(cites)), as_text(ans)

    def open_document(self, answers, selected, pick):
        if pick is None or selected is None or selected >= len(answers):
            return gr.update(value="", visible=False)
        ans = answers[selected]
        return gr.update(value=document_html(self.holder.assistant.snap, ans.citations[int(pick)]), visible=True)

    def give_feedback(self, rating, answers, selected, comment):
        if not answers or selected is None:
            return "请先提问，再评价回答。", comment
        ans = answers[selected]
        try:
            row = self.feedback.add(ans, as_text(ans), rating, comment or "")
        except ValueError as e:
            return str(e), comment
        return f"已记录{'👍' if rating == 'up' else '👎'}反馈（编号 {row}），谢谢！", ""

    def new_conversation(self):
        return ([], [], None, sources_html(None, self.holder.assistant.snap), gr.update(choices=[], value=None, visible=False), "", "",
                gr.update(value="", visible=False))

    def api_ask(self, question: str, request: gr.Request) -> str:
        """One question in; the answer with its citations, in the text form the page shows."""
        if not isinstance(question, str):
            return f"问题必须是文字，收到的是 {type(question).__name__}。"
        if not question.strip():
            return "问题为空。"
        too_fast = self.pace.refusal(client_key(request))
        if too_fast:
            return too_fast
        try:
            return as_text(self.holder.ask(question))
        except ValueError as e:
            return str(e)

    def upload(self, password, files, request: gr.Request, progress=gr.Progress(track_tqdm=True)):
        from ingest.index import ingest_paths

        refused = self.gate.check(password, client_key(request))
        if refused:
            return [["—", refused]], gr.update(), gr.update(), gr.update()
        if not files:
            return [["—", "请选择文件"]], gr.update(), gr.update(), gr.update()
        dest = Path(self.settings.data_dir) / "uploads"
        paths = [keep_upload(Path(f if isinstance(f, str) else f.name), dest) for f in files]
        results: list[list[str]] = []
        labels = {"added": "已收录", "updated": "已更新", "unchanged": "未变化"}

        def on_file(source, status, reason):
            results.append([source, f"错误：{reason}" if status == "error" else labels[status]])

        progress(0, desc="正在收录……")
        try:
            ingest_paths(paths, self.settings, show_progress=True, on_file=on_file)
        except IngestBusy as e:
            return [["—", str(e)]], gr.update(), gr.update(), gr.update()
        self.holder.reload()
        choices = _doc_choices(self.holder)
        return results, _docs_table(self.holder), gr.update(choices=choices), gr.update(choices=choices)

    def remove(self, password, doc_ids, request: gr.Request):
        from ingest.index import remove_documents

        refused = self.gate.check(password, client_key(request))
        if refused or not doc_ids:
            return [["—", refused or "请选择要移出的文件"]], gr.update(), gr.update(), gr.update()
        try:
            rep = remove_documents(list(doc_ids), self.settings)
        except (IngestBusy, ValueError) as e:
            return [["—", str(e)]], gr.update(), gr.update(), gr.update()
        self.holder.reload()
        rows = [[source, "已移出（文件本身未删除）"] for source in rep.removed]
        choices = _doc_choices(self.holder)
        return rows, _docs_table(self.holder), gr.update(choices=choices), gr.update(choices=choices, value=[])


def build_app(settings: Settings, act: "PageActions | None" = None) -> gr.Blocks:
    act = act or PageActions(settings)
    holder = act.holder
    # Temporary uploads nobody ingested (the upload route takes files before the password is
    # checked) are deleted hourly once an hour old.
    with gr.Blocks(title="教育政策问答助手", delete_cache=(3600, 3600)) as demo:
        gr.Markdown("## 教育政策问答助手\n根据已收录的政策文件回答问题，每个回答都注明文件、文号、条款和原文。")
        answers = gr.State([])
        selected = gr.State(None)
        with gr.Tab("问答"):
            chat = _chat_tab(settings, holder)
        with gr.Tab("责任单位"):
            _units_tab(holder)
        with gr.Tab("省市对比"):
            gr.Markdown(_compare_caption(holder))
            compare_table = gr.Dataframe(headers=["市级条款", "省级条款", "主要差别"], interactive=False, wrap=True, elem_id="compare-table")
        with gr.Tab("目标与期限"):
            _targets_tab(holder)
        with gr.Tab("已收录文件"):
            _docs_tab(settings, act, chat.docs_filter)
        _wire_chat(act, chat, answers, selected)
        gr.api(act.api_ask, api_name="ask")
        demo.load(lambda: _compare_rows(holder), None, compare_table)
    return demo


def _chat_tab(settings: Settings, holder: AssistantHolder) -> SimpleNamespace:
    """The chat, its filters and feedback on the left; the cited clauses on the right."""
    c = SimpleNamespace()
    with gr.Row():
        with gr.Column(scale=3):
            c.chatbot = gr.Chatbot(
                label="对话", height=480, elem_id="chat",
                examples=[{"text": q} for q in EXAMPLES], placeholder="请输入问题，或点击下面的示例问题。",
            )
            with gr.Row():
                c.box = gr.Textbox(placeholder=f"请输入问题，例如：{EXAMPLES[0]}" if EXAMPLES else "请输入问题", show_label=False,
                                   scale=5, elem_id="question")
                c.send = gr.Button("发送", variant="primary", scale=1, elem_id="send")
            with gr.Row():
                c.docs_filter = gr.Dropdown(choices=_doc_choices(holder), multiselect=True, label="只在这些文件中查找", scale=3)
                c.level = gr.Radio(choices=[("全部", "all"), ("国家", "national"), ("省级", "province"), ("市级", "city"), ("县级", "county")],
                                   value="all", label="层级", scale=2)
                c.mode = gr.Radio(
                    choices=[("大模型（核验后显示）", "llm"), ("原文摘录", "extractive")],
                    value=settings.answer_mode, label="回答方式", scale=2, visible=settings.llm_configured, elem_id="answer-mode",
                )
            with gr.Row():
                c.up = gr.Button("👍 有帮助", elem_id="fb-up")
                c.down = gr.Button("👎 没帮助", elem_id="fb-down")
                c.comment = gr.Textbox(placeholder="意见（可选）", show_label=False, scale=3, elem_id="fb-comment")
                c.new = gr.Button("新对话", elem_id="new-chat")
            c.fb_status = gr.Markdown(elem_id="fb-status")
            with gr.Accordion("复制回答（含出处，纯文本）", open=False):
                c.copy_text = gr.Textbox(show_label=False, lines=6, buttons=["copy"], interactive=False, elem_id="copy-text")
        with gr.Column(scale=2):
            gr.Markdown("### 依据的条款")
            c.sources = gr.HTML(sources_html(None, holder.assistant.snap), elem_id="sources")
            c.cite_pick = gr.Radio(label="打开文件全文（定位到该条款）", choices=[], visible=False, elem_id="open-doc")
            c.doc_view = gr.HTML(visible=False, elem_id="doc-view", max_height=600)
    return c


def _take_question(text: str) -> tuple[str, str]:
    """The question box is emptied as the question is sent, not after it is answered: what a
    user starts typing while an answer is shown is theirs to keep."""
    return "", text


def _wire_chat(act: PageActions, c: SimpleNamespace, answers, selected) -> None:
    asked = gr.State("")
    ins = [asked, c.chatbot, answers, selected, c.docs_filter, c.level, c.mode]
    outs = [c.chatbot, answers, selected, c.sources, c.cite_pick, c.copy_text]
    c.send.click(_take_question, c.box, [c.box, asked]).then(act.respond, ins, outs)
    c.box.submit(_take_question, c.box, [c.box, asked]).then(act.respond, ins, outs)
    c.chatbot.example_select(_example_text, None, asked).then(act.respond, ins, outs)
    c.chatbot.select(act.select_message, [answers], [selected, c.sources, c.cite_pick, c.copy_text])
    c.cite_pick.change(act.open_document, [answers, selected, c.cite_pick], c.doc_view)
    c.up.click(lambda a, s, m: act.give_feedback("up", a, s, m), [answers, selected, c.comment], [c.fb_status, c.comment])
    c.down.click(lambda a, s, m: act.give_feedback("down", a, s, m), [answers, selected, c.comment], [c.fb_status, c.comment])
    c.new.click(act.new_conversation, None, [c.chatbot, answers, selected, c.sources, c.cite_pick, c.copy_text, c.fb_status, c.doc_view])


def _units_tab(holder: AssistantHolder) -> None:
    from ..structure.units import tasks_of, unit_counts

    counts = unit_counts(holder.assistant.snap)
    with gr.Row():
        unit_pick = gr.Dropdown(choices=[(f"{r['unit']}（{r['clauses']}项，牵头{r['lead']}项）", r["unit"]) for r in counts],
                                label="选择责任单位", scale=3, elem_id="unit-pick")
        lead_only = gr.Checkbox(label="只看牵头（排第一位）", scale=1)
    unit_table = gr.Dataframe(headers=["文件", "文号", "条款", "牵头"], interactive=False, wrap=True, elem_id="unit-table")

    def show_unit(unit, lead):
        if not unit:
            return []
        return [[t.doc.title, t.doc.doc_number or "—", " › ".join(t.clause.clause_path), "是" if t.lead else ""]
                for t in tasks_of(holder.assistant.snap, unit, bool(lead))]

    unit_pick.change(show_unit, [unit_pick, lead_only], unit_table)
    lead_only.change(show_unit, [unit_pick, lead_only], unit_table)


def _targets_tab(holder: AssistantHolder) -> None:
    from ..structure.targets import extract_targets

    rows = [[t.year or "", t.deadline or "", t.doc.doc_number or t.doc.title, " › ".join(t.clause.clause_path),
             "、".join(t.clause.responsible_units), t.sentence] for t in extract_targets(holder.assistant.snap)]
    gr.Dataframe(value=rows, headers=["年份", "期限", "文件", "条款", "责任单位", "目标原文"], interactive=False, wrap=True,
                 elem_id="targets-table")


def _docs_tab(settings: Settings, act: PageActions, docs_filter) -> None:
    docs_table = gr.Dataframe(
        value=_docs_table(act.holder), headers=["标题", "文号", "发文机关", "日期", "层级", "条款数"],
        interactive=False, wrap=True, elem_id="docs-table",
    )
    if not settings.admin_password:
        gr.Markdown("管理员上传未启用（设置环境变量 POLICY_ADMIN_PASSWORD 后可用）。")
        return
    with gr.Accordion("管理员：上传或移出文件", open=False):
        pwd = gr.Textbox(type="password", label="管理员密码")
        files = gr.File(file_count="multiple", file_types=[".pdf", ".txt", ".md"], label="文件", elem_id="upload-files")
        go = gr.Button("上传并收录")
        results = gr.Dataframe(headers=["文件", "结果"], interactive=False, elem_id="upload-results")
        with gr.Row():
            to_remove = gr.Dropdown(choices=_doc_choices(act.holder), multiselect=True, label="从索引中移出（文件本身不删除）",
                                    scale=4, elem_id="remove-docs")
            drop = gr.Button("移出", variant="stop", scale=1, elem_id="remove-go")
    go.click(act.upload, [pwd, files], [results, docs_table, docs_filter, to_remove])
    drop.click(act.remove, [pwd, to_remove], [results, docs_table, docs_filter, to_remove])


def _compare_rows(holder: AssistantHolder) -> list[list[str]]:
    return [[" › ".join(p.city.clause.clause_path[-1:]) if p.city else "—",
             " › ".join(p.province.clause.clause_path[-1:]) if p.province else "—",
             "\n".join(p.differences)] for p in holder.assistant.alignment]


def _cite_choices(ans: Answer) -> list[tuple[str, int]]:
    return [(f"[{i}] {c.doc_title} › {' › '.join(c.clause_path[-1:])}", i - 1) for i, c in enumerate(ans.citations, 1)]


def _example_text(evt: gr.SelectData) -> str:
    v = evt.value
    return v.get("text", "") if isinstance(v, dict) else str(v)


def health_route(holder: AssistantHolder):
    """GET /healthz: the holder's health as JSON (a route of its own, before Gradio's)."""
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def healthz(request):
        return JSONResponse(holder.health())

    return Route("/healthz", healthz, methods=["GET"])


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    from starlette.middleware import Middleware

    act = PageActions(settings)
    demo = build_app(settings, act)
    demo.queue(default_concurrency_limit=4).launch(
        server_name=host, server_port=port, share=False, show_error=True, css=CSS, footer_links=[],
        # Gradio's upload route is open to anyone who can reach the page: cap each file at the
        # ingest limit, so nobody can fill the disk with one request.
        max_file_size=int(settings.max_file_mb * 1024 * 1024),
        # Gradio's /monitoring page is open to anyone and prints its key to the log: off.
        enable_monitoring=False,
        app_kwargs={"middleware": [Middleware(UploadGuard, uploads_enabled=bool(settings.admin_password))],
                    "routes": [health_route(act.holder)]},
    )
