"""Remote render (pushed template or scratch copy, always cleaned up) and local-vs-SES parity."""

from __future__ import annotations

import pytest

from ses_workbench.project import Project
from ses_workbench.ses import remote, sync
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.errors import MissingRenderingAttribute

from .conftest import MISSING_ID


def scratch_left(client: SesClient) -> list[str]:
    return [t.name for t in client.list_templates(include_scratch=True) if t.name.startswith("sesworkbench-")]


def test_remote_render_pushed_template(project: Project, client: SesClient) -> None:
    sync.push(client, project, ["welcome"])
    r = remote.remote_render(client, project, "welcome")
    assert not r.scratch and r.fixture == "default"
    assert r.subject == "Welcome Ada!" and "Plan: Pro" in (r.html or "") and r.text == "Hello Ada\n"
    assert r.raw.startswith(("From:", "Subject:", "MIME", "Date", "Message", "To", "Content"))


def test_remote_render_unpushed_edits_uses_scratch(project: Project, client: SesClient) -> None:
    sync.push(client, project, ["welcome"])
    project.get("welcome").write_part("subject", "Edited {{name}}\n")
    r = remote.remote_render(client, project, "welcome", "no-plan")
    assert r.scratch and r.subject == "Edited Bob"
    assert scratch_left(client) == []
    # --pushed renders the deployed version instead
    assert remote.remote_render(client, project, "welcome", pushed=True).subject == "Welcome Ada!"


def test_scratch_deleted_on_error(project: Project, client: SesClient) -> None:
    project.get("receipt").write_fixture("missing-id", MISSING_ID)
    with pytest.raises(MissingRenderingAttribute) as info:
        remote.remote_render(client, project, "receipt", "missing-id")
    assert info.value.attribute == "order.id"
    assert scratch_left(client) == []


def test_parity_same_and_shared_failure(project: Project, client: SesClient) -> None:
    results = remote.parity(client, project, "welcome", all_fixtures=True)
    assert [r.fixture for r in results] == ["default", "no-plan"]
    assert all(r.same for r in results), [r.report() for r in results]
    project.get("receipt").write_fixture("missing-id", MISSING_ID)
    failing = remote.parity(client, project, "receipt", ["missing-id"])[0]
    assert failing.local_error and failing.remote_error and failing.same
    assert "same failure" in failing.report()
    assert scratch_left(client) == []


def test_parity_reports_differences(project: Project, client: SesClient) -> None:
    # Make SES and the local render disagree: push one version, render against another via --pushed path
    # is not parity; instead compare a normalisation unit directly.
    assert remote.normalise("a \r\nb\r\n\r\n", "text") == "a\nb"
    assert remote.normalise("Hello\r\n  World", "subject") == "Hello World"
    fp = remote.FixtureParity("t", "f", [remote.PartParity("html", "a", "b", ["-a", "+b"])])
    assert not fp.same and "differs in html" in fp.report()


def test_remote_error_for_data(project: Project, client: SesClient) -> None:
    with remote.remote_error_for_data(client, project, "welcome") as remote_error:
        assert remote_error({"name": "x"}) is None
        assert "Attribute 'name' is not present" in (remote_error({}) or "")
