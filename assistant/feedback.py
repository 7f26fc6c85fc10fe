"""Feedback (👍/👎 with an optional comment) stored in SQLite beside the index."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
from pathlib import Path

from .types import Answer

SCHEMA = """CREATE TABLE IF NOT EXISTS feedback (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created REAL NOT NULL,
  rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
  comment TEXT,
  question TEXT NOT NULL,
  answer TEXT NOT NULL,
  found INTEGER NOT NULL,
  citations TEXT NOT NULL
)"""


# A comment is a sentence or a paragraph; this bounds what one click can store.
MAX_COMMENT_CHARS = 2000
# A cell a spreadsheet would run as a formula (=HYPERLINK(…), +cmd|…, -2+3, @SUM).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """A CSV cell that opens as text: a leading ' stops Excel/WPS/LibreOffice evaluating it."""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute(SCHEMA)

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(str(self.path))

    def add(self, answer: Answer, answer_text: str, rating: str, comment: str = "") -> int:
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be up or down, not {rating!r}")
        if len(comment or "") > MAX_COMMENT_CHARS:
            raise ValueError(f"意见过长（{len(comment)} 字），请控制在 {MAX_COMMENT_CHARS} 字以内 (comment too long)")
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO feedback (created, rating, comment, question, answer, found, citations) VALUES (?,?,?,?,?,?,?)",
                (time.time(), rating, comment.strip() or None, answer.question, answer_text, int(answer.found),
                 json.dumps([c.to_json() for c in answer.citations], ensure_ascii=False)),
            )
            return int(cur.lastrowid)

    def rows(self) -> list[dict]:
        with self._db() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM feedback ORDER BY id")]

    def to_csv(self) -> str:
        buf = io.StringIO()
        rows = self.rows()
        cols = ["id", "created", "rating", "comment", "question", "answer", "found", "citations"]
        w = csv.DictWriter(buf, fieldnames=cols)
        w.writeheader()
        for r in rows:
            r["created"] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r["created"]))
            w.writerow({k: _cell(v) for k, v in r.items()})
        return buf.getvalue()
