"""TokenBucket: exact long-run rate, burst, debt for big requests, thread safety (fake clock)."""

from __future__ import annotations

import threading
import time

from ses_workbench.ses.pacing import TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def test_first_call_is_free_then_one_per_period() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2.0, 1.0, clock=clock, sleep=clock.sleep)
    waits = [bucket.acquire() for _ in range(5)]
    assert waits[0] == 0.0
    assert all(abs(w - 0.5) < 1e-9 for w in waits[1:])
    assert abs(clock.now - 2.0) < 1e-9


def test_burst_then_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(10.0, 5.0, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        assert bucket.acquire() == 0.0
    assert abs(bucket.acquire() - 0.1) < 1e-9


def test_request_larger_than_burst_waits_for_the_deficit() -> None:
    clock = FakeClock()
    bucket = TokenBucket(10.0, 10.0, clock=clock, sleep=clock.sleep)
    assert bucket.acquire(10) == 0.0
    assert abs(bucket.acquire(50) - 5.0) < 1e-9


def test_unlimited_and_reconfigure() -> None:
    clock = FakeClock()
    bucket = TokenBucket(0, clock=clock, sleep=clock.sleep)
    assert all(bucket.acquire() == 0.0 for _ in range(100))
    bucket.configure(1.0, 1.0)
    bucket.acquire()
    assert abs(bucket.acquire() - 1.0) < 1e-9


def test_penalize_pushes_later_callers_back() -> None:
    clock = FakeClock()
    bucket = TokenBucket(1.0, 1.0, clock=clock, sleep=clock.sleep)
    bucket.acquire()
    bucket.penalize(2.0)
    assert abs(bucket.acquire() - 3.0) < 1e-9


def test_threads_share_the_rate() -> None:
    bucket = TokenBucket(200.0, 1.0)
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            bucket.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    assert len(stamps) == 40
    # 40 tokens at 200/s with one free: at least 39/200 s.
    assert elapsed >= 39 / 200 * 0.95
