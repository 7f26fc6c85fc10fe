"""LLM mode against a real HTTP server speaking the OpenAI protocol, driven by the real
ChatOpenAI client: faithful answers pass, wrong figures and foreign citations are caught,
every failure falls back to the extractive answer with a notice."""
from __future__ import annotations

import time

import pytest

from prompts import REFUSAL
from tests.llm_server import ScriptedOpenAI

pytestmark = pytest.mark.slow
Q = "公办高职院校生均财政拨款不低于多少？"


@pytest.fixture(scope="module")
def server():
    with ScriptedOpenAI() as s:
        yield s


def _assistant(corpus_index, server, stream=True, timeout=5.0):
    from assistant.chain import PolicyAssistant

    settings = corpus_index.with_overrides(
        llm_base_url=server.url, llm_model="test-model", llm_api_key="sk-test", llm_timeout=timeout,
        mode="llm", llm_stream=stream,
    )
    return PolicyAssistant(settings)


@pytest.fixture(scope="module")
def llm(corpus_index, server):
    return _assistant(corpus_index, server)


def _source_number(server, clause_label: str) -> int:
    """Which [n] the prompt gave to a clause (read from the request the server received)."""
    prompt = server.requests[-1]["body"]["messages"][-1]["content"]
    for line in prompt.splitlines():
        if line.startswith("[") and clause_label in line:
            return int(line[1 : line.index("]")])
    raise AssertionError(f"{clause_label} not among the sources")


def test_faithful_answer_passes_with_its_citations(llm, server):
    server.script.append({"content": "公办高职院校生均财政拨款水平每年不低于12000元[1]。公办中等职业教育每年达到8000元以上[1]。"})
    ans = llm.ask(Q)
    assert _source_number(server, "（二十四）完善经费投入机制") == 1
    assert ans.found and ans.mode == "llm" and ans.notice is None
    assert "12000元[1]" in ans.answer and "8000元以上[1]" in ans.answer
    assert len(ans.citations) == 1 and ans.citations[0].clause_path[-1] == "（二十四）完善经费投入机制"
    assert "12000" in ans.citations[0].quote
    req = server.requests[-1]
    assert req["path"].endswith("/chat/completions") and req["auth"] == "Bearer sk-test" and req["body"]["stream"] is True
    system = req["body"]["messages"][0]["content"]
    assert REFUSAL in system and "[1]" in system


def test_wrong_figure_in_a_side_sentence_is_removed(llm, server):
    server.script.append({"content": "公办高职院校生均财政拨款水平每年不低于12000元[1]。公办中等职业教育每年达到9000元以上[1]。"})
    ans = llm.ask(Q)
    assert ans.mode == "llm" and "12000元[1]" in ans.answer and "9000" not in ans.answer
    assert "已删除1句" in ans.notice


def test_wrong_figure_in_the_answering_sentence_falls_back(llm, server):
    """The sentence that answers is gone: the rest is not shown as if it were the answer."""
    server.script.append({"content": "公办高职院校生均财政拨款水平每年不低于15000元[1]。公办中等职业教育每年达到8000元以上[1]。"})
    ans = llm.ask(Q)
    assert ans.found and ans.mode == "extractive" and "未能通过原文核验" in ans.notice
    assert "15000" not in ans.answer and "12000元" in ans.answer


def test_nothing_verified_falls_back_to_extractive(llm, server):
    server.script.append({"content": "公办高职院校生均财政拨款水平每年不低于1.5万元[1]。"})
    ans = llm.ask(Q)
    assert ans.found and ans.mode == "extractive" and "未能通过原文核验" in ans.notice
    assert "12000元" in ans.answer and "1.5万" not in ans.answer


def test_citation_to_a_source_not_given_is_moved_to_the_source_that_says_it(llm, server):
    server.script.append({"content": "公办高职院校生均财政拨款水平每年不低于12000元[1][9]。地方教育附加费用于职业教育的比例不低于30%[7]。"})
    ans = llm.ask(Q)
    assert ans.mode == "llm" and "[9]" not in ans.answer and "[7]" not in ans.answer
    assert "12000元[1]" in ans.answer and "改标为实际出处" in ans.notice
    k = int(ans.answer.split("不低于30%[")[1][0])  # moved to a given source that says it
    assert "30%" in ans.citations[k - 1].quote


def test_sentence_no_given_source_says_is_removed(llm, server):
    server.script.append({"content": "公办高职院校生均财政拨款水平每年不低于12000元[1]。学校还可以向企业收取实习管理费[7]。"})
    ans = llm.ask(Q)
    assert ans.mode == "llm" and "实习管理费" not in ans.answer
    assert "12000元[1]" in ans.answer and "已删除1句" in ans.notice


def test_same_figure_written_differently_is_accepted(llm, server):
    server.script.append({"content": "公办高职院校生均财政拨款水平每年不低于1.2万元[1]。"})
    ans = llm.ask(Q)
    assert ans.mode == "llm" and "1.2万元[1]" in ans.answer and ans.notice is None


