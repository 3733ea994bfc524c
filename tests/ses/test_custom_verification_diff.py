"""``ses-workbench verification diff``: the local custom verification templates against an environment's,
over real HTTP (sesv2, and the 2017 API with ``--api v1``), and the email template commands pointing at the
``verification`` group instead of passing over these folders in silence."""

from __future__ import annotations

import logging
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from ses_workbench.cli import main
from ses_workbench.project import Project
from ses_workbench.ses.local import LocalSes
from ses_workbench.ses.verification import push_verification, verification_diff
from tests.conftest import copy_samples
from tests.ses.conftest import make_client, settings

NAME = "newsletter-sender"
CONFIRMED = "https://acme.test/newsletters/sender-confirmed"


@pytest.fixture
def sample(tmp_path: Path) -> Project:
    return Project.load(copy_samples(tmp_path / "samples", unpaced=True))


@pytest.fixture
def sample_server(sample: Project) -> LocalSes:
    with LocalSes(sample.state_dir, settings(verified_identities=("acme.test",)), port=0) as ses:
        yield ses


def _diff(sample: Project, url: str, *extra: str) -> int:
    return main(["verification", "diff", *extra, "--dir", str(sample.root), "--endpoint-url", url,
                 "--color", "never"])


def test_diff_exit_codes_and_parts_over_sesv2(sample: Project, sample_server: LocalSes,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    url = sample_server.endpoint_url
    assert _diff(sample, url) == 1  # not pushed yet: only here
    out = capsys.readouterr().out
    assert f"# {NAME}: only in local" in out
    assert f"+++ local/{NAME}/subject" in out and "+Confirm your newsletter sender address for Acme" in out
    client = make_client(sample, sample_server)
    assert [i.action for i in push_verification(client, sample)] == ["create"]
    assert _diff(sample, url) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "no differences (1 custom verification template)" in captured.err
    # someone edits the subject in SES; the redirection URL is edited here
    remote = client.get_verification_template(NAME)
    assert remote is not None
    client.upsert_verification_template(NAME, replace(remote, subject="Changed in the console"), exists=True)
    meta = sample.get_verification(NAME).meta_path
    meta.write_text(meta.read_text().replace(CONFIRMED, "https://acme.test/confirmed"))
    assert _diff(sample, url, NAME) == 1
    out = capsys.readouterr().out
    assert f"--- ses:local/{NAME}/subject\n+++ local/{NAME}/subject\n" in out
    assert "-Changed in the console\n+Confirm your newsletter sender address for Acme\n" in out
    assert f'-success_redirection_url = "{CONFIRMED}"\n' in out
    assert '+success_redirection_url = "https://acme.test/confirmed"\n' in out
    assert f"/{NAME}/html" not in out  # the body is the same on both sides
    diffs = verification_diff(client, sample)
    assert [(d.name, [p.part for p in d.parts if p.changed]) for d in diffs] == \
        [(NAME, ["subject", "settings"])]
    # the folder is gone: only in the environment
    shutil.rmtree(sample.get_verification(NAME).dir)
    assert _diff(sample, url) == 1
    assert f"# {NAME}: only in ses:local" in capsys.readouterr().out


def test_an_unknown_name_is_one_usage_line(sample: Project, sample_server: LocalSes,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert _diff(sample, sample_server.endpoint_url, "newsleter-sender") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"ses-workbench: {sample.root}: no template named 'newsleter-sender'; did you mean {NAME}?"]


def test_diff_through_the_2017_api_and_its_iam_actions(sample: Project, capsys: pytest.CaptureFixture[str],
                                                       caplog: pytest.LogCaptureFixture) -> None:
    """``--api v1`` lists and gets through the `ses` service's actions; a policy without the Get action
    is one AccessDenied line naming it, no traceback."""
    allow = ("ses:ListCustomVerificationEmailTemplates", "ses:GetCustomVerificationEmailTemplate")
    with LocalSes(sample.state_dir, settings(verified_identities=("acme.test",)), port=0) as ses:
        push_verification(make_client(sample, ses), sample)
    with LocalSes(sample.state_dir, settings(verified_identities=("acme.test",), iam_allow=allow),
                  port=0) as ses:
        with caplog.at_level(logging.DEBUG, logger="ses_workbench.ses.local.server"):
            assert _diff(sample, ses.endpoint_url, "--api", "v1") == 0
        assert "no differences (1 custom verification template)" in capsys.readouterr().err
        served = [r.getMessage() for r in caplog.records]
        assert "ListCustomVerificationEmailTemplates (2017 API) -> 200" in served
        assert "GetCustomVerificationEmailTemplate (2017 API) -> 200" in served
    with LocalSes(sample.state_dir, settings(verified_identities=("acme.test",), iam_allow=allow[:1]),
                  port=0) as ses:
        assert _diff(sample, ses.endpoint_url, "--api", "v1") == 1
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and "GetCustomVerificationEmailTemplate" in err, err
        assert "Traceback" not in err


@pytest.mark.parametrize("command", ["status", "diff", "push", "pull", "prune"])
def test_the_email_template_commands_point_at_the_verification_group(
        command: str, sample: Project, sample_server: LocalSes, capsys: pytest.CaptureFixture[str]) -> None:
    url = sample_server.endpoint_url
    yes = ["--yes"] if command in ("push", "pull", "prune") else []
    dry = ["--dry-run"] if command in ("push", "pull", "prune") else []
    main([command, *yes, *dry, "--dir", str(sample.root), "--endpoint-url", url])
    note = (f"ses-workbench: 1 custom verification template here ({NAME}) is left out of `{command}`: "
            f"see `ses-workbench verification {command}`")
    assert note in capsys.readouterr().err.splitlines()
    # named, it is a usage error saying which command takes it (nothing is opened or pushed)
    assert main([command, NAME, *yes, "--dir", str(sample.root), "--endpoint-url", url]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"ses-workbench: '{NAME}' is a custom verification template: use "
        f"`ses-workbench verification {command} {NAME}`"]
    assert make_client(sample, sample_server).list_templates() == []
    # an email template named: no note (the command does what it was asked)
    main([command, "welcome", *yes, *dry, "--dir", str(sample.root), "--endpoint-url", url])
    assert "custom verification" not in capsys.readouterr().err


def test_diff_between_two_environments(sample: Project, sample_server: LocalSes,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """``--env qa --against uat``: uat's content (old) against qa's (new), each name found through its
    environment's prefix."""
    config = sample.root / "ses-workbench.toml"
    config.write_text(config.read_text() + '\n[environments.qa]\nlocal = true\nprefix = "qa-"\n'
                      '\n[environments.uat]\nlocal = true\nprefix = "uat-"\n')
    url = sample_server.endpoint_url

    def push(env: str) -> None:
        args = ["verification", "push", "--env", env, "--dir", str(sample.root), "--endpoint-url", url]
        assert main(args) == 0
        capsys.readouterr()

    push("qa")
    push("uat")
    assert _diff(sample, url, "--env", "qa", "--against", "uat") == 0
    assert "no differences (1 custom verification template)" in capsys.readouterr().err
    sample.get_verification(NAME).part_path("subject").write_text("Confirm it for QA\n")
    push("qa")
    assert _diff(sample, url, "--env", "qa", "--against", "uat") == 1
    out = capsys.readouterr().out
    assert f"--- ses:uat/{NAME}/subject\n+++ ses:qa/{NAME}/subject\n" in out
    assert "-Confirm your newsletter sender address for Acme\n+Confirm it for QA\n" in out
    assert f"/{NAME}/html" not in out and f"/{NAME}/settings" not in out
    assert _diff(sample, url, "--env", "qa", "--against", "uat", "nope") == 2
    assert "no template named 'nope'" in capsys.readouterr().err
    assert _diff(sample, url, "--against", "nowhere") == 2
    assert "no environment named 'nowhere'" in capsys.readouterr().err
