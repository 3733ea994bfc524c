"""``waiting for URL  (Operation) 3 s``: what the CLI shows while an SES request goes unanswered.

SES answers in well under a second.  A request that does not answer (a slow network, an endpoint that
accepts connections and never replies) would leave a terminal silent until the client's timeouts run out,
which looks like a hang.  A :class:`WaitingLine` is handed to the client as ``on_request``: from ``delay``
(1 s) into a request it shows one line on stderr, rewritten in place every second, and erases it when the
answer or the error arrives, so the one-line error starts on a clean line.  Only on a terminal: a log or a
pipe gets the error line alone.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["WaitingLine"]


class WaitingLine:
    """One "waiting for ..." line for the oldest request still pending (several threads may be waiting).

    ``tty`` (default: ``stream.isatty()``) decides whether anything is shown; ``clock`` and ``autotick``
    (a thread calling :meth:`tick` every ``interval`` seconds) let a test drive it by hand.
    """

    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None,
                 clock: Callable[[], float] = time.monotonic, delay: float = 1.0, interval: float = 0.25,
                 autotick: bool = True) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)()) if tty is None else tty
        self.clock = clock
        self.delay = delay
        self.interval = interval
        self.autotick = autotick
        self._pending: dict[int, tuple[str, str, float]] = {}  # token -> (url, operation, started)
        self._next = 0
        self._shown = 0  # width of the line on the terminal; 0 = none
        self._line = ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @contextmanager
    def request(self, url: str, operation: str) -> Iterator[None]:
        """Around one SES request (the client's ``on_request``)."""
        if not self.tty:
            yield
            return
        with self._lock:
            token = self._next
            self._next += 1
            self._pending[token] = (_printable(url), operation, self.clock())
            if self.autotick and self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="ses-waiting-line", daemon=True)
                self._thread.start()
        try:
            yield
        finally:
            with self._lock:
                self._pending.pop(token, None)
                if not self._pending:
                    self._erase()

    def tick(self) -> None:
        """Show (or update) the line once the oldest pending request has waited ``delay`` seconds."""
        with self._lock:
            if not self._pending:
                return
            url, operation, started = min(self._pending.values(), key=lambda p: p[2])
            waited = self.clock() - started
            if waited < self.delay:
                return
            line = f"waiting for {url}  ({operation}) {int(waited)} s"[:self._width()]
            if line != self._line:
                self._write("\r" + line.ljust(self._shown))
                self._shown, self._line = len(line), line

    def close(self) -> None:
        """Stop the ticker and erase the line."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            self._erase()

    def __enter__(self) -> WaitingLine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------------ internals
    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.tick()

    def _erase(self) -> None:
        if self._shown:
            self._write("\r" + " " * self._shown + "\r")
            self._shown, self._line = 0, ""

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away (closed, hung up): nothing to show it on
            pass

    def _width(self) -> int:
        """One column short of the terminal: a line that wraps cannot be rewritten with a carriage return."""
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (AttributeError, OSError, ValueError):
            columns = 0
        return max(20, columns - 1) if columns else 79  # a pty nobody sized reports 0 columns


def _printable(text: str) -> str:
    """A URL from a config file must not smuggle terminal escapes onto the screen."""
    return "".join(c if c.isprintable() else "?" for c in text)
