"""Fixtures: a started LocalSes in a temporary state folder and real boto3 ``sesv2`` clients talking to it
over HTTP (signed with the endpoint's per-run credentials, retries off so every SES error reaches the test),
and helpers for raw, hand-made requests."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ses_workbench.ses.local import LocalSes, LocalSesSettings, endpoint_credentials
from ses_workbench.ses.local.signed import signed_request
from tests.clocks import ManualClock  # noqa: F401 - re-exported for the tests here

SENDER = "sender@example.com"
VERIFIED_TO = "friend@example.com"
VERIFIED_DOMAIN = "verified.example"

# Fast limits so the suite stays quick; tests of a limit set their own.
FAST = dict(
    sandbox=True,
    max_send_rate=10_000.0,
    max_24h_send=100_000,
    template_ops_per_second=10_000.0,
    verified_identities=(SENDER, VERIFIED_TO, VERIFIED_DOMAIN),
)

_SESSION = boto3.session.Session()  # one session: its loader caches the sesv2 model between clients


def make_client(endpoint_url: str, retries: bool = False, state_dir: Path | None = None) -> Any:
    """A boto3 client for the endpoint running at ``endpoint_url`` (in this process, or in another one
    serving ``state_dir``)."""
    credentials = endpoint_credentials(endpoint_url, state_dir)
    assert credentials is not None, f"no local endpoint runs at {endpoint_url}"
    return _SESSION.client(
        "sesv2",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        # With retries: botocore's standard mode, given enough attempts that its random (full-jitter)
        # backoff reliably outlasts a 429 from the endpoint's bucket; 3 attempts could all land within 0.1 s.
        config=Config(retries={"total_max_attempts": 1} if not retries
                      else {"mode": "standard", "total_max_attempts": 10},
                      connect_timeout=5, read_timeout=30),
    )


def make_v1_client(endpoint_url: str, state_dir: Path | None = None) -> Any:
    """A boto3 ``ses`` (2017 API, Query protocol) client for the endpoint running at ``endpoint_url``."""
    credentials = endpoint_credentials(endpoint_url, state_dir)
    assert credentials is not None, f"no local endpoint runs at {endpoint_url}"
    return _SESSION.client("ses", endpoint_url=endpoint_url, region_name="us-east-1",
                           aws_access_key_id=credentials.access_key_id,
                           aws_secret_access_key=credentials.secret_access_key,
                           config=Config(retries={"total_max_attempts": 1}, connect_timeout=5,
                                         read_timeout=30))


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / ".ses-workbench"


@pytest.fixture
def start_ses(state_dir: Path) -> Iterator[Callable[..., LocalSes]]:
    """``start_ses(clock=None, **settings)``: a started endpoint with FAST limits overridden by
    ``settings``; ``clock`` (e.g. a :class:`ManualClock`) drives its rate limits."""
    started: list[LocalSes] = []

    def start(directory: Path | None = None, clock: Callable[[], float] | None = None,
              **overrides: Any) -> LocalSes:
        settings = LocalSesSettings(**{**FAST, **overrides})
        ses = LocalSes(directory or state_dir, settings, **({"clock": clock} if clock else {}))
        ses.start()
        started.append(ses)
        return ses

    yield start
    for ses in started:
        ses.stop()


@pytest.fixture
def ses(start_ses: Callable[..., LocalSes]) -> LocalSes:
    return start_ses()


@pytest.fixture
def client(ses: LocalSes) -> Any:
    return make_client(ses.endpoint_url)


def simple_content(subject: str = "Hello", text: str = "Hi there",
                   html: str | None = "<p>Hi there</p>") -> dict[str, Any]:
    body: dict[str, Any] = {"Text": {"Data": text}}
    if html is not None:
        body["Html"] = {"Data": html}
    return {"Simple": {"Subject": {"Data": subject}, "Body": body}}


def call(ses: LocalSes, method: str, path: str, body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    """One raw HTTP request signed with the endpoint's credentials: (status, headers (lower-case), JSON)."""
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
    return signed_request(ses.endpoint_url, ses.credentials, method, path, data, headers)


def signed_headers(ses: LocalSes, method: str, path: str, body: bytes = b"",
                   headers: dict[str, str] | None = None, credentials: Any = None,
                   host: str | None = None) -> dict[str, str]:
    """The headers botocore's signer adds to a request (``Authorization``, ``X-Amz-Date``...), for a request
    sent some other way; ``credentials`` default to the endpoint's, ``host`` to its ``127.0.0.1:PORT``."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    creds = credentials or ses.credentials
    all_headers = {"Host": host or f"127.0.0.1:{ses.port}", **(headers or {})}
    if body and not any(k.lower() == "content-type" for k in all_headers):
        all_headers["Content-Type"] = "application/json"
    request = AWSRequest(method=method, url=f"http://{all_headers['Host']}{path}", data=body,
                         headers=all_headers)
    SigV4Auth(Credentials(creds.access_key_id, creds.secret_access_key), "ses", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def raw_exchange(ses: LocalSes, data: bytes, timeout: float = 15.0, half_close: bool = True) -> bytes:
    """Send raw bytes to the endpoint and read until it closes the connection (``half_close``: we send
    EOF after ``data``, so a keep-alive connection ends after its answer)."""
    with socket.create_connection(("127.0.0.1", ses.port), timeout=timeout) as conn:
        conn.sendall(data)
        if half_close:
            conn.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def raw_request(ses: LocalSes, method: str, path: str, headers: dict[str, str],
                body: bytes = b"", **kwargs: Any) -> tuple[int, dict[str, str], Any]:
    """One request as raw bytes (exactly these headers, no Content-Length unless given), its answer parsed."""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    reply = raw_exchange(ses, f"{method} {path} HTTP/1.1\r\n{head}\r\n".encode("latin-1") + body, **kwargs)
    return parse_reply(reply)


def parse_reply(reply: bytes) -> tuple[int, dict[str, str], Any]:
    head, _, rest = reply.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", len(rest)))
    body = rest[:length]
    try:
        return status, headers, json.loads(body) if body.strip() else None
    except ValueError:
        return status, headers, body.decode("latin-1")


def error_code(exc: Any) -> str:
    return str(exc.response["Error"]["Code"])


def refusal(call: Callable[[], Any]) -> tuple[str, int]:
    """The error code and HTTP status of the ClientError ``call()`` must raise."""
    with pytest.raises(ClientError) as info:
        call()
    return error_code(info.value), int(info.value.response["ResponseMetadata"]["HTTPStatusCode"])


_ENDPOINT_PROCESS = r"""
import json, sys
from ses_workbench.ses.local import LocalSes, LocalSesSettings
ses = LocalSes(sys.argv[1], LocalSesSettings(template_ops_per_second=None, max_send_rate=None,
                                             verified_identities=(sys.argv[2],)))
ses.start()
print(json.dumps(ses.boto3_kwargs()), flush=True)
sys.stdin.read()
"""


@contextmanager
def killed_after(state_dir: Path) -> Iterator[Any]:
    """A sesv2 client (no retries) of an endpoint in another process over ``state_dir`` (``SENDER``
    verified, no rate limits), SIGKILLed on leaving: no stop(), no close(), whatever was only in its
    memory is gone."""
    proc = subprocess.Popen([sys.executable, "-c", _ENDPOINT_PROCESS, str(state_dir), SENDER],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield boto3.client("sesv2", **json.loads(proc.stdout.readline()),
                           config=Config(retries={"total_max_attempts": 1}))
    finally:
        proc.kill()
        proc.wait()
