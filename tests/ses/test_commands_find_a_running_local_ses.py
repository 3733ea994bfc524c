"""One walk through the commands against ``ses-workbench local-ses`` running in another process: the
workbench's commands find it on their own, drift and a dropped send are made with the AWS CLI (a client we
did not write), and each step shows what the user sees."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ses_workbench.cli import main
from ses_workbench.project import Project
from tests.conftest import local_ses_process

AWS = [shutil.which("aws")] if shutil.which("aws") else None


@pytest.fixture
def local_ses(project: Project) -> Iterator[str]:
    with local_ses_process(project.root) as proc:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("Local SES endpoint: "), first
        yield first.split(": ", 1)[1].strip()


def aws(url: str, tmp: Path, *args: str) -> dict[str, object]:
    """The AWS CLI as another user of the endpoint would run it: with the credentials of its lock file."""
    assert AWS is not None, "the AWS CLI is part of the dev extra: pip install -e '.[dev]'"
    lock = json.loads((tmp / "proj" / ".ses-workbench" / "local-ses" / "endpoint.lock").read_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=lock["aws_access_key_id"],
               AWS_SECRET_ACCESS_KEY=lock["aws_secret_access_key"], AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE=str(tmp / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp / "none"), AWS_PAGER="")
    done = subprocess.run([*AWS, "--endpoint-url", url, "--output", "json", "sesv2", *args], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}


def test_commands_find_the_running_local_ses_and_show_drift_and_dropped_sends(
        project: Project, local_ses: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def ws(*args: str) -> int:
        return main([*args, "--dir", str(project.root)])  # no --endpoint-url: found through the lock file

    assert ws("push", "--yes") == 0
    assert "created welcome" in capsys.readouterr().out
    project.get("welcome").write_part("subject", "Hi {{name}}\n")
    assert ws("diff") == 1
    # someone changes the deployed template with the AWS CLI
    aws(local_ses, tmp_path, "update-email-template", "--template-name", "welcome", "--template-content",
        json.dumps({"Subject": "Theirs {{name}}", "Html": "<p>theirs</p>"}))
    capsys.readouterr()
    assert ws("status") == 0
    out = capsys.readouterr().out
    assert f"local SES endpoint {local_ses}" in out and "conflict  welcome" in out
    assert ws("push", "--yes") == 1
    assert "refused welcome: changed remotely and locally" in capsys.readouterr().err
    assert ws("push", "--yes", "--force") == 0
    out = capsys.readouterr().out
    backup = Path(out.split("(backup: ", 1)[1].split(")", 1)[0])
    assert json.loads(backup.read_text())["TemplateContent"]["Subject"] == "Theirs {{name}}"
    # an application sends with data lacking 'name': accepted, dropped, and the workbench shows it
    sent = aws(local_ses, tmp_path, "send-email", "--from-email-address", "sender@example.com",
               "--destination", "ToAddresses=success@simulator.amazonses.com", "--content",
               json.dumps({"Template": {"TemplateName": "welcome", "TemplateData": "{}"}}))
    assert ws("events", "--failures") == 0
    assert f"{sent['MessageId']} [welcome]" in (out := capsys.readouterr().out)
    assert "Attribute 'name' is not present in the rendering data." in out
    assert ws("send", "welcome", "--to", "success@simulator.amazonses.com", "--yes") == 0
    assert "1/1 sent" in capsys.readouterr().out
