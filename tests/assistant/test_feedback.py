"""Feedback: stored as given, exported so a spreadsheet never runs a cell."""
import csv
import io

import pytest

from assistant.feedback import MAX_COMMENT_CHARS, FeedbackStore
from assistant.types import Answer


def _answer(q="问题"):
    return Answer(q, "回答", True, ())


def test_export_neutralises_cells_a_spreadsheet_would_run(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite")
    for bad in ('=HYPERLINK("http://x","点我")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"):
        store.add(_answer(bad), "回答", "down", bad)
    rows = list(csv.DictReader(io.StringIO(store.to_csv())))
    assert all(r["comment"].startswith("'") and r["question"].startswith("'") for r in rows)
    assert rows[0]["comment"] == "'=HYPERLINK(\"http://x\",\"点我\")"


def test_an_overlong_comment_is_refused_and_nothing_is_stored(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite")
    with pytest.raises(ValueError, match="意见过长"):
        store.add(_answer(), "回答", "up", "很" * (MAX_COMMENT_CHARS + 1))
    assert store.rows() == []
