"""A lead-in sentence is quoted with the list it introduces (项 of a law's article)."""
from __future__ import annotations

from assistant.compose.extractive import with_list_items
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

