"""The offline composer: no language model. It answers with the sentence(s) of the best
clause(s) that answer the question, verbatim, and cites them; it refuses when the
evidence does not cover the question."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from prompts import REFUSAL

from ingest.numbering import match_marker

from ..data import read_lines
from ..zh import asked_quantity, figures, has_quantity, overlap, split_sentences, units_of, without_given_figures, words  # split_sentences re-exported: composers use it

from ..followup import REFERS_BACK
from ..answerability import AGREE_DEPTH, RANK_ABSENT, Model, SentenceSignals, Signals, focus_words, has_figure, named_entities, named_in
from ..retrieve.hybrid import Hit
from ..retrieve.query import SYNONYMS, QueryInfo
from .lookups import addressed, outside_jurisdiction, previous_clause, units_of_previous
from .quoting import HEADING_CHARS, already_given, joined, shown_quote, with_heading_body, with_list_items
from .vetoes import ATTRIBUTE_ABSENT, FIGURE_ABSENT, NAMES_ABSENT, attribute_absent, figure_absent, names_absent  # noqa: F401  (figure_absent re-exported)
from ..types import Answer, Citation, Clause, Document, doc_name

STOP = set(read_lines("stopwords.txt"))
_NUM = re.compile(r"\d+(?:\.\d+)?(?:%|％)?")


# Candidates the answerability model scores; the most probable answers. The bank's fit part
# has the right clause among the first five for most answerable questions it retrieves at all.
CANDIDATES = 5
GATHERED = 6  # clauses given sentences and signals, of which the CANDIDATES best by evidence score are ranked
RETRIEVED = 8  # clauses the retriever returns for the composer
YEAR_WEIGHT = 5.0  # a year the question asks about must be in the evidence


def asked_of(info: QueryInfo) -> str | None:
    """The figure a question asks for: a follow-up's own ask («那要开几门课？» after «帮几所学
    校？» asks for 门), else the one it inherits («那中职呢？»)."""
    own = asked_quantity(info.turn) if info.turn else None
    if own is None and info.turn and _ASKS_ITS_OWN.search(info.turn):
        return None  # «那贵州呢？对兼职老师有什么要求？» asks what, not the «多久» before it
    return own if own is not None else asked_quantity(info.text)


# A follow-up with a question word of its own asks its own question («那贵州呢？有什么要求？»); one
# without («那中职呢？») asks the previous question of something else.
_ASKS_ITS_OWN = re.compile(r"什么|啥|哪|谁|怎么|怎样|如何|为什么|吗|是否|能不能|可不可以|有没有|要不要")


def key_terms(question: str, idf) -> dict[str, float]:
    """Content words of the question (jieba precise mode) weighted by IDF; single
    characters weigh little, years a lot."""
    terms: dict[str, float] = {}
    for t in words(re.sub(r"\d{4}年", " ", question)):
        t = t.strip().lower()
        # Words that point back (那边, 这条, 其) name no topic: «高职那边呢» asks about 高职, and
        # being in no document, 那边 would weigh as the question's rarest word.
        if not t or t in STOP or t in REFERS_BACK or not re.search(r"[\w\u4e00-\u9fff]", t) or re.fullmatch(r"[\d.]+", t):
            continue
        w = idf(t)
        terms[t] = w * (0.3 if len(t) == 1 else 1.0)
    for y in re.findall(r"(20\d\d)年", question):
        terms[f"{y}年"] = YEAR_WEIGHT
    return terms


def turn_terms_of(info: QueryInfo, idf) -> dict[str, float] | None:
    """A follow-up's own content words (None for a question that stands alone)."""
    return key_terms(info.turn, idf) if info.turn else None


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
    signals: Signals | None = None
    rank_p: float = 0.0  # the ranker's probability that this clause is the answer
    p: float = 0.0  # the gate's probability that the evidence answers the question


