"""The diff modal: local vs deployed per part, coloured unified diff, side by side when wide.

Used read-only by the diff key and as the push confirmation (``confirm`` / ``force`` buttons); it
returns ``"push"``, ``"force"`` or None.

With more than one template the modal is a list and a detail pane (as lazygit shows files): one line per
template with its +/- counts, and the diff of the highlighted one.  Only that diff is ever laid out, so
"push all" over 100 templates opens at once; drawing all of them in one scroll had blocked the event
loop for ~14 s (20,000 lines).
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

#: At this width and above the diff is shown in two columns.
SIDE_BY_SIDE_WIDTH = 140


def unified_text(lines: list[str]) -> Text:
    text = Text()
    for line in lines:
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("@@"):
            style = "cyan"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        else:
            style = ""
        text.append(line + "\n", style=style)
    return text


def side_by_side(lines: list[str]) -> Table:
    """Pair removed and added lines of each hunk into two columns (context on both sides)."""
    table = Table(expand=True, show_header=True, box=None, pad_edge=False, padding=(0, 1))
    old_label = next((line[4:] for line in lines if line.startswith("--- ")), "old")
    new_label = next((line[4:] for line in lines if line.startswith("+++ ")), "new")
    table.add_column(old_label, ratio=1, overflow="fold")
    table.add_column(new_label, ratio=1, overflow="fold")
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        for index in range(max(len(removed), len(added))):
            left = Text(removed[index], style="red") if index < len(removed) else Text("")
            right = Text(added[index], style="green") if index < len(added) else Text("")
            table.add_row(left, right)
        removed.clear()
        added.clear()

    for line in lines:
        if line.startswith(("+++", "---")):
            continue
        if line.startswith("@@"):
            flush()
            table.add_row(Text(line, style="cyan"), Text(line, style="cyan"))
        elif line.startswith("-"):
            removed.append(line[1:])
        elif line.startswith("+"):
            added.append(line[1:])
        else:
            flush()
            table.add_row(Text(line[1:], style="dim"), Text(line[1:], style="dim"))
    flush()
    return table


def change_counts(diff: Any) -> tuple[int, int]:
    """Lines added and removed over every part of ``diff``."""
    added = removed = 0
    for part in diff.parts:
        for line in part.lines:
            if line.startswith("+") and not line.startswith("+++"):
                added += 1
            elif line.startswith("-") and not line.startswith("---"):
                removed += 1
    return added, removed


def list_label(diff: Any) -> Text:
    """One line for the template list: name, what differs, +added -removed."""
    added, removed = change_counts(diff)
    label = Text(diff.name, style="bold")
    if getattr(diff, "error", None):
        return label.append(f"  {diff.error}", style="red")
    if diff.old is None or diff.new is None:
        label.append(f"  only in {diff.new_label if diff.old is None else diff.old_label}", style="yellow")
    else:
        changed = [p.part for p in diff.parts if p.changed]
        label.append(f"  {', '.join(changed) if changed else 'same'}", style="dim" if not changed else "")
    if added or removed:
        label.append("  ")
        label.append(f"+{added}", style="green")
        label.append(" ")
        label.append(f"-{removed}", style="red")
    return label


class DiffScreen(ModalScreen[str | None]):
    """Per-part diffs of one or more templates; optional push/force buttons."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="diff.close"),
        Binding("enter", "confirm", "Confirm", id="diff.confirm", show=False),
    ]

    side: reactive[bool] = reactive(False)
    """Two columns (wide terminal) instead of one unified column."""

    def __init__(self, title: str, diffs: list[Any], *, summary: str = "", refusals: list[str] | None = None,
                 confirm: str | None = None, force: str | None = None) -> None:
        super().__init__(classes="dialog")
        self._title = title
        self._diffs = diffs
        self._summary = summary
        self._refusals = refusals or []
        self._confirm = confirm
        self._force = force

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box wide", id="diff-box"):
            yield Label(self._title, classes="dialog-title")
            if self._summary:
                yield Static(self._summary, classes="dialog-body", markup=False)
            for refusal in self._refusals:
                yield Static(Text(f"✗ refused: {refusal}", style="bold red"), classes="refusal")
            if len(self._diffs) > 1:
                yield OptionList(*(Option(list_label(d), id=str(i)) for i, d in enumerate(self._diffs)),
                                 id="diff-list")
            with VerticalScroll(id="diff-scroll"):
                yield Static(id="diff-body")
            with Horizontal(classes="dialog-buttons"):
                if self._confirm:
                    yield Button(self._confirm, id="push", variant="primary")
                if self._force:
                    yield Button(self._force, id="force", variant="error")
                yield Button("Close" if not (self._confirm or self._force) else "Cancel", id="close")

    selected: reactive[int] = reactive(0)
    """Index of the template whose diff is shown (the list's highlighted line)."""

    def on_mount(self) -> None:
        self.side = self.app.size.width >= SIDE_BY_SIDE_WIDTH
        self._show()
        # a force push overwrites what SES holds: Cancel has the focus then, so Enter on open pushes nothing
        if self._force:
            self.query_one("#close", Button).focus()
        else:
            self.query(Button).first().focus()

    @on(OptionList.OptionHighlighted, "#diff-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.selected = event.option_index

    def watch_selected(self) -> None:
        if self.is_mounted:
            self._show()
            self.query_one("#diff-scroll", VerticalScroll).scroll_home(animate=False)

    def on_resize(self, event: Resize) -> None:
        self.side = self.app.size.width >= SIDE_BY_SIDE_WIDTH

    def watch_side(self) -> None:
        if self.is_mounted:
            self._show()

    def _show(self) -> None:
        from rich.console import Group

        blocks: list[Any] = []
        shown = self._diffs[self.selected:self.selected + 1] if len(self._diffs) > 1 else self._diffs
        for diff in shown:
            blocks.append(Text(diff.summary, style="bold underline"))
            if getattr(diff, "error", None):
                blocks.append(Text(str(diff.error), style="red"))
            for part in diff.parts:
                if not part.changed:
                    continue
                blocks.append(Text(f"── {part.part} ──", style="bold magenta"))
                blocks.append(side_by_side(part.lines) if self.side else unified_text(part.lines))
            if not any(p.changed for p in diff.parts) and not getattr(diff, "error", None):
                blocks.append(Text("no differences", style="dim"))
        if not blocks:
            blocks.append(Text("Nothing to show.", style="dim"))
        self.query_one("#diff-body", Static).update(Group(*blocks))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_confirm(self) -> None:
        if self._confirm:
            self.dismiss("push")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id if event.button.id in ("push", "force") else None)
