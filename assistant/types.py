"""Core domain types shared by ingest and answering.

Framework types (LangChain ``Document``, Chroma rows) are produced from these only
at the storage edge (``assistant.store``); nothing here subclasses them.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # retrieval's own types, named here only for the chain state
    from .retrieve.hybrid import Hit
    from .retrieve.query import QueryInfo

Level = Literal["national", "province", "city", "county", "unknown"]
# law: laws and regulations (章/条); notice: 通知/函/批复; plan: plans, opinions, programmes.
DocKind = Literal["law", "notice", "plan", "report", "news", "other"]
ClauseKind = Literal["clause", "section", "table", "case", "preamble"]


def row_text(header: tuple[str, ...], row: tuple[str, ...]) -> str:
    """A table row as its chunk holds it, «列名：值；列名：值» (a serial-number column left out)."""
    cells = [f"{h}：{v}" for h, v in zip(header, row) if v and h != "序号"]
    return "；".join(cells)


def doc_name(title: str, number: str | None, forwarded_by: str | None = None) -> str:
    """《title》（文号）. A document without a number of its own that a notice forwards (an
    attached opinion, a 请示) is named with that notice's number, which is how staff find it."""
    if number:
        return f"《{title}》（{number}）"
    return f"《{title}》（{forwarded_by}转发）" if forwarded_by else f"《{title}》"


@dataclass(frozen=True)
class Document:
    """One policy document. A forwarding notice and the document it forwards are two."""

    doc_id: str
    title: str
    doc_number: str | None
    issuer: str | None
    date: str | None  # ISO: YYYY-MM-DD or YYYY-MM
    level: Level
    kind: DocKind
    source: str  # file name inside the corpus
    content_hash: str
    notice_title: str | None = None  # e.g. 关于印发…的通知 when the title is the attached plan
    forwarded_by: str | None = None  # doc_number of the notice that forwards this one
    forwards: str | None = None  # doc_number of the document this notice forwards


@dataclass(frozen=True)
class Clause:
    """One record: a clause/item of a government document, a report section, table or case."""

    clause_id: str
    doc_id: str
    kind: ClauseKind
    clause_path: tuple[str, ...]
    text: str
    responsible_units: tuple[str, ...] = ()
    lead_units: tuple[str, ...] = ()  # the 牵头 units among them (else the first listed)
    page: int | None = None
    page_end: int | None = None
    char_start: int = 0
    char_end: int = 0
    table_header: tuple[str, ...] = ()
    table_rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Chunk:
    """What gets embedded and searched: a clause, or a piece of a long section/table."""

    chunk_id: str
    clause_id: str
    doc_id: str
    ordinal: int
    text: str  # verbatim piece of the clause text (quotes come from here)
    embed_text: str  # text + title + heading path, what the embedder sees


@dataclass(frozen=True)
class Citation:
    doc_title: str
    doc_number: str | None
    issuer: str | None
    date: str | None
    clause_path: tuple[str, ...]
    responsible_units: tuple[str, ...]
    quote: str
    source: str
    page: int | None
    clause_id: str = ""
    level: str = "unknown"
    lead_units: tuple[str, ...] = ()  # the 牵头 units among responsible_units
    forwarded_by: str | None = None  # 文号 of the notice that forwards this document

    @property
    def doc_name(self) -> str:
        return doc_name(self.doc_title, self.doc_number, self.forwarded_by)

    def to_json(self) -> dict:
        d = asdict(self)
        d["clause_path"] = list(self.clause_path)
        d["responsible_units"] = list(self.responsible_units)
        d["lead_units"] = list(self.lead_units)
        return d


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    found: bool
    citations: tuple[Citation, ...] = ()
    rewritten_question: str | None = None
    notice: str | None = None
    mode: str = "extractive"
    p: float | None = None  # the answerability model's probability for the evidence used
    closest: tuple[Citation, ...] = ()  # with a refusal: the nearest clauses, not an answer

    @property
    def read_as(self) -> str | None:
        """The question as it was read, when the history filled something in (a follow-up):
        staff see what was answered and can ask again in full when it was misread."""
        read = (self.rewritten_question or "").strip()
        if not read or read.rstrip("？?。") == self.question.strip().rstrip("？?。"):
            return None
        return read

    def to_json(self) -> dict:
        # The notice (LLM fell back, sentences removed) belongs to what the reader sees.
        out = {
            "answer": f"【提示】{self.notice}\n{self.answer}" if self.notice else self.answer,
            "found": self.found,
            "citations": [c.to_json() for c in self.citations],
        }
        if self.closest:
            out["closest"] = [c.to_json() for c in self.closest]
        if self.read_as:
            out["read_as"] = self.read_as
        return out


@dataclass(frozen=True)
class ChainState:
    """What passes between the chain's steps: condense → retrieve → compose → verify."""

    question: str
    history: tuple[dict, ...] = ()
    doc_ids: tuple[str, ...] = ()  # documents the caller restricts the search to
    level: str | None = None
    mode: str | None = None  # per-question answer mode override
    standalone: str = ""  # the question with what it leaves to the history filled in
    follows: bool = False  # whether the question was read as depending on the history
    info: "QueryInfo | None" = None
    hits: "tuple[Hit, ...]" = ()
    answer: Answer | None = None


@dataclass(frozen=True)
class ParsedFile:
    """Everything ingest derives from one source file."""

    source: str
    content_hash: str
    documents: tuple[Document, ...]
    clauses: tuple[Clause, ...]
    chunks: tuple[Chunk, ...] = field(default=())


def record(doc: Document, clause: Clause) -> dict:
    """The public JSON record of a clause (the `clauses --json` contract)."""
    return {
        "doc_id": doc.doc_id,
        "doc_title": doc.title,
        "doc_number": doc.doc_number,
        "issuer": doc.issuer,
        "date": doc.date,
        "level": doc.level,
        "forwarded_by": doc.forwarded_by,
        "clause_id": clause.clause_id,
        "kind": clause.kind,
        "clause_path": list(clause.clause_path),
        "responsible_units": list(clause.responsible_units),
        "lead_units": list(clause.lead_units),
        "text": clause.text,
        "source": doc.source,
        "page": clause.page,
        "page_end": clause.page_end,
        "char_start": clause.char_start,
        "char_end": clause.char_end,
    }


# How a source's header introduces its responsible units, for the model and for the verifier.
UNITS_LABEL = " › 责任单位："
# 、 between units, not inside a bracketed qualifier («各县［市、区］人民政府» is one unit).
_UNIT_SEP = re.compile(r"、(?![^［\[（(〔【]*[］\]）)〕】])")


@dataclass(frozen=True)
class Given:
    """One numbered source as the model saw it: its header line and its text."""

    header: str
    text: str

    @property
    def units(self) -> list[str]:
        """The 责任单位 the header lists (compose.llm.given writes them last, after UNITS_LABEL)."""
        if UNITS_LABEL not in self.header:
            return []
        return _UNIT_SEP.split(self.header.rpartition(UNITS_LABEL)[2])

    @property
    def full(self) -> str:
        return self.header + "\n" + self.text
