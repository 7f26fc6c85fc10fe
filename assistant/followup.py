"""Follow-up questions resolved with the conversation history (rule-based, offline).

«那中职呢？» after a question about 高职 funding → the previous question with 高职
replaced by 中职; «<city>的文件里这一条是怎么规定的？» → the previous topic, asked of that city.
The swappable terms are a data file; the places are those of the indexed documents."""
from __future__ import annotations

import re
from typing import Sequence

from .data import read_lines

CONTRAST_GROUPS = [line.split() for line in read_lines("contrasts.txt")]
LEVEL_TERMS = ["省里", "省级", "全省", "市里", "市级"]
_REFERS_BACK = re.compile(r"这一条|这条|该条|这项|这一项|该项|这个|这些|上述|同样的|它|其")
_ELLIPTIC_START = re.compile(r"^(那么?|那在|那如果|如果是|换成|还有|另外|对于)")
_LEVEL_WORDS = re.compile(r"省里|省级|全省|省政府|省里的|市里|市级")


def last_user(history: Sequence[dict]) -> str | None:
    for m in reversed(history or ()):
        if m.get("role") == "user" and str(m.get("content", "")).strip():
            return str(m["content"]).strip()
    return None


def is_follow_up(question: str, history: Sequence[dict]) -> bool:
    if not last_user(history):
        return False
    q = question.strip()
    return bool(
        _ELLIPTIC_START.match(q)
        or (len(q) <= 12 and re.search(r"怎么规定|如何规定|有什么规定|是多少|多少|呢|吗", q))
        or (q.endswith(("呢？", "呢?", "呢")) and len(q) <= 14)
        or _REFERS_BACK.search(q)
        or len(re.sub(r"[？?。！!，,\s]", "", q)) <= 5
    )


def rewrite(question: str, history: Sequence[dict], place_names: Sequence[str] = ()) -> str:
    """A standalone question for retrieval; the question itself when it stands alone."""
    if not is_follow_up(question, history):
        return question
    prev = last_user(history) or ""
    q = question.strip()
    core = re.sub(r"^(那么?|那在|那如果|如果是|换成|还有|另外|对于)", "", q)
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
    if _REFERS_BACK.search(q):
        # «<city>的文件里这一条…»: keep what the current question names, take the topic from before.
        names_place = any(p in q for p in place_names)
        topic = _LEVEL_WORDS.sub("", prev) if names_place else prev
        return f"{q} {topic}"
    return f"{prev} {core}".strip()
