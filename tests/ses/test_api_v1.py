"""The workbench as a 2017-API client: ``api = "v1"`` speaks only the 2017 actions (boto3's ``ses`` client,
the Query protocol), ``api = "auto"`` falls back to them once when a sesv2 action is denied, and the
results are the ones the v2 path gives (local endpoint over HTTP, its IAM policy simulated by
``iam_allow``)."""

from __future__ import annotations

import json
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import botocore.session
import pytest

from ses_workbench.cli import main
from ses_workbench.project import Project, TemplateContent
from ses_workbench.project.config import parse_config
from ses_workbench.project.errors import ConfigError
from ses_workbench.ses import errors as E
from ses_workbench.ses import send as S
from ses_workbench.ses import sync
from ses_workbench.ses.client import V1_OPERATIONS, SesClient, v1_bulk_status
from ses_workbench.ses.local import LocalSes

from .conftest import V1_ONLY, ManualClock, api_settings, make_client, settings

SIM = "success@simulator.amazonses.com"


@pytest.fixture
def v1_server(project: Project) -> Iterator[LocalSes]:
    """An account whose IAM policy grants only the 2017 actions."""
    with LocalSes(project.state_dir, api_settings("v1"), port=0) as ses:
        yield ses


def run(project: Project, server: LocalSes, *args: str) -> int:
    return main([*args, "--dir", str(project.root), "--endpoint-url", server.endpoint_url])


def test_every_template_operation_through_the_2017_api(project: Project, v1_server: LocalSes) -> None:
    client = make_client(project, v1_server, api="v1", page_size=2)
    assert client.active_api == "v1" and "2017 API" in client.describe()
    for i in range(5):
        client.create_template(f"t{i}", TemplateContent(f"S{i} {{{{name}}}}", "<p>{{name}}</p>",
                                                        "T {{name}}"))
    calls = client.stats["calls"]
    assert [t.name for t in client.list_templates()] == ["t0", "t1", "t2", "t3", "t4"]
    assert client.stats["calls"] - calls == 3  # ListTemplates pages of MaxItems=2, through NextToken
    assert client.get_template("t1") == TemplateContent("S1 {{name}}", "<p>{{name}}</p>", "T {{name}}")
    assert client.get_template("nope") is None
    client.update_template("t1", TemplateContent("New {{name}}", "<b>{{name}}</b>"))
    assert client.get_template("t1") == TemplateContent("New {{name}}", "<b>{{name}}</b>", None)
    mime = client.test_render("t1", {"name": "Ada"})
    assert "Subject: New Ada" in mime and "<b>Ada</b>" in mime
    # SES's 2017 errors land in the one error tree
    with pytest.raises(E.TemplateAlreadyExists, match="Template 't0' already exists"):
        client.create_template("t0", TemplateContent("x", "<p>x</p>"))
    with pytest.raises(E.TemplateNotFound, match="'gone' does not exist"):
        client.update_template("gone", TemplateContent("x", "<p>x</p>"))
    with pytest.raises(E.MissingRenderingAttribute) as info:
        client.test_render("t1", {})
    assert info.value.attribute == "name" and info.value.code == "MissingRenderingAttribute"
    with pytest.raises(E.TemplateNotFound):
        client.test_render("gone", {})
    assert client.delete_template("t4") is True
    assert [t.name for t in client.list_templates()] == ["t0", "t1", "t2", "t3"]
    assert client.stats["calls"] > 0 and client.notes == []


