"""Reading model output into claims: markers before or after 。, lists, Markdown."""
from assistant.verify.claims import cite, marks_in, parse, render


def test_marker_after_the_full_stop_belongs_to_the_sentence_it_closes():
    claims = parse("教师每年要到企业实践一个月。[1]新教师须有三年企业经历。[2]")
    assert [c.body for c in claims] == ["教师每年要到企业实践一个月。", "新教师须有三年企业经历。"]
    assert [c.marks for c in claims] == [[1], [2]]


def test_marker_before_the_full_stop_and_grouped_markers():
    claims = parse("生均拨款不低于12000元[1][3]。比例不低于30%[2, 4]。【5】")
    assert [c.marks for c in claims] == [[1, 3], [2, 4, 5]]


def test_list_items_inherit_the_lead_in_citation_and_numbering_is_not_content():
    claims = parse("主要要求如下[2]：\n1. 每年至少一个月在企业实践；\n2. 实行5年一周期的全员轮训。")
    assert [c.body for c in claims][1:] == ["每年至少一个月在企业实践；", "实行5年一周期的全员轮训。"]
    assert all(c.marks == [2] for c in claims)
    assert not claims[1].own_marks and claims[1].prefix.startswith("1.")


def test_unmarked_sentence_takes_the_marker_of_its_paragraph():
    claims = parse("可以，但需满足条件。具体是具有三年以上企业工作经历[1]。")
    assert claims[0].marks == [1] and not claims[0].own_marks


def test_markdown_bold_and_bullets_are_tolerated():
    claims = parse("**结论：可以**[1]。\n- **条件**：具有高级工以上职业资格[1]；")
    assert claims[0].body == "结论：可以。" and claims[1].body == "条件：具有高级工以上职业资格；"
    assert claims[1].prefix.strip() == "-"


def test_a_heading_without_marker_is_a_label():
    claims = parse("具体要求如下：\n1. 不低于12000元[1]。")
    assert claims[0].is_label and not claims[1].is_label


def test_render_keeps_lines_and_renumbers_in_order_of_use():
    claims = parse("要求如下[3]：\n1. 每年一个月[3]；\n2. 五年一轮[1]。")
    assert render(claims, {3: 1, 1: 2}) == "要求如下[1]：\n1. 每年一个月[1]；\n2. 五年一轮[2]。"


def test_re_attribution_replaces_the_markers_where_they_stood():
    c = parse("比例不低于30%。[4]")[0]
    cite(c, [2])
    assert c.raw == "比例不低于30%。[2]" and c.marks == [2]
    d = parse("比例不低于30%。")[0]
    cite(d, [1])
    assert d.raw == "比例不低于30%[1]。"


def test_marks_in_reads_every_form():
    assert marks_in("甲[1]乙[2,3]丙【4】丁[^5]") == [1, 2, 3, 4, 5]
