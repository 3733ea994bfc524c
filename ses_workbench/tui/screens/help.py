"""The help screen: every key (after keymap overrides) with what it does, and the list's state glyphs."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ses_workbench.tui.widgets.template_list import KIND_GLYPH, KIND_WORDS, STATE_GLYPHS


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,f1", "close", "Close", id="help.close")]

    def __init__(self, keys: list[tuple[str, str, str]]) -> None:
        super().__init__(classes="dialog")
        self._keys = keys

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, padding=(0, 1))
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("action", style="bold", no_wrap=True)
        table.add_column("what it does", ratio=1)
        for key, title, help_text in self._keys:
            table.add_row(key, title, help_text)
        states = Text("\nTemplate list: ", style="bold")
        for glyph, style, words in STATE_GLYPHS.values():
            states.append(glyph, style=style)
            states.append(f" {words}  ")
        states.append(KIND_GLYPH, style="cyan")
        states.append(f" {KIND_WORDS}  ")
        states.append("\n● unsaved edits   ✗n lint errors   !n warnings", style="")
        states.append("\nEvery action is also in the command palette (ctrl+p). Keys can be remapped by id in "
                      "ses-workbench.toml: [tui.keymap] push = \"f12\".", style="dim")
        with Vertical(classes="dialog-box wide"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll():
                yield Static(table)
                yield Static(states)

    def action_close(self) -> None:
        self.dismiss(None)