def test_model_refusal_is_a_refusal(llm, server):
    server.script.append({"content": REFUSAL})
    ans = llm.ask(Q)
    assert not ans.found and ans.answer.startswith(REFUSAL)


@pytest.mark.parametrize(
    "step, reason",
    [
        ({"status": 500}, "HTTP 500"),
        ({"status": 429, "message": "rate limited"}, "HTTP 429"),
        ({"malformed": True}, "格式错误"),
        ({"content": "   "}, "空回答"),
    ],
)
def test_model_failures_fall_back_cleanly(corpus_index, server, step, reason):
    a = _assistant(corpus_index, server, stream=False)
    server.script.append(step)
    ans = a.ask(Q)
    assert ans.found and ans.mode == "extractive" and "12000元" in ans.answer
    assert ans.notice and "大模型暂时无法回答" in ans.notice and reason in ans.notice


def test_timeout_falls_back_within_the_timeout(corpus_index, server):
    a = _assistant(corpus_index, server, stream=False, timeout=1.0)
    server.script.append({"sleep": 3, "content": "太迟了[1]。"})
    t0 = time.perf_counter()
    ans = a.ask(Q)
    elapsed = time.perf_counter() - t0
    assert ans.mode == "extractive" and "12000元" in ans.answer and "请求超时" in ans.notice
    assert elapsed < 2.5


def test_unreachable_model_falls_back(corpus_index):
    from assistant.chain import PolicyAssistant

    settings = corpus_index.with_overrides(llm_base_url="http://127.0.0.1:9/v1", llm_model="m", mode="llm", llm_timeout=2.0)
    ans = PolicyAssistant(settings).ask(Q)
    assert ans.mode == "extractive" and "无法连接模型服务" in ans.notice


def test_follow_up_condensation_uses_the_history(llm, server):
    history = [
        {"role": "user", "content": "省里规定公办高职院校生均财政拨款不低于多少？"},
        {"role": "assistant", "content": "每年不低于12000元。"},
    ]
    condensed = "省里规定公办中等职业教育生均财政拨款每年达到多少？"
    server.script.extend([{"content": condensed}, {"content": "公办中等职业教育生均财政拨款水平每年达到8000元以上[1]。"}])
    n = len(server.requests)
    ans = llm.ask("那中职呢？", history)
    condense_prompt = server.requests[n]["body"]["messages"][-1]["content"]
    assert "省里规定公办高职院校生均财政拨款不低于多少？" in condense_prompt and "那中职呢？" in condense_prompt
    assert ans.rewritten_question == condensed
    assert condensed in server.requests[n + 1]["body"]["messages"][-1]["content"]
    assert ans.mode == "llm" and "8000元以上" in ans.answer


def test_extractive_mode_can_be_chosen_per_question(llm, server):
    n = len(server.requests)
    ans = llm.ask(Q, mode="extractive")
    assert ans.mode == "extractive" and len(server.requests) == n  # the model was not called


def test_clear_out_of_scope_question_never_reaches_the_model(llm, server):
    n = len(server.requests)
    ans = llm.ask("北京市中等职业学校的生均拨款标准是多少？")
    assert not ans.found and ans.answer.startswith(REFUSAL) and "北京市" in ans.answer
    assert len(server.requests) == n


def test_model_refusal_names_the_closest_clauses(llm, server):
    server.script.append({"content": f"根据所给资料，{REFUSAL}"})
    ans = llm.ask("职业院校教师的年终奖怎么发放？")
    assert not ans.found and ans.answer.startswith(REFUSAL) and ans.closest
    assert "并不是对这个问题的回答" in ans.answer


@pytest.fixture(scope="module")
def judged(corpus_index, server):
    from assistant.chain import PolicyAssistant

    settings = corpus_index.with_overrides(
        llm_base_url=server.url, llm_model="test-model", llm_timeout=5.0, mode="llm", llm_judge=True,
    )
    return PolicyAssistant(settings)


def test_entailment_judge_removes_what_it_rejects(judged, server):
    server.script.extend([
        {"content": "公办高职院校生均财政拨款水平每年不低于12000元[1]。公办中等职业教育每年达到8000元以上[1]。"},
        {"content": "1：是\n2：否"},
    ])
    ans = judged.ask(Q)
    judge_prompt = server.requests[-1]["body"]["messages"][-1]["content"]
    assert "2. （引用资料[1]）公办中等职业教育每年达到8000元以上。" in judge_prompt and "晋政发〔2020〕19号" in judge_prompt
    assert ans.mode == "llm" and "12000元[1]" in ans.answer and "8000" not in ans.answer and "已删除1句" in ans.notice


def test_failing_judge_leaves_the_checks_to_decide(judged, server):
    server.script.extend([
        {"content": "公办高职院校生均财政拨款水平每年不低于12000元[1]。公办中等职业教育每年达到8000元以上[1]。"},
        {"status": 500},
    ])
    ans = judged.ask(Q)
    assert ans.mode == "llm" and "12000元[1]" in ans.answer and "8000元以上[1]" in ans.answer and ans.notice is None
