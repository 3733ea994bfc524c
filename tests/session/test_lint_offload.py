"""Lint in a child interpreter (``session.offload``) gives exactly what ``lint_project`` gives here."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ses_workbench.engine import DEFAULT_DIALECT
from ses_workbench.lint import lint_project
from ses_workbench.project import Project
from ses_workbench.session.offload import LintProcessError, errors_by_template, lint_in_child
from tests.conftest import copy_samples
from tests.domain.conftest import write_template


def test_the_child_finds_what_lint_project_finds(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    copy_samples(root)
    write_template(root, "broken", html="<p>{{#if a}}x</p>", fixtures={"default": {"a": 1}})
    write_template(root, "scoped", html="{{#each items}}{{shop}}{{/each}}",
                  fixtures={"default": {"items": [1], "shop": "S"}, "bad": "{not json"})
    project = Project.load(root)
    here = lint_project(project, None, DEFAULT_DIALECT)
    assert any(d.is_error for d in here) and {d.template for d in here} >= {"broken", "scoped"}
    assert lint_in_child(root, None, DEFAULT_DIALECT) == here
    # names and the dialect go across too
    lookup = replace(DEFAULT_DIALECT, parent_scope_lookup=True)
    assert lint_in_child(root, ["scoped"], lookup) == lint_project(project, ["scoped"], lookup)
    assert lint_in_child(root, ["scoped"], lookup) != lint_in_child(root, ["scoped"], DEFAULT_DIALECT)


def test_errors_by_template_lists_every_name(tmp_path: Path) -> None:
    write_template(tmp_path, "ok")
    write_template(tmp_path, "bad", html="{{#each}}")
    diags = lint_in_child(tmp_path, ["ok", "bad"])
    errors = errors_by_template(diags, ["ok", "bad"])
    assert errors["ok"] == [] and len(errors["bad"]) >= 1 and "bad" in errors["bad"][0]


def test_a_child_that_fails_is_one_error(tmp_path: Path) -> None:
    with pytest.raises(LintProcessError, match="the lint process failed"):
        lint_in_child(tmp_path / "no-such-project", ["x"])
