"""Per-client pacing: the decision, with a clock the test moves."""
from __future__ import annotations

from assistant.web.limits import MAX_TRACKED, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_a_burst_is_allowed_then_one_question_per_interval():
    clock = Clock()
    pace = RateLimiter(per_minute=6, burst=2, clock=clock)
    assert pace.wait_for("a") == 0 and pace.wait_for("a") == 0
    assert 9.9 < pace.wait_for("a") <= 10.0  # one every 10 s at 6 a minute
    clock.t += 5
    assert 4.9 < pace.wait_for("a") <= 5.0  # a refused question does not cost a token
    clock.t += 5
    assert pace.wait_for("a") == 0
    assert pace.wait_for("b") == 0  # another address has its own bucket


def test_the_message_says_the_limit_and_the_wait_in_chinese():
    pace = RateLimiter(per_minute=30, burst=1, clock=Clock())
    assert pace.refusal("a") is None
    msg = pace.refusal("a")
    assert msg.startswith("提问过于频繁") and "每分钟最多 30 个问题" in msg and "2 秒后再试" in msg


def test_zero_means_no_limit_and_idle_addresses_are_forgotten():
    clock = Clock()
    assert all(RateLimiter(0, 1, clock).wait_for("a") == 0 for _ in range(100))
    pace = RateLimiter(per_minute=60, burst=1, clock=clock)
    for k in range(MAX_TRACKED):
        pace.wait_for(f"10.0.{k // 256}.{k % 256}")
    clock.t += 2  # every bucket has refilled: nothing worth remembering
    pace.wait_for("fresh")
    assert len(pace._buckets) <= 2
