"""Province ↔ city alignment: each city clause with the provincial clause it implements,
and the differences that matter (figures and targets, deadlines, responsible units)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..embed import unit_length
from ..store import Snapshot
from ..types import Clause, Document
from ..zh import bigrams

QTY = re.compile(r"\d+(?:\.\d+)?(?:[-—～~]\d+)?(?:%|％|个|所|门|项|家|名|元|万元|倍)(?:以上|左右|以下)?")
DEADLINE = re.compile(r"(?:到|至)?20\d\d年(?:\d{1,2}月)?(?:底|末)?(?:前)?")
_LABEL_NUM = re.compile(r"^(?:[（(][一二三四五六七八九十]+[）)]|\d+[.、]|[一二三四五六七八九十]+、)")
MIN_SCORE = 0.5  # below this a city clause has no provincial counterpart


@dataclass
class Side:
    doc: Document
    clause: Clause

    def to_json(self) -> dict:
        return {
            "doc_number": self.doc.doc_number, "doc_title": self.doc.title, "clause_path": list(self.clause.clause_path),
            "responsible_units": list(self.clause.responsible_units), "text": self.clause.text,
        }


@dataclass
class Pair:
    city: Side | None
    province: Side | None
    score: float
    differences: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "city": self.city.to_json() if self.city else None,
            "province": self.province.to_json() if self.province else None,
            "score": round(float(self.score), 3),
            "differences": self.differences,
        }


def _dice(a: str, b: str) -> float:
    x, y = bigrams(a), bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def heading(c: Clause) -> str:
    return _LABEL_NUM.sub("", c.clause_path[-1]) if c.clause_path else ""


def unit_role(u: str) -> str:
    """省教育厅 / 市教育局 → 教育: the same office at the two levels."""
    if "人民政府" in u:
        return "人民政府"  # 市县人民政府 ↔ 各县［市、区］人民政府: local government either way
    return re.sub(r"^(省|市|县|各县［市、区］)|(厅|局|委|办|部|会)$", "", u)


def differences(city: Clause, prov: Clause) -> list[str]:
    out = []
    qc, qp = QTY.findall(city.text), QTY.findall(prov.text)
    if qc != qp and (qc or qp):
        out.append(f"数字与目标：省 {'、'.join(qp) or '未规定具体数字'} ｜ 市 {'、'.join(qc) or '未规定具体数字'}")
    dc, dp = DEADLINE.findall(city.text), DEADLINE.findall(prov.text)
    if dc != dp and (dc or dp):
        out.append(f"期限：省 {'、'.join(dp) or '未规定'} ｜ 市 {'、'.join(dc) or '未规定'}")
    if city.responsible_units or prov.responsible_units:
        out.append(f"责任单位：省 {'、'.join(prov.responsible_units) or '—'} ｜ 市 {'、'.join(city.responsible_units) or '—'}")
        only_city = sorted({unit_role(u) for u in city.responsible_units} - {unit_role(u) for u in prov.responsible_units})
        if only_city:
            out.append(f"市里增加的责任部门：{'、'.join(only_city)}")
    return out


def _clause_vectors(snap: Snapshot, dense, clauses: list[Clause]) -> np.ndarray:
    """Mean of each clause's chunk vectors, read from the index (no re-embedding)."""
    owner = [(c.clause_id, i) for c in clauses for i in snap.chunk_rows(c.clause_id)]
    got = dense.vectors_of([i for _, i in owner])
    by_clause: dict[str, list] = {}
    for (cid, _), emb in zip(owner, got):
        by_clause.setdefault(cid, []).append(np.asarray(emb, dtype=np.float32))
    vecs = []
    for c in clauses:
        vecs.append(unit_length(np.mean(by_clause[c.clause_id], axis=0)))
    return np.stack(vecs)


def actionable(snap: Snapshot, doc_id: str) -> list[Clause]:
    return [c for c in snap.clauses_of(doc_id, "clause") if c.responsible_units]


def align(snap: Snapshot, dense, city_doc: str, prov_doc: str) -> list[Pair]:
    city, prov = actionable(snap, city_doc), actionable(snap, prov_doc)
    if not city or not prov:
        return []
    cv, pv = _clause_vectors(snap, dense, city), _clause_vectors(snap, dense, prov)
    cos = cv @ pv.T
    # e5 cosines crowd into 0.8–0.95: rescale per city clause so the spread decides.
    lo, hi = cos.min(axis=1, keepdims=True), cos.max(axis=1, keepdims=True)
    dense = (cos - lo) / np.maximum(hi - lo, 1e-6)
    pairs, used = [], set()
    cd, pd = snap.documents[city_doc], snap.documents[prov_doc]
    for i, c in enumerate(city):
        scores = [0.4 * float(dense[i, j]) + 0.35 * _dice(heading(c), heading(p)) + 0.25 * _dice(c.text, p.text) for j, p in enumerate(prov)]
        j = int(np.argmax(scores))
        if scores[j] >= MIN_SCORE:
            used.add(j)
            pairs.append(Pair(Side(cd, c), Side(pd, prov[j]), scores[j], differences(c, prov[j])))
        else:
            pairs.append(Pair(Side(cd, c), None, scores[j], ["市里新增：省行动计划中没有对应条款"]))
    for j, p in enumerate(prov):
        if j not in used:
            pairs.append(Pair(None, Side(pd, p), 0.0, ["市里未单列：市级计划中没有对应条款"]))
    return pairs


def default_docs(snap: Snapshot) -> tuple[str, str] | None:
    """The city plan and the provincial plan it implements (it cites the provincial 文号)."""
    for c in snap.documents.values():
        if c.level != "city" or c.kind not in ("plan", "notice"):
            continue
        text = " ".join(x.text for x in snap.clauses_of(c.doc_id, "preamble"))
        for p in snap.documents.values():
            if p.level == "province" and p.doc_number and p.doc_number in text:
                return c.doc_id, p.doc_id
    return None
