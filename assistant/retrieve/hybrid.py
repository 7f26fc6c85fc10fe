"""Hybrid retrieval: dense (Chroma) + BM25 over jieba tokens, fused by reciprocal rank
fusion, then structure-aware boosts, grouped by clause (a matched chunk brings its clause)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..embed import as_unit, top_indices, unit_length
from ..store import Snapshot, tokenize
from ..records import SENTENCE_CHUNKS, SENTENCE_GROUPS, Groups, clause_rows_of, place_sentences
from ..types import Chunk, Clause, Document
from .query import QueryInfo, expand


@dataclass
class Hit:
    clause: Clause
    doc: Document
    chunk: Chunk  # best-matching chunk of the clause
    score: float
    dense: float  # cosine similarity of the best chunk
    lexical: float  # BM25 score of the best chunk
    chunks: list[Chunk] = field(default_factory=list)
    sentence: float = 0.0  # cosine similarity of the clause's best-matching sentence
    best_sentence: str = ""
    dense_rank: int | None = None  # rank of the clause's best chunk in each ranking (None: not in it)
    bm25_rank: int | None = None
    sentence_rank: int | None = None
    sentence_sims: dict[str, float] = field(default_factory=dict)  # each sentence of the clause ↔ the question

    @property
    def text(self) -> str:
        """The evidence text: the clause, or for a table the row groups that matched
        (a whole annex table is too long to quote from)."""
        if self.clause.kind == "table":
            return "\n".join(ch.text for ch in self.chunks)
        return self.clause.text


@dataclass(frozen=True)
class FusionParams:
    k: int = 60  # RRF constant
    # Ranker weights: the best recall@5 of the gold clause on the bank's fit part over a grid
    # (evals/fit_fusion.py: fit 0.952, validation 0.921, against 0.914 with all three at 1.0).
    w_dense: float = 1.0
    w_bm25: float = 1.5
    w_sentence: float = 1.5  # a clause's best sentence against the question
    depth: int = 40  # candidates taken from each ranker
    clause_boost: float = 0.05
    doc_boost: float = 0.02
    unit_boost: float = 0.01
    level_boost: float = 0.008


def _min(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


# Sentences looked at per clause wanted, before widening: most clauses hold a few sentences.
SENTENCES_PER_CLAUSE = 4
# Chunks whose sentences a question scores, at most: the best of the dense and of the BM25
# ranking, this many each. Chosen on the question bank (2026-12-05, evals.run --split fit and
# validation, corpus + real documents, 1,400 chunks): 100 passed 0.700 / 0.668 of fit /
# validation against 0.697 / 0.660 for 2,000 (every sentence) and 0.699 / 0.664 for 300 —
# sentences far from both rankings mostly add near-duplicates of the question's wording in
# the wrong clause; dev and the own set are unchanged. It also bounds a question's cost: at
# 100× the bundled corpus (43,000 chunks, 175,000 sentences) it scores ~1,000 sentences.
SENTENCE_POOL = 100


class HybridRetriever:
    def __init__(self, snapshot: Snapshot, dense, embedder, params: FusionParams | None = None) -> None:
        # dense: dense.SnapshotDense or dense.ChromaDense (the storage edge decides which)
        self.snap, self.dense, self.embedder = snapshot, dense, embedder
        self.params = params or FusionParams()
        # Document frequencies from the stored BM25 index (a token's column holds one entry per
        # chunk it occurs in), not by tokenising every chunk again at each start.
        bm = snapshot.bm25
        n = self.n_chunks = len(snapshot.chunks)
        if hasattr(bm, "idf"):
            self.idf = bm.idf()
        else:  # a bm25s index (a snapshot written before lexical.py)
            df = np.diff(np.asarray(bm.scores["indptr"]))
            self.idf = {t: math.log(1 + (n - int(df[i]) + 0.5) / (int(df[i]) + 0.5)) for t, i in bm.vocab_dict.items() if i < len(df) and df[i]}
        self.max_idf = math.log(1 + (n + 0.5) / 0.5)
        self._index_sentences()

    def _index_sentences(self) -> None:
        # One BLAS thread: the sentence product is small, and idle BLAS threads spinning after
        # it take the cores from the embedder's own threads (query embedding 23 → 68 ms here).
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
        sv = self.snap.sentences
        self.sent_vecs = as_unit(sv.vectors)
        self.sent_texts = sv.texts
        # Each sentence's clause as a small integer, for grouping the best sentences by clause.
        codes = getattr(sv.clause_ids, "codes", None)
        if codes is None:  # a snapshot written before the coded column
            code_of: dict[str, int] = {}
            codes = np.array([code_of.setdefault(c, len(code_of)) for c in sv.clause_ids], dtype=np.int32)
        self._sent_clause = codes
        # Each sentence row → the chunk that holds it: saved with the snapshot, or found now for
        # one written before it was.
        # The sentence rows of each chunk, as ranges of one sorted order: a pool's rows are
        # gathered per chunk, not found by a pass over every sentence.
        path = self.snap.path
        if all((path / f).exists() for f in (SENTENCE_CHUNKS, *SENTENCE_GROUPS)):
            self.sent_chunk, self._by_chunk, self._chunk_start = (
                np.load(path / f, mmap_mode="r").view(np.ndarray) for f in (SENTENCE_CHUNKS, *SENTENCE_GROUPS))
        else:
            index = self.snap.index
            rows = clause_rows_of(sv.clause_ids, index.clause_lookup.find)
            self.sent_chunk = place_sentences(rows, sv.texts, index, self.snap.clause_at, lambda i: self.snap.chunks[i].text)
            groups = Groups.of(self.sent_chunk, self.n_chunks)
            self._by_chunk, self._chunk_start = groups.order, groups.start

    def sentence_scores(self, qv: np.ndarray, pool: np.ndarray | None = None) -> np.ndarray:
        """Each sentence's cosine to the question; with `pool` (chunk indices), only the
        sentences of those chunks are scored and the rest are -inf."""
        return self._scored(qv, None if pool is None else self.pool_rows(pool))

    def _scored(self, qv: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
        """Each sentence's cosine to the question: of `rows` only (the rest -inf), or of all."""
        if not len(self.sent_vecs):
            return np.zeros(0)
        q = unit_length(qv)
        if rows is None:
            return self.sent_vecs @ q
        sims = np.full(len(self.sent_vecs), -np.inf, dtype=np.float32)
        sims[rows] = self.sent_vecs[rows] @ q
        return sims

    def pool_rows(self, pool: np.ndarray) -> np.ndarray:
        """The sentence rows of the pool's chunks."""
        start = self._chunk_start
        return (np.concatenate([self._by_chunk[start[c]: start[c + 1]] for c in pool]) if len(pool)
                else np.zeros(0, dtype=np.int64))

    def _pool(self, dense_order: list[int], bm25_order: np.ndarray) -> np.ndarray | None:
        """The chunks whose sentences a question scores: all of them up to SENTENCE_POOL chunks;
        beyond, the best SENTENCE_POOL by each ranking (a full pass over every sentence of a
        province's corpus is most of a question's time)."""
        if self.n_chunks <= SENTENCE_POOL:
            return None
        return np.unique(np.concatenate([np.asarray(dense_order[:SENTENCE_POOL], dtype=int),
                                         np.asarray(bm25_order[:SENTENCE_POOL], dtype=int)]))

    def docs_with_token(self, token: str) -> frozenset[str]:
        """The documents whose chunks hold a token (a year: «2022» is a jieba token of its own),
        from the lexical index's postings: no record is read."""
        ix = self.snap.index
        ords = np.unique(ix.chunk_doc[self.snap.bm25.chunks_with(token)])
        return frozenset(ix.doc_ids[o] for o in ords.tolist() if o >= 0)

    def idf_of(self, token: str) -> float:
        return self.idf.get(token, self.max_idf)

    def search(
        self, query: str, info: QueryInfo, *, doc_ids: tuple[str, ...] = (), level: str | None = None, k: int = 8
    ) -> list[Hit]:
        p = self.params
        n = min(p.depth, self.n_chunks)
        qv = self.embedder.embed_query(query)
        dense_rank, dense_sim, dense_order = self._dense_ranking(qv, doc_ids, level, n)
        # Lexical ranking: BM25 over jieba tokens, with user shorthand expanded.
        toks = tokenize(expand(query))
        scores = np.asarray(self.snap.bm25.get_scores(toks), dtype=float) if toks else np.zeros(self.n_chunks)
        mask = self.snap.chunk_mask(doc_ids, level)
        if mask is not None:
            scores = np.where(mask, scores, -1.0)
        order = top_indices(scores, max(n, min(SENTENCE_POOL, self.n_chunks)))
        bm25_rank = {int(i): r for r, i in enumerate(order[:n]) if scores[i] > 0}
        pool = self._pool(dense_order, order)
        rows = None if pool is None else self.pool_rows(pool)  # the sentences scored
        sent_sims = self._scored(qv, rows)
        sent_rank, best_sent = self._sentence_ranking(sent_sims, doc_ids, level, n, rows)
        # A chunk of one sentence («本法自1995年9月1日起施行。»): its own vector is that sentence read
        # with its document's title and path, which the bare sentence's vector lacks; when the
        # sentence ranker misses it, its dense rank stands in (only then: on the bank's fit and
        # validation parts, also lowering ranks it had cost a refused near-miss and the own set one
        # question, for the same gains).
        start = self._chunk_start
        for idx, r in dense_rank.items():
            if start[idx + 1] - start[idx] == 1 and idx not in sent_rank:
                sent_rank[idx] = r

        fused: dict[int, float] = {}
        for ranks, w in ((dense_rank, p.w_dense), (bm25_rank, p.w_bm25), (sent_rank, p.w_sentence)):
            for idx, r in ranks.items():
                fused[idx] = fused.get(idx, 0.0) + w / (p.k + r + 1)
        for idx in list(fused):
            fused[idx] += self._boost(idx, info)

        # Group by clause through the records' positions; only the k clauses kept are read.
        groups: dict[int, list[int]] = {}  # clause row → its fused chunks, best first
        chunk_clause = self.snap.index.chunk_clause
        for idx, _ in sorted(fused.items(), key=lambda x: -x[1]):
            row = int(chunk_clause[idx])
            groups.setdefault(row if row >= 0 else -2 - idx, []).append(idx)
        hits = []
        for g in list(groups.values())[:k]:  # in order of each clause's best chunk
            chunks = [self.snap.chunks[i] for i in g]
            best = best_sent.get(chunks[0].clause_id, (0.0, ""))
            hit = Hit(self.snap.clause_of_chunk(g[0]), self.snap.documents[chunks[0].doc_id], chunks[0], fused[g[0]],
                      max(dense_sim.get(i, 0.0) for i in g), max(float(max(scores[i], 0.0)) for i in g), chunks,
                      best[0], best[1])
            for i in g:
                hit.dense_rank = _min(hit.dense_rank, dense_rank.get(i))
                hit.bm25_rank = _min(hit.bm25_rank, bm25_rank.get(i))
                hit.sentence_rank = _min(hit.sentence_rank, sent_rank.get(i))
            hits.append(hit)
        self._attach_sentences(hits, sent_sims, qv)
        return hits

    def _dense_ranking(self, qv: np.ndarray, doc_ids, level, n: int):
        """Chunks ranked by their vectors within the filters: {index: rank} and {index: cosine}
        of the first n, and the order of up to SENTENCE_POOL (the sentence pool's share)."""
        rank, sim, order = {}, {}, []
        want = max(n, SENTENCE_POOL) if self.n_chunks > SENTENCE_POOL else n
        for idx, cos in self.dense.query(qv, want, doc_ids, level):
            order.append(idx)
            if len(rank) < n:
                rank[idx] = len(rank)
                sim[idx] = cos
        return rank, sim, order

    def _attach_sentences(self, hits: list[Hit], sims: np.ndarray, qv: np.ndarray) -> None:
        q = unit_length(qv)
        for h in hits:
            rows = self._clause_sentences(h.clause.clause_id)
            unscored = [r for r in rows if not np.isfinite(sims[r])]  # outside the sentence pool
            if unscored:
                sims[unscored] = self.sent_vecs[unscored] @ q
            h.sentence_sims = {self.sent_texts[r]: float(sims[r]) for r in rows}
            if not h.best_sentence and rows:
                best = max(rows, key=lambda r: sims[r])
                h.sentence, h.best_sentence = float(sims[best]), self.sent_texts[best]

    def _clause_sentences(self, clause_id: str) -> list[int]:
        """A clause's sentence rows, in text order: those of each of its chunks."""
        start = self._chunk_start
        return sorted(int(r) for c in self.snap.chunk_rows(clause_id) for r in self._by_chunk[start[c]: start[c + 1]])

    def _sentence_ranking(self, sims: np.ndarray, doc_ids, level, n: int, rows: np.ndarray | None = None):
        """Clauses ranked by their best sentence: {chunk index: rank}, {clause: (sim, sentence)}.
        With `rows` (the pool's sentences, the only ones scored), only those are ranked: a pass
        over every sentence row of a province's corpus would cost each question ~1 ms per
        175,000 sentences for rows that are -inf anyway."""
        rows = np.arange(len(sims)) if rows is None else np.sort(rows)  # in row order, whatever order the pool came in
        sims = sims[rows]
        keep = self.snap.chunk_mask(doc_ids, level)
        if keep is not None:
            chunk = self.sent_chunk[rows]
            sims = np.where(keep[np.maximum(chunk, 0)] & (chunk >= 0), sims, -np.inf)
        # A clause has several sentences: look at a few times n of the best, widening if the
        # clauses run out before n are found.
        width = SENTENCES_PER_CLAUSE * n
        order = top_indices(sims, width)  # positions in rows
        while len({int(self._sent_clause[rows[j]]) for j in order}) < n and width < len(sims):
            width *= 4
            order = top_indices(sims, width)
        ranks: dict[int, int] = {}
        found: dict[int, tuple[float, int]] = {}  # by the sentence's clause code: no id decoded per row
        for j in order:
            i = int(rows[j])
            code = int(self._sent_clause[i])
            if code in found or self.sent_chunk[i] < 0 or not np.isfinite(sims[j]):
                continue
            found[code] = (float(sims[j]), i)
            ranks.setdefault(int(self.sent_chunk[i]), len(ranks))
            if len(found) >= n:
                break
        ids = self.snap.sentences.clause_ids
        best = {ids[i]: (sim, self.sent_texts[i]) for sim, i in found.values()}
        return ranks, best

    def _boost(self, idx: int, info: QueryInfo) -> float:
        p = self.params
        ix = self.snap.index
        doc = self.snap.documents[ix.doc_ids[ix.chunk_doc[idx]]]
        b = 0.0
        if info.clause_labels or info.quoted or info.units:  # read the clause only when asked about it
            b += self._clause_boost(self.snap.clause_of_chunk(idx), info)
        if (info.doc_ids and doc.doc_id in info.doc_ids) or doc.doc_id in info.doc_hints:
            b += p.doc_boost
        if info.level and doc.level == info.level:
            b += p.level_boost
        elif not info.level and not info.doc_ids and doc.level == "province":
            b += p.level_boost  # the provincial text first when a city repeats it
        return b

    def _clause_boost(self, clause: Clause, info: QueryInfo) -> float:
        p = self.params
        b = 0.0
        if info.clause_labels and clause.clause_path:
            if any(clause.clause_path[-1].startswith(lbl) for lbl in info.clause_labels):
                b += p.clause_boost
        if info.quoted and clause.clause_path and any(x in clause.clause_path[-1] for x in info.quoted):
            b += p.clause_boost
        if info.units and any(u in clause.responsible_units for u in info.units):
            b += p.unit_boost
        return b
