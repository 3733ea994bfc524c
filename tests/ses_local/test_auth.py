"""Who may talk to the local endpoint: only requests signed with the credentials of the running endpoint,
naming it in ``Host``, not from a web page.  The review's reproductions (a cross-origin ``text/plain``
POST, a DNS-rebinding read) are here as they were reported."""

from __future__ import annotations

import json
import os
import shlex
import stat
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ses_workbench.ses.local import EndpointCredentials, LocalSes, endpoint_credentials, running_endpoint_info
from tests.conftest import local_ses_process

from .conftest import make_client, raw_request, signed_headers

TEMPLATE = {"TemplateName": "t0", "TemplateContent": {"Subject": "Hi", "Text": "Hello"}}


def _client(ses: LocalSes, key_id: str, secret: str) -> Any:
    return boto3.session.Session().client(
        "sesv2", endpoint_url=ses.endpoint_url, region_name="us-east-1", aws_access_key_id=key_id,
        aws_secret_access_key=secret, config=Config(retries={"total_max_attempts": 1}))


def _refused(call: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"]["Message"])


def test_a_client_signing_with_the_runs_credentials_works(ses: LocalSes) -> None:
    client = boto3.client("sesv2", **ses.boto3_kwargs())
    client.create_email_template(**TEMPLATE)
    assert client.get_email_template(TemplateName="t0")["TemplateContent"]["Subject"] == "Hi"


def test_a_wrong_secret_or_another_key_id_is_refused(ses: LocalSes) -> None:
    creds = ses.credentials
    code, status, _ = _refused(lambda: _client(ses, creds.access_key_id, "guessed").create_email_template(
        **TEMPLATE))
    assert (code, status) == ("InvalidSignatureException", 403)
    code, status, message = _refused(lambda: _client(ses, "AKIDSOMEONEELSE", "x").list_email_templates())
    assert (code, status) == ("UnrecognizedClientException", 403)
    assert "endpoint.lock" in message
    assert ses.store.templates == {}


def test_unsigned_and_garbage_signed_requests_are_refused(ses: LocalSes) -> None:
    body = json.dumps(TEMPLATE).encode()
    base = {"Host": f"127.0.0.1:{ses.port}", "Content-Type": "application/json",
            "Content-Length": str(len(body))}
    status, headers, reply = raw_request(ses, "POST", "/v2/email/templates", base, body)
    assert (status, headers["x-amzn-errortype"]) == (403, "MissingAuthenticationTokenException")
    garbage = {**base, "Authorization": "AWS4-HMAC-SHA256 Credential=nonsense"}
    status, headers, _ = raw_request(ses, "POST", "/v2/email/templates", garbage, body)
    assert (status, headers["x-amzn-errortype"]) == (403, "IncompleteSignatureException")
    good = signed_headers(ses, "POST", "/v2/email/templates", body)
    forged = {**good, "Authorization": good["Authorization"][:-64] + "0" * 64}
    status, headers, _ = raw_request(ses, "POST", "/v2/email/templates", {**forged, **base}, body)
    assert (status, headers["x-amzn-errortype"]) == (403, "InvalidSignatureException")
    assert ses.store.templates == {}


def test_a_signature_covers_the_body_and_the_path(ses: LocalSes) -> None:
    body = json.dumps(TEMPLATE).encode()
    headers = signed_headers(ses, "POST", "/v2/email/templates", body)
    other = json.dumps({**TEMPLATE, "TemplateName": "evil"}).encode()
    status, reply_headers, _ = raw_request(ses, "POST", "/v2/email/templates",
                                           {**headers, "Content-Length": str(len(other))}, other)
    assert (status, reply_headers["x-amzn-errortype"]) == (403, "InvalidSignatureException")
    get = signed_headers(ses, "GET", "/v2/email/account")
    status, _, _ = raw_request(ses, "GET", "/v2/email/templates", get)
    assert status == 403
    status, _, _ = raw_request(ses, "POST", "/v2/email/templates",
                               {**headers, "Content-Length": str(len(body))}, body)
    assert status == 200 and set(ses.store.templates) == {"t0"}


def test_an_old_signature_is_refused(ses: LocalSes) -> None:
    ten_minutes_ago = datetime.fromtimestamp(time.time() - 600, timezone.utc)
    with mock.patch("botocore.auth.get_current_datetime", return_value=ten_minutes_ago):
        headers = signed_headers(ses, "GET", "/v2/email/account")
    status, reply_headers, reply = raw_request(ses, "GET", "/v2/email/account", headers)
    assert (status, reply_headers["x-amzn-errortype"]) == (403, "InvalidSignatureException")
    assert reply["message"].startswith("Signature expired")


def test_csrf_from_a_web_page_is_refused_and_nothing_is_stored(ses: LocalSes) -> None:
    """The review's reproduction: a page POSTs a template as ``text/plain`` (no preflight) from its origin."""
    body = json.dumps(TEMPLATE).encode()
    for content_type in ("text/plain", "application/x-www-form-urlencoded",
                         "multipart/form-data; boundary=x", None):
        headers = {"Host": f"127.0.0.1:{ses.port}", "Origin": "http://evil.example",
                   "Content-Length": str(len(body))}
        if content_type:
            headers["Content-Type"] = content_type
        status, _, _ = raw_request(ses, "POST", "/v2/email/templates", headers, body)
        assert status == 403, content_type
    assert ses.store.templates == {}
    # Even a request the page could somehow sign is refused for its Origin and for a non-JSON body.
    signed = signed_headers(ses, "POST", "/v2/email/templates", body, headers={"Content-Type": "text/plain"})
    status, headers_back, _ = raw_request(ses, "POST", "/v2/email/templates",
                                          {**signed, "Content-Length": str(len(body))}, body)
    assert (status, headers_back["x-amzn-errortype"]) == (415, "UnsupportedMediaTypeException")
    with_origin = {**signed_headers(ses, "POST", "/v2/email/templates", body), "Origin": "http://evil.example",
                   "Content-Length": str(len(body))}
    status, _, _ = raw_request(ses, "POST", "/v2/email/templates", with_origin, body)
    assert status == 403
    assert ses.store.templates == {}


def test_dns_rebinding_read_is_refused(ses: LocalSes) -> None:
    make_client(ses.endpoint_url).create_email_template(**TEMPLATE)
    status, headers, reply = raw_request(ses, "GET", "/v2/email/templates/t0", {"Host": "attacker.example"})
    assert status == 400 and "TemplateContent" not in json.dumps(reply)
    assert "attacker.example" in reply["message"]
    # Signed or not: the Host must name this endpoint.
    signed = signed_headers(ses, "GET", "/v2/email/templates/t0", host=f"attacker.example:{ses.port}")
    status, _, reply = raw_request(ses, "GET", "/v2/email/templates/t0", signed)
    assert status == 400 and "TemplateContent" not in json.dumps(reply)
    for host in (f"127.0.0.1:{ses.port}", f"localhost:{ses.port}"):
        status, _, reply = raw_request(ses, "GET", "/v2/email/templates/t0",
                                       signed_headers(ses, "GET", "/v2/email/templates/t0", host=host))
        assert status == 200 and reply["TemplateContent"]["Subject"] == "Hi", host


def test_credentials_are_new_at_each_start(start_ses: Any) -> None:
    first = start_ses()
    old = first.credentials
    old_client = make_client(first.endpoint_url)
    old_client.get_account()
    first.stop()
    second = start_ses()
    assert second.credentials != old
    stale = _client(second, old.access_key_id, old.secret_access_key)
    assert _refused(stale.get_account)[:2] == ("UnrecognizedClientException", 403)
    assert make_client(second.endpoint_url).get_account()["SendingEnabled"] is True


def test_the_lock_file_holds_the_credentials_for_its_owner_only(start_ses: Any, state_dir: Path) -> None:
    lock = state_dir / "local-ses" / "endpoint.lock"
    lock.parent.mkdir(parents=True)
    lock.write_text("")
    os.chmod(lock, 0o644)  # as an older version left it
    ses = start_ses()
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600
    info = json.loads(lock.read_text())
    assert info == {"url": ses.endpoint_url, "pid": os.getpid(),
                    "aws_access_key_id": ses.credentials.access_key_id,
                    "aws_secret_access_key": ses.credentials.secret_access_key}
    assert running_endpoint_info(state_dir) == info
    ses.stop()
    assert not lock.exists()
    assert running_endpoint_info(state_dir) is None


def test_the_lock_file_is_created_0600(state_dir: Path) -> None:
    old = os.umask(0)  # even with a permissive umask nobody else may read it, not even for a moment
    try:
        with mock.patch("ses_workbench.ses.local.store.os.open", wraps=os.open) as opened:
            with LocalSes(state_dir) as ses:
                lock = state_dir / "local-ses" / "endpoint.lock"
                assert stat.S_IMODE(lock.stat().st_mode) == 0o600
                assert endpoint_credentials(ses.endpoint_url) == ses.credentials
    finally:
        os.umask(old)
    [create] = [c for c in opened.call_args_list if c.args[0] == lock and c.args[1] & os.O_CREAT]
    assert create.args[2] == 0o600


def test_credentials_are_only_given_for_the_endpoints_own_url(ses: LocalSes, state_dir: Path) -> None:
    assert endpoint_credentials(ses.endpoint_url) == ses.credentials
    assert endpoint_credentials(f"http://localhost:{ses.port}/") == ses.credentials
    assert endpoint_credentials("http://evil.example:80") is None
    assert endpoint_credentials(f"http://127.0.0.1:{ses.port + 1}", state_dir) is None
    # From the lock file (another process's endpoint): only for the URL it records.
    with mock.patch.dict("ses_workbench.ses.local.server._RUNNING", clear=True):
        assert endpoint_credentials(ses.endpoint_url) is None  # not in this process any more...
        assert endpoint_credentials(ses.endpoint_url, state_dir) == ses.credentials  # ...but in its lock file
        assert endpoint_credentials("http://evil.example", state_dir) is None
    assert isinstance(ses.credentials, EndpointCredentials) and len(ses.credentials.secret_access_key) >= 32


def test_the_reserved_key_ids_still_fail_like_aws(ses: LocalSes) -> None:
    from ses_workbench.ses.local.settings import EXPIRED_TOKEN_KEY_ID

    expired = _client(ses, EXPIRED_TOKEN_KEY_ID, "any")
    assert _refused(expired.get_account)[:2] == ("ExpiredTokenException", 403)


def test_local_ses_on_all_interfaces_warns_and_still_requires_the_secret(tmp_path: Path) -> None:
    with local_ses_process(tmp_path, "--host", "0.0.0.0") as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        assert first.startswith("Local SES endpoint: http://0.0.0.0:"), first
        warning = proc.stderr.readline()
        assert warning.startswith("warning: listening on 0.0.0.0: other machines can reach this endpoint")
        port = int(first.rsplit(":", 1)[1])
        lines = [proc.stdout.readline() for _ in range(10)]
        exports = dict(shlex.split(line)[1].split("=", 1) for line in lines
                       if line.strip().startswith("export "))
        probe = LocalSes.__new__(LocalSes)  # only for the helpers' port: nothing is started
        probe.port = port
        status, headers, _ = raw_request(probe, "GET", "/v2/email/account", {"Host": f"127.0.0.1:{port}"})
        assert (status, headers["x-amzn-errortype"]) == (403, "MissingAuthenticationTokenException")
        creds = EndpointCredentials(exports["AWS_ACCESS_KEY_ID"], exports["AWS_SECRET_ACCESS_KEY"])
        status, _, reply = raw_request(probe, "GET", "/v2/email/account",
                                       signed_headers(probe, "GET", "/v2/email/account", credentials=creds))
        assert status == 200 and reply["SendingEnabled"] is True
