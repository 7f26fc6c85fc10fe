"""Metadata from a document's own text, for any issuer, and documents inside documents."""
from __future__ import annotations

import pytest

from evals.structure_counts import DEFAULT_DOCS
from ingest.meta import kind_of, normalize_doc_number
from ingest.pipeline import parse_file

HUBEI = DEFAULT_DOCS / "2016_鄂政办发〔2016〕32号_湖北省全面加强和改进学校美育工作实施意见.txt"


def test_doc_numbers_in_any_bracket_and_orders():
    assert normalize_doc_number("南政办[2017]215号") == "南政办〔2017〕215号"
    assert normalize_doc_number("（教基一[2010]1号）") == "教基一〔2010〕1号"
    assert normalize_doc_number("2021年4月7日中华人民共和国国务院令第741号修订") == "国务院令第741号"


def test_kind_from_the_title():
    assert kind_of("中华人民共和国教育法") == "law"
    assert kind_of("上海市职业教育条例") == "law"
    assert kind_of("教育部办公厅关于开展体育美育浸润行动计划的通知") == "notice"
    assert kind_of("国家职业教育改革实施方案") == "plan"


@pytest.mark.skipif(not HUBEI.exists(), reason="../shared/real-docs is not on this machine")
def test_a_forwarding_chain_keeps_every_document_and_who_forwarded_it(tmp_path):
    """A county bureau forwards a city notice that forwards a province's opinion (the
    opinion is a real document; the two covers are written in the form such covers take)."""
    body = HUBEI.read_text(encoding="utf-8").splitlines()
    start = next(i for i, x in enumerate(body) if x.strip().startswith("各市、州"))
    inner = "\n".join(["湖北省人民政府办公厅关于全面加强和改进学校美育工作的实施意见", "鄂政办发〔2016〕32号"] + body[start:])
    text = "\n".join([
        "某县教育局转发市教育局关于转发省政府办公厅学校美育实施意见的通知",
        "县教发〔2016〕3号",
        "各中小学：",
        "现将市教育局《关于转发省政府办公厅学校美育实施意见的通知》（市教发〔2016〕9号）转发给你们，请认真贯彻执行。",
        "某县教育局",
        "2016年7月1日",
        "关于转发省政府办公厅学校美育实施意见的通知",
        "市教发〔2016〕9号",
        "各县（市、区）教育局：",
        "现将《湖北省人民政府办公厅关于全面加强和改进学校美育工作的实施意见》（鄂政办发〔2016〕32号）转发给你们，请结合实际认真贯彻落实。",
        "市教育局",
        "2016年6月20日",
        inner,
    ])
    f = tmp_path / "转发.txt"
    f.write_text(text, encoding="utf-8")
    docs = parse_file(f).documents
    assert [d.doc_number for d in docs] == ["县教发〔2016〕3号", "市教发〔2016〕9号", "鄂政办发〔2016〕32号"]
    assert docs[0].forwards == "市教发〔2016〕9号" and docs[1].forwarded_by == "县教发〔2016〕3号"
    assert docs[1].forwards == "鄂政办发〔2016〕32号" and docs[2].forwarded_by == "市教发〔2016〕9号"
    assert docs[2].level == "province" and docs[2].issuer == "湖北省人民政府办公厅"
