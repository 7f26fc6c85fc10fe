"""The responsible-unit index: every clause a unit is named in, the lead being the first."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..records import Groups
from ..retrieve.query import normalize_unit
from ..store import Snapshot
from ..types import Clause, Document


@dataclass(frozen=True)
class Task:
    doc: Document
    clause: Clause
    lead: bool

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
    return UnitIndex(group_of, Groups.of(keys, len(group_of)), clause_rows, np.asarray(ix.clause_units_lead))


def tasks_of(snap: Snapshot, unit: str, lead_only: bool = False) -> list[Task]:
    rows, leads = unit_index(snap).rows(normalize_unit(unit.strip()))
    tasks = []
    for row, lead in zip(rows.tolist(), leads.tolist()):
        if lead or not lead_only:
            c = snap.clause_at(row)
            tasks.append(Task(snap.documents[c.doc_id], c, bool(lead)))
    return sorted(tasks, key=lambda t: (t.clause.doc_id, t.clause.char_start))


def unit_counts(snap: Snapshot) -> list[dict]:
    ui = unit_index(snap)
    rows = []
    for u, g in ui.group_of.items():
        pairs = ui.groups.rows(g)
        rows.append({"unit": u, "clauses": len(pairs), "lead": int(ui.leads[pairs].sum())})
    return sorted(rows, key=lambda r: (-r["clauses"], r["unit"]))
