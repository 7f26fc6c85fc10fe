"""Which document does a question mean? Staff name documents loosely («省厅学习职教大会精神那个
通知», «2010年高招规定»), so besides the exact title and 文号 matching of the query analysis, each
document gets an affinity: the share of the question's title-like character bigrams its title
holds, each bigram weighted by how few titles share it. It is a signal for the answerability
model, never a filter."""
from __future__ import annotations

import math
from collections import defaultdict
from typing import Iterable

from ..types import Document
from ..zh import bigrams

# A bigram in more than this share of the titles (教育, 关于, 通知) says nothing about which
# document is meant; leaving it out also keeps a question's cost independent of corpus size.
MAX_TITLE_SHARE = 0.5


def title_text(d: Document) -> str:
    return " ".join(x for x in (d.title, d.notice_title, d.doc_number) if x)


class TitleIndex:
    def __init__(self, documents: Iterable[Document]):
        docs: dict[str, set[str]] = defaultdict(set)
        n = 0
        for d in documents:
            n += 1
            for b in bigrams(title_text(d)):
                docs[b].add(d.doc_id)
        self._docs = {b: ids for b, ids in docs.items() if len(ids) <= MAX_TITLE_SHARE * n}
        self._weight = {b: math.log(n / len(ids)) for b, ids in self._docs.items()}

    def affinity(self, question: str) -> dict[str, float]:
        """doc_id → share (0–1) of the question's weighted title bigrams found in its title."""
        found = [b for b in bigrams(question) if b in self._docs]
        total = sum(self._weight[b] for b in found)
        if not total:
            return {}
        score: dict[str, float] = defaultdict(float)
        for b in found:
            for doc_id in self._docs[b]:
                score[doc_id] += self._weight[b]
        return {doc_id: s / total for doc_id, s in score.items()}
