"""The follow-up decision: a turn that leans on the history is rewritten, one that stands
alone is never merged with the old question."""
from __future__ import annotations

import pytest

from assistant.followup import TurnCues, content_words, cues, depends_on_history, load_model, rewrite

PREV = "公办高职院校生均财政拨款不低于多少？"
HISTORY = [{"role": "user", "content": PREV}, {"role": "assistant", "content": "每年不低于12000元。"}]


def test_shipped_model_is_fitted():
    m = load_model()
    assert set(m.lr.features) == set(TurnCues.__dataclass_fields__) and 0 < m.threshold < 1
    assert m.info["accuracy"]["test"]["n"] > 0


@pytest.mark.parametrize("turn", ["那中职呢？", "这个由哪些部门负责？", "运城呢？"])
def test_elliptic_turns_depend_on_the_history(turn):
    assert depends_on_history(turn, HISTORY)


@pytest.mark.parametrize("turn", [
    "职业院校专业教师公开招聘对企业工作经历有什么要求？",
    "另外问一下，民办学校的监督机构里，教职工代表要占多少？",
])
def test_a_full_new_question_stands_alone(turn):
    assert not depends_on_history(turn, HISTORY)


def test_words_are_matched_as_words_not_characters():
    # 其 inside 其他, 这 inside 这次: not words pointing back.
    assert cues("其他学校有什么要求？", PREV).refers_back == 0.0
    assert cues("其经费由谁承担？", PREV).refers_back == 1.0


def test_no_history_means_no_follow_up():
    assert not depends_on_history("那中职呢？", [])


def test_rewrite_swaps_the_contrasted_term():
    out = rewrite("那中职呢？", HISTORY)
    assert "中职" in out and "高职" not in out and "生均财政拨款" in out


def test_content_words_skip_question_words():
    assert "什么" not in content_words("校企合作有什么规定？") and "校企" in "".join(content_words("校企合作有什么规定？"))

