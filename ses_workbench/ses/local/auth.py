"""Who may talk to the local endpoint: per-run credentials and the SigV4 check of every request.

Each start of an endpoint makes a fresh access key id and secret (:meth:`EndpointCredentials.generate`).
A request is served only when its ``Authorization`` header is a SigV4 signature made with that secret
(:func:`verify_signature` recomputes it with botocore's own signer over the canonical request: method,
path, query, the signed headers and the SHA-256 of the body).  The workbench's own clients get the
credentials from the running :class:`~ses_workbench.ses.local.LocalSes` in the same process, or from the
endpoint's lock file (mode 0600) in another one — both through
:func:`ses_workbench.ses.local.endpoint_credentials`.

Refusals use the error types AWS answers with (HTTP 403): ``MissingAuthenticationTokenException`` (no
signature), ``IncompleteSignatureException`` (a malformed one), ``UnrecognizedClientException`` (another
access key id), ``InvalidSignatureException`` (wrong secret, altered request, or a signature more than
5 minutes old or ahead).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from ses_workbench.ses.local.service import ApiError

__all__ = ["EndpointCredentials", "verify_signature", "key_id_of", "SIGNING_NAME", "MAX_CLOCK_SKEW"]

SIGNING_NAME = "ses"  # botocore's signing name for sesv2
MAX_CLOCK_SKEW = 300.0  # seconds, as AWS
_TIMESTAMP = "%Y%m%dT%H%M%SZ"
_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/,\s]+)/"
    r"(?P<service>[^/,\s]+)/aws4_request\s*,\s*SignedHeaders=(?P<signed>[a-z0-9;_.-]+)\s*,\s*"
    r"Signature=(?P<signature>[0-9a-f]{64})$")
_KEY_ID = re.compile(r"Credential=([^/,\s]+)/")


@dataclass(frozen=True)
class EndpointCredentials:
    """The access key id and secret one run of the endpoint accepts."""

    access_key_id: str
    secret_access_key: str

    @classmethod
    def generate(cls) -> EndpointCredentials:
        return cls("LOCALSES" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30))


class Headers(Protocol):
    """What is read of a request's headers: a case-insensitive ``get`` (``http.client.HTTPMessage``)."""

    def get(self, name: str) -> str | None: ...


def key_id_of(authorization: str | None) -> str | None:
    """The access key id named in an ``Authorization`` header, or None."""
    match = _KEY_ID.search(authorization or "")
    return match.group(1) if match else None


def _denied(code: str, message: str) -> ApiError:
    return ApiError(code, message, 403)


def check_key_id(authorization: str | None, credentials: EndpointCredentials) -> None:
    """The cheap part of the check, done before the body is read: a signature by this run's key id."""
    if not authorization:
        raise _denied("MissingAuthenticationTokenException", "Missing Authentication Token")
    if _AUTH.match(authorization.strip()) is None:
        raise _denied("IncompleteSignatureException",
                      "Authorization header requires a SigV4 'AWS4-HMAC-SHA256 Credential=..., "
                      "SignedHeaders=..., Signature=...' value.")
    if not hmac.compare_digest(key_id_of(authorization) or "", credentials.access_key_id):
        raise _denied("UnrecognizedClientException",
                      "The security token included in the request is invalid. (This local SES endpoint "
                      "accepts only the credentials it generated for this run: `ses-workbench local-ses` "
                      "prints them, and its endpoint.lock holds them.)")


def verify_signature(method: str, host: str, path: str, headers: Headers, body: bytes,
                     credentials: EndpointCredentials, now: float) -> None:
    """Raise :class:`ApiError` (403) unless the request is signed with ``credentials``.

    ``path`` is the request target as sent (percent-encoded, with its query string); ``headers`` are the
    request's headers (case-insensitive); ``now`` is the wall-clock time in epoch seconds.
    """
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    authorization = (headers.get("Authorization") or "").strip()
    check_key_id(authorization, credentials)
    match = _AUTH.match(authorization)
    assert match is not None
    stamp = (headers.get("X-Amz-Date") or "").strip()
    try:
        when = datetime.strptime(stamp, _TIMESTAMP).replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        raise _denied("IncompleteSignatureException",
                      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                      "header.") from None
    if abs(now - when) > MAX_CLOCK_SKEW:
        now_stamp = datetime.fromtimestamp(now, timezone.utc).strftime(_TIMESTAMP)
        raise _denied("InvalidSignatureException",
                      f"Signature expired: {stamp} is now earlier than the allowed window around "
                      f"{now_stamp} (+/- 5 min.)" if when < now else
                      f"Signature not yet current: {stamp} is still later than {now_stamp} (+ 5 min.)")
    signed = match.group("signed").split(";")
    if "host" not in signed or "x-amz-date" not in signed or match.group("date") != stamp[:8] \
            or match.group("service") != SIGNING_NAME:
        raise _invalid()
    digest = hashlib.sha256(body).hexdigest()
    declared = headers.get("X-Amz-Content-SHA256")
    if declared is not None and declared.strip() != digest:
        raise _invalid()
    signed_headers: dict[str, str] = {}
    for name in signed:
        value = host if name == "host" else headers.get(name)
        if value is None:
            raise _invalid()
        signed_headers[name] = value
    request = AWSRequest(method=method, url=f"http://{host}{path}", headers=signed_headers, data=body)
    request.context["timestamp"] = stamp
    signer = SigV4Auth(Credentials(credentials.access_key_id, credentials.secret_access_key),
                       SIGNING_NAME, match.group("region"))
    canonical = signer.canonical_request(request)
    if signer.signed_headers(signer.headers_to_sign(request)) != match.group("signed"):
        raise _invalid()  # a header botocore never signs (user-agent, expect...) was listed
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, match.group("signature")):
        raise _invalid()


def _invalid() -> ApiError:
    return _denied("InvalidSignatureException",
                   "The request signature we calculated does not match the signature you provided. Check "
                   "your AWS Secret Access Key and signing method. Consult the service documentation for "
                   "details.")
