"""The vocabularies are data files that say where they come from, and the staff-wording tables
keep the rules their headers state."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.data import DATA_DIR, read_table

VOCABULARIES = sorted(p for p in DATA_DIR.iterdir() if p.suffix in (".txt", ".tsv"))


@pytest.mark.parametrize("path", VOCABULARIES, ids=lambda p: p.name)
def test_every_vocabulary_notes_its_origin(path: Path):
    notes = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        notes.append(line)
    assert any("origin" in n.lower() for n in notes), f"{path.name}: no «Origin:» note in its leading comments"


@pytest.mark.parametrize("name", ["staff_wording.tsv", "staff_wording_phrases.tsv"])
def test_staff_terms_are_words_that_widen_a_query_without_echoing_themselves(name: str):
    rows = read_table(name)
    staff = [r["staff"] for r in rows]
    assert len(staff) == len(set(staff)), f"{name}: a staff term twice"
    for r in rows:
        docs = r["document"].split()
        assert r["staff"] and 1 <= len(docs) <= 4, r
        assert not any(r["staff"] in d for d in docs), f"{name}: {r['staff']} is part of its own document term"


def test_the_phrase_table_adds_phrases_the_general_table_lacks():
    general = {r["staff"] for r in read_table("staff_wording.tsv")}
    phrases = [r["staff"] for r in read_table("staff_wording_phrases.tsv")]
    assert not general & set(phrases) and all(len(p) >= 2 for p in phrases)