def test_account_identities_and_sends_through_the_2017_api(project: Project, v1_server: LocalSes) -> None:
    client = make_client(project, v1_server, api="v1")
    account = client.get_account()
    assert account.sandbox and account.sending_enabled and account.max_24h_send == 200
    assert account.remaining_24h == 200
    client.create_identity("new@person.test")
    client.create_identity("example.org")
    found = {i.name: i for i in client.list_identities()}
    assert found["sender@example.com"].verified and found["sender@example.com"].type == "EMAIL_ADDRESS"
    assert found["verified.test"].status == "SUCCESS" and found["verified.test"].type == "DOMAIN"
    assert found["new@person.test"].status == "PENDING" and not found["new@person.test"].verified
    assert found["example.org"].status == "PENDING"

    sync.push(client, project)
    results = client.send_bulk("welcome", [([SIM], {"name": "Ada"}), (["qa@verified.test"], None)],
                               sender="sender@example.com", default_data={"name": "Default"})
    assert [r.status for r in results] == ["SUCCESS", "SUCCESS"] and all(r.message_id for r in results)
    # the destination without replacement data got DefaultTemplateData
    second = v1_server.outbox_message(str(results[1].message_id))
    assert second is not None and b"Welcome Default!" in second.read_bytes()
    raw = b"From: sender@example.com\r\nTo: qa@verified.test\r\nSubject: raw\r\n\r\nhello\r\n"
    mid = client.send_email(sender="sender@example.com", to=["qa@verified.test"], raw=raw)
    assert v1_server.outbox_message(mid) is not None
    mid = client.send_email(sender="sender@example.com", to=[SIM], template="welcome", data={"name": "Bo"})
    sent = v1_server.outbox_message(mid)
    assert sent is not None and b"Welcome Bo!" in sent.read_bytes()
    # the two sends to verified.test count against the quota; the mailbox simulator's do not (as in SES)
    assert client.get_account(refresh=True).sent_last_24h == 2
    # a 2017 status per destination comes back under sesv2's name (TemplateDoesNotExist)
    [missing] = client.send_bulk("gone", [([SIM], {})], sender="sender@example.com")
    assert missing.status == "TEMPLATE_NOT_FOUND" and missing.message_id is None


def test_send_report_marks_rendering_failures_of_2017_sends(project: Project, v1_server: LocalSes) -> None:
    client = make_client(project, v1_server, api="v1")
    sync.push(client, project)
    plan = S.plan_send(client, project, "welcome", [SIM, "qa@verified.test"])
    assert plan.ok
    plan.destinations[1].data = {}  # accepted by SendBulkTemplatedEmail, then dropped
    report = S.execute_send(client, project, plan)
    assert [o.status for o in report.outcomes] == ["SUCCESS", S.RENDERING_FAILURE]
    assert "Attribute 'name' is not present" in str(report.outcomes[1].error)


def test_2017_throttling_is_retried_with_backoff(project: Project) -> None:
    # The endpoint's bucket runs on a manual clock that only our backoff sleeps move (no wall-clock timing).
    clock = ManualClock()
    limited = api_settings("v1", template_ops_per_second=5)
    with LocalSes(project.state_dir, limited, port=0, clock=clock) as ses:
        bare = make_client(project, ses, api="v1", max_attempts=1, throttle_retries=0)
        expected = r"SES is throttling requests \(CreateTemplate, template 'a\d+'\) \(Throttling, HTTP 400\)"
        with pytest.raises(E.Throttled, match=expected):
            for i in range(20):
                bare.create_template(f"a{i}", TemplateContent("Hi", "<p>x</p>"))
        assert bare.stats["throttled"] >= 1
        retrying = make_client(project, ses, api="v1", max_attempts=1, throttle_retries=10, backoff_base=0.05,
                               sleep=clock.advance)
        for i in range(12):
            retrying.upsert_template(f"b{i}", TemplateContent("Hi", "<p>x</p>"), exists=False)
        assert retrying.stats["retried"] >= 1
        assert len([t for t in retrying.list_templates() if t.name.startswith("b")]) == 12


def test_v2_is_denied_on_a_2017_only_account(project: Project, v1_server: LocalSes) -> None:
    client = make_client(project, v1_server, api="v2")
    with pytest.raises(E.AccessDenied, match="ses:ListEmailTemplates"):
        client.list_templates()
    assert client.active_api == "v2" and client.notes == []


