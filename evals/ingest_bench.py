"""Ingest time per 10,000 characters of text, by format: load → clean → parse → chunk.

  python -m evals.ingest_bench [--docs ../shared/real-docs] [--ocr-pages 2]

Real documents are turned into each format by a real tool (reportlab for text PDFs,
Pillow page images for scanned PDFs, python-docx for Word); saved web pages are used as
they are. Embedding is not included: it costs the same per chunk whatever the format
(see evals/bench.py)."""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from evals.structure_counts import DEFAULT_DOCS
from ingest.pipeline import parse_file

SAMPLES = ("2016_鄂政办发", "2021_无文号_中华人民共和国教育法", "2019_国发", "2018_通政办发")


def _timed(path: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    parsed = parse_file(path)
    return time.perf_counter() - t0, sum(len(c.text) for c in parsed.clauses)


def _row(name: str, runs: list[tuple[float, int]]) -> str:
    secs, chars = sum(r[0] for r in runs), sum(r[1] for r in runs)
    per = secs / max(chars, 1) * 10_000
    return f"| {name} | {len(runs)} | {chars:,} | {secs:.2f} | {per:.3f} |"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=Path, default=DEFAULT_DOCS)
    ap.add_argument("--ocr-pages", type=int, default=2, help="pages per document rendered for OCR (slow)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.pdf_fixtures import text_to_pdf

    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(args.docs.iterdir())
             if p.suffix in (".txt", ".md") and p.name.startswith(SAMPLES)}
    rows = {"text (.txt/.md)": [], "PDF with text layer": [], "scanned PDF (OCR)": [], ".docx": [], ".html": []}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for stem, text in texts.items():
            src = next(p for p in args.docs.iterdir() if p.stem == stem)
            rows["text (.txt/.md)"].append(_timed(src))
            rows["PDF with text layer"].append(_timed(text_to_pdf(text, out / f"{stem}.pdf")))
            try:
                from tests.ocr_fixtures import text_to_image_pdf

                head = "\n".join(text.splitlines()[: 40 * args.ocr_pages])
                rows["scanned PDF (OCR)"].append(_timed(text_to_image_pdf(head, out / f"{stem}-scan.pdf")))
            except ImportError:
                pass
        from tests.docx_fixtures import edu_law_docx, hubei_docx  # Word files with real automatic numbering

        rows[".docx"] += [_timed(hubei_docx(out / "hubei.docx")), _timed(edu_law_docx(out / "law.docx"))]
        for p in sorted(args.docs.glob("*.htm*")):
            rows[".html"].append(_timed(p))
    print("| format | documents | characters parsed | seconds | seconds per 10,000 characters |")
    print("|---|---|---|---|---|")
    for name, runs in rows.items():
        if runs:
            print(_row(name, runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
