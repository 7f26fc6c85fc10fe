"""The responsible-unit index: every clause a unit is named in, the lead being the first."""
from __future__ import annotations

from dataclasses import dataclass

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


def unit_index(snap: Snapshot) -> dict[str, list[Task]]:
    """Unit (normalised) → the clauses naming it, built once per snapshot."""
    return snap.derived("unit_index", _build_unit_index)


def _build_unit_index(snap: Snapshot) -> dict[str, list[Task]]:
    index: dict[str, list[Task]] = {}
    for c in sorted(snap.clauses.values(), key=lambda c: (c.doc_id, c.char_start)):
        for k, u in enumerate(c.responsible_units):
            lead = u in c.lead_units if c.lead_units else k == 0
            index.setdefault(normalize_unit(u), []).append(Task(snap.documents[c.doc_id], c, lead))
    return index


def tasks_of(snap: Snapshot, unit: str, lead_only: bool = False) -> list[Task]:
    tasks = unit_index(snap).get(normalize_unit(unit.strip()), [])
    return [t for t in tasks if t.lead or not lead_only]


def unit_counts(snap: Snapshot) -> list[dict]:
    return sorted(
        ({"unit": u, "clauses": len(ts), "lead": sum(t.lead for t in ts)} for u, ts in unit_index(snap).items()),
        key=lambda r: (-r["clauses"], r["unit"]),
    )
