"""Evidence taken without a judgement, or ruled out before one: a clause the question names by
文号 and number, the clause a «这项…» follow-up points back to, and local rules for a place they
do not govern. Pure functions over the composer's evidence and the question's reading."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..followup import REFERS_BACK
from ..retrieve.query import UNITS_Q, QueryInfo, doc_places
from ..zh import overlap, words

if TYPE_CHECKING:
    from .extractive import Evidence


def addressed(ev: Evidence, info: QueryInfo) -> bool:
    """The question names this clause's document and its number (晋政发〔2020〕19号第（十一）条)."""
    path = ev.hit.clause.clause_path
    return bool(info.doc_ids and info.clause_labels and path and ev.hit.doc.doc_id in info.doc_ids
                and any(label.startswith(lbl) for label in path for lbl in info.clause_labels))


# A follow-up asking who is responsible for what was just answered («这项工作由哪些部门负责？»)
# is asked of the clause that answer came from: the candidate holding at least this share of the
# previous answer's character pairs (its quote, title and path; a model's paraphrase shares
# less). On the bank's fit part (evals.run --split fit) 0.3, 0.5 and 0.7 pass the same questions
# (0.721 → 0.723): the middle is kept.
PREVIOUS_SHARE = 0.5


def units_of_previous(info: QueryInfo) -> bool:
    """The turn asks for the units of something it points back to, and names nothing else."""
    return bool(info.turn and info.previous_answer and UNITS_Q.search(info.turn)
                and any(w in REFERS_BACK for w in words(info.turn)))


def previous_clause(evidence: list[Evidence], info: QueryInfo) -> Evidence | None:
    """The candidate the previous answer was taken from, if one clearly was."""
    def share(ev: Evidence) -> float:
        c = ev.hit.clause
        return overlap(info.previous_answer, " ".join((ev.hit.doc.title, *c.clause_path, ev.hit.text)))

    top, best = max(((share(ev), ev) for ev in evidence), key=lambda x: x[0], default=(0.0, None))
    return best if best is not None and best.hit.clause.responsible_units and top >= PREVIOUS_SHARE else None


_LOCAL_LEVELS = ("province", "city", "county")


def outside_jurisdiction(ev: Evidence, info: QueryInfo) -> bool:
    """The question names a place no document is issued for (only national texts name it), and
    this evidence is a local document's clause that does not name it either: a province's or
    city's rules govern that province or city, so they cannot say what holds in the place asked
    about, however close their wording. A question that also names the document's own place
    («江苏和西藏……») is asked of it too."""
    doc = ev.hit.doc
    return (bool(ev.signals and ev.signals.mentioned_place_elsewhere) and doc.level in _LOCAL_LEVELS
            and not any(p in info.text for p in doc_places(doc)))
