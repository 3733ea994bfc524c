"""SVG snapshots (pytest-textual-snapshot) of the main screen, the diff modal and the send modal.

Deterministic by construction: a copy of sample_templates/ always named ``sample_templates``, fixed
terminal sizes, the local endpoint (no ports or paths on screen), nothing focused on the main screen (no
cursor blink phase), notifications
cleared, every worker finished before the screenshot (behind a modal: all but the flow waiting on it,
and the preview of the last edit applied).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets._toast import Toast

from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.diff import DiffScreen
from ses_workbench.tui.screens.send import SendScreen
from tests.tui.conftest import connected, settle, type_text, wait_for, wait_screen

TEMPLATE = "order-receipt"


async def _ready(pilot: Any) -> WorkbenchApp:
    app: WorkbenchApp = pilot.app
    await connected(pilot)
    app.main.open_template(TEMPLATE)
    await settle(pilot)
    await wait_for(pilot, lambda: app.main.last_good is not None and TEMPLATE in app.main.lint,
                   what="preview + lint")
    for editor in (*app.main.editors, app.main.fixture_editor):
        editor.cursor_blink = False
    return app


#: Flows whose worker waits (in ``_ask``) while their modal is open: still running at the screenshot.
ASKING = {"ses-diff", "ses-push", "ses-pull"}


def _idle_behind_the_modal(app: WorkbenchApp) -> bool:
    """Everything but the asking flow is done: the preview of the last edit is rendered and applied (its
    scrollbar shows behind the modal), lint and row states after a save have finished."""
    return (not app.main.preview_busy and app.main.preview_settled
            and not any(w.is_running and w.group not in ASKING for w in app.workers))


async def _no_toasts(pilot: Any) -> None:
    """Clear the notifications while the main screen is on top.  Clearing them later, with a modal open,
    only clears the modal's: the main screen keeps its toasts on show behind the modal (slivers at its
    edge) until each times out ("Saved ..." after 2 s), so the screenshot would depend on how fast the
    machine got there."""
    await settle(pilot)
    pilot.app.clear_notifications()
    await wait_for(pilot, lambda: not pilot.app.screen.query(Toast), what="toasts removed")


async def _quiet(pilot: Any, modal: bool = False) -> None:
    if not modal:  # a flow waiting on its modal is a running worker: do not wait for it
        await settle(pilot)
        pilot.app.set_focus(None)  # no cursor: its blink phase would differ between runs
    else:
        for _ in range(100):  # applying a preview can start another (a re-wrap): idle twice in a row
            await wait_for(pilot, lambda: _idle_behind_the_modal(pilot.app), 30, "idle behind the modal")
            await pilot.pause()
            if _idle_behind_the_modal(pilot.app):
                break
        else:
            raise AssertionError("never idle behind the modal")
    pilot.app.clear_notifications()
    await wait_for(pilot, lambda: not pilot.app.screen.query(Toast), what="toasts removed")
    await pilot.pause()


def test_main_screen(project_dir: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await _ready(pilot)
        await _quiet(pilot)

    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    assert snap_compare(app, terminal_size=(150, 40), run_before=run_before)


def test_main_screen_80x24(project_dir: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await _ready(pilot)
        await _quiet(pilot)

    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_diff_modal(project_dir: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Any) -> None:
        app = await _ready(pilot)
        await pilot.press("f2")
        await wait_screen(pilot, DiffScreen)
        await pilot.click("#push")
        await settle(pilot)
        subject = app.main.editor("subject")
        subject.focus()
        subject.cursor_location = (0, 0)
        await type_text(pilot, "Spring sale! ")
        await pilot.press("ctrl+s")
        await _no_toasts(pilot)
        await pilot.press("f3")
        await wait_screen(pilot, DiffScreen)
        await _quiet(pilot, modal=True)

    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    assert snap_compare(app, terminal_size=(110, 30), run_before=run_before)


def test_send_modal(project_dir: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await _ready(pilot)
        await pilot.press("f2")
        await wait_screen(pilot, DiffScreen)
        await pilot.click("#push")
        await _no_toasts(pilot)
        await pilot.press("f4")
        screen = await wait_screen(pilot, SendScreen)
        await wait_for(pilot, lambda: screen.plan is not None, what="send plan")
        await _quiet(pilot, modal=True)

    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    assert snap_compare(app, terminal_size=(110, 32), run_before=run_before)
