"""OCR: scanned PDF pages → text lines, offline.

pdfium renders each page to a bitmap; PP-OCR (RapidOCR on onnxruntime, models shipped in
the wheel, nothing downloaded) finds and reads text boxes; boxes are put back into lines
in reading order. Only layout is restored here: width variants and spaces next to Chinese
are left to clean.normalize_line, which every loaded page goes through.
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import IngestError

# pdfium scale (1.0 = 72 dpi). Measured by `python -m evals.ocr_bench --scales ...` on
# real documents drawn at 150 dpi (12 pt and 9 pt print): see README/report for numbers.
RENDER_SCALE = 2.5
# RapidOCR shrinks any image whose long side exceeds 2000 px before detection, which would
# undo the render scale (A4 at 2.5 is 2105 px high); the render scale alone sets resolution.
_MAX_SIDE_PX = 4096
# Two boxes are on one line when they share at least this fraction of the lower box's
# height; text lines in print are separated by ≥ 0.3 of a line of leading, so half an
# overlap never joins two lines, and a 1–2° scan skew still keeps a line together.
LINE_OVERLAP = 0.5
# A gap wider than this many line heights between two boxes on one line is a column gap
# (a table cell, a signature block), written as a tab as the text extractions do; word
# gaps and the full-width spaces of spaced-out titles (通　　知) are below 2 heights.
COLUMN_GAP = 2.5

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2014\u2026\u201c-\u201d]")


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def _show_progress() -> bool:
    return sys.stderr.isatty() and os.environ.get("POLICY_NO_PROGRESS") != "1"


@lru_cache(maxsize=1)
def _engine():
    """One RapidOCR per process: loading the three ONNX models takes about a second."""
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(max_side_len=_MAX_SIDE_PX)


def _load_engine(source: str):
    try:
        return _engine()
    except Exception as e:  # ImportError (cv2 needs libGL), onnxruntime model load errors
        raise IngestError(source, f"OCR 引擎无法加载 (OCR engine failed to load: {type(e).__name__}: {_one_line(e)})") from None


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())[:200]


def _render(pdf, index: int, scale: float, source: str):
    """Page → BGR array (OpenCV's channel order, what RapidOCR expects)."""
    import pypdfium2 as pdfium

    try:
        page = pdf[index]
        try:
            return page.render(scale=scale).to_numpy()
        finally:
            page.close()
    except (pdfium.PdfiumError, ValueError, IndexError, MemoryError) as e:
        raise IngestError(
            source, f"第 {index + 1} 页无法渲染 (pdfium cannot render page {index + 1}: {_one_line(e)})"
        ) from None


def _read_boxes(engine, image, index: int, source: str) -> list[Box]:
    try:
        result, _ = engine(image)
    except Exception as e:  # onnxruntime and OpenCV raise their own error types
        raise IngestError(
            source, f"第 {index + 1} 页 OCR 失败 (OCR engine error on page {index + 1}: {type(e).__name__}: {_one_line(e)})"
        ) from None
    boxes = []
    for points, text, _score in result or []:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        if text.strip():
            boxes.append(Box(min(xs), min(ys), max(xs), max(ys), text.strip()))
    return boxes


def _same_line(line: list[Box], box: Box) -> bool:
    top = sum(b.y0 for b in line) / len(line)
    bottom = sum(b.y1 for b in line) / len(line)
    overlap = min(bottom, box.y1) - max(top, box.y0)
    return overlap >= LINE_OVERLAP * min(bottom - top, box.height)


def group_lines(boxes: list[Box]) -> list[list[Box]]:
    """Boxes → lines (top to bottom), each line's boxes left to right."""
    lines: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: (b.y0 + b.y1) / 2):
        # Compare with the last few lines only: a box that starts a new line rarely
        # belongs to one two lines up, except when a short box sits between tall ones.
        home = next((ln for ln in reversed(lines[-3:]) if _same_line(ln, box)), None)
        if home is None:
            lines.append([box])
        else:
            home.append(box)
    return [sorted(ln, key=lambda b: b.x0) for ln in lines]


def join_line(line: list[Box]) -> str:
    """Chinese needs no space between boxes; Latin words keep one; a column gap is a tab."""
    out = line[0].text
    for left, right in zip(line, line[1:]):
        height = max(left.height, right.height)
        if right.x0 - left.x1 > COLUMN_GAP * height:
            sep = "\t"
        elif _CJK.match(out[-1]) or _CJK.match(right.text[0]):
            sep = ""
        else:
            sep = " "
        out += sep + right.text
    return out


def page_text(boxes: list[Box]) -> str:
    return "\n".join(join_line(ln) for ln in group_lines(boxes))


def ocr_pdf_pages(path: Path, pages: list[int], source: str, *, scale: float = RENDER_SCALE) -> dict[int, str]:
    """OCR the given 0-based pages of a PDF: page index → text, one line per "\\n"."""
    import pypdfium2 as pdfium
    from tqdm import tqdm

    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as e:
        raise IngestError(source, f"PDF 无法渲染 (pdfium cannot open the PDF: {_one_line(e)})") from None
    engine = _load_engine(source)
    out: dict[int, str] = {}
    try:
        for i in tqdm(pages, desc=f"OCR {source}", unit="页", file=sys.stderr, disable=not _show_progress(), leave=False):
            out[i] = page_text(_read_boxes(engine, _render(pdf, i, scale, source), i, source))
    finally:
        pdf.close()
    return out
