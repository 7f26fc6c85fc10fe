"""Structure answers on a large corpus: listed once per snapshot, and a chat answer that stays
readable when one office is named in hundreds of clauses."""
from __future__ import annotations

from assistant.structure.answer import LISTED_IN_CHAT, unit_tasks_answer
from assistant.structure.targets import extract_targets
from assistant.structure.units import tasks_of, unit_index
from tests.assistant.test_answers import assistant  # noqa: F401  (the real corpus, indexed once)


def test_the_unit_index_and_targets_are_built_once_per_snapshot(assistant):  # noqa: F811
    snap = assistant.snap
    assert unit_index(snap) is unit_index(snap)
    assert extract_targets(snap) is extract_targets(snap)


def test_a_long_task_list_is_cut_for_the_chat_with_the_total_and_where_the_rest_is(assistant):  # noqa: F811
    tasks = tasks_of(assistant.snap, "省人社厅")
    many = tasks * (LISTED_IN_CHAT // len(tasks) + 2)  # the same office in several copies of a plan
    ans = unit_tasks_answer("省人社厅负责哪些任务？", "省人社厅", many, False)
    assert f"共 {len(many)} 项" in ans.answer and f"前 {LISTED_IN_CHAT} 项" in ans.answer and "责任单位" in ans.answer
    assert len(ans.citations) == LISTED_IN_CHAT
    short = unit_tasks_answer("省人社厅负责哪些任务？", "省人社厅", tasks, False)
    assert f"共 {len(tasks)} 项（" in short.answer and len(short.citations) == len(tasks)
