"""Clause records from the real corpus documents."""
from __future__ import annotations

import unicodedata

import pytest

from ingest.clean import normalize_line
from ingest.meta import normalize_doc_number
from ingest.units import split_units
from ingest.pipeline import parse_file
from tests.conftest import corpus_file

CN = "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十 二十一 二十二 二十三 二十四 二十五".split()


@pytest.fixture(scope="module")
def province():
    return parse_file(corpus_file("2020_"))


@pytest.fixture(scope="module")
def yuncheng():
    return parse_file(corpus_file("2021_"))


def clauses_of(pf, kind="clause"):
    return [c for c in pf.clauses if c.kind == kind]


def test_provincial_plan_has_exactly_25_clauses_in_order_each_with_units(province):
    clauses = clauses_of(province)
    assert [c.clause_path[-1].split("）")[0] + "）" for c in clauses] == [f"（{n}）" for n in CN]
    assert all(c.responsible_units for c in clauses)
    assert all(len(c.clause_path) == 2 and "、" in c.clause_path[0][:3] for c in clauses)


def test_units_cut_by_a_page_break_are_rejoined(province):
    c18 = next(c for c in clauses_of(province) if c.clause_path[-1].startswith("（十八）"))
    assert list(c18.responsible_units) == ["市人民政府", "省发展改革委", "省教育厅", "省财政厅", "省人社厅"]
    assert "和省发展改革委" not in c18.text  # the orphaned continuation is not left in the text


def test_funding_clause_keeps_path_figures_and_units(province):
    c24 = next(c for c in clauses_of(province) if c.clause_path[-1].startswith("（二十四）"))
    assert c24.clause_path == ("七、完善改革发展保障机制", "（二十四）完善经费投入机制")
    assert "每年不低于12000元" in c24.text and "8000元以上" in c24.text
    assert c24.responsible_units == ("市县人民政府", "省财政厅", "省教育厅", "省人社厅")


def test_city_plan_items_1_to_23_and_guarantees_1_to_4_each_with_units(yuncheng):
    tasks = [c for c in clauses_of(yuncheng) if c.clause_path[0] == "四、重点任务"]
    assert [int(c.clause_path[-1].split(".")[0]) for c in tasks] == list(range(1, 24))
    assert all(len(c.clause_path) == 3 and c.responsible_units for c in tasks)
    guarantees = [c for c in clauses_of(yuncheng) if c.clause_path[0] == "五、保障机制"]
    assert [c.clause_path[-1][:3] for c in guarantees] == ["（一）", "（二）", "（三）", "（四）"]
    assert all(c.responsible_units for c in guarantees)


def test_bracketed_county_governments_stay_one_unit(yuncheng):
    item3 = next(c for c in clauses_of(yuncheng) if c.clause_path[-1].startswith("3."))
    assert item3.responsible_units == ("市教育局", "市发展改革委", "市财政局", "各县［市、区］人民政府")
    item18 = next(c for c in clauses_of(yuncheng) if c.clause_path[-1].startswith("18."))
    assert "市规划和自然资源局" in item18.responsible_units


@pytest.mark.parametrize(
    "raw, units",
    [
        ("市县人民政府和省财政厅、省教育厅、省人社厅", ["市县人民政府", "省财政厅", "省教育厅", "省人社厅"]),
        ("市教育局，各县［市、区］人民政府", ["市教育局", "各县［市、区］人民政府"]),
        ("省人力资源和社会保障厅、省教育厅", ["省人力资源和社会保障厅", "省教育厅"]),
        ("市教育局、市财政局，有关10所大中专院校", ["市教育局", "市财政局", "有关10所大中专院校"]),
    ],
)
def test_split_units(raw, units):
    assert split_units(raw) == units


def test_metadata_of_all_five_documents():
    got = {}
    for prefix in ("2020_", "2021_", "2022_", "2024_", "新闻"):
        for d in parse_file(corpus_file(prefix)).documents:
            got[d.doc_number or d.kind] = d
    p = got["晋政发〔2020〕19号"]
    assert (p.title, p.issuer, p.date, p.level) == ("山西省推进职业教育改革发展行动计划", "山西省人民政府", "2020-10-27", "province")
    y = got["运政发〔2021〕8号"]
    assert (y.title, y.issuer, y.date, y.level) == ("运城市推进新时代职业教育改革发展行动计划", "运城市人民政府", "2021-04-01", "city")
    outer, inner = got["忻教发〔2022〕4号"], got["晋教职成〔2022〕1号"]
    assert (outer.issuer, outer.level, outer.date, outer.forwards) == ("忻州市教育局", "city", "2022-01-05", "晋教职成〔2022〕1号")
    assert (inner.issuer, inner.level, inner.forwarded_by) == ("山西省教育厅", "province", "忻教发〔2022〕4号")
    assert inner.title.startswith("山西省教育厅关于学习宣传贯彻") and outer.title.startswith("忻州市教育局转发")
    r = got["report"]
    assert (r.title, r.issuer, r.date, r.level) == ("山西省职业教育质量年度报告（2023年度）", "山西省教育厅", "2024-02", "province")
    n = got["news"]
    assert "关于推动现代职业教育高质量发展的实施意见" in n.title and n.level == "province"


