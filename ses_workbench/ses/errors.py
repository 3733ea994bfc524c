"""SES errors: one documented class per thing that can go wrong talking to SES.

Every boto3/botocore exception that leaves :mod:`ses_workbench.ses.client` is turned
into a :class:`SesError` by :func:`translate`, so the CLI, TUI and notebook show one
sentence a person can act on and never a traceback.  Each error keeps what was
known when it happened (``operation``, ``template``, the SES error ``code`` and
SES's own ``ses_message``) for logs and reports.  Both API generations map into the one tree:
sesv2's codes (``NotFoundException``, ``AlreadyExistsException``...) and the 2017 API's
(``TemplateDoesNotExist``, ``AlreadyExists``, ``Throttling``...).

Hierarchy::

    WorkbenchError
     └─ SesError
         ├─ CredentialsError
         │   ├─ NoCredentials          no AWS credentials (or the named profile does not exist)
         │   ├─ ExpiredToken           the session token has expired
         │   └─ AccessDenied           credentials rejected or not allowed to do this
         ├─ UnknownRegion              no region, or one where SES does not exist
         ├─ EndpointUnreachable        network error, DNS, refused connection, timeout
         ├─ ServiceUnavailable         SES answered with a 5xx / internal error
         ├─ NotFound
         │   └─ TemplateNotFound       no template of that name in the environment
         ├─ AlreadyExists
         │   └─ TemplateAlreadyExists  a template of that name already exists
         ├─ Throttled                  too many requests (429) even after backing off
         ├─ QuotaExceeded              24-hour sending quota or an account limit reached
         ├─ SendingPaused              sending is paused/suspended for the account
         ├─ BadRequest                 SES refused the parameters (carries SES's message)
         │   └─ MissingRenderingAttribute  TemplateData lacks an attribute the template renders
         ├─ MessageRejected            SES refused the message (sandbox recipient, content...)
         │   └─ SenderNotVerified      the From address / MAIL FROM domain is not verified
         └─ Refused                    the workbench itself refused (guards: drift, lint, send)
"""

from __future__ import annotations

import re
import socket
from typing import Any
from urllib.parse import urlsplit

from ses_workbench.errors import WorkbenchError

__all__ = [
    "SesError", "CredentialsError", "NoCredentials", "ExpiredToken", "AccessDenied", "UnknownRegion",
    "EndpointUnreachable", "ServiceUnavailable", "NotFound", "TemplateNotFound", "AlreadyExists",
    "TemplateAlreadyExists", "Throttled", "QuotaExceeded", "SendingPaused", "BadRequest",
    "MissingRenderingAttribute", "MessageRejected", "SenderNotVerified", "Refused", "translate",
    "TEMPLATE_OPERATIONS",
]

# Operations whose NotFound/AlreadyExists concern an email template (sesv2's and the 2017 API's).
TEMPLATE_OPERATIONS = frozenset({
    "CreateEmailTemplate", "UpdateEmailTemplate", "GetEmailTemplate", "DeleteEmailTemplate",
    "TestRenderEmailTemplate", "SendEmail", "SendBulkEmail",
    "CreateTemplate", "UpdateTemplate", "GetTemplate", "DeleteTemplate", "TestRenderTemplate",
    "SendTemplatedEmail", "SendBulkTemplatedEmail",
})


