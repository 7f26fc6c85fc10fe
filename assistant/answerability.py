"""Does this evidence answer this question? A fitted model, not a keyword share.

Each candidate clause gets a vector of signals (dense similarity of the question to the
clause and to its best sentence, BM25, agreement of the rankings, coverage of the question's
salient words, entity checks); a logistic regression fitted on the fit part of the question
bank (`evals/fit_answerability.py`) turns them into a probability. Its parameters and the
operating points chosen on the validation part are numbers in `data/answerability.json`.

Pure: no I/O beyond reading that file once."""
from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path

from .data import DATA_DIR
from .zh import DOC_NUMBER

MODEL_FILE = DATA_DIR / "answerability.json"
_NUM = re.compile(r"\d+(?:\.\d+)?|[一二三四五六七八九十百千万]+[个所项名人元%]")
# A 文号, a title in 《》 or a name in quotes: a question naming one asks about that thing only.
_NAMED = re.compile(r"[\u4e00-\u9fff]{1,8}[〔\[(（]\d{4}[〕\])）]\d+号|《[^》]{2,40}》|[“\"]([^”\"]{2,20})[”\"]")
# Rankers agree on a clause when each puts it this high (a first page of results).
AGREE_DEPTH = 10
# The rank given to a clause a ranking did not return: beyond the depth the retriever takes
# from each ranking (FusionParams.depth, 40).
RANK_ABSENT = 100


@dataclass(frozen=True)
class Signals:
    """What is known about one (question, candidate clause) pair. Field order is the
    model's feature order."""

    dense: float  # question ↔ the clause's best chunk, cosine
    sentence: float  # question ↔ the clause's best sentence, cosine
    sentence_gap: float  # this clause's best sentence minus the best among all candidates
    dense_gap: float  # this clause's chunk cosine minus the best among all candidates
    bm25_share: float  # BM25 of this clause / best BM25 among candidates
    fused_share: float  # fused retrieval score / the top one
    rank: float  # position among the candidates, 0 = first
    agree: float  # share of the three rankers putting it in their first AGREE_DEPTH
    coverage: float  # IDF-weighted share of the question's content words in clause, path, title
    salient: float  # share of the three rarest question words found there
    picked_coverage: float  # coverage by the sentences that would be quoted
    missing_year: float  # 1: the question names a year the evidence lacks
    missing_named: float  # 1: a 文号, 《title》 or “name” in the question the evidence lacks
    number_missing: float  # 1: a figure is asked for and the quoted sentences have none
    quantity_missing: float  # 1: the kind of figure asked (元, 人, %, 年 …) is not in the quote
    quantity_missing_clause: float  # … nor anywhere in the clause
    focus_missing: float  # 1: the thing a 什么/哪 question asks for (机构, 证书 …) is not named there
    asks_quantity: float  # 1: the question asks for a figure
    quantity_support: float  # coverage of the question by the best sentence giving the figure asked
    sentence_coverage: float  # coverage of the question by the clause's best single sentence
    unseen: float  # share of the question's word weight found nowhere in the corpus (a made-up name)
    rarest_missing: float  # 1: the question's rarest word (its most specific) is not in the evidence
    local_place_elsewhere: float  # 1: a city of a covered province with no document, not named in the evidence
    mentioned_place_elsewhere: float  # 1: a place only national texts name (no document of its own), not in the evidence
    evidence_score: float  # the composer's own ranking score of this evidence
    turn_coverage: float  # coverage of a follow-up's own words (= coverage for a question that stands alone)
    repeats: float  # share of the quoted sentences' bigrams already in the previous answer (0 without one)
    # The same measures against the best of the candidates: a pointwise model compares a
    # clause with its rivals only through such gaps.
    coverage_gap: float = 0.0
    sentence_coverage_gap: float = 0.0
    turn_coverage_gap: float = 0.0
    heading_coverage: float = 0.0  # coverage by the clause's own heading (a plan's headings summarise the clause)
    # Each ranking's own verdict, log(1 + rank); a clause a ranking did not return gets RANK_ABSENT.
    dense_rank: float = 0.0
    bm25_rank: float = 0.0
    sentence_rank: float = 0.0
    # The weight of the most specific question word the corpus knows but this evidence lacks,
    # over the heaviest question word: a near-miss asks for something (字数, 校车) that other
    # documents name, while a colloquial paraphrase's missing words are in no document at all.
    missing_specific: float = 0.0
    title_match: float = 0.0  # how strongly the question's words point at this clause's document title

    def vector(self) -> list[float]:
        return [float(getattr(self, f.name)) for f in fields(self)]

    def to_json(self) -> dict:
        return {k: round(v, 4) for k, v in asdict(self).items()}


FEATURES = tuple(f.name for f in fields(Signals))


