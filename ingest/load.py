"""Load: a file on disk → its text, page by page. The only stage that reads files."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import IngestError

SUPPORTED = {".pdf", ".txt", ".md", ".docx", ".html", ".htm"}


@dataclass(frozen=True)
class LoadedFile:
    source: str  # file name
    path: Path
    content_hash: str
    pages: tuple[str, ...]  # one entry per PDF page; text files are a single page
    is_pdf: bool
    encoding: str


# A page whose text layer has fewer characters than this is a scan (a page number or a
# stamp is all some scanners leave); 20 is below any real page of body text.
MIN_TEXT_LAYER_CHARS = 20

_PLAUSIBLE = re.compile(
    r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2010-\u206f\x20-\x7e\t\n\r"
    r"\u00b7\u00a0\u3400-\u4dbf\u2460-\u24ff\u25a0-\u25ff\u2160-\u217f]"
)


def _plausible(text: str) -> bool:
    """Decoded text should be mostly CJK, CJK punctuation and ASCII; mojibake is not."""
    if not text:
        return False
    sample = text[:20000]
    good = len(_PLAUSIBLE.findall(sample))
    return good / len(sample) >= 0.97 and "\ufffd" not in sample


def decode_text(data: bytes, source: str) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK/GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030", "big5"]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            return text, enc
    raise IngestError(source, "无法识别的文本编码 (unreadable encoding: not UTF-8, GB18030/GBK or Big5)")


def strip_markdown(text: str) -> str:
    """Heading marks and comments are markup, not the document's words."""
    return re.sub(r"<!--.*?-->", "", re.sub(r"(?m)^#{1,6}[ \t]*", "", text), flags=re.S)


def decode_html(data: bytes, source: str) -> str:
    """A saved page declares its charset (<meta charset=gb2312>); trust it before guessing."""
    m = re.search(rb"""charset\s*=\s*["']?([A-Za-z0-9_-]+)""", data[:4096], re.I)
    if m:
        enc = m.group(1).decode("ascii").lower()
        enc = "gb18030" if enc in ("gb2312", "gbk", "gb18030") else enc
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data, source)[0]


# The longest real policy texts (laws with their explanations, annual reports with tables) run
# to a few hundred pages; a 2,000-page text took 153 s. Beyond this a file is refused, named.
MAX_PDF_PAGES = 1000


def _read_pdf(path: Path, source: str) -> tuple[str, ...]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            # An owner-password-only PDF opens with the empty user password; others cannot be read.
            try:
                ok = reader.decrypt("")
            except Exception:  # pypdf raises several types for unsupported crypto
                ok = 0
            if not ok:
                raise IngestError(source, "PDF 已加密，无法读取 (encrypted PDF: a password is required)")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise IngestError(source, f"PDF 页数过多：{len(reader.pages)} 页，上限 {MAX_PDF_PAGES} 页，请拆分后再收录 (too many pages)")
        pages = tuple((p.extract_text() or "") for p in reader.pages)
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AssertionError) as e:
        raise IngestError(source, f"PDF 文件已损坏 (corrupt PDF: {type(e).__name__}: {e})") from None
    except Exception as e:  # pypdf has no single error base for malformed streams
        raise IngestError(source, f"PDF 文件已损坏 (corrupt PDF: {type(e).__name__}: {e})") from None
    if not pages:
        raise IngestError(source, "PDF 没有页面 (corrupt PDF: no pages)")
    # Scanned pages carry no text layer (or only a stray page number): read them by OCR.
    scanned = [i for i, p in enumerate(pages) if len(re.sub(r"\s", "", p)) < MIN_TEXT_LAYER_CHARS]
    if scanned:
        from .ocr import ocr_pdf_pages

        read = ocr_pdf_pages(path, scanned, source)
        pages = tuple(read.get(i, p) for i, p in enumerate(pages))
    if sum(len(re.sub(r"\s", "", p)) for p in pages) < 10:
        raise IngestError(source, "PDF 中没有可识别的文字（文字层为空，OCR 也未识别出文字） (no text: no text layer and OCR found none)")
    return pages


def load_file(path: Path, max_mb: float) -> LoadedFile:
    source = path.name
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        raise IngestError(
            source,
            f"不支持的文件类型 {ext or '（无扩展名）'} (unsupported extension; use .pdf, .docx, .html, .txt or .md)",
        )
    try:
        size = path.stat().st_size
    except OSError as e:
        raise IngestError(source, f"无法读取文件 (cannot read: {e.strerror})") from None
    if size == 0:
        raise IngestError(source, "文件为空 (empty file)")
    if size > max_mb * 1024 * 1024:
        raise IngestError(
            source, f"文件过大：{size / 1024 / 1024:.1f} MB，上限 {max_mb:g} MB (file over the size limit)"
        )
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if ext == ".pdf":
        if not data.lstrip().startswith(b"%PDF"):
            raise IngestError(source, "PDF 文件已损坏 (corrupt PDF: missing %PDF header)")
        pages = _read_pdf(path, source)
        return LoadedFile(source, path, digest, pages, True, "pdf")
    if ext == ".docx":
        from .markup import docx_to_text

        text, enc = docx_to_text(data, source), "docx"
    elif ext in (".html", ".htm"):
        from .markup import html_to_text

        text, enc = html_to_text(decode_html(data, source), source), "html"
    else:
        text, enc = decode_text(data, source)
        if ext == ".md":
            text = strip_markdown(text)
    if not text.strip():
        raise IngestError(source, "文件为空 (empty file: only whitespace)")
    # A form feed is the one page marker plain-text extractions keep.
    pages = tuple(text.split("\f")) if "\f" in text else (text,)
    return LoadedFile(source, path, digest, pages, False, enc)
