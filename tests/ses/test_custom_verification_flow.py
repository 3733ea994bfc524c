"""The sample custom verification template end to end, over real HTTP: lint → preview → push → send →
open the link → the identity is verified; and push/pull/status/prune with email templates' drift rules."""

from __future__ import annotations

import email
import email.policy
import http.client
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ses_workbench.cli import main
from ses_workbench.lint import lint_project, lint_verification
from ses_workbench.project import Project
from ses_workbench.ses.local import LocalSes
from ses_workbench.ses.sync import State
from ses_workbench.ses.verification import (
    prune_verification,
    pull_verification,
    push_verification,
    verification_status,
)
from tests.conftest import copy_samples
from tests.ses.conftest import make_client, settings

NAME = "newsletter-sender"


@pytest.fixture
def sample(tmp_path: Path) -> Project:
    return Project.load(copy_samples(tmp_path / "samples"))


@pytest.fixture
def sample_server(sample: Project) -> LocalSes:
    with LocalSes(sample.state_dir, settings(verified_identities=("acme.test",)), port=0) as ses:
        yield ses


def _open_link(url: str) -> tuple[int, str | None]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    conn.request("GET", parts.path)
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp.status, resp.getheader("Location")


def test_sample_lint_preview_push_send_open_link_verified(sample: Project, sample_server: LocalSes,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    tpl = sample.get_verification(NAME)
    assert NAME not in sample.templates  # its own namespace: never pushed as an email template
    # lint: the whole project passes, and the sender is a verified identity of the environment
    assert [d for d in lint_project(sample) if d.is_error] == []
    assert lint_verification(tpl, identities=["acme.test"]) == []
    assert [d.code for d in lint_verification(tpl, identities=["other.test"])] == ["sender-not-verified"]
    # preview: the body as the recipient sees it, with the link SES adds after it
    preview = tpl.preview_html()
    assert "You asked to send your Acme newsletters" in preview
    assert preview.index("verify?token=PREVIEW") > preview.index("If you did not ask for this")
    # push and send through the CLI, against the running endpoint
    url = sample_server.endpoint_url
    assert main(["verification", "push", "--dir", str(sample.root), "--endpoint-url", url]) == 0
    assert "created" in capsys.readouterr().out
    assert main(["verification", "send", NAME, "--to", "owner@customer.example", "--dir", str(sample.root),
                 "--endpoint-url", url]) == 0
    assert "MessageId" in capsys.readouterr().out
    client = make_client(sample, sample_server)
    assert [i.status for i in client.list_identities() if i.name == "owner@customer.example"] == ["PENDING"]
    raw = sample_server.outbox_messages()[-1].read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == "Confirm your newsletter sender address for Acme"
    body = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    link = re.search(r'href="(http://127\.0\.0\.1:\d+/_local-ses/verify-link/[^"]+)"', body)
    assert link, body
    assert _open_link(link.group(1)) == (302, "https://acme.test/newsletters/sender-confirmed")
    assert [i.status for i in client.list_identities() if i.name == "owner@customer.example"] == ["SUCCESS"]
    assert _open_link(link.group(1)) == (302, "https://acme.test/newsletters/sender-not-confirmed")


def test_push_refuses_drift_and_backs_up_when_forced(sample: Project, sample_server: LocalSes) -> None:
    client = make_client(sample, sample_server)
    assert [i.action for i in push_verification(client, sample)] == ["create"]
    assert [r.state for r in verification_status(client, sample)] == [State.IN_SYNC]
    # someone edits it in SES
    remote = client.get_verification_template(NAME)
    assert remote is not None
    from dataclasses import replace

    client.upsert_verification_template(NAME, replace(remote, subject="Changed in the console"), exists=True)
    assert [r.state for r in verification_status(client, sample)] == [State.CHANGED_REMOTELY]
    refused = push_verification(client, sample)
    assert [i.action for i in refused] == ["refuse"] and "--force" in refused[0].reason
    assert client.get_verification_template(NAME).subject == "Changed in the console"  # type: ignore[union-attr]
    forced = push_verification(client, sample, force=True)
    assert forced[0].done and forced[0].backup is not None
    kept = json.loads(forced[0].backup.read_text())
    assert kept["TemplateSubject"] == "Changed in the console" and kept["TemplateName"] == NAME
    assert [r.state for r in verification_status(client, sample)] == [State.IN_SYNC]


def test_a_lint_error_refuses_the_push(sample: Project, sample_server: LocalSes) -> None:
    body = sample.get_verification(NAME).part_path("html")
    body.write_text(body.read_text() + '<p onclick="steal()">x</p>\n')
    items = push_verification(make_client(sample, sample_server), sample)
    assert items[0].action == "refuse" and "onclick" in items[0].reason and "body.html:" in items[0].reason


def test_pull_writes_a_folder_and_refuses_local_edits(sample: Project, sample_server: LocalSes,
                                                      tmp_path: Path) -> None:
    client = make_client(sample, sample_server)
    push_verification(client, sample)
    other = Project.load(tmp_path / "samples")  # same folder, pulled back into a fresh copy below
    fresh_root = tmp_path / "fresh"
    fresh_root.mkdir()
    (fresh_root / "ses-workbench.toml").write_text((sample.root / "ses-workbench.toml").read_text())
    fresh = Project.load(fresh_root)
    fresh_client = make_client(fresh, sample_server)
    items = pull_verification(fresh_client, fresh)
    assert [(i.action, i.done) for i in items] == [("create", True)]
    pulled = fresh.get_verification(NAME)
    assert pulled.compose() == other.get_verification(NAME).compose()
    # a local edit since the pull is not overwritten without --force
    remote = client.get_verification_template(NAME)
    from dataclasses import replace

    client.upsert_verification_template(NAME, replace(remote, subject="Remote edit"), exists=True)  # type: ignore[arg-type]
    pulled.part_path("subject").write_text("Local edit\n")
    assert [i.action for i in pull_verification(fresh_client, fresh)] == ["refuse"]
    assert pulled.part_path("subject").read_text() == "Local edit\n"
    forced = pull_verification(fresh_client, fresh, force=True)
    assert forced[0].done and (forced[0].backup / "subject.txt").read_text() == "Local edit\n"  # type: ignore[operator]
    assert pulled.part_path("subject").read_text() == "Remote edit\n"


def test_prune_deletes_only_what_has_no_folder_after_a_backup(sample: Project,
                                                              sample_server: LocalSes) -> None:
    client = make_client(sample, sample_server)
    push_verification(client, sample)
    assert prune_verification(client, sample) == []
    shutil.rmtree(sample.get_verification(NAME).dir)
    sample.scan()
    assert prune_verification(client, sample, dry_run=True) == [NAME]
    assert prune_verification(client, sample) == [NAME]
    assert client.list_verification_templates() == []
    assert list((sample.state_dir / "backups" / "local" / "custom-verification").glob(f"{NAME}-*.json"))


def test_lint_rules_with_file_line_col(sample: Project) -> None:
    tpl = sample.get_verification(NAME)
    body = tpl.part_path("html")
    body.write_text("<p>Hi {{name}}</p>\n<script>x()</script>\n")
    diags = {d.code: d for d in lint_verification(tpl)}
    assert (diags["forbidden-html"].line, diags["forbidden-html"].column) == (2, 1)
    assert diags["literal-braces"].severity == "warning" and "literal text" in diags["literal-braces"].message
    assert (diags["literal-braces"].line, diags["literal-braces"].column) == (1, 7)
    tpl.meta_path.write_text('kind = "custom-verification"\nfrom_address = "a@acme.test"\n')
    codes = [d.code for d in lint_verification(tpl)]
    assert codes.count("missing-setting") == 2


def test_lint_reports_each_tag_and_attribute_ses_does_not_allow_at_file_line_col(
        sample: Project, capsys: pytest.CaptureFixture[str]) -> None:
    body = sample.get_verification(NAME).part_path("html")
    body.write_text('<html>\n<head><title>Hi</title></head>\n<body>\n<p class="x"\n   onclick="go()">Hi</p>\n'
                    '<!-- note --><table cellpadding="0"><tr><td>x</td></tr></table>\n'
                    '<a href="https://acme.test">here</a>\n</body>\n</html>\n')
    assert main(["lint", NAME, "--dir", str(sample.root)]) == 1
    out = capsys.readouterr().out
    found = re.findall(r"^(.+?):(\d+):(\d+): error: (.*) \[forbidden-html\]$", out, re.MULTILINE)
    assert [(Path(p), int(line), int(col)) for p, line, col, _ in found] == [
        (body, 2, 7), (body, 5, 4), (body, 6, 1), (body, 6, 21), (body, 7, 1)]
    messages = [m for *_, m in found]
    assert messages[0].startswith("<title> is not allowed") and "'onclick' on <p>" in messages[1]
    assert "comment" in messages[2] and "'cellpadding' on <table>" in messages[3]
    assert "SES allows class, id, style, summary, title, width there" in messages[3]
    assert "SES adds the verification link itself" in messages[4]


def test_cli_render_prints_or_opens_the_recipient_view(sample: Project, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["verification", "render", NAME, "--dir", str(sample.root)]) == 0
    out = capsys.readouterr().out
    assert "You asked to send your Acme newsletters" in out and "token=PREVIEW" in out
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    assert main(["verification", "render", NAME, "--open", "--dir", str(sample.root)]) == 0
    page = sample.state_dir / "preview" / f"{NAME}.html"
    assert opened == [page.as_uri()] and "token=PREVIEW" in page.read_text()
    assert main(["verification", "send", "nope", "--to", "a@b.example", "--dir", str(sample.root),
                 "--local"]) == 2
    assert "no template named 'nope'" in capsys.readouterr().err


def test_the_flow_through_the_2017_api_with_a_v1_only_policy(sample: Project) -> None:
    """api = "v1" and an IAM policy naming only 2017 actions: push, status, send through `ses`."""
    from ses_workbench.project import Environment
    from ses_workbench.ses.client import SesClient

    allow = ("ses:ListCustomVerificationEmailTemplates", "ses:GetCustomVerificationEmailTemplate",
             "ses:CreateCustomVerificationEmailTemplate", "ses:UpdateCustomVerificationEmailTemplate",
             "ses:SendCustomVerificationEmail", "ses:ListIdentities", "ses:GetIdentityVerificationAttributes",
             "ses:GetSendQuota", "ses:GetAccountSendingEnabled")
    with LocalSes(sample.state_dir, settings(verified_identities=("acme.test",), iam_allow=allow)) as ses:
        env = Environment("local", local=True, region="us-east-1", endpoint_url=ses.endpoint_url, api="v1")
        pair = (ses.credentials.access_key_id, ses.credentials.secret_access_key)
        client = SesClient(env, sample, template_rate=0, credentials=pair)
        assert [i.action for i in push_verification(client, sample)] == ["create"]
        assert [r.state for r in verification_status(client, sample)] == [State.IN_SYNC]
        assert client.send_verification_email(NAME, "v1@customer.example")
        msg = email.message_from_bytes(ses.outbox_messages()[-1].read_bytes(), policy=email.policy.default)
        body = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
        link = re.search(r"/_local-ses/verify-link/[A-Za-z0-9_-]+", body)
        assert link is not None
        assert _open_link(ses.endpoint_url + link.group()) == \
            (302, "https://acme.test/newsletters/sender-confirmed")
        assert client.active_api == "v1"
        # the IAM actions of these operations are named alike in both APIs: sesv2 reads the same store
        v2 = SesClient(Environment("local", local=True, region="us-east-1", endpoint_url=ses.endpoint_url,
                                   api="v2"), sample, template_rate=0, credentials=pair)
        assert [t.name for t in v2.list_verification_templates()] == [NAME]
