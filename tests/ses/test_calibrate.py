"""Calibration against the local endpoint is a self-test: every answer equals the defaults."""

from __future__ import annotations

import json

from ses_workbench.engine import DEFAULT_DIALECT, Dialect
from ses_workbench.project import Project
from ses_workbench.ses import calibrate as C
from ses_workbench.ses.client import SesClient


def test_self_test_against_local_endpoint(project: Project, client: SesClient) -> None:
    cal = C.calibrate(client, project)
    assert cal.self_test_ok, cal.report()
    assert cal.dialect == DEFAULT_DIALECT
    for r in cal.results:
        if r.probe.field:
            assert getattr(DEFAULT_DIALECT, r.probe.field) in r.matches, r.to_dict()
    null = next(r for r in cal.results if r.probe.id == "null-is-missing")
    assert not null.ok and "not present" in (null.error or "")
    saved = json.loads((project.state_dir / "calibration.json").read_text())
    assert saved["environments"]["local"]["dialect"]["print_style"] == "handlebars"
    emls = sorted(p.name for p in (project.state_dir / "calibration" / "local").glob("*.eml"))
    assert "print-float.eml" in emls and len(emls) == sum(1 for r in cal.results if r.ok)
    assert [t for t in client.list_templates(include_scratch=True)] == []  # scratch deleted
    assert "every calibrated behaviour matches the defaults" in cal.report()


def test_load_dialect_prefers_calibrated_remote_env(project: Project) -> None:
    assert C.load_dialect(project) == DEFAULT_DIALECT
    data = {"version": 1, "environments": {
        "aws": {"at": "2026-01-01T00:00:00+00:00", "dialect": {"print_style": "json",
                                                              "parent_scope_lookup": True}},
        "local": {"at": "2026-02-01T00:00:00+00:00", "dialect": {}}}}
    project.state_dir.mkdir(parents=True, exist_ok=True)
    (project.state_dir / "calibration.json").write_text(json.dumps(data))
    assert C.load_dialect(project) == Dialect(print_style="json", parent_scope_lookup=True)
    assert C.load_dialect(project, "local") == DEFAULT_DIALECT
