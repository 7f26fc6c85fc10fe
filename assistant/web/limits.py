"""Per-client pacing for the page and its API: a token bucket per client address."""
from __future__ import annotations

import threading
import time
from typing import Callable

# Addresses remembered at most; beyond this, buckets that have refilled are forgotten (they
# carry no state a new bucket would not), so a flood of addresses cannot grow memory.
MAX_TRACKED = 10_000


class RateLimiter:
    """`burst` questions at once, then one every 60/`per_minute` seconds, per client."""

    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = max(1, burst)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, when counted)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def wait_for(self, key: str) -> float:
        """0 when `key` may ask now (and the question is counted), else seconds until it may."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / self.rate
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > MAX_TRACKED:
                self._forget_full(now)
            return 0.0

    def _forget_full(self, now: float) -> None:
        full = [k for k, (t, then) in self._buckets.items() if t + (now - then) * self.rate >= self.burst]
        for k in full:
            del self._buckets[k]

    def refusal(self, key: str) -> str | None:
        """The Chinese message for a client over its pace, or None when it may ask."""
        wait = self.wait_for(key)
        if not wait:
            return None
        return (f"提问过于频繁：每个地址每分钟最多 {self.rate * 60:g} 个问题（连续最多 {self.burst} 个），"
                f"请 {max(1, round(wait))} 秒后再试。")


def client_key(request) -> str:
    """The client's address as the server saw it (a gradio Request), or a shared key."""
    client = getattr(request, "client", None)
    return getattr(client, "host", None) or "unknown"


# Upload requests per client address per minute on Gradio's upload route. The admin box sends
# one request per selection (however many files), so 10 a minute is far above use; with the
# per-file size cap it bounds what one address can write to the temporary folder.
UPLOADS_PER_MINUTE = 10


class UploadGuard:
    """ASGI middleware in front of Gradio's file-upload route, which anyone who can reach the
    page may call: closed (403) when the page has no upload box, paced per address otherwise."""

    def __init__(self, app, uploads_enabled: bool, pace: RateLimiter | None = None) -> None:
        self.app, self.enabled = app, uploads_enabled
        self.pace = pace or RateLimiter(UPLOADS_PER_MINUTE, UPLOADS_PER_MINUTE)

    async def __call__(self, scope, receive, send):
        if scope.get("type") == "http" and scope.get("method") == "POST" and scope.get("path", "").endswith("/upload"):
            if not self.enabled:
                return await _refuse(send, 403, "此页面未启用上传（未设置管理员密码）。")
            host = (scope.get("client") or ("unknown",))[0]
            wait = self.pace.wait_for(host)
            if wait:
                return await _refuse(send, 429, f"上传过于频繁：每个地址每分钟最多 {UPLOADS_PER_MINUTE} 次，请 {max(1, round(wait))} 秒后再试。")
        return await self.app(scope, receive, send)


async def _refuse(send, status: int, message: str) -> None:
    import json

    body = json.dumps({"detail": message}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
