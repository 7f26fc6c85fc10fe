"""Word (.docx) and saved web pages (.html) → text in the clean stage's conventions: one
paragraph or heading per line; a table row per line with its cells joined by a tab (a merged
cell's text sits in its first column, the columns it covers stay empty); no markup."""
from __future__ import annotations

import html as htmllib
import io
import itertools
import re
import zipfile

import docx
from bs4 import BeautifulSoup
from bs4.element import NavigableString, PreformattedString
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from .errors import IngestError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_CN = "〇一二三四五六七八九"
_CIRCLED = "".join(chr(c) for c in [*range(0x2460, 0x2474), *range(0x3251, 0x3260), *range(0x32B1, 0x32C0)])


def chinese_number(n: int, japanese: bool = False) -> str:
    """1→一, 10→十, 11→十一, 20→二十, 101→一百零一 (Japanese counting: 百, 百一)."""
    out = ""
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            gap = "零" if out and not japanese and n // (value * 10) % 10 == 0 else ""
            one = d == 1 and unit and (japanese or (unit == "十" and not out))
            out += gap + ("" if one else _CN[d]) + unit
    return out if 0 < n < 10000 else str(n)


def _roman(n: int) -> str:
    out = ""
    for value, sym in zip((1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1), "M CM D CD C XC L XL X IX V IV I".split()):
        out, n = out + sym * (n // value), n % value
    return out


_FORMATS = {
    "chineseCounting": chinese_number, "chineseCountingThousand": chinese_number, "taiwaneseCounting": chinese_number,
    "taiwaneseCountingThousand": chinese_number, "japaneseCounting": lambda n: chinese_number(n, japanese=True),
    "ideographTraditional": lambda n: "甲乙丙丁戊己庚辛壬癸"[n - 1], "decimalEnclosedCircle": lambda n: _CIRCLED[n - 1],
    "decimalFullWidth": lambda n: str(n).translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)}),
    "upperLetter": lambda n: chr(65 + (n - 1) % 26) * ((n - 1) // 26 + 1),  # Word repeats: Z, AA, BB
    "lowerLetter": lambda n: chr(97 + (n - 1) % 26) * ((n - 1) // 26 + 1), "upperRoman": _roman,
    "lowerRoman": lambda n: _roman(n).lower(), "decimalZero": lambda n: f"{n:02d}", "none": lambda n: "",
    "bullet": lambda n: None,
}


def format_number(n: int, fmt: str) -> str | None:
    """A counter in one of Word's w:numFmt styles; None for a bullet (no number to show)."""
    try:
        return _FORMATS.get(fmt, str)(n) if n > 0 else str(n)
    except IndexError:  # past the end of a fixed set (甲…癸, ①…㊿): Word falls back to digits
        return str(n)


def _val(el, name: str, default=None):
    child = el.find(W + name) if el is not None else None
    return child.get(W + "val", default) if child is not None else default


def _level(lvl) -> dict:
    return {"start": int(_val(lvl, "start", "0")), "fmt": _val(lvl, "numFmt", "decimal"), "style": _val(lvl, "pStyle"),
            "text": _val(lvl, "lvlText", ""), "restart": _val(lvl, "lvlRestart"), "suff": _val(lvl, "suff", "tab"),
            "legal": lvl.find(W + "isLgl") is not None}


class Numbering:
    """numbering.xml + styles.xml → each numbered paragraph's visible label, counted as Word
    counts: nums sharing an abstractNum continue one list unless a num restarts it with a
    startOverride; a level restarts when a higher level advances (unless w:lvlRestart says)."""

    def __init__(self, numbering, styles):
        self.abstract = {a.get(W + "abstractNumId"): a for a in _kids(numbering, "abstractNum")}
        self.nums = {n.get(W + "numId"): n for n in _kids(numbering, "num")}
        self.styles = {s.get(W + "styleId"): s for s in _kids(styles, "style")}
        self.default_style = next((k for k, s in self.styles.items() if s.get(W + "type") == "paragraph"
                                   and s.get(W + "default") in ("1", "true")), None)
        self.counters: dict[str, dict[int, int]] = {}

    def _levels(self, num_id: str) -> tuple[str, dict[int, dict]]:
        num = self.nums[num_id]
        abs_id = _val(num, "abstractNumId")
        levels = {int(x.get(W + "ilvl", "0")): _level(x) for x in _kids(self.abstract.get(abs_id), "lvl")}
        restarted = False
        for o in _kids(num, "lvlOverride"):
            i = int(o.get(W + "ilvl", "0"))
            if o.find(W + "lvl") is not None:
                levels[i] = _level(o.find(W + "lvl"))
            if _val(o, "startOverride") is not None and i in levels:
                levels[i] = dict(levels[i], start=int(_val(o, "startOverride")))
                restarted = True
        return (f"num{num_id}" if restarted else f"abs{abs_id}"), levels

    def _style_numpr(self, style_id: str | None):
        for _ in range(10):  # basedOn chains are short; the bound guards against cycles
            style = self.styles.get(style_id)
            if style is None or style.find(f"{W}pPr/{W}numPr") is not None:
                return None if style is None else style.find(f"{W}pPr/{W}numPr")
            style_id = _val(style, "basedOn")

    def label(self, p) -> str:
        ppr = p.find(W + "pPr")
        style = _val(ppr, "pStyle") or self.default_style
        numpr = ppr.find(W + "numPr") if ppr is not None else None
        num_id, ilvl = _val(numpr, "numId"), _val(numpr, "ilvl")
        from_style = self._style_numpr(style)  # the style's list fills in what the paragraph leaves out
        num_id, ilvl = num_id or _val(from_style, "numId"), ilvl or _val(from_style, "ilvl")
        if num_id not in self.nums:  # includes numId 0: numbering switched off
            return ""
        key, levels = self._levels(num_id)
        # A style-linked list without w:ilvl: the level is the one that names this style.
        k = int(ilvl) if ilvl is not None else next((i for i, v in levels.items() if v["style"] == style), 0)
        if k not in levels:
            return ""
        counts, lv = self.counters.setdefault(key, {}), levels[k]
        counts[k] = counts[k] + 1 if k in counts else lv["start"]
        for deeper in [d for d in counts if d > k]:
            restart = levels.get(deeper, {}).get("restart")
            if k < (int(restart) if restart is not None else deeper):
                del counts[deeper]

        def number(m: re.Match) -> str:  # %n: level n's counter in level n's own format
            ref = levels.get(int(m[1]) - 1, {"start": 1, "fmt": "decimal"})
            return format_number(counts.get(int(m[1]) - 1, ref["start"]), "decimal" if lv["legal"] else ref["fmt"]) or ""

        out = "" if lv["fmt"] == "bullet" else re.sub(r"%([1-9])", number, lv["text"])
        # Word follows the label with a tab or a space; after 、 or ） Chinese text needs none.
        return out if not out or lv["suff"] == "nothing" or out[-1] in "、）)】〕」：:．" else out + " "


_CONTAINERS = {W + t for t in ("sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag")}
_SKIP = {W + t for t in ("pPr", "rPr", "del", "moveFrom", "txbxContent", "instrText", "sdtPr", "sdtEndPr")} | {_FALLBACK}
# A tab inside a paragraph would read as a table-cell separator, so it becomes a space.
_CHARS = {W + "tab": " ", W + "ptab": " ", W + "noBreakHyphen": "-", W + "cr": "\n"}


def _kids(el, name: str):
    """Direct children named name, looking through content-control and similar wrappers."""
    for child in el if el is not None else ():
        if child.tag == W + name:
            yield child
        elif child.tag in _CONTAINERS:
            yield from _kids(child, name)


def _run_text(el, out: list[str]) -> str:
    for node in el:
        tag = node.tag
        if tag == W + "t":
            out.append(node.text or "")
        elif tag in _CHARS or tag == W + "br":
            out.append(_CHARS.get(tag) or ("\n" if node.get(W + "type") in (None, "textWrapping") else ""))
        elif isinstance(tag, str) and tag not in _SKIP:
            vanish = node.find(f"{W}rPr/{W}vanish") if tag == W + "r" else None
            if vanish is None or vanish.get(W + "val") in ("0", "false", "off"):  # Word hides w:vanish runs
                _run_text(node, out)
    return "".join(out)


def _blocks(parent, num: Numbering, out: list[str]) -> None:
    for el in parent:
        if el.tag == W + "p":
            for box in el.iter(W + "txbxContent"):  # text boxes, once (mc:Fallback repeats them)
                if not {_FALLBACK, W + "txbxContent"} & {a.tag for a in box.iterancestors()}:
                    _blocks(box, num, out)
            text, label = _run_text(el, []), num.label(el)
            if text.strip():
                out.append(label + text)
        elif el.tag == W + "tbl":
            _docx_table(el, num, out)
        elif el.tag in _CONTAINERS:
            _blocks(el, num, out)


def _grid(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """(text, rowspan, colspan) cells → equal-width rows; a span's text stays in its first cell."""
    grid: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in grid:
                c += 1
            grid.update({(r + i, c + j): "" for i in range(rs) for j in range(cs)} | {(r, c): text})
            c += cs
    width = max((c for _, c in grid), default=-1) + 1
    return [[grid.get((r, c), "") for c in range(width)] for r in range(len(rows))]


def _docx_table(tbl, num: Numbering, out: list[str]) -> None:
    rows = [(tr, list(_kids(tr, "tc"))) for tr in _kids(tbl, "tr")]
    span = lambda tc: int(_val(tc.find(W + "tcPr"), "gridSpan", "1"))  # noqa: E731
    if max((sum(map(span, tcs)) for _, tcs in rows), default=0) < 2 or any(t is not tbl for t in tbl.iter(W + "tbl")):
        for tc in (tc for _, tcs in rows for tc in tcs):  # a layout table (one column, or tables inside)
            _blocks(tc, num, out)
        return
    cells: list[list[tuple[str, int, int]]] = []
    for tr, tcs in rows:
        before = int(_val(tr.find(W + "trPr"), "gridBefore", "0"))
        cells.append([("", 1, before)] if before else [])
        for tc in tcs:
            lines: list[str] = []
            vmerge = tc.find(f"{W}tcPr/{W}vMerge")
            if vmerge is None or vmerge.get(W + "val") == "restart":  # a continued merge shows nothing
                _blocks(tc, num, lines)
            cells[-1].append((re.sub(r"\s+", " ", " ".join(lines)).strip(), 1, span(tc)))
    out.extend("\t".join(r) for r in _grid(cells) if any(r))


# A policy document's Word file unpacks to a few MB (text XML and some images); a file that
# claims hundreds is a decompression bomb. Checked before anything is inflated.
MAX_DOCX_UNPACKED_MB = 200


def docx_to_text(data: bytes, source: str) -> str:
    if data[:4] == b"\xd0\xcf\x11\xe0":  # an OLE container: an encrypted .docx or an old .doc
        raise IngestError(source, "Word 文档已加密，无法读取 (encrypted .docx: a password is required)"
                          if "EncryptedPackage".encode("utf-16-le") in data else
                          "这是旧版 Word 97-2003 文档，请另存为 .docx (legacy .doc format, not .docx)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise IngestError(source, "不是有效的 Word 文档 (not a .docx: not a zip archive)") from None
    if "word/document.xml" not in zf.namelist():
        raise IngestError(source, "压缩包中没有 word/document.xml (not a .docx: no word/document.xml in the zip)")
    unpacked = sum(i.file_size for i in zf.infolist())
    if unpacked > MAX_DOCX_UNPACKED_MB * 1024 * 1024:  # read from the zip directory: nothing inflated yet
        raise IngestError(source, f"Word 文档解压后过大：{unpacked / 1024 / 1024:.0f} MB，上限 {MAX_DOCX_UNPACKED_MB} MB "
                                  "(decompression bomb or oversized .docx)")
    lines: list[str] = []
    try:
        if zf.testzip():
            raise ValueError(f"bad CRC in {zf.testzip()}")
        doc = docx.Document(io.BytesIO(data))
        rels = {r.reltype: r.target_part for r in doc.part.rels.values() if not r.is_external}
        parts = [rels[t].element if t in rels else None for t in (RT.NUMBERING, RT.STYLES)]  # both optional
        _blocks(doc.element.body, Numbering(*parts), lines)  # body only: headers and footers are not text
    except Exception as e:  # zlib, lxml, python-docx and bad numbering values raise many unrelated types
        why = re.sub(r"\s+", " ", f"{type(e).__name__}: {e}")[:160]
        raise IngestError(source, f"Word 文档已损坏 (corrupt .docx: {why})") from None
    return "\n".join(x if "\t" in x else x.strip() for x in "\n".join(lines).split("\n") if x.strip())


CJK_RE = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
# Label/value fields shown outside the body (北大法宝, gov.cn); the metadata stage reads them.
META_LABELS = ("制定机关", "发文机关", "发布机关", "发布部门", "颁布机关", "发文字号", "文号", "成文日期", "公布日期", "发布日期",
               "颁布日期", "施行日期", "标题", "时效性", "效力级别", "效力位阶", "索引号", "主题分类", "法规类别", "主题词")
_LABEL = re.compile(r"^\s*(" + "|".join(r"\s*".join(x) for x in sorted(META_LABELS, key=len, reverse=True))
                    + r")\s*[：:]\s*(.*)$", re.S)
_OTHER_LABEL = re.compile(r"^\s*[\u4e00-\u9fff][\u4e00-\u9fff\s]{1,7}[：:]|\s+(?=[\u4e00-\u9fff]{2,6}[：:])")
_DROP_TAGS = ("script style noscript nav header footer aside form iframe button select input textarea svg canvas "
              "template object embed head menu").split()
_BLOCK = set("p div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 tr td th table caption section article main blockquote pre "
             "address center figure figcaption hr br".split())
# Page furniture named by class/id, as whole words (北大法宝's navzhang headings must survive).
_CHROME_NAME = re.compile(r"\b(nav|navbar|menu|breadcrumbs?|crumbs?|share|social|footer|header|sidebar|toolbar|tools|"
                          r"dropdown|related|comments?|banner|ads?|advert|popup|qr|qrcode|erweima|print|login|search|"
                          r"pager|pagination|copyright|location|position|weixin|weibo)\b", re.I)
_CHROME_TEXT = re.compile(r"^(相关链接|相关文件|相关新闻|相关阅读|相关稿件|相关报道|相关政策|相关解读|延伸阅读|推荐阅读|本篇引用的法规|"
                          r"引用本篇的法规|法宝联想|友情链接|扫一扫|分享到|打印本页|关闭窗口|【?打印|【?关闭|当前位置|您的位置|您现在的位置)")
_COPYRIGHT = re.compile(r"版权所有|Copyright|©|ICP备|公网安备|网站标识码|主办单位[：:]|承办单位[：:]|网站地图")
# Tie-breaker only: usual ids/classes of an article body, for when text density is undecided.
CONTENT_HINTS = re.compile(r"UCAP-CONTENT|divFullText|TRS_Editor|zoom|pages_content|fulltext|article|content|main", re.I)
_SOFT_BREAK = re.compile(r"(?<=[。！？；：”’）」』】])\n(?=\s*(第[一二三四五六七八九十百千零〇\d]+[编章节条款部分]|"
                         r"[一二三四五六七八九十百]+、|（[一二三四五六七八九十百]+）|\d{1,3}[.．、](?!\d)))")
_ENTITY = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,9});?")
BR, CELL = "\x02", "\x01"  # hard line break and cell separator, kept apart from source whitespace


def _fix_entities(s: str) -> str:
    """Double-escaped (&amp;quot;) and broken (&sp;, noise: a space) entities left in page text."""
    for _ in range(3):
        s = _ENTITY.sub(lambda m: htmllib.unescape(m[0]) if htmllib.unescape(m[0]) != m[0] else
                        " " if m[0].endswith(";") else m[0], s)
    return s


def _metadata(soup) -> tuple[list[str], set[int]]:
    """label：value lines from short label/value rows, and the ids of the strings they used."""
    found, used = {}, set()
    _strings = lambda el: [x for x in el.find_all(string=True) if not isinstance(x, PreformattedString)]  # noqa: E731
    for s in _strings(soup):
        m = _LABEL.match(s)
        if not m or id(s) in used:
            continue
        cell = s.find_parent(["td", "th"])  # in a table the value is in the same row
        row = cell.find_parent("tr") if cell else next(
            (a for a in s.parents if len(a.get_text(strip=True)) > len(s.strip())), None)
        if row is None or len(row.get_text(strip=True)) > 300:
            continue  # a label-like start of a body paragraph, not a field row
        strs = _strings(row)
        rest = strs[next(i for i, x in enumerate(strs) if x is s) + 1:]
        parts = [s, *itertools.takewhile(lambda t: not (_LABEL.match(t) or _OTHER_LABEL.match(t)), rest)]
        used |= {id(t) for t in parts}
        value = re.split(_OTHER_LABEL, _fix_entities(" ".join([m[2], *parts[1:]])).strip())[0]
        label = re.sub(r"\s", "", m[1])
        if value and label not in found and len(value) <= 200:
            found[label] = re.sub(r"\s+", " ", value).strip()
    return [f"{k}：{v}" for k, v in found.items()], used


def _weights(root, skip: set[int]) -> dict[int, tuple[int, int]]:
    """id(tag) → (CJK characters inside, of which in links); reversed order: children first."""
    w: dict[int, tuple[int, int]] = {}
    for el in [*reversed(root.find_all(True)), root]:
        total = linked = 0
        for node in el.children:
            if node.name:
                total, linked = total + w[id(node)][0], linked + w[id(node)][1]
            elif not isinstance(node, PreformattedString) and id(node) not in skip:
                total += len(CJK_RE.findall(node))
        w[id(el)] = (total, total if el.name == "a" else linked)
    return w


def _is_chrome(el, w) -> bool:
    """Hidden blocks, blocks named as furniture, link lists, related-link and copyright blocks."""
    style = (el.get("style") or "").replace(" ", "").lower()
    names = re.sub(r"[_\-]|(?<=[a-z])(?=[A-Z])", " ", f"{el.get('id')} {' '.join(el.get('class') or [])}")
    total, linked = w.get(id(el), (0, 0))
    if re.search("display:none|visibility:hidden|mso-hide:all", style) or _CHROME_NAME.search(names):
        return True
    if el.name in ("ul", "ol", "dl", "div", "section", "table") and total and linked >= 0.6 * total \
            and len(el.find_all("a", limit=3)) >= 3 and "附件" not in el.get_text():
        return True  # a list of links (an attachment list is content)
    if _CHROME_TEXT.match("".join(next(el.stripped_strings, "").split())):
        return linked * 3 >= total or total <= 30 or el.find("a") is not None
    return total <= 150 and el.name not in ("td", "th", "p") and bool(_COPYRIGHT.search(el.get_text()))


def _render(el, skip: set[int], out: list[str] | None = None) -> list[str]:
    out = [] if out is None else out
    for node in el.children:
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString) and id(node) not in skip:
                out.append(str(node).replace("\n", BR) if el.name == "pre" else str(node))
        elif not (node.name == "table" and _html_table(node, skip, out)):
            block = BR if node.name in _BLOCK else ""  # inline elements (a, span, font, b) join the line
            out.append(block)
            _render(node, skip, out)
            out.append(block)
    return out


