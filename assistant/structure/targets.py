"""Quantified targets and deadlines: 到2022年底…, 2025年底达到90%以上, 每年不低于12000元,
200个品牌专业 — each with its clause, responsible units and document."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import orjson

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
    row: int  # its clause's row in the records: the clause is read when shown
    sentence: str
    year: int | None
    deadline: str | None  # the words of the deadline as written, e.g. 到2022年底
    figures: tuple[str, ...]
    snap: Snapshot = field(repr=False, compare=False, default=None)

    @property
    def clause(self) -> Clause:
        return self.snap.clause_at(self.row)

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
    ix = snap.index
    return Target(snap.documents[ix.doc_ids[ix.clause_doc[found[0]]]], *found, snap=snap)


TARGETS_FILE = "targets.json"  # found when a snapshot is written


def save_targets(folder: Path, documents, clauses, index, previous: Path | None = None, kept=lambda c: False,
                 given: dict[str, list] | None = None) -> None:
    """Find every target once, when the snapshot is written (a reader would parse every clause:
    2 s at 100× the bundled corpus). A clause the previous snapshot held unchanged (`kept`)
    keeps the targets found in it then, so an ingest scans only the changed documents; a clause
    whose targets are `given` (by clause id: found by the writer a replica copies) is not scanned."""
    given = given or {}
    docs = {d.doc_id: d for d in documents}
    before = targets_by_clause(previous) if previous is not None else None
    if before is None:
        kept = lambda c: False  # noqa: E731 - nothing to keep from
    out = []
    for r in index.rows_by_document():
        c = clauses[r]
        if c.clause_id in given:
            found = given[c.clause_id]
        elif kept(c):
            found = before.get(c.clause_id, [])
        else:
            found = [rest for _, *rest in _scan(docs, [(r, c)])]
        out += [[r, c.clause_id, *rest] for rest in found]
    (folder / TARGETS_FILE).write_bytes(orjson.dumps(out))


def targets_by_clause(folder: Path) -> dict[str, list] | None:
    """A snapshot's saved targets by clause id, each as (sentence, year, deadline, figures); None
    for a snapshot written before they were saved."""
    f = folder / TARGETS_FILE
    if not f.exists():
        return None
    out: dict[str, list] = {}
    for entry in orjson.loads(f.read_bytes()):
        out.setdefault(entry[1], []).append(entry[2:])
    return out


def _found(snap: Snapshot) -> list[tuple]:
    """(clause row, sentence, year, deadline, figures) of every target: read from the snapshot
    for each question that lists them (~1 MB at 100× the bundled corpus, not held between
    questions), or found once from the records of a snapshot written before they were saved."""
    f = snap.path / TARGETS_FILE
    if f.exists():
        return [(row, sentence, year, deadline, tuple(figures))
                for row, _, sentence, year, deadline, figures in orjson.loads(f.read_bytes())]
    return snap.derived("targets", lambda s: _scan(s.documents, ((r, s.clause_at(r, cached=False)) for r in s.rows_by_document())))


def _scan(documents: dict[str, Document], clauses) -> list[tuple]:
    """The targets in (row, clause) pairs, by document and in text order."""
    out: list[tuple] = []
    for row, c in clauses:
        doc = documents[c.doc_id]
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
    return [_target(snap, f) for f in _found(snap) if f[2] == year]
