"""A clock for tests that involve rate limits: time moves only when the test (or the code under test, through
``advance`` passed as its ``sleep``) says so."""

from __future__ import annotations


class ManualClock:
    """A monotonic clock that moves only when told: pass it as the local endpoint's ``clock`` (its rate
    limits) and its ``advance`` as a client's ``sleep``, so throttling tests never depend on how fast a
    loaded CI machine gets from one HTTP call to the next (a slow machine refills a bucket between calls)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
