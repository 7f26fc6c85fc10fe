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


# A law, a plan with inline 责任单位 and a bundle of two documents, printed to PDF by a
# real tool (reportlab): the line breaks and page footers of a PDF must not change a count.
AS_PDF = ["2021_无文号_中华人民共和国教育法.md", "2016_鄂政办发〔2016〕32号_湖北省全面加强和改进学校美育工作实施意见.txt",
          "2018_通政办发〔2018〕25号_南通市印发中小学美育和体育两个实施意见的通知.txt"]


@pytest.mark.slow
@pytest.mark.parametrize("name", AS_PDF)
def test_a_real_document_printed_to_pdf_parses_to_the_same_counts(name, tmp_path):
    from ingest.load import strip_markdown
    from tests.pdf_fixtures import text_to_pdf

    text = strip_markdown((DEFAULT_DOCS / name).read_text(encoding="utf-8"))  # markdown marks are not printed
    pdf = text_to_pdf(text, tmp_path / (name.rsplit(".", 1)[0] + ".pdf"))
    rows, _, _ = check_file(pdf, EXPECTED[name])
    wrong = [f"#{r['doc']} {r['field']}: want {r['want']!r}, got {r['got']!r}" for r in rows if not r["ok"]]
    assert not wrong, "\n".join(wrong)