def repeats(text: str, info: QueryInfo) -> float:
    """How much of the text the asker was already given in the answer a follow-up follows."""
    return overlap(text, info.previous_answer) if info.previous_answer else 0.0


def sentence_signals(sents: list[str], terms: dict[str, float], info: QueryInfo, label: str, sims: dict[str, float],
                     turn_terms: dict[str, float] | None = None) -> list[SentenceSignals]:
    covs = [coverage(terms, x) for x in sents]
    turn = [coverage(turn_terms, x) for x in sents] if turn_terms is not None else covs
    sim = [sims.get(x, min(sims.values(), default=0.0)) for x in sents]
    asked = asked_of(info)
    top_cov, top_sim = max(covs, default=0.0), max(sim, default=0.0)
    out = []
    for i, x in enumerate(sents):
        given = asked is not None and has_quantity(x, asked)
        out.append(SentenceSignals(
            coverage=covs[i], coverage_gap=covs[i] - top_cov, similarity=sim[i], similarity_gap=sim[i] - top_sim,
            figure_given=float(given), figure_missing=float(asked is not None and not given),
            heading=float(len(x) < HEADING_CHARS or x.rstrip("。") == label), position=i / max(len(sents) - 1, 1),
            length=math.log(1 + len(x)), turn_coverage=turn[i], repeats=repeats(x, info),
        ))
    return out


# A follow-up's quote that mostly repeats the answer it follows (this share of its bigrams in
# that answer, zh.overlap) gives way to a sentence that repeats less and covers more of the new
# turn's own words. Fitted on the bank's fit part (grid 0.3–0.9; follow-ups passed 0.672 → 0.695
# from 0.6 down to 0.5, the largest such value kept); the validation part was unchanged by it.
REPEAT_SHARE = 0.6


def _fresh_choice(probs: list[float], signals: list[SentenceSignals], follows: bool) -> int:
    """The sentence model's choice, unless a follow-up's choice mostly repeats the answer it
    follows and another sentence answers more of what the turn asks anew."""
    best = max(range(len(probs)), key=lambda i: probs[i])
    if not follows or signals[best].repeats < REPEAT_SHARE:
        return best
    fresh = [i for i, sg in enumerate(signals) if sg.repeats < REPEAT_SHARE and sg.turn_coverage > signals[best].turn_coverage]
    return max(fresh, key=lambda i: probs[i]) if fresh else best


def pick_sentences(sents: list[str], terms: dict[str, float], info: QueryInfo, label: str, limit: int,
                   sims: dict[str, float] | None = None, model: Model | None = None,
                   turn_terms: dict[str, float] | None = None) -> tuple[list[str], float]:
    """The sentence to quote first (the fitted sentence model's choice when there is one, else
    the best-covering), then sentences that cover question terms it missed."""
    heuristic = {x: _sentence_score(x, terms, info, label) for x in sents}
    first = max(sents, key=heuristic.get)
    picked = [first]
    if model is not None and model.sentence is not None:
        signals = sentence_signals(sents, terms, info, label, sims or {}, turn_terms)
        probs = [model.sentence_probability(sg) for sg in signals]
        chosen = sents[_fresh_choice(probs, signals, turn_terms is not None)]
        # When the fitted choice and the best-covering sentence differ, both are quoted: each
        # is right where the other is not (validation part of the bank).
        picked = [chosen] + ([first] if first != chosen and not already_given(first, info) else [])
    covered = {t for x in picked for t in terms if _covered(t, x)}
    total = sum(terms.values()) or 1.0
    for x in sorted(sents, key=lambda y: -heuristic[y]):
        if len(picked) >= limit:
            break
        if x in picked or already_given(x, info):
            continue
        gain = sum(w for t, w in terms.items() if t not in covered and _covered(t, x)) / total
        if gain >= 0.15 and heuristic[x] >= 0.25:
            picked.append(x)
            covered |= {t for t in terms if _covered(t, x)}
    return picked, max(heuristic[x] for x in picked)


