"""Prompt files, loaded at run time. The refusal sentence lives here once and is shared by
the answering code, the prompts and the tests."""
from __future__ import annotations

from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@cache
def load(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8").strip()


REFUSAL = load("refusal.txt")