def test_forwarded_clauses_belong_to_the_inner_document():
    pf = parse_file(corpus_file("2022_"))
    inner = [c for c in pf.clauses if c.kind == "clause"]
    assert [c.clause_path[0][:2] for c in inner] == ["一、", "二、", "三、"]
    assert {c.doc_id for c in inner} == {"晋教职成〔2022〕1号"}
    outer_text = " ".join(c.text for c in pf.clauses if c.doc_id == "忻教发〔2022〕4号")
    assert "PDF格式" in outer_text


def test_report_sections_tables_cases_and_annexes():
    pf = parse_file(corpus_file("2024_"))
    labels = [unicodedata.normalize("NFKC", c.clause_path[-1]) for c in pf.clauses if c.clause_path]
    assert any(x.startswith("1.3 学生规模与结构") for x in labels)
    t27 = next(c for c in pf.clauses if c.kind == "table" and c.clause_path[-1].startswith("表2-7"))
    assert t27.table_header[0] == "年份" and "升学途径及人数/升学总数量" in t27.table_header
    assert ("2023", "108172", "75561") == t27.table_rows[-1][:3]
    assert sum(c.kind == "case" for c in pf.clauses) >= 40
    annex = [c for c in pf.clauses if c.clause_path and c.clause_path[0].startswith("附表")]
    assert {c.clause_path[0] for c in annex} == {"附表（高职）", "附表（中职）"} and len(annex) == 12
    big = next(c for c in pf.chunks if "75561" in c.text and "表2-7" in c.embed_text)
    assert "年份：2023" in big.text and "升学途径及人数/升学总数量：75561" in big.text
    assert max(len(c.text) for c in pf.chunks) <= 2 * 320


def test_report_foreword_and_chapter_openings_are_kept_as_text():
    pf = parse_file(corpus_file("2024_"))
    foreword = [c for c in pf.clauses if c.clause_path == ("前言",)]
    assert foreword and "272" in foreword[0].text and "年度报告" in foreword[0].text
    # A chapter's opening paragraph before its first numbered section is the chapter's own text.
    chapter_only = [c for c in pf.clauses if c.kind == "section" and len(c.clause_path) == 1 and c.clause_path != ("前言",)]
    assert len(chapter_only) >= 2 and all(len(c.text) > 50 for c in chapter_only)


def test_numbered_heading_saying_more_than_its_label_keeps_its_text_beside_its_items(tmp_path):
    text = ("某省招生工作规定\n一、录取\n"
            "1.有下列情形之一的考生，可适当降低分数要求投档。同一考生符合多项条件的，只能取其中一项，且不得超过20分。\n"
            "（1）边远地区考生；\n（2）烈士子女。\n"
            "2.有下列情形之一的，不予录取：\n（1）考试作弊的；\n（2）材料不实的。\n")
    f = tmp_path / "2010_无文号_某省招生工作规定.txt"
    f.write_text(text, encoding="utf-8")
    pf = parse_file(f)
    own = [c for c in pf.clauses if c.clause_path[-1].startswith("1.")]
    assert len(own) == 1 and "不得超过20分" in own[0].text
    items = [c for c in pf.clauses if c.clause_path[-1].startswith("（")]
    assert len(items) == 4
    # A lead-in that is all label (2.…不予录取：) stays a heading of its items, not a clause.
    assert not [c for c in pf.clauses if c.clause_path[-1].startswith("2.")]


def test_news_article_is_split_into_its_sections():
    pf = parse_file(corpus_file("新闻"))
    heads = [c.clause_path[0] for c in pf.clauses if c.clause_path]
    assert "校企联合增强职教人才匹配度" in heads and "财政确保职教投入持续稳定增长" in heads


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("一 体 化 设 计 职 业 教 育", "一体化设计职业教育"),
        ("运政发〔2021〕8 号", "运政发〔2021〕8号"),
        ("(责任单位:省教育厅、省人社厅)", "（责任单位：省教育厅、省人社厅）"),
        ("比重原则上不低于 50%。", "比重原则上不低于50%。"),
        ("Shanxi Province Vocational", "Shanxi Province Vocational"),
        ("联系电话 0351-3046505", "联系电话0351-3046505"),
    ],
)
def test_normalize_line(raw, clean):
    assert normalize_line(raw) == clean


@pytest.mark.parametrize("raw", ["晋政发〔2020〕19号", "晋政发[2020]19号", "晋政发（2020）19 号", "晋政发［2020］19号", "晋政发 (2020) 19号"])
def test_doc_number_bracket_variants(raw):
    assert normalize_doc_number(raw) == "晋政发〔2020〕19号"
