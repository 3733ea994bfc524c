"""Messages that cross widgets: posted by workers and threads, handled by the app, which owns the state.

Workers never touch widgets; they post one of these and an ``@on`` handler updates the screen. Messages
that belong to one widget are nested in that widget instead (``TemplateList.Selected`` ...).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.notifications import SeverityLevel

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.ses.client import SesClient
    from ses_workbench.tui.preview_job import PreviewOutcome


class FilesChanged(Message):
    """The watcher saw files change under the project root (one message per batch)."""

    def __init__(self, paths: set[Path]) -> None:
        self.paths = paths
        super().__init__()

    def can_replace(self, message: Message) -> bool:  # noqa: D401 - textual hook
        """Coalesce: a newer batch queued behind this one replaces it, carrying both sets of paths."""
        if isinstance(message, FilesChanged):
            message.paths |= self.paths
            return True
        return False


class PreviewRendered(Message):
    """A preview render finished (successfully or not); stale ones are dropped by sequence number."""

    def __init__(self, outcome: PreviewOutcome) -> None:
        self.outcome = outcome
        super().__init__()


class PreviewShown(Message):
    """A good preview is on screen (its HTML goes to the browser page when one is open)."""

    def __init__(self, html: str) -> None:
        self.html = html
        super().__init__()


class SesConnected(Message):
    """The SES environment is open (client ready); ``account`` is GetAccount's answer, or None."""

    def __init__(self, env_name: str, client: SesClient, account: Any, description: str, *,
                 seq: int = 0) -> None:
        self.env_name = env_name
        self.client = client    # the session's client (the session owns it and closes it)
        self.account = account
        self.description = description
        self.seq = seq          # which connection attempt this answers (the app keeps only the latest)
        super().__init__()


class SesStatus(Message):
    """Per-template deployment status for the current environment (name -> sync.TemplateStatus)."""

    def __init__(self, env_name: str, states: dict[str, Any]) -> None:
        self.env_name = env_name
        self.states = states
        super().__init__()


class LintDone(Message):
    """Lint results for some templates (``names``), every diagnostic in ``diagnostics``."""

    def __init__(self, names: list[str], diagnostics: list[Any], announce: bool = False) -> None:
        self.names = names
        self.diagnostics = diagnostics
        self.announce = announce
        super().__init__()


class SesPanel(Message):
    """A remote render or parity result to show in a preview tab (``tab`` = "ses" | "parity")."""

    def __init__(self, tab: str, template: str, body: str, ok: bool = True, *,
                 lines: list[Any] | None = None) -> None:
        self.lines = lines      # pre-rendered Strips (built in the worker), or None to show ``body``
        self.tab = tab
        self.template = template
        self.body = body
        self.ok = ok
        super().__init__()


class Notice(Message):
    """A one-line notification from a worker (errors: severity="error")."""

    def __init__(self, text: str, severity: SeverityLevel = "information") -> None:
        self.text = text
        self.severity = severity
        super().__init__()
