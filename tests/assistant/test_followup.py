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



def test_a_turn_naming_its_own_place_or_document_is_anchored():
    assert cues("四川美育课时有要求吗？", PREV).anchored == 1.0  # a place
    assert cues("按教育法学校乱收费怎么处理？", PREV).anchored == 1.0  # a law by its name
    assert cues("省里的实施意见对这个怎么说？", PREV).anchored == 1.0  # a document kind, not a bare «意见»
    assert cues("情节严重的话最多罚多少？", PREV).anchored == 0.0
    assert cues("有什么意见？", PREV).anchored == 0.0


def test_a_turn_naming_its_own_anchor_stands_apart_from_the_history():
    from assistant.followup import stands_apart

    history = [{"role": "user", "content": PREV}, {"role": "assistant", "content": "……"}]
    assert stands_apart("四川美育课时有要求吗？", history)
    assert stands_apart("按教育法学校乱收费怎么处理？", history)
    assert not stands_apart("谁当召集人？", history) and not stands_apart("会上要拿出点啥成果来？", history)


def test_a_turn_of_nothing_but_a_place_or_a_contrast_term_has_no_topic_of_its_own():
    from assistant.followup import has_own_topic

    history = [{"role": "user", "content": PREV}, {"role": "assistant", "content": "……"}]
    assert not has_own_topic("那江苏呢？", history) and not has_own_topic("中职呢？", history)
    assert has_own_topic("那学徒制试点呢？", history) and has_own_topic("谁当召集人？", history)


def test_a_clause_ending_in_ne_asks_back_wherever_it_stands():
    assert cues("高职那边呢，省厅怎么说的？", PREV).asks_back == 1.0
    assert cues("呢绒面料有要求吗？", PREV).asks_back == 0.0


def test_naming_a_place_of_its_own_makes_a_short_turn_more_likely_to_stand_alone():
    m = load_model()
    prev = "违反个人信息保护法处理个人信息，拒不改正的罚多少？"
    assert m.probability(cues("情节严重的话最多罚多少？", prev)) > m.probability(cues("四川情节严重的话最多罚多少？", prev))
    history = [{"role": "user", "content": prev}, {"role": "assistant", "content": "并处一百万元以下罚款。"}]
    assert not depends_on_history("四川美育课时有要求吗？", history)


def test_words_pointing_back_are_not_topic_words_of_a_turn():
    # «高职那边呢»: 那边 is in no document, so as a topic word it would outweigh 高职.
    from assistant.compose.extractive import key_terms

    terms = key_terms("高职那边呢，这一条怎么说？", lambda t: 8.0)
    assert "高职" in terms and not {"那边", "这一条"} & set(terms)
