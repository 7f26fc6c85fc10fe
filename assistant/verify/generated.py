"""Verify a generated answer: every sentence must follow from the sources it cites.

Parse the model's text into claims (claims.py), check each against what the model was given
(figures: figures.py; wording and classes: checks.py; direction, negation and caveats:
polarity.py; actors and leads: actors.py; swaps in place: swaps.py), re-attribute a sentence
cited to the wrong source to a given source that supports it, and remove it only when none does.
When the sentence that answers the question is removed, the rest is not shown as if it were the
answer: the caller falls back."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from ..data import DATA_DIR
from ..types import Given
from ..zh import figures
from .actors import actor_problem, actor_role_problem, denied_unit_problem, lead_problem, title_problem
from .checks import (
    bigrams, case_classes, compatible, contrast_problem, doc_number_problem, quote_problem, imported_words, local_grounding, named_classes, segments, sentences_of,
    word_grounding,
)
from .comparisons import comparison_problem, earlier_comparison_problem
from .figures import clause_ref_problem, figure_problem, ordinal_problem, ratio_problem
from .polarity import denial_problem, is_hedge, negative, order_problem, polarity_problem, restricts
from .text import best_sentence, content_words, grounding
from .claims import Claim, cite, parse, render
from .judge import judge
from .swaps import swap_problem


# The imported-word limit that means "not checked" (no segment has this many content words).
IMPORTS_UNCHECKED = 99


@dataclass(frozen=True)
class VerifierParams:
    # Least share of a claim's character bigrams its cited sources must contain.
    grounding: float
    # A figure is the source's when a source figure of the same value has at least this share
    # of the best-matching context's overlap (1.0: only the best-matching figure counts).
    figure_context: float
    # A segment restating this share of a source phrase must agree with it on denial (不/无需/禁止).
    negation_match: float
    # An office is checked for its role when its surroundings share at least this many bigrams
    # with a source office's (fewer: the sentence does not restate where the source names it).
    actor_context: int
    # A supported sentence is moved to another given source whose grounding exceeds its cited
    # source's by at least this much (the model cited the wrong one of two similar clauses).
    citation_margin: float
    # A claim of at most this many bigrams is a verdict or connective («可以，但需满足条件»):
    # too short for a wording share to mean anything; it is read against the question instead.
    short_claim: int
    # Least share of a claim's content words (jieba words, stop words aside) its cited sources
    # or the question contain: an invented sentence in the documents' register shares their
    # character pairs but not their words.
    word_grounding: float = 0.0
    # Least share of a segment's content words its best single source sentence holds (of those
    # the sources hold): a sentence recombined from words of several source sentences says
    # what none of them says. 0.0: not checked.
    local_grounding: float = 0.0
    # Most content words a segment may take from other sentences of its sources than the one
    # it restates (imported_words); IMPORTS_UNCHECKED: not checked.
    imported_words: int = IMPORTS_UNCHECKED


@lru_cache(maxsize=1)
def load_params() -> VerifierParams:
    """The fitted values (evals/fit_verifier.py writes assistant/data/verifier.json)."""
    d = json.loads((DATA_DIR / "verifier.json").read_text(encoding="utf-8"))
    return VerifierParams(d["grounding"], d["figure_context"], d["negation_match"], d["actor_context"], d["citation_margin"],
                          d["short_claim"], d.get("word_grounding", 0.0), d.get("local_grounding", 0.0),
                          d.get("imported_words", IMPORTS_UNCHECKED))


@dataclass
class Checked:
    text: str  # the verified answer, markers renumbered in order of use; "" = fall back
    used: list[int]  # 0-based indices of the sources cited, in order of first use
    dropped: list[str]  # sentences removed, with the reason
    claims: dict[int, list[str]]  # source index → the verified sentences citing it
    repaired: list[str] = field(default_factory=list)  # sentences moved to the source that says them
    kept: list[Claim] = field(default_factory=list)


def problem(claim: str, cited: list[Given], question: str, known_units: frozenset[str], params: VerifierParams,
            listed: tuple[str, ...] = ()) -> str | None:
    """Why the cited sources do not support the claim, or None when they do. `listed`: the
    list lines that follow the claim when it leads them in."""
    stated = _stated(claim)
    reason = (figure_problem(stated, cited, question, params, listed) or ordinal_problem(claim, cited)
              or clause_ref_problem(claim, cited) or ratio_problem(claim, cited)
              or comparison_problem(claim)
              or doc_number_problem(claim, cited)
              or actor_problem(stated, cited, known_units, question if negative(claim) else "")
              or actor_role_problem(stated, cited, known_units, params.actor_context)
              or denied_unit_problem(claim, cited, known_units) or title_problem(claim, cited, question)
              or lead_problem(stated, cited) or quote_problem(claim, cited, question))
    if reason:
        return reason
    sentences = [s for src in cited for s in sentences_of(src)]
    whole = "\n".join(src.full for src in cited)
    headers = "\n".join(src.header for src in cited)
    # A lead-in («具体分工如下：») says what its list lines say; they are checked one by one.
    # A verdict («可以，而且这是文件明确鼓励的做法。») says at most one thing about the topic: it is
    # read against the sentence that answers the question, like a short claim.
    short = is_verdict(claim, params) or bool(listed)
    parts = segments(claim)
    hedges = [seg for seg in parts if is_hedge(seg)]
    # «至于具体的调处程序，文件没有细说»: the topic a caveat opens with is what the sources lack.
    hedges += [seg for seg, nxt in zip(parts, parts[1:]) if nxt in hedges and _TOPIC.match(seg)]
    for k, seg in enumerate(parts):
        if seg in hedges:
            continue  # a caveat («并没有明确……», «所给材料中没有细则»): it reverses nothing
        if k and _CONTRAST_DENIAL.match(seg.strip()) and not negative(parts[k - 1]):
            continue  # «实行市场调节价，不是政府指导价»: it sets off what the part before it says, which is checked
        # A verdict is read against the sentence that answers the question, not its own words.
        # A conclusion («因此不在允许之列») restates what its premise, the rest of the claim, rests on.
        ref = best_sentence(claim if _DERIVED.match(seg) else question + seg if short else seg, sentences)
        if short and not content_words(seg):
            ref = _rule_for_case(question, seg, sentences) or ref
        reason = (contrast_problem(seg, ref, claim) or header_contrast(seg, ref, claim, cited) or polarity_problem(seg, ref) or order_problem(seg, ref)
                  or denial_problem(claim, seg, ref, params.negation_match, _following(ref, sentences))
                  or swap_problem(seg, ref, "" if short else whole, headers))
        if not reason and short and not listed and unfounded_denial(seg, question, sentences):
            reason = "原文没有否定或禁止的说法"
        if reason:
            return reason
        if not short and _recombined(seg, sentences, cited, question, params):
            return "原文没有一处这样说"
    # The question is given too: a sentence restating the asker's case uses its words. A caveat
    # is the model's own words about the sources: the rest of the claim is asked of them.
    derived = bool(_DERIVED.match(claim.strip()))
    said = "，".join(seg for seg in parts if seg not in hedges and not _ASKS.search(seg)) if hedges else claim
    given = whole + "\n" + question
    # (A caveat's framing — «需要注意的是，文件用的是“推动”的表述» — shares few character pairs
    # with any source: its content words are what it must take from them, read in what it states
    # or in the whole sentence, whose deferred point may be the source's own words.)
    if said and not short:
        found = word_grounding(said, given)
        if hedges:
            found = max(found, word_grounding(claim, given))
        if not hedges and grounding(said, given) < params.grounding or not derived and found < params.word_grounding:
            return "内容不见于所引原文"
    return None


def _following(sentence: str, sentences: list[str]) -> str:
    """The source sentence right after this one (none after the last, or one not among them)."""
    at = next((i for i, x in enumerate(sentences) if x == sentence), None)
    return sentences[at + 1] if at is not None and at + 1 < len(sentences) else ""


# A part naming the topic of what follows (a caveat's: «至于……，文件没有细说»).
_TOPIC = re.compile(r"\s*(?:至于|关于|对于)")
_PART = re.compile(r"[^，,；;：:、。！？]+")


def _stated(claim: str) -> str:
    """The claim with the questions its caveat embeds blanked out («并没有写明一年具体开几次»,
    «没有列出由哪所学校牵头»): a question states no figure, office or lead for the sources to
    hold. Blanked, not cut, so what is left keeps its place."""
    out, hedged = claim, False
    for m in _PART.finditer(claim):
        hedged = hedged or is_hedge(m.group())
        if hedged and _ASKS.search(m.group()):
            out = out[: m.start()] + " " * (m.end() - m.start()) + out[m.end():]
    return out


# A conclusion the answer draws («因此贵校……», «也就是说……»): it applies the source to the asker's
# case in its own words, so its words are not asked of the source one by one (its wording as a
# whole, its figures, direction and actors still are).
_DERIVED = re.compile(r"(?:因此|所以|也就是说|可见|换言之|据此|这意味着|这说明|由此)")
# A part that denies an alternative to what the part before it states: «A，不是B», «而不是B».
_CONTRAST_DENIAL = re.compile(r"(?:而|也就)?(?:不是|并非|而非|不走|并不是)")
# A part of a caveat that asks rather than says («具体放宽到什么程度», «具体怎么投保、怎么理赔»): an
# embedded question, which states nothing for the sources to hold.
_ASKS = re.compile(r"什么|怎么|怎样|如何|多少|哪(?!怕)|是否|与否|几[个项所条名年次家天月周批门种类]")
# Words about the topic a sentence may hold and still be a verdict on it: one («做法» in «这是文件
#明确鼓励的做法»). Two already state something the source must say («没有规定数量上限»).
VERDICT_WORDS = 1
# Source sentences a bare verdict («不可以。», «不需要公开。») is read against: the ones that
# share most with the question and the verdict.
VERDICT_SENTENCES = 2


def header_contrast(segment: str, sentence: str, claim: str, cited: list[Given]) -> str | None:
    """The class a clause's heading gives its sentences («第四章 义务教育 › …推行小班教学»): a claim
    naming another class of that kind («纲要在高等教育部分还提出推行小班教学») where the sentence
    itself names none of that kind."""
    own = next((src for src in cited if sentence and sentence in src.text), None)
    if own is None:
        return None
    path = own.header.split(" › ", 1)[1] if " › " in own.header else ""
    if not path:
        return None
    said, in_sentence = named_classes(claim), named_classes(sentence)
    heading = {axis: cls for axis, cls in named_classes(path).items() if axis not in in_sentence}
    for axis, classes in named_classes(segment).items():
        if axis in heading and not (classes | said.get(axis, set())) & heading[axis]:
            return "所说的学校类型或层级与原文不符"
    return None


def is_verdict(claim: str, params: VerifierParams) -> bool:
    """A short claim, or one that says at most VERDICT_WORDS things about the topic."""
    return len(bigrams(claim)) <= params.short_claim or len(content_words(claim)) <= VERDICT_WORDS


# Sentences a bare verdict may follow: those sharing most with the question and the verdict.
# Set by hand, not fitted: one more than VERDICT_SENTENCES, so a rule for the asker's case that
# shares fewer words than the rules for other cases is still among them.
CASE_SENTENCES = 3


def _rule_for_case(question: str, verdict: str, sentences: list[str]) -> str | None:
    """The sentence a bare verdict («不可以») follows: of the sentences that answer the question,
    the first whose classes fit the asker's case («公办初中» → the rule for 义务教育 schools, not the
    one for 职业教育 schools that shares more words with the question); None when none fits."""
    case = case_classes(question)
    for s in _answering(question + verdict, sentences, CASE_SENTENCES):
        rule = named_classes(s)
        if rule and compatible(case, rule):
            return s
    return None


def _answering(text: str, sentences: list[str], n: int) -> list[str]:
    """The n source sentences sharing most character pairs with a verdict and its question."""
    b = bigrams(text)
    return sorted(sentences, key=lambda s: -len(b & bigrams(s)))[:n]


def unfounded_denial(segment: str, question: str, sentences: list[str]) -> bool:
    """A verdict that denies (不可以, 不需要, 并不要求) where none of the source sentences that
    answer the question denies, forbids or exempts anything: the «no» is the model's own."""
    if not negative(segment) or restricts(segment):
        return False  # «不能直接兼，须先经过培训»: a «no» with the condition that turns it to yes
    refs = _answering(question + segment, sentences, VERDICT_SENTENCES)
    return bool(refs) and not any(negative(s) or restricts(s) or _other_quantity(question, s) for s in refs)


