"""Real public documents nobody shaped the parser around (../shared/real-docs/): every one
parses to the hand counts of its README, with its own 文号, issuer, date and level."""
from __future__ import annotations

import json

import pytest

from evals.structure_counts import DEFAULT_DOCS, DEFAULT_EXPECTED, check_file

EXPECTED = {k: v for k, v in json.loads(DEFAULT_EXPECTED.read_text(encoding="utf-8")).items() if not k.startswith("_")}

pytestmark = pytest.mark.skipif(not DEFAULT_DOCS.exists(), reason="../shared/real-docs is not on this machine")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_document_parses_to_its_hand_counts_and_metadata(name):
    rows, _, _ = check_file(DEFAULT_DOCS / name, EXPECTED[name])
    wrong = [f"#{r['doc']} {r['field']}: want {r['want']!r}, got {r['got']!r}" for r in rows if not r["ok"]]
    assert rows and not wrong, "\n".join(wrong)


def test_every_real_document_is_in_the_expectations():
    on_disk = {p.name for p in DEFAULT_DOCS.iterdir() if not p.name.startswith((".", "README"))}
    assert on_disk == set(EXPECTED)
