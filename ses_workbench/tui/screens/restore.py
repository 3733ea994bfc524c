"""The Restore… dialog: what the trash and the backups keep (project.restore), newest first; one is picked.

The screen only shows the list and returns the chosen item; the caller restores it.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

from ses_workbench.project.restore import Restorable


class RestoreScreen(ModalScreen[Restorable | None]):
    """Pick a deleted template/fixture/part or a backup; Enter (or Restore) returns it, escape None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="restore.cancel")]

    def __init__(self, items: list[Restorable], root: Path) -> None:
        super().__init__(classes="dialog")
        self._items, self._root = items, root

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box wide"):
            yield Label("Restore from the trash or a backup", classes="dialog-title")
            yield Static("What is there now moves to .ses-workbench/trash/ first: nothing is lost.",
                         classes="dialog-body", markup=False)
            if self._items:
                yield OptionList(*(Option(item.label(self._root), id=str(i))
                                   for i, item in enumerate(self._items)), id="restore-list")
            else:
                yield Static("The trash and the backups are empty.", classes="dialog-body", markup=False)
            with Horizontal(classes="dialog-buttons"):
                if self._items:
                    yield Button("Restore", id="restore", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        if self._items:
            self.query_one(OptionList).focus()
        else:
            self.query_one("#cancel", Button).focus()

    def _chosen(self) -> Restorable | None:
        index = self.query_one(OptionList).highlighted
        return self._items[index] if index is not None else None

    @on(OptionList.OptionSelected, "#restore-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._items[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self._chosen() if event.button.id == "restore" else None)
