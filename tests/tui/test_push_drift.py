"""TUI push: a remote edit made while the push dialog is open is refused, never overwritten."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ses_workbench.project import TemplateContent
from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.diff import DiffScreen
from tests.tui.conftest import (
    connected,
    cursor_at,
    open_receipt,
    push_then_drift,
    settle,
    type_text,
    wait_for,
    wait_screen,
)

TEMPLATE = "order-receipt"


async def test_a_remote_edit_while_the_push_dialog_is_open_is_refused(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    notices: list[tuple[str, str]] = []
    real_notify = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        notices.append((message, kwargs.get("severity", "information")))
        real_notify(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        await connected(pilot)
        await pilot.press("f2")
        await wait_screen(pilot, DiffScreen)
        await pilot.click("#push")
        await settle(pilot)
        await wait_for(pilot, lambda: app.main.states.get(TEMPLATE) == "in-sync", what="first push")
        cursor_at(app, "subject", "Your Acme receipt")
        await type_text(pilot, "New ")
        await pilot.press("f2")  # saves, plans: an update of what SES holds now
        await wait_screen(pilot, DiffScreen)
        assert app.screen.query("#push")
        colleague = TemplateContent(subject="Colleague, meanwhile", html="<p>hi</p>", text="hi")
        app.ses.update_template(TEMPLATE, colleague)  # while the dialog is open
        await pilot.click("#push")
        await settle(pilot)
        await wait_for(pilot, lambda: any(m.startswith("Not pushed") for m, _ in notices), what="refusal")
        [(text, severity)] = [(m, s) for m, s in notices if m.startswith("Not pushed")]
        assert severity == "error" and "changed remotely since the plan: nothing overwritten" in text
        assert app.ses.get_template(TEMPLATE).subject == "Colleague, meanwhile"
        saved = [json.loads(p.read_text())["TemplateContent"]["Subject"]
                 for p in (app.project.state_dir / "backups").rglob("*.json")]
        assert saved == ["Colleague, meanwhile"]
        await wait_for(pilot, lambda: app.main.states.get(TEMPLATE) == "conflict", what="conflict state")


async def test_force_pushes_over_what_the_dialog_showed_not_over_a_later_edit(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await push_then_drift(pilot, app, "First remote edit")
        assert app.screen.query("#force")  # the dialog shows "First remote edit" as drift
        app.ses.update_template(TEMPLATE, TemplateContent("Second remote edit", "<p>2</p>", "2"))
        await pilot.click("#force")
        await settle(pilot)
        await wait_for(pilot, lambda: app.main.states.get(TEMPLATE) == "conflict", what="conflict state")
        assert app.ses.get_template(TEMPLATE).subject == "Second remote edit"
