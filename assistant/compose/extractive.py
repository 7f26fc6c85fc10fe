"""The offline composer: no language model. It answers with the sentence(s) of the best
clause(s) that answer the question, verbatim, and cites them; it refuses when the
evidence does not cover the question."""
from __future__ import annotations

import re
from dataclasses import dataclass

from prompts import REFUSAL

from ingest.numbering import match_marker

from ..data import read_lines
from ..zh import split_sentences  # noqa: F401  (re-exported: composers and structure answers use it)

from ..retrieve.hybrid import Hit
from ..retrieve.query import SYNONYMS, QueryInfo
from ..types import Answer, Citation, Clause, Document

STOP = set(read_lines("stopwords.txt"))
_NUM = re.compile(r"\d+(?:\.\d+)?(?:%|％)?")


@dataclass(frozen=True)
class Thresholds:
    """Calibrated on our own answerable/unanswerable gold questions (evals/calibrate.py)."""

    coverage: float = 0.5  # share of the question's key-term weight found in the clause
    dense: float = 0.88  # e5-small cosine that counts as strong support (its scores crowd 0.85–0.95)
    dense_coverage: float = 0.4  # minimum coverage accepted with strong dense support


TOP_EVIDENCE = 3  # evidences considered as the answer
YEAR_WEIGHT = 5.0  # a year the question asks about must be in the evidence


def key_terms(question: str, idf) -> dict[str, float]:
    """Content words of the question (jieba precise mode) weighted by IDF; single
    characters weigh little, years a lot."""
    import jieba

    terms: dict[str, float] = {}
    for t in jieba.lcut(re.sub(r"\d{4}年", " ", question)):
        t = t.strip().lower()
        if not t or t in STOP or not re.search(r"[\w\u4e00-\u9fff]", t) or re.fullmatch(r"[\d.]+", t):
            continue
        w = idf(t)
        terms[t] = w * (0.3 if len(t) == 1 else 1.0)
    for y in re.findall(r"(20\d\d)年", question):
        terms[f"{y}年"] = YEAR_WEIGHT
    return terms


def _covered(term: str, text: str) -> bool:
    if term in text:
        return True
    if re.fullmatch(r"20\d\d年", term):  # a table's 年份 column holds the bare year
        return re.search(rf"(?<![\d〔\[（(]){term[:4]}(?![\d〕\]）)])", text) is not None  # not a 文号
    return any(alt in text for alt in SYNONYMS.get(term, "").split())


def coverage(terms: dict[str, float], text: str) -> float:
    if not terms:
        return 0.0
    got = sum(w for t, w in terms.items() if _covered(t, text))
    return got / sum(terms.values())


def _sentence_score(sent: str, terms: dict[str, float], info: QueryInfo, label: str) -> float:
    s = coverage(terms, sent)
    if info.asks_number and _NUM.search(sent):
        s += 0.15
    if len(sent) < 12 or sent.rstrip("。") == label:
        s -= 0.3  # a bare heading is not an answer
    return s


@dataclass
class Evidence:
    hit: Hit
    sentences: list[str]
    score: float
    support: float  # coverage of the question by the whole clause


def pick_sentences(sents: list[str], terms: dict[str, float], info: QueryInfo, label: str, limit: int) -> tuple[list[str], float]:
    """Greedy: the best sentence, then sentences that cover question terms it missed."""
    scored = sorted(((_sentence_score(x, terms, info, label), x) for x in sents), key=lambda t: -t[0])
    best_score, first = scored[0]
    picked, covered = [first], {t for t in terms if _covered(t, first)}
    total = sum(terms.values()) or 1.0
    for sc, x in scored[1:]:
        if len(picked) >= limit:
            break
        gain = sum(w for t, w in terms.items() if t not in covered and _covered(t, x)) / total
        if gain >= 0.15 and sc >= 0.25:
            picked.append(x)
            covered |= {t for t in terms if _covered(t, x)}
    return picked, best_score


def gather(hits: list[Hit], terms: dict[str, float], info: QueryInfo, top: int = 6) -> list[Evidence]:
    out = []
    best_rrf = hits[0].score if hits else 1.0
    for h in hits[:top]:
        table = h.clause.kind == "table"
        text = h.text
        # Table rows are the units of a table; never split a row at its cell separators.
        sents = [r for r in text.split("\n") if r.strip()] if table else split_sentences(text)
        if not sents:
            continue
        label = h.clause.clause_path[-1] if h.clause.clause_path else ""
        picked, best = pick_sentences(sents, terms, info, label, 3 if table else 2)
        context = " ".join(h.clause.clause_path) + " " + h.doc.title + " " + text
        support = coverage(terms, context)
        missing_year = any(y not in context for y in info.years)
        rank_prior = h.score / best_rrf
        score = 0.5 * best + 0.35 * rank_prior + 0.15 * support
        if info.asks_number and not any(_NUM.search(x) for x in picked):
            score -= 0.15  # asked for a figure: evidence without one answers less
        quoted = with_list_items(sents, sorted(picked, key=text.find))
        out.append(Evidence(h, quoted, score, 0.0 if missing_year else support))
    return sorted(out, key=lambda e: -e.score)


