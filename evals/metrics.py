"""Scoring one answer against a gold item (format of ../shared/evals/dev.jsonl)."""
from __future__ import annotations

import re
import unicodedata


def norm(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or ""))


def hit_cite(hit) -> dict:
    """A retrieved clause as the fields a citation is scored by. An attachment without a number
    of its own is named by the notice that forwards it."""
    return {"doc_number": hit.doc.doc_number, "doc_title": hit.doc.title, "forwarded_by": hit.doc.forwarded_by,
            "clause_path": list(hit.clause.clause_path)}


def doc_ok(cite: dict, doc_any: list[str]) -> bool:
    # An attachment without a number of its own is identified by the notice that forwards it.
    names = [norm(cite.get(k) or "") for k in ("doc_number", "doc_title", "forwarded_by")]
    return any(norm(d) and any(norm(d) in n for n in names if n) for d in doc_any)


def clause_ok(cite: dict, clause_any: list[str]) -> bool:
    if not clause_any:
        return True
    labels = [norm(x) for x in cite.get("clause_path") or []]
    return any(lbl.startswith(norm(c)) for lbl in labels for c in clause_any)


def score(item: dict, ans: dict) -> dict:
    cites = ans.get("citations") or []
    found = bool(ans.get("found"))
    if not item.get("answerable", True):
        return {"answerable": False, "found_ok": not found, "refused_ok": not found, "pass": not found}
    exp = item.get("expect") or {}
    doc_any, clause_any = exp.get("doc_any") or [], exp.get("clause_any") or []
    hit = [doc_ok(c, doc_any) and clause_ok(c, clause_any) for c in cites]
    units = exp.get("units_all") or []
    matching = [c for c, h in zip(cites, hit) if h]
    # A list's closing 等 («省教育厅等», shown as the document writes it) is not part of the name.
    cited_units = {u.removesuffix("等") if len(u) > 2 else u for c in matching[:1] for u in c.get("responsible_units") or []}
    units_recall = (sum(u in cited_units for u in units) / len(units)) if units else None
    answer = norm(ans.get("answer") or "")
    facts = exp.get("facts_all") or []
    facts_ok = all(norm(f) in answer for f in facts)
    cit3 = any(hit[:3])
    return {
        "answerable": True,
        "found_ok": found,
        "doc@1": bool(cites) and doc_ok(cites[0], doc_any),
        "citation@1": bool(hit[:1]) and hit[0],
        "citation@3": cit3,
        "units_recall": units_recall,
        "facts": facts_ok,
        # A pass: answered, a correct clause among the first three citations, every expected
        # figure in the answer text, every expected unit on that clause.
        "pass": found and cit3 and facts_ok and (units_recall is None or units_recall == 1.0),
    }
