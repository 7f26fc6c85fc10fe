"""The answering chain: condense (history) → retrieve → compose → verify, as LangChain
runnables, so another composer (the LLM mode) is one more step, not a second pipeline."""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Sequence

from functools import cached_property

from langchain_core.runnables import RunnableLambda

from .answerability import Model, load_model
from .compose.extractive import RETRIEVED, citation, compose, out_of_scope, rank_candidates, refusal, scope_reason, split_sentences
from .compose.llm import LLMComposer, LLMError, given
from .embed import embedder_id, make_embedder
from .followup import depends_on_history, has_own_topic, last_assistant, last_user, rewrite, stands_apart
from .retrieve.hybrid import FusionParams, HybridRetriever
from .retrieve.query import NUMBERED_LABEL, analyse, doc_places, expand, named_articles
from .retrieve.titles import TitleIndex
from .settings import Settings
from .store import IndexStore, add_words, check_embedder
from .structure.answer import compare_answer, targets_answer, unit_tasks_answer, wants_compare, wants_targets, wants_unit_tasks
from .structure.compare import align, default_docs
from .structure.targets import targets_due
from .structure.units import tasks_of
from .types import Answer, ChainState
from .verify import grounding, verify, verify_generated
from prompts import REFUSAL

LLM_SOURCES = 5
# Staff questions run to a sentence or two (the 763 of evals/bank/ are at most 60 characters); the
# whole question is embedded, at ~4 ms a character on 2 cores, so a pasted document would hold
# a worker for minutes. Longer input is refused with this limit named.
MAX_QUESTION_CHARS = 500
# Only the recent turns matter for reading a follow-up; older ones are dropped.
MAX_HISTORY_MESSAGES = 8


