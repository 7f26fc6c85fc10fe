"""Admin access for the page: the password compared as bytes (any Unicode), wrong attempts
throttled and logged without the password, and uploads that never replace another document."""
from __future__ import annotations

import hashlib
import hmac
import logging
import shutil
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

# Five wrong passwords within a minute lock the upload for a minute: a person mistyping is not
# slowed; a guesser gets five tries a minute instead of the 144 a second measured without it.
MAX_FAILURES = 5
FAILURE_WINDOW_S = 60.0
LOCKOUT_S = 60.0


# Addresses whose failures are remembered at most (older, unlocked ones are forgotten first).
MAX_TRACKED = 10_000


class AdminGate:
    """Wrong passwords are counted per client address: one address guessing is locked out,
    while the admin at another address can still sign in (a global lockout would let anyone
    keep the admin out with five wrong passwords a minute)."""

    def __init__(self, password: str | None, clock=time.monotonic) -> None:
        self._password = password.encode() if password else None
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._password is not None

    def check(self, given: object, client: str = "unknown") -> str | None:
        """None when the password is right; else the message to show."""
        if self._password is None:
            return "未设置管理员密码，不能上传"
        now = self._clock()
        with self._lock:
            until = self._locked_until.get(client, 0.0)
            if now < until:
                return f"密码错误次数过多，请 {int(until - now) + 1} 秒后再试"
            if hmac.compare_digest(str(given or "").encode(), self._password):
                self._failures.pop(client, None)
                return None
            recent = [t for t in self._failures.get(client, []) if now - t < FAILURE_WINDOW_S] + [now]
            self._failures[client] = recent
            log.warning("admin password rejected from %s (%d within %.0f s)", client, len(recent), FAILURE_WINDOW_S)
            if len(recent) >= MAX_FAILURES:
                self._locked_until[client] = now + LOCKOUT_S
                log.warning("admin upload locked for %s for %.0f s after %d wrong passwords", client, LOCKOUT_S, len(recent))
            if len(self._failures) > MAX_TRACKED:
                self._forget(now)
            return "密码错误，未收录"

    def _forget(self, now: float) -> None:
        for key in [k for k, ts in self._failures.items() if now - ts[-1] >= FAILURE_WINDOW_S]:
            del self._failures[key]
        for key in [k for k, t in self._locked_until.items() if t <= now]:
            del self._locked_until[key]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def keep_upload(src: Path, dest: Path) -> Path:
    """Copy an uploaded file into the upload folder under its own name; a different file of the
    same name is kept beside it (name-<hash>.ext), never over it. The temporary copy goes."""
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / Path(src.name).name
    if target.exists() and _digest(target) != _digest(src):
        target = dest / f"{target.stem}-{_digest(src)[:8]}{target.suffix}"
    shutil.copyfile(src, target)
    try:
        src.unlink()  # Gradio's temporary upload: not kept for anyone to fetch again
    except OSError:
        pass
    return target
