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


class AdminGate:
    def __init__(self, password: str | None, clock=time.monotonic) -> None:
        self._password = password.encode() if password else None
        self._clock = clock
        self._failures: list[float] = []
        self._locked_until = 0.0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._password is not None

    def check(self, given: object) -> str | None:
        """None when the password is right; else the message to show."""
        if self._password is None:
            return "未设置管理员密码，不能上传"
        now = self._clock()
        with self._lock:
            if now < self._locked_until:
                return f"密码错误次数过多，请 {int(self._locked_until - now) + 1} 秒后再试"
            if hmac.compare_digest(str(given or "").encode(), self._password):
                self._failures.clear()
                return None
            self._failures = [t for t in self._failures if now - t < FAILURE_WINDOW_S] + [now]
            log.warning("admin password rejected (%d within %.0f s)", len(self._failures), FAILURE_WINDOW_S)
            if len(self._failures) >= MAX_FAILURES:
                self._locked_until = now + LOCKOUT_S
                log.warning("admin upload locked for %.0f s after %d wrong passwords", LOCKOUT_S, len(self._failures))
            return "密码错误，未收录"


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
