"""Figures as values bound to what they count, whatever numerals they are written in."""
from decimal import Decimal

import pytest

from assistant.zh import cn_value, figures


def _vals(text):
    return [(format(f.value, "f"), f.unit) for f in figures(text)]


@pytest.mark.parametrize("text", ["12000元", "12,000元", "1.2万元", "一万二千元", "一万两千元"])
def test_one_amount_in_every_form(text):
    assert _vals(text) == [("12000", "元")]


@pytest.mark.parametrize("text", ["60%", "百分之六十", "六成", "百分之60"])
def test_one_share_in_every_form(text):
    assert _vals(text) == [("60", "%")]


@pytest.mark.parametrize("text", ["0.5%", "千分之五", "5‰", "百分之零点五"])
def test_a_per_mille_share_is_the_same_share(text):
    assert _vals(text) == [("0.5", "%")]


def test_calendar_year_and_duration_are_different_things():
    assert _vals("二〇二二年") == [("2022", "year")] == _vals("到2022年底")
    assert _vals("三年以上") == [("3", "年")] == _vals("3年以上")


def test_names_and_numbering_are_not_figures():
    assert _vals("晋政发〔2020〕19号") == []
    assert _vals("1. 加强师资") == [] and _vals("（2）完善机制") == []
    assert _vals("第三十三条") == [("33", "第条")] == _vals("第33条")  # an ordinal, kept apart
    assert _vals("进一步统一一方面") == []


def test_big_units_and_percentage_points():
    assert _vals("3.5亿元") == [("350000000", "元")]
    assert _vals("提高10个百分点") == [("10", "百分点")]
    assert _vals("两千人") == [("2000", "人")]


def test_ranges_and_approximations():
    assert _vals("1至5年内") == [("1", "年"), ("5", "年")] and _vals("1-2所") == [("1", "所"), ("2", "所")]
    assert [f.approximate for f in figures("约1.43万元，3800余名，共12人")] == [True, True, False]
    assert _vals("这一条") == [] and _vals("一项举措") == [] and _vals("一年以上") == [("1", "年")]


def test_a_level_named_as_place_yi_ji_counts_nothing():
    assert _vals("在市一级，各县也要组织") == [] and _vals("省一级统筹") == []
    assert _vals("分为三级") == [("3", "级")] and _vals("一级学科5个")[1] == ("5", "个")


def test_cn_value_reads_wan_and_yi():
    assert cn_value("一万二千") == 12000 and cn_value("一万二") == 12000
    assert cn_value("三千五百万") == 35_000_000 and cn_value("两亿") == 200_000_000
    assert cn_value("十万") == 100_000 and cn_value("甲") is None


def test_overlap_counts_bigrams_of_the_first_text_found_in_the_second():
    from assistant.zh import bigrams, overlap

    assert bigrams("中职，学校") == frozenset({"中职", "职学", "学校"})  # punctuation does not split or count
    assert overlap("中职学校", "全省中职学校407所") == 1.0
    assert overlap("高职学校", "全省中职学校") == 2 / 3
    assert overlap("", "任何文字") == 1.0  # nothing to find is nothing missing


def test_a_count_after_the_list_it_counts_is_a_figure_a_reference_back_is_not():
    assert [(int(f.value), f.unit) for f in figures("武昌区、黄石港区和赤壁市这三个实验区")] == [(3, "个")]
    assert figures("这两项工作要抓紧落实") == []


def test_levels_and_school_years_are_counted():
    assert [(int(f.value), f.unit) for f in figures("建立省、市、县、校四级竞赛机制")] == [(4, "级")]
    assert [(int(f.value), f.unit) for f in figures("经不少于一学年的专业培训")] == [(1, "学年")]


def test_figures_written_one_way_for_comparing_wording():
    from assistant.zh import plain_figures

    assert plain_figures("大会于二〇二一年十二月二十一日召开") == plain_figures("大会于2021年12月21日召开")
    assert plain_figures("拨款不低于1.2万元") == plain_figures("拨款不低于一万二千元") == "拨款不低于12000元"


def test_a_day_of_the_month_stays_a_day_when_figures_are_written_one_way():
    from assistant.zh import plain_figures

    assert plain_figures("截止时间是2019年7月19日前") == "截止时间是2019年7月19日前"
    assert plain_figures("于二〇一九年七月十九日前报送") == plain_figures("于2019年7月19日前报送")
    assert plain_figures("公示不少于30日") == plain_figures("公示不少于30天")  # a span of days is still one
