"""What a use case asks of the face that runs it: progress, one confirmation, notes.

Each SES use case of :class:`~ses_workbench.session.Session` is written once as *plan → ask → execute*.  The
face supplies a :class:`Ui`: the CLI prints and prompts (or takes ``--yes``), the TUI shows a modal, the
notebook answers with its ``yes=`` argument.  :class:`Plan` is what ``confirm`` is asked about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

__all__ = ["Answer", "Plan", "QuietUi", "Ui", "Severity"]

#: ``confirm``'s answer: go ahead, go ahead over the refusals that ``force`` lifts, or stop.
Answer = Literal["yes", "force", "no"]
Severity = Literal["information", "warning", "error"]


@dataclass
class Plan:
    """One question before an outward action.

    ``action``: ``push``, ``pull``, ``send``, ``prune``…; ``question``: one sentence ending in ``?``;
    ``details``: what will happen, a line each; ``refusals``: what will not, and why; ``forceable``: the
    refusals ``"force"`` would lift (a push over drift); ``subject``: the service's own plan object."""

    action: str
    question: str
    details: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    forceable: bool = False
    subject: Any = None


class Ui(Protocol):
    """The three things a use case needs from its face (each may be called from a worker thread)."""

    def progress(self, done: int, total: int, name: str) -> None:
        """``done`` of ``total`` steps; ``name`` is the step under way ("" at the end)."""

    def confirm(self, plan: Plan) -> Answer:
        """Ask once: ``"yes"``, ``"force"`` (when ``plan.forceable``) or ``"no"``."""

    def note(self, text: str, severity: Severity = "information") -> None:
        """One line the user should see (the switch to the embedded endpoint, the 2017 API…)."""


class QuietUi:
    """A :class:`Ui` that shows nothing and answers every question with ``answer`` (scripts, tests)."""

    def __init__(self, answer: Answer = "no") -> None:
        self.answer: Answer = answer
        self.notes: list[tuple[str, str]] = []

    def progress(self, done: int, total: int, name: str) -> None:
        return None

    def confirm(self, plan: Plan) -> Answer:
        return self.answer

    def note(self, text: str, severity: Severity = "information") -> None:
        self.notes.append((text, severity))