def _unstacked(row: list[tuple[str, int, int]]) -> list[list[tuple[str, int, int]]]:
    """A row whose cells stack several rows line under line (学前教育 / 幼儿在园人数 / 学前一年毛入园率
    beside 万人 / % and 2658 / 74.0): every cell after the first holds the same number of lines,
    k ≥ 2, and the first k, or k + 1 with a group label on top. It becomes k rows, each first cell
    under its label; any other row stays as it is."""
    lines = [[x.strip() for x in re.split(r"[\n\x02]", t) if x.strip()] for t, _, _ in row]
    k = len(lines[1]) if len(row) > 1 else 0
    if k < 2 or any(len(x) != k for x in lines[2:]) or len(lines[0]) not in (k, k + 1):
        return [row]
    label = lines[0][0] if len(lines[0]) == k + 1 else ""
    first = lines[0][len(lines[0]) - k:]
    return [[(f"{label} {first[i]}".strip(), 1, 1), *((x[i], 1, 1) for x in lines[1:])] for i in range(k)]


def _html_table(table, skip: set[int], out: list[str]) -> bool:
    """A data table → one line per row, spans expanded; False for a layout table."""
    if table.find("table") is not None:
        return False  # tables inside a table: page layout, its cells are rendered as blocks
    rows = table.find_all("tr")
    span = lambda v, limit: min(int(v), limit) or limit if str(v).strip().isdigit() else 1  # noqa: E731 (0: to the end)
    cells = [[(_fix_entities("".join(_render(td, skip))), span(td.get("rowspan"), len(rows) - r), span(td.get("colspan"), 60))
              for td in tr.find_all(["td", "th"], recursive=False)] for r, tr in enumerate(rows)]
    if all(rs == cs == 1 for row in cells for _, rs, cs in row):  # a split row would shift a span
        cells = [part for row in cells for part in _unstacked(row)]
    grid = _grid([[(re.sub(r"[\s\x01\x02]+", " ", t).strip(), rs, cs) for t, rs, cs in row] for row in cells])
    if not grid or len(grid[0]) < 2:
        return False
    out.append(BR + " ".join(c.get_text(" ", strip=True) for c in table.find_all("caption")) + BR)
    out.extend(BR + CELL.join(r) + BR for r in grid if any(r))
    return True


