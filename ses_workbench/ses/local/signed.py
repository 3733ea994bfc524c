"""Signed raw HTTP calls to a running local endpoint, for what boto3 has no operation for.

``ses-workbench local-ses verify`` uses it for the endpoint's own verify route; it signs with the
credentials :func:`~ses_workbench.ses.local.endpoint_credentials` finds, like every other client.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from ses_workbench.errors import WorkbenchError
from ses_workbench.ses.local.auth import SIGNING_NAME, EndpointCredentials

__all__ = ["signed_request", "verify_identities"]


def signed_request(url: str, credentials: EndpointCredentials, method: str, path: str,
                   body: bytes = b"", headers: Mapping[str, str] | None = None, region: str = "us-east-1",
                   timeout: float = 30.0) -> tuple[int, dict[str, str], Any]:
    """Send one SigV4-signed request; returns (status, response headers, parsed JSON body or None)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    parts = urlsplit(url)
    all_headers = dict(headers or {})
    if body and "Content-Type" not in all_headers:
        all_headers["Content-Type"] = "application/json"
    request = AWSRequest(method=method, url=f"{parts.scheme}://{parts.netloc}{path}", data=body,
                         headers=all_headers)
    SigV4Auth(Credentials(credentials.access_key_id, credentials.secret_access_key), SIGNING_NAME,
              region).add_auth(request)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout)
    try:
        conn.request(method, path, body=body or None, headers=dict(request.headers.items()))
        response = conn.getresponse()
        raw = response.read()
        payload = json.loads(raw) if raw.strip() else None
        return response.status, {k.lower(): v for k, v in response.getheaders()}, payload
    finally:
        conn.close()


def verify_identities(url: str, state_dir: str | Path,
                      identities: Iterable[str]) -> Iterator[tuple[str, str, str]]:
    """Verify each identity at the endpoint running at ``url`` for ``state_dir``: yields
    ``(identity, "SUCCESS" or the error type, message)``."""
    from ses_workbench.ses.local.server import VERIFY_PATH, endpoint_credentials

    credentials = endpoint_credentials(url, state_dir)
    if credentials is None:
        raise WorkbenchError(f"no local SES endpoint of this project runs at {url} (it may have stopped)")
    for identity in identities:
        try:
            status, headers, payload = signed_request(url, credentials, "POST",
                                                      VERIFY_PATH.format(quote(identity, safe="")))
        except OSError as exc:
            raise WorkbenchError(f"cannot reach the local SES endpoint at {url}: {exc}") from None
        if status == 200:
            yield identity, "SUCCESS", ""
        else:
            message = payload.get("message", "") if isinstance(payload, dict) else ""
            code = headers.get("x-amzn-errortype", f"HTTP {status}")
            yield identity, code, message or code