def test_auto_falls_back_once_and_stays(project: Project, v1_server: LocalSes) -> None:
    notes: list[str] = []
    client = make_client(project, v1_server, api="auto", on_note=notes.append)
    assert client.active_api == "v2"
    client.create_template("hello", TemplateContent("Hi {{name}}", "<p>{{name}}</p>"))
    assert notes == ["sesv2 access denied for CreateEmailTemplate; using the 2017 API (ses:CreateTemplate)"]
    assert client.active_api == "v1" and client.api_description == "2017 API"
    assert [t.name for t in client.list_templates()] == ["hello"]
    assert client.get_account().max_24h_send == 200
    assert len(notes) == 1 and client.notes == notes
    # a later client of this process, for the same endpoint, starts on the 2017 API and says nothing
    again: list[str] = []
    later = make_client(project, v1_server, api="auto", on_note=again.append)
    assert later.active_api == "v1" and later.get_template("hello") is not None and again == []


def test_auto_stays_on_v2_where_v2_is_allowed(project: Project, server: LocalSes) -> None:
    notes: list[str] = []
    client = make_client(project, server, api="auto", on_note=notes.append)
    client.create_template("hello", TemplateContent("Hi", "<p>x</p>"))
    assert client.list_templates() and client.active_api == "v2" and notes == []
    assert client.api_description == "SES v2 API" and "2017" not in client.describe()


def test_auto_denied_by_both_apis_names_both(project: Project) -> None:
    with LocalSes(project.state_dir, settings(iam_allow=("ses:GetAccount",)), port=0) as ses:
        notes: list[str] = []
        client = make_client(project, ses, api="auto", on_note=notes.append)
        with pytest.raises(E.AccessDenied) as info:
            client.list_templates()
        assert "ses:ListEmailTemplates" in str(info.value)
        assert "the 2017 API's ListTemplates was denied too" in str(info.value)
        assert info.value.operation == "ListEmailTemplates"
        assert client.active_api == "v2" and notes == []
        assert client.get_account().sandbox  # what v2 allows still works through v2