@dataclass(frozen=True)
class SentenceSignals:
    """What is known about one sentence of a candidate clause: which sentence to quote."""

    coverage: float  # IDF-weighted share of the question's words in the sentence
    coverage_gap: float  # … minus the best sentence of the clause
    similarity: float  # question ↔ sentence cosine
    similarity_gap: float  # … minus the clause's most similar sentence
    figure_given: float  # 1: a figure is asked and the sentence gives that kind
    figure_missing: float  # 1: a figure is asked and the sentence gives none of that kind
    heading: float  # 1: a bare heading or label
    position: float  # place in the clause, 0 = first, 1 = last
    length: float  # log of the character count
    turn_coverage: float  # coverage of a follow-up's own words (= coverage for a question that stands alone)
    repeats: float  # share of the sentence's bigrams already in the previous answer (0 without one)

    def vector(self) -> list[float]:
        return [float(getattr(self, f.name)) for f in fields(self)]


SENTENCE_FEATURES = tuple(f.name for f in fields(SentenceSignals))


def named_entities(question: str) -> list[str]:
    """文号, 《titles》 and “quoted names” the question names."""
    out = []
    for m in _NAMED.finditer(question):
        out.append(m.group(1) or m.group(0).strip("《》"))
    return out


def named_in(name: str, text: str) -> bool:
    """Whether the text bears a name the question gives. A 文号 as matched may carry the word
    before it («按教基一〔2010〕1号»): the number found with a shorter head is the one named."""
    if name in text:
        return True
    m = DOC_NUMBER.fullmatch(name)
    return bool(m) and any(name[i:] in text for i in range(1, len(m.group(1)) - 1))


def has_figure(text: str) -> bool:
    return bool(_NUM.search(text))


_WH = re.compile(r"(?:什么|哪(?:家|个|些|几位|几个|几类|种|类|级|一级)?)$")


def focus_words(question: str, stop: set[str]) -> list[str]:
    """The word a 什么/哪 question asks for: «委托哪家机构» → 机构, «持什么资格证书» → 资格证书."""
    from .zh import words as segment

    words = segment(question)
    out = []
    for i, w in enumerate(words[:-1]):
        if _WH.search(w):
            nxt = words[i + 1]
            if len(nxt) >= 2 and nxt not in stop and re.fullmatch(r"[\u4e00-\u9fff]+", nxt):
                out.append(nxt)
    return out


@dataclass(frozen=True)
class Logistic:
    """A standardised logistic regression over named inputs."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, x: dict[str, float]) -> float:
        z = self.intercept
        for name, m, sc, w in zip(self.features, self.mean, self.scale, self.coef):
            z += w * (x[name] - m) / (sc or 1.0)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, d: dict) -> "Logistic":
        return cls(tuple(d["features"]), tuple(d["mean"]), tuple(d["scale"]), tuple(d["coef"]), float(d["intercept"]))


# The gate sees the ranker's verdict on the best candidate and on the runner-up beside the
# best candidate's own signals: a question is answered when its best evidence is both likely
# and clearly ahead.
GATE_EXTRA = ("p_best", "p_margin")


@dataclass(frozen=True)
class Model:
    """Three fitted steps: `sentence` picks the sentence of a clause to quote; `rank` scores
    each candidate clause (is it the answer?); `gate` decides for the question from the best
    one (does the evidence answer at all?)."""

    rank: Logistic
    gate: Logistic
    threshold: float  # answer when the gate's p ≥ this (extractive mode; chosen on validation)
    llm_threshold: float  # below this even a model is not asked (LLM mode: clear misses only)
    info: dict
    sentence: Logistic | None = None  # None: sentences are chosen by word coverage alone

    def candidate_probability(self, s: Signals) -> float:
        return self.rank.probability(dict(zip(FEATURES, s.vector())))

    def answer_probability(self, best: Signals, p_best: float, p_second: float) -> float:
        x = dict(zip(FEATURES, best.vector()))
        x.update(p_best=p_best, p_margin=p_best - p_second)
        return self.gate.probability(x)

    def sentence_probability(self, s: SentenceSignals) -> float | None:
        return self.sentence.probability(dict(zip(SENTENCE_FEATURES, s.vector()))) if self.sentence else None

    def to_json(self) -> dict:
        out = {"rank": self.rank.to_json(), "gate": self.gate.to_json(), "threshold": self.threshold,
               "llm_threshold": self.llm_threshold, "info": self.info}
        if self.sentence:
            out["sentence"] = self.sentence.to_json()
        return out

    @classmethod
    def from_json(cls, d: dict) -> "Model":
        rank, gate = Logistic.from_json(d["rank"]), Logistic.from_json(d["gate"])
        sentence = Logistic.from_json(d["sentence"]) if d.get("sentence") else None
        unknown = (set(rank.features) | set(gate.features)) - set(FEATURES) - set(GATE_EXTRA)
        unknown |= set(sentence.features if sentence else ()) - set(SENTENCE_FEATURES)
        if unknown:
            raise ValueError(f"answerability model uses unknown features {sorted(unknown)}: refit it")
        return cls(rank, gate, float(d["threshold"]), float(d["llm_threshold"]), d.get("info", {}), sentence)


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> Model:
    return Model.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
