"""Detect document metadata from the text itself, for any issuer: title, 文号, issuer, date,
level, kind — and the documents inside one file (a notice that 印发 or 转发 others, a red
header per document). Input: cleaned paragraphs; output: segments, each a document's
metadata plus the paragraph range that belongs to it."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.data import read_lines
from assistant.places import issuer_level
from assistant.zh import DOC_NUMBER as _DOCNUM, parse_date

from .clean import DOC_KINDS, FIELD_LABELS, Paragraph
from .numbering import comparable, match_marker
from .units import looks_like_unit

_ORDER = re.compile(r"((?:国务院|[\u4e00-\u9fff]{1,8}?(?:部|委员会|人民政府))令)第(\d{1,4})号")
_HEADER = re.compile(r"^(.{2,24}?)文件$")
# The label/value fields that 北大法宝, gov.cn and similar pages print above the text.
FIELDS = {
    "issuer": ("制定机关", "发文机关", "发布机关", "发布部门", "颁布机关"),
    "doc_number": ("发文字号", "文号"),
    "date": ("成文日期", "公布日期", "发布日期", "颁布日期", "施行日期"),
    "title": ("标题",),
}
_FIELD = re.compile(f"({FIELD_LABELS})[：:]")
# A title ends with the name of its kind of document.
_TITLE_END = re.compile(rf"({DOC_KINDS}|措施|要点|指引|指南|标准|制度)(（[^）]{{0,20}}）)?$")
_KIND_OF = [("law", r"(法|条例|细则|规则|章程|规定|办法)(（[^）]*）)?$"), ("notice", r"(通知|通报|函|批复|公告|请示)$"),
            ("report", r"报告$")]
_HISTORY = re.compile(r"^(\S{6,14}?日)\s*(.*?)(通过|修正|修订|公布|施行|发布)")
_HISTORY_ITEM = re.compile(r"(\d{4}年\d{1,2}月\d{1,2}日)\s*([^。）]*?)(通过|修正|修订|公布|施行|发布)")
_CHROME = re.compile(r"法宝引证码|原文链接|^https?://|^【|^扫一扫|^打印|^关闭")


def normalize_doc_number(text: str) -> str | None:
    """X政发[2020]19号 / X政发（2020）19 号 / 国务院令第741号 → one written form."""
    m = _DOCNUM.search(text)
    if m:
        return f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号"
    m = _ORDER.search(text)
    return f"{m.group(1)}第{m.group(2)}号" if m else None


def doc_numbers(text: str) -> list[str]:
    """Every 文号 a text names, in the one written form."""
    out = [f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号" for m in _DOCNUM.finditer(text)]
    return out + [f"{m.group(1)}第{m.group(2)}号" for m in _ORDER.finditer(text)]


@dataclass(frozen=True)
class Segment:
    """One document inside a file: its detected metadata and paragraph range."""

    title: str
    doc_number: str | None
    issuer: str | None
    date: str | None
    level: str
    kind: str  # law | notice | plan | report | news | other
    start: int  # paragraph index range [start, end)
    end: int
    body_start: int  # first paragraph after the header block (title, addressee)
    notice_title: str | None = None
    forwarded_by: str | None = None
    forwards: str | None = None


def kind_of(title: str) -> str:
    for kind, rx in _KIND_OF:
        if re.search(rx, title):
            return kind
    return "plan" if _TITLE_END.search(title) else "other"


def header_fields(paras: list[Paragraph], limit: int = 30) -> dict[str, str]:
    """标题：… 发文机关：国务院 成文日期：2019年01月24日 → {title, issuer, date, doc_number}."""
    found: dict[str, str] = {}
    for p in paras[:limit]:
        marks = list(_FIELD.finditer(p.text))
        for m, nxt in zip(marks, marks[1:] + [None]):
            value = p.text[m.end() : nxt.start() if nxt else len(p.text)].strip()
            for key, labels in FIELDS.items():
                if m.group(1) in labels and value and key not in found:
                    found[key] = value
    return found


def _is_chrome(t: str) -> bool:
    return bool(_CHROME.search(t)) or bool(_FIELD.match(t))


_TITLE_THEN_ADDRESSEE = re.compile(r"^(.{6,120}?(?:的通知|的意见|的实施意见|的决定|的批复|的函|的通报|的公告|的报告|的请示))(.+：)$")


def _title(paras: list[Paragraph], fields: dict[str, str]) -> tuple[str | None, int]:
    """The title line (or two lines of one wrapped title) near the top; (title, its index)."""
    for k, p in enumerate(paras[:15]):
        t = p.text
        if _is_chrome(t) or len(t) > 200 or re.search(r"[。；]$", t) or re.fullmatch(r"（[^）]*）", t):
            continue
        glued = _TITLE_THEN_ADDRESSEE.match(t)  # extraction ran the addressee line into the title
        if glued:
            return glued.group(1), k
        nxt = paras[k + 1].text if k + 1 < len(paras) and not re.fullmatch(r"（[^）]*）", paras[k + 1].text) else ""
        for joined, used in ((t, 1), (t + nxt, 2)):
            bare = re.sub(r"（[^）]*(修正|修订|试行|草案)[^）]*）$", "", joined)
            if _TITLE_END.search(bare) and not match_marker(joined) and 6 <= len(joined) <= 120:
                return joined, k + used - 1
    return None, -1


def _field_title(paras: list[Paragraph], title: str) -> tuple[str, int]:
    """The page's 标题 field, located where the document prints it (over up to 4 lines)."""
    key = comparable(title)
    for k in range(min(len(paras), 30)):
        joined = ""
        for j in range(k, min(k + 4, len(paras))):
            joined += comparable(paras[j].text)
            if joined == key:
                return title, j
            if not key.startswith(joined):
                break
    return title, -1