def test_cli_auto_says_the_fallback_once(project: Project, v1_server: LocalSes,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert run(project, v1_server, "push", "--yes") == 0
    out, err = capsys.readouterr()
    assert "created welcome" in out and "created receipt" in out
    note = "ses-workbench: sesv2 access denied for ListEmailTemplates; using the 2017 API (ses:ListTemplates)"
    assert err.count("sesv2 access denied") == 1 and note in err
    # --api v2 against the same account: the denial, one line, no fallback
    assert run(project, v1_server, "status", "--api", "v2") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "AWS denied access (ListEmailTemplates)" in err
    assert run(project, v1_server, "status", "--api", "v1", "--format", "json") == 0
    rows = {r["name"]: r["state"] for r in json.loads(capsys.readouterr().out)["templates"]}
    assert rows == {"receipt": "in-sync", "welcome": "in-sync"}


def test_prune_through_the_2017_api(project: Project, v1_server: LocalSes,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    client = make_client(project, v1_server, api="v1")
    sync.push(client, project)
    client.create_template("someone-elses", TemplateContent("Theirs", "<p>t</p>"))
    shutil.rmtree(project.root / "receipt")  # renamed or removed in git
    assert run(project, v1_server, "prune", "--api", "v1", "--yes") == 0
    assert "deleted receipt" in capsys.readouterr().out
    assert [t.name for t in client.list_templates()] == ["someone-elses", "welcome"]
    [backup] = (project.state_dir / "backups").rglob("receipt-*.json")
    assert "Receipt {{order.id}}" in backup.read_text()  # read back through GetTemplate before the delete


def test_environment_api_in_the_config_and_the_flag(project: Project, v1_server: LocalSes,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    config = project.root / "ses-workbench.toml"
    config.write_text(config.read_text().replace('[environments.stg]\n', '[environments.stg]\napi = "v1"\n'))
    assert run(project, v1_server, "push", "--yes", "--env", "stg") == 0
    assert "sesv2 access denied" not in capsys.readouterr().err  # v1 from the start: nothing to say
    stg = make_client(Project.load(project.root), v1_server, env="stg", api="v1")
    assert {t.remote_name for t in stg.list_templates()} == {"stg-receipt", "stg-welcome"}
    # --api overrides the environment's api
    assert run(project, v1_server, "status", "--env", "stg", "--api", "v2") == 1
    assert "AWS denied access" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        run(project, v1_server, "status", "--api", "nope")
    assert exit_info.value.code == 2 and "invalid choice: 'nope'" in capsys.readouterr().err


def test_config_api_values(tmp_path: Path) -> None:
    cfg = parse_config({"environments": {"prod": {"region": "eu-west-1", "api": "v1"}}})
    assert cfg.env("prod").api == "v1" and cfg.env("local").api == "auto"
    text = '[environments.prod]\nregion = "eu-west-1"\napi = "2017"\n'
    with pytest.raises(ConfigError, match=r"environments.prod.api must be one of v2, v1, auto, not '2017'") \
            as info:
        parse_config(tomllib.loads(text), tmp_path / "ses-workbench.toml", text=text)
    assert info.value.line == 3


def test_every_2017_bulk_status_has_its_sesv2_name() -> None:
    loader = botocore.session.get_session().get_component("data_loader")
    v1 = loader.load_service_model("ses", "service-2")["shapes"]["BulkEmailStatus"]["enum"]
    v2 = loader.load_service_model("sesv2", "service-2")["shapes"]["BulkEmailStatus"]["enum"]
    assert sorted(v1_bulk_status(s) for s in v1) == sorted(v2)
    assert v1_bulk_status(None) == "FAILED"


def test_every_2017_operation_exists_and_is_allowed_to_a_v1_only_account() -> None:
    loader = botocore.session.get_session().get_component("data_loader")
    ops = set(loader.load_service_model("ses", "service-2")["operations"])
    assert set(V1_OPERATIONS.values()) <= ops
    assert {a.removeprefix("ses:") for a in V1_ONLY} <= ops
    assert isinstance(SesClient, type)


def test_check_via_ses_through_the_2017_api(project: Project, v1_server: LocalSes, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"name": "Ada", "plan": {"name": "Pro"}}\n{"plan": {"name": "Pro"}}\n')
    code = main(["check", "welcome", "--data", str(rows), "--dir", str(project.root), "--format", "json",
                 "--via-ses", "2", "--endpoint-url", v1_server.endpoint_url, "--api", "v1"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["failing"] == 1
    via = doc["via_ses"]
    assert via["sampled"] == 2 and via["agree"] == 2  # TestRenderTemplate agrees with the local verdicts
    assert "is not present in the rendering data" in {r["row"]: r for r in via["rows"]}[2]["ses"]
    client = make_client(project, v1_server, api="v1")
    assert client.list_templates(include_scratch=True) == []  # the scratch copy was deleted again


def test_a_2017_only_policy_in_the_config_with_local(project: Project,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """What a user types: `[local_ses] iam_allow` listing the 2017 actions, then `push --local`."""
    config = project.root / "ses-workbench.toml"
    allow = ", ".join(f'"{a}"' for a in V1_ONLY)
    config.write_text(config.read_text().replace("[local_ses]\n", f"[local_ses]\niam_allow = [{allow}]\n"))
    assert main(["push", "--yes", "--local", "--dir", str(project.root)]) == 0
    out, err = capsys.readouterr()
    assert "created welcome" in out and err.count("using the 2017 API") == 1
    assert main(["send", "welcome", "--yes", "--local", "--dir", str(project.root)]) == 0
    out, err = capsys.readouterr()
    assert "2/2 sent" in out and err.count("using the 2017 API") == 1
