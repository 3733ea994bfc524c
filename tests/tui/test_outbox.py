"""An outbox message shown in the preview says how to go back to the template."""

from __future__ import annotations

from pathlib import Path

from ses_workbench.mime import build_mime
from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.outbox import OutboxScreen
from tests.tui.conftest import (
    connected,
    open_receipt,
    preview_text,
    settle,
    status_text,
    wait_for,
    wait_screen,
)

TEMPLATE = "order-receipt"


async def test_outbox_message_says_how_to_go_back(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        await connected(pilot)
        # one delivered message in the local endpoint's outbox
        outbox = app.flows.local_server.store.outbox
        outbox.mkdir(parents=True, exist_ok=True)
        raw = build_mime(app.main.last_good, sender="sender@example.com", to="someone@example.com")
        (outbox / "20260101T000000Z-test.eml").write_bytes(raw)
        live = status_text(app)
        assert "outbox" not in live
        await pilot.press("ctrl+o")
        await wait_screen(pilot, OutboxScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "outbox:" in preview_text(app), what="outbox message in preview")
        await wait_for(pilot, lambda: "outbox" in status_text(app), what="outbox status")
        status = status_text(app)
        assert "20260101T000000Z-test.eml" in status
        assert "escape" in status and "live preview" in status
        # escape (from the editor, which otherwise uses it to move focus) returns to the live preview
        app.main.editor("html").focus()
        await pilot.press("escape")
        await wait_for(pilot, lambda: "outbox:" not in preview_text(app), what="live preview again")
        await settle(pilot)
        assert app.main.outbox_message is None
        assert "Thanks for your order" in preview_text(app)
        assert "outbox" not in status_text(app) and TEMPLATE in status_text(app)
        # an edit that breaks the template while an outbox message shows: the error, not the message
        await pilot.press("ctrl+o")
        await wait_screen(pilot, OutboxScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "outbox:" in preview_text(app), what="outbox message again")
        app.main.editor("html").load_text("<p>{{#if x}}broken</p>\n")
        await wait_for(pilot, lambda: app.main.last_error is not None, what="render error")
        await settle(pilot)
        assert "outbox:" not in preview_text(app) and "cannot be rendered" in preview_text(app)
        assert "outbox" not in status_text(app)
        # without an outbox message, escape keeps its usual meaning (the editor moves focus on)
        app.main.editor("html").focus()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.focused is not app.main.editor("html"), what="focus moved on")
