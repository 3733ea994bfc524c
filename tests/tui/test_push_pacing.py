"""Typing stays live while a paced push runs."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.diff import DiffScreen
from tests.tui.conftest import preview_text, settle, wait_for, wait_screen

TEMPLATE = "order-receipt"


async def test_typing_stays_live_during_a_paced_push(project_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A push paced at SES's template-operation rate runs in a worker: the editor and preview keep going."""
    config = project_dir / "ses-workbench.toml"
    text = config.read_text().replace("template_ops_per_second = 200", "template_ops_per_second = 4")
    config.write_text(text)
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        app.main.open_template(TEMPLATE)
        await wait_for(pilot, lambda: app.ses is not None, 20, "SES connection")
        await wait_for(pilot, lambda: all(w.group != "ses-status" or not w.is_running for w in app.workers),
                       30, "status")
        # The push must still be running when the preview is checked: at 4/s the eight templates take
        # ~2 s, which a loaded machine can spend before the keys are typed.  After the first template
        # the push waits for this gate (in its worker thread), so "still pushing" does not race the clock;
        # were the push on the event loop, the preview could not update while it waits.
        gate = threading.Event()
        upsert = app.ses.upsert_template
        pushed: list[str] = []

        def gated_upsert(name: str, *args: Any, **kwargs: Any) -> Any:
            pushed.append(name)
            if len(pushed) > 1:
                gate.wait(60)
            return upsert(name, *args, **kwargs)

        monkeypatch.setattr(app.ses, "upsert_template", gated_upsert)
        try:
            await app.action_run("push_all")
            await wait_screen(pilot, DiffScreen)
            await pilot.click("#push")
            await wait_for(pilot, lambda: app.main.query_one("#progress-box").display, 10, "push progress")
            editor = app.main.editor("subject")
            editor.focus()
            editor.cursor_location = (0, 0)
            await pilot.press(*"Live ")
            await wait_for(pilot, lambda: "Live Your Acme receipt" in preview_text(app), 5,
                           "preview during push")
            assert any(w.group == "ses-push" and w.is_running for w in app.workers)  # still pushing
        finally:
            gate.set()
        await settle(pilot)
        assert app.ses.get_template("welcome") is not None  # ...and it finished
        assert len(pushed) == len(app.project.names)
