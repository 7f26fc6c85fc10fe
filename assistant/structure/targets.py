"""Quantified targets and deadlines: 到2022年底…, 2025年底达到90%以上, 每年不低于12000元,
200个品牌专业 — each with its clause, responsible units and document."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..compose.extractive import split_sentences
from ..store import Snapshot
from ..types import Clause, Document

# A deadline: 到2022年 / 到2022年底 / 2025年底 / 2022年4月底前 / 2020年起.
DEADLINE = re.compile(r"(?:到|至|在)?\s*(20\d\d)年(?:(\d{1,2})月)?(底|末|前|起|以前)?(?:前)?")
# A quantified aim: a count with its measure word, a percentage, an amount, 不低于/达到….
QUANTITY = re.compile(r"\d+(?:[.\-—～~]\d+)?(?:%|％|个|所|门|项|家|名|人|元|万元|亿元|倍|批|支|套|所左右|个左右|个以上|门以上)")
AIM = re.compile(r"建设|建成|打造|遴选|培育|认定|新增|达到|达标|不低于|减少|力争|争取|推动|评定|召开|完成|实现|提升|扩大|招聘|成为")
# Without a deadline, a count is a target only when an aim verb governs it (遴选建设60所,
# 新增50个), not when it merely describes (从4个方面推动).
COUNT_AIM = re.compile(r"(建设|建成|打造|遴选|培育|认定|新增|减少|推动|达到|不低于|每年达到)[^，。；：]{0,8}?\d")
PAST = re.compile(r"已经|已|截至|截止|共认定|共有|比上年|较上年|同比|累计")


@dataclass(frozen=True)
class Target:
    doc: Document
    clause: Clause
    sentence: str
    year: int | None
    deadline: str | None  # the words of the deadline as written, e.g. 到2022年底
    figures: tuple[str, ...]

    def to_json(self) -> dict:
        return {
            "doc_title": self.doc.title, "doc_number": self.doc.doc_number, "level": self.doc.level,
            "clause_path": list(self.clause.clause_path), "responsible_units": list(self.clause.responsible_units),
            "year": self.year, "deadline": self.deadline, "figures": list(self.figures), "text": self.sentence,
            "source": self.doc.source, "page": self.clause.page,
        }


def _parts(sentence: str) -> list[str]:
    """Targets are often several to a sentence; split at ；and at a new 到YYYY."""
    return [p for p in re.split(r"(?<=；)|(?=，(?:到|至)?20\d\d年)", sentence) if p.strip()]


def extract_targets(snap: Snapshot) -> list[Target]:
    """Every target of the snapshot's clauses (each clause read again from the records)."""
    return [_target(snap, f) for f in _found(snap)]


def _target(snap: Snapshot, found: tuple) -> Target:
    row, *rest = found
    c = snap.clause_at(row)
    return Target(snap.documents[c.doc_id], c, *rest)


def _found(snap: Snapshot) -> list[tuple]:
    """(clause row, sentence, year, deadline, figures) of every target, found once per snapshot:
    rows, not clauses, so a province's targets do not hold their clauses in memory."""
    return snap.derived("targets", _extract)


def _extract(snap: Snapshot) -> list[tuple]:
    out: list[tuple] = []
    for row in snap.rows_by_document():
        c = snap.clause_at(row, cached=False)
        doc = snap.documents[c.doc_id]
        plan = doc.kind in ("plan", "notice", "news")
        if c.kind == "table":
            continue
        for sent in split_sentences(c.text):
            for part in _parts(sent):
                dl = DEADLINE.search(part)
                figures = tuple(QUANTITY.findall(part))
                if not AIM.search(part) or (PAST.search(part) and not (dl and part.lstrip("，").startswith(("到", "力争")))):
                    continue
                forward = dl and (dl.group(0).startswith(("到", "至", "在")) or dl.group(3) in ("底", "末", "前"))
                rate = "每年不低于" in part or "每年达到" in part
                if forward and (figures or AIM.search(part)):
                    out.append((row, part.strip("，；"), int(dl.group(1)), dl.group(0).strip(), figures))
                elif plan and figures and not dl and COUNT_AIM.search(part):
                    out.append((row, part.strip("，；"), None, "每年" if rate else None, figures))
    return out


def targets_due(snap: Snapshot, year: int) -> list[Target]:
    def by_year(snap: Snapshot) -> dict[int | None, list[tuple]]:
        out: dict[int | None, list[tuple]] = {}
        for f in _found(snap):
            out.setdefault(f[2], []).append(f)
        return out

    return [_target(snap, f) for f in snap.derived("targets_by_year", by_year).get(year, [])]
