"""Real PDFs for tests, made with reportlab and a CJK CID font (STSong-Light)."""
from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape


def text_to_pdf(text: str, out: Path, *, font_size: float = 11, footer: bool = True) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=font_size, leading=font_size * 1.6, wordWrap="CJK")
    # Each line of the extracted text was a line or paragraph of the original: keep it one.
    paras = [line.strip() for line in text.splitlines() if line.strip()]

    def page_number(canvas, doc):
        if footer:
            canvas.setFont("STSong-Light", 9)
            canvas.drawCentredString(A4[0] / 2, 30, f"- {doc.page} -")

    doc = SimpleDocTemplate(str(out), pagesize=A4)
    doc.build([Paragraph(escape(p), style) for p in paras], onFirstPage=page_number, onLaterPages=page_number)
    return out


def blank_pdf(out: Path) -> Path:
    """A PDF with a drawing and no text layer (a scan needs OCR)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(out), pagesize=A4)
    c.rect(100, 100, 300, 400, fill=1)
    c.showPage()
    c.save()
    return out


def encrypt_pdf(src: Path, out: Path, password: str = "secret") -> Path:
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter()
    for page in PdfReader(str(src)).pages:
        w.add_page(page)
    w.encrypt(user_password=password, owner_password=password + "-owner")
    with open(out, "wb") as f:
        w.write(f)
    return out