class SesError(WorkbenchError):
    """Base of every error from talking to SES; ``str()`` is one sentence for a person."""

    def __init__(self, message: str, *, operation: str | None = None, template: str | None = None,
                 code: str | None = None, ses_message: str | None = None,
                 status: int | None = None) -> None:
        self.message = message
        self.operation = operation
        self.template = template
        self.code = code
        self.ses_message = ses_message
        self.status = status
        super().__init__(message)

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly record (reports, the TUI's notification detail)."""
        return {"error": type(self).__name__, "message": self.message, "operation": self.operation,
                "template": self.template, "code": self.code, "ses_message": self.ses_message}


class CredentialsError(SesError):
    """The request could not be authorised (missing, expired or rejected credentials)."""


class NoCredentials(CredentialsError):
    """No AWS credentials were found (env vars, profile, SSO, instance role) — or the profile is unknown."""


class ExpiredToken(CredentialsError):
    """The credentials' session token has expired; log in again (e.g. ``aws sso login``)."""


class AccessDenied(CredentialsError):
    """The credentials were rejected, or the identity is not allowed to call this operation."""


class UnknownRegion(SesError):
    """No region is configured, or SES is not offered in the configured region."""


class EndpointUnreachable(SesError):
    """The SES endpoint could not be reached (connection refused, DNS failure, timeout)."""


class ServiceUnavailable(SesError):
    """SES answered with an internal error; trying again later usually works."""


class NotFound(SesError):
    """SES does not have the named resource."""


class TemplateNotFound(NotFound):
    """No template of that name exists in the environment."""


class AlreadyExists(SesError):
    """SES already has a resource of that name."""


class TemplateAlreadyExists(AlreadyExists):
    """A template of that name already exists in the environment."""


class Throttled(SesError):
    """SES kept answering 429 Too Many Requests after the workbench backed off and retried."""


class QuotaExceeded(SesError):
    """The account's 24-hour sending quota, or another SES limit (e.g. 20,000 templates), is used up."""


class SendingPaused(SesError):
    """Sending is paused or the account is suspended, so SES accepts no mail."""


class BadRequest(SesError):
    """SES refused the request's parameters; ``ses_message`` is SES's own explanation."""


class MissingRenderingAttribute(BadRequest):
    """The rendering data lacks an attribute the template renders (``attribute`` names it)."""

    def __init__(self, message: str, *, attribute: str, **kwargs: Any) -> None:
        self.attribute = attribute
        super().__init__(message, **kwargs)


class MessageRejected(SesError):
    """SES refused the message (unverified recipient in the sandbox, invalid address, bad content)."""


class SenderNotVerified(MessageRejected):
    """The From address (or its MAIL FROM domain) is not a verified identity."""


class Refused(SesError):
    """The workbench refused an operation before calling SES (drift, lint errors, send guards)."""


_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
_DENIED = {"AccessDenied", "AccessDeniedException", "UnrecognizedClientException", "InvalidClientTokenId",
           "SignatureDoesNotMatch", "InvalidSignatureException", "MissingAuthenticationToken",
           "IncompleteSignature", "NotAuthorized", "AuthFailure", "OptInRequired"}
_THROTTLED = {"TooManyRequestsException", "Throttling", "ThrottlingException", "ThrottledException",
              "RequestLimitExceeded", "SlowDown"}
_MISSING_ATTR = re.compile(r"Attribute '([^']*)' is not present in the rendering data")
_QUOTA_TEXT = re.compile(r"daily message quota|24.hour|sending quota", re.I)


def _where(operation: str | None, template: str | None) -> str:
    bits = []
    if operation:
        bits.append(operation)
    if template:
        bits.append(f"template '{template}'")
    return f" ({', '.join(bits)})" if bits else ""


def translate(exc: BaseException, operation: str | None = None, template: str | None = None,
              *, region: str | None = None, endpoint_url: str | None = None,
              profile: str | None = None, connect_timeout: float | None = None,
              read_timeout: float | None = None, attempts: int | None = None) -> SesError:
    """Turn a boto3/botocore exception into the matching :class:`SesError`.

    ``operation`` is the SES API name (``"GetEmailTemplate"``), ``template`` the template the
    call concerned, if any.  ``region``/``endpoint_url``/``profile`` make connection and
    credential messages concrete; ``connect_timeout``/``read_timeout`` (seconds) and ``attempts``
    (botocore's tries, retries included) say how long a timed-out endpoint was given.  An exception
    that is already a ``SesError`` is returned as is.
    """
    if isinstance(exc, SesError):
        return exc
    import botocore.exceptions as bx  # local import: keeps this module cheap to import

    kw: dict[str, Any] = {"operation": operation, "template": template}
    where = _where(operation, template)

    if isinstance(exc, bx.ClientError):
        err = exc.response.get("Error", {}) or {}
        code = str(err.get("Code") or "")
        msg = str(err.get("Message") or exc.response.get("message") or "").strip()
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        kw.update(code=code, ses_message=msg or None, status=status)
        detail = f": {msg}" if msg else ""
        return _from_code(code, msg, detail, where, status, template, kw)

    if isinstance(exc, bx.ProfileNotFound):
        name = profile or getattr(exc, "kwargs", {}).get("profile", "")
        return NoCredentials(f"The AWS profile '{name}' does not exist in ~/.aws/config or "
                             "~/.aws/credentials.", code="ProfileNotFound", **kw)
    if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        return NoCredentials("No AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/"
                             "AWS_SECRET_ACCESS_KEY, configure the environment's profile, "
                             "or use --local for the embedded SES endpoint.", **kw)
    if isinstance(exc, (bx.TokenRetrievalError, bx.SSOTokenLoadError, bx.UnauthorizedSSOTokenError)):
        return ExpiredToken(f"The AWS SSO session has expired or was never started; run "
                            f"'aws sso login{' --profile ' + profile if profile else ''}'.", **kw)
    if isinstance(exc, bx.CredentialRetrievalError):
        return NoCredentials(f"AWS credentials could not be loaded: {exc}.", **kw)
    if isinstance(exc, bx.NoRegionError):
        return UnknownRegion("No AWS region is configured: set AWS_REGION / AWS_DEFAULT_REGION or the "
                             "environment's region in ses-workbench.toml.", **kw)
    if isinstance(exc, (bx.InvalidRegionError, bx.UnknownRegionError)):
        return UnknownRegion(f"'{region}' is not a valid AWS region name.", **kw)
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError,
                        bx.ConnectionClosedError, bx.ProxyConnectionError, bx.SSLError,
                        bx.HTTPClientError)):
        if endpoint_url is None and region and not _known_region(region):
            return UnknownRegion(f"SES is not available in region '{region}' (no endpoint answers "
                                 "there); check the environment's region.", **kw)
        return _unreachable(exc, endpoint_url, operation, template, connect_timeout, read_timeout,
                            attempts, kw)
    if isinstance(exc, bx.ParamValidationError):
        report = str(exc).replace("\n", " ").strip()
        return BadRequest(f"Invalid request parameters{where}: {report}", ses_message=report,
                          **kw)
    if isinstance(exc, bx.BotoCoreError):
        return SesError(f"AWS client error{where}: {exc}", **kw)
    return SesError(f"Unexpected error{where}: {type(exc).__name__}: {exc}", **kw)