def _doc_number(paras: list[Paragraph], fields: dict[str, str], upto: int) -> str | None:
    if fields.get("doc_number"):
        return normalize_doc_number(fields["doc_number"]) or fields["doc_number"]
    for p in paras[:upto]:
        bare = p.text.strip("（）()")
        if len(bare) <= 24 and _DOCNUM.fullmatch(bare.replace(" ", "")):
            return normalize_doc_number(bare)
    orders = [f"{m.group(1)}第{m.group(2)}号" for p in paras[:upto] for m in _ORDER.finditer(p.text)]
    return orders[-1] if orders else None  # the latest 国务院令 of a revised regulation


def _history(paras: list[Paragraph]) -> list[tuple[str, str, str]]:
    """A law's header lines: 2021年4月29日 第十三届全国人民代表大会常务委员会…修正 → (date, body, act)."""
    out = []
    for p in paras[:12]:
        if not _HISTORY.match(p.text):
            continue
        for m in _HISTORY_ITEM.finditer(p.text):  # lines an extraction ran together
            if parse_date(m.group(1)):
                out.append((parse_date(m.group(1)), m.group(2), m.group(3)))
    return out


def _legislature(body: str) -> str | None:
    """河南省第十一届人民代表大会常务委员会第十六次会议 → 河南省人民代表大会常务委员会."""
    m = re.search(r"^(.*?)第[一二三四五六七八九十百]+届(.*?(?:人民代表大会(?:常务委员会)?))", body)
    if m:
        return m.group(1) + m.group(2)
    m = re.search(r"([\u4e00-\u9fff]{2,10}?)令", body)
    return m.group(1).removeprefix("中华人民共和国") if m else None


def _title_issuer(title: str) -> str | None:
    """南平市人民政府办公室关于… / 南通市政府办公室印发… / 国家教委关于… → the issuer."""
    m = re.match(r"^(.{2,40}?)(关于|转发|印发)", title)
    if m and looks_like_unit(m.group(1)):
        return m.group(1)
    return None


def _signature(paras: list[Paragraph], start: int, end: int) -> tuple[str | None, str | None, int | None]:
    """The issuer line and date line that close a notice: (issuer, date, index of the date)."""
    for k in range(start, min(end, len(paras))):
        t = paras[k].text
        if len(t) <= 16 and parse_date(t) and re.fullmatch(r"[\d〇零一二三四五六七八九十年月日.\-/ ]+", t):
            prev = paras[k - 1].text if k > start else ""
            issuer = prev if prev and len(prev) <= 40 and looks_like_unit(prev) else None
            return issuer, parse_date(t), k
    return None, None, None


def describe(paras: list[Paragraph], start: int, end: int) -> Segment:
    """The metadata of one document occupying paragraphs [start, end)."""
    local = paras[start:end]
    fields = header_fields(local)
    title, t_at = _field_title(local, fields["title"]) if fields.get("title") else _title(local, fields)
    title = title or ""
    history = _history(local)
    number = _doc_number(local, fields, max(t_at + 4, 8))
    sig_issuer, sig_date, _ = _signature(paras, start + max(t_at, 0) + 1, end)
    issuer = _pick_issuer(fields.get("issuer"), title, history, sig_issuer)
    date = parse_date(fields["date"]) if fields.get("date") else None
    if date is None and fields.get("date"):
        date = (re.match(r"\d{4}", fields["date"]) or [None])[0]
    if history:
        date = date if fields.get("date") else max(h[0] for h in history)
    date = date or sig_date
    body = _body_start(local, max(t_at + 1, 0))
    return Segment(title, number, issuer, date, issuer_level(issuer), kind_of(title), start, end, start + body)


