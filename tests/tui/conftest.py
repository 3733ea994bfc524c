"""Helpers for driving the workbench with Textual's Pilot against the embedded local SES endpoint.

Waiting is done on the app's own signals (workers finished, a preview applied, a screen pushed), never on
fixed sleeps: ``settle`` waits for every worker, ``wait_for`` pauses the pilot until a condition holds.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import copy_samples


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests here with asyncio.run (no async plugin is among the dev dependencies)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    kwargs = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**kwargs))
    return True


@pytest.fixture
def no_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS credentials anywhere (environment or files): AWS environments cannot connect, and the
    default one falls back to the embedded local endpoint."""
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """A private copy of sample_templates/ (always named ``sample_templates`` so snapshots match)."""
    return copy_samples(tmp_path / "sample_templates", unpaced=True)


async def wait_for(pilot: Any, condition: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    """Let the app run until ``condition()`` is true (checked after each message-loop turn)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.02)


async def wait_screen(pilot: Any, cls: type) -> Any:
    """Wait until a screen of ``cls`` is on top and mounted (its widgets can be clicked)."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, cls) and pilot.app.screen.is_mounted,
                   what=cls.__name__)
    await pilot.pause()
    return pilot.app.screen


async def type_text(pilot: Any, text: str) -> None:
    """Type ``text`` into the focused widget: one key event per character, sent to the app the way the
    terminal driver sends them, then wait until the app and the screen's widgets handled them.

    ``pilot.press`` waits for the process to look idle after every key (up to 1 s each: the workbench
    renders and lints on threads, so it rarely looks idle); these events go in one batch instead, and
    the wait is on the message queues: the app forwards each key to the focused widget, which handles it.
    """
    import unicodedata

    from textual import events

    app = pilot.app
    for char in text:
        key = char if char.isalnum() else unicodedata.name(char).lower().replace("-", "_").replace(" ", "_")
        app.post_message(events.Key(key, char))
    await pilot.pause(0)  # the app forwarded the keys
    await pilot.pause(0)  # the focused widget handled them


async def settle(pilot: Any) -> None:
    """Wait until no worker runs (workers may start others from their result handlers)."""
    from textual.worker import WorkerFailed

    app = pilot.app
    for _ in range(100):
        try:
            await asyncio.wait_for(app.workers.wait_for_complete(), 30)
        except WorkerFailed:
            pass  # the app turns a failed worker into a notification; tests check that, not this
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers) and not app.main.preview_busy:
            return
    raise AssertionError("workers never settled")


async def connected(pilot: Any) -> None:
    """Wait for the SES environment (local endpoint) and the first status refresh."""
    await wait_for(pilot, lambda: pilot.app.ses is not None, 20, "SES connection")
    await settle(pilot)


async def watcher_ready(pilot: Any) -> None:
    """Wait until the app's file watcher reports changes.

    Its thread registers the inotify watches some time after the app starts (later still on a loaded
    machine), and a file written before then is never reported: a test that changes files on disk must
    first see a probe come through.  The probe rewrites the calibration file as it is (or writes an empty
    one), which the app only re-reads for the dialect: nothing changes.  A probe lost while the watcher
    is still starting (or while it adds the just-created state folder) is written again.
    """
    from ses_workbench.project import atomic
    from ses_workbench.project.state import StateDir

    app = pilot.app
    watcher = app.watcher
    assert watcher is not None, "the app was started with watch=False"
    probe = StateDir(app.project.state_dir).calibration
    data = json.loads(probe.read_text()) if probe.exists() else {"version": 1, "environments": {}}
    seen = threading.Event()
    report = watcher.on_change

    def on_change(paths: set[Path]) -> None:
        report(paths)
        if probe in paths:
            seen.set()

    watcher.on_change = on_change
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    try:
        while not seen.is_set():
            if loop.time() > deadline:
                raise AssertionError("the file watcher never reported a change")
            atomic.write_json(probe, data)
            retry = loop.time() + 1.0
            while not seen.is_set() and loop.time() < retry:
                await pilot.pause(0.02)
    finally:
        watcher.on_change = report
    await pilot.pause()  # the probe's own FilesChanged message is handled


def preview_text(app: Any, tab: str = "read") -> str:
    return str(app.main.view(tab).plain_text())


RECEIPT = "order-receipt"


async def open_receipt(pilot: Any, app: Any) -> None:
    """Open the order-receipt sample and wait for its first preview."""
    app.main.open_template(RECEIPT)
    await settle(pilot)
    await wait_for(pilot, lambda: "Thanks for your order" in preview_text(app), what="first preview")


def status_text(app: Any) -> str:
    """The preview's status line, as shown."""
    from textual.widgets import Static

    return str(app.main.query_one("#preview-status", Static).render())


def cursor_at(app: Any, part: str, needle: str) -> None:
    """Focus the ``part`` editor with the cursor just before the first ``needle``."""
    editor = app.main.editor(part)
    text = editor.text
    at = text.index(needle)
    row = text.count("\n", 0, at)
    col = at - (text.rfind("\n", 0, at) + 1)
    editor.focus()
    editor.cursor_location = (row, col)


async def push_then_drift(pilot: Any, app: Any, remote_subject: str) -> None:
    """Open order-receipt, push it to the local endpoint, let SES change under it (its subject becomes
    ``remote_subject``), type "New " into the local subject and press F2: the push dialog shows drift."""
    from ses_workbench.project import TemplateContent
    from ses_workbench.tui.screens.diff import DiffScreen

    await open_receipt(pilot, app)
    await connected(pilot)
    await pilot.press("f2")
    await wait_screen(pilot, DiffScreen)
    await pilot.click("#push")
    await settle(pilot)
    await wait_for(pilot, lambda: app.main.states.get(RECEIPT) == "in-sync", what="first push")
    app.ses.update_template(RECEIPT, TemplateContent(remote_subject, "<p>1</p>", "1"))
    cursor_at(app, "subject", "Your Acme receipt")
    await type_text(pilot, "New ")
    await pilot.press("f2")
    await wait_screen(pilot, DiffScreen)
