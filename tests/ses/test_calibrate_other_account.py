"""Calibration and parity against an account whose SES renders differently from the defaults: the local
endpoint rendering with another engine dialect stands in for it (over HTTP, as always)."""

from __future__ import annotations

import pytest

from ses_workbench.cli import main
from ses_workbench.engine import DEFAULT_DIALECT, Dialect
from ses_workbench.project import Project
from ses_workbench.ses import calibrate as C
from ses_workbench.ses.local import LocalSes

from .conftest import settings

OTHER = Dialect(parent_scope_lookup=True, print_style="json", each_object_order="sorted",
                standalone_strip=False)


def test_calibration_finds_the_other_dialect_and_parity_then_agrees(
        project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    # output that depends on the dialect: a number with a decimal point and a standalone block
    tpl = project.get("welcome")
    tpl.write_part("text", "Hello {{name}}\n{{#if plan}}\nScore {{score}}\n{{/if}}\n")
    tpl.write_fixture("default", '{"name": "Ada", "plan": {"name": "Pro"}, "score": 2.0}')
    tpl.write_fixture("no-plan", '{"name": "Bob", "score": 1}')
    with LocalSes(project.state_dir, settings(dialect=OTHER), port=0) as ses:
        def run(*args: str) -> int:
            return main([*args, "--dir", str(project.root), "--endpoint-url", ses.endpoint_url])

        assert run("parity", "welcome", "--all-fixtures") == 1
        out = capsys.readouterr().out
        assert "welcome [default]: differs in text" in out and "1/2 fixtures render the same" in out
        assert "-Score 2\n+\n+Score 2.0\n" in out  # where they differ: JSON print style, newlines kept

        assert run("calibrate") == 0
        report = capsys.readouterr().out
        for name in ("parent_scope_lookup", "print_style", "each_object_order", "standalone_strip"):
            assert name in report
        assert "every calibrated behaviour matches the defaults" not in report
        assert C.load_dialect(Project.load(project.root), "local") == \
            Dialect(parent_scope_lookup=True, print_style="json", each_object_order="sorted",
                    standalone_strip=False)

        assert run("parity", "welcome", "--all-fixtures") == 0  # the local preview now renders like "SES"
        assert "2/2 fixtures render the same" in capsys.readouterr().out
    assert C.load_dialect(project, "stg") == DEFAULT_DIALECT  # calibration is per environment
