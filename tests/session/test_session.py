"""The session: one dialect rule for every piece of local work, edits as a template, lint that decides
where it runs, and the environment it stands for."""

from __future__ import annotations

from typing import Any

import pytest

from ses_workbench.engine import DEFAULT_DIALECT
from ses_workbench.lint import lint_project
from ses_workbench.project import Project
from ses_workbench.project.errors import ConfigError
from ses_workbench.session import BufferFixture, EditedTemplate, Session, offload
from tests.conftest import CalibratedProject, grow_past_child_lint, write_calibration


def parent_scope_errors(diags: list[Any], cp: CalibratedProject) -> list[Any]:
    return [d for d in diags if d.template == cp.template and d.code == cp.code and d.is_error]


def test_without_calibration_the_dialect_is_the_engines_default(sample_project: Project) -> None:
    assert Session(sample_project).dialect == DEFAULT_DIALECT
    assert Session(sample_project, "production").dialect == DEFAULT_DIALECT


def test_the_dialect_follows_the_calibration_of_an_environment(calibrated_project: CalibratedProject) -> None:
    root = calibrated_project.root
    # the default environment is the local endpoint: it stands in for the latest calibrated real account
    assert Session(root).dialect.parent_scope_lookup is True
    assert Session(root, "production").dialect.parent_scope_lookup is True
    assert Session(root, "staging").dialect == DEFAULT_DIALECT  # never calibrated
    assert Session(root, "local").dialect == DEFAULT_DIALECT  # named: its own (self-test) calibration

    session = Session(root, "production")
    session.switch("staging")
    assert session.dialect == DEFAULT_DIALECT and session.environment.name == "staging"
    write_calibration(root, "staging", parent_scope_lookup=True)  # `calibrate` ran meanwhile
    assert session.reload_dialect() is True
    assert session.dialect.parent_scope_lookup is True
    assert session.reload_dialect() is False


def test_an_unknown_environment_is_refused_before_anything_changes(sample_project: Project) -> None:
    with pytest.raises(ConfigError, match="stagin"):
        Session(sample_project, "stagin")
    session = Session(sample_project, "production")
    with pytest.raises(ConfigError):
        session.switch("nope")
    assert session.env_name == "production"


def test_render_preview_lint_and_check_use_the_session_dialect(calibrated_project: CalibratedProject) -> None:
    cp = calibrated_project
    calibrated, default = Session(cp.root), Session(cp.root, "staging")

    assert calibrated.render(cp.template).html.strip() == cp.calibrated_html
    good = calibrated.preview(cp.template, attributes=True)
    assert good.ok and good.rendered is not None and good.rendered.html.strip() == cp.calibrated_html
    assert good.fixture == "default" and good.attributes is not None
    assert {a.path: a.present for a in good.attributes}["items"] is True  # the default fixture's data
    bad = default.preview(cp.template)
    assert not bad.ok and bad.rendered is None and bad.error is not None and cp.missing in bad.error.message

    assert not parent_scope_errors(calibrated.lint(), cp)
    assert parent_scope_errors(default.lint(), cp)
    assert parent_scope_errors(default.lint([cp.template]), cp)

    assert calibrated.check(cp.template, [cp.row]).passed
    assert not default.check(cp.template, [cp.row]).passed


def test_unsaved_edits_are_previewed_and_linted_as_the_buffers_say(sample_project: Project) -> None:
    session = Session(sample_project)
    base = sample_project.get("welcome")
    fixture = BufferFixture("default", base.dir / "data" / "default.json", '{"name": "Ada"}')
    edits = EditedTemplate(base, {"subject": "Hi {{name}}", "html": "<p>Hi {{name}}</p>", "text": None},
                           fixture)

    shown = session.preview(edits)
    assert shown.ok and shown.rendered is not None and "Hi Ada" in shown.rendered.html
    assert shown.fixture == "default"
    assert "Hi Ada" not in (base.dir / "body.html").read_text()  # nothing was written

    broken = EditedTemplate(base, {"subject": "Hi", "html": "<p>{{#if name}}</p>", "text": None}, fixture)
    assert any(d.is_error and d.code == "syntax" for d in session.lint(broken))
    failed = session.preview(broken)
    assert not failed.ok and failed.error is not None and failed.error.line == 1

    bad_json = EditedTemplate(base, {}, BufferFixture("default", fixture.path, '{"name": '))
    assert session.preview(bad_json).error is not None and session.preview(bad_json).error.is_fixture


@pytest.fixture
def many(sample_project: Project) -> Project:
    """Enough saved templates for a batch lint to go to a child, one of them broken."""
    grow_past_child_lint(sample_project.root, sample_project.names)
    return Project.load(sample_project.root)


def test_an_offloading_session_lints_a_large_batch_in_a_child(many: Project, child_calls: list[Any]) -> None:
    session = Session(many, offload=True)
    found = session.lint(many.names)
    assert child_calls == [many.names]
    assert found == lint_project(many, many.names, session.dialect)
    assert session.lint_errors(many.names)["copy-0"]  # what a push refusal quotes

    session.lint(["welcome"])  # one template: linted here
    session.lint(many.get("welcome"))
    assert len(child_calls) == 2  # lint_errors was the second batch


def test_a_session_that_does_not_offload_lints_here(many: Project, child_calls: list[Any]) -> None:
    Session(many).lint(many.names)
    assert child_calls == []


def test_a_failing_child_is_replaced_by_lint_here(many: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_a: Any, **_kw: Any) -> Any:
        raise offload.LintProcessError("the lint process did not run: no interpreter")

    monkeypatch.setattr(offload, "lint_in_child", broken)
    session = Session(many, offload=True)
    assert session.lint(many.names) == lint_project(many, many.names, session.dialect)


def test_positions_in_an_unsaved_layout_buffer_come_from_the_buffer(sample_project: Project) -> None:
    """A line typed (not saved) into a template that extends a layout: lint and the preview error name
    the line and column in the buffer, not a line of the saved file that happens to match."""
    session = Session(sample_project)
    base = sample_project.get("welcome")
    lines = (base.dir / "body.html").read_text().splitlines()
    typed = "<p>Live preview test for {{firstName}} at {{company}}</p>"
    buffer = "\n".join([*lines[:10], typed, *lines[10:]]) + "\n"
    edits = EditedTemplate(base, {"html": buffer})
    column = typed.index("{{company}}") + 1

    found = [d for d in session.lint(edits) if d.code == "missing-attribute" and "'company'" in d.message]
    assert found and {(d.line, d.column) for d in found} == {(11, column)}, found
    assert all(d.path == str(base.dir / "body.html") for d in found)

    shown = session.preview(edits)
    assert shown.error is not None and (shown.error.line, shown.error.column) == (11, column)
