"""Scanned-looking PDFs for OCR tests: real text drawn on A4 page images (no text layer).

Text is laid out with Pillow in a Noto CJK font, the way a printed government document
looks (one paragraph per source line, wrapped at the page width, a "- 3 -" footer), and
the pages are saved as an image-only PDF, so pypdf finds no text and the loader must OCR.
"""
from __future__ import annotations

import re
import subprocess
from functools import lru_cache
from pathlib import Path

A4_MM = (210, 297)
MARGIN_MM = 25  # GB/T 9704 official documents use 26–37 mm; a little less keeps tests short
LINE_SPACING = 1.6  # leading / font size, the same as tests/pdf_fixtures.text_to_pdf
TAB = "\u3000" * 4  # four ideographic spaces: the gap between two table columns
_FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)
# A Latin word, a number with its unit signs, or one character: the units a line may wrap between.
_TOKEN = re.compile(r"[A-Za-z0-9.,:;%/\-_+&@'\"]+|\s|.", re.S)
# Chinese typesetting never starts a line with closing punctuation: it hangs at the line end.
_NO_LINE_START = set("，。、；：！？）》”’〕】」』%…")


@lru_cache(maxsize=1)
def cjk_font_file() -> tuple[str, int]:
    """(font file, face index) of Noto Sans CJK SC; scripts/install_browser.sh installs it."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}\t%{index}", "Noto Sans CJK SC"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        found = ""
    path, _, index = found.partition("\t")
    if "CJK" in path and Path(path).exists():
        return path, int(index or 0)
    for p in _FONT_PATHS:
        if Path(p).exists():
            return p, 2  # face 2 of the Noto CJK .ttc is the SC (Simplified Chinese) face
    raise FileNotFoundError("Noto Sans CJK not found: run scripts/install_browser.sh (fonts-noto-cjk)")


@lru_cache(maxsize=8)
def _font(size_px: int):
    from PIL import ImageFont

    path, index = cjk_font_file()
    return ImageFont.truetype(path, size_px, index=index)


def _wrap(paragraph: str, font, width: float) -> list[str]:
    """Greedy wrap: Chinese may break after any character, a Latin word or number only whole."""
    lines, cur = [], ""
    for tok in _TOKEN.findall(paragraph):
        if font.getlength(cur + tok) <= width or (tok in _NO_LINE_START and cur.strip()):
            cur += tok
            continue
        if cur.strip():
            lines.append(cur.rstrip())
        cur = tok.lstrip() if not tok.isspace() else ""
        while font.getlength(cur) > width:  # a token wider than the page: break per character
            cut = max(i for i in range(1, len(cur) + 1) if font.getlength(cur[:i]) <= width)
            lines.append(cur[:cut])
            cur = cur[cut:]
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def _geometry(dpi: int, font_size_pt: float):
    px = lambda mm: round(mm / 25.4 * dpi)  # noqa: E731
    size_px = round(font_size_pt * dpi / 72)
    page_w, page_h, margin = px(A4_MM[0]), px(A4_MM[1]), px(MARGIN_MM)
    line_h = round(size_px * LINE_SPACING)
    per_page = (page_h - 2 * margin) // line_h
    return page_w, page_h, margin, size_px, line_h, per_page


def layout_pages(text: str, *, dpi: int = 150, font_size_pt: float = 12) -> list[list[str]]:
    """The text's lines as they fall on pages: what each page image will show (sans footer)."""
    page_w, _, margin, size_px, _, per_page = _geometry(dpi, font_size_pt)
    font = _font(size_px)
    lines: list[str] = []
    for para in text.splitlines():
        if para.strip():
            # A tab separates table cells: print it as a wide gap, as a table column would be.
            lines.extend(_wrap(para.rstrip().replace("\t", TAB), font, page_w - 2 * margin))
    return [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]


def _scan_effects(img, seed: int):
    """A photocopier look: a small skew, grey speckle and a slight blur."""
    import numpy as np
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(seed)
    img = img.rotate(float(rng.uniform(-0.8, 0.8)), resample=Image.BICUBIC, fillcolor=255, expand=False)
    arr = np.asarray(img, dtype=np.int16) + rng.normal(0, 18, img.size[::-1]).astype(np.int16)
    specks = rng.random(img.size[::-1]) < 0.0015
    arr[specks] = 0
    return Image.fromarray(arr.clip(0, 255).astype("uint8")).filter(ImageFilter.GaussianBlur(0.6))


def text_to_image_pdf(
    text: str, out: Path, *, dpi: int = 150, font_size_pt: float = 12, scan: bool = False, seed: int = 0
) -> Path:
    """Draw the text on A4 greyscale page images and save them as an image-only PDF."""
    from PIL import Image, ImageDraw

    page_w, page_h, margin, size_px, line_h, _ = _geometry(dpi, font_size_pt)
    font, footer_font = _font(size_px), _font(round(size_px * 0.75))
    images = []
    for n, page in enumerate(layout_pages(text, dpi=dpi, font_size_pt=font_size_pt), start=1):
        img = Image.new("L", (page_w, page_h), 255)
        draw = ImageDraw.Draw(img)
        for i, line in enumerate(page):
            draw.text((margin, margin + i * line_h), line, font=font, fill=0)
        draw.text((page_w / 2, page_h - margin / 2), f"- {n} -", font=footer_font, fill=0, anchor="mm")
        images.append(_scan_effects(img, seed + n) if scan else img)
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=float(dpi))
    return out


def mixed_pdf(text_page: str, scanned_text: str, out: Path, **image_kw) -> Path:
    """Page 1 has a text layer (reportlab); the pages after it are images only (a scan)."""
    from pypdf import PdfReader, PdfWriter

    from tests.pdf_fixtures import text_to_pdf

    typed = text_to_pdf(text_page, out.with_suffix(".typed.pdf"))
    scanned = text_to_image_pdf(scanned_text, out.with_suffix(".scan.pdf"), **image_kw)
    writer = PdfWriter()
    writer.add_page(PdfReader(str(typed)).pages[0])
    for page in PdfReader(str(scanned)).pages:
        writer.add_page(page)
    with open(out, "wb") as f:
        writer.write(f)
    return out


def _levenshtein(a: str, b: str) -> int:
    """Edit distance, one numpy row at a time (pages are ~1,500 characters: 2M cells)."""
    import numpy as np

    if not a or not b:
        return len(a) or len(b)
    bb = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    cols = np.arange(len(b) + 1)
    row = cols.copy()
    for i, ch in enumerate(a, start=1):
        sub = row[:-1] + (bb != ord(ch))
        new = np.empty_like(row)
        new[0] = i
        new[1:] = np.minimum(row[1:] + 1, sub)
        # An insertion chain: new[j] = min over k <= j of new[k] + (j - k).
        row = np.minimum.accumulate(new - cols) + cols
    return int(row[-1])


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate over non-whitespace characters, both sides width-normalised the
    way ingest.clean.normalize_line does it (what the rest of the pipeline sees)."""
    from ingest.clean import normalize_line

    def norm(s: str) -> str:
        return re.sub(r"\s", "", "".join(normalize_line(x) for x in s.splitlines()))

    ref, hyp = norm(reference), norm(hypothesis)
    return _levenshtein(ref, hyp) / max(1, len(ref))


def page_reference(page_lines: list[str], number: int) -> str:
    """What a page image shows: its lines and the "- n -" footer."""
    return "\n".join(page_lines + [f"- {number} -"])
