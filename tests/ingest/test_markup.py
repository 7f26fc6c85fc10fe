"""Word and saved-web-page text: real .docx files with real Word automatic numbering, the real
北大法宝 and gov.cn pages of the real-docs set, and a gov.cn-like page around a real article."""
from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.load import load_file
from ingest.markup import chinese_number, docx_to_text, html_to_text
from ingest.pipeline import parse_file
from tests.docx_fixtures import (CN, EDU_LAW, HEADER_TEXT, HUBEI, REAL, TIBET, edu_law_docx, formats_docx,
                                 hubei_docx, tibet_docx)

PKULAW = REAL / "2010_无文号_国家中长期教育改革和发展规划纲要2010-2020.html"
GOV_ARTICLE = REAL / "2019_国发〔2019〕4号_国务院关于印发国家职业教育改革实施方案的通知.txt"
NANPING = REAL / "2017_南政办〔2017〕215号_南平市全面加强和改进学校美育工作实施意见.txt"
TOP = re.compile(f"^[{CN}]+、")
ITEM = re.compile(f"^（[{CN}]+）")
CHAPTER = re.compile(f"^第[{CN}]+章")
ARTICLE = re.compile(f"^第([{CN}]+)条")
MARKUP_LEFT = re.compile(r"<[A-Za-z/!][^>]*>|&[#A-Za-z0-9]+;")

pytestmark = pytest.mark.skipif(not REAL.exists(), reason="../shared/real-docs is not on this machine")


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("docx")
    return {"hubei": hubei_docx(d / "鄂政办发2016-32号.docx"), "law": edu_law_docx(d / "教育法.docx"),
            "tibet": tibet_docx(d / "国办发1996-32号.docx")}


def _docx_lines(path: Path) -> list[str]:
    return docx_to_text(path.read_bytes(), path.name).split("\n")


def _source_lines(path: Path) -> list[str]:
    """The source's lines as the fixtures wrote them (Markdown # marks and comments dropped)."""
    lines = (re.sub(r"^#+\s*", "", x.strip(" \u3000\t")) for x in path.read_text(encoding="utf-8").splitlines())
    return [x for x in lines if x and not x.startswith("<!--")]


def _html(path: Path) -> list[str]:
    return load_file(path, 50).pages[0].split("\n")


# ------------------------------------------------------------------------------- .docx
def test_numbering_labels_come_back_in_order(docs):
    lines = _docx_lines(docs["hubei"])
    assert lines == _source_lines(HUBEI)  # every label where the source typed it, nothing else changed
    assert [x[:2] for x in lines if TOP.match(x)] == ["一、", "二、", "三、", "四、", "五、"]
    items = [ITEM.match(x)[0] for x in lines if ITEM.match(x)]
    assert items == [f"（{chinese_number(i)}）" for i in range(1, 22)]  # straight through: w:lvlRestart 0
    assert "（四）科学定位美育课程目标。" in "\n".join(lines)


def test_style_numbering_and_law_articles(docs):
    lines = _docx_lines(docs["law"])
    assert lines == _source_lines(EDU_LAW)
    chapters = [x for x in lines if CHAPTER.match(x)]  # numbered by the Heading 1 style's list
    assert len(chapters) == 10 and chapters[0] == "第一章 总则" and chapters[-1] == "第十章 附则"
    articles = [ARTICLE.match(x)[1] for x in lines if ARTICLE.match(x)]
    assert articles == [chinese_number(i) for i in range(1, 87)]
    assert "第十七条 国家实行学前教育、初等教育、中等教育、高等教育的学校教育制度。" in lines
    assert sum(bool(ITEM.match(x)) for x in lines) == 38


def test_numbering_formats_restarts_and_continuation(tmp_path):
    path, expected = formats_docx(tmp_path / "formats.docx")
    lines = _docx_lines(path)
    texts = [re.sub(f"^第[{CN}]+条\\s*", "", x) for x in _source_lines(EDU_LAW) if ARTICLE.match(x)]
    assert len(lines) == len(expected)
    assert [line[: len(line) - len(text)] for line, text in zip(lines, texts)] == expected


