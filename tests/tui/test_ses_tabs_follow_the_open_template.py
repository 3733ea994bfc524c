"""An SES render or parity answer that arrives after another template was opened is dropped: the SES
tabs only ever show the open template's answers."""

from __future__ import annotations

from pathlib import Path

from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.messages import SesPanel
from tests.tui.conftest import preview_text, settle, wait_for


async def test_a_late_answer_for_the_previous_template_is_dropped(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        app.main.open_template("order-receipt")
        await settle(pilot)
        app.main.switch_template("welcome")
        await wait_for(pilot, lambda: app.main.current == "welcome", what="welcome open")
        placeholder = preview_text(app, "ses")
        app.post_message(SesPanel("ses", "order-receipt", "SES answer for order-receipt"))
        app.post_message(SesPanel("parity", "welcome", "welcome [default]: same"))
        await settle(pilot)
        assert preview_text(app, "ses") == placeholder
        assert "welcome [default]: same" in preview_text(app, "parity")  # the open one's answer shows
