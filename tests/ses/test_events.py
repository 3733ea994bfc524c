"""Rendering failures and other events: a send SES accepts and then drops is visible through
``ses-workbench events`` and in the send report (local endpoint, over HTTP)."""

from __future__ import annotations

import json

import boto3
import pytest

from ses_workbench.cli import main
from ses_workbench.project import Project
from ses_workbench.ses import events, sync
from ses_workbench.ses import send as S
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.local import LocalSes

SIM = "success@simulator.amazonses.com"


def run(project: Project, server: LocalSes, *args: str) -> int:
    return main([*args, "--dir", str(project.root), "--endpoint-url", server.endpoint_url])


def _app_sends_with_missing_data(server: LocalSes, template: str = "welcome") -> str:
    """What a user's application does against ``ses-workbench local-ses``: a send lacking ``name``."""
    app = boto3.session.Session().client("sesv2", **server.boto3_kwargs())
    reply = app.send_email(FromEmailAddress="sender@example.com", Destination={"ToAddresses": [SIM]},
                           Content={"Template": {"TemplateName": template, "TemplateData": "{}"}})
    return str(reply["MessageId"])


def test_events_command_shows_rendering_failures(project: Project, server: LocalSes, client: SesClient,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    sync.push(client, project)
    assert run(project, server, "send", "welcome", "--to", SIM, "--yes") == 0
    message_id = _app_sends_with_missing_data(server)  # accepted: SES gives a MessageId ...
    assert server.outbox_message(message_id) is None   # ... and drops the message
    capsys.readouterr()

    assert run(project, server, "events", "--failures") == 0
    out, err = capsys.readouterr()
    assert out.count("\n") == 1
    assert f"Rendering Failure  {message_id} [welcome] → {SIM}: Attribute 'name' is not present" in out
    assert "1 rendering failure: accepted by SES, then dropped" in err

    assert run(project, server, "events", "welcome", "--format", "json") == 0
    found = json.loads(capsys.readouterr().out)
    assert [e["eventType"] for e in found] == ["Send", "Delivery", "Send", "Rendering Failure"]
    assert run(project, server, "events", "receipt") == 0
    assert capsys.readouterr().out == ""
    assert run(project, server, "events", "--type", "delivery", "--last", "1") == 0
    assert "outbox: " in capsys.readouterr().out
    assert run(project, server, "events", "--message-id", message_id, "-t", "rendering_failure") == 0
    assert message_id in capsys.readouterr().out
    assert run(project, server, "events", "--type", "nope") == 2
    assert "unknown event type 'nope'" in capsys.readouterr().err


def test_events_api_and_aws_environments(project: Project, server: LocalSes, client: SesClient,
                                         capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    sync.push(client, project)
    message_id = _app_sends_with_missing_data(server)
    [ev] = events.read(project, event_type=events.RENDERING_FAILURE)
    assert ev.message_id == message_id and ev.template == "welcome" and "'name'" in ev.detail
    assert events.rendering_failures(project, [message_id, "other"]) == {message_id: ev}
    assert events.event_type("Rendering-Failure") == "Rendering Failure"
    # An AWS environment publishes events only through configuration sets: one clear line.
    (project.root / "ses-workbench.toml").write_text(
        (project.root / "ses-workbench.toml").read_text() + '\n[environments.bare]\nregion = "us-east-1"\n')
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    assert main(["events", "--dir", str(project.root), "--env", "bare",
                 "--endpoint-url", server.endpoint_url]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "configuration set" in err and "Traceback" not in err


def test_send_report_marks_entries_dropped_as_rendering_failures(project: Project, server: LocalSes,
                                                                 client: SesClient) -> None:
    sync.push(client, project)
    plan = S.plan_send(client, project, "welcome", [SIM, "qa@verified.test"])
    assert plan.ok
    plan.destinations[1].data = {}  # data changed after the guards ran (or a dialect SES disagrees with)
    report = S.execute_send(client, project, plan)
    first, second = report.outcomes
    assert first.status == "SUCCESS"
    assert second.status == S.RENDERING_FAILURE and second.message_id
    assert second.error is not None and "Attribute 'name' is not present" in second.error
    assert not report.ok
    assert report.path is not None
    saved = json.loads(report.path.read_text())
    assert saved["counts"] == {"SUCCESS": 1, "RENDERING_FAILURE": 1}