def gather(hits: list[Hit], terms: dict[str, float], info: QueryInfo, seen=lambda t: True,
           model: Model | None = None, turn_terms: dict[str, float] | None = None) -> list[Evidence]:
    out = []
    best_rrf = hits[0].score if hits else 1.0
    for h in hits[:GATHERED]:
        table = h.clause.kind == "table"
        text = h.text
        # Table rows are the units of a table; never split a row at its cell separators.
        sents = [r for r in text.split("\n") if r.strip()] if table else split_sentences(text)
        if not sents:
            continue
        label = h.clause.clause_path[-1] if h.clause.clause_path else ""
        picked, best = pick_sentences(sents, terms, info, label, 3 if table else 2, h.sentence_sims, model, turn_terms)
        context = " ".join(h.clause.clause_path) + " " + h.doc.title + " " + text
        support = coverage(terms, context)
        # A year may be the one in the document's 文号 («2020年省里出的那个行动计划»), not its
        # date: a report published in 2024 gives the figures of 2023.
        dated = f"{context} {h.doc.doc_number or ''}"
        missing_year = any(y not in dated for y in info.years)
        rank_prior = h.score / best_rrf
        score = 0.5 * best + 0.35 * rank_prior + 0.15 * support
        if info.asks_number and not any(_NUM.search(x) for x in picked):
            score -= 0.15  # asked for a figure: evidence without one answers less
        quoted = with_heading_body(sents, with_list_items(sents, sorted(picked, key=text.find)), label)
        ev = Evidence(h, quoted, score, 0.0 if missing_year else support)
        ev.signals = _signals(ev, hits, terms, info, context, missing_year, seen,
                              coverage(turn_terms, context) if turn_terms is not None else ev.support)
        out.append(ev)
    _with_gaps(out)
    return sorted(out, key=lambda e: -e.score)


def _with_gaps(evidence: list[Evidence]) -> None:
    """Each candidate's coverage measures minus the best candidate's."""
    if not evidence:
        return
    best = {k: max(getattr(e.signals, k) for e in evidence) for k in ("coverage", "sentence_coverage", "turn_coverage")}
    for e in evidence:
        s = e.signals
        e.signals = replace(s, coverage_gap=s.coverage - best["coverage"],
                            sentence_coverage_gap=s.sentence_coverage - best["sentence_coverage"],
                            turn_coverage_gap=s.turn_coverage - best["turn_coverage"])


def _salient(terms: dict[str, float], context: str, n: int = 3) -> float:
    top = sorted(terms, key=lambda t: -terms[t])[:n]
    return sum(_covered(t, context) for t in top) / len(top) if top else 0.0