def test_table_rows_and_no_header_or_footer(docs):
    lines = _docx_lines(docs["tibet"])
    rows = [x.split("\t") for x in lines if "\t" in x]
    assert len(rows) == 22 and all(len(r) == 6 for r in rows)
    assert rows[0] == ["省（市）", "1995年招生人数", "扩招", "分年度招生任务", "", ""]  # merged cells stay empty
    assert rows[1] == ["", "", "", "1996年", "1997年", "1998年"]
    assert rows[2] == ["总计", "1445", "555", "1600", "1800", "2000"] and rows[-1][0] == "安徽"
    assert sum(bool(TOP.match(x)) for x in lines) == 3 and sum(bool(ITEM.match(x)) for x in lines) == 9
    for path in docs.values():
        text = "\n".join(_docx_lines(path))
        assert HEADER_TEXT not in text and "页 共" not in text


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_bad_docx_is_refused_with_a_reason(docs, tmp_path):
    good = docs["hubei"].read_bytes()
    damaged = bytearray(good)
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        info = z.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged[start + 100 : start + 120] = bytes(20)  # inside document.xml's compressed data
    cases = {
        "text.docx": (HUBEI.read_bytes(), "not a zip archive"),
        "half.docx": (good[: len(good) // 2], "not a zip archive"),
        "empty-zip.docx": (_zip({"hello.txt": b"hi"}), "no word/document.xml"),
        "damaged.docx": (bytes(damaged), "corrupt .docx"),
        "no-types.docx": (_zip({"word/document.xml": b"<w:document/>"}), "corrupt .docx"),
        # An encrypted .docx is an OLE file holding an EncryptedPackage stream (header bytes only).
        "locked.docx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "encrypted"),
    }
    for name, (data, reason) in cases.items():
        f = tmp_path / name
        f.write_bytes(data)
        with pytest.raises(IngestError) as e:
            parse_file(f)
        msg = str(e.value)
        assert msg.startswith(f"{name}:") and reason in msg and "\n" not in msg, msg
        assert re.search(r"[\u4e00-\u9fff]", msg)  # the Chinese explanation comes first


def test_docx_parses_like_its_source_text(docs):
    for key, source in (("hubei", HUBEI), ("law", EDU_LAW)):
        from_docx, from_text = parse_file(docs[key]), parse_file(source)
        assert len(from_docx.clauses) == len(from_text.clauses), key
        assert [c.clause_path for c in from_docx.clauses] == [c.clause_path for c in from_text.clauses]


# ------------------------------------------------------------------------------- .html
def test_pkulaw_page_keeps_fields_body_and_tables_and_drops_link_lists():
    lines = _html(PKULAW)
    assert lines[:6] == ["制定机关：国家中长期教育改革和发展规划纲要工作小组办公室", "公布日期：2010", "施行日期：2010",
                         "时效性：现行有效", "效力位阶：部门工作文件", "法规类别：教育改革 营商环境优化"]
    text = "\n".join(lines)
    # The 目录 repeats every heading, so whole-page counts are doubled; the body alone is exact.
    assert sum(bool(CHAPTER.match(x)) for x in lines) == 44 and sum(bool(ITEM.match(x)) for x in lines) == 140
    body = lines[lines.index("序 言"):]
    assert [x.split("\u3000")[0] for x in body if CHAPTER.match(x)] == [f"第{chinese_number(i)}章" for i in range(1, 23)]
    assert [ITEM.match(x)[0] for x in body if ITEM.match(x)] == [f"（{chinese_number(i)}）" for i in range(1, 71)]
    assert sum(x.startswith("第") and "部分" in x[:5] for x in body) == 4 and "实 施" in body
    assert "（六十一）构建国家教育管理信息系统。" in text  # the 法宝联想 box before it is gone
    assert lines.count("指标\t单位\t2009年\t2015年\t2020年") == 2
    assert "具有高等教育文化程度的人数\t万人\t9830\t14500\t19500" in lines
    for chrome in ("本篇引用的法规", "引用本篇的法规", "法宝联想", "华某公司与尚某公司", "法宝引证码", "中华人民共和国教师法(2009修正)"):
        assert chrome not in text
    assert not MARKUP_LEFT.search(text)


def test_govcn_fragment_with_word_table():
    lines = _html(TIBET)
    assert lines[:7] == ["索引号：000014349/1996-00072", "主题分类：科技、教育\\教育", "发文机关：国务院办公厅",
                         "成文日期：1996年07月17日", "标题：国务院办公厅转发国家教委关于内地西藏班（校）扩大规模有关问题请示的通知",
                         "发文字号：国办发〔1996〕32号", "发布日期：2018年12月02日"]
    assert lines[7:10] == ["国务院办公厅转发国家教委", "关于内地西藏班（校）扩大规模", "有关问题请示的通知"]
    rows = [x.split("\t") for x in lines if "\t" in x]
    assert len(rows) == 22 and all(len(r) == 6 for r in rows)
    assert rows[0] == ["省（市）", "1995年招生人数", "扩招", "分年度招生任务", "", ""]
    assert rows[1] == ["", "", "", "1996年", "1997年", "1998年"]
    assert rows[2] == ["总计", "1445", "555", "1600", "1800", "2000"]
    assert sum(bool(TOP.match(x)) for x in lines) == 3 and sum(bool(ITEM.match(x)) for x in lines) == 9
    text = "\n".join(lines)
    assert "国务院办公厅" in lines and "扫一扫" not in text and "&sp;" not in text and not MARKUP_LEFT.search(text)


def _govcn_like_page(article: list[str], fields: list[list[tuple[str, str]]], title: str) -> str:
    """gov.cn-style chrome (invented) around a real article and its real info-table fields."""
    info = "".join("<tr>" + "".join(f"<td><b>{k}：</b></td><td colspan={4 - 2 * len(row) + 1}>{v}</td>" for k, v in row)
                   + "</tr>" for row in fields)
    body = "\n".join(
        f'<p style="text-indent: 2em;"><strong>{x[:2]}<a href="/x">{x[2:]}</a></strong></p>' if TOP.match(x)
        else f"<p>&nbsp;&nbsp;{html.escape(x)}</p>" for x in article)
    return f"""<!DOCTYPE html><html><head><title>{title}_政府信息公开</title><style>.a{{color:red}}</style>
<script>var note = "一、脚本里的文字";</script></head><body>
<div class="header"><h1 class="logo"><a href="/">中华人民共和国中央人民政府</a></h1>
<div class="search"><form><input name="q"><button>搜索</button></form></div></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/a">简政</a></li><li><a href="/b">政策</a></li>
<li><a href="/c">互动</a></li><li><a href="/d">服务</a></li><li><a href="/e">数据</a></li></ul></div>
<div class="BreadcrumbNav">当前位置：<a href="/">首页</a> &gt; <a href="/b">政策</a> &gt; <a href="/f">国务院文件</a></div>
<div class="wrap"><table class="bd1">{info}</table>
<div class="article oneColumn"><h1>{html.escape(title)}</h1>
<div class="pages-date">2019-02-13 17:05 来源：中国政府网 <span class="font">【字体：<a>大</a> <a>中</a> <a>小</a>】</span></div>
<div class="pages_content" id="UCAP-CONTENT">{body}</div>
<div class="share">分享到：<a href="#">微博</a> <a href="#">微信</a> <a href="#">QQ空间</a></div>
<div class="pages_print"><a href="#">【打印】</a> <a href="#">【关闭窗口】</a></div></div>
<div class="mhide"><h3>相关链接</h3><ul><li><a href="/r1">国务院关于加快发展现代职业教育的决定</a></li>
<li><a href="/r2">教育部有关负责人就职业教育改革答记者问</a></li><li><a href="/r3">图解：国家职业教育改革实施方案</a></li></ul></div>
</div><div id="qr">扫一扫在手机打开当前页</div>
<div class="footer"><p>主办单位：国务院办公厅　运行维护单位：中国政府网运行中心</p>
<p>版权所有：中国政府网 京ICP备05070218号 京公网安备11010202000001号</p></div>
<noscript>您的浏览器不支持脚本</noscript></body></html>"""


def test_synthetic_govcn_page_drops_the_chrome():
    raw = GOV_ARTICLE.read_text(encoding="utf-8").splitlines()
    fields = [re.findall(r"([^：]+?)：(\S+)\s*", line) for line in raw[:4]]  # 「索 引 号：… 主题分类：…」
    title, article = raw[4] + raw[5], [x.strip() for x in raw[6:] if x.strip()]  # the page shows the title in <h1>
    lines = html_to_text(_govcn_like_page(article, fields, title), "page.html").split("\n")
    assert lines[:7] == ["索引号：000014349/2019-00005", "主题分类：科技、教育\\教育", "发文机关：国务院",
                         "成文日期：2019年01月24日", f"标题：{title}", "发文字号：国发〔2019〕4号", "发布日期：2019年02月13日"]
    assert lines[7] == title and lines[8:] == article  # headings with an inline link stay one line
    text = "\n".join(lines)  # the equalities above already leave no room for chrome; name some anyway
    for chrome in ("中华人民共和国中央人民政府", "当前位置", "字体：", "分享到", "关闭窗口", "相关链接", "答记者问",
                   "扫一扫", "运行维护单位", "版权所有", "京ICP备", "脚本里的文字", "浏览器不支持", "17:05"):
        assert chrome not in text, chrome


def test_double_escaped_entities_in_real_text():
    source = [x.strip() for x in NANPING.read_text(encoding="utf-8").splitlines() if x.strip()]
    page = '<div class="wrap">' + "".join(f"<p>{html.escape(x)}</p>" for x in source) + "</div>"
    lines = html_to_text(page, "nanping.html").split("\n")
    assert lines == [x.replace("&quot;", '"') for x in source]  # the literal &quot; of the source is decoded


def test_a_table_row_stacking_several_rows_in_its_cells_is_split_into_them():
    """The 纲要's 专栏1 writes 学前教育 / 幼儿在园人数 / 学前一年毛入园率 … line under line in one
    cell, beside 万人 / % / % … and the figures: each indicator is a row of its own, under its group."""
    text = html_to_text(PKULAW.read_text(encoding="utf-8", errors="replace"), PKULAW.name)
    rows = text.splitlines()
    assert "学前教育 学前三年毛入园率\t%\t50.9\t60.0\t70.0" in rows
    assert "职业教育 中等职业教育在校生\t万人\t2179\t2250\t2350" in rows
    assert "具有高等教育文化程度的人数\t万人\t9830\t14500\t19500" in rows  # a row of one line each stays whole
