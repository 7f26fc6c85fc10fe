"""Vocabularies as data files, each with a note on its origin at its top (# lines)."""
from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).parent


def read_lines(name: str) -> list[str]:
    """Entries of a one-per-line file, without its # notes and blank lines."""
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [x.strip() for x in text.splitlines() if x.strip() and not x.lstrip().startswith("#")]


def read_table(name: str) -> list[dict[str, str]]:
    """Rows of a tab-separated file with a header line (after the # notes)."""
    lines = read_lines(name)
    head = lines[0].split("\t")
    return [dict(zip(head, x.split("\t"))) for x in lines[1:]]