def _other_quantity(question: str, sentence: str) -> bool:
    """The sentence sets another figure of the kind the asker's case gives («一周只排3节» against
    «每周开设5节»): a «no» to the case follows from it."""
    asked = {(f.unit, f.value) for f in figures(question) if f.unit and f.value != 1}  # «一所初中» is an article
    return any(g.unit == u and g.value != v for g in figures(sentence) for u, v in asked)


def _recombined(seg: str, sentences: list[str], cited: list[Given], question: str, params: VerifierParams) -> bool:
    """The segment joins words no one source sentence joins (each measure only when fitted on)."""
    if params.local_grounding > 0:
        local = local_grounding(seg, sentences, question)
        if local is not None and local < params.local_grounding:
            return True
    return params.imported_words < IMPORTS_UNCHECKED and imported_words(seg, cited, question) > params.imported_words


def _core(claims: list[Claim], question: str) -> Claim | None:
    """The sentence that answers: the one sharing most with the question (the first on ties)."""
    q = bigrams(question)
    body = [c for c in claims if not c.is_label]
    return max(body, key=lambda c: len(q & bigrams(c.body)), default=None)


def verify_generated(
    text: str, sources: list[Given], question: str = "", known_units: frozenset[str] = frozenset(),
    params: VerifierParams | None = None, ask_judge: Callable[[str], str] | None = None,
) -> Checked:
    """Check each sentence; with `ask_judge` (a model's text completion), the sentences that
    pass are then put to the model as an entailment judge, which may only remove more."""
    params = params or load_params()
    claims = parse(text)
    kept, dropped, repaired = [], [], []
    for i, c in enumerate(claims):
        reason = _check(c, sources, question, known_units, params, _listed(claims, i)) \
            or earlier_comparison_problem(c.body, "\n".join(d.body for d in claims[:i]))
        if reason is None:
            kept.append(c)
        elif reason.startswith("repaired"):
            repaired.append(f"{c.body}（{reason}）")
            kept.append(c)
        else:
            dropped.append(f"{c.body}（{reason}）")
    if ask_judge is not None:
        body = [c for c in kept if not c.is_label]
        verdicts = judge(body, sources, ask_judge)
        for c, ok in zip(body, verdicts or []):
            if not ok:
                kept = [k for k in kept if k is not c]
                dropped.append(f"{c.body}（核查模型判定原文不能推出）")
    return _finish(claims, kept, dropped, repaired, question, len(sources))


