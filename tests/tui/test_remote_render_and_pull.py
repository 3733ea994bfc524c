"""Remote render and parity through the local endpoint, and pull bringing a remote change into the editor."""

from __future__ import annotations

from pathlib import Path

from ses_workbench.project import TemplateContent
from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.dialogs import ConfirmScreen
from ses_workbench.tui.screens.diff import DiffScreen
from tests.tui.conftest import connected, preview_text, settle, wait_for, wait_screen, watcher_ready

TEMPLATE = "order-receipt"


async def _pushed(pilot, app: WorkbenchApp) -> None:  # type: ignore[no-untyped-def]
    app.main.open_template(TEMPLATE)
    await connected(pilot)
    await pilot.press("f2")
    await wait_screen(pilot, DiffScreen)
    await pilot.click("#push")
    await settle(pilot)


async def test_remote_render_and_parity(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await _pushed(pilot, app)
        await pilot.press("f7")
        await wait_for(pilot, lambda: "SES TestRenderEmailTemplate ·" in preview_text(app, "ses"),
                       what="SES render")
        assert "Thanks for your order, Ada!" in preview_text(app, "ses")
        assert app.main.preview_tabs.active == "pv-ses"
        await pilot.press("f8")
        await wait_for(pilot, lambda: "[default]:" in preview_text(app, "parity"), what="parity")
        assert f"{TEMPLATE} [default]: same" in preview_text(app, "parity")


async def test_pull_brings_remote_change_into_the_editor(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=True, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await _pushed(pilot, app)
        await watcher_ready(pilot)
        remote = app.ses.get_template(TEMPLATE)
        app.ses.update_template(TEMPLATE, TemplateContent(
            subject="Pulled subject {{order.number}}", html=remote.html, text=remote.text))
        await pilot.press("f5")
        await wait_screen(pilot, ConfirmScreen)
        await pilot.click("#yes")
        await settle(pilot)
        # the watcher brings the pulled file into the (clean) editor and the preview
        await wait_for(pilot, lambda: app.main.editor("subject").text.startswith("Pulled subject"),
                       what="pulled")
        await wait_for(pilot, lambda: "Pulled subject AC-100482" in preview_text(app), what="preview")
