"""A lead-in sentence is quoted with the list it introduces (项 of a law's article), a heading with the sentence it heads."""
from __future__ import annotations

from assistant.compose.extractive import with_heading_body, with_list_items
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
