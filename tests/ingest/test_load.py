"""Loading real files: PDFs made by reportlab, GBK text, and each kind of bad input."""
from __future__ import annotations

import os

import pytest

from ingest.errors import IngestError
from ingest.load import load_file
from ingest.pipeline import parse_file
from tests.conftest import corpus_file
from tests.pdf_fixtures import blank_pdf, encrypt_pdf, text_to_pdf


def test_pdf_round_trip_keeps_clauses_units_and_pages(pdf_dir):
    pf = parse_file(pdf_dir / "晋政发2020-19号.pdf")
    assert pf.documents[0].doc_number == "晋政发〔2020〕19号"
    clauses = [c for c in pf.clauses if c.kind == "clause"]
    assert len(clauses) == 25 and all(c.responsible_units for c in clauses)
    pages = [c.page for c in clauses]
    assert pages == sorted(pages) and pages[0] >= 1 and pages[-1] >= 3  # spread over several pages
    c24 = next(c for c in clauses if c.clause_path[-1].startswith("（二十四）"))
    assert "公办高职院校生均财政拨款水平每年不低于12000元" in c24.text
    assert not any("- " in c.text and c.text.strip().endswith("-") for c in clauses)  # footers removed
    c18 = next(c for c in clauses if c.clause_path[-1].startswith("（十八）"))
    assert c18.responsible_units == ("市人民政府", "省发展改革委", "省教育厅", "省财政厅", "省人社厅")


def test_city_plan_pdf_items_survive_line_wrapping(pdf_dir):
    pf = parse_file(pdf_dir / "运政发2021-8号.pdf")
    tasks = [c for c in pf.clauses if c.kind == "clause" and c.clause_path[0] == "四、重点任务"]
    assert [int(c.clause_path[-1].split(".")[0]) for c in tasks] == list(range(1, 24))
    item14 = next(c for c in tasks if c.clause_path[-1].startswith("14."))
    assert "3年以上企业工作经历" in item14.text and item14.page and item14.page_end >= item14.page


def test_gbk_text_file_is_decoded(tmp_path):
    text = corpus_file("2020_").read_text(encoding="utf-8")
    f = tmp_path / "gbk.txt"
    f.write_bytes(text.encode("gbk", errors="ignore"))
    lf = load_file(f, 50)
    assert lf.encoding == "gb18030"
    pf = parse_file(f)
    assert pf.documents[0].doc_number == "晋政发〔2020〕19号"
    assert sum(c.kind == "clause" for c in pf.clauses) == 25


def _err(path, max_mb=50.0) -> str:
    with pytest.raises(IngestError) as e:
        parse_file(path, max_mb)
    msg = str(e.value)
    assert msg.startswith(path.name + ":"), msg  # names the file
    return msg


def test_encrypted_pdf_is_refused(tmp_path):
    src = text_to_pdf("山西省教育厅文件\n\n测试内容。", tmp_path / "plain.pdf")
    assert "encrypted PDF" in _err(encrypt_pdf(src, tmp_path / "locked.pdf"))


def test_pdf_without_text_layer_is_ocrd_and_refused_when_ocr_finds_no_text(tmp_path):
    # A drawing and no text: the page goes to OCR (ingest/ocr.py), which reads nothing.
    assert "no text: no text layer and OCR found none" in _err(blank_pdf(tmp_path / "scan.pdf"))


def test_corrupt_pdf(tmp_path):
    good = text_to_pdf("测试内容。" * 50, tmp_path / "good.pdf").read_bytes()
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(good[: len(good) // 3])
    assert "corrupt PDF" in _err(bad)
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"this is not a pdf at all")
    assert "corrupt PDF" in _err(junk)


def test_empty_file(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    assert "empty file" in _err(f)
    w = tmp_path / "blank.md"
    w.write_text("  \n\n ")
    assert "empty file" in _err(w)


def test_unsupported_extension(tmp_path):
    f = tmp_path / "plan.xls"
    f.write_bytes(b"PK\x03\x04 something")
    assert "unsupported extension" in _err(f)


def test_unreadable_encoding(tmp_path):
    f = tmp_path / "garbage.txt"
    f.write_bytes(os.urandom(4096))
    assert "unreadable encoding" in _err(f)


def test_file_over_size_limit(tmp_path):
    f = tmp_path / "huge.txt"
    f.write_text("职业教育。" * 100_000, encoding="utf-8")
    assert "size limit" in _err(f, max_mb=0.5)


def test_a_docx_that_unpacks_beyond_the_limit_is_refused_before_inflating(tmp_path):
    import io
    import zipfile

    from ingest.errors import IngestError
    from ingest.markup import MAX_DOCX_UNPACKED_MB, docx_to_text

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<w:document/>")
        z.writestr("word/media/bomb.bin", b"\0" * ((MAX_DOCX_UNPACKED_MB + 1) * 1024 * 1024))
    with pytest.raises(IngestError, match="解压后过大"):
        docx_to_text(buf.getvalue(), "炸弹.docx")


def test_a_pdf_over_the_page_limit_is_refused_with_its_count(pdf_dir, monkeypatch):
    from ingest import load
    from ingest.errors import IngestError

    pdf = next(pdf_dir.iterdir())
    monkeypatch.setattr(load, "MAX_PDF_PAGES", 1)  # the fixture PDFs are real multi-page files
    with pytest.raises(IngestError, match="页数过多"):
        load.load_file(pdf, 50)