def _unreachable(exc: Any, endpoint_url: str | None, operation: str | None, template: str | None,
                 connect_timeout: float | None, read_timeout: float | None, attempts: int | None,
                 kw: dict[str, Any]) -> EndpointUnreachable:
    """One line naming the endpoint and what went wrong: no answer in time, no connection in time,
    refused, a host name that does not resolve, or (anything else) not reachable."""
    import botocore.exceptions as bx

    # The URL the failed request went to first: it may be STS or SSO, fetching credentials for SES.
    target = _origin(getattr(exc, "kwargs", {}).get("endpoint_url")) or endpoint_url or "the SES endpoint"
    bits = [b for b in (operation, template and f"template '{template}'",
                        attempts and attempts > 1 and f"{attempts} attempts") if b]
    where = f" ({', '.join(bits)})" if bits else ""
    causes = _causes(exc)
    if isinstance(exc, bx.ReadTimeoutError):
        what = f"{target} did not answer within {_seconds(read_timeout)}"
    elif isinstance(exc, bx.ConnectTimeoutError):
        what = f"{target} did not accept a connection within {_seconds(connect_timeout)}"
    elif any(isinstance(c, socket.gaierror) or type(c).__name__ == "NameResolutionError" for c in causes):
        host = urlsplit(target).hostname if "://" in target else None
        what = f"{target}: the host name {host or target} could not be resolved"
    elif any(isinstance(c, ConnectionRefusedError) for c in causes):
        what = f"{target} refused the connection"
    elif isinstance(exc, bx.ConnectionClosedError):
        what = f"{target} closed the connection without answering"
    else:
        what = f"{target} could not be reached"
    return EndpointUnreachable(f"{what}{where}; check the network, the region and --endpoint-url.", **kw)


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc``, the low-level error botocore wrapped (``kwargs['error']``) and their causes."""
    out: list[BaseException] = []
    todo: list[Any] = [exc, getattr(exc, "kwargs", {}).get("error")]
    while todo:
        item = todo.pop()
        if isinstance(item, BaseException) and not any(item is seen for seen in out) and len(out) < 20:
            out.append(item)
            todo += [item.__cause__, item.__context__]
    return out


def _origin(url: Any) -> str | None:
    """``scheme://host:port`` of a request URL (botocore reports the whole path)."""
    if not isinstance(url, str) or "://" not in url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _seconds(value: float | None) -> str:
    return f"{value:g} s" if value is not None else "the timeout"


