"""Template and fixture actions: create, duplicate, rename, delete, and fill a skeleton fixture.

Each asks what it needs in a modal (a name, a confirmation), calls the project model once and opens the
result on the screen. A refused name or a failed write is one notification; deletions move folders and
files to ``.ses-workbench/trash/`` (nothing is pushed or removed from SES).
"""

from __future__ import annotations

from collections.abc import Callable

from ses_workbench.attributes import fill_fixture_text
from ses_workbench.errors import WorkbenchError
from ses_workbench.project import TemplateContent
from ses_workbench.project.errors import FixtureError
from ses_workbench.project.fixtures import validate_fixture_name
from ses_workbench.project.restore import Restorable
from ses_workbench.session.preview import attributes
from ses_workbench.tui.screens.dialogs import ConfirmScreen, PromptScreen
from ses_workbench.tui.screens.main import MainScreen


class TemplateActions:
    """The template list's and the data pane's actions on ``screen``."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen

    def _change(self, change: Callable[[], object]) -> bool:
        """Run one call of the project model (a template or fixture change, a name check); its error becomes
        a notification (False)."""
        try:
            change()
        except WorkbenchError as exc:
            self.screen.app.notify(str(exc), severity="error")
            return False
        return True

    def _target(self) -> str | None:
        """The template a list action acts on: the highlighted row when the key came from the template list
        (it has the focus), else the open template. None (and a notice) for a row that is no local
        template (only in SES, or a custom verification template)."""
        screen = self.screen
        options = screen.template_list.options
        if not options.has_focus:
            return screen.current
        name = screen.template_list.highlighted_name
        if name is not None and name not in screen.project.templates:
            screen.app.notify(f"{name} has no template folder here.", severity="warning")
            return None
        return name

    def _open_created(self, name: str) -> None:
        self.screen.refresh_rows()
        self.screen.switch_template(name)
        self.screen.lint_templates([name])

    # ------------------------------------------------------------------------------------ templates
    def new_template(self) -> None:
        project = self.screen.project

        def create(name: str | None) -> None:
            if name and self._change(lambda: project.create_template(
                    name, TemplateContent(subject=f"{name} subject", html="<p>Hello {{name}}</p>\n"),
                    fixtures={"default": '{\n  "name": "Ada"\n}\n'})):
                self._open_created(name)

        self.screen.app.push_screen(PromptScreen("New template name", placeholder="letters, digits, _ and -"),
                                    create)

    def duplicate_template(self) -> None:
        source = self._target()
        if source is None:
            return

        def duplicate(name: str | None) -> None:
            if name and self._change(lambda: self.screen.project.duplicate_template(source, name)):
                self._open_created(name)

        self.screen.app.push_screen(PromptScreen(f"Duplicate {source} as", f"{source}-copy"), duplicate)

    def rename_template(self) -> None:
        screen = self.screen
        old = self._target()
        if old is None:
            return
        if old == screen.current and screen.is_dirty:
            screen.app.notify("Save or discard your edits before renaming.", severity="warning")
            return

        def rename(name: str | None) -> None:
            if not name or name == old or not self._change(lambda: screen.project.rename_template(old, name)):
                return
            screen.lint.pop(old, None)
            if old == screen.current:
                screen.open_template(name, screen.fixture_name)
            else:
                screen.refresh_rows()
            screen.lint_templates([name])

        screen.app.push_screen(PromptScreen(f"Rename {old} to", old), rename)

    def delete_template(self) -> None:
        screen = self.screen
        name = self._target()
        if name is None:
            return

        def delete(yes: bool | None) -> None:
            if not yes:
                return
            try:
                where = screen.project.delete_template(name)
            except WorkbenchError as exc:
                screen.app.notify(str(exc), severity="error")
                return
            screen.lint.pop(name, None)
            if name == screen.current:
                screen.close_template()
            screen.refresh_rows()
            screen.app.notify(f"Moved {name} to {where}.")

        screen.app.push_screen(ConfirmScreen(f"Delete template {name}?",
                                             "The folder moves to .ses-workbench/trash/ (nothing is pushed).",
                                             yes="Delete", danger=True), delete)

    def restore(self) -> None:
        """Restore… : pick what the trash or a backup keeps and put it back (project.restore)."""
        from ses_workbench.project.restore import restorable, restore
        from ses_workbench.tui.screens.restore import RestoreScreen

        screen = self.screen
        project = screen.project

        def put_back(item: Restorable | None) -> None:
            if item is None:
                return
            tpl = screen.template
            if tpl is not None and item.target.is_relative_to(tpl.dir) and screen.is_dirty:  # over the edits
                screen.app.notify(f"Save or discard your edits in {tpl.name} before restoring over it.",
                                  severity="warning")
                return
            try:
                replaced = restore(project, item)
            except (WorkbenchError, OSError) as exc:
                screen.app.notify(str(exc), severity="error")
                return
            screen.project_generation += 1
            rel = item.target.relative_to(project.root)
            name = rel.parts[0]
            note = f"; what was there is in {replaced}" if replaced else ""
            screen.app.notify(f"Restored {rel}{note}.", timeout=8)
            screen.refresh_rows()
            if name in project.templates:
                screen.lint_templates([name])
                if name == screen.current or screen.current is None:
                    screen.open_template(name, screen.fixture_name if name == screen.current else None)
                else:
                    screen.switch_template(name)

        screen.app.push_screen(RestoreScreen(restorable(project), project.root), put_back)

    # ------------------------------------------------------------------------------------ fixtures
    def new_fixture(self) -> None:
        self._new_fixture("{\n}\n", "New fixture name")

    def duplicate_fixture(self) -> None:
        current = self.screen.fixture_name
        self._new_fixture(self.screen.fixture_editor.text, f"Duplicate {current} as",
                          f"{current}-copy" if current else "")

    def _new_fixture(self, text: str, title: str, value: str = "") -> None:
        screen = self.screen
        tpl = screen.template
        if tpl is None:
            return

        def create(name: str | None) -> None:
            if not name:
                return
            if name in tpl.fixtures:
                screen.app.notify(f"{tpl.name} already has a fixture {name!r}.", severity="error")
                return
            if not self._change(lambda: validate_fixture_name(name)):
                return
            screen.settle_fixture_edits(f"opening the new fixture {name}", lambda: write(name))

        def write(name: str) -> None:
            if not self._change(lambda: tpl.write_fixture(name, text)):
                return
            screen.switch_fixture(name)

        screen.app.push_screen(PromptScreen(title, value), create)

    def delete_fixture(self) -> None:
        screen = self.screen
        tpl, name = screen.template, screen.fixture_name
        if tpl is None or name is None:
            return

        def delete(yes: bool | None) -> None:
            if not yes:
                return
            if not self._change(lambda: tpl.delete_fixture(name)):
                return
            fixtures = tpl.fixtures
            screen.load_fixture("default" if "default" in fixtures else next(iter(fixtures), None))
            screen.request_preview()

        screen.app.push_screen(ConfirmScreen(f"Delete fixture {name}?", "It moves to .ses-workbench/trash/.",
                                             yes="Delete", danger=True), delete)

    def skeleton(self) -> None:
        """Add every attribute the template references that the fixture lacks (what is there stays as
        written: values, key order, formatting)."""
        screen = self.screen
        editor = screen.fixture_editor
        tpl = screen.template
        if tpl is None:
            return
        edited = screen.snapshot()
        try:
            rows = attributes(edited, screen.dialect) if edited is not None else screen.attributes
        except WorkbenchError as exc:
            screen.app.notify(f"Cannot list the template's attributes: {exc}", severity="error")
            return
        try:
            text = fill_fixture_text(rows, editor.text)
        except FixtureError as exc:
            where = f" (line {exc.line}, column {exc.column})" if exc.line is not None else ""
            screen.app.notify(f"Fix the JSON first{where}: {exc.message}.", severity="error")
            return
        if screen.fixture_name is None:
            if not self._change(lambda: tpl.write_fixture("default", text)):
                return
            screen.load_fixture("default")
        elif text != editor.text:
            editor.replace(text, (0, 0), editor.document.end)
        else:
            screen.app.notify(f"Nothing missing: fixture {screen.fixture_name} has every attribute the "
                              "template uses.", timeout=4)
        screen.editor_tabs.active = "tab-data"
        screen.request_preview()
