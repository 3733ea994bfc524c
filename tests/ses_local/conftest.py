"""Fixtures: a started LocalSes in a temporary state folder and real boto3 ``sesv2`` clients talking to it
over HTTP (signed with the endpoint's per-run credentials, retries off so every SES error reaches the test)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

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


def error_code(exc: Any) -> str:
    return str(exc.response["Error"]["Code"])