def _pick_issuer(field: str | None, title: str, history, signature: str | None) -> str | None:
    by_title = _title_issuer(title)
    for chrome in read_lines("page_chrome.txt"):  # 教育部机构沿革: a page's link text in the field
        field = field.replace(chrome, "").strip() if field else field
    if field:
        # 教育部机构沿革: a page's link text can cling to the field; the title's issuer is clean.
        return by_title if by_title and field.startswith(by_title) else field
    if history:
        return _legislature(history[-1][1]) or by_title
    if signature and issuer_level(signature) != "unknown":
        return signature  # the signature gives the formal name (…人民政府办公室, not …政府办公室)
    return by_title or signature


def _body_start(local: list[Paragraph], after_title: int) -> int:
    """After the title: skip the 文号 line, repeated title, addressee (…：) and history lines."""
    k = after_title
    while k < len(local) and k < after_title + 8:
        t = local[k].text
        if _is_chrome(t) or normalize_doc_number(t) and len(t) <= 30 or _HISTORY.match(t):
            k += 1
        elif t.endswith("：") and len(t) <= 120 and not match_marker(t):
            return k + 1
        elif k == after_title and _TITLE_END.search(t) and len(t) <= 80 and not match_marker(t):
            k += 1  # the title printed twice (北大法宝)
        else:
            break
    return k


def _report_segment(paras: list[Paragraph]) -> Segment | None:
    """An annual report: «2023» «…质量年度报告», then its issuer and month."""
    head = paras[:12]
    for k, p in enumerate(head):
        m = re.fullmatch(r"(\d{4})?\s*([\u4e00-\u9fff]{4,30}报告)", p.text)
        if not m:
            continue
        year = m.group(1) or next((q.text for q in head[:k] if re.fullmatch(r"\d{4}", q.text)), None)
        title = f"{m.group(2)}（{year}年度）" if year else m.group(2)
        issuer, date = None, None
        for a, b in zip(head[k:], head[k + 1 :]):
            tail = re.search(r"[\u4e00-\u9fff]{2,16}$", a.text)  # the issuer may trail an English title
            if tail and parse_date(b.text):
                names = [tail.group(0)[i:] for i in range(len(tail.group(0)) - 1)]
                issuer = next((n for n in names if looks_like_unit(n) and issuer_level(n) != "unknown"), None)
                date = parse_date(b.text)
                break
        return Segment(title, None, issuer, date, issuer_level(issuer), "report", 0, len(paras), k + 1)
    return None


def _news_segment(paras: list[Paragraph], fallback_title: str) -> Segment | None:
    """A news article or explainer: a headline that reports a document (印发《…》)."""
    for k, p in enumerate(paras[:20]):
        if re.search(r"(印发|出台|发布|解读)《.+》", p.text) and len(p.text) <= 45:
            nxt = paras[k + 1].text if k + 1 < len(paras) and paras[k + 1].kind == "title" else ""
            title = f"{p.text}：{nxt}" if nxt else p.text
            return Segment(title, None, None, None, _news_level(paras), "news", 0, len(paras), 0)
    if any(p.kind == "title" for p in paras) and not any(match_marker(p.text) for p in paras):
        return Segment(fallback_title, None, None, None, "unknown", "news", 0, len(paras), 0)
    return None


def _news_level(paras: list[Paragraph]) -> str:
    """An explainer written for one province speaks of 我省/全省 (我市/全市 for a city)."""
    text = "".join(p.text for p in paras)
    for level, words in (("province", ("我省", "全省")), ("city", ("我市", "全市")), ("county", ("我县", "全县"))):
        if any(w in text for w in words):
            return level
    return "unknown"


def _red_headers(paras: list[Paragraph]) -> list[tuple[int, str]]:
    """«X省人民政府文件» over a 文号 line: the printed header of each document."""
    out = []
    for k, p in enumerate(paras):
        m = _HEADER.match(p.text)
        if m and k + 1 < len(paras) and normalize_doc_number(paras[k + 1].text) and looks_like_unit(m.group(1)):
            out.append((k, m.group(1)))
    return out


def detect_segments(paras: list[Paragraph], fallback_title: str) -> list[Segment]:
    """Split a file into documents (notices and what they issue or forward) with metadata."""
    headers = _red_headers(paras)
    if headers:
        bounds = [k for k, _ in headers] + [len(paras)]
        segs = []
        for n, (k, issuer) in enumerate(headers):
            seg = describe(paras, 0 if n == 0 else k, bounds[n + 1])
            segs.append(replace(seg, issuer=issuer, level=issuer_level(issuer)))
        return _link_forwarding([s for seg in segs for s in split_attached(paras, seg)])
    report = _report_segment(paras)
    if report:
        return [report]
    seg = describe(paras, 0, len(paras))
    if not seg.title:
        news = _news_segment(paras, fallback_title)
        if news:
            return [news]
        seg = replace(seg, title=fallback_title, kind="other")
    return split_attached(paras, seg)


