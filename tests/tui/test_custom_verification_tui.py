"""One key in the workbench for custom verification templates: f10 shows the sample as its recipient sees
it (the link SES adds included), asks for an address, pushes it and sends it; the local outbox has it."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.dialogs import PromptScreen
from tests.tui.conftest import connected, preview_text, settle, type_text, wait_for, wait_screen


async def test_f10_previews_pushes_and_sends_the_sample(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await connected(pilot)
        assert "newsletter-sender" not in app.project.names  # not in the email template list
        await pilot.press("f10")
        await wait_screen(pilot, PromptScreen)
        text = preview_text(app)
        assert "You asked to send your Acme newsletters" in text and "token=PREVIEW" in text
        await type_text(pilot, "owner@customer.example")
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: any("Sent newsletter-sender" in str(n.message)
                                          for n in app.notifications), 20, "the sent notice")
        server = app.flows.local_server
        raw = server.outbox_messages()[-1].read_bytes()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert msg["To"] == "owner@customer.example"
        assert "/_local-ses/verify-link/" in msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