# A lead-in («必须具备下列基本条件：») is quoted with the items it introduces, up to this
# many: the longest 项 lists of the real laws in ../shared/real-docs run to 11 items.
MAX_LIST_ITEMS = 12


def with_list_items(sents: list[str], picked: list[str]) -> list[str]:
    out: list[str] = []
    for s in picked:
        if s in out:
            continue
        out.append(s)
        if not s.endswith(("：", ":")):
            continue
        k = sents.index(s) + 1
        while k < len(sents) and len(out) < len(picked) + MAX_LIST_ITEMS and match_marker(sents[k]):
            if sents[k] not in out:
                out.append(sents[k])
            k += 1
    return out


def supported(ev: Evidence, info: QueryInfo, th: Thresholds) -> bool:
    if info.foreign_places:
        return False  # a place no indexed document issues for or mentions
    return ev.support >= th.coverage or (ev.hit.dense >= th.dense and ev.support >= th.dense_coverage)


def citation(d: Document, c: Clause, quote: str) -> Citation:
    return Citation(
        doc_title=d.title, doc_number=d.doc_number, issuer=d.issuer, date=d.date, clause_path=c.clause_path,
        responsible_units=c.responsible_units, quote=quote, source=d.source, page=c.page,
        clause_id=c.clause_id, level=d.level, lead_units=c.lead_units or c.responsible_units[:1],
    )


def _numbers(s: str) -> set[str]:
    return set(_NUM.findall(s))


def compose(question: str, info: QueryInfo, hits: list[Hit], idf, th: Thresholds = Thresholds()) -> Answer:
    terms = key_terms(info.text, idf)
    evidence = gather(hits, terms, info)
    # The best-ranked evidence that covers the question answers it; none covering it → refuse.
    best = next((e for e in evidence[:TOP_EVIDENCE] if supported(e, info, th)), None)
    if best is None:
        return refusal(question, hits)
    quote = _join(best)
    cites = [citation(best.hit.doc, best.hit.clause, quote)]
    parts = [f"根据{_where(best)}：", f"“{quote}”"]
    if info.asks_units and best.hit.clause.responsible_units:
        units = best.hit.clause.responsible_units
        leads = best.hit.clause.lead_units or units[:1]
        parts.insert(0, f"责任单位：{'、'.join(units)}（牵头单位：{'、'.join(leads)}）。")
    # Other clauses that answer as well: a second source, flagged when its figures differ.
    for ev in [e for e in evidence[:TOP_EVIDENCE + 1] if e is not best][:2]:
        if ev.hit.clause.clause_id == best.hit.clause.clause_id or not supported(ev, info, th):
            continue
        if ev.score < 0.85 * best.score:
            continue
        q2 = _join(ev)
        if not q2 or (q2 == quote and ev.hit.doc.doc_id == best.hit.doc.doc_id):
            continue
        differ = info.asks_number and _numbers(q2) and _numbers(quote) and not (_numbers(q2) & _numbers(quote))
        lead = "另一处给出的数字不同，两处都列出，请以原文为准" if differ else "另见"
        parts.append(f"{lead}：{_where(ev)}：“{q2}”")
        cites.append(citation(ev.hit.doc, ev.hit.clause, q2))
    return Answer(question=question, answer="\n".join(parts), found=True, citations=tuple(cites))


def _join(ev: Evidence) -> str:
    return ("\n" if ev.hit.clause.kind == "table" else "").join(ev.sentences)


def _where(ev: Evidence) -> str:
    d, c = ev.hit.doc, ev.hit.clause
    name = f"《{d.title}》" + (f"（{d.doc_number}）" if d.doc_number else "")
    path = " › ".join(c.clause_path)
    return f"{name}{' › ' + path if path else ''}"


def refusal(question: str, hits: list[Hit]) -> Answer:
    names = []
    for h in hits:
        n = f"《{h.doc.title}》" + (f"（{h.doc.doc_number}）" if h.doc.doc_number else "")
        if n not in names:
            names.append(n)
    searched = f"已检索的相关文件：{'、'.join(names[:3])}。" if names else ""
    return Answer(question=question, answer=f"{REFUSAL}{searched}", found=False, citations=())
