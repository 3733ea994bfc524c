"""CLI flows of issue 3 not covered in test_cli.py, each as a user types it (local endpoint over HTTP)."""

from __future__ import annotations

import io
import json
import sys

import pytest

from ses_workbench.cli import main
from ses_workbench.project import Environment, Project, TemplateContent
from ses_workbench.ses import send as S
from ses_workbench.ses import sync
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.local import LocalSes

from .conftest import MISSING_ID, api_of, make_client

SIM = "success@simulator.amazonses.com"


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


def test_push_dry_run_shows_the_diff_and_lint_refusal(project: Project, server: LocalSes, client: SesClient,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert run(project, server, "push", "--yes") == 0
    project.get("welcome").write_part("subject", "Hi {{name}}\n")
    capsys.readouterr()
    assert run(project, server, "push", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "# update welcome (modified)" in out and "-Welcome {{name}}!" in out and "+Hi {{name}}" in out
    assert "local: 0 to create, 1 to update, 1 unchanged, 0 refused" in out
    assert client.get_template("welcome").subject == "Welcome {{name}}!"  # type: ignore[union-attr]

    # A fixture lacking a rendered attribute fails lint: the push is refused, naming it, unless --no-lint.
    project.get("receipt").write_fixture("missing-id", MISSING_ID)
    assert run(project, server, "push", "--yes", "receipt") == 1
    err = capsys.readouterr().err
    assert "refused receipt: lint error:" in err and "order.id" in err
    project.get("receipt").write_part("subject", "Your receipt {{order.id}}\n")
    assert run(project, server, "push", "--yes", "receipt") == 1
    assert run(project, server, "push", "--yes", "--no-lint", "receipt") == 0
    assert "updated receipt" in capsys.readouterr().out


def test_status_every_state_for_an_env(project: Project, server: LocalSes, client: SesClient,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert run(project, server, "push", "--yes", "--env", "stg") == 0
    stg = SesClient(Environment("stg", local=True, region="us-east-1", endpoint_url=server.endpoint_url,
                                prefix="stg-"), project, template_rate=0,
                    credentials=(server.credentials.access_key_id, server.credentials.secret_access_key))
    stg.update_template("receipt", TemplateContent("Theirs", "<p>t</p>"))
    stg.create_template("legacy", TemplateContent("L", "<p>l</p>"))
    project.get("welcome").write_part("subject", "Mine {{name}}\n")
    project.create_template("brand-new", TemplateContent("N", "<p>n</p>"))
    capsys.readouterr()
    assert run(project, server, "status", "--env", "stg", "--format", "json") == 0
    rows = {r["name"]: r["state"] for r in json.loads(capsys.readouterr().out)["templates"]}
    assert rows == {"brand-new": "local-only", "legacy": "remote-only", "receipt": "changed-remotely",
                    "welcome": "modified-locally"}
    assert run(project, server, "status") == 0  # the unprefixed env sees stg's templates as remote-only
    assert capsys.readouterr().out.endswith("\n3 local-only, 3 remote-only\n")


def test_send_asks_once_with_the_count(project: Project, server: LocalSes, client: SesClient,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    sync.push(client, project)
    monkeypatch.setattr(sys, "stdin", FakeTty())
    prompts: list[str] = []

    def answer(prompt: str) -> str:
        prompts.append(prompt)
        return "n" if len(prompts) == 1 else "y"

    monkeypatch.setattr("builtins.input", answer)
    assert run(project, server, "send", "welcome", "--all-fixtures", "--to", SIM) == 1
    assert prompts == ["Send 2 emails? [y/N] "] and server.outbox_messages() == []
    assert "cancelled" in capsys.readouterr().out
    assert run(project, server, "send", "welcome", "--all-fixtures", "--to", SIM) == 0
    assert len(prompts) == 2 and len(server.outbox_messages()) == 2


def test_send_from_and_sender_guard(project: Project, server: LocalSes, client: SesClient,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    sync.push(client, project)
    assert run(project, server, "send", "welcome", "--to", SIM, "--from", "qa@unverified.test", "--yes") == 1
    assert "the sender qa@unverified.test is not a verified identity" in capsys.readouterr().err
    assert run(project, server, "send", "welcome", "--to", SIM, "--from", "Ops <ops@verified.test>",
               "--yes") == 0
    [eml] = server.outbox_messages()
    assert b"From: Ops <ops@verified.test>" in eml.read_bytes()


def test_send_guards_list_every_problem(project: Project, server: LocalSes, client: SesClient,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    sync.push(client, project)
    project.get("receipt").write_fixture("missing-id", MISSING_ID)
    too_many = [f"u{i}@verified.test" for i in range(101)]
    assert run(project, server, "send", "receipt", "--fixture", "default", "missing-id",
               "--to", "a@nowhere.test", "b@nowhere.test", *too_many, "--yes") == 1
    err = capsys.readouterr().err
    assert "refused: unverified recipients: a@nowhere.test, b@nowhere.test" in err
    assert "refused: fixture 'missing-id' fails lint (SES would drop the email): " \
           "Attribute 'order.id' is not present" in err
    assert "exceed the 200 left of the 24-hour quota" in err
    assert "Traceback" not in err and server.outbox_messages() == []


def test_draft_over_the_raw_size_limit_is_refused(project: Project, server: LocalSes, client: SesClient,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    assert S.MAX_RAW_BYTES == 10 * 1024 * 1024
    monkeypatch.setattr(S, "MAX_RAW_BYTES", 4000)  # a 10 MB fixture takes seconds to lint and encode
    project.get("welcome").write_fixture("huge", json.dumps({"name": "x" * 5000}))
    plan = S.plan_send(client, project, "welcome", [SIM], fixtures=["huge", "default"], draft=True)
    assert any("the draft for fixture 'huge' is" in r and "raw message limit is 10 MB" in r
               for r in plan.refusals)
    assert not plan.messages or ("huge" not in {fx for _, fx in plan.messages})
