"""OCR benchmark: real documents drawn as scanned pages, read back, scored by CER.

    python -m evals.ocr_bench [--pages N] [--scales 2,2.5,3] [--font-pt 9,12] [--dpi 150]
                              [--variants clean,scan] [--docs K] [--repeat R]

Each document's first N pages are laid out on A4 images (tests/ocr_fixtures.py, Noto Sans
CJK, 150 dpi by default), saved as an image-only PDF and OCR'd by ingest.ocr.ocr_pdf_pages.
CER is the edit distance over non-whitespace characters (width-normalised like the
cleaning stage) against the text drawn on those pages, page-number footers included.
"scan" adds skew, noise, speckle and blur. Seconds are wall time of ocr_pdf_pages (render +
OCR) after a warm-up run; "cpu s" is the process CPU time (onnxruntime uses every core).
"""
from __future__ import annotations

import argparse
import tempfile
import time
import unicodedata
from pathlib import Path

from assistant.settings import PROJECT_ROOT
from ingest.ocr import RENDER_SCALE, ocr_pdf_pages
from tests.ocr_fixtures import cer, layout_pages, page_reference, text_to_image_pdf

REAL_DOCS = PROJECT_ROOT.parent / "shared" / "real-docs"
CORPUS = PROJECT_ROOT / "docs_corpus"
# Different issuers, numbering styles and figures: a national law, provincial and city
# plans, a notice with 1. items and a statistics-heavy report.
DOCS = tuple(p for p in (
    REAL_DOCS / "2016_鄂政办发〔2016〕32号_湖北省全面加强和改进学校美育工作实施意见.txt",
    REAL_DOCS / "2010_教基一〔2010〕1号_教育部关于进一步推进义务教育均衡发展的意见.txt",
    REAL_DOCS / "2018_无文号_中华人民共和国高等教育法.txt",
    REAL_DOCS / "2022_包府办发〔2022〕43号_包头市2022年数字政府建设考评办法.txt",
    CORPUS / "2020_晋政发2020-19号_山西省推进职业教育改革发展行动计划.txt",
    CORPUS / "2024_山西省职业教育质量年度报告2023.txt",
) if p.exists())  # ../shared/real-docs is not on every machine


def _floats(s: str) -> list[float]:
    return [float(x) for x in s.split(",") if x]


def _pages_of(doc: Path, n: int, font_pt: float, dpi: int) -> list[list[str]]:
    return layout_pages(doc.read_text(encoding="utf-8"), dpi=dpi, font_size_pt=font_pt)[:n]


def run_one(doc: Path, variant: str, font_pt: float, scale: float, opts, tmp: Path) -> dict:
    pages = _pages_of(doc, opts.pages, font_pt, opts.dpi)
    text = "\n".join(line for page in pages for line in page)
    pdf = text_to_image_pdf(
        text, tmp / f"{doc.stem[:20]}.pdf", dpi=opts.dpi, font_size_pt=font_pt, scan=variant == "scan"
    )
    seconds = cpu = float("inf")
    for _ in range(opts.repeat):  # the fastest run: other work on the machine only adds time
        t0, c0 = time.perf_counter(), time.process_time()
        read = ocr_pdf_pages(pdf, list(range(len(pages))), pdf.name, scale=scale)
        seconds, cpu = min(seconds, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    ref = "\n".join(page_reference(p, i + 1) for i, p in enumerate(pages))
    hyp = "\n".join(read[i] for i in range(len(pages)))
    chars = sum(1 for c in ref if not c.isspace())
    return dict(doc=doc.name, variant=variant, font=font_pt, scale=scale, pages=len(pages),
                chars=chars, cer=cer(ref, hyp), seconds=seconds, cpu=cpu)


def _pad(s: str, width: int) -> str:
    """Cut and left-justify by display width: a Chinese character takes two columns."""
    out, shown = "", 0
    for c in s:
        w = 2 if unicodedata.east_asian_width(c) in "WF" else 1
        if shown + w > width:
            break
        out, shown = out + c, shown + w
    return out + " " * (width - shown)


def _row(r: dict) -> str:
    per10k = r["seconds"] / max(1, r["chars"]) * 10000
    return (f"{_pad(r['doc'], 30)} {r['variant']:<6} {r['font']:>5g} {r['scale']:>5g} {r['pages']:>5} {r['chars']:>6} "
            f"{r['cer'] * 100:>6.2f}% {r['seconds']:>7.1f} {r['cpu']:>7.1f} {per10k:>8.1f}")


def _total(rows: list[dict], label: str) -> dict:
    chars = sum(r["chars"] for r in rows)
    return dict(doc=label, variant=rows[0]["variant"], font=rows[0]["font"], scale=rows[0]["scale"],
                pages=sum(r["pages"] for r in rows), chars=chars,
                cer=sum(r["cer"] * r["chars"] for r in rows) / max(1, chars),
                seconds=sum(r["seconds"] for r in rows), cpu=sum(r["cpu"] for r in rows))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=1, help="pages per document (default 1)")
    ap.add_argument("--scales", default=str(RENDER_SCALE), help="pdfium render scales, comma-separated")
    ap.add_argument("--font-pt", default="12", help="print sizes in points, comma-separated (9 = small print)")
    ap.add_argument("--variants", default="clean,scan", help="clean and/or scan (skew, noise, blur)")
    ap.add_argument("--docs", type=int, default=len(DOCS), help="use the first K documents")
    ap.add_argument("--dpi", type=int, default=150, help="resolution of the page images (the 'scan')")
    ap.add_argument("--repeat", type=int, default=1, help="OCR each PDF R times, report the fastest")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:  # load the engine and run it once, outside the timings
        ocr_pdf_pages(text_to_image_pdf("预热 warm-up 2024年 60%", Path(d) / "warm.pdf"), [0], "warm.pdf")
    header = f"{'document':<30} {'var.':<6} {'pt':>5} {'scale':>5} {'pages':>5} {'chars':>6} {'CER':>7} {'s':>7} {'cpu s':>7} {'s/10k ch':>8}"
    print(header + "\n" + "-" * len(header), flush=True)
    totals = []
    with tempfile.TemporaryDirectory() as d:
        for variant in args.variants.split(","):
            for font_pt in _floats(args.font_pt):
                for scale in _floats(args.scales):
                    rows = []
                    for doc in DOCS[: args.docs]:
                        rows.append(run_one(doc, variant, font_pt, scale, args, Path(d)))
                        print(_row(rows[-1]), flush=True)
                    totals.append(_total(rows, "ALL"))
                    print(_row(totals[-1]) + "\n", flush=True)
    print("summary\n" + header + "\n" + "\n".join(_row(t) for t in totals))


if __name__ == "__main__":
    main()
