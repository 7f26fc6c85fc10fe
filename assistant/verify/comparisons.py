"""Comparisons between figures: «中职为9425元，低于高职的8339元» checked against the figures
the answer itself gives for each side, in the sentence or in an earlier one.

Pure functions of text."""
from __future__ import annotations

import re

from ..zh import Figure, figures
from .checks import named_classes
from .figures import _BOUND_START, _bound_span, _show


# Comparatives between two figures of the sentence: the first is greater (or smaller) than the second.
_MORE = ("高于", "多于", "超过", "大于", "超出")
_LESS = ("低于", "少于", "小于", "不及", "不到")


def comparison_problem(claim: str) -> str | None:
    """«中职为9425元，低于高职的8339元»: a comparison the sentence's own figures contradict;
    or «高职12所、中职10所，中职多于高职»: one between things the sentence gave figures for."""
    figs = figures(claim)
    for a, b in zip(figs, figs[1:]):
        if a.unit != b.unit:
            continue
        # («不少于15分钟» bounds the second figure; it does not compare it with the first.)
        between = re.sub(r"不(?:少于|低于|高于|多于|超过|大于|小于)", "", claim[a.end: b.start])
        if any(w in between for w in _MORE) and a.value <= b.value or any(w in between for w in _LESS) and a.value >= b.value:
            return f"比较与所给数字不符（{_show(a)} 与 {_show(b)}）"
        # «中职499项，比高职的767项要多»: 比 before the second figure, the direction after it.
        after = _BI_AFTER.match(claim, b.end)
        if "比" in between and after and (after.group(1) in "多高大" and a.value <= b.value or after.group(1) in "少低小" and a.value >= b.value):
            return f"比较与所给数字不符（{_show(a)} 与 {_show(b)}）"
    return _named_comparison_problem(claim, figs)


_BI_AFTER = re.compile(r"(?:要|还|更|略|稍|明显)?([多高大少低小])")


_COMPARED = re.compile(rf"([\u4e00-\u9fff]{{2,6}}?)(?:略|稍|明显|要|均|都)?({'|'.join(_MORE + _LESS)})([\u4e00-\u9fff]{{2,6}})")


def _named_comparison_problem(claim: str, figs: list[Figure]) -> str | None:
    # What each figure counts: the two characters written right before it (高职12所), or the
    # one class its own stretch of the claim names («中职院校……满意度达94.18%»).
    named = {claim[max(0, f.start - 2): f.start]: f for f in figs}
    for m in _COMPARED.finditer(claim):
        left = next((f for k, f in named.items() if k and m.group(1).endswith(k)), None) or _figure_of_class(claim, m.group(1), figs)
        right = next((f for k, f in named.items() if k and m.group(3).startswith(k)), None) or _figure_of_class(claim, m.group(3), figs)
        if not (left and right) or left is right or left.unit != right.unit:
            continue
        more = m.group(2) in _MORE
        if more and left.value <= right.value or not more and left.value >= right.value:
            return f"比较与所给数字不符（{_show(left)} 与 {_show(right)}）"
    return None


def _figure_of_class(claim: str, side: str, figs: list[Figure]) -> Figure | None:
    """The one figure, before the comparison, whose stretch of the claim names the one class
    this side of it names («中职略低于高职»: the figure said of 中职)."""
    wanted = _class_set(named_classes(side))
    if len(wanted) != 1:
        return None
    found = [f for f in figs if f.unit != "year" and wanted <= _class_set(named_classes(_bound_span(claim, f, figs)))]
    return found[0] if len(found) == 1 else None


def _class_set(named: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {(a, c) for a, cs in named.items() for c in cs}


_REFERS_BACK = re.compile(r"\s*(?:这一|这个|这些|该|此)")
_COMPARATIVE = re.compile("|".join(_MORE + _LESS))


def earlier_comparison_problem(claim: str, before: str) -> str | None:
    """A comparison with a figure an earlier sentence of the answer gives: «这一水平低于高职的
    11211.34元» after «…为14290.64元», or «中职…为91.30%，低于高职» after «高职…为85.15%»."""
    if not before:
        return None
    figs, earlier = figures(claim), figures(before)
    for m in _COMPARATIVE.finditer(claim):
        ahead = _BOUND_START.split(claim[m.end():], 1)[0]
        behind = _BOUND_START.split(claim[: m.start()])[-1]
        right = next((f for f in figs if m.end() <= f.start <= m.end() + len(ahead)), None)
        if right is not None and _REFERS_BACK.match(behind) and not any(f.end <= m.start() and f.start >= m.start() - len(behind) for f in figs):
            left = next((g for g in reversed(earlier) if g.unit == right.unit), None)
        elif right is None and not behind.strip():  # «…为91.30%，低于高职»: the figure before is compared
            left = next((f for f in reversed(figs) if f.end <= m.start() and f.unit != "year"), None)
            right = _figure_of_class(before, ahead, [g for g in earlier if g.unit == left.unit]) if left else None
        else:
            continue
        if left is None or right is None or left.unit != right.unit:
            continue
        more = m.group() in _MORE
        if more and left.value <= right.value or not more and left.value >= right.value:
            return f"比较与所给数字不符（{_show(left)} 与 {_show(right)}）"
    return None