def _signals(ev: Evidence, hits: list[Hit], terms: dict[str, float], info: QueryInfo, context: str, missing_year: bool,
             unseen_ok, turn_coverage: float) -> Signals:
    h = ev.hit
    best_sent = max((x.sentence for x in hits), default=0.0)
    best_dense = max((x.dense for x in hits), default=0.0)
    best_bm25 = max((x.lexical for x in hits), default=0.0)
    in_top = [r is not None and r < AGREE_DEPTH for r in (h.dense_rank, h.bm25_rank, h.sentence_rank)]
    where = context + " " + (h.doc.doc_number or "") + " " + (h.doc.notice_title or "")
    named = named_entities(info.text)
    picked = " ".join(ev.sentences)
    asked = asked_of(info)
    if asked and asked not in ("%", "date", "day") and h.clause.kind == "table":
        asked = ""  # a table gives its units in the header: any figure in a row will do
    per_sentence = [(coverage(terms, x), x) for x in units_of(h.text, h.clause.kind == "table")]
    total = sum(terms.values()) or 1.0
    unseen = sum(w for t, w in terms.items() if not unseen_ok(t)) / total
    return Signals(
        dense=h.dense, sentence=h.sentence, sentence_gap=h.sentence - best_sent, dense_gap=h.dense - best_dense,
        bm25_share=h.lexical / best_bm25 if best_bm25 > 0 else 0.0,
        fused_share=h.score / (hits[0].score or 1.0), rank=float(hits.index(h)), agree=sum(in_top) / 3,
        coverage=ev.support, salient=_salient(terms, context), picked_coverage=coverage(terms, picked),
        missing_year=float(missing_year), missing_named=float(any(not named_in(x, where) for x in named)),
        number_missing=float(info.asks_number and not has_figure(picked)),
        quantity_missing=float(asked is not None and not has_quantity(without_given_figures(picked, info.text), asked)),
        quantity_missing_clause=float(asked is not None and not has_quantity(without_given_figures(h.text, info.text), asked)),
        focus_missing=float(any(w not in context for w in focus_words(info.text, STOP))),
        asks_quantity=float(asked is not None), quantity_support=max((c for c, x in per_sentence if asked is None or has_quantity(x, asked)), default=0.0),
        sentence_coverage=max((c for c, _ in per_sentence), default=0.0), unseen=unseen,
        rarest_missing=float(bool(terms) and not _covered(max(terms, key=terms.get), context)), evidence_score=ev.score,
        local_place_elsewhere=float(any(x not in where for x in info.local_places)),
        mentioned_place_elsewhere=float(any(x not in where for x in info.mentioned_places)),
        turn_coverage=turn_coverage, repeats=repeats(picked, info),
        heading_coverage=coverage(terms, h.clause.clause_path[-1]) if h.clause.clause_path else 0.0,
        dense_rank=_log_rank(h.dense_rank), bm25_rank=_log_rank(h.bm25_rank), sentence_rank=_log_rank(h.sentence_rank),
        missing_specific=max((w for t, w in terms.items() if unseen_ok(t) and not _covered(t, context)), default=0.0)
        / (max(terms.values(), default=0.0) or 1.0),
        title_match=info.title_affinity.get(h.doc.doc_id, 0.0),
    )


def _log_rank(rank: int | None) -> float:
    return math.log1p(RANK_ABSENT if rank is None else rank)


def out_of_scope(info: QueryInfo) -> bool:
    """Clear signs no indexed document can answer: a place none issues for or mentions, a 文号
    none bears, an article the named document does not have. Decided before any model sees the question, in both modes."""
    return bool(info.foreign_places or info.absent_articles)


def rank_candidates(info: QueryInfo, hits: list[Hit], idf, model: Model) -> list[Evidence]:
    """The first CANDIDATES evidences, ranked by the fitted ranker, each with the gate's
    probability that it answers the question."""
    terms = key_terms(info.text, idf)
    never = idf("\0")  # the weight of a word no chunk contains
    evidence = gather(hits, terms, info, seen=lambda t: idf(t) < never, model=model,
                      turn_terms=turn_terms_of(info, idf))[:CANDIDATES]
    named = previous_clause(evidence, info) if units_of_previous(info) else None
    # Named by 文号/title and clause number, or by «这项» after it: a lookup, not a judgement.
    looked_up = {id(ev) for ev in evidence if ev is named or addressed(ev, info)}
    for ev in evidence:
        ev.rank_p = 1.0 if id(ev) in looked_up else model.candidate_probability(ev.signals)
    evidence.sort(key=lambda e: -e.rank_p)
    asked_level_first(evidence, info)
    if evidence:
        second = evidence[1].rank_p if len(evidence) > 1 else 0.0
        first = evidence[0]
        first.p = 1.0 if id(first) in looked_up else model.answer_probability(first.signals, first.rank_p, second)
        for ev in evidence[1:]:  # a runner-up answers as well as the best would, at most
            ev.p = min(evidence[0].p, model.answer_probability(ev.signals, ev.rank_p, evidence[0].rank_p))
        for ev in evidence:
            if outside_jurisdiction(ev, info) or ev.hit.doc.doc_id in info.yearless_docs:
                ev.p = 0.0
    return evidence


