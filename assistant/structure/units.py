"""The responsible-unit index: every clause a unit is named in, the lead being the first."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..records import Groups
from ..retrieve.query import normalize_unit
from ..store import Snapshot
from ..types import Clause, Document


@dataclass(frozen=True)
class Task:
    """One clause naming a unit. Its clause is read when shown: a unit named in thousands of a
    province's clauses is listed by count, and only the first are shown in the chat."""

    doc: Document
    row: int  # the clause's row in the records
    lead: bool
    snap: Snapshot = field(repr=False, compare=False)

    @property
    def clause(self) -> Clause:
        return self.snap.clause_at(self.row)

    @property
    def summary(self) -> str:
        return self.clause.clause_path[-1] if self.clause.clause_path else self.clause.text[:30]


@dataclass(frozen=True)
class UnitIndex:
    """Unit (normalised) → the clauses naming it, as rows of the records: the clauses are read
    when a unit's tasks are asked for, not held for every unit."""

    group_of: dict[str, int]
    groups: Groups
    clause_rows: np.ndarray  # per (clause, unit) pair
    leads: np.ndarray
    text_rank: np.ndarray  # each clause's place in text order within its document

    def rows(self, unit: str) -> tuple[np.ndarray, np.ndarray]:
        g = self.group_of.get(unit)
        if g is None:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int8)
        pairs = self.groups.rows(g)
        return self.clause_rows[pairs], self.leads[pairs]


def unit_index(snap: Snapshot) -> UnitIndex:
    """Built once per snapshot from the records' unit columns (no clause read)."""
    return snap.derived("unit_index", _build_unit_index)


def _build_unit_index(snap: Snapshot) -> UnitIndex:
    ix = snap.index
    group_of: dict[str, int] = {}
    unit_group = np.array([group_of.setdefault(normalize_unit(u), len(group_of)) for u in ix.units], dtype=np.int32)
    ptr = np.asarray(ix.clause_units_ptr)
    clause_rows = np.repeat(np.arange(len(ptr) - 1, dtype=np.int32), np.diff(ptr))
    keys = unit_group[np.asarray(ix.clause_units)] if len(ix.clause_units) else np.zeros(0, dtype=np.int32)
    rank = np.zeros(len(ptr) - 1, dtype=np.int32)
    order = np.asarray(ix.clauses_of_doc.order)
    rank[order] = np.arange(len(order), dtype=np.int32)  # grouped by document, by char_start within
    return UnitIndex(group_of, Groups.of(keys, len(group_of)), clause_rows, np.asarray(ix.clause_units_lead), rank)


def tasks_of(snap: Snapshot, unit: str, lead_only: bool = False) -> list[Task]:
    """The clauses naming `unit`, by document and in text order within each."""
    ui = unit_index(snap)
    rows, leads = ui.rows(normalize_unit(unit.strip()))
    ix = snap.index
    tasks = [Task(snap.documents[ix.doc_ids[ix.clause_doc[row]]], row, bool(lead), snap)
             for row, lead in zip(rows.tolist(), leads.tolist()) if lead or not lead_only]
    return sorted(tasks, key=lambda t: (t.doc.doc_id, ui.text_rank[t.row]))


def unit_counts(snap: Snapshot) -> list[dict]:
    ui = unit_index(snap)
    rows = []
    for u, g in ui.group_of.items():
        pairs = ui.groups.rows(g)
        rows.append({"unit": u, "clauses": len(pairs), "lead": int(ui.leads[pairs].sum())})
    return sorted(rows, key=lambda r: (-r["clauses"], r["unit"]))
