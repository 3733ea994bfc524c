"""Edit a part or fixture in ``$VISUAL`` / ``$EDITOR`` while the app is suspended.

An editor that cannot start (not installed, a command that does not parse) is found before the app
suspends; an error while it runs is caught inside the suspended block, so the app always gets the
terminal back (Textual resumes only when that block returns normally). A buffer without unsaved edits is
edited in its real file and reloaded from it; one with unsaved edits is written to a temp file named after
the template and the file, and what the editor leaves there replaces the buffer as one edit (unsaved).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from textual.app import App, SuspendNotSupported

from ses_workbench.project import atomic
from ses_workbench.tui.widgets.editor import PartEditor


def edit_externally(app: App[Any], editor: PartEditor, template: str) -> str | None:
    """Run the user's editor on ``editor``'s file (or a named temp copy); the one error line, or None."""
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return f"Could not run {command!r}: {exc} (set $VISUAL or $EDITOR)"
    if not argv or shutil.which(argv[0]) is None:
        return f"Could not run {argv[0] if argv else repr(command)}: not found (set $VISUAL or $EDITOR)"
    real = editor.path is not None and editor.path.is_file() and not editor.dirty
    if real:
        assert editor.path is not None
        target = editor.path
    else:
        name = editor.path.name if editor.path is not None else f"{editor.part}.txt"
        target = Path(tempfile.mkdtemp(prefix="ses-workbench-")) / f"{template}-{name}"
        atomic.write_text(target, editor.text)
    error = _run(app, [*argv, str(target)])
    if error is not None and not real:
        return f"{error}; the text you had is in {target}"
    try:
        text = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return error or f"Could not read {target} after {argv[0]}: {exc}"
    if real:
        if text != editor.disk_text:  # the file is the truth (also after a failed run): a clean buffer
            editor.load(target, text, keep_cursor=True)
        return error
    shutil.rmtree(target.parent, ignore_errors=True)
    if text != editor.text:
        editor.replace(text, (0, 0), editor.document.end)
    return None


def _run(app: App[Any], argv: list[str]) -> str | None:
    """Suspend, run ``argv``, resume; the error line, or None when it exited 0."""
    error: str | None = None
    try:
        with app.suspend():
            try:
                code = subprocess.call(argv)
            except OSError as exc:
                error = f"Could not run {argv[0]}: {exc.strerror or exc}"
            else:
                if code != 0:
                    error = f"{argv[0]} exited with status {code}: nothing taken from it"
    except SuspendNotSupported as exc:
        error = f"Could not run {argv[0]}: {exc}"
    return error
