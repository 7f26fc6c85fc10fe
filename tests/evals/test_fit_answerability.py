"""How the answerability gate's operating point is chosen from validation scores."""
from evals.fit_answerability import choose_threshold, decide


def _qs(answerable_ps, unanswerable_ps):
    return [(p, True, True) for p in answerable_ps] + [(p, False, False) for p in unanswerable_ps]


def test_operating_point_serves_the_worse_class_whatever_the_mix():
    # Nine answerable questions for every near-miss: plain accuracy would answer everything
    # (0.9) and refuse no near-miss; the chosen point refuses the near-miss scored 0.55 at the
    # cost of the two answerable questions scored lower.
    qs = _qs([0.5, 0.52, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.97], [0.55])
    t = choose_threshold(qs)
    d = decide(qs, t)
    assert d["refused_unanswerable"] == 1.0 and d["answered_right"] == round(7 / 9, 3)
    assert decide(qs, 0.0)["accuracy"] > d["accuracy"]  # what plain accuracy would have chosen


def test_ties_go_to_refusing():
    qs = _qs([0.9], [0.2])
    assert choose_threshold(qs) == 0.9  # every threshold in (0.2, 0.9] separates them: take the highest
