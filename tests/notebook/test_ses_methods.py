"""Workbench's SES methods against the embedded local endpoint: outward actions need yes=True."""

from __future__ import annotations

from pathlib import Path

import pytest

from ses_workbench import Workbench
from tests.notebook.nb_helpers import EVIL, assert_inert


@pytest.fixture
def wb(project_copy: Path):  # type: ignore[no-untyped-def]
    bench = Workbench(project_copy)
    yield bench
    bench.close()


@pytest.mark.timeout(300)
def test_push_diff_status_send_flow(wb: Workbench, project_copy: Path) -> None:
    plan = wb.push("welcome")
    assert not plan.executed
    assert "nothing pushed" in plan._repr_html_()
    assert [s.state.value for s in wb.status(["welcome"])] == ["local-only"]  # the plan pushed nothing

    done = wb.push("welcome", yes=True)
    assert done.executed and [i.name for i in done.plan.items if i.done] == ["welcome"]
    assert [s.state.value for s in wb.status(["welcome"])] == ["in-sync"]

    tpl = wb.template("welcome")
    original = tpl.source("subject")
    assert original is not None
    tpl.write_part("subject", EVIL + "\n")
    diff = wb.diff("welcome")
    assert diff.changed
    page = diff._repr_html_()
    assert "diff_" in page and "&lt;script&gt;" in page
    assert_inert(page)
    tpl.write_part("subject", original)

    preview = wb.send("welcome", to="success@simulator.amazonses.com")
    assert not preview.executed and preview.rows
    assert "nothing sent" in preview._repr_html_()
    outbox = project_copy / ".ses-workbench" / "local-ses" / "outbox"
    before = len(list(outbox.rglob("*.eml"))) if outbox.exists() else 0
    assert before == 0


@pytest.mark.timeout(300)
def test_remote_render_shows_ses_output(wb: Workbench) -> None:
    view = wb.remote_render("verify-email")
    assert view.ok, view.error
    assert view.subject
    assert "rendered by SES" in view._repr_html_()
    assert_inert(view._repr_html_())
