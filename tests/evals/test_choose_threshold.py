"""The operating-point rule applied to the chain's own decisions (evals/choose_threshold.py)."""
from evals.choose_threshold import choose, closeness, decisions


def _row(answerable, found, cited_right=False):
    return {"answerable": answerable, "answer": {"found": found}, "citation@1": cited_right,
            "pass": (found and cited_right) if answerable else not found}


def test_decisions_count_right_answers_among_the_answerable_and_refusals_among_the_near_misses():
    rows = [_row(True, True, True), _row(True, True, False), _row(True, False), _row(False, False), _row(False, True)]
    d = decisions(rows)
    assert d["answered_right"] == 1 / 3 and d["refused"] == 1 / 2 and d["pass"] == 2 / 5


def test_the_threshold_whose_worse_class_is_closest_to_its_target_wins_and_ties_go_higher():
    table = {
        0.45: {"answered_right": 0.80, "refused": 0.84},  # min(0.941, 0.933) = 0.933
        0.47: {"answered_right": 0.80, "refused": 0.85},  # min(0.941, 0.944) = 0.941
        0.49: {"answered_right": 0.80, "refused": 0.85},  # the same: the higher threshold refuses more
        0.51: {"answered_right": 0.70, "refused": 0.95},
    }
    assert round(closeness(table[0.47]), 3) == 0.941
    assert choose(table) == 0.49
