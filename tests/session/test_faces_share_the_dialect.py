"""After ``calibrate`` recorded a non-default dialect, every face gives the same answer on a template whose
result depends on it: ``ses-workbench lint``, ``ses-workbench check`` and the notebook's
``Workbench.lint/render/check`` (the TUI preview's test uses the same ``calibrated_project`` fixture)."""

from __future__ import annotations

import json

import pytest

from ses_workbench.cli import main
from ses_workbench.notebook import Workbench
from tests.conftest import CalibratedProject


def test_cli_lint_uses_the_calibrated_dialect(calibrated_project: CalibratedProject,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    cp = calibrated_project
    assert main(["lint", str(cp.root), cp.template, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["dialect"]["parent_scope_lookup"] is True
    assert not [d for d in report["diagnostics"] if d["code"] == cp.code and d["severity"] == "error"]
    # the control: the environment never calibrated gets the engine's defaults, and the error
    assert main(["lint", str(cp.root), cp.template, "--env", "staging", "--format", "json"]) == 1
    assert [d for d in json.loads(capsys.readouterr().out)["diagnostics"]
            if d["code"] == cp.code and d["severity"] == "error"]


def test_cli_check_uses_the_calibrated_dialect(calibrated_project: CalibratedProject,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    cp = calibrated_project
    rows = cp.root / "rows.jsonl"
    rows.write_text(json.dumps(cp.row) + "\n")
    args = ["check", cp.template, "--dir", str(cp.root), "--data", str(rows), "--format", "json"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["failing"] == 0
    assert main([*args, "--env", "staging"]) == 1
    assert json.loads(capsys.readouterr().out)["failing"] == 1


def test_the_notebook_uses_the_calibrated_dialect(calibrated_project: CalibratedProject) -> None:
    cp = calibrated_project
    with Workbench(cp.root) as wb:
        view = wb.render(cp.template)
        assert view.ok and view.html is not None and view.html.strip() == cp.calibrated_html
        assert not [d for d in wb.lint(cp.template).errors if d.code == cp.code]
        assert wb.check(cp.template, [cp.row]).passed
    with Workbench(cp.root, "staging") as wb:
        view = wb.render(cp.template)
        assert not view.ok and cp.missing in str(view.error)
        assert [d for d in wb.lint(cp.template).errors if d.code == cp.code]
        assert not wb.check(cp.template, [cp.row]).passed
