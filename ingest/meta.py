"""Detect document metadata from the text itself: title, 文号, issuer, date, level, kind,
and embedded (forwarded) documents. Input: cleaned paragraphs; output: segments, each a
document header plus the paragraphs that belong to it."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .clean import Paragraph

_DOCNUM = re.compile(r"([\u4e00-\u9fff]{1,10})\s*[〔\[［（(【]\s*(\d{4})\s*[〕\]］）)】]\s*(\d{1,4})\s*号")
_HEADER = re.compile(r"^(.{2,24}?)文件$")
_DATE_FULL = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_DATE_MONTH = re.compile(r"^(\d{4})年(\d{1,2})月$")
_TITLE_END = re.compile(r"^(.*?(?:的通知|的决定|的意见|的实施意见|的批复|的函|的通报|的公告|的报告))(.*)$")
_AUTHORITY = re.compile(r"(人民政府|教育厅|教育局|办公厅|办公室|委员会|厅|局|部|委)$")


def normalize_doc_number(text: str) -> str | None:
    """晋政发[2020]19号 / 晋政发（2020）19 号 / 晋政发〔2020〕19号 → 晋政发〔2020〕19号."""
    m = _DOCNUM.search(text)
    return f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号" if m else None


def doc_number_key(text: str) -> str | None:
    """A matching key that ignores the bracket style and spacing."""
    n = normalize_doc_number(text)
    return re.sub(r"[〔〕]", "", n) if n else None


def level_of(issuer: str | None) -> str:
    if not issuer:
        return "unknown"
    if re.match(r"^[\u4e00-\u9fff]{2,3}省|^省", issuer):
        return "province"
    if "市" in issuer[:5]:
        return "city"
    if re.search(r"[县区]", issuer[:5]):
        return "county"
    return "unknown"


def _iso(text: str) -> str | None:
    m = _DATE_FULL.match(text)
    if m:
        return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    m = _DATE_MONTH.match(text)
    if m:
        return f"{m.group(1)}-{int(m.group(2)):02d}"
    return None


@dataclass(frozen=True)
class Segment:
    """One document inside a file: its detected metadata and paragraph range."""

    title: str
    doc_number: str | None
    issuer: str | None
    date: str | None
    level: str
    kind: str  # government | report | news | other
    start: int  # paragraph index range [start, end)
    end: int
    body_start: int  # first paragraph after the header block (title, addressee)
    notice_title: str | None = None
    forwarded_by: str | None = None
    forwards: str | None = None


def _gov_segment(paras: list[Paragraph], start: int, end: int, issuer: str) -> Segment:
    texts = [p.text for p in paras[start:end]]
    doc_number = None
    i = 1
    while i < min(len(texts), 4):
        if normalize_doc_number(texts[i]) and len(texts[i]) <= 20:
            doc_number = normalize_doc_number(texts[i])
            i += 1
            break
        i += 1
    # The notice title runs from here to the addressee line, which ends with a colon.
    head = ""
    j = i
    while j < len(texts) and j < i + 4:
        head += texts[j]
        j += 1
        if head.endswith("：") or _TITLE_END.match(head):
            break
    m = _TITLE_END.match(head)
    notice_title = m.group(1) if m else head.rstrip("：")
    if notice_title.startswith(issuer) and "关于" in notice_title[len(issuer) : len(issuer) + 3]:
        pass  # 山西省人民政府关于印发…: the issuer is part of the formal title
    body_start = j
    date = next((_iso(t) for t in texts if _DATE_FULL.match(t)), None)
    title = notice_title
    plan = re.search(r"关于印发(.+?)的通知", notice_title)
    if plan:
        name = plan.group(1).strip("《》")
        # The attached plan is what readers call the document (《…行动计划》（晋政发〔2020〕19号）).
        if any(t == name or t == f"《{name}》" for t in texts):
            title = name
    return Segment(
        title=title, doc_number=doc_number, issuer=issuer, date=date, level=level_of(issuer),
        kind="government", start=start, end=end, body_start=start + body_start,
        notice_title=notice_title if title != notice_title else None,
    )


def _report_segment(paras: list[Paragraph]) -> Segment | None:
    head = paras[:12]
    for k, p in enumerate(head):
        m = re.fullmatch(r"(\d{4})?\s*([\u4e00-\u9fff]{4,30}报告)", p.text)
        if not m:
            continue
        year = m.group(1) or next((q.text for q in head[:k] if re.fullmatch(r"\d{4}", q.text)), None)
        title = f"{m.group(2)}（{year}年度）" if year else m.group(2)
        issuer, date = None, None
        for a, b in zip(head[k:], head[k + 1 :]):
            auth = re.search(r"([\u4e00-\u9fff]{2,16}?(?:人民政府|教育厅|教育局|办公厅|委员会))$", a.text)
            if auth and _iso(b.text):
                issuer, date = auth.group(1), _iso(b.text)
                break
        return Segment(title, None, issuer, date, level_of(issuer), "report", 0, len(paras), k + 1)
    return None


def _news_segment(paras: list[Paragraph]) -> Segment:
    title = None
    for k, p in enumerate(paras[:20]):
        if re.search(r"(印发|出台|发布|解读)《.+》", p.text) and len(p.text) <= 45:
            nxt = paras[k + 1].text if k + 1 < len(paras) and paras[k + 1].kind == "title" else ""
            title = f"{p.text}：{nxt}" if nxt else p.text
            break
    province = any("我省" in p.text or "全省" in p.text for p in paras)
    return Segment(
        title or "", None, None, None, "province" if province else "unknown", "news", 0, len(paras), 0
    )


def detect_segments(paras: list[Paragraph], fallback_title: str) -> list[Segment]:
    """Split a file into documents (a forwarding notice and what it forwards) with metadata."""
    headers = [
        (k, _HEADER.match(p.text).group(1))
        for k, p in enumerate(paras)
        if _HEADER.match(p.text)
        and k + 1 < len(paras)
        and normalize_doc_number(paras[k + 1].text)
        and _AUTHORITY.search(_HEADER.match(p.text).group(1))
    ]
    if headers:
        bounds = [k for k, _ in headers] + [len(paras)]
        segs = [_gov_segment(paras, bounds[n], bounds[n + 1], issuer) for n, (_, issuer) in enumerate(headers)]
        if headers[0][0] > 0:  # text before the first header belongs to the first document
            segs[0] = _replace(segs[0], start=0)
        return _link_forwarding(segs)
    report = _report_segment(paras)
    if report:
        return [report]
    news = _news_segment(paras)
    if news.title or any(p.kind == "title" for p in paras):
        return [_replace(news, title=news.title or fallback_title)]
    return [Segment(fallback_title, normalize_doc_number(paras[0].text) if paras else None, None, None,
                    "unknown", "other", 0, len(paras), 0)]


def _replace(seg: Segment, **kw) -> Segment:
    from dataclasses import replace

    return replace(seg, **kw)


def _link_forwarding(segs: list[Segment]) -> list[Segment]:
    """忻教发〔2022〕4号 转发 晋教职成〔2022〕1号: the outer notice names the inner number."""
    out = list(segs)
    for n in range(len(out) - 1):
        outer, inner = out[n], out[n + 1]
        title = outer.notice_title or outer.title
        if inner.doc_number and "转发" in title:
            out[n] = _replace(outer, forwards=inner.doc_number)
            out[n + 1] = _replace(inner, forwarded_by=outer.doc_number)
    return out
