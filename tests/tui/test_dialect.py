"""The preview and lint use the dialect the CLI's render/lint would (the session's dialect rule)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ses_workbench.cli import main as cli_main
from ses_workbench.engine import DEFAULT_DIALECT
from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.dialogs import ChoiceScreen
from tests.conftest import CalibratedProject, write_calibration, write_template
from tests.tui.conftest import preview_text, settle, type_text, wait_for, wait_screen, watcher_ready

NAME = "scoped"
# a root variable inside {{#each}}: an error by default, "[S][S]" with parent_scope_lookup
HTML = "<p>{{#each items}}[{{shop}}]{{/each}}</p>\n"


@pytest.fixture
def scoped(project_dir: Path) -> Path:
    write_template(project_dir, NAME, subject="Order\n", html=HTML,
                   fixtures={"default": '{"items": [1, 2], "shop": "S"}\n'})
    return project_dir


def parent_scope_errors(app: WorkbenchApp) -> list[Any]:
    return [d for d in app.main.lint.get(NAME, []) if d.code == "parent-scope" and d.severity == "error"]


async def open_scoped(pilot: Any, app: WorkbenchApp) -> None:
    app.main.open_template(NAME)
    await settle(pilot)
    await wait_for(pilot, lambda: app.main.current == NAME and (app.main.last_error is not None
                                                            or "[S]" in preview_text(app)),
                   what="first preview")


@pytest.mark.usefixtures("no_aws_credentials")
async def test_preview_and_lint_follow_the_calibrated_dialect(scoped: Path) -> None:
    # the default environment is the local endpoint: it stands in for the latest calibrated account
    write_calibration(scoped, "production", parent_scope_lookup=True)
    app = WorkbenchApp(scoped, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_scoped(pilot, app)
        assert app.main.dialect.parent_scope_lookup is True
        assert app.main.last_error is None and "[S][S]" in preview_text(app)  # rendered on the thread
        await wait_for(pilot, lambda: NAME in app.main.lint,
                       what="lint")
        assert not parent_scope_errors(app)

        # the render process renders with the same dialect
        await wait_for(pilot, lambda: app.main.render_process_alive, 30, "render process")
        editor = app.main.editor("html")
        editor.focus()
        editor.cursor_location = (0, 3)
        await type_text(pilot, "Hi ")
        await wait_for(pilot, lambda: "Hi [S][S]" in preview_text(app), what="process preview")
        assert app.main.last_error is None

        # f9 to staging (never calibrated): the defaults again, in the preview and in lint
        await pilot.press("f9")
        await wait_screen(pilot, ChoiceScreen)
        await pilot.click("#choice-staging")
        await wait_for(pilot, lambda: app.flows.env_name == "staging", what="the switch")  # then its worker
        await settle(pilot)
        assert app.main.dialect == DEFAULT_DIALECT
        await wait_for(pilot, lambda: app.main.last_error is not None and "shop" in app.main.last_error,
                       what="default-dialect preview")
        await wait_for(pilot, lambda: bool(parent_scope_errors(app)), what="lint with the defaults")

        # and to production: its calibration
        await pilot.press("f9")
        await wait_screen(pilot, ChoiceScreen)
        await pilot.click("#choice-production")
        # then its worker
        await wait_for(pilot, lambda: app.flows.env_name == "production", what="the switch")
        await settle(pilot)
        assert app.main.dialect.parent_scope_lookup is True
        await wait_for(pilot, lambda: app.main.last_error is None and "Hi [S][S]" in preview_text(app),
                       what="calibrated preview")
        await wait_for(pilot, lambda: not parent_scope_errors(app), what="lint with the calibration")


@pytest.mark.usefixtures("no_aws_credentials")
async def test_a_calibration_written_while_the_app_runs_is_picked_up(scoped: Path) -> None:
    """``calibrate`` run from a shell beside the open app: the watcher sees calibration.json change and
    the preview follows the new dialect, without an environment switch or a restart."""
    app = WorkbenchApp(scoped, connect=False, watch=True, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_scoped(pilot, app)
        assert app.main.dialect == DEFAULT_DIALECT and app.main.last_error is not None
        await watcher_ready(pilot)
        write_calibration(scoped, "production", parent_scope_lookup=True)
        await wait_for(pilot, lambda: app.main.dialect.parent_scope_lookup is True, what="the new dialect")
        await wait_for(pilot, lambda: app.main.last_error is None and "[S][S]" in preview_text(app),
                       what="calibrated preview")
        await wait_for(pilot, lambda: not parent_scope_errors(app), what="lint with the calibration")


@pytest.mark.parametrize("env", [None, "staging"])
async def test_after_calibrate_the_preview_answers_as_the_cli_lint(calibrated_project: CalibratedProject,
                                                                  capsys: pytest.CaptureFixture[str],
                                                                  env: str | None) -> None:
    """The TUI face of "every face gives the same answer after calibrate". For the default environment
    (served by the local endpoint, which stands in for the calibrated account) ``ses-workbench lint``
    finds the template clean and the workbench's preview renders it as the account would, with lint
    clean too; for an environment never calibrated both report the engine default's error."""
    cp = calibrated_project
    args = ["lint", str(cp.root), cp.template, "--format", "json"] + (["--env", env] if env else [])
    assert cli_main(args) == (0 if env is None else 1)
    cli_codes = sorted(d["code"] for d in json.loads(capsys.readouterr().out)["diagnostics"]
                       if d["severity"] == "error")
    app = WorkbenchApp(cp.root, env_name=env, connect=False, watch=False, browser=False, render_process=False)
    async with app.run_test(size=(160, 45)) as pilot:
        app.main.open_template(cp.template)
        await wait_for(pilot, lambda: app.main.last_good is not None or app.main.last_error is not None,
                       what="the preview")
        await wait_for(pilot, lambda: cp.template in app.main.lint, what="lint")
        tui_codes = sorted(d.code for d in app.main.lint[cp.template] if d.severity == "error")
        assert tui_codes == cli_codes
        if env is None:
            assert app.main.last_error is None and cli_codes == []
            assert app.main.last_good.html.strip() == cp.calibrated_html
        else:
            assert app.main.last_error is not None and cp.missing in app.main.last_error
            assert cp.code in cli_codes
