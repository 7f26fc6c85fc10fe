"""The LLM composer: numbered sources → any OpenAI-compatible chat model → text with [n]
markers. Nothing it writes reaches the user before `verify_generated` has checked it."""
from __future__ import annotations

from typing import Sequence

from prompts import REFUSAL, load

from ..retrieve.hybrid import Hit
from ..settings import Settings
from ..types import UNITS_LABEL, Given, doc_name


class LLMError(RuntimeError):
    """The model could not give an answer (unreachable, timeout, HTTP error, bad reply)."""


def describe_failure(e: BaseException) -> str:
    """A short Chinese reason for the notice users see, with the technical cause."""
    chain, cur = [], e
    while cur is not None and len(chain) < 5:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    names = " ".join(type(x).__name__ for x in chain)
    status = next((getattr(x, "status_code", None) for x in chain if getattr(x, "status_code", None)), None)
    if "Timeout" in names:
        reason = "请求超时"
    elif status == 429 or "RateLimit" in names:
        reason = "请求过于频繁（HTTP 429）"
    elif status:
        reason = f"服务返回错误（HTTP {status}）"
    elif "Connect" in names:
        reason = "无法连接模型服务"
    elif "JSON" in names or "Decode" in names or "Validation" in names:
        reason = "模型回复格式错误"
    else:
        reason = "调用失败"
    return f"{reason}：{type(e).__name__}"


def given(hits: Sequence[Hit]) -> list[Given]:
    """The sources as the model sees them: a header (title, 文号, clause path, 责任单位) and
    the text. The verifier checks against exactly this."""
    out = []
    for h in hits:
        d, c = h.doc, h.clause
        head = doc_name(d.title, d.doc_number, d.forwarded_by)
        if c.clause_path:
            head += " › " + " › ".join(c.clause_path)
        if c.responsible_units:
            head += UNITS_LABEL + "、".join(c.responsible_units)
        out.append(Given(head, h.text))
    return out


def format_sources(hits: Sequence[Hit]) -> str:
    return "\n\n".join(f"[{i}] {g.header}\n{g.text}" for i, g in enumerate(given(hits), 1))


def format_history(history: Sequence[dict]) -> str:
    role = {"user": "用户", "assistant": "助手"}
    return "\n".join(f"{role.get(m.get('role'), '用户')}：{m.get('content', '')}" for m in history)


class LLMComposer:
    def __init__(self, settings: Settings) -> None:
        from langchain_openai import ChatOpenAI

        if not (settings.llm_base_url and settings.llm_model):
            raise ValueError("LLM 模式需要设置 LLM_BASE_URL 和 LLM_MODEL")
        self.model = ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key or "not-needed",  # local servers (Ollama, vLLM) ignore it
            timeout=settings.llm_timeout,
            temperature=settings.llm_temperature,
            max_retries=0,  # a retry would double the wait; the extractive answer is the fallback
            streaming=settings.llm_stream,
        )
        self.stream = settings.llm_stream

    def _call(self, messages: list[tuple[str, str]]) -> str:
        try:
            if self.stream:
                text = "".join(str(chunk.content) for chunk in self.model.stream(messages))
            else:
                text = str(self.model.invoke(messages).content)
        except Exception as e:  # openai/httpx raise many types; all mean "no usable answer"
            raise LLMError(describe_failure(e)) from e
        if not text.strip():
            raise LLMError("模型返回了空回答")
        return text.strip()

    def answer(self, question: str, hits: Sequence[Hit]) -> str:
        system = load("answer_system.txt").format(refusal=REFUSAL)
        user = load("answer_user.txt").format(sources=format_sources(hits), question=question)
        return self._call([("system", system), ("human", user)])

    def complete(self, prompt: str) -> str:
        """One plain request (the entailment judge); raises LLMError like the others."""
        return self._call([("human", prompt)])

    def condense(self, question: str, history: Sequence[dict]) -> str:
        prompt = load("condense.txt").format(history=format_history(history), question=question)
        out = self._call([("human", prompt)])
        return out.splitlines()[0].strip() or question
