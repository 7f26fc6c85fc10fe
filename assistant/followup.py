"""Follow-up questions: does a new turn depend on the history, and if so, what does it ask?

Whether it depends is a fitted decision (a logistic regression over a few cues of the new
turn and its overlap with the previous question; `evals/fit_followup.py` fits it on the
bank's fit part and writes `data/followup.json`). A turn that stands alone is never merged
with the old one. A dependent turn is rewritten by rule: «那中职呢？» after a question about
高职 funding → the previous question with 高职 replaced by 中职; «<city>的文件里这一条是怎么
规定的？» → the previous topic, asked of that city. Cue words and swappable terms are data
files; the places are those of the indexed documents."""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Sequence

from .answerability import Logistic
from .data import DATA_DIR, read_lines
from .places import find_places
from .zh import DOC_NUMBER, words

CONTRAST_GROUPS = [line.split() for line in read_lines("contrasts.txt")]
LEVEL_TERMS = ["省里", "省级", "全省", "市里", "市级"]
# Words that point back (这条, 其) and openings that continue (那……, 还有……): matched as
# jieba words, so 其 inside 其他 or 这 inside 这次会议 are not taken for them.
REFERS_BACK = set(read_lines("followup_refers.txt"))
OPENINGS = tuple(read_lines("followup_openings.txt"))
_ELLIPTIC_START = re.compile("^(" + "|".join(map(re.escape, OPENINGS)) + ")")
_LEVEL_WORDS = re.compile(r"省里|省级|全省|省政府|省里的|市里|市级")
_QUESTION_WORDS = set(read_lines("question_words.txt"))
MODEL_FILE = DATA_DIR / "followup.json"
DOCUMENT_KINDS = tuple(read_lines("document_kinds.txt"))


def last_user(history: Sequence[dict]) -> str | None:
    return _last(history, "user") or None


def last_assistant(history: Sequence[dict]) -> str:
    """The answer the asker was last given ("" when there is none)."""
    return _last(history, "assistant")


def _last(history: Sequence[dict], role: str) -> str:
    for m in reversed(history or ()):
        if m.get("role") == role and str(m.get("content", "")).strip():
            return str(m["content"]).strip()
    return ""


def _words(text: str) -> list[str]:
    return [w for w in words(text) if re.search(r"[\w\u4e00-\u9fff]", w)]


def content_words(text: str) -> set[str]:
    from .compose.extractive import STOP

    return {w for w in _words(text) if len(w) >= 2 and w not in STOP and w not in _QUESTION_WORDS and not w.isdigit()}


@dataclass(frozen=True)
class TurnCues:
    """Cues of a new turn, in the model's feature order."""

    opening: float  # starts with 那/那么/还有/换成 …
    ends_ne: float  # ends with 呢
    refers_back: float  # a word pointing back (这条, 其, 该项, 上述 …)
    length: float  # log of the character count
    new_words: float  # topic words (not places, levels, contrast terms) the previous question lacks
    shared: float  # share of its content words found in the previous question
    bare: float  # 1: nothing but places, levels, contrast terms and question words
    asks_back: float = 0.0  # 1: a clause ends in 呢 («高职那边呢，省厅怎么说的？»), not only the last
    anchored: float = 0.0  # 1: names a place, a 文号, a 《title》 or a document («教育法», «实施意见») of its own

    def vector(self) -> list[float]:
        return [float(getattr(self, f.name)) for f in fields(self)]


def cues(question: str, previous: str) -> TurnCues:
    q = question.strip()
    words = _words(q)
    own = content_words(q)
    prev = content_words(previous)
    swappable = {t for g in CONTRAST_GROUPS for t in g} | set(LEVEL_TERMS)
    places = {m.text for m in find_places(q)}
    # Topic words of its own: not a place, level or contrast term swapped into the old question.
    rest = {w for w in own if w not in swappable and not any(w in p or p in w for p in places)}
    return TurnCues(
        opening=float(bool(_ELLIPTIC_START.match(q))),
        ends_ne=float(bool(re.search(r"呢[？?。!！\s]*$", q))),
        refers_back=float(any(w in REFERS_BACK for w in words)),
        length=math.log(1 + len(re.sub(r"\s", "", q))),
        new_words=float(len(rest - prev)),
        shared=len(own & prev) / len(own) if own else 0.0,
        bare=float(not rest),
        asks_back=float(bool(re.search(r"呢[，,？?。!！\s]", q + " "))),
        anchored=float(bool(places) or bool(DOC_NUMBER.search(q)) or "《" in q or names_document(words)),
    )


