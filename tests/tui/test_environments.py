"""Environments: one without credentials is one notification; no credentials at all opens the
embedded endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.dialogs import ChoiceScreen
from tests.tui.conftest import connected, settle, wait_for, wait_screen

TEMPLATE = "order-receipt"


@pytest.mark.usefixtures("no_aws_credentials")
async def test_environment_without_credentials_is_one_notification(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        app.main.open_template(TEMPLATE)
        await connected(pilot)
        await pilot.press("f9")
        await wait_screen(pilot, ChoiceScreen)
        await pilot.click("#choice-staging")
        await wait_for(pilot, lambda: app.flows.env_name == "staging", what="the switch")  # then its worker
        await settle(pilot)
        assert app.ses is None  # not connected...
        assert app.enabled("push") is False  # ...so SES actions are hidden
        notes = [n.message for n in app.notifications]
        assert any("acme-staging" in n or "credential" in n.lower() or "profile" in n.lower()
                   for n in notes), notes
        assert "not connected" in app.main.header_text
        # still usable: editing and the preview work
        app.main.editor("html").focus()
        await pilot.press("x")
        await wait_for(pilot, lambda: app.main.is_dirty, what="editable")
        # and switching back to the local endpoint works
        await pilot.press("f9")
        await wait_screen(pilot, ChoiceScreen)
        await pilot.click("#choice-local")
        await connected(pilot)
        assert app.flows.env_name == "local"


@pytest.mark.usefixtures("no_aws_credentials")
async def test_no_credentials_opens_the_local_endpoint(project_dir: Path) -> None:
    """`ses-workbench DIR` without --local: the default environment falls back to the embedded endpoint."""
    config = project_dir / "ses-workbench.toml"
    config.write_text(config.read_text().replace('default_env = "local"', 'default_env = "staging"'))
    app = WorkbenchApp(project_dir, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await connected(pilot)
        assert app.flows.local_server is not None
        assert "local endpoint" in app.main.header_text
