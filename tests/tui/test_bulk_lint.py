"""The workbench lints many templates in a child interpreter (its session offloads), with the same
diagnostics as lint in the app, and push planning's lint refusals reach the push dialog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ses_workbench.lint import lint_project
from ses_workbench.project import Project
from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.diff import DiffScreen
from tests.conftest import grow_past_child_lint
from tests.tui.conftest import connected, settle, wait_for, wait_screen


@pytest.fixture
def many(project_dir: Path) -> Path:
    grow_past_child_lint(project_dir, Project.load(project_dir).names)  # email templates only
    return project_dir


async def test_startup_lint_runs_in_a_child_and_push_shows_its_refusals(many: Path,
                                                                       child_calls: list[Any]) -> None:
    """The workbench's session offloads: its startup lint of every template runs in a child interpreter
    (which batches go there is the session's rule: tests/session), with the diagnostics lint gives here,
    and the push dialog lists the template that lint refuses."""
    app = WorkbenchApp(many, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await connected(pilot)
        await wait_for(pilot, lambda: len(app.main.lint) == len(app.project.names), 30, "startup lint")
        assert child_calls and len(child_calls[0] or []) == len(app.project.names)
        expected = lint_project(Project.load(many), None, app.main.dialect)
        assert sorted(map(str, (d for diags in app.main.lint.values() for d in diags))) == \
            sorted(str(d) for d in expected if d.template is not None)
        assert any(d.is_error for d in app.main.lint["copy-0"])

        await app.action_run("push_all")
        screen = await wait_screen(pilot, DiffScreen)
        refusals = " ".join(str(widget.render()) for widget in screen.query(".refusal"))
        assert "copy-0: lint error" in refusals
        await pilot.press("escape")
        await settle(pilot)
