"""The SES commands end to end: ``ses_workbench.cli.main`` against a local endpoint over HTTP."""

from __future__ import annotations

import io
import json
import sys

import pytest

from ses_workbench.cli import main
from ses_workbench.project import Project, TemplateContent
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.local import LocalSes

from .conftest import api_of, make_client


# The matrix: every test here runs once per SES API (the v1 run against an account whose IAM policy
# grants only the 2017 actions, so a stray sesv2 request fails it).
@pytest.fixture
def server(api_server: LocalSes) -> LocalSes:
    return api_server


@pytest.fixture
def client(project: Project, server: LocalSes) -> SesClient:
    return make_client(project, server, api=api_of(server))


def run(project: Project, server: LocalSes, *args: str) -> int:
    return main([*args, "--dir", str(project.root), "--endpoint-url", server.endpoint_url,
                 "--api", api_of(server)])


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_status_push_diff_exit_codes(project: Project, server: LocalSes, client: SesClient,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert run(project, server, "status") == 0
    assert "local-only" in capsys.readouterr().out
    assert run(project, server, "diff") == 1
    # stdin is not a terminal: --yes is required (usage error, exit 2)
    assert run(project, server, "push") == 2
    assert "--yes" in capsys.readouterr().err
    assert run(project, server, "push", "--dry-run") == 0
    assert client.list_templates() == []
    assert run(project, server, "push", "--yes") == 0
    out = capsys.readouterr().out
    assert "created receipt" in out and "created welcome" in out
    assert run(project, server, "diff") == 0
    project.get("welcome").write_part("subject", "Changed {{name}}\n")
    assert run(project, server, "diff", "welcome") == 1
    out = capsys.readouterr().out
    assert "-Welcome {{name}}!" in out and "+Changed {{name}}" in out and "\x1b[" not in out
    assert run(project, server, "diff", "welcome", "--color", "always") == 1
    assert "\x1b[32m+Changed" in capsys.readouterr().out
    assert run(project, server, "status", "--format", "json") == 0
    rows = {r["name"]: r["state"] for r in json.loads(capsys.readouterr().out)["templates"]}
    assert rows == {"receipt": "in-sync", "welcome": "modified-locally"}


def test_push_drift_refusal_and_force(project: Project, server: LocalSes, client: SesClient,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert run(project, server, "push", "--yes") == 0
    client.update_template("welcome", TemplateContent("Theirs", "<p>t</p>"))
    project.get("welcome").write_part("subject", "Mine {{name}}\n")
    assert run(project, server, "push", "--yes") == 1
    assert "refused welcome: changed remotely" in capsys.readouterr().err
    assert run(project, server, "push", "--yes", "--force") == 0
    assert "backup:" in capsys.readouterr().out


def test_push_asks_on_a_terminal(project: Project, server: LocalSes, client: SesClient,
                                 monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", FakeTty())
    answers = iter(["n"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert run(project, server, "push") == 1
    assert "cancelled" in capsys.readouterr().out and client.list_templates() == []
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    assert run(project, server, "push") == 0
    assert len(client.list_templates()) == 2


def test_pull_remote_render_parity_calibrate(project: Project, server: LocalSes, client: SesClient,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    client.create_template("fresh", TemplateContent("F {{x}}", "<p>{{x}}</p>", "{{x}}"))
    assert run(project, server, "pull", "fresh") == 0
    assert "created fresh" in capsys.readouterr().out
    assert (project.root / "fresh" / "body.html").read_text() == "<p>{{x}}</p>"

    assert run(project, server, "remote-render", "welcome", "--fixture", "no-plan") == 0
    out = capsys.readouterr().out
    assert "Subject: Welcome Bob!" in out and "scratch copy" in out
    assert run(project, server, "remote-render", "welcome", "--part", "subject") == 0
    assert capsys.readouterr().out == "Welcome Ada!\n"
    assert run(project, server, "remote-render", "welcome", "--fixture", "nope") == 2

    assert run(project, server, "parity", "welcome", "--all-fixtures") == 0
    assert "2/2 fixtures render the same" in capsys.readouterr().out

    assert run(project, server, "calibrate") == 0
    assert "every calibrated behaviour matches the defaults" in capsys.readouterr().out
    assert [t.name for t in client.list_templates(include_scratch=True)] == ["fresh"]


def test_send_command(project: Project, server: LocalSes, client: SesClient,
                      capsys: pytest.CaptureFixture[str]) -> None:
    assert run(project, server, "push", "--yes") == 0
    capsys.readouterr()
    assert run(project, server, "send", "welcome", "--to", "nobody@else.test", "--yes") == 1
    assert "unverified recipients: nobody@else.test" in capsys.readouterr().err
    assert run(project, server, "send", "welcome", "--dry-run") == 0
    assert "2 emails" in capsys.readouterr().out and server.outbox_messages() == []
    assert run(project, server, "send", "welcome", "--all-fixtures", "--yes") == 0
    out = capsys.readouterr().out
    assert "4/4 sent" in out and "report:" in out
    assert run(project, server, "send", "welcome", "--draft", "--to", "success@simulator.amazonses.com",
               "--yes") == 0
    assert len(server.outbox_messages()) == 5


def test_no_credentials_for_named_aws_env(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--dir", str(project.root), "--env", "aws"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ses-workbench: ") and "profile" in err and "Traceback" not in err
    assert main(["status", "--dir", str(project.root), "--env", "nope"]) == 2


def test_default_env_without_credentials_starts_local(project: Project,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--dir", str(project.root)]) == 0
    assert "local-only" in capsys.readouterr().out


def test_diff_between_environments_and_pull_refusal(project: Project, server: LocalSes, client: SesClient,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert run(project, server, "push", "--yes") == 0
    assert run(project, server, "push", "--yes", "--env", "stg", "welcome") == 0
    capsys.readouterr()
    assert run(project, server, "diff", "--env", "stg", "--against", "local", "welcome") == 0
    project.get("welcome").write_part("subject", "Staging {{name}}\n")
    assert run(project, server, "push", "--yes", "--env", "stg", "welcome") == 0
    capsys.readouterr()
    assert run(project, server, "diff", "--env", "stg", "--against", "local") == 1
    out = capsys.readouterr().out
    assert "--- ses:local/welcome/subject" in out and "+++ ses:stg/welcome/subject" in out
    assert "# receipt: only in ses:local" in out
    # pull over local edits is refused (exit 1) and leaves the files alone
    client.update_template("welcome", TemplateContent("Remote {{name}}", "<p>r</p>"))
    assert run(project, server, "pull", "welcome") == 1
    assert "refused welcome" in capsys.readouterr().err
    assert project.get("welcome").source("subject") == "Staging {{name}}\n"
    assert run(project, server, "pull", "welcome", "--force") == 2  # would overwrite edits: needs --yes
    assert run(project, server, "pull", "welcome", "--force", "--yes") == 0
    assert project.get("welcome").source("subject") == "Remote {{name}}\n"