def _from_code(code: str, msg: str, detail: str, where: str, status: int | None,
               template: str | None, kw: dict[str, Any]) -> SesError:
    op = kw.get("operation")
    if code in _EXPIRED:
        return ExpiredToken(f"The AWS session token has expired{where}; refresh the credentials "
                            "(e.g. 'aws sso login').", **kw)
    if code in _DENIED:
        return AccessDenied(f"AWS denied access{where}{detail}", **kw)
    if code in _THROTTLED:
        if _QUOTA_TEXT.search(msg):
            return QuotaExceeded(f"The account's 24-hour sending quota is used up{where}{detail}", **kw)
        # sesv2 answers 429 Too Many Requests; the 2017 API 400 with the code Throttling
        what = "429 Too Many Requests" if status in (None, 429) else f"{code}, HTTP {status}"
        return Throttled(f"SES is throttling requests{where} ({what}); try again "
                         "later or lower the rate.", **kw)
    if code in ("NotFoundException", "TemplateDoesNotExist", "ConfigurationSetDoesNotExist",
                "CustomVerificationEmailTemplateDoesNotExist"):
        if template and op in TEMPLATE_OPERATIONS and code in ("NotFoundException", "TemplateDoesNotExist"):
            return TemplateNotFound(f"Template '{template}' does not exist in this environment.", **kw)
        return NotFound(f"SES has no such resource{where}{detail}", **kw)
    if code in ("AlreadyExistsException", "AlreadyExists", "CustomVerificationEmailTemplateAlreadyExists"):
        if template:
            return TemplateAlreadyExists(f"Template '{template}' already exists in this environment.", **kw)
        return AlreadyExists(f"SES already has a resource of that name{where}{detail}", **kw)
    if code in ("LimitExceededException", "LimitExceeded"):
        return QuotaExceeded(f"An SES limit or quota was reached{where}{detail}", **kw)
    if code in ("SendingPausedException", "AccountSendingPausedException",
                "ConfigurationSetSendingPausedException"):
        return SendingPaused(f"Sending is paused for this account{where}{detail}", **kw)
    if code == "AccountSuspendedException":
        return SendingPaused(f"The SES account is suspended and cannot send{where}{detail}", **kw)
    if code in ("MailFromDomainNotVerifiedException", "MailFromDomainNotVerified",
                "FromEmailAddressNotVerified"):
        return SenderNotVerified(f"The sender is not verified{where}{detail}", **kw)
    if code == "MessageRejected":
        if re.search(r"not verified", msg, re.I) and re.search(r"from|sender|source", msg, re.I) \
                and not re.search(r"recipient|to address", msg, re.I):
            return SenderNotVerified(f"SES rejected the message: {msg}", **kw)
        return MessageRejected(f"SES rejected the message{where}{detail}", **kw)
    if code in ("BadRequestException", "ValidationException", "InvalidParameterValue",
                "InvalidParameterCombination", "MissingParameter", "MalformedQueryString",
                "InvalidQueryParameter", "InvalidAction",
                "InvalidRenderingParameter", "MissingRenderingAttribute", "InvalidTemplate",
                "InvalidNextTokenException"):
        m = _MISSING_ATTR.search(msg)
        if m:
            return MissingRenderingAttribute(f"SES could not render{where}: {msg}", attribute=m.group(1),
                                             **kw)
        return BadRequest(f"SES refused the request{where}{detail}", **kw)
    if code in ("InternalServiceErrorException", "InternalFailure", "ServiceUnavailable",
                "InternalError") or (status is not None and status >= 500):
        return ServiceUnavailable(f"SES had an internal error{where}; try again later.", **kw)
    if status in (401, 403):
        return AccessDenied(f"AWS denied access{where}{detail}", **kw)
    if status == 429:
        return Throttled(f"SES is throttling requests{where} (429 Too Many Requests).", **kw)
    return SesError(f"SES error {code or status}{where}{detail}", **kw)


def _known_region(region: str) -> bool:
    try:
        import boto3

        regions = boto3.Session().get_available_regions("sesv2")
        regions += boto3.Session().get_available_regions("sesv2", partition_name="aws-us-gov")
        regions += boto3.Session().get_available_regions("sesv2", partition_name="aws-cn")
    except Exception:  # pragma: no cover - endpoint data missing
        return True
    return region in regions
