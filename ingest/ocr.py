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

# pdfium scale (1.0 = 72 dpi; 2.0 = 144 dpi). Chosen with `python -m evals.ocr_bench`
# (CER over non-whitespace characters, real documents drawn as scans): at 12 pt print CER
# is flat from 1.5 to 3 (0.45–0.52 %); in 6–7.5 pt small print on 300 dpi scans 1.5 loses
# (0.55 % vs 0.40 %) while 2.5–4 gain nothing over 2. Time grows with the pixels the
# detector sees: 3 pages took 9.1 s at 1.5, 10.7 s at 2, 12.0 s at 2.5, 18.2 s at 3.
RENDER_SCALE = 2.0
# RapidOCR shrinks any image whose long side exceeds 2000 px before detection, which would
# undo the render scale on large pages (A3 at 2.0 is 2382 px); the render scale alone sets
# the resolution.
_MAX_SIDE_PX = 4096
# A box joins a line when their bands overlap by at least this fraction of the shorter
# band. Measured detector bands are 1.0–1.15 character heights and print leading is
# ≥ 1.5, so bands of adjacent lines never overlap, while a small box (①, a footnote mark)
# or a line cut in two by a 1° skew overlaps its line by far more than half.
LINE_OVERLAP = 0.5
# A gap wider than this many band heights (≈ characters) between two boxes on one line is
# a column gap (a table cell, 目录 … page number), written as a tab as the text
# extractions do; words and spaced-out titles (通　　知, two full spaces) stay below it.
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
    """One RapidOCR per process: loading the ONNX models and the first run take seconds."""
    from rapidocr_onnxruntime import RapidOCR

    # No per-line 180° classifier: a printed page never has single upside-down lines, and
    # the classifier, which squeezes a whole line into 192×48 px, flipped correct long
    # lines (a full line of 高等教育法 came back empty); it also costs time.
    return RapidOCR(max_side_len=_MAX_SIDE_PX, use_cls=False)


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
    return [_box(points, text) for points, text, _score in result or [] if text.strip()]


def _box(points, text: str) -> Box:
    """A detected quadrilateral (tl, tr, br, bl) → its band. The band is the mean of the
    left and right edges, not the bounding box: on a skewed scan a long line's bounding
    box is taller than the line and would reach into the next one."""
    (_, tl), (_, tr), (_, br), (_, bl) = points
    xs = [p[0] for p in points]
    mid = (tl + tr + br + bl) / 4
    half = ((bl - tl) + (br - tr)) / 4
    return Box(min(xs), mid - half, max(xs), mid + half, text.strip())


def _same_line(line: list[Box], box: Box) -> bool:
    top = sum(b.y0 for b in line) / len(line)
    bottom = sum(b.y1 for b in line) / len(line)
    overlap = min(bottom, box.y1) - max(top, box.y0)
    return overlap >= LINE_OVERLAP * min(bottom - top, box.height)


def group_lines(boxes: list[Box]) -> list[list[Box]]:
    """Boxes → lines (top to bottom), each line's boxes left to right."""
    lines: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: (b.y0 + b.y1) / 2):
        # The line before the last too: on a skewed scan the right part of a line can
        # sort after the left part of the next line. Earlier lines are done.
        home = next((ln for ln in reversed(lines[-2:]) if _same_line(ln, box)), None)
        if home is None:
            lines.append([box])
        else:
            home.append(box)
    return [sorted(ln, key=lambda b: b.x0) for ln in lines]


def join_line(line: list[Box]) -> str:
    """Boxes of one line → text. Next to Chinese no space (Chinese is written without);
    between two Latin words or numbers one space; across a column gap a tab."""
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
