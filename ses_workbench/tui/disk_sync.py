"""Files changed on disk while the workbench is open: reload, reconcile the editors, or ask.

The watcher's batches (:class:`~ses_workbench.tui.messages.FilesChanged`) come here. A new calibration
re-resolves the dialect; a structural change (a template folder added or removed, the config, a layout)
reloads the project; the open template's editors take the new text when they are clean, and when an
editor with unsaved edits changed on disk the user sees the diff and chooses: decide later (nothing
changes; a save asks again), keep mine or take theirs. The version that goes is copied under
``.ses-workbench/conflicts/`` first (``project.restore``), so neither is ever lost. A template folder
that disappears under unsaved edits has them copied there too before the editors close.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

from ses_workbench.errors import WorkbenchError
from ses_workbench.project import TemplateContent
from ses_workbench.project.restore import keep_conflict_copy
from ses_workbench.tui.screens.dialogs import ChoiceScreen, PromptScreen
from ses_workbench.tui.screens.main import MainScreen
from ses_workbench.tui.widgets.editor import PartEditor

Conflict = tuple[PartEditor, str | None]


class DiskSync:
    """Applies the watcher's batches to ``screen``.

    ``local_change(names)`` re-classifies the deployment state of templates whose files changed."""

    def __init__(self, screen: MainScreen, local_change: Callable[[list[str]], None]) -> None:
        self.screen = screen
        self.local_change = local_change
        self._conflict_open = False
        self._deferred: set[tuple[int, str | None]] = set()
        """Conflicts answered "decide later" (editor, disk text): not asked again until that file changes
        again, or a save would overwrite it."""
        screen.save_guard = self.save_blocked

    def files_changed(self, paths: set[Path]) -> None:
        screen = self.screen
        if not screen.alive:
            return

        project = screen.project
        calibration = project.state.calibration
        changed_paths = {path for path in paths if path != calibration}
        if len(changed_paths) < len(paths) and screen.session.reload_dialect() and screen.dialect_changed():
            screen.app.notify("Calibration changed: the preview and lint now use the new dialect.")
        if not changed_paths:
            return
        before = set(project.names)
        if any(_is_structural(path, project.root) for path in changed_paths) and not self._reload():
            return
        after = set(project.names)
        if screen.current is not None and screen.current not in after:
            if screen.is_dirty:
                self._orphaned(screen.current)
            else:
                screen.app.notify(f"{screen.current} was removed on disk.", severity="warning")
                screen.current = None
                names = project.names
                if names:
                    screen.open_template(names[0])
        elif screen.current is not None:
            self._sync_editors()
        changed = sorted({name for name in after for path in changed_paths
                          if _under(path, project.root / name)} | (after - before))
        if changed:
            others = [name for name in changed if name != screen.current]
            if others:
                screen.lint_templates(others)
            if screen.current in changed:
                screen.schedule_lint(0.05)  # the current one is linted from the editors (maybe unsaved)
            self.local_change(changed)
        screen.refresh_rows()

    def _sync_editors(self) -> None:
        """Take external edits into clean editors; ask when an editor with unsaved edits changed on disk."""
        screen = self.screen
        tpl = screen.template
        if tpl is None:
            return
        conflicts: list[Conflict] = []
        changed = False
        for editor in screen.editors:
            try:
                disk = tpl.source(editor.part)
            except WorkbenchError:
                continue
            changed |= _reconcile(editor, disk, conflicts)
        fixtures = tpl.fixtures
        if screen.fixture_name not in fixtures:
            screen.load_fixture("default" if "default" in fixtures else next(iter(fixtures), None))
            changed = True
        else:
            screen.data_pane.set_fixtures(list(fixtures), screen.fixture_name)
            if screen.fixture_name is not None:
                disk_fx = self._disk_text(fixtures[screen.fixture_name].path)
                changed |= _reconcile(screen.fixture_editor, disk_fx, conflicts)
        if changed:
            screen.dirty_changed()
            screen.request_preview()
        conflicts = [(editor, disk) for editor, disk in conflicts if (id(editor), disk) not in self._deferred]
        if conflicts:
            self._ask(conflicts)

    def _ask(self, conflicts: list[Conflict]) -> None:
        """Ask which version stays. Whichever goes is copied to ``conflicts/`` first; escape ("decide
        later") changes nothing: the buffer stays dirty against the old disk text, so the next save asks
        again (:meth:`save_blocked`)."""
        if self._conflict_open:
            return
        self._conflict_open = True
        screen = self.screen
        files = ", ".join(str(e.path.name) if e.path else e.part for e, _ in conflicts)

        def answer(choice: str | None) -> None:
            self._conflict_open = False
            if choice not in ("mine", "theirs"):  # decide later
                self._deferred.update((id(editor), disk) for editor, disk in conflicts)
                return
            # the newest version on disk, not the first event's: read once, copied and then taken or kept
            newest = [(editor, seen, self._disk_text(editor.path)) for editor, seen in conflicts]
            kept = {editor.path: (disk or "") if choice == "mine" else editor.text
                    for editor, _, disk in newest if editor.path is not None}
            try:
                copy = keep_conflict_copy(screen.project, screen.current or "template", kept,
                                          "theirs" if choice == "mine" else "mine")
            except OSError as exc:
                screen.app.notify(f"Nothing changed: could not keep a copy in conflicts/ ({exc}).",
                                  severity="error")
                return
            for editor, seen, disk in newest:
                self._deferred.discard((id(editor), seen))
                if choice == "theirs":
                    editor.load(editor.path, disk, keep_cursor=True)
                else:  # mine: the buffer stays; the next save writes it
                    editor.disk_text = disk
            whose = "the version on disk" if choice == "mine" else "your edits"
            screen.app.notify(f"Kept {'yours' if choice == 'mine' else 'theirs'}; {whose} copied to {copy}.",
                              timeout=8)
            screen.dirty_changed()
            screen.request_preview()

        screen.app.push_screen(ChoiceScreen(
            "Changed on disk while you were editing",
            f"{files} changed outside the app, and you have unsaved edits. Which should stay? The other is "
            "copied to .ses-workbench/conflicts/ (Restore… puts it back).\n\n" + _diffs(conflicts),
            [("later", "Decide later"), ("mine", "Keep mine"), ("theirs", "Take theirs")],
            focus="later"), answer)

    def _orphaned(self, gone: str) -> None:
        """The open template's folder went away (mv, git checkout) under unsaved edits: the dirty buffers
        are copied to ``conflicts/`` at once, then the user saves the editors as a template (under its
        name by default) or closes them; either way nothing typed is lost."""
        screen = self.screen
        project = screen.project
        texts = {editor.part: editor.text for editor in screen.editors}
        fixture_name = screen.fixture_name
        fixtures = {fixture_name: screen.fixture_editor.text} if fixture_name else None
        try:
            copy: Path | None = keep_conflict_copy(project, gone, {
                editor.path: editor.text for editor in screen.dirty_editors if editor.path is not None},
                "mine")
        except OSError:
            copy = None
        screen.current = None  # no folder behind the editors any more; their texts are held here
        screen.editor_pane.clear()

        def close() -> None:
            names = project.names
            if names:
                screen.open_template(names[0])

        def save_as(name: str | None) -> None:
            if not name:
                close()
                return
            content = TemplateContent(subject=texts.get("subject", ""), html=texts.get("html", ""),
                                      text=texts.get("text") or None)
            try:
                project.create_template(name, content, fixtures=fixtures)
            except (WorkbenchError, OSError) as exc:
                screen.app.notify(f"{exc}; your edits are in {copy}.", severity="error")
                close()
                return
            screen.refresh_rows()
            screen.open_template(name, fixture_name)
            screen.lint_templates([name])

        def answer(choice: str | None) -> None:
            if choice == "save":
                screen.app.push_screen(PromptScreen(f"Save the editors of {gone} as template", gone), save_as)
            else:
                close()

        kept = f"Your unsaved edits are copied to {copy}." if copy else "Your unsaved edits are still open."
        screen.app.push_screen(ChoiceScreen(
            f"{gone} was removed on disk", f"{kept} Save the open editors as a template again?",
            [("save", "Save as template…"), ("close", "Close (the copy stays)")], focus="save"), answer)

    def save_blocked(self) -> bool:
        """Before a save: True (and the question asked) when a dirty editor's file changed on disk since it
        was loaded, so the save would overwrite a version nobody chose to drop."""
        conflicts: list[Conflict] = []
        for editor in [*self.screen.editors, self.screen.fixture_editor]:
            disk = self._disk_text(editor.path) if editor.dirty else None
            if disk is not None and disk != editor.disk_text:  # a file gone since: the save recreates it
                conflicts.append((editor, disk))
        if not conflicts:
            return False
        self._ask(conflicts)
        return True

    def _disk_text(self, path: Path | None) -> str | None:
        """A project file as it is on disk now (never blocks on a FIFO or follows a link out)."""
        from ses_workbench.project.files import UnsafeFile, read_file

        if path is None:
            return None
        try:
            return read_file(path, self.screen.project.root).decode("utf-8-sig")
        except (OSError, UnsafeFile, UnicodeDecodeError):
            return None

    def _reload(self) -> bool:
        """Re-scan the project after structural changes on disk; False (and a notice) when it failed."""
        try:
            self.screen.project.reload()
        except WorkbenchError as exc:
            self.screen.app.notify(str(exc), severity="error")
            return False
        self.screen.project_generation += 1
        return True


DIFF_LINES = 14
"""How many lines of the theirs/mine diff the conflict dialog shows."""


def _diffs(conflicts: list[Conflict]) -> str:
    """The unified diff of each conflict, on disk (theirs) → the buffer (mine), cut to DIFF_LINES."""
    lines: list[str] = []
    for editor, disk in conflicts:
        name = editor.path.name if editor.path else editor.part
        lines += difflib.unified_diff((disk or "").splitlines(), editor.text.splitlines(),
                                      f"{name} on disk (theirs)", f"{name} yours (mine)", n=1, lineterm="")
    if len(lines) > DIFF_LINES:
        lines = lines[:DIFF_LINES] + [f"… {len(lines) - DIFF_LINES} more lines"]
    return "\n".join(lines)


def _reconcile(editor: PartEditor, disk: str | None, conflicts: list[Conflict]) -> bool:
    """Bring a clean editor up to ``disk``; a dirty one that differs becomes a conflict (asked later)."""
    if disk == editor.disk_text:
        return False
    if not editor.dirty:
        editor.load(editor.path, disk, keep_cursor=True)
        return True
    if disk == editor.text:  # someone saved exactly what we have
        editor.mark_saved()
        return True
    conflicts.append((editor, disk))
    return False


def _is_structural(path: Path, root: Path) -> bool:
    """A change that may add/remove/rename templates or change config/layouts (rescan the project)."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        return True
    if len(rel.parts) <= 1:
        return True  # a folder at the root, or ses-workbench.toml
    if rel.parts[0] == "_layouts":
        return True
    return len(rel.parts) == 2 and not path.exists() or not (root / rel.parts[0]).is_dir()


def _under(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False
