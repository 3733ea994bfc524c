"""Clients we did not write: the AWS CLI against the endpoint, and the ``local-ses`` command itself."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import shlex
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

from ses_workbench.ses.local import LocalSes

from .conftest import SENDER, VERIFIED_TO, make_client


def _aws_command() -> list[str] | None:
    exe = shutil.which("aws")
    if exe:
        return [exe]
    try:
        import awscli  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "awscli"]


AWS = _aws_command()


def aws_env(tmp_path: Path, endpoint: dict[str, str]) -> dict[str, str]:
    """No AWS configuration of the machine, only ``endpoint``'s variables (what ``local-ses`` prints)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(endpoint, AWS_CONFIG_FILE=str(tmp_path / "no-config"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-creds"),
               AWS_PAGER="", AWS_EC2_METADATA_DISABLED="true")
    return env


def aws_process(ses: LocalSes, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``aws --output json sesv2 ARGS`` as a user runs it: its own process, the variables ``local-ses``
    prints as its whole AWS environment."""
    assert AWS is not None, "the AWS CLI is part of the dev extra: pip install -e '.[dev]'"
    return subprocess.run([*AWS, "--output", "json", "sesv2", *args],
                          env=aws_env(tmp_path, ses.environment_variables()), capture_output=True, text=True,
                          timeout=60)


@functools.lru_cache(maxsize=1)
def _aws_driver(environ: tuple[tuple[str, str], ...]) -> Any:
    from awscli.clidriver import create_clidriver

    return create_clidriver()  # reads its configuration from os.environ, set by run_aws


def run_aws(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The AWS CLI's own driver run in this process with ``env`` as the whole environment: the same
    parsing, signing, HTTP and exit codes as :func:`aws_process`, without starting Python and loading the
    CLI for every command (about a second each; :func:`aws_process` keeps the real executable covered)."""
    import awscli  # sets AWS_DATA_PATH (where the CLI's own data is) in os.environ when first imported

    env = {**env, "AWS_DATA_PATH": os.environ.get("AWS_DATA_PATH") or
           str(Path(awscli.__file__).parent / "data")}
    saved = dict(os.environ)
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.clear()
        os.environ.update(env)
        driver = _aws_driver(tuple(sorted(env.items())))
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = driver.main(list(args))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess(["aws", *args], code, out.getvalue(), err.getvalue())


def aws(ses: LocalSes, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``aws --output json sesv2 ARGS`` against ``ses``, in this process (:func:`run_aws`)."""
    return run_aws(aws_env(tmp_path, ses.environment_variables()), "--output", "json", "sesv2", *args)


def test_aws_cli_identities_account_and_errors(ses: LocalSes, tmp_path: Path) -> None:
    out = aws(ses, tmp_path, "create-email-identity", "--email-identity", "cli@example.org")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["VerifiedForSendingStatus"] is False  # PENDING, as at SES

    out = aws(ses, tmp_path, "list-email-identities")
    assert "cli@example.org" in [i["IdentityName"] for i in json.loads(out.stdout)["EmailIdentities"]]

    out = aws(ses, tmp_path, "get-account")
    assert json.loads(out.stdout)["SendQuota"]["Max24HourSend"] == 100_000

    out = aws(ses, tmp_path, "get-email-template", "--template-name", "missing")
    assert out.returncode != 0
    assert "NotFoundException" in out.stderr

    out = aws(ses, tmp_path, "send-email", "--from-email-address", SENDER,
              "--destination", json.dumps({"ToAddresses": [VERIFIED_TO]}),
              "--content", json.dumps({"Simple": {"Subject": {"Data": "from the CLI"},
                                                  "Body": {"Text": {"Data": "hello"}}}}))
    assert out.returncode == 0, out.stderr
    message_id = json.loads(out.stdout)["MessageId"]
    assert ses.outbox_message(message_id) is not None


def test_aws_cli_templates(ses: LocalSes, tmp_path: Path) -> None:
    """The real ``aws`` executable, in its own process (the other AWS CLI tests run its driver here)."""
    spec = tmp_path / "welcome.json"
    spec.write_text(json.dumps({"TemplateName": "welcome", "TemplateContent": {
        "Subject": "Hi {{name}}", "Html": "<p>Hi {{name}}</p>", "Text": "Hi {{name}}"}}))
    out = aws_process(ses, tmp_path, "create-email-template", "--cli-input-json", f"file://{spec}")
    assert out.returncode == 0, out.stderr

    out = aws_process(ses, tmp_path, "list-email-templates")
    assert out.returncode == 0, out.stderr
    assert [t["TemplateName"] for t in json.loads(out.stdout)["TemplatesMetadata"]] == ["welcome"]

    out = aws_process(ses, tmp_path, "test-render-email-template", "--template-name", "welcome",
              "--template-data", '{"name": "CLI"}')
    assert out.returncode == 0, out.stderr
    assert "Hi CLI" in json.loads(out.stdout)["RenderedTemplate"]

    out = aws_process(ses, tmp_path, "test-render-email-template", "--template-name", "welcome",
              "--template-data", "{}")
    assert out.returncode != 0
    assert "Attribute 'name' is not present in the rendering data." in out.stderr

    out = aws_process(ses, tmp_path, "create-email-template", "--cli-input-json", f"file://{spec}")
    assert "AlreadyExistsException" in out.stderr


def _exports(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        if line.strip().startswith("export "):
            name, _, value = shlex.split(line)[1].partition("=")
            out[name] = value
    return out


def test_local_ses_command_serves_until_interrupted(tmp_path: Path) -> None:
    (tmp_path / "ses-workbench.toml").write_text(
        '[local_ses]\nverified_identities = ["me@example.com"]\nmax_send_rate = 5\n')
    proc = subprocess.Popen(
        [sys.executable, "-m", "ses_workbench", "local-ses", "--dir", str(tmp_path), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("Local SES endpoint: http://127.0.0.1:"), first + (proc.stderr.read()
                                                                                   if proc.poll() else "")
        url = first.split(": ", 1)[1].strip()
        printed = [proc.stdout.readline() for _ in range(11)]
        assert printed[-1].startswith("Press Ctrl-C"), printed
        exports = _exports(printed)
        assert set(exports) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL_SESV2",
                                "AWS_ENDPOINT_URL_SES", "AWS_DEFAULT_REGION"}
        assert exports["AWS_ENDPOINT_URL_SESV2"] == exports["AWS_ENDPOINT_URL_SES"] == url
        # The lock file: only its owner may read it, and it holds what was printed.
        lock = tmp_path / ".ses-workbench" / "local-ses" / "endpoint.lock"
        assert stat.S_IMODE(lock.stat().st_mode) == 0o600
        info = json.loads(lock.read_text())
        assert (info["url"], info["aws_access_key_id"], info["aws_secret_access_key"]) == \
            (url, exports["AWS_ACCESS_KEY_ID"], exports["AWS_SECRET_ACCESS_KEY"])
        # The printed environment is all the AWS CLI needs (no --endpoint-url, no AWS configuration).
        assert AWS is not None, "the AWS CLI is part of the dev extra: pip install -e '.[dev]'"
        done = subprocess.run([*AWS, "--output", "json", "sesv2", "list-email-templates"],
                              env=aws_env(tmp_path, exports), capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["TemplatesMetadata"] == []
        wrong = {**exports, "AWS_SECRET_ACCESS_KEY": "guessed"}
        done = subprocess.run([*AWS, "sesv2", "list-email-templates"], env=aws_env(tmp_path, wrong),
                              capture_output=True, text=True, timeout=60)
        assert done.returncode != 0 and "InvalidSignatureException" in done.stderr
        client: Any = make_client(url, state_dir=tmp_path / ".ses-workbench")  # found through the lock file
        account = client.get_account()
        assert account["SendQuota"]["MaxSendRate"] == 5.0
        identities = client.list_email_identities()["EmailIdentities"]
        assert [i["IdentityName"] for i in identities] == ["me@example.com"]
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err
        assert "stopped" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    db = sqlite3.connect(f"file:{tmp_path / '.ses-workbench' / 'local-ses' / 'store.db'}?mode=ro", uri=True)
    with closing(db):
        assert db.execute("SELECT key FROM identities").fetchall() == [("me@example.com",)]
    assert not lock.exists()  # the credentials die with the run


def test_local_ses_command_reports_a_busy_port(tmp_path: Path, ses: LocalSes) -> None:
    other = tmp_path / "other-project"
    other.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "ses_workbench", "local-ses", "--dir", str(other), "--port", str(ses.port)],
        capture_output=True, text=True, timeout=30,
    )
    assert proc.returncode == 1
    assert "cannot listen" in proc.stderr and "--port" in proc.stderr


def test_local_ses_command_reports_a_busy_state_folder(tmp_path: Path, ses: LocalSes) -> None:
    # The ``ses`` fixture serves tmp_path/.ses-workbench: a second endpoint there would clobber its files.
    proc = subprocess.run(
        [sys.executable, "-m", "ses_workbench", "local-ses", "--dir", str(tmp_path), "--port", "0"],
        capture_output=True, text=True, timeout=30,
    )
    assert proc.returncode == 1
    assert "another local SES endpoint" in proc.stderr and ses.endpoint_url in proc.stderr


def test_local_ses_verify_command(tmp_path: Path, start_ses: Any, capsys: Any) -> None:
    from ses_workbench.cli import main

    running = start_ses()  # serves tmp_path/.ses-workbench, as `local-ses --dir tmp_path` would
    client = make_client(running.endpoint_url)
    for identity in ("a@example.org", "b@example.org", "brand.example"):
        client.create_email_identity(EmailIdentity=identity)
    # With an endpoint running for the project: verified there (signed with its credentials).
    assert main(["local-ses", "verify", "a@example.org", "--dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "verified a@example.org\n"
    assert client.get_email_identity(EmailIdentity="a@example.org")["VerificationStatus"] == "SUCCESS"
    running.stop()
    # With none running: in the project's store; --dir before the action works too.
    assert main(["local-ses", "--dir", str(tmp_path), "verify", "b@example.org", "nobody@example.org",
                 "BRAND.example"]) == 1
    out, err = capsys.readouterr()
    assert out == "verified b@example.org\nverified BRAND.example\n"
    assert err == "ses-workbench: nobody@example.org: Email identity nobody@example.org does not exist.\n"
    again = make_client(start_ses().endpoint_url)
    listed = again.list_email_identities()["EmailIdentities"]
    status = {i["IdentityName"]: i["VerificationStatus"] for i in listed}
    assert {k: status[k] for k in ("a@example.org", "b@example.org", "brand.example")} == \
        {"a@example.org": "SUCCESS", "b@example.org": "SUCCESS", "brand.example": "SUCCESS"}
