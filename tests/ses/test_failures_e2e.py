"""Every SES failure the issue lists, produced by the local endpoint over HTTP and seen the way a user
sees it: a :class:`SesError` subclass from the client, one line and the right exit code from the CLI,
never a traceback.  (Unknown region is produced through DNS in test_client.py; the mapping table itself
is unit-tested in test_errors.py.)"""

from __future__ import annotations

import pytest

from ses_workbench.cli import main
from ses_workbench.project import Environment, Project
from ses_workbench.ses import errors as E
from ses_workbench.ses import send as S
from ses_workbench.ses import sync
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.local import LocalSes
from ses_workbench.ses.local.settings import ACCESS_DENIED_KEY_ID, EXPIRED_TOKEN_KEY_ID, INTERNAL_ERROR_KEY_ID
from tests.conftest import unused_port

from .conftest import make_client, settings

# Every attempt is still made; only botocore's random wait between them is cut.
pytestmark = pytest.mark.usefixtures("instant_retries")

SIM = "success@simulator.amazonses.com"


def _aws_client(project: Project, server: LocalSes, monkeypatch: pytest.MonkeyPatch,
                key_id: str, max_attempts: int = 3) -> SesClient:
    """A client for an *AWS* environment (standard credential chain) whose endpoint is the local one."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    env = Environment("aws", region="us-east-1", endpoint_url=server.endpoint_url)
    return SesClient(env, project, template_rate=0, max_attempts=max_attempts)


def _with_bare_env(project: Project) -> None:
    """Add ``[environments.bare]``: an AWS environment with no profile (standard credential chain)."""
    cfg = project.root / "ses-workbench.toml"
    cfg.write_text(cfg.read_text() + '\n[environments.bare]\nregion = "us-east-1"\n')


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("ses-workbench: "), err
    assert "Traceback" not in err
    return lines[0]


def test_expired_token_over_http(project: Project, server: LocalSes, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    client = _aws_client(project, server, monkeypatch, EXPIRED_TOKEN_KEY_ID)
    with pytest.raises(E.ExpiredToken, match="session token has expired") as info:
        client.list_templates()
    assert info.value.code == "ExpiredTokenException" and info.value.status == 403
    assert client.stats["calls"] == 1  # not retried
    _with_bare_env(project)
    assert main(["status", "--dir", str(project.root), "--env", "bare",
                 "--endpoint-url", server.endpoint_url]) == 1
    assert "session token has expired" in _one_line(capsys.readouterr().err)


def test_access_denied_over_http(project: Project, server: LocalSes, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    client = _aws_client(project, server, monkeypatch, ACCESS_DENIED_KEY_ID)
    with pytest.raises(E.AccessDenied, match="AWS denied access.*ses:GetEmailTemplate"):
        client.get_template("welcome")
    _with_bare_env(project)
    assert main(["push", "--yes", "--dir", str(project.root), "--env", "bare",
                 "--endpoint-url", server.endpoint_url]) == 1
    assert "AWS denied access (ListEmailTemplates)" in _one_line(capsys.readouterr().err)


def test_service_outage_over_http(project: Project, server: LocalSes, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    client = _aws_client(project, server, monkeypatch, INTERNAL_ERROR_KEY_ID, max_attempts=1)
    with pytest.raises(E.ServiceUnavailable, match="SES had an internal error"):
        client.get_account()
    _with_bare_env(project)
    assert main(["diff", "--dir", str(project.root), "--env", "bare",
                 "--endpoint-url", server.endpoint_url]) == 1  # after botocore's own 3 attempts
    assert "SES had an internal error (ListEmailTemplates); try again later." in \
        _one_line(capsys.readouterr().err)


def test_sending_paused_over_http(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    with LocalSes(project.state_dir, settings(), port=0) as ses:
        sync.push(make_client(project, ses), project)
    with LocalSes(project.state_dir, settings(sending_enabled=False), port=0) as ses:
        client = make_client(project, ses)
        assert client.get_account().sending_enabled is False
        with pytest.raises(E.SendingPaused, match="Sending is paused"):
            client.send_email(sender="sender@example.com", to=[SIM], template="welcome",
                              data={"name": "A"})
        with pytest.raises(E.SendingPaused):
            client.send_bulk("welcome", [([SIM], {"name": "A"})], sender="sender@example.com")
        # the guard refuses up front (exit 1, no traceback) ...
        assert main(["send", "welcome", "--to", SIM, "--yes", "--dir", str(project.root),
                     "--endpoint-url", ses.endpoint_url]) == 1
        assert "refused: sending is disabled for this account" in capsys.readouterr().err
        # ... and a plan made before the pause stops with the reason, marking the rest NOT_SENT
        report = S.execute_send(client, project, _plan_while_enabled(project), write_report=False)
        assert report.stopped and "Sending is paused" in report.stopped
        assert [o.status for o in report.outcomes] == ["SendingPaused", "SendingPaused"]  # one batch
        assert not report.ok


def _plan_while_enabled(project: Project) -> S.SendPlan:
    with LocalSes(project.state_dir / "other", settings(), port=0) as ses:
        client = make_client(project, ses)
        sync.push(client, project)
        return S.plan_send(client, project, "welcome", [SIM, "success+2@simulator.amazonses.com"])


def test_quota_exceeded_over_http(project: Project) -> None:
    with LocalSes(project.state_dir, settings(max_24h_send=2), port=0) as ses:
        client = make_client(project, ses)
        sync.push(client, project)
        plan = S.plan_send(client, project, "welcome", ["qa@verified.test"], fixtures=["default", "no-plan"])
        assert plan.ok
        def one() -> str:
            return client.send_email(sender="sender@example.com", to=["qa@verified.test"], template="welcome",
                                     data={"name": "A"})

        one()
        one()  # someone else uses the quota up meanwhile
        with pytest.raises(E.QuotaExceeded, match="quota"):
            one()
        report = S.execute_send(client, project, plan, write_report=False)
        assert [o.status for o in report.outcomes] == ["ACCOUNT_DAILY_QUOTA_EXCEEDED"] * 2
        assert not report.ok


@pytest.mark.parametrize("argv", [["status"], ["diff"], ["push", "--yes"], ["pull"], ["calibrate"],
                                  ["remote-render", "welcome"], ["parity", "welcome"],
                                  ["send", "welcome", "--yes"]])
def test_endpoint_unreachable_is_one_line_for_every_command(project: Project, argv: list[str],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    assert main([*argv, "--dir", str(project.root), "--endpoint-url", url]) == 1
    line = _one_line(capsys.readouterr().err)
    assert f"{url} refused the connection" in line and "--endpoint-url" in line


def test_no_credentials_on_an_aws_env_is_one_line(project: Project,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    # [environments.aws] names a profile that does not exist; a bare AWS env has no credentials at all
    assert main(["push", "--yes", "--dir", str(project.root), "--env", "aws"]) == 1
    assert "profile 'ses-workbench-test-no-such-profile-creds' does not exist" in \
        _one_line(capsys.readouterr().err)
    _with_bare_env(project)
    assert main(["status", "--dir", str(project.root), "--env", "bare"]) == 1
    assert "No AWS credentials found" in _one_line(capsys.readouterr().err)


def test_local_flag_uses_the_embedded_endpoint_for_an_aws_env(project: Project,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["push", "--yes", "--dir", str(project.root), "--env", "aws", "--local"]) == 0
    assert "created welcome" in capsys.readouterr().out
    assert main(["status", "--dir", str(project.root), "--env", "aws", "--local"]) == 0
    out = capsys.readouterr().out
    assert "local SES endpoint http://127.0.0.1:" in out and "2 in-sync" in out


def test_default_aws_env_without_credentials_falls_back_to_local(
        project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """README: without AWS credentials the workbench starts the local endpoint in-process — as the
    ``local`` environment, so a push there is never shown or recorded as a push to the AWS one."""
    import json

    from ses_workbench.session.environment import open_environment

    cfg = project.root / "ses-workbench.toml"
    cfg.write_text(cfg.read_text().replace('default_env = "local"', 'default_env = "bare"') +
                   '\n[environments.bare]\nregion = "us-east-1"\nprefix = "prod-"\n')
    assert main(["push", "--yes", "--dir", str(project.root)]) == 0
    out, err = capsys.readouterr()
    assert "no AWS credentials for environment 'bare': using the embedded local SES endpoint" in err
    assert "as environment 'local'" in err and out.startswith("local: 2 to create")
    state = json.loads((project.state_dir / "state.json").read_text())
    assert set(state["pushed"]) == {"local"}
    assert state["pushed"]["local"]["welcome"]["remote_name"] == "welcome"
    assert main(["status", "--dir", str(project.root)]) == 0
    assert "2 in-sync" in capsys.readouterr().out
    # An explicit --env is never replaced; with credentials the default AWS environment is used as is.
    assert main(["status", "--dir", str(project.root), "--env", "bare"]) == 1
    assert "No AWS credentials found" in _one_line(capsys.readouterr().err)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    with open_environment(Project.load(project.root)) as (client, server):
        assert server is None and client.environment.name == "bare" and not client.environment.local