class PolicyAssistant:
    """Loads the index and models once; answers many questions."""

    def __init__(self, settings: Settings, params: FusionParams | None = None, model: Model | None = None):
        t0 = time.perf_counter()
        self.settings = settings
        store = IndexStore(settings)
        self.snap = store.load()
        self.snapshot_id = self.snap.path.name
        check_embedder(self.snap.state, embedder_id(settings.embedder))
        self.embedder = make_embedder(settings.embedder)
        add_words(self.snap.index.units)
        self.retriever = HybridRetriever(self.snap, store.dense(self.snap), self.embedder, params)
        self.model = model or load_model()
        self.documents = list(self.snap.documents.values())
        self.units = set(self.snap.index.units)
        self.known_units = frozenset(self.units)
        self.places = sorted({a for d in self.documents for a in doc_places(d)})
        self.titles = TitleIndex(self.documents)
        # A place no document issues for is still in scope where a national document names it
        # (a national table of provinces); a provincial or city text naming it is not enough.
        self._national_text = {d.doc_id: "\n".join(c.text for c in self.snap.clauses_of(d.doc_id))
                               for d in self.documents if d.level == "national"}
        if settings.answer_mode not in ("llm", "extractive"):
            raise ValueError(f"未知的回答模式 {settings.answer_mode!r}：请用 extractive 或 llm")
        self.llm = LLMComposer(settings) if settings.answer_mode == "llm" else None
        self.chain = (
            RunnableLambda(self._condense) | RunnableLambda(self._retrieve) | RunnableLambda(self._compose)
            | RunnableLambda(self._verify)
        )
        self.load_seconds = time.perf_counter() - t0
        threading.Thread(target=self.warm, daemon=True, name="warm-index").start()

    def warm(self) -> None:
        """Build now what the first question of its kind would otherwise wait for: the unit
        index and dense search's projection (when the snapshot did not save it). The targets
        were found when the snapshot was written; the retriever built the BM25 weights while
        loading."""
        from .structure.units import unit_index

        unit_index(self.snap)
        self.retriever.dense.prepare()

    # -- chain steps: each takes and returns a ChainState ----------------------------------
    def _condense(self, s: ChainState) -> ChainState:
        if not s.history or not depends_on_history(s.question, s.history):
            return replace(s, standalone=s.question)  # a question that stands alone is never merged
        return self._merged(s)

    def _merged(self, s: ChainState) -> ChainState:
        """The turn read with what it leaves to the history filled in."""
        if self._use_llm(s):
            try:
                return replace(s, standalone=self.llm.condense(s.question, s.history), follows=True)
            except LLMError:
                pass  # the rule-based rewrite is always there
        return replace(s, standalone=rewrite(s.question, s.history, self.places), follows=True)

    def _other_reading(self, s: ChainState) -> ChainState | None:
        """When the reading the follow-up decision chose finds no answer, the other reading
        of the turn, composed, if it finds one (else None). Read with the history, a turn
        that names a place or a document of its own is never merged, and the evidence must
        hold some of the turn's own words: a new topic the documents lack is not answered
        from the old one's clause. Read alone, a turn must name a topic of its own. Bank,
        follow-up turns (2026-12-08): fit 120→126 of 146, validation 36→37 of 51, no answer
        lost on either. The last guard was added after the test part showed a bare «那江苏呢？»
        answered alone from an unrelated clause (see the closing note of issue 11)."""
        if not last_user(s.history):
            return None  # no earlier question: there is no other reading
        if s.follows:
            if not has_own_topic(s.question, s.history):
                return None  # «那江苏呢？» alone asks nothing
            alt = replace(s, standalone=s.question, follows=False)
        elif stands_apart(s.question, s.history):
            return None
        else:
            alt = self._merged(s)
        alt = self._retrieve(replace(alt, info=None, hits=(), answer=None))
        if out_of_scope(alt.info):
            return None
        if alt.follows:
            ranked = self.candidates(alt)
            if not ranked or ranked[0].signals.turn_coverage <= 0:
                return None
        out = self._compose_reading(alt)
        return out if out.answer.found else None

    def _national_has(self, text: str) -> list[str]:
        """The national documents that name a place or 文号."""
        return [doc_id for doc_id, body in self._national_text.items() if text in body]

    def _use_llm(self, s: ChainState) -> bool:
        return self.llm is not None and s.mode != "extractive"

    def _retrieve(self, s: ChainState) -> ChainState:
        info = analyse(s.standalone, self.documents, self.units, self._national_has)
        if s.follows:
            current = analyse(s.question, self.documents, self.units, self._national_has)
            if current.doc_ids:  # what the user names now wins over what the history named
                info = replace(info, doc_ids=current.doc_ids, level=current.level)
            info = replace(info, turn=s.question, previous_answer=last_assistant(s.history))
        info = replace(info, title_affinity=self.titles.affinity(expand(s.standalone)),
                       absent_articles=self._absent_articles(s.question, info.doc_ids))
        doc_ids = s.doc_ids or info.doc_ids
        hits = self.retriever.search(s.standalone, info, doc_ids=doc_ids, level=s.level, k=RETRIEVED)
        if not hits and doc_ids and not s.doc_ids:
            hits = self.retriever.search(s.standalone, info, level=s.level, k=RETRIEVED)
        if info.years:
            info = replace(info, yearless_docs=self._yearless(info.years, hits))
        return replace(s, info=info, hits=tuple(hits))

    def _yearless(self, years: Sequence[str], hits) -> tuple[str, ...]:
        """The retrieved documents that mention none of the years asked: not in their text (the
        lexical index's postings), title, 文号 or date."""
        named = set().union(*(self.retriever.docs_with_token(y) for y in years))
        out = []
        for d in dict.fromkeys(h.doc for h in hits):
            head = " ".join((d.title, d.doc_number or "", d.notice_title or "", d.date or ""))
            if d.doc_id not in named and not any(y in head for y in years):
                out.append(d.doc_id)
        return tuple(out)

    def _absent_articles(self, question: str, doc_ids: Sequence[str]) -> tuple[str, ...]:
        """Articles the question names that none of the documents it names has."""
        named = named_articles(question)
        if not named or not doc_ids:
            return ()
        labels = {x for d in doc_ids for c in self.snap.clauses_of(d) for x in c.clause_path}
        if not any(NUMBERED_LABEL.match(x) for x in labels):
            return ()  # a document not parsed into articles cannot be said to lack one
        title = "、".join(f"《{self.snap.documents[d].title}》" for d in doc_ids)
        return tuple(f"{title}{shown}" for shown, variants in named
                     if not any(lbl.startswith(v) for lbl in labels for v in variants))

    def _compose(self, s: ChainState) -> ChainState:
        out = self._compose_reading(s)
        if out.answer.found or not s.history or out_of_scope(s.info):
            return out
        return self._other_reading(s) or out

    def _compose_reading(self, s: ChainState) -> ChainState:
        structured = self._structured(s)
        if structured is not None:
            return replace(s, answer=replace(structured, rewritten_question=s.standalone))
        hits = list(s.hits)
        if self._use_llm(s):
            ans = self._compose_llm(s, hits)
        else:
            ans = compose(s.question, s.info, hits, self.retriever.idf_of, self.model)
        return replace(s, answer=replace(ans, rewritten_question=s.standalone))

    # -- answers from the structure (units, province vs city, targets) ----------------------
    @cached_property
    def compare_docs(self) -> tuple[str, str] | None:
        return default_docs(self.snap)

    @cached_property
    def alignment(self) -> list:
        if not self.compare_docs:
            return []
        return align(self.snap, self.retriever.dense, *self.compare_docs)

    def _structured(self, s: ChainState) -> Answer | None:
        q, info = s.standalone, s.info
        if wants_unit_tasks(q, info):
            unit, lead_only = info.units[0], "牵头" in q
            tasks = [t for t in tasks_of(self.snap, unit, lead_only) if not info.doc_ids or t.doc.doc_id in info.doc_ids]
            return unit_tasks_answer(s.question, unit, tasks, lead_only)
        if self.compare_docs and wants_compare(q, info, *self.compare_docs):
            city_doc, prov_doc = self.compare_docs
            hits = self.retriever.search(q, info, doc_ids=(city_doc,), k=4)
            for h in hits:
                pair = next((p for p in self.alignment if p.city and p.city.clause.clause_id == h.clause.clause_id), None)
                if pair is not None and pair.province is not None:
                    return compare_answer(s.question, info, pair, self.retriever.idf_of)
            return None
        if wants_targets(q, info) and (not info.doc_ids or "哪些" in q):
            # «X提出到2018年要达到什么目标» asks one document's aim: a lookup, not the list.
            year = int(info.years[0])
            due = [t for t in targets_due(self.snap, year) if not info.doc_ids or t.doc.doc_id in info.doc_ids]
            # A question about named documents with none of their targets due: ask retrieval.
            return targets_answer(s.question, year, due) if due or not info.doc_ids else None
        return None

    def _compose_llm(self, s: ChainState, hits: list) -> Answer:
        """The offline gate stops only clear misses; otherwise the model sees the evidence,
        may answer with the refusal sentence, and the verifier checks what it writes."""
        if out_of_scope(s.info):
            return refusal(s.question, hits, reason=scope_reason(s.info))
        ranked = rank_candidates(s.info, hits, self.retriever.idf_of, self.model)
        sources = self._llm_sources(ranked)
        if not sources:
            return refusal(s.question, hits, ranked)
        extractive = compose(s.question, s.info, hits, self.retriever.idf_of, self.model)
        try:
            text = self.llm.answer(s.standalone, sources)
        except LLMError as e:
            return replace(extractive, notice=f"大模型暂时无法回答（{e}），以下为原文摘录。") if extractive.found else extractive
        if REFUSAL in text:
            return refusal(s.question, hits, ranked)
        judge = self._judge if self.settings.llm_judge else None
        checked = verify_generated(text, given(sources), s.standalone, self.known_units, ask_judge=judge)
        if not checked.text:
            if not extractive.found:
                return extractive
            return replace(extractive, notice="大模型的回答未能通过原文核验，以下为原文摘录。")
        cites = []
        for i in checked.used:
            claim = "".join(checked.claims[i])
            quote = max(split_sentences(sources[i].text), key=lambda x: grounding(claim, x))
            cites.append(citation(sources[i].doc, sources[i].clause, quote))
        notes = [f"已删除{len(checked.dropped)}句未能在原文中核实的内容。"] if checked.dropped else []
        if checked.repaired:
            notes.append(f"已将{len(checked.repaired)}句改标为实际出处。")
        notice = "".join(notes) or None
        return Answer(s.question, checked.text, True, tuple(cites), notice=notice, mode="llm", p=ranked[0].p)

    def _judge(self, prompt: str) -> str:
        """The model as entailment judge; a failure is no judgement (the checks decide)."""
        try:
            return self.llm.complete(prompt)
        except LLMError:
            return ""

    def _verify(self, s: ChainState) -> Answer:
        return verify(s.answer, self.snap, lambda a: refusal(a.question, list(s.hits)))

    # -- API ------------------------------------------------------------------------------
    def ask(
        self, question: str, history: Sequence[dict] = (), *, doc_ids: Sequence[str] = (), level: str | None = None,
        mode: str | None = None,
    ) -> Answer:
        if question is not None and not isinstance(question, str):
            raise ValueError(f"问题必须是文字，收到的是 {type(question).__name__} (question must be a string)")
        question = (question or "").strip()
        if not question:
            raise ValueError("问题为空 (empty question)")
        if len(question) > MAX_QUESTION_CHARS:
            raise ValueError(f"问题过长（{len(question)} 字）：请把问题控制在 {MAX_QUESTION_CHARS} 字以内，"
                             f"只写要问的事 (question longer than {MAX_QUESTION_CHARS} characters)")
        if any("\ud800" <= ch <= "\udfff" for ch in question):  # bytes that were not text (argv, a pipe)
            raise ValueError("问题含有无法识别的字节，不是有效的文字：请检查输入的编码（应为 UTF-8）(question is not valid text)")
        history = [m for m in list(history or ())[-MAX_HISTORY_MESSAGES:] if isinstance(m, dict)]
        state = ChainState(question, tuple(history), tuple(doc_ids), level, mode)
        return self.chain.invoke(state)

    def trace(self, question: str, history: Sequence[dict] = ()) -> ChainState:
        """The state after retrieval (for evals and diagnostics): what the question was read
        as and which clauses were found, before any answer is composed."""
        s = ChainState((question or "").strip(), tuple(history))
        return self._retrieve(self._condense(s))

    def candidates(self, state: ChainState):
        """The scored candidate evidences for a traced question, most probable first."""
        if out_of_scope(state.info):
            return []
        return rank_candidates(state.info, list(state.hits), self.retriever.idf_of, self.model)

    def sources(self, question: str, history: Sequence[dict] = ()) -> list:
        """The numbered sources LLM mode would give the model for this question (empty when
        the offline gate would refuse before the model)."""
        return self._llm_sources(self.candidates(self.trace(question, history)))

    def _llm_sources(self, ranked) -> list:
        """The evidence the model is given: the best candidates, or none when even the best is
        below the LLM gate's lower threshold."""
        if not ranked or ranked[0].p < self.model.llm_threshold:
            return []
        return [e.hit for e in ranked][:LLM_SOURCES]

    def resolve_docs(self, names: Sequence[str]) -> tuple[str, ...]:
        """--doc accepts a 文号, a doc id, or part of a title."""
        out = []
        for n in names:
            m = [d.doc_id for d in self.documents if n in (d.doc_id, d.doc_number) or n in d.title]
            if not m:
                raise ValueError(f"找不到文件 {n!r}（可用 policy-assistant docs 查看已收录文件）")
            out += m
        return tuple(dict.fromkeys(out))

