"""An SES endpoint that accepts connections and never answers: the workbench keeps working while it waits,
says "not connected" in its header with a notification once the client gives up, and Reconnect (a key and
a palette entry) connects when the endpoint works again.

The endpoint is a real socket (``tests/silent_server.py``), replaced later by the embedded local endpoint
on the same address; timeouts are set small through ``SES_WORKBENCH_READ_TIMEOUT``; every wait is on a
condition, never on time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from ses_workbench.project import Project
from ses_workbench.ses.client import ENV_READ_TIMEOUT
from ses_workbench.ses.local import LocalSes
from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.messages import SesConnected
from tests.clocks import ManualClock
from tests.silent_server import SilentServer
from tests.tui.conftest import preview_text, type_text, wait_for

TEMPLATE = "order-receipt"


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    with SilentServer() as server:
        yield server


@pytest.fixture
def remote_project(project_dir: Path, silent: SilentServer) -> Path:
    """sample_templates with an environment ``remote`` served at the silent endpoint's address."""
    config = project_dir / "ses-workbench.toml"
    extra = f'\n[environments.remote]\nlocal = true\nendpoint_url = "{silent.url}"\n'
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return project_dir


def palette_titles(app: WorkbenchApp) -> set[str]:
    return {command.title for command in app.get_system_commands(app.screen)}


@pytest.mark.timeout(120)
async def test_a_silent_endpoint_fails_then_reconnect_connects(remote_project: Path, silent: SilentServer,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_READ_TIMEOUT, "0.3")
    app = WorkbenchApp(remote_project, env_name="remote", watch=False, browser=False, render_process=False)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.flows.connect_error is not None, 60, "the connection to fail")
        assert silent.accepted.is_set() and app.ses is None
        expected = (f"{silent.url} did not answer within 0.3 s (GetAccount, 3 attempts); check the network, "
                    "the region and --endpoint-url.")
        assert app.flows.connect_error == expected
        assert [n.message for n in app.notifications] == [expected]  # one notification, the one line
        assert "remote[/b] (not connected · ctrl+r Reconnect)" in app.main.header_text
        assert app.available("reconnect") and "Reconnect" in palette_titles(app)
        assert not app.available("push")  # SES actions stay off while not connected

        # The endpoint works again at the same address (and answers well within the default timeout).
        monkeypatch.delenv(ENV_READ_TIMEOUT)
        silent.close()
        project = Project.load(remote_project)
        with LocalSes(project.state_dir, project.config.local_ses, port=silent.port) as working:
            assert working.endpoint_url == silent.url
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: app.ses is not None, 60, "the reconnection")
            assert app.flows.connect_error is None and app.flows.account is not None
            assert app.ses.endpoint_url == silent.url
            assert "remote[/b] (local endpoint, SES v2 API)" in app.main.header_text
            assert not app.available("reconnect") and "Reconnect" not in palette_titles(app)
            await app.workers.wait_for_complete()  # the status refresh that follows a connection
            await pilot.press("ctrl+q")


@pytest.mark.timeout(120)
async def test_editing_preview_and_lint_work_while_connecting(remote_project: Path, silent: SilentServer,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_READ_TIMEOUT, "60")  # the connection stays pending for the whole edit
    app = WorkbenchApp(remote_project, env_name="remote", watch=False, browser=False, render_process=False)
    app.flows.clock = clock = ManualClock()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, silent.accepted.is_set, 30, "the connection attempt")
        clock.advance(3.2)
        app.flows.tick_connecting()  # what the app's one-second timer does
        assert "remote[/b] (connecting… 3 s)" in app.main.header_text
        app.main.open_template(TEMPLATE)
        await wait_for(pilot, lambda: "Thanks for your order" in preview_text(app), 30, "first preview")
        editor = app.main.editor("html")
        text = editor.text
        at = text.index("Thanks for your order, {{customer.firstName}}!</h1>")
        editor.focus()
        editor.cursor_location = (text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1))
        await type_text(pilot, "Hello ")
        await wait_for(pilot, lambda: "Hello Thanks for your order, Ada!" in preview_text(app), 30,
                       "edit in preview")
        await type_text(pilot, "{{nope.x}}")
        await wait_for(pilot, lambda: any("'nope.x'" in d.message for d in app.main.lint.get(TEMPLATE, [])),
                       30, "lint of the edit")
        assert app.ses is None and app.flows.connect_error is None  # still connecting all along
        assert "connecting… 3 s" in app.main.header_text and not app.available("reconnect")

        # The endpoint goes away: the pending request ends (connection closed, then refused) in a failure.
        silent.close()
        await wait_for(pilot, lambda: app.flows.connect_error is not None, 60, "the connection to fail")
        assert "refused the connection" in app.flows.connect_error and app.available("reconnect")
        await pilot.press("ctrl+q")


@pytest.mark.timeout(60)
async def test_quitting_while_connecting_does_not_wait_for_the_endpoint(
        remote_project: Path, silent: SilentServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_READ_TIMEOUT, "600")  # the request would hold for ten minutes
    app = WorkbenchApp(remote_project, env_name="remote", watch=False, browser=False, render_process=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, silent.accepted.is_set, 30, "the connection attempt")
        await pilot.press("ctrl+q")
    # When the event loop closes, Python joins the executor threads the workers ran on: none may still
    # be inside the unanswered request (the process would not exit until it timed out).
    await asyncio.get_running_loop().shutdown_default_executor()
    assert app.ses is None and app.flows.connect_error is None


async def test_a_late_answer_of_an_abandoned_attempt_is_dropped(remote_project: Path) -> None:
    """Switching environments while one still connects: if the first attempt answers after all, the app
    keeps the environment asked for last (the switch closed what the first attempt opened)."""
    app = WorkbenchApp(remote_project, connect=False, watch=False, browser=False, render_process=False)
    async with app.run_test(size=(160, 45)) as pilot:
        app.session.switch("local", local=True)
        app.flows.start()
        await wait_for(pilot, lambda: app.ses is not None, 60, "the local connection")
        current = app.ses
        app.post_message(SesConnected("remote", object(), None, "late",
                                      seq=app.flows.connect_seq - 1))
        await pilot.pause()  # the app handled it
        assert app.ses is current and app.flows.env_name == "local"
        assert "(late" not in app.main.header_text
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+q")