def _link_forwarding(segs: list[Segment]) -> list[Segment]:
    """A red-header notice that 转发 the next document names its 文号."""
    out = list(segs)
    for n in range(len(out) - 1):
        outer, inner = out[n], out[n + 1]
        title = outer.notice_title or outer.title
        if inner.doc_number and "转发" in title and not inner.forwarded_by:
            out[n] = replace(outer, forwards=inner.doc_number)
            out[n + 1] = replace(inner, forwarded_by=outer.doc_number)
    return out


_NAMED = re.compile(r"《(.+?)》(?:（([^（）]*?号)）)?")
MAX_FORWARD_DEPTH = 4  # 市转发省转发国务院: deeper chains are not written in practice


def _key(title: str) -> str:
    return re.sub(r"[《》〈〉“”\"]", "", comparable(title))


def _named_documents(paras: list[Paragraph], seg: Segment) -> tuple[str, list[tuple[str, str | None, str]]]:
    """What the notice issues or forwards: ('印发'|'转发', [(title, its 文号, who wrote it)])."""
    cover = [seg.title] + [p.text for p in paras[seg.body_start : min(seg.end, seg.body_start + 4)]]
    verb = "转发" if "转发" in seg.title else "印发" if "印发" in seg.title else ""
    found: list[tuple[str, str | None, str]] = []
    for sentence in re.split(r"[。；\n]", "\n".join(cover)):
        if not re.search(r"印发|转发", sentence):
            continue
        verb = verb or ("转发" if "转发" in sentence else "印发")
        for m in _NAMED.finditer(sentence):
            author = re.sub(r"^.*?(?:转发|现将|经.{1,8}同意，?)", "", sentence[: m.start()]).strip("，、 ")
            if _key(m.group(1)) not in {_key(f[0]) for f in found}:
                found.append((m.group(1), normalize_doc_number(m.group(2) or ""), author))
    return verb, found


def _find_start(paras: list[Paragraph], title: str, start: int, end: int) -> int | None:
    key = _key(title)
    for k in range(start, end):
        one = _key(paras[k].text)
        two = one + (_key(paras[k + 1].text) if k + 1 < end else "")
        if one == key or two == key:
            return k
    return None


def split_attached(paras: list[Paragraph], seg: Segment, depth: int = 0) -> list[Segment]:
    """A notice that 印发 one plan is that plan (its title the reader's name for it); one that
    印发 several, or 转发 another, is a cover notice followed by each document it carries."""
    verb, named = _named_documents(paras, seg)
    if not named or depth >= MAX_FORWARD_DEPTH:
        return [seg]
    starts = [(n, _find_start(paras, n[0], seg.body_start, seg.end)) for n in named]
    present = [(n, k) for n, k in starts if k is not None]
    if verb == "印发" and len(present) == 1:
        (name, _, _), _k = present[0]
        return [replace(seg, title=name, notice_title=seg.title, kind=kind_of(name))]
    if not present:
        forwarded = named[0][1] or named[0][0] if verb == "转发" else None
        return [replace(seg, forwards=forwarded)]
    present.sort(key=lambda x: x[1])
    cover = replace(seg, end=present[0][1])
    out: list[Segment] = []
    for n, ((name, number, author), k) in enumerate(present):
        end = present[n + 1][1] if n + 1 < len(present) else seg.end
        inner = _inner_segment(paras, seg, name, number, author, k, end, verb)
        out += split_attached(paras, inner, depth + 1) if verb == "转发" else [inner]
    if verb == "转发":
        cover = replace(cover, forwards=out[0].doc_number or out[0].title)
    return [cover] + out


def _inner_segment(paras, seg: Segment, name: str, number, author: str, k: int, end: int, verb: str) -> Segment:
    own = describe(paras, k, end)
    title_lines = 2 if _key(paras[k].text) != _key(name) else 1
    body = max(own.body_start, k + title_lines)
    if verb == "印发":  # issued by the notice: its 文号, issuer and date
        return replace(own, title=name, doc_number=seg.doc_number, issuer=seg.issuer, date=seg.date, level=seg.level,
                       kind=kind_of(name), body_start=body, notice_title=seg.title)
    issuer = own.issuer or (author if author and looks_like_unit(re.split(r"[、，]", author)[0]) else None)
    return replace(own, title=name, doc_number=own.doc_number or number, issuer=issuer, level=issuer_level(issuer),
                   kind=kind_of(name), body_start=body, forwarded_by=seg.doc_number or seg.title)
