"""Places as words, issuer levels from the gazetteer, Chinese numerals and dates."""
from __future__ import annotations

from assistant.places import find_places, issuer_level, issuer_places
from assistant.zh import cn_to_int, int_to_cn, parse_date


def test_a_place_is_never_found_inside_another_name():
    assert [m.text for m in find_places("山西安排了多少经费支持职业教育？")] == ["山西"]
    assert [m.text for m in find_places("陕西安康和西安市")] == ["陕西", "安康", "西安市"]


def test_issuer_level_comes_from_the_issuer_name():
    assert issuer_level("国务院办公厅") == "national"
    assert issuer_level("教育部") == "national"
    assert issuer_level("上海市人民代表大会常务委员会") == "province"  # a municipality is provincial
    assert issuer_level("西藏自治区人民政府办公厅") == "province"
    assert issuer_level("南通市人民政府办公室") == "city"
    assert issuer_level("吉林市教育局") == "city" and issuer_level("吉林省教育厅") == "province"
    assert issuer_level("某某研究会") == "unknown"


def test_a_city_document_covers_its_province_only_when_asked_for():
    assert issuer_places("合肥市教育局") == {"合肥", "合肥市"}
    assert {"安徽", "安徽省"} <= issuer_places("合肥市教育局", with_parent=True)


def test_chinese_numerals_and_dates():
    assert [cn_to_int(s) for s in ("二十四", "一百零五", "十", "一九九六")] == [24, 105, 10, 1996]
    assert [int_to_cn(n) for n in (11, 24, 70, 105)] == ["十一", "二十四", "七十", "一百零五"]
    assert parse_date("一九九六年七月十七日") == "1996-07-17"
    assert parse_date("公布日期：2010.01.04") == "2010-01-04"
    assert parse_date("2024年2月") == "2024-02"


def test_the_askers_own_city_is_not_a_sign_that_its_own_document_is_wanted():
    from assistant.retrieve.query import foreign_places

    covered = {"西藏", "西藏自治区"}

    def ask(q):
        local: list[str] = []
        foreign = foreign_places(q, covered, lambda t: [], local=local)
        return foreign, local

    assert ask("拉萨的美育文件对社团有什么要求？") == ((), ["拉萨"])
    assert ask("我们是拉萨一所中学，校级艺术社团至少得建几个？") == ((), [])
    assert ask("成都的中学能不能停艺术课？")[0] == ("成都",)  # a place with no document is out of scope


def test_the_askers_own_place_without_documents_leaves_national_rules_to_answer():
    from assistant.retrieve.query import foreign_places

    covered = {"西藏", "西藏自治区"}

    def ask(q):
        mentioned: list[str] = []
        return foreign_places(q, covered, lambda t: [], mentioned=mentioned), mentioned

    # National rules govern the asker's school wherever it is; only that place's own documents are missing.
    assert ask("我们是成都的一所中学，学生信息能不能给培训机构？") == ((), ["成都"])
    # Asking what the asker's province says wants that province's documents: still out of scope.
    assert ask("我们是成都的中学，省里对美育课时有什么要求？") == (("成都",), [])
