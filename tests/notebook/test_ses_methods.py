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


@pytest.mark.timeout(300)
def test_check_via_ses_confirms_with_the_workbench_environment(project_copy: Path) -> None:
    import copy

    bench = Workbench(project_copy)
    try:
        base = bench.template("order-receipt").fixture().data
        rows = [copy.deepcopy(base) for _ in range(12)]
        del rows[4]["customer"]["firstName"]
        view = bench.check("order-receipt", rows, via_ses=4)
        assert (view.rows, view.failing) == (12, 1)
        via = view.report.via_ses
        assert via is not None and via["sampled"] == 4 and via["agree"] == 4
        assert any(r["row"] == 5 and "is not present" in r["ses"] for r in via["rows"])
        page = view._repr_html_()
        assert "via SES" in page
        assert_inert(page)
        # the scratch copy is gone
        assert [t.name for t in bench.client().list_templates(include_scratch=True)] == []
    finally:
        bench.close()


def test_a_2017_only_account_from_the_notebook(project_copy: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """`ses-workbench local-ses` simulating an account allowed only the 2017 actions: the notebook's
    client (api auto) switches to the 2017 API, says so once under the cell, and pushes."""
    from ses_workbench.project import Project
    from ses_workbench.ses.local import LocalSes
    from tests.ses.conftest import api_settings

    project = Project.load(project_copy)
    with LocalSes(project.state_dir, api_settings("v1"), port=0):
        bench = Workbench(project_copy)
        try:
            assert bench.push("welcome", yes=True).executed
            assert [s.state.value for s in bench.status(["welcome"])] == ["in-sync"]
            assert bench.client().active_api == "v1"
        finally:
            bench.close()
    err = capsys.readouterr().err
    assert err.count("using the 2017 API") == 1 and "ses-workbench: sesv2 access denied for" in err
