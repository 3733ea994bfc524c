"""The workbench on an account whose IAM policy grants only the 2017 actions: it connects through the 2017
API, says so once in a notification, names the API in its header, and pushes through it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ses_workbench.project import Project
from ses_workbench.ses.local import LocalSes
from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.diff import DiffScreen
from tests.ses.conftest import api_settings
from tests.tui.conftest import connected, settle, wait_for, wait_screen


@pytest.mark.timeout(120)
async def test_the_workbench_falls_back_to_the_2017_api_once(project_dir: Path) -> None:
    project = Project.load(project_dir)
    # `ses-workbench local-ses` simulating a 2017-only account; the workbench talks to the one running
    with LocalSes(project.state_dir, api_settings("v1", template_ops_per_second=None), port=0) as ses:
        app = WorkbenchApp(project_dir, watch=False, browser=False, render_process=False)
        async with app.run_test(size=(160, 45), notifications=True) as pilot:
            await connected(pilot)
            assert app.ses.endpoint_url == ses.endpoint_url and app.ses.active_api == "v1"
            assert "local[/b] (local endpoint, 2017 API)" in app.main.header_text
            notes = [n.message for n in app.notifications if "2017 API" in n.message]
            assert notes == ["sesv2 access denied for GetAccount; using the 2017 API (ses:GetSendQuota)"]
            # through ListTemplates
            assert app.main.states and set(app.main.states.values()) == {"local-only"}

            app.clear_notifications()  # (a toast would cover the diff's buttons)
            app.main.open_template("order-receipt")
            await wait_for(pilot, lambda: app.main.current == "order-receipt", what="the template open")
            await pilot.press("f2")
            await wait_screen(pilot, DiffScreen)
            await pilot.click("#push")
            await settle(pilot)
            await wait_for(pilot, lambda: app.main.states.get("order-receipt") == "in-sync",
                           what="in-sync state")
            assert app.ses.get_template("order-receipt") is not None
            assert not [n for n in app.notifications if "2017 API" in n.message]  # said once only
            await settle(pilot)