def _lines(out: list[str]) -> list[str]:
    text = _fix_entities("".join(out)).replace("\r", "\n").replace("\x00", "")
    # A newline in the page source is a space, except after a finished sentence and before a
    # numbered heading: 北大法宝 separates its （一） items that way.
    text = _SOFT_BREAK.sub(BR, re.sub(r"[ \t\f\v]*\n[ \t\n\f\v]*", "\n", text)).replace("\n", " ")
    lines = re.sub(r"[ \t\f\v]+", " ", text).split(BR)
    return [x.replace(CELL, "\t") if CELL in x else x.strip() for x in lines if x.strip()]


def html_to_text(html: str, source: str) -> str:
    soup = BeautifulSoup(html, "lxml")
    # The page heading, found before chrome removal (it often sits in a <header>); a site logo
    # is a link, the article title is not.
    cjk = lambda el: len(CJK_RE.findall(el.get_text()))  # noqa: E731
    title = next((h for h in soup.find_all(["h1", "h2"]) if cjk(h) >= 6 and 2 * sum(map(cjk, h("a"))) < cjk(h)), None)
    title_text = re.sub(r"\s+", " ", title.get_text()).strip() if title else ""
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    meta, used = _metadata(soup)
    root = soup.body or soup
    w = _weights(root, used)
    for el in root.find_all(True):  # never drop a block holding a quarter of the page's text
        if not el.decomposed and w.get(id(el), (0, 0))[0] <= 0.25 * w[id(root)][0] and _is_chrome(el, w):
            el.decompose()
    # The body: go down while one child holds nearly all of the non-link CJK text.
    w = _weights(root, used)
    own = lambda el: w[id(el)][0] - w[id(el)][1]  # noqa: E731
    main = root
    while own(main) > 0 and main.find(True, recursive=False) is not None:
        best = max(main.find_all(True, recursive=False), key=own)
        share = own(best) / own(main)
        if share < 0.85 and not (share >= 0.6 and CONTENT_HINTS.search(f"{best.get('id')} {best.get('class')}")):
            break
        main = best
    body = _lines(_render(main, used))
    key = lambda s: re.sub(r"[^\u4e00-\u9fff0-9A-Za-z]", "", s)  # noqa: E731
    if title_text and not any(p is main for p in title.parents) and key(title_text) not in key("".join(body[:5])):
        body.insert(0, title_text)  # the page's heading sits outside the body block
    return "\n".join(meta + body)
