"""Client-side pacing: a thread-safe token bucket so we never outrun SES's limits.

SES documents template operations as "no more than once per second" and throttles
sends at the account's ``MaxSendRate`` (recipients per second).  Rather than
provoking 429s and backing off, every :class:`~ses_workbench.ses.client.SesClient`
takes a token before each call: one bucket shared by all template operations of a
client, one for sends sized to the account's rate.

The bucket hands out *reservations*: under the lock a caller takes its tokens
(possibly going into debt) and learns how long to wait; it sleeps outside the lock.
Callers are therefore served in arrival order and the long-run rate is exact even
with many threads.  ``clock`` and ``sleep`` are injectable so tests run instantly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["TokenBucket", "UNLIMITED"]

UNLIMITED = float("inf")


class TokenBucket:
    """``rate`` tokens per second, holding at most ``burst`` (starts full).

    ``rate`` of ``inf`` (or ``<= 0``) disables pacing.  ``acquire(n)`` blocks until ``n``
    tokens are available and returns the seconds it waited; ``n`` may exceed ``burst``
    (a bulk call of 50 recipients at 10/s waits for the deficit).
    """

    def __init__(self, rate: float, burst: float = 1.0, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep
        self._rate = UNLIMITED
        self._burst = 1.0
        self._tokens = 0.0
        self._stamp = clock()
        self.configure(rate, burst)
        self._tokens = self._burst

    @property
    def rate(self) -> float:
        return self._rate

    @property
    def burst(self) -> float:
        return self._burst

    def configure(self, rate: float, burst: float | None = None) -> None:
        """Change the rate (and optionally the burst) — e.g. once GetAccount reports MaxSendRate."""
        with self._lock:
            self._refill()
            self._rate = UNLIMITED if rate is None or rate <= 0 else float(rate)
            if burst is not None:
                self._burst = max(float(burst), 1e-9)
            self._tokens = min(self._tokens, self._burst)

    def _refill(self) -> None:
        now = self._clock()
        if self._rate != UNLIMITED:
            self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now

    def reserve(self, n: float = 1.0) -> float:
        """Take ``n`` tokens now and return how many seconds the caller must wait before acting."""
        if n <= 0:
            return 0.0
        with self._lock:
            if self._rate == UNLIMITED:
                return 0.0
            self._refill()
            self._tokens -= n
            if self._tokens >= 0:
                return 0.0
            return -self._tokens / self._rate

    def acquire(self, n: float = 1.0) -> float:
        """Block until ``n`` tokens are ours; returns the seconds waited."""
        delay = self.reserve(n)
        if delay > 0:
            self._sleep(delay)
        return delay

    def penalize(self, seconds: float) -> None:
        """Push every later caller back by ``seconds`` (after a 429 the server wants a pause)."""
        if seconds <= 0:
            return
        with self._lock:
            if self._rate == UNLIMITED:
                return
            self._refill()
            self._tokens = min(self._tokens, 0.0) - seconds * self._rate
