"""End to end: the real ``ses-workbench`` command in tmux — type keys, read the screen.

Waiting on an external terminal has no event to await, so this polls ``capture-pane`` (bounded).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")


def tmux(*args: str) -> str:
    # A requirement, not a reason to skip: .ci/run installs Debian's tmux when the machine lacks it.
    assert TMUX is not None, "tmux is needed for the end-to-end test: apt-get install tmux"
    return subprocess.run([TMUX, *args], capture_output=True, text=True, check=False).stdout


@pytest.fixture
def session(project_dir: Path) -> Iterator[str]:
    name = f"sesworkbench-e2e-{os.getpid()}"
    command = shutil.which("ses-workbench")
    argv = [command] if command else [sys.executable, "-m", "ses_workbench"]
    editor = project_dir.parent / "fake-editor"
    editor.write_text("#!/bin/sh\nprintf '<!-- via EDITOR -->' >> \"$1\"\n")
    editor.chmod(0o755)
    shell = (f"cd {shlex.quote(str(project_dir))} && EDITOR={shlex.quote(str(editor))} "
             f"{shlex.join(argv)} . --local; sleep 30")
    tmux("kill-session", "-t", name)
    subprocess.run([TMUX, "new-session", "-d", "-s", name, "-x", "120", "-y", "36", shell], check=True,
                   env={**os.environ, "TERM": "xterm-256color"})
    try:
        yield name
    finally:
        tmux("kill-session", "-t", name)


def screen(name: str) -> str:
    return tmux("capture-pane", "-p", "-t", name)


def wait_screen(name: str, *needles: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = screen(name)
        if all(needle in text for needle in needles):
            return text
        time.sleep(0.1)
    raise AssertionError(f"{needles} not on screen after {timeout}s:\n{text}")


def wait_gone(name: str, needle: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and needle in screen(name):
        time.sleep(0.1)
    assert needle not in screen(name)


def wait_input_focused(name: str, placeholder: str, timeout: float = 20.0) -> None:
    """Wait until the empty input showing ``placeholder`` has focus: its cursor (shown at once on focus,
    then blinking) is drawn over the placeholder's first character, which splits that character from
    the rest in the styled capture.  Keys sent before focus moves go to the previously focused widget."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        styled = tmux("capture-pane", "-p", "-e", "-t", name)
        if placeholder[1:] in styled and placeholder not in styled:
            return
        time.sleep(0.05)
    raise AssertionError(f"the {placeholder!r} input never got focus:\n{screen(name)}")


def keys(name: str, *keys: str) -> None:
    tmux("send-keys", "-t", name, *keys)


def test_workbench_in_tmux(session: str, project_dir: Path) -> None:
    wait_screen(session, "ses-workbench", "sample_templates", "local endpoint", "invoice", "order-receipt",
                "f2 Push")
    # find a template with the filter, open it, see its rendered email
    keys(session, "C-f")
    wait_input_focused(session, "filter templates…")  # keys sent before focus moves go to the editor
    keys(session, "-l", "order")
    keys(session, "Enter")
    wait_screen(session, "Your Acme receipt for order AC-100482", "Thanks for your order, Ada!")
    # the help screen lists the keys
    keys(session, "F1")
    wait_screen(session, "Keys", "Push template", "Test-send")
    keys(session, "Escape")
    wait_gone(session, "Push template")
    # opening focuses the HTML editor: type, and the preview follows the keystrokes
    keys(session, "-l", "Hello from tmux ")
    wait_screen(session, "Hello from tmux", "Subject  HTML ●")
    keys(session, "C-s")
    wait_screen(session, "Saved order-receipt")
    assert (project_dir / "order-receipt" / "body.html").read_text().startswith("Hello from tmux <!DOCTYPE")
    # $EDITOR: the app suspends, the editor runs on the part's file (no unsaved edits), the buffer reloads it
    keys(session, "C-g")
    body = project_dir / "order-receipt" / "body.html"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not body.read_text().endswith("<!-- via EDITOR -->"):
        time.sleep(0.1)
    assert body.read_text().endswith("<!-- via EDITOR -->")
    keys(session, "C-q")
    wait_gone(session, "ses-workbench ·")  # the app quit cleanly: nothing was left unsaved