def asked_level_first(evidence: list, info: QueryInfo) -> None:
    """«省里……» asks what the province says: its documents' clauses go before a national or a
    city text's, each group in the ranker's order. Only for the province: «市政府» in a question
    is as often an actor («跟市委、市政府请示汇报») as the document asked for. Measured on the
    bank: fit 0.797→0.799 (0.798 with the city too, which lost one), validation unchanged."""
    if info.level == "province" and not info.doc_ids and any(e.hit.doc.level == info.level for e in evidence):
        evidence.sort(key=lambda e: e.hit.doc.level != info.level)


def citation(d: Document, c: Clause, quote: str) -> Citation:
    return Citation(
        doc_title=d.title, doc_number=d.doc_number, issuer=d.issuer, date=d.date, clause_path=c.clause_path,
        responsible_units=c.responsible_units, quote=quote, source=d.source, page=c.page,
        clause_id=c.clause_id, level=d.level, lead_units=c.lead_units or c.responsible_units[:1], forwarded_by=d.forwarded_by,
    )


def compose(question: str, info: QueryInfo, hits: list[Hit], idf, model: Model, threshold: float | None = None) -> Answer:
    threshold = model.threshold if threshold is None else threshold
    if out_of_scope(info):
        return refusal(question, hits, reason=scope_reason(info))
    ranked = rank_candidates(info, hits, idf, model)
    if not ranked or ranked[0].p < threshold:
        return refusal(question, hits, ranked)
    best = ranked[0]
    if figure_absent(best):
        return refusal(question, hits, ranked, reason=FIGURE_ABSENT)
    if names_absent(best, info):
        return refusal(question, hits, ranked, reason=NAMES_ABSENT)
    missing = attribute_absent(best, info)
    if missing:
        return refusal(question, hits, ranked, reason=ATTRIBUTE_ABSENT.format(missing))
    quote = shown_quote(best, info)
    cites = [citation(best.hit.doc, best.hit.clause, quote)]
    parts = [f"根据{_where(best)}：", f"“{quote}”"]
    if wants_eligibility(info.text):
        parts.insert(0, eligibility_lead(best))
    if info.asks_units and best.hit.clause.responsible_units:
        units = best.hit.clause.responsible_units
        leads = best.hit.clause.lead_units or units[:1]
        parts.insert(0, f"责任单位：{'、'.join(units)}（牵头单位：{'、'.join(leads)}）。")
    for lead, ev, q2 in second_sources(best, ranked, info, threshold):
        parts.append(f"{lead}：{_where(ev)}：“{q2}”")
        cites.append(citation(ev.hit.doc, ev.hit.clause, q2))
    return Answer(question=question, answer="\n".join(parts), found=True, citations=tuple(cites), p=best.p)


# A second clause is shown beside the answer when it passes the gate and the gate is nearly as
# sure of it as of the first. Set by hand: the bank labels one gold clause per question, so it
# says nothing about which second sources help.
SECOND_SOURCE_SHARE = 0.8
SECOND_SOURCES = 2  # at most this many other clauses beside the answer
# Two figures count the same thing when the Chinese words right after them agree for this many
# characters («161家省级产教融合型…» / «209家省级产教融合型…»): two words, enough to name what is
# counted; one word would pair unrelated counts («所学校开设…» / «所学校参加…»).
SAME_COUNT_CHARS = 4
DIFFERENT_FIGURE = "另一处给出的数字不同，两处都列出，请以原文为准"


