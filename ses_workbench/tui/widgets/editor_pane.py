"""The editor pane: one tab per part (subject, HTML, text) plus the data tab, and the lint line under them.

It knows what its editors hold and shows what it is told: which tabs carry unsaved edits (a dot in the
label), the lint markers of the open template (and the message for the cursor's line), and the editors'
state as one :class:`EditedTemplate` for the preview and lint (:meth:`snapshot`). It never loads a
project or calls the core beyond reading and writing the open template's files.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane

from ses_workbench.errors import WorkbenchError
from ses_workbench.lint import Diagnostic
from ses_workbench.project import PARTS, EmailTemplate
from ses_workbench.session.edits import BufferFixture, EditedTemplate
from ses_workbench.tui.widgets.data_pane import DataPane
from ses_workbench.tui.widgets.editor import Marker, PartEditor
from ses_workbench.wording import plural

EDITOR_TABS: tuple[tuple[str, str], ...] = (("subject", "Subject"), ("html", "HTML"), ("text", "Text"),
                                            ("data", "Data"))
PART_LANGUAGE = {"subject": None, "html": "html", "text": None}


class EditorPane(Vertical):
    """Part editors and the fixture's data pane in tabs, the lint line below."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._shown_dirty: frozenset[str] = frozenset()
        self._lint_text = ("", False)

    def compose(self) -> ComposeResult:
        with TabbedContent(id="editor-tabs", initial="tab-html"):
            for part, label in EDITOR_TABS:
                with TabPane(label, id=f"tab-{part}"):
                    if part == "data":
                        yield DataPane(id="data-pane")
                    else:
                        yield PartEditor(part, language=PART_LANGUAGE[part], id=f"editor-{part}")
        yield Static("", id="lint-line")

    def on_mount(self) -> None:
        self.editor("text").placeholder = "(no body.txt: generated from the HTML — type to write one)"

    # ------------------------------------------------------------------------------------ typed access
    def editor(self, part: str) -> PartEditor:
        return self.query_one(f"#editor-{part}", PartEditor)

    @property
    def editors(self) -> list[PartEditor]:
        """The part editors (subject, HTML, text), without the fixture's."""
        return [self.editor(part) for part in PARTS]

    @property
    def data_pane(self) -> DataPane:
        return self.query_one(DataPane)

    @property
    def fixture_editor(self) -> PartEditor:
        return self.data_pane.editor

    @property
    def all_editors(self) -> list[PartEditor]:
        return [*self.editors, self.fixture_editor]

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#editor-tabs", TabbedContent)

    @property
    def data_tab_shown(self) -> bool:
        """The data pane (which lists the attributes) is the active tab."""
        return self.tabs.active == "tab-data"

    @property
    def dirty_editors(self) -> list[PartEditor]:
        return [e for e in self.all_editors if e.dirty]

    @property
    def lint_line(self) -> str:
        """What the line under the editors says now."""
        return self._lint_text[0]

    def active_editor(self, focused: Widget | None) -> PartEditor:
        """The focused editor, else the one in the active tab."""
        if isinstance(focused, PartEditor):
            return focused
        active = (self.tabs.active or "tab-html").removeprefix("tab-")
        return self.fixture_editor if active == "data" else self.editor(active)

    # ------------------------------------------------------------------------------------ content
    def load_template(self, tpl: EmailTemplate) -> list[str]:
        """Load the template's parts into the part editors; the errors of parts that could not be read."""
        errors: list[str] = []
        for part in PARTS:
            try:
                text = tpl.source(part)
            except WorkbenchError as exc:
                errors.append(str(exc))
                text = None
            self.editor(part).load(tpl.part_path(part), text)
        return errors

    def clear(self) -> None:
        for editor in self.all_editors:
            editor.load(None, None)

    def snapshot(self, tpl: EmailTemplate, fixture_name: str | None) -> EditedTemplate:
        """The editors' state as a template the core can work on (nothing is written)."""
        sources: dict[str, str | None] = {}
        for editor in self.editors:
            exists = editor.disk_text is not None
            sources[editor.part] = editor.text if (exists or editor.text) else None
        fixture = None
        if fixture_name is not None and self.fixture_editor.path is not None:
            fixture = BufferFixture(fixture_name, self.fixture_editor.path, self.fixture_editor.text)
        return EditedTemplate(tpl, sources, fixture)

    def save_parts(self, tpl: EmailTemplate) -> list[str]:
        """Write every dirty part editor atomically; one line per part that could not be saved."""
        failed: list[str] = []
        for editor in self.editors:
            if not editor.dirty:
                continue
            try:
                tpl.write_part(editor.part, editor.text)
                editor.mark_saved()
            except (WorkbenchError, OSError) as exc:
                failed.append(f"Could not save {editor.part}: {exc}")
        return failed

    def save_fixture(self, tpl: EmailTemplate, name: str) -> str | None:
        """Write the fixture editor to fixture ``name``; the error line, or None when saved."""
        try:
            tpl.write_fixture(name, self.fixture_editor.text)
        except (WorkbenchError, OSError) as exc:
            return f"Could not save fixture {name}: {exc}"
        self.fixture_editor.mark_saved()
        return None

    # ------------------------------------------------------------------------------------ dirty labels
    def show_dirty(self) -> bool:
        """Mark the tabs whose editor has unsaved edits; True when the dirty set changed."""
        dirty_parts = frozenset(e.part for e in self.dirty_editors)
        if dirty_parts == self._shown_dirty:
            return False
        self._shown_dirty = dirty_parts
        tabs = self.tabs
        for part, label in EDITOR_TABS:
            key = "fixture" if part == "data" else part
            tabs.get_tab(f"tab-{part}").label = f"{label} ●" if key in dirty_parts else label
        return True

    # ------------------------------------------------------------------------------------ lint
    def show_markers(self, diags: Sequence[Diagnostic], fixture_name: str | None) -> None:
        """Mark each editor's lines that ``diags`` point at (a fixture's findings only for that fixture)."""
        fixture_editor = self.fixture_editor
        for editor in self.all_editors:
            if editor.path is None:
                editor.set_markers([])
                continue
            path = str(editor.path)
            editor.set_markers([Marker(d.line - 1, d.column - 1, d.severity, d.message) for d in diags
                                if d.path == path and (d.fixture is None or d.fixture == fixture_name
                                                       or editor is fixture_editor)])

    def show_lint_line(self, editor: PartEditor, diags: Sequence[Diagnostic] | None, template: str | None,
                       fixture_name: str | None) -> None:
        """The message for the cursor's line, else a count of findings; ``diags`` None: not linted yet."""
        here = editor.markers_at(editor.cursor_location[0])
        if here:
            marker = here[0]
            icon = "✗" if marker.severity == "error" else "!"
            shown = (f"{icon} {marker.line + 1}:{marker.column + 1} {marker.message}",
                     marker.severity == "error")
        elif diags:
            errors = sum(1 for d in diags if d.severity == "error")
            shown = (f"{plural(errors, 'error')}, {plural(len(diags) - errors, 'warning')} in {template} "
                     f"(marked lines; fixture {fixture_name or '-'})", errors > 0)
        else:
            shown = ("✓ lint clean" if diags is not None else "", False)
        if shown == self._lint_text:
            return
        self._lint_text = shown
        line = self.query_one("#lint-line", Static)
        line.update(Text(shown[0]), layout=False)  # lint messages may quote [brackets]
        line.set_class(shown[1], "-error")
