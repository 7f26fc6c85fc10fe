"""Responsible units in every common written form, lead and support kept apart."""
from __future__ import annotations

from ingest.units import extract_units, looks_like_unit, split_units


def test_labelled_annotation_at_paragraph_end_is_removed_from_the_text():
    text, u = extract_units("（四）加强师资。配齐美育教师。（责任单位：省教育厅、省人力资源和社会保障厅和市县人民政府）")
    assert text == "（四）加强师资。配齐美育教师。"
    assert u.all == ["省教育厅", "省人力资源和社会保障厅", "市县人民政府"]
    assert u.leads == ["省教育厅"]  # no named lead: the first listed, by convention


def test_lead_and_responsible_parts_are_kept_apart_even_with_a_comma_between():
    _, u = extract_units("保证72学时。（牵头单位：省教育厅、省文化厅，市〔州〕人民政府，贵安新区管委会，责任单位：县〔市、区、特区〕人民政府，各高等院校）")
    assert u.lead == ["省教育厅", "省文化厅", "市〔州〕人民政府", "贵安新区管委会"]
    assert u.support == ["县〔市、区、特区〕人民政府", "各高等院校"]


def test_verbal_annotations_in_the_middle_of_a_paragraph_are_all_found():
    text, u = extract_units("建立清单。（合肥海关负责）巩固优势。（省商务厅牵头，合肥海关配合）指导企业。（合肥海关牵头，省贸促会、省商务厅按职责分工配合）")
    assert u.annotations == 3
    assert u.lead == ["合肥海关", "省商务厅"]
    assert "省贸促会" in u.support and "（" not in text


def test_tortoise_shell_brackets_and_a_line_of_its_own():
    _, a = extract_units("2.明确要求。〔责任单位：市教育局、各县（市、区）政府〕")
    _, b = extract_units("1.做好工作。\n责任单位：市教育局，各级各类学校")
    assert a.all == ["市教育局", "各县（市、区）政府"]
    assert b.all == ["市教育局", "各级各类学校"]


def test_a_deadline_before_the_role_label_is_not_a_unit():
    _, u = extract_units("全程网办。（5月底取得明显成效并持续推进，牵头考核单位：市审批服务局）")
    assert u.lead == ["市审批服务局"] and u.all == ["市审批服务局"]


def test_ordinary_parentheticals_are_left_alone():
    text, u = extract_units("根据《民办教育促进法》（以下简称民办教育促进法），制定本条例。（略）")
    assert u.all == [] and text.endswith("（略）")


def test_split_keeps_bracketed_and_compound_names_whole():
    assert split_units("省人力资源和社会保障厅和市县人民政府、各县［市、区］人民政府") == [
        "省人力资源和社会保障厅", "市县人民政府", "各县［市、区］人民政府"]
    assert looks_like_unit("省教育厅") and not looks_like_unit("以下简称民办教育促进法")


def test_bare_levels_share_the_name_they_precede():
    # 市 and 州 are not units: «各市、州、县人民政府» names the governments of all three levels.
    assert split_units("各市、州、县人民政府、省教育厅等") == ["各市、州、县人民政府", "省教育厅等"]
    _, found = extract_units("作为测评实验区。（责任单位：各市、州、县人民政府，省教育厅等）")
    assert found.all == ["各市、州、县人民政府", "省教育厅等"] and found.leads == ["各市、州、县人民政府"]


def test_a_closing_deng_is_not_part_of_the_unit_a_question_names():
    from assistant.retrieve.query import normalize_unit

    assert normalize_unit("省教育厅等") == normalize_unit("省教育厅") == "省教育厅"
    assert normalize_unit("等") == "等"  # nothing to strip from a bare word
