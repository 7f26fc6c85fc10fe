"""Which other clauses are shown beside an answer: a figure that disagrees is always shown."""
from __future__ import annotations

from assistant.compose.extractive import conflicting


def test_a_different_figure_for_the_same_count_is_a_conflict():
    assert conflicting("建设培育209家省级产教融合型试点企业。", "建设培育161家省级产教融合型试点企业，成功培育1家民营企业。")
    assert not conflicting("建设培育209家省级产教融合型试点企业。", "累计培育209家省级产教融合型试点企业。")  # same value
    assert not conflicting("共有中职学校407所。", "省级高水平中职学校50所。")  # the words after 所 differ: not the same count
    assert not conflicting("2020年起招聘。", "2022年起招聘。")  # calendar years are dates, not counts
    assert conflicting("生均拨款每年不低于1.2万元标准执行。", "生均拨款每年不低于8000元标准执行。")  # values compared, not digits