def second_sources(best: Evidence, ranked: list[Evidence], info: QueryInfo, threshold: float) -> list[tuple[str, Evidence, str]]:
    """Other clauses shown beside the answer: any candidate that gives a different figure for
    the same count (staff must see that the documents disagree, whatever the gate thinks of
    that clause), and runners-up the gate is nearly as sure of («另见»)."""
    quote, out = joined(best), []
    for rank, ev in enumerate(ranked[1:], 1):
        q2 = joined(ev)
        if ev.hit.clause.clause_id == best.hit.clause.clause_id or not q2 or (q2 == quote and ev.hit.doc.doc_id == best.hit.doc.doc_id):
            continue
        if outside_jurisdiction(ev, info):  # not even a conflicting figure: it does not apply there
            continue
        if info.asks_number and conflicting(quote, q2):
            out.append((DIFFERENT_FIGURE, ev, q2))
        elif rank < 3 and ev.p >= threshold and ev.p >= SECOND_SOURCE_SHARE * best.p:
            out.append(("另见", ev, q2))
    return out[:SECOND_SOURCES]


def _counts(text: str) -> dict[tuple[str, str], set]:
    """(measure, the words it counts) → the values the text gives."""
    out: dict[tuple[str, str], set] = {}
    for f in figures(text):
        counted = re.sub(r"[^\u4e00-\u9fff]", "", text[f.end: f.end + 3 * SAME_COUNT_CHARS])[:SAME_COUNT_CHARS]
        if f.unit and f.unit != "year" and not f.unit.startswith("第") and len(counted) == SAME_COUNT_CHARS:
            out.setdefault((f.unit, counted), set()).add(f.value)
    return out


def conflicting(text: str, other: str) -> bool:
    """Both texts count the same thing and share none of the values they give for it."""
    mine, theirs = _counts(text), _counts(other)
    return any(k in theirs and not (v & theirs[k]) for k, v in mine.items())


ELIGIBILITY_CUES = tuple(read_lines("eligibility_cues.txt"))
_CONDITION = re.compile("|".join(read_lines("condition_cues.txt")))


def wants_eligibility(question: str) -> bool:
    return any(c in question for c in ELIGIBILITY_CUES)


def eligibility_lead(ev: Evidence) -> str:
    """«能不能……» is answered by the provision that governs the case and its conditions; the
    judgement on the asker's own case is left to them (the documents do not know it)."""
    rule = ev.sentences[0].rstrip("。；;")
    conds = [x.rstrip("。；;") for x in ev.sentences[1:] if _CONDITION.search(x) or match_marker(x)]
    lead = f"文件对此的规定是：{rule}"
    if conds:
        lead += f"；条件：{'；'.join(conds)}"
    return lead + "。请对照以下原文判断您的情况。"


def _where(ev: Evidence) -> str:
    d = ev.hit.doc
    return where_of(doc_name(d.title, d.doc_number, d.forwarded_by), ev.hit.clause.clause_path)


def where_of(name: str, path: tuple[str, ...]) -> str:
    """《title》（文号） › path: how an answer names a clause."""
    return name + "".join(f" › {x}" for x in path)


# Clauses named with a refusal so staff can check them; more would bury the refusal itself.
CLOSEST_SHOWN = 3


def scope_reason(info: QueryInfo) -> str:
    if info.foreign_places:
        return f"收录的文件中没有{'、'.join(info.foreign_places)}的文件。"
    return f"收录的文件中没有{'、'.join(info.absent_articles)}。"


def refusal(question: str, hits: list[Hit], ranked: list[Evidence] | None = None, reason: str | None = None) -> Answer:
    """The refusal sentence, then the closest clauses, plainly marked as not an answer."""
    order = [e.hit for e in ranked] if ranked else list(hits)
    closest = []
    for h in order:
        if len(closest) >= CLOSEST_SHOWN:
            break
        if all(c.clause_id != h.clause.clause_id for c in closest):
            closest.append(citation(h.doc, h.clause, h.best_sentence or (split_sentences(h.text) or [""])[0]))
    text = REFUSAL + (f"\n{reason}" if reason else "")
    if closest:
        lines = [f"{i}. " + where_of(c.doc_name, c.clause_path) for i, c in enumerate(closest, 1)]
        text += "\n以下是最接近的条款，仅供核对，并不是对这个问题的回答：\n" + "\n".join(lines)
    return Answer(question=question, answer=text, found=False, citations=(), closest=tuple(closest))