def names_document(words: list[str]) -> bool:
    """«教育法», «实施意见» (jieba: 实施/意见): a word ending in a document kind, or the kind after a
    word that names it; a bare «意见» or «有什么规定» names none."""
    for i, w in enumerate(words):
        for k in DOCUMENT_KINDS:
            if w.endswith(k) and (len(w) > len(k) or i and len(words[i - 1]) > 1 and words[i - 1] not in _QUESTION_WORDS
                                  and re.fullmatch(r"[\u4e00-\u9fff]+", words[i - 1])):
                return True
    return False


@dataclass(frozen=True)
class FollowupModel:
    """The fitted logistic regression over TurnCues and its decision threshold."""

    lr: Logistic
    threshold: float
    info: dict

    def probability(self, c: TurnCues) -> float:
        return self.lr.probability(dict(zip((f.name for f in fields(TurnCues)), c.vector())))

    def to_json(self) -> dict:
        return {**self.lr.to_json(), "threshold": self.threshold, "info": self.info}


@lru_cache(maxsize=2)
def load_model(path=MODEL_FILE) -> FollowupModel:
    d = json.loads(path.read_text(encoding="utf-8"))
    return FollowupModel(Logistic.from_json(d), float(d["threshold"]), d.get("info", {}))


def depends_on_history(question: str, history: Sequence[dict], model: FollowupModel | None = None) -> bool:
    prev = last_user(history)
    if not prev:
        return False
    model = model or load_model()
    return model.probability(cues(question, prev)) >= model.threshold


def stands_apart(question: str, history: Sequence[dict]) -> bool:
    """Whether a turn names a place, a 文号, a 《title》 or a document of its own: read on its
    own, whatever the history («四川美育课时有要求吗？» after a question about 南平)."""
    return bool(cues(question, last_user(history) or "").anchored)


def has_own_topic(question: str, history: Sequence[dict]) -> bool:
    """Whether a turn names a topic of its own: «那江苏呢？» names only a place to swap into the
    previous question and asks nothing read alone."""
    return not cues(question, last_user(history) or "").bare


def rewrite(question: str, history: Sequence[dict], place_names: Sequence[str] = ()) -> str:
    """The standalone form of a question that depends on the history."""
    prev = last_user(history) or ""
    q = question.strip()
    core = _ELLIPTIC_START.sub("", q)
    core = re.sub(r"(的情况|的规定)?(呢|怎么样|如何)?[？?。!！]*$", "", core).strip()
    year_new, year_old = re.search(r"20\d\d年", core), re.search(r"20\d\d年", prev)
    if year_new and year_old and year_new.group() != year_old.group() and len(core) <= 8:
        return prev.replace(year_old.group(), year_new.group())
    places = sorted(place_names, key=len, reverse=True)  # 某某市 before 某某
    for group in CONTRAST_GROUPS + [LEVEL_TERMS[:3] + places + LEVEL_TERMS[3:]]:
        new = next((t for t in group if t in core), None)
        old = next((t for t in group if t in prev and t != new), None)
        if new and old and len(core) <= len(new) + 4:
            return prev.replace(old, new)
    if any(w in REFERS_BACK for w in _words(q)):
        # «<city>的文件里这一条…»: keep what the current question names, take the topic from before.
        names_place = any(p in q for p in place_names)
        topic = _LEVEL_WORDS.sub("", prev) if names_place else prev
        return f"{q} {topic}"
    return f"{prev} {core}".strip()
