"""The preview pane: a status line over the preview tabs (Read, HTML, Text, MIME, SES, Parity).

:meth:`PreviewPane.show` applies one finished preview
(:class:`~ses_workbench.tui.preview_job.PreviewOutcome`): the lines of the tab that was visible when it
started, and the status line (✓ template · fixture, or ✗ file:line:col message). A render error keeps the
last good preview of the template on screen, dimmed under a banner that says it is stale, since when, and
the error; a local tab that was not built from that render builds it then. When there is no good render
yet (or the views hold an outbox message) the local tabs show the error instead. The SES and Parity tabs
only show answers for the open template (:meth:`reset_ses_views` on every switch).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.strip import Strip
from textual.widgets import Static, TabbedContent, TabPane

from ses_workbench.tui import reading
from ses_workbench.tui.messages import SesPanel
from ses_workbench.tui.preview_job import PreviewOutcome, tab_lines
from ses_workbench.tui.widgets.lines_view import LinesView

#: Preview tabs, in order: (tab id, label).
PREVIEW_TABS: tuple[tuple[str, str], ...] = (
    ("read", "Read"),
    ("html", "HTML"),
    ("text", "Text"),
    ("mime", "MIME"),
    ("ses", "SES"),
    ("parity", "Parity"),
)
#: The preview tabs the local render fills (the others show SES's answers).
LOCAL_PREVIEW_TABS = ("read", "html", "text", "mime")
RENDER_ERROR_STYLE = Style(color="red")
STALE_BANNER_STYLE = Style(color="#ffd75f", bgcolor="#3a331f", bold=True)
STALE_STYLE = Style(dim=True)
SES_VIEW_PLACEHOLDERS = {
    "ses": "Press F7 (SES render) to render this template with TestRenderEmailTemplate.",
    "parity": "Press F8 (parity) to compare the local render with SES's.",
}


class PreviewPane(Vertical):
    """Status line + preview tabs; keeps the last good render of the open template."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.last_good: Any = None
        """The open template's last successful render (a RenderedEmail), None until there is one."""
        self.last_error: str | None = None
        """The last render's error as one line (``file:line:col: message``), None after a good one."""
        self._views_show_outbox = False
        self._status = ("", False)
        self._good_lines: dict[str, tuple[list[Strip], object]] = {}
        """The lines each local tab got from the last good render (built when that render came, or later
        from it when an error finds the tab without them)."""
        self._good_at: datetime | None = None
        self.clock: Callable[[], datetime] = datetime.now
        """When a render is good (the stale banner says since when)."""
        self.sender: str | None = None
        """The project's sender, for a MIME tab built here from the last good render."""

    def compose(self) -> ComposeResult:
        yield Static("", id="preview-status")
        with TabbedContent(id="preview-tabs", initial="pv-read"):
            for tab, label in PREVIEW_TABS:
                with TabPane(label, id=f"pv-{tab}"):
                    yield LinesView(id=f"view-{tab}")

    def on_mount(self) -> None:
        self.reset_ses_views()

    # ------------------------------------------------------------------------------------ typed access
    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#preview-tabs", TabbedContent)

    def view(self, tab: str) -> LinesView:
        return self.query_one(f"#view-{tab}", LinesView)

    @property
    def visible_tab(self) -> str:
        return (self.tabs.active or "pv-read").removeprefix("pv-")

    def show_tab(self, tab: str) -> None:
        self.tabs.active = f"pv-{tab}"

    def width_of(self, tab: str) -> int:
        """The width the lines of ``tab`` are wrapped to (80 before the first layout)."""
        return self.view(tab).scrollable_content_region.width or 80

    @property
    def status(self) -> tuple[str, bool]:
        """The status line: (text, is an error)."""
        return self._status

    # ------------------------------------------------------------------------------------ content
    def forget(self) -> None:
        """Another template opens: nothing of the previous one is kept as its last good render."""
        self.last_good = None
        self.last_error = None
        self._good_lines = {}
        self._good_at = None

    def reset_ses_views(self) -> None:
        """The SES and Parity tabs' placeholders (they only ever show the open template's answers)."""
        for view_id, text in SES_VIEW_PLACEHOLDERS.items():
            self.view(view_id).set_text(text)

    def show(self, outcome: PreviewOutcome, error: str | None, back_key: str) -> None:
        """Apply a finished preview; ``error`` is its error as one line (None: it rendered)."""
        extra = outcome.extra or {}
        if error is not None:
            # the last good preview (of this template) stays; the status line says what is wrong and where
            self.last_error = error
            self.set_status(f"✗ {error}", error=True)
            if self.last_good is None or self._views_show_outbox:
                # nothing of this template rendered yet (or the views hold an outbox message): they would
                # keep showing another email, so they show the error instead
                self._views_show_outbox = False
                self._show_render_error(outcome.template, error)
            else:
                self._show_stale(self.visible_tab, error)
            return
        self.last_error = None
        self._views_show_outbox = outcome.outbox is not None
        views = extra.get("views", {})
        if outcome.outbox is not None:
            self.set_status(f"✉ outbox message {outcome.outbox} · {back_key}: back to the live preview",
                            error=False)
        else:
            fixture = f"fixture {outcome.fixture}" if outcome.fixture else "no fixture"
            self.set_status(f"✓ {outcome.template} · {fixture}", error=False)
            if outcome.rendered is not self.last_good:
                self._good_lines = {}  # the other tabs were built from an older render
            self.last_good = outcome.rendered  # the template's own render, never an outbox message
            self._good_at = self.clock()
            self._good_lines.update(views)
        for tab, (lines, signature) in views.items():
            self.view(tab).set_lines(lines, signature)

    def show_panel(self, message: SesPanel) -> None:
        """A remote render or parity answer in its tab, which comes to the front."""
        view = self.view(message.tab)
        if message.lines is not None:
            view.set_lines(message.lines, None)
        else:
            view.set_text(message.body)
        self.show_tab(message.tab)

    def _show_stale(self, tab: str, error: str) -> None:
        """``tab`` shows the last good render, dimmed, under a banner: stale since when, and why."""
        if tab not in LOCAL_PREVIEW_TABS:
            return
        good = self._good_lines.get(tab)
        if good is None:  # this tab was never built from the last good render: build it now
            try:
                good = tab_lines(self.last_good, tab, self.width_of(tab), self.sender).get(tab)
            except Exception:  # noqa: BLE001 - the error text below still says what is wrong
                good = None
            if good is not None:
                self._good_lines[tab] = good
        width = max(self.width_of(tab), 20)
        view = self.view(tab)
        signature = ("stale", error, good[1] if good is not None else None, width, self._good_at)
        if view.signature == signature:
            return  # the same error over the same render: nothing to restyle
        since = "last good render" + (f" {self._good_at:%H:%M:%S}" if self._good_at is not None else "")
        banner = Text(f"⚠ stale: {since} — the current edit does not render: {error}", STALE_BANNER_STYLE)
        head = [*reading.wrapped_lines(banner, width), Strip.blank(0)]
        body = ([strip.apply_style(STALE_STYLE) for strip in good[0]] if good is not None
                else self._error_lines(error))
        view.set_lines([*head, *body], signature)

    @staticmethod
    def _error_lines(error: str) -> list[Strip]:
        return [Strip([Segment(line, RENDER_ERROR_STYLE)]) if line else Strip.blank(0)
                for line in error.split("\n")]

    def _show_render_error(self, template: str, error: str) -> None:
        """Put a render error in the local preview views (the template has no good render to keep)."""
        text = (f"✗ {template} cannot be rendered:\n\n{error}\n\n"
                "Fix it in the editor (or pick a fixture in the Data tab): the preview follows.")
        for tab in LOCAL_PREVIEW_TABS:
            self.view(tab).set_text(text, RENDER_ERROR_STYLE)

    def set_status(self, text: str, *, error: bool) -> None:
        """One fixed line above the preview (no relayout when an error comes or goes)."""
        if (text, error) == self._status:
            return
        self._status = (text, error)
        status = self.query_one("#preview-status", Static)
        status.update(Text(text), layout=False)  # error text may hold [brackets]: never markup
        status.set_class(error, "-error")


def describe_error(error: BaseException) -> str:
    """``file:line:col: message`` on one line (engine, layout and fixture errors carry their position)."""
    message = getattr(error, "message", None) or str(error)
    path = getattr(error, "path", None)
    where = Path(str(path)).name if path else getattr(error, "part", None)
    line, column = getattr(error, "line", None), getattr(error, "column", None)
    if where and line:
        where = f"{where}:{line}" + (f":{column}" if column else "")
    text = f"{where}: {message}" if where else str(message)
    return " ".join(text.split())[:300]


def fixture_error(error: BaseException) -> str | None:
    """The fixture JSON's parse error as the data pane shows it (None: not the fixture's fault)."""
    from ses_workbench.project import FixtureError

    if isinstance(error, FixtureError) or getattr(error, "is_fixture", False):
        line, column = getattr(error, "line", None), getattr(error, "column", None)
        where = f"line {line}, column {column}: " if line else ""
        return f"{where}{getattr(error, 'message', error)}"
    return None
