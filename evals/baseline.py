"""The naive baseline the report compares against: fixed 250-character chunks with 50
characters of overlap over the cleaned text, dense retrieval only (same embedder), top 3,
the first chunk as the answer, no refusal, no clause structure."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.embed import CachedEmbedder, make_embedder
from assistant.settings import Settings
from ingest.clean import clean_pages
from ingest.load import load_file
from ingest.meta import detect_segments

SIZE, OVERLAP, TOP = 250, 50, 3


def fixed_chunks(text: str, size: int = SIZE, overlap: int = OVERLAP) -> list[tuple[int, str]]:
    step = size - overlap
    return [(i, text[i : i + size]) for i in range(0, max(1, len(text) - overlap), step)]


class NaiveBaseline:
    def __init__(self, settings: Settings) -> None:
        self.embedder = CachedEmbedder(make_embedder(settings.embedder), settings.embed_cache_path)
        self.chunks: list[dict] = []
        for path in sorted(Path(settings.corpus_dir).iterdir()):
            if path.suffix.lower() not in (".txt", ".md", ".pdf"):
                continue
            lf = load_file(path, settings.max_file_mb)
            paras = clean_pages(lf.pages, lf.is_pdf)
            text, starts = "", []
            for p in paras:
                starts.append(len(text))
                text += p.text + "\n"
            segs = detect_segments(paras, path.stem)
            for off, body in fixed_chunks(text):
                k = max(i for i, s in enumerate(starts) if s <= off) if starts else 0
                seg = next((s for s in segs if s.start <= k < s.end), segs[0])
                self.chunks.append({"text": body, "doc_title": seg.title, "doc_number": seg.doc_number,
                                    "issuer": seg.issuer, "date": seg.date, "source": path.name})
        self.matrix = self.embedder.embed_passages([c["text"] for c in self.chunks])

    def ask(self, question: str) -> dict:
        q = self.embedder.embed_query(question)
        top = np.argsort(-(self.matrix @ q))[:TOP]
        cites = [
            {**{k: self.chunks[i][k] for k in ("doc_title", "doc_number", "issuer", "date", "source")},
             "clause_path": [], "responsible_units": [], "quote": self.chunks[i]["text"], "page": None}
            for i in top
        ]
        return {"answer": self.chunks[top[0]]["text"], "found": True, "citations": cites}
