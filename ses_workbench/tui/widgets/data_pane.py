"""The data pane: the template's fixtures, a JSON editor, and the attributes the template needs.

Switch fixtures with the select; add / duplicate / delete / fill-skeleton are app actions (the buttons
post :class:`DataPane.Action`). The JSON error line shows the parse error's line and column; the attribute
list marks which required attributes the current fixture lacks (or, while the JSON does not parse, says
their status is unknown).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Select, Static

from ses_workbench.attributes import AttributeStatus
from ses_workbench.tui.preview_job import attribute_label
from ses_workbench.tui.widgets.editor import PartEditor


class DataPane(Vertical):
    """Fixture select + buttons, JSON editor, error line, attribute list."""

    class FixtureChosen(Message):
        def __init__(self, name: str) -> None:
            self.name = name
            super().__init__()

    class Action(Message):
        """A button asked the app to run one of its actions (``new_fixture`` ...)."""

        def __init__(self, action: str) -> None:
            self.action = action
            super().__init__()

    def compose(self) -> ComposeResult:
        with Horizontal(id="fixture-bar"):
            yield Select[str]([], prompt="fixture", allow_blank=True, id="fixture-select", compact=True)
            yield Button("New", id="fx-new_fixture", compact=True)
            yield Button("Dup", id="fx-duplicate_fixture", compact=True)
            yield Button("Del", id="fx-delete_fixture", compact=True)
            yield Button("Skeleton", id="fx-skeleton", compact=True)
        yield PartEditor("fixture", language="json", id="fixture-editor")
        yield Static("", id="fixture-error")
        with VerticalScroll(id="attributes"):
            yield Static("", id="attribute-list")

    @property
    def editor(self) -> PartEditor:
        return self.query_one("#fixture-editor", PartEditor)

    @property
    def select(self) -> Select[str]:
        return self.query_one("#fixture-select", Select)

    def set_fixtures(self, names: list[str], current: str | None) -> None:
        select = self.select
        options = [(name, name) for name in names]
        if getattr(self, "_names", None) != names:
            self._names = names
            with self.prevent(Select.Changed):
                select.set_options(options)
        with self.prevent(Select.Changed):
            if current is None:
                select.clear()
            elif select.value != current:
                select.value = current

    def set_error(self, message: str | None) -> None:
        if message == getattr(self, "_error", None):
            return
        self._error = message
        error = self.query_one("#fixture-error", Static)
        error.update(Text(f"✗ JSON {message}") if message else "")  # the parser's text is not markup
        error.set_class(bool(message), "-error")

    def set_attributes(self, rows: list[AttributeStatus], *, data_parses: bool = True) -> None:
        """List the attributes the template uses; ``data_parses`` False: the fixture JSON does not parse,
        so whether each is present is unknown (the list says so and marks none of them missing)."""
        if (rows, data_parses) == getattr(self, "_rows", None):
            return
        self._rows = (rows, data_parses)
        text = Text()
        text.append(f"Attributes used: {len(rows)}", style="bold")
        missing = sum(1 for r in rows if r.required and not r.present)
        if not data_parses:
            text.append(" — fixture does not parse: attribute status unknown", style="bold red")
        elif missing:
            text.append(f" — {missing} missing", style="bold red")
        for row in rows:
            text.append("\n")
            text.append_text(attribute_label(row, known=data_parses))
        self.query_one("#attribute-list", Static).update(text)

    @on(Select.Changed, "#fixture-select")
    def _changed(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, str):
            self.post_message(self.FixtureChosen(event.value))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id and event.button.id.startswith("fx-"):
            self.post_message(self.Action(event.button.id.removeprefix("fx-")))
