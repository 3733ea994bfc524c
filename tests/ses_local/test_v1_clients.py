"""Clients we did not write, on the 2017 API: the AWS CLI (``aws ses …``) and the AWS SDK for JavaScript v3
(``@aws-sdk/client-ses``, installed by ``npm ci --prefix tests/nodesdk``), with the credentials and
variables ``local-ses`` prints."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ses_workbench.mime import parse_mime
from ses_workbench.ses.local import LocalSes

from .conftest import SENDER, VERIFIED_TO
from .test_clients import aws_env, run_aws

NODESDK = Path(__file__).resolve().parents[1] / "nodesdk"


def aws_ses(ses: LocalSes, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``aws --output json ses ARGS`` against ``ses``, the CLI's driver run in this process."""
    return run_aws(aws_env(tmp_path, ses.environment_variables()), "--output", "json", "ses", *args)


def test_aws_cli_templates_and_bulk_send(ses: LocalSes, tmp_path: Path) -> None:
    template = {"TemplateName": "cli", "SubjectPart": "Hi {{name}}", "TextPart": "Hello {{name}}"}
    out = aws_ses(ses, tmp_path, "create-template", "--template", json.dumps(template))
    assert out.returncode == 0, out.stderr
    out = aws_ses(ses, tmp_path, "list-templates")
    assert out.returncode == 0, out.stderr
    assert [t["Name"] for t in json.loads(out.stdout)["TemplatesMetadata"]] == ["cli"]
    out = aws_ses(ses, tmp_path, "get-template", "--template-name", "cli")
    assert json.loads(out.stdout)["Template"] == template

    destinations = [{"Destination": {"ToAddresses": [VERIFIED_TO]},
                     "ReplacementTemplateData": '{"name": "Ana"}'},
                    {"Destination": {"ToAddresses": ["stranger@nowhere.example"]}}]
    out = aws_ses(ses, tmp_path, "send-bulk-templated-email", "--source", SENDER, "--template", "cli",
                  "--default-template-data", '{"name": "friend"}', "--destinations", json.dumps(destinations))
    assert out.returncode == 0, out.stderr
    statuses = json.loads(out.stdout)["Status"]
    assert [s["Status"] for s in statuses] == ["Success", "MessageRejected"]
    path = ses.outbox_message(statuses[0]["MessageId"])
    assert path is not None and parse_mime(path.read_bytes()).subject == "Hi Ana"

    out = aws_ses(ses, tmp_path, "test-render-template", "--template-name", "cli", "--template-data", "{}")
    assert out.returncode != 0
    assert "(MissingRenderingAttribute)" in out.stderr and "Attribute 'name' is not present" in out.stderr
    out = aws_ses(ses, tmp_path, "get-template", "--template-name", "missing")
    assert out.returncode != 0 and "(TemplateDoesNotExist)" in out.stderr
    out = aws_ses(ses, tmp_path, "get-send-quota")
    assert json.loads(out.stdout)["SentLast24Hours"] == 1.0


def test_node_sdk_sends_bulk_templated_and_raw_email(ses: LocalSes, tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the Node SDK test needs Node.js 18 or later on PATH")
    if not (NODESDK / "node_modules" / "@aws-sdk" / "client-ses").is_dir():
        pytest.fail("@aws-sdk/client-ses is not installed: run `npm ci --prefix tests/nodesdk`")
    out = subprocess.run([node, str(NODESDK / "v1_send.mjs"), SENDER, VERIFIED_TO],
                         env=aws_env(tmp_path, ses.environment_variables()), capture_output=True, text=True,
                         timeout=120, cwd=NODESDK)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert [s["Status"] for s in result["bulk"]] == ["Success", "Success", "InvalidParameterValue"]
    subjects = [parse_mime(ses.outbox_message(s["MessageId"]).read_bytes()).subject  # type: ignore[union-attr]
                for s in result["bulk"][:2]]
    assert subjects == ["Hello Ana", "Hello friend"]
    raw = ses.outbox_message(result["raw"])
    assert raw is not None and parse_mime(raw.read_bytes()).subject == "Raw from Node"
    assert result["error"]["name"] == "TemplateDoesNotExistException" and result["error"]["status"] == 400
    assert set(ses.store.templates) == {"node-welcome"}


def test_aws_cli_every_other_2017_operation(ses: LocalSes, tmp_path: Path) -> None:
    def ok(*args: str) -> dict:
        out = aws_ses(ses, tmp_path, *args)
        assert out.returncode == 0, (args, out.stderr)
        return json.loads(out.stdout) if out.stdout.strip() else {}

    ok("create-template", "--template", json.dumps({"TemplateName": "t", "SubjectPart": "S {{n}}"}))
    ok("update-template", "--template", json.dumps({"TemplateName": "t", "SubjectPart": "U {{n}}",
                                                    "TextPart": "{{n}}"}))
    sent = ok("send-templated-email", "--source", SENDER, "--destination", f"ToAddresses={VERIFIED_TO}",
              "--template", "t", "--template-data", '{"n": "1"}')
    assert parse_mime(ses.outbox_message(sent["MessageId"]).read_bytes()).subject == "U 1"  # type: ignore[union-attr]
    ok("delete-template", "--template-name", "t")
    assert ok("list-templates")["TemplatesMetadata"] == []
    sent = ok("send-email", "--from", SENDER, "--to", VERIFIED_TO, "--subject", "plain", "--text", "body")
    assert ses.outbox_message(sent["MessageId"]) is not None
    raw = f"From: {SENDER}\r\nTo: {VERIFIED_TO}\r\nSubject: raw\r\n\r\nhi\r\n"
    sent = ok("send-raw-email", "--raw-message", json.dumps({"Data": raw}))
    assert parse_mime(ses.outbox_message(sent["MessageId"]).read_bytes()).subject == "raw"  # type: ignore[union-attr]
    assert sum(p["DeliveryAttempts"] for p in ok("get-send-statistics")["SendDataPoints"]) == 3
    assert ok("get-account-sending-enabled")["Enabled"] is True
    ok("verify-email-identity", "--email-address", "cli@example.org")
    token = ok("verify-domain-identity", "--domain", "cli.example")["VerificationToken"]
    assert {"cli@example.org", "cli.example"} <= set(ok("list-identities")["Identities"])
    attrs = ok("get-identity-verification-attributes", "--identities", "cli@example.org", "cli.example")
    assert attrs["VerificationAttributes"] == {
        "cli@example.org": {"VerificationStatus": "Pending"},
        "cli.example": {"VerificationStatus": "Pending", "VerificationToken": token}}
    ok("delete-identity", "--identity", "cli.example")
    assert "cli.example" not in ok("list-identities", "--identity-type", "Domain")["Identities"]
