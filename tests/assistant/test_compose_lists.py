"""A lead-in sentence is quoted with the list it introduces (项 of a law's article), a heading with
the sentence it heads, a short clause whole."""
from __future__ import annotations

from types import SimpleNamespace

from assistant.compose.extractive import Evidence
from assistant.compose.quoting import WHOLE_CLAUSE_CHARS, shown_quote, with_heading_body, with_list_items
from assistant.zh import split_sentences

ARTICLE = ("第二十七条设立学校及其他教育机构，必须具备下列基本条件：\n（一）有组织机构和章程；\n（二）有合格的教师；\n"
           "（三）有符合规定标准的教学场所及设施、设备等；\n（四）有必备的办学资金和稳定的经费来源。\n"
           "设立学校及其他教育机构，应当按照国家有关规定办理审核、批准、注册或者备案手续。")


def test_a_lead_in_brings_its_items_and_stops_at_the_next_paragraph():
    sents = split_sentences(ARTICLE)
    got = with_list_items(sents, [sents[0]])
    assert got[0].endswith("：") and got[-1].startswith("（四）") and len(got) == 5


def test_a_sentence_that_is_not_a_lead_in_stays_alone():
    sents = split_sentences(ARTICLE)
    assert with_list_items(sents, [sents[-1]]) == [sents[-1]]



def test_a_quoted_heading_brings_the_sentence_it_heads():
    label = "（三）坚持问题导向，注重优化调整"
    sents = [label + "。", "推动职业教育由规模扩张向质量提升转变。", "优化专业布局。"]
    assert with_heading_body(sents, [sents[0]], label) == sents[:2]
    short = ["三要开好大会。", "各市于4月底前召开市级大会。"]
    assert with_heading_body(short, [short[0]], "三、工作要求") == short


def test_a_sentence_that_says_something_is_quoted_alone():
    sents = ["各市于4月底前召开市级职业教育大会，研究部署重点任务。", "三要开好大会。"]
    assert with_heading_body(sents, [sents[0]], "三、工作要求") == [sents[0]]
    # a short sentence that is not the opening one is not a heading; the last has nothing after it
    assert with_heading_body(sents, [sents[1]], "三、工作要求") == [sents[1]]


FUNDING = ("（三）落实经费保障。教育部通过中央财政专项经费给予行动计划一定的补助。"
           "行动计划所需其余费用由省级教育行政部门及试点高校共同承担。")


def _evidence(text: str, picked: list[str], kind: str = "clause") -> Evidence:
    hit = SimpleNamespace(text=text, clause=SimpleNamespace(kind=kind))
    return Evidence(hit, picked, 0.9, 0.8)


def test_a_short_clause_is_quoted_whole_so_the_sentence_beside_the_pick_is_shown():
    sents = split_sentences(FUNDING)
    quote = shown_quote(_evidence(FUNDING, [sents[1]]), SimpleNamespace(previous_answer=None))
    assert quote == "".join(sents) and "共同承担" in quote


def test_a_long_clause_shows_the_picked_sentence_with_its_neighbours_up_to_the_same_length():
    filler = [f"第{i}项工作要统筹安排资金，加强经费使用管理。" for i in range(WHOLE_CLAUSE_CHARS // 10)]
    sents = split_sentences(FUNDING) + filler
    picked = sents[1]
    quote = shown_quote(_evidence("".join(sents), [picked]), SimpleNamespace(previous_answer=None))
    assert picked in quote and sents[2] in quote and sents[0] in quote  # the next one first, then before
    assert len(quote) <= WHOLE_CLAUSE_CHARS and quote in "".join(sents)  # one stretch of the text
    assert filler[-1] not in quote


def test_a_follow_up_does_not_repeat_what_the_answer_before_it_quoted():
    sents = split_sentences(FUNDING)
    before = SimpleNamespace(previous_answer=f"根据《通知》：“{sents[1]}”")
    quote = shown_quote(_evidence(FUNDING, [sents[2]]), before)
    assert sents[1] not in quote and sents[2] in quote and sents[0] in quote


def test_a_long_clause_whose_pick_is_not_one_of_its_sentences_is_not_quoted_whole():
    long = FUNDING + "各地要统筹安排资金，加强经费使用管理。" * (WHOLE_CLAUSE_CHARS // 10)
    assert shown_quote(_evidence(long, ["另行通知。"]), SimpleNamespace(previous_answer=None)) == "另行通知。"
