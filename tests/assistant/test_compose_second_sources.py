"""Which other clauses are shown beside an answer: a figure that disagrees is always shown."""
from __future__ import annotations

from assistant.compose.extractive import conflicting


def test_a_different_figure_for_the_same_count_is_a_conflict():
    assert conflicting("建设培育209家省级产教融合型试点企业。", "建设培育161家省级产教融合型试点企业，成功培育1家民营企业。")
    assert not conflicting("建设培育209家省级产教融合型试点企业。", "累计培育209家省级产教融合型试点企业。")  # same value
    assert not conflicting("共有中职学校407所。", "省级高水平中职学校50所。")  # the words after 所 differ: not the same count
    assert not conflicting("2020年起招聘。", "2022年起招聘。")  # calendar years are dates, not counts
    assert conflicting("生均拨款每年不低于1.2万元标准执行。", "生均拨款每年不低于8000元标准执行。")  # values compared, not digits


def test_a_question_about_what_the_province_says_puts_the_provinces_clauses_first():
    from types import SimpleNamespace as NS

    from assistant.compose.extractive import asked_level_first

    def ev(level, p):
        return NS(hit=NS(doc=NS(level=level)), rank_p=p)

    ranked = [ev("national", 0.6), ev("city", 0.5), ev("province", 0.4), ev("province", 0.3)]
    asked_level_first(ranked, NS(level="province", doc_ids=()))
    assert [(e.hit.doc.level, e.rank_p) for e in ranked] == [("province", 0.4), ("province", 0.3), ("national", 0.6), ("city", 0.5)]
    for info in (NS(level=None, doc_ids=()), NS(level="province", doc_ids=("named",)), NS(level="city", doc_ids=())):
        ranked = [ev("national", 0.6), ev("province", 0.4)]
        asked_level_first(ranked, info)
        assert ranked[0].hit.doc.level == "national"
