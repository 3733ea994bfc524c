"""The template list: every template of the folder with its state at a glance, filtered as you type.

Each row: a dirty dot (unsaved edits in the app), the name, the lint badge and the deployment state for
the current environment (in sync / modified / drifted / local-only / remote-only, as ``ses.sync`` says).
Custom verification templates follow, marked ``✉`` (the help screen says so).
The app owns the rows (``TemplateRow``) and pushes them down with :meth:`TemplateList.set_rows`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ses_workbench.lint import Diagnostic
from ses_workbench.project import Project
from ses_workbench.project.verification import KIND as VERIFICATION_KIND

#: deployment state -> (glyph, style, words for the help screen)
STATE_GLYPHS: dict[str, tuple[str, str, str]] = {
    "in-sync": ("=", "green", "same as deployed"),
    "modified-locally": ("M", "yellow", "changed locally since the last push"),
    "changed-remotely": ("≠", "bold red", "changed in SES since the last push (drift)"),
    "conflict": ("⇄", "bold red", "changed locally and in SES (conflict)"),
    "untracked": ("≈", "red", "in SES with other content, never pushed from here"),
    "local-only": ("+", "cyan", "not in this environment yet"),
    "remote-only": ("−", "magenta", "only in SES (pull it)"),
    "error": ("✗", "red", "does not compose"),
    "unknown": ("·", "dim", "state not known yet"),
}


#: the mark of a custom verification template's row (selecting it shows the email its recipient gets)
KIND_GLYPH = "✉"
KIND_WORDS = "custom verification template (enter: its recipient's view)"


@dataclass(frozen=True)
class TemplateRow:
    """What the list shows for one template."""

    name: str
    errors: int = 0
    warnings: int = 0
    dirty: bool = False
    state: str = "unknown"
    remote_only: bool = False
    kind: str = ""  # "custom-verification": a custom verification template (its preview only)

    def label(self) -> Text:
        text = Text()
        text.append("● " if self.dirty else "  ", style="bold yellow")
        if self.kind:
            text.append(f"{KIND_GLYPH} ", style="cyan")
            text.append(self.name)
            return text
        glyph, style, _ = STATE_GLYPHS.get(self.state, STATE_GLYPHS["unknown"])
        text.append(glyph + " ", style=style)
        text.append(self.name, style="dim italic" if self.remote_only else "")
        if self.errors:
            text.append(f" ✗{self.errors}", style="bold red")
        elif self.warnings:
            text.append(f" !{self.warnings}", style="yellow")
        return text


def list_rows(project: Project, lint: Mapping[str, Sequence[Diagnostic]], states: Mapping[str, str],
              current: str | None, dirty: bool) -> list[TemplateRow]:
    """The list's rows: the folder's templates (lint badge, deployment state, dirty dot on the open one),
    then the templates only SES has, then the custom verification templates."""
    rows: list[TemplateRow] = []
    for name in project.names:
        diags = lint.get(name, [])
        rows.append(TemplateRow(
            name=name,
            errors=sum(1 for d in diags if d.severity == "error"),
            warnings=sum(1 for d in diags if d.severity != "error"),
            dirty=name == current and dirty,
            state=states.get(name, "unknown"),
        ))
    for name, state in sorted(states.items()):
        if state == "remote-only" and name not in project.templates:
            rows.append(TemplateRow(name=name, state=state, remote_only=True))
    rows += [TemplateRow(name=name, kind=VERIFICATION_KIND) for name in sorted(project.verification_templates)
             if name not in project.templates]
    return rows


class TemplateList(Vertical):
    """Filter input + option list; posts :class:`TemplateList.Selected` when a template is chosen."""

    BINDINGS = [
        Binding("n", "app.run('new_template')", "New", id="template.new", show=False),
        Binding("c", "app.run('duplicate_template')", "Duplicate", id="template.duplicate", show=False),
        Binding("r", "app.run('rename_template')", "Rename", id="template.rename", show=False),
        Binding("delete,x", "app.run('delete_template')", "Delete", id="template.delete", show=False),
        Binding("u", "app.run('restore')", "Restore", id="template.restore", show=False),
    ]

    class Selected(Message):
        """The user picked a template (enter/click, or moved the highlight)."""

        def __init__(self, name: str) -> None:
            self.name = name
            super().__init__()

    filter_text: reactive[str] = reactive("", init=False)
    """Case-insensitive substring every shown name must contain."""

    def __init__(self, *, id: str | None = None, empty_text: str = "No templates here.") -> None:  # noqa: A002
        super().__init__(id=id)
        self._rows: list[TemplateRow] = []
        self._current: str | None = None
        self.empty_text = empty_text
        """What the list says when the folder holds no template (instead of an empty box)."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter templates…", id="template-filter")
        yield OptionList(id="template-options")
        yield Static(self.empty_text, id="template-empty", markup=False)

    def on_mount(self) -> None:
        self._rebuild()

    @property
    def empty_note(self) -> Static:
        return self.query_one("#template-empty", Static)

    @property
    def options(self) -> OptionList:
        return self.query_one(OptionList)

    @property
    def filter_input(self) -> Input:
        return self.query_one(Input)

    @property
    def highlighted_name(self) -> str | None:
        """The name on the highlighted row (what the list's keys act on), None when nothing is shown."""
        option = self.options.highlighted_option
        return str(option.id) if option is not None and option.id is not None else None

    @property
    def shown_names(self) -> list[str]:
        return [str(opt.id) for opt in self.options.options]

    def set_rows(self, rows: list[TemplateRow], current: str | None) -> None:
        """Replace the rows (the app calls this whenever a template's state changes)."""
        if rows == self._rows and current == self._current:
            return
        self._rows = rows
        self._current = current
        self._rebuild()

    def watch_filter_text(self) -> None:
        self._rebuild()

    def _rebuild(self) -> None:
        self.empty_note.display = not self._rows
        self.options.display = bool(self._rows)
        needle = self.filter_text.lower()
        shown = [row for row in self._rows if needle in row.name.lower()]
        options = self.options
        highlighted = options.highlighted_option.id if options.highlighted_option is not None else None
        keep = self._current if highlighted is None else highlighted
        options.clear_options()
        options.add_options([Option(row.label(), id=row.name) for row in shown])
        for index, row in enumerate(shown):
            if row.name == keep:
                options.highlighted = index
                break

    @on(Input.Changed, "#template-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter_text = event.value

    @on(Input.Submitted, "#template-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.options
        if options.option_count:
            options.highlighted = options.highlighted or 0
            option = options.get_option_at_index(options.highlighted or 0)
            self.post_message(self.Selected(str(option.id)))
            options.focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Selected(str(event.option.id)))
