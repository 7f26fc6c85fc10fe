"""The numbering schemes of Chinese official writing, decided line by line."""
from __future__ import annotations

from ingest.clean import clean_pages
from ingest.numbering import Sequence, heading_label, match_marker
from ingest.parse import parse_structured


def test_every_dot_variant_of_an_arabic_item_is_one_scheme():
    for line in ("1.加强领导", "1．加强领导", "1﹒加强领导", "1、加强领导", "1. 加强领导"):
        m = match_marker(line)
        assert m is not None and m.kind == "l3" and m.number == 1, line


def test_ranks_follow_the_genre():
    kinds = [match_marker(x).kind for x in ("第一编 总则", "第二部分 发展任务", "第三章 教师", "第一节 一般规定",
                                           "第十条之一 …", "四、保障措施", "（十二）加大投入", "3.用好规则", "（2）身体健康", "③其他")]
    assert kinds == ["bian", "part", "chapter", "section", "article", "l1", "l2", "l3", "l4", "l5"]


def test_decimals_and_years_are_not_items():
    assert match_marker("74.0") is None and match_marker("2020年底前完成") is None


def test_numbering_must_advance_or_restart():
    seq, parent = Sequence(), ("一、",)
    for n in (1, 2, 3):
        m = match_marker(f"{n}.项目")
        assert seq.accepts(m, parent)
        seq.take(m, parent)
    assert not seq.accepts(match_marker("9.第九项"), parent)  # a jump: body text, not a heading
    assert seq.accepts(match_marker("1.新的一组"), ("二、",))  # restarted under a new parent
    assert seq.accepts(match_marker("4.接着编号"), ("二、",))  # or straight through


def test_an_article_label_is_the_article_number():
    assert heading_label("第三十三条 国家鼓励企业……") == "第三十三条"
    assert heading_label("（二十四）完善某项机制。优化支出结构。") == "（二十四）完善某项机制"


def _drafts(text: str):
    paras = clean_pages((text,), False)
    return [d for d in parse_structured(paras, 0, None, "") if d.kind != "preamble"], paras


def test_items_inside_an_article_stay_with_it_and_a_toc_is_skipped():
    text = "目录\n第一章 总则\n第二章 学校\n第一章 总则\n第一条 为了发展教育事业，制定本法。\n第二章 学校\n" \
           "第二条 设立学校应当具备下列条件：\n（一）有组织机构和章程；\n（二）有合格的教师。\n第三条 学校应当依法办学。"
    drafts, _ = _drafts(text)
    assert [d.path for d in drafts] == [["第一章总则", "第一条"], ["第二章学校", "第二条"], ["第二章学校", "第三条"]]
    assert len(drafts[1].paras) == 3


def test_an_annex_restarts_the_numbering_under_its_own_title():
    text = "一、总体要求\n加强组织领导。\n二、工作任务\n做好考评工作。\n附件\n考评指标\n一、政务服务\n1.全程网办。\n2.移动服务。"
    drafts, _ = _drafts(text)
    paths = [d.path for d in drafts]
    assert ["附件 考评指标", "一、政务服务", "1.全程网办"] in paths and ["附件 考评指标", "一、政务服务", "2.移动服务"] in paths
