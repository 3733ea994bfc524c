"""The CLI's side of a session: :class:`CliUi` (progress on stderr, ``--yes`` or a prompt, one-line notes)
and :func:`open_session` (the parsed arguments → a :class:`~ses_workbench.session.Session`).

Asking uses ``input()`` only when stdin is a terminal; otherwise ``--yes`` is required (a usage error,
exit 2, without it).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from ses_workbench.cli import UsageError, require_env
from ses_workbench.cli.output import visible
from ses_workbench.project.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import Project
    from ses_workbench.ses.client import SesClient
    from ses_workbench.session import Answer, Plan, Session

__all__ = ["CliUi", "Progress", "ask", "note", "open_client", "open_session", "session_for"]


def note(text: str) -> None:
    """``ses-workbench: TEXT`` on stderr (control characters shown, not obeyed)."""
    print(f"ses-workbench: {visible(text)}", file=sys.stderr)


def ask(question: str, args: argparse.Namespace) -> bool:
    """Ask once: ``--yes`` → yes; a terminal → input(); otherwise a usage error (exit 2)."""
    if getattr(args, "yes", False):
        return True
    if not sys.stdin.isatty():
        raise UsageError("stdin is not a terminal: pass --yes to confirm")
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


class CliUi:
    """A session's :class:`~ses_workbench.session.Ui` on a terminal or in a log: progress on stderr as
    ``VERB done/total`` (see :class:`Progress`), ``confirm`` by ``--yes`` or a prompt, notes as
    ``ses-workbench: …`` lines.

    ``show(plan)`` prints the plan just before the question; :attr:`shown` tells whether it was asked.
    After the answer, progress goes on under ``after`` (``checking`` → ``pushing``).  Used as a context
    manager, so the progress line is cleared even when the command fails mid-way."""

    def __init__(self, args: argparse.Namespace, verb: str = "working", *, after: str | None = None,
                 show: Callable[[Plan], None] | None = None) -> None:
        self.args = args
        self.bar = Progress(verb)
        self.after = after
        self.show = show
        self.shown = False

    def progress(self, done: int, total: int, name: str) -> None:
        self.bar(done, total, name)

    def confirm(self, plan: Plan) -> Answer:
        self.bar.finish()
        self.shown = True
        if self.show is not None:
            self.show(plan)
        answer: Answer = "yes" if ask(plan.question, self.args) else "no"
        if self.after is not None:
            self.bar = Progress(self.after)
        return answer

    def note(self, text: str, severity: str = "information") -> None:
        self.bar.finish()
        note(text)

    def __enter__(self) -> CliUi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.finish()


def session_for(project: Project, env: str | None, **options: Any) -> Session:
    """``Session(project, env, ...)``; an unknown environment name is a usage error (exit 2) listing them."""
    from ses_workbench.session import Session

    require_env(project, env)
    try:
        return Session(project, env, **options)
    except ConfigError as exc:
        raise UsageError(exc.message) from None


@contextmanager
def open_session(project: Project, args: argparse.Namespace, env: str | None = None,
                 ui: CliUi | None = None) -> Iterator[Session]:
    """The session of an SES command (``--env``, or ``env``; ``--local``, ``--endpoint-url``, ``--api``),
    closed on the way out.  A request SES leaves unanswered shows "waiting for URL (Operation) N s" on a
    terminal after 1 s."""
    from ses_workbench.cli.waiting import WaitingLine

    env_name = env if env is not None else args.env
    with WaitingLine() as waiting:
        session = session_for(project, env_name, local=args.local, endpoint_url=args.endpoint_url,
                              api=getattr(args, "api", None), ui=ui or CliUi(args),
                              on_request=waiting.request)
        with session:
            yield session


@contextmanager
def open_client(project: Project, args: argparse.Namespace, env: str | None = None) -> Iterator[SesClient]:
    """The connected client of :func:`open_session` (for commands that call one service function)."""
    with open_session(project, args, env) as session:
        yield session.client()


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class Progress:
    """``progress(done, total, name)`` for a multi-template operation, on stderr.

    On a terminal: one line rewritten in place (count, current template, elapsed, time left).  Otherwise
    (CI logs, pipes): nothing for quick work, and one line every ``interval`` seconds (default 10,
    ``$SES_WORKBENCH_PROGRESS_INTERVAL``) once it runs long — a 300-template account at SES's one
    call per second takes about five minutes, and a silent log for that long looks hung.

    Used as a context manager, so the line is cleared even when the command fails mid-way and the
    one-line error starts on a clean line.
    """

    def __init__(self, verb: str, stream: TextIO | None = None, *, interval: float | None = None,
                 clock: Any = None) -> None:
        import time

        self.verb = verb
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        if interval is None:
            try:
                interval = float(os.environ.get("SES_WORKBENCH_PROGRESS_INTERVAL", "10"))
            except ValueError:
                interval = 10.0
        self.interval = interval
        self.clock = clock or time.monotonic
        self.started: float | None = None
        self.last_line: float | None = None
        self.shown = False    # a rewritable line is on the terminal
        self.logged = False   # at least one log line was written (non-terminal)

    def text(self, done: int, total: int, name: str, now: float) -> str:
        elapsed = now - (self.started if self.started is not None else now)
        line = f"{self.verb} {done}/{total}"
        if name and done < total:
            line += f" {name}"
        line += f" · {_duration(elapsed)}"
        if 0 < done < total and elapsed >= 1:
            line += f", ~{_duration(elapsed / done * (total - done))} left"
        return line

    def __call__(self, done: int, total: int, name: str) -> None:
        if total == 0:
            return
        now = self.clock()
        if self.started is None:
            self.started = now
        if self.tty:
            line = self.text(done, total, name, now)[:99]
            self.stream.write("\r" + line.ljust(60))
            self.stream.flush()
            self.shown = True
            if done >= total:
                self.finish()
            return
        if done >= total:
            if self.logged:
                self.stream.write(f"{self.verb} {total}/{total} done in {_duration(now - self.started)}\n")
                self.stream.flush()
            return
        since = now - (self.last_line if self.last_line is not None else self.started)
        if since >= self.interval and (self.last_line is not None or now - self.started >= self.interval):
            self.stream.write(self.text(done, total, name, now) + "\n")
            self.stream.flush()
            self.last_line = now
            self.logged = True

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()
            self.shown = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()
