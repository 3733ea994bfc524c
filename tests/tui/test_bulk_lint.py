"""Bulk lint (lint all, push planning) of many templates runs in a child interpreter, with the same
diagnostics as lint in the app; a batch under the threshold stays in the app."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from ses_workbench.lint import lint_project
from ses_workbench.project import Project
from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.diff import DiffScreen
from ses_workbench.tui.screens.main import CHILD_LINT_MIN
from tests.tui.conftest import connected, settle, wait_for, wait_screen


@pytest.fixture
def many(project_dir: Path) -> Path:
    names = Project.load(project_dir).names  # email templates (not the custom verification one)
    for i in range(CHILD_LINT_MIN - len(names) + 1):
        shutil.copytree(project_dir / names[i % len(names)], project_dir / f"copy-{i}")
    (project_dir / "copy-0" / "body.html").write_text("<p>{{#if a}}</p>\n")  # a syntax error
    return project_dir


@pytest.fixture
def child_calls(monkeypatch: Any) -> list[list[str] | None]:
    import ses_workbench.session.offload as lp

    calls: list[list[str] | None] = []
    real = lp.lint_in_child

    def spy(root: Any, names: Any = None, *args: Any, **kwargs: Any) -> Any:
        calls.append(list(names) if names is not None else None)
        return real(root, names, *args, **kwargs)

    monkeypatch.setattr(lp, "lint_in_child", spy)
    return calls


async def test_lint_all_and_push_planning_lint_in_a_child(many: Path, child_calls: list[Any]) -> None:
    app = WorkbenchApp(many, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await connected(pilot)
        await wait_for(pilot, lambda: len(app.main.lint) == len(app.project.names), 30, "startup lint")
        assert child_calls and len(child_calls[0] or []) == len(app.project.names)
        expected = lint_project(Project.load(many), None, app.main.dialect)
        assert sorted(map(str, (d for diags in app.main.lint.values() for d in diags))) == \
            sorted(str(d) for d in expected if d.template is not None)
        assert any(d.is_error for d in app.main.lint["copy-0"])

        calls_before = len(child_calls)
        await app.action_run("push_all")
        screen = await wait_screen(pilot, DiffScreen)
        assert len(child_calls) == calls_before + 1  # planning linted all of them in one child run
        assert any("copy-0: lint error" in line for line in screen._refusals)
        await pilot.press("escape")
        await settle(pilot)

        app.main.lint_templates(["welcome"])  # one template: linted in the app
        await settle(pilot)
        assert len(child_calls) == calls_before + 1