def _listed(claims: list[Claim], i: int) -> tuple[str, ...]:
    """The list lines right after claim i when it leads them in (ends with ：)."""
    if not claims[i].leads_list:
        return ()
    out = []
    for d in claims[i + 1:]:
        if not d.prefix:
            break
        out.append(d.body)
    return tuple(out)


def _check(c: Claim, sources: list[Given], question: str, known_units: frozenset[str], params: VerifierParams,
           listed: tuple[str, ...] = ()) -> str | None:
    """None when the claim stands as cited; "repaired" when it was moved to the source that
    says it; else the reason it goes."""
    if c.is_label:
        return None
    valid = [m for m in dict.fromkeys(c.marks) if 1 <= m <= len(sources)]
    reason = problem(c.body, [sources[m - 1] for m in valid], question, known_units, params, listed) if valid else "未标注有效出处"
    here = grounding(c.body, "\n".join(sources[m - 1].full for m in valid) + "\n" + question) if valid else 0.0
    others = sorted(
        ((grounding(c.body, sources[j - 1].full + "\n" + question), j) for j in range(1, len(sources) + 1) if j not in valid),
        reverse=True,
    )
    if reason is None:
        # Supported, but another given source says it much more fully: the marker is wrong.
        # (A lead-in's or a verdict's wording is not what it cites a source for: «可以。» is
        # worded by no source, and one holding the word 可以 says it no better.)
        if listed or not content_words(c.body) or not (others and others[0][0] - here >= params.citation_margin):
            return None
        reason = "出处标注有误"
    # Re-attribute only a sentence its cited source does not speak of (wording not grounded
    # there, or no valid marker, or far better grounded elsewhere). One worded from its source
    # but wrong in a figure, an office or a denial is a wrong statement about that source: it
    # goes, it is not moved.
    elif here >= params.grounding or is_verdict(c.body, params):
        return reason  # a verdict is not worded from any source: another cannot be its ground
    other = next((j for g, j in others if g >= here and problem(c.body, [sources[j - 1]], question, known_units, params) is None), None)
    if other is None:
        return None if reason == "出处标注有误" else reason
    cite(c, [other])
    return f"repaired: {reason}"


def _finish(claims: list[Claim], kept: list[Claim], dropped: list[str], repaired: list[str], question: str, n: int) -> Checked:
    core = _core(claims, question)
    body = [c for c in kept if not c.is_label]
    if not body or (dropped and (core is None or not any(core is k for k in kept))):
        return Checked("", [], dropped, {}, repaired)
    used: list[int] = []
    out: dict[int, list[str]] = {}
    for c in kept:
        for m in dict.fromkeys(c.marks):
            if 1 <= m <= n:
                if m - 1 not in used:
                    used.append(m - 1)
                out.setdefault(m - 1, []).append(c.body)
    renumber = {old + 1: new for new, old in enumerate(used, 1)}
    return Checked(render(kept, renumber), used, dropped, out, repaired, kept)
