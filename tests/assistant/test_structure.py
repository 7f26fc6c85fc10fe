"""Answers from the structure, checked against counts derived by hand from the documents."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.assistant.test_answers import CONTRACT, _batch

pytestmark = pytest.mark.slow

CN = "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十 二十一 二十二 二十三 二十四 二十五".split()
# By hand from the text of 晋政发〔2020〕19号: 省人社厅 is named in every 责任单位 but （四）'s
# (县级人民政府), and leads none (every list starts with 市县人民政府 or 省教育厅).
RENSHE = [f"（{n}）" for n in CN if n != "四"]
# By hand from 运政发〔2021〕8号: the items whose 责任单位 name 市财政局; it leads only 五（三）.
CAIZHENG = ["2.", "3.", "5.", "7.", "8.", "14.", "15.", "16.", "17.", "18.", "19.", "（一）", "（三）", "（四）"]
# By hand: every target with a 2022 deadline in the corpus.
DUE_2022 = {
    ("晋政发〔2020〕19号", "（三）"), ("晋政发〔2020〕19号", "（十一）"), ("晋政发〔2020〕19号", "（十九）"),
    ("晋教职成〔2022〕1号", "三、"),
    ("运政发〔2021〕8号", "三、"), ("运政发〔2021〕8号", "2."), ("运政发〔2021〕8号", "3."), ("运政发〔2021〕8号", "5."),
    ("运政发〔2021〕8号", "7."), ("运政发〔2021〕8号", "13."), ("运政发〔2021〕8号", "14."), ("运政发〔2021〕8号", "20."),
}
# Read in both documents: city item → the provincial clause it implements.
PAIRS = {
    "14.": "（十一）", "6.": "（四）", "16.": "（十四）", "22.": "（二十）", "23.": "（十五）", "17.": "（二十一）",
    "（一）": "（二十二）", "（三）": "（二十四）",
}


@pytest.fixture(scope="module")
def assistant(corpus_index):
    from assistant.chain import PolicyAssistant

    return PolicyAssistant(corpus_index)


def _label(clause) -> str:
    return clause.clause_path[-1]


def test_unit_index_is_exhaustive_for_the_provincial_hr_department(assistant):
    from assistant.structure.units import tasks_of

    tasks = tasks_of(assistant.snap, "省人社厅")
    assert [_label(t.clause)[: len(x)] for t, x in zip(tasks, RENSHE)] == RENSHE and len(tasks) == len(RENSHE)
    assert {t.doc.doc_number for t in tasks} == {"晋政发〔2020〕19号"} and not any(t.lead for t in tasks)
    assert len(tasks_of(assistant.snap, "省人力资源和社会保障厅")) == len(RENSHE)  # the full name is the same unit


def test_unit_index_is_exhaustive_for_the_city_finance_bureau(assistant):
    from assistant.structure.units import tasks_of

    tasks = tasks_of(assistant.snap, "市财政局")
    assert [_label(t.clause).split("．")[0][: len(x)] for t, x in zip(tasks, CAIZHENG)] == CAIZHENG
    assert len(tasks) == len(CAIZHENG)
    lead = tasks_of(assistant.snap, "市财政局", lead_only=True)
    assert [(t.clause.clause_path[0], _label(t.clause)) for t in lead] == [("五、保障机制", "（三）保障经费投入")]


def test_unit_questions_are_answered_from_the_index(assistant):
    ans = assistant.ask("省人社厅负责哪些任务？")
    assert ans.found and len(ans.citations) == len(RENSHE) and "共 24 项" in ans.answer
    lead = assistant.ask("市财政局牵头的工作有哪些？")
    assert lead.found and [c.clause_path[-1] for c in lead.citations] == ["（三）保障经费投入"]


def test_units_cli_json_has_the_clause_record_fields(corpus_index):
    env = {**os.environ, "POLICY_DATA_DIR": str(corpus_index.data_dir)}
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "units", "省人社厅", "--json"],
                         capture_output=True, text=True, env=env, timeout=120)
    rows = json.loads(out.stdout)
    assert len(rows) == len(RENSHE)
    for key in ("doc_title", "doc_number", "issuer", "date", "level", "clause_path", "responsible_units", "text", "source", "page", "lead"):
        assert key in rows[0]


def test_targets_due_in_2022_are_all_found(assistant):
    from assistant.structure.targets import targets_due

    got = {(t.doc.doc_number, next(lbl for x in [t.clause.clause_path[-1]] for lbl in [x.split("、")[0] + "、" if "、" in x[:3] else x[: x.index("）") + 1] if x.startswith("（") else x.split(".")[0] + "."])) for t in targets_due(assistant.snap, 2022)}
    assert got == DUE_2022
    ans = assistant.ask("2022年底前要完成哪些目标？")
    assert ans.found and len(ans.citations) == len(DUE_2022)
    assert "60%以上" in ans.answer and "15个左右" in ans.answer and "2022年4月底前" in ans.answer


def test_targets_cli_filters_by_year_and_unit(corpus_index):
    env = {**os.environ, "POLICY_DATA_DIR": str(corpus_index.data_dir)}
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "targets", "--year", "2022", "--unit", "市人社局", "--json"],
                         capture_output=True, text=True, env=env, timeout=120)
    rows = json.loads(out.stdout)
    # By hand: of the 2022 targets, 市人社局 is named on items 14 and 20.
    assert [r["clause_path"][-1][:3] for r in rows] == ["14.", "20."] and {r["year"] for r in rows} == {2022}


def test_city_items_align_with_the_provincial_clauses_they_implement(assistant):
    pairs = {(_label(p.city.clause)): p for p in assistant.alignment if p.city}
    for city, prov in PAIRS.items():
        key = next(k for k in pairs if k.startswith(city) and (city[0] != "（" or pairs[k].city.clause.clause_path[0] == "五、保障机制"))
        assert pairs[key].province is not None and _label(pairs[key].province.clause).startswith(prov), (city, prov)
    funding = next(p for p in assistant.alignment if p.city and p.city.clause.clause_path[-1] == "（三）保障经费投入")
    assert any("12000元" in d and "省" in d for d in funding.differences)
    teachers = next(p for p in assistant.alignment if p.city and p.city.clause.clause_path[-1].startswith("14."))
    assert any("60%以上" in d for d in teachers.differences)
    assert any("省教育厅" in d and "市教育局" in d for d in teachers.differences)
    # What each side has alone is listed too.
    assert any(p.province is None for p in assistant.alignment) and any(p.city is None for p in assistant.alignment)


def test_comparison_question_end_to_end_through_batch(corpus_index):
    rows, _ = _batch(corpus_index, [json.dumps({"id": "c1", "question": "运城和省里在双师型教师方面的规定有什么不同？"}, ensure_ascii=False)])
    (row,) = rows
    assert row["found"]
    docs = [c["doc_number"] for c in row["citations"]]
    assert docs == ["运政发〔2021〕8号", "晋政发〔2020〕19号"]
    assert row["citations"][0]["clause_path"][-1].startswith("14.")
    assert row["citations"][1]["clause_path"][-1].startswith("（十一）")
    assert set(row["citations"][0]) >= CONTRACT
    assert "60%以上" in row["answer"] and "60%" in row["citations"][1]["quote"]


def test_compare_cli_dumps_the_alignment(corpus_index):
    env = {**os.environ, "POLICY_DATA_DIR": str(corpus_index.data_dir)}
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "compare", "--json"], capture_output=True, text=True, env=env, timeout=120)
    pairs = json.loads(out.stdout)
    first = next(p for p in pairs if p["city"] and p["province"])
    assert set(first) >= {"city", "province", "differences"}
    assert set(first["city"]) >= {"doc_number", "clause_path", "responsible_units", "text"}
    assert sum(1 for p in pairs if p["city"]) == 27
