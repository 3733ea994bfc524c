"""The one path to SES: :class:`SesClient` wraps boto3's ``sesv2`` client — or the 2017 API's ``ses``
client — for one environment.

This is the only module that creates a boto3 client.  Everything above it (sync, send,
remote render, calibration, the session and its faces) calls these methods, which:

- speak the API generation the environment names (``api = "v2" | "v1" | "auto"`` in
  ``ses-workbench.toml``, ``--api``): ``v2`` is ``sesv2`` (REST/JSON), ``v1`` the 2017 API (``ses``, the
  Query protocol: ``CreateTemplate``, ``TestRenderTemplate``, ``SendBulkTemplatedEmail``,
  ``SendRawEmail``...), and ``auto`` (the default) starts with v2 and, the first time SES denies a v2
  action (``AccessDeniedException``), says so once and uses the 2017 equivalent from then on — for an
  account whose IAM policy grants only the 2017 action names.  Both return the same values (v2's
  names: a bulk entry's status is ``SUCCESS``, an identity's ``PENDING``...);

- take *project* template names and apply the environment's name prefix here, once;
- pace template operations through one shared :class:`~ses_workbench.ses.pacing.TokenBucket`
  (SES documents them as one per second) and sends through a bucket sized to the
  account's ``MaxSendRate``;
- use botocore's ``standard`` retry mode and, on top, retry ``TooManyRequestsException``
  with exponential backoff (pushing the whole bucket back so other threads wait too);
- give up on an endpoint that does not answer in seconds: connect and read timeouts sized to SES
  (``$SES_WORKBENCH_CONNECT_TIMEOUT``, ``$SES_WORKBENCH_READ_TIMEOUT``), at most ``max_attempts`` tries,
  so the longest wait is about ``max_attempts × (connect + read)`` plus botocore's short backoff;
- paginate listings (``sesv2`` has no paginator for ListEmailTemplates: NextToken loop);
- translate every exception into a :class:`~ses_workbench.ses.errors.SesError`.

:func:`ses_workbench.session.environment.open_environment` picks the endpoint (AWS, or the embedded local
SES endpoint it starts); this module never starts one.
"""

from __future__ import annotations

import os
import random
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from ses_workbench.project.config import API_GENERATIONS
from ses_workbench.project.errors import ConfigError
from ses_workbench.project.fixtures import template_data_json
from ses_workbench.ses.errors import AccessDenied, BadRequest, NotFound, SesError, TemplateNotFound, translate
from ses_workbench.ses.pacing import TokenBucket

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import Environment, Project, TemplateContent
    from ses_workbench.project.verification import VerificationContent

__all__ = ["SesClient", "RemoteTemplate", "Account", "Identity", "BulkResult", "SCRATCH_PREFIX",
           "TEMPLATE_NAME_RE", "has_aws_credentials", "timeouts",
           "CONNECT_TIMEOUT", "READ_TIMEOUT", "ENV_CONNECT_TIMEOUT", "ENV_READ_TIMEOUT", "APIS",
           "V1_OPERATIONS", "api_label"]

TEMPLATE_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
# Reserved name prefix of the workbench's temporary templates (remote render of unpushed edits,
# calibration probes).  Listings hide them; they are always deleted after use.
SCRATCH_PREFIX = "sesworkbench-scratch-"
# Sent to a local environment's endpoint when no running local endpoint is known there (it refuses them).
LOCAL_CREDENTIALS = ("sesworkbench-local", "sesworkbench-local")
_THROTTLE_CODES = {"TooManyRequestsException", "Throttling", "ThrottlingException", "ThrottledException"}
# Seconds to wait for a TCP connection, and for an answer once connected.  SES answers in well under a
# second (a large TestRenderEmailTemplate or a 50-entry SendBulkEmail in one or two); botocore's 60 s
# read timeout, tried three times, kept a silent endpoint waited on for three minutes.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
ENV_CONNECT_TIMEOUT = "SES_WORKBENCH_CONNECT_TIMEOUT"
ENV_READ_TIMEOUT = "SES_WORKBENCH_READ_TIMEOUT"
#: ``on_request(url, operation)``: a context manager around each SES request (retries included).
RequestWatch = Callable[[str, str], AbstractContextManager[Any]]
#: The API generations an environment may name (``api`` in ses-workbench.toml, ``--api``).
APIS = API_GENERATIONS
#: Each sesv2 operation the workbench calls and its 2017-API counterpart (IAM action ``ses:<name>``).
#: GetAccount takes two 2017 calls (GetSendQuota, GetAccountSendingEnabled), ListEmailIdentities two
#: (ListIdentities, GetIdentityVerificationAttributes); CreateEmailIdentity is VerifyEmailIdentity or
#: VerifyDomainIdentity; SendEmail is SendTemplatedEmail or SendRawEmail.
V1_OPERATIONS: dict[str, str] = {
    "ListEmailTemplates": "ListTemplates", "GetEmailTemplate": "GetTemplate",
    "CreateEmailTemplate": "CreateTemplate", "UpdateEmailTemplate": "UpdateTemplate",
    "DeleteEmailTemplate": "DeleteTemplate", "TestRenderEmailTemplate": "TestRenderTemplate",
    "GetAccount": "GetSendQuota", "ListEmailIdentities": "ListIdentities",
    "CreateEmailIdentity": "VerifyEmailIdentity", "SendBulkEmail": "SendBulkTemplatedEmail",
    "SendEmail": "SendTemplatedEmail",
}
_V1_NAMES = frozenset(V1_OPERATIONS.values()) | {
    "GetAccountSendingEnabled", "GetIdentityVerificationAttributes", "VerifyDomainIdentity", "SendRawEmail"}
# Access-denied codes that mean "this action is not allowed" (not "these credentials are wrong"): only
# they make ``auto`` try the 2017 API.
_ACTION_DENIED = {"AccessDeniedException", "AccessDenied"}
# The 2017 API's bulk statuses (BulkEmailStatus, CamelCase) as sesv2 names them.
_V1_BULK_STATUS = {"ConfigurationSetDoesNotExist": "CONFIGURATION_SET_NOT_FOUND",
                   "TemplateDoesNotExist": "TEMPLATE_NOT_FOUND", "InvalidParameterValue": "INVALID_PARAMETER"}
# A sandbox account's 24-hour quota: the 2017 API has no "production access" flag (see Account).
SANDBOX_MAX_24H = 200.0


def api_label(api: str) -> str:
    """How the UIs name an API generation: ``SES v2 API`` / ``2017 API``."""
    return "2017 API" if api == "v1" else "SES v2 API"


@dataclass(frozen=True)
class RemoteTemplate:
    """One entry of ListEmailTemplates: ``name`` is the project name (prefix stripped)."""

    name: str
    remote_name: str
    created: datetime | None = None


@dataclass(frozen=True)
class Account:
    """GetAccount, reduced to what the workbench decides on."""

    production: bool
    sending_enabled: bool
    enforcement_status: str | None
    max_24h_send: float          # -1: unlimited
    max_send_rate: float         # recipients per second
    sent_last_24h: float
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def sandbox(self) -> bool:
        return not self.production

    @property
    def remaining_24h(self) -> float | None:
        """Recipients still allowed in the rolling 24 hours; None = unlimited."""
        if self.max_24h_send < 0:
            return None
        return max(0.0, self.max_24h_send - self.sent_last_24h)


@dataclass(frozen=True)
class Identity:
    """One ListEmailIdentities entry."""

    name: str
    type: str
    sending_enabled: bool
    status: str  # SUCCESS | PENDING | FAILED | TEMPORARY_FAILURE | NOT_STARTED

    @property
    def verified(self) -> bool:
        return self.status == "SUCCESS"


@dataclass(frozen=True)
class BulkResult:
    """One BulkEmailEntryResults item, aligned with the entry that produced it."""

    status: str
    message_id: str | None
    error: str | None


def has_aws_credentials(profile: str | None = None) -> bool:
    """True when boto3 finds credentials (env vars, profile, SSO cache, instance role...)."""
    import boto3
    import botocore.exceptions as bx

    try:
        return boto3.Session(profile_name=profile).get_credentials() is not None
    except (bx.ProfileNotFound, bx.BotoCoreError):
        return False


def timeouts(environ: Mapping[str, str] | None = None) -> tuple[float, float]:
    """``(connect, read)`` timeouts in seconds: ``$SES_WORKBENCH_CONNECT_TIMEOUT`` and
    ``$SES_WORKBENCH_READ_TIMEOUT`` when set, else :data:`CONNECT_TIMEOUT` / :data:`READ_TIMEOUT`.
    A value that is not a number of seconds above 0 is a :class:`ConfigError` naming the variable."""
    env = os.environ if environ is None else environ
    out: list[float] = []
    for name, default in ((ENV_CONNECT_TIMEOUT, CONNECT_TIMEOUT), (ENV_READ_TIMEOUT, READ_TIMEOUT)):
        raw = env.get(name, "").strip()
        if not raw:
            out.append(default)
            continue
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not 0 < value < float("inf"):  # also false for NaN
            raise ConfigError(f"{name}={raw!r}: not a number of seconds above 0 (e.g. {default:g})")
        out.append(value)
    return out[0], out[1]


# Buckets shared by every client of the same endpoint/region/profile in this process: the TUI and
# a CLI command running side by side still share SES's one-per-second budget.
_BUCKETS: dict[tuple[Any, ...], TokenBucket] = {}
_BUCKETS_LOCK = threading.Lock()
# Endpoints (and identities) where ``auto`` found a v2 action denied: later clients of this process start
# on the 2017 API, and the fallback is said once.
_FELL_BACK: set[tuple[Any, ...]] = set()
_T = TypeVar("_T")


_LOADER: Any = None


def _botocore_session() -> Any:
    """A fresh botocore session (own profile/credentials) sharing one model loader: creating a client
    then costs ~50 ms instead of ~200 ms of JSON parsing (the CLI creates one per command)."""
    global _LOADER
    import botocore.loaders
    import botocore.session

    with _BUCKETS_LOCK:
        if _LOADER is None:
            _LOADER = botocore.loaders.create_loader()
    session = botocore.session.Session()
    session.register_component("data_loader", _LOADER)
    return session


def _dedupe_search_paths(session: Any) -> None:
    # boto3.Session appends its data path to the (shared) loader each time: keep the list short.
    loader = getattr(session, "_loader", None)
    paths = getattr(loader, "search_paths", None)
    if isinstance(paths, list):
        paths[:] = list(dict.fromkeys(paths))


def _shared_bucket(key: tuple[Any, ...], rate: float, burst: float) -> TokenBucket:
    with _BUCKETS_LOCK:
        bucket = _BUCKETS.get(key)
        if bucket is None:
            bucket = _BUCKETS[key] = TokenBucket(rate, burst)
        elif bucket.rate != rate:
            bucket.configure(rate, burst)
        return bucket


class SesClient:
    """SES v2 for one :class:`~ses_workbench.project.Environment`.

    ``template_rate``: template operations per second (default: the local endpoint's configured
    limit for local environments, else SES's documented 1/s).  ``max_attempts``: botocore's
    standard-mode attempts (network errors, timeouts, 5xx, throttling); ``throttle_retries``: our extra
    retries of 429 with backoff ``backoff_base * 2**n`` (jittered, capped at ``backoff_max``).
    ``connect_timeout``/``read_timeout``: seconds (default: :func:`timeouts`).
    ``safety``: fraction of a limit we aim for, so jitter between our clock and SES's never
    trips the limit.  ``on_request(url, operation)``: a context manager entered around each request
    while it waits for SES (the CLI's "waiting for ..." line).  ``api``: ``"v2"``, ``"v1"`` (the 2017
    API) or ``"auto"`` (default: the environment's ``api``); :attr:`active_api` is the one in use.
    ``on_note(text)``: called once when ``auto`` falls back to the 2017 API (the text is also kept in
    :attr:`notes`).  ``credentials``: ``(access key id, secret)`` for a local environment — the per-run
    pair of the embedded endpoint there (:func:`ses_workbench.session.environment.open_environment` finds
    it); without it the client signs with placeholders, which only an endpoint that checks nothing takes.
    An AWS environment always uses boto3's credential chain.
    """

    def __init__(self, environment: Environment, project: Project | None = None, *,
                 endpoint_url: str | None = None, template_rate: float | None = None,
                 template_bucket: TokenBucket | None = None, send_bucket: TokenBucket | None = None,
                 max_attempts: int = 3, throttle_retries: int = 6, backoff_base: float = 0.25,
                 backoff_max: float = 20.0, connect_timeout: float | None = None,
                 read_timeout: float | None = None, page_size: int = 100, safety: float = 0.98,
                 sleep: Callable[[float], None] = time.sleep, on_request: RequestWatch | None = None,
                 api: str | None = None, on_note: Callable[[str], None] | None = None,
                 credentials: tuple[str, str] | None = None) -> None:
        self.environment = environment
        self.project = project
        self.endpoint_url = endpoint_url or environment.endpoint_url
        self.region = environment.region
        self.throttle_retries = throttle_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.page_size = page_size
        self.safety = safety
        self._sleep = sleep
        if connect_timeout is None or read_timeout is None:
            default_connect, default_read = timeouts()
            connect_timeout = default_connect if connect_timeout is None else connect_timeout
            read_timeout = default_read if read_timeout is None else read_timeout
        self.connect_timeout: float = connect_timeout
        self.read_timeout: float = read_timeout
        self.max_attempts = max(1, max_attempts)
        self.on_request = on_request
        self._attempts = threading.local()  # botocore's tries of the current request, per thread
        self.stats: dict[str, int] = {"calls": 0, "throttled": 0, "retried": 0}
        self._stats_lock = threading.Lock()
        self._account: Account | None = None
        self.api = api or getattr(environment, "api", None) or "auto"
        if self.api not in APIS:
            raise ConfigError(f"api {self.api!r}: expected one of {', '.join(APIS)}")
        self.on_note = on_note
        self.notes: list[str] = []
        self._api_lock = threading.Lock()

        if template_rate is None:
            if environment.local and project is not None:
                template_rate = project.config.local_ses.template_ops_per_second
            else:
                template_rate = 1.0
        self.template_rate = template_rate
        key = ("templates", environment.profile, environment.region, self.endpoint_url)
        effective = template_rate * safety if template_rate and template_rate > 0 else 0
        self.template_bucket = template_bucket or _shared_bucket(key, effective, 1.0)
        self.send_bucket = send_bucket  # sized from GetAccount on first send (see send_pacer)

        import boto3
        from botocore.config import Config as BotoConfig

        local_key: str | None = None
        try:
            cfg = BotoConfig(retries={"mode": "standard", "total_max_attempts": self.max_attempts},
                             connect_timeout=self.connect_timeout, read_timeout=self.read_timeout,
                             user_agent_extra="ses-workbench")
            core = _botocore_session()
            # The clients botocore makes for credentials (STS AssumeRole, SSO) get the same limits: with
            # botocore's defaults a silent STS endpoint held the first SES request for minutes.
            core.set_default_client_config(cfg)
            if environment.local:
                key_id, secret = credentials or LOCAL_CREDENTIALS
                local_key = key_id
                session = boto3.Session(aws_access_key_id=key_id, aws_secret_access_key=secret,
                                        region_name=environment.region or "us-east-1",
                                        botocore_session=core)
            else:
                session = boto3.Session(profile_name=environment.profile, region_name=environment.region,
                                        botocore_session=core)
            _dedupe_search_paths(session)
            self.region = session.region_name
            self._session, self._boto_config = session, cfg
            self._client = session.client("sesv2", endpoint_url=self.endpoint_url, config=cfg)
        except Exception as exc:
            raise self._translate(exc, None, None) from None
        # Count every 429 botocore sees, including the ones its own retries absorb (and every try).
        self._client.meta.events.register("needs-retry.sesv2", self._count_throttles)
        self._v1_client: Any = None  # the 2017 API's ``ses`` client, made on first use
        # Per endpoint and identity: a local endpoint's per-run key, an AWS environment's profile.
        self._fallback_key = (environment.profile, self.region, self.url, local_key)
        with _BUCKETS_LOCK:
            fell_back = self._fallback_key in _FELL_BACK
        # v1, or auto where this process already found v2 denied (it was said then).
        self.active_api = "v1" if self.api == "v1" or (self.api == "auto" and fell_back) else "v2"

    @property
    def url(self) -> str:
        """The endpoint requests go to (``endpoint_url``, or the AWS endpoint of the region)."""
        return str(self.endpoint_url or self._client.meta.endpoint_url)

    # ---------------------------------------------------------------- plumbing
    def describe(self) -> str:
        """One line naming where this client talks to (for progress headers and the TUI status bar);
        it names the 2017 API when that is the one in use."""
        env = self.environment
        api = [api_label("v1")] if self.active_api == "v1" else []
        if env.local:
            return f"{env.name} (local SES endpoint {self.endpoint_url}{''.join(', ' + a for a in api)})"
        bits = [b for b in (env.profile and f"profile {env.profile}", self.region,
                            self.endpoint_url, *api) if b]
        return f"{env.name} ({', '.join(bits)})" if bits else env.name

    @property
    def api_description(self) -> str:
        """The API in use, for a status bar: ``SES v2 API`` or ``2017 API``."""
        return api_label(self.active_api)

    def _v1(self) -> Any:
        """The 2017 API's ``ses`` client (same session, endpoint, retries and timeouts as ``sesv2``)."""
        with self._api_lock:
            if self._v1_client is None:
                try:
                    client = self._session.client("ses", endpoint_url=self.endpoint_url,
                                                  config=self._boto_config)
                except Exception as exc:
                    raise self._translate(exc, None, None) from None
                client.meta.events.register("needs-retry.ses", self._count_throttles)
                self._v1_client = client
            return self._v1_client

    def _either(self, operation: str, v2: Callable[[], _T], v1: Callable[[], _T]) -> _T:
        """Run ``v2`` (the sesv2 way) or ``v1`` (the 2017 way) as :attr:`active_api` says.

        Under ``auto`` an access-denied answer to ``v2`` runs ``v1`` instead, and when the 2017 API
        answers (anything but a denial of its own), this client switches to it for good, said once.
        Denied by both, the v2 denial is raised, naming the 2017 action as denied too; an endpoint that
        does not speak the 2017 API (an answer botocore cannot parse) leaves the v2 denial as it was."""
        if self.active_api == "v1":
            return v1()
        try:
            return v2()
        except AccessDenied as exc:
            if self.api != "auto" or exc.code not in _ACTION_DENIED:
                raise
            denied = exc
        v1_name = V1_OPERATIONS.get(operation, operation)
        try:
            result = v1()
        except AccessDenied:
            raise AccessDenied(f"{denied.message.rstrip('.')}; the 2017 API's {v1_name} was denied too",
                               operation=denied.operation, template=denied.template, code=denied.code,
                               ses_message=denied.ses_message, status=denied.status) from None
        except SesError as exc:
            if type(exc) is SesError:  # no SES answer to the 2017 request: not an endpoint to switch to
                raise denied from None
            self._fall_back(operation)
            raise
        self._fall_back(operation)
        return result

    def _fall_back(self, operation: str) -> None:
        with self._api_lock:
            if self.active_api == "v1":
                return
            self.active_api = "v1"
            with _BUCKETS_LOCK:
                _FELL_BACK.add(self._fallback_key)
        note = (f"sesv2 access denied for {operation}; using the 2017 API "
                f"(ses:{V1_OPERATIONS.get(operation, operation)})")
        self.notes.append(note)
        if self.on_note is not None:
            self.on_note(note)

    def remote_name(self, name: str) -> str:
        """The SES name of a project template here — the one place the environment prefix is applied."""
        remote = self.environment.remote_name(name)
        if not TEMPLATE_NAME_RE.match(remote):
            raise BadRequest(f"'{remote}' is not a valid SES template name (1-64 letters, digits, '_' "
                             "or '-', environment prefix included).", template=name)
        return remote

    def local_name(self, remote_name: str) -> str | None:
        return self.environment.local_name(remote_name)

    def _count_throttles(self, response: Any = None, attempts: int | None = None, **_: Any) -> None:
        self._attempts.count = attempts
        if not response:
            return
        http, parsed = response
        code = (parsed or {}).get("Error", {}).get("Code") if isinstance(parsed, dict) else None
        if getattr(http, "status_code", None) == 429 or code in _THROTTLE_CODES:
            with self._stats_lock:
                self.stats["throttled"] += 1

    def _translate(self, exc: BaseException, operation: str | None, template: str | None) -> SesError:
        return translate(exc, operation, template, region=self.region, endpoint_url=self.endpoint_url,
                         profile=self.environment.profile, connect_timeout=self.connect_timeout,
                         read_timeout=self.read_timeout, attempts=getattr(self._attempts, "count", None))

    def _call(self, operation: str, *, template: str | None = None, bucket: TokenBucket | None = None,
              cost: float = 1.0, via_v1: bool = False, **params: Any) -> dict[str, Any]:
        """Call one SES operation: paced, 429 retried with backoff, errors translated.  ``via_v1``: an
        operation both APIs name alike (the custom verification ones), called through the 2017 API."""
        from botocore.exceptions import ClientError

        v1 = via_v1 or operation in _V1_NAMES
        method = getattr(self._v1() if v1 else self._client, _snake(operation))
        bucket = bucket if bucket is not None else self.template_bucket
        attempt = 0
        while True:
            bucket.acquire(cost)
            with self._stats_lock:
                self.stats["calls"] += 1
            self._attempts.count = None
            watch = self.on_request(self.url, operation) if self.on_request is not None else nullcontext()
            try:
                with watch:
                    result: dict[str, Any] = method(**params)
                return result
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code")
                if code in _THROTTLE_CODES and attempt < self.throttle_retries and \
                        not _is_quota_message(exc):
                    delay = self._backoff(attempt, exc)
                    attempt += 1
                    with self._stats_lock:
                        self.stats["retried"] += 1
                    if bucket.rate == float("inf"):
                        self._sleep(delay)
                    else:
                        bucket.penalize(delay)
                    continue
                raise self._translate(exc, operation, template) from None
            except SesError:
                raise
            except Exception as exc:
                raise self._translate(exc, operation, template) from None

    def _backoff(self, attempt: int, exc: Any) -> float:
        headers = exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}) or {}
        retry_after = headers.get("retry-after")
        if retry_after:
            try:
                return min(self.backoff_max, float(retry_after))
            except ValueError:
                pass
        delay = min(self.backoff_max, self.backoff_base * (2.0 ** attempt))
        return float(delay * (0.5 + random.random() / 2))

    # ---------------------------------------------------------------- templates
    def list_templates(self, *, include_scratch: bool = False,
                       all_names: bool = False) -> list[RemoteTemplate]:
        """Every template of this environment (names with our prefix, prefix stripped), sorted.

        ``all_names``: every template of the account/region, regardless of prefix (name = SES name).
        """
        items = self._either("ListEmailTemplates", self._list_v2, self._list_v1)
        out: list[RemoteTemplate] = []
        for remote, created in items:
            local = remote if all_names else self.local_name(remote)
            if local is None:
                continue
            if not include_scratch and local.startswith(SCRATCH_PREFIX):
                continue
            out.append(RemoteTemplate(local, remote, created))
        out.sort(key=lambda t: t.name)
        return out

    def _list_v2(self) -> list[tuple[str, datetime | None]]:
        out: list[tuple[str, datetime | None]] = []
        token: str | None = None
        page_size = self.page_size
        while True:
            params: dict[str, Any] = {"PageSize": page_size}
            if token:
                params["NextToken"] = token
            try:
                page = self._call("ListEmailTemplates", **params)
            except BadRequest as exc:
                # PageSize limits have differed between API versions: small pages are always accepted.
                if page_size > 10 and "pagesize" in (exc.ses_message or "").lower().replace(" ", ""):
                    page_size = 10
                    continue
                raise
            out += [(item.get("TemplateName", ""), item.get("CreatedTimestamp"))
                    for item in page.get("TemplatesMetadata", []) or []]
            token = page.get("NextToken")
            if not token:
                return out

    def _list_v1(self) -> list[tuple[str, datetime | None]]:
        out: list[tuple[str, datetime | None]] = []
        token: str | None = None
        while True:
            # ListTemplates: MaxItems 1..100 (more is taken as 100).
            params: dict[str, Any] = {"MaxItems": max(1, min(100, self.page_size))}
            if token:
                params["NextToken"] = token
            page = self._call("ListTemplates", **params)
            out += [(item.get("Name", ""), item.get("CreatedTimestamp"))
                    for item in page.get("TemplatesMetadata", []) or []]
            token = page.get("NextToken")
            if not token:
                return out

    def get_template(self, name: str) -> TemplateContent | None:
        """The stored content of ``name``, or None when SES has no such template."""
        from ses_workbench.project import TemplateContent

        remote = self.remote_name(name)

        def v2() -> TemplateContent:
            reply = self._call("GetEmailTemplate", template=name, TemplateName=remote)
            return TemplateContent.from_v2(reply.get("TemplateContent", {}) or {})

        def v1() -> TemplateContent:
            t = self._call("GetTemplate", template=name, TemplateName=remote).get("Template", {}) or {}
            return TemplateContent(subject=t.get("SubjectPart") or "", html=t.get("HtmlPart") or "",
                                   text=t.get("TextPart"))

        try:
            return self._either("GetEmailTemplate", v2, v1)
        except TemplateNotFound:
            return None

    def create_template(self, name: str, content: TemplateContent) -> None:
        remote = self.remote_name(name)
        self._either("CreateEmailTemplate",
                     lambda: self._call("CreateEmailTemplate", template=name, TemplateName=remote,
                                        TemplateContent=content.to_v2()),
                     lambda: self._call("CreateTemplate", template=name, Template=content.to_v1(remote)))

    def update_template(self, name: str, content: TemplateContent) -> None:
        remote = self.remote_name(name)
        self._either("UpdateEmailTemplate",
                     lambda: self._call("UpdateEmailTemplate", template=name, TemplateName=remote,
                                        TemplateContent=content.to_v2()),
                     lambda: self._call("UpdateTemplate", template=name, Template=content.to_v1(remote)))

    def upsert_template(self, name: str, content: TemplateContent, *, exists: bool) -> str:
        """Create (``exists`` False) or update (``exists`` True) as planned; returns ``"created"`` or
        ``"updated"``.  Never falls back to the other: a create that meets a template someone else made
        meanwhile raises :class:`~ses_workbench.ses.errors.TemplateAlreadyExists`, an update of one deleted
        meanwhile :class:`~ses_workbench.ses.errors.TemplateNotFound` — the caller decides (push calls it
        drift), nothing is overwritten behind its back."""
        if exists:
            self.update_template(name, content)
            return "updated"
        self.create_template(name, content)
        return "created"

    def delete_template(self, name: str, *, missing_ok: bool = False) -> bool:
        """Delete; returns False when it did not exist and ``missing_ok``.  The 2017 API's DeleteTemplate
        documents no error for a template that does not exist: there a missing one may count as deleted."""
        remote = self.remote_name(name)
        try:
            self._either("DeleteEmailTemplate",
                         lambda: self._call("DeleteEmailTemplate", template=name, TemplateName=remote),
                         lambda: self._call("DeleteTemplate", template=name, TemplateName=remote))
            return True
        except TemplateNotFound:
            if missing_ok:
                return False
            raise

    def test_render(self, name: str, data: Any) -> str:
        """TestRenderEmailTemplate (2017: TestRenderTemplate): the complete MIME message SES would send
        (``data``: dict or JSON text)."""
        text = _json(data)
        remote = self.remote_name(name)
        params: dict[str, Any] = {"TemplateName": remote, "TemplateData": text}
        reply = self._either("TestRenderEmailTemplate",
                             lambda: self._call("TestRenderEmailTemplate", template=name, **params),
                             lambda: self._call("TestRenderTemplate", template=name, **params))
        return str(reply.get("RenderedTemplate", ""))

    # ---------------------------------------------------------------- account and identities
    def get_account(self, *, refresh: bool = False) -> Account:
        if self._account is not None and not refresh:
            return self._account
        self._account = self._either("GetAccount", self._account_v2, self._account_v1)
        return self._account

    def _account_v2(self) -> Account:
        reply = self._call("GetAccount", bucket=_UNPACED)
        quota = reply.get("SendQuota", {}) or {}
        return Account(
            production=bool(reply.get("ProductionAccessEnabled", False)),
            sending_enabled=bool(reply.get("SendingEnabled", True)),
            enforcement_status=reply.get("EnforcementStatus"),
            max_24h_send=float(quota.get("Max24HourSend", -1)),
            max_send_rate=float(quota.get("MaxSendRate", 1)),
            sent_last_24h=float(quota.get("SentLast24Hours", 0)),
            raw=reply,
        )

    def _account_v1(self) -> Account:
        """GetSendQuota and GetAccountSendingEnabled.  The 2017 API has no production-access flag: an
        account whose 24-hour quota is above the sandbox's 200 (or unlimited) counts as production.
        A policy without ses:GetAccountSendingEnabled leaves sending taken as enabled (SES still refuses
        a send of a paused account: AccountSendingPausedException)."""
        quota = self._call("GetSendQuota", bucket=_UNPACED)
        quota.pop("ResponseMetadata", None)
        try:
            enabled = self._call("GetAccountSendingEnabled", bucket=_UNPACED)
            enabled.pop("ResponseMetadata", None)
        except AccessDenied:
            enabled = {}
        max_24h = float(quota.get("Max24HourSend", -1))
        return Account(
            production=max_24h < 0 or max_24h > SANDBOX_MAX_24H,
            sending_enabled=bool(enabled.get("Enabled", True)),
            enforcement_status=None,
            max_24h_send=max_24h,
            max_send_rate=float(quota.get("MaxSendRate", 1)),
            sent_last_24h=float(quota.get("SentLast24Hours", 0)),
            raw={**quota, **enabled},
        )

    def list_identities(self) -> list[Identity]:
        return self._either("ListEmailIdentities", self._identities_v2, self._identities_v1)

    def _identities_v2(self) -> list[Identity]:
        out: list[Identity] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"PageSize": 100}
            if token:
                params["NextToken"] = token
            page = self._call("ListEmailIdentities", bucket=_UNPACED, **params)
            for item in page.get("EmailIdentities", []) or []:
                out.append(Identity(item.get("IdentityName", ""), item.get("IdentityType", ""),
                                    bool(item.get("SendingEnabled", False)),
                                    item.get("VerificationStatus", "NOT_STARTED")))
            token = page.get("NextToken")
            if not token:
                return out

    def _identities_v1(self) -> list[Identity]:
        """ListIdentities (1,000 a page), then GetIdentityVerificationAttributes (100 at a time)."""
        names: list[str] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"MaxItems": 1000}
            if token:
                params["NextToken"] = token
            page = self._call("ListIdentities", bucket=_UNPACED, **params)
            names += [str(n) for n in page.get("Identities", []) or []]
            token = page.get("NextToken")
            if not token:
                break
        out: list[Identity] = []
        for start in range(0, len(names), 100):
            chunk = names[start:start + 100]
            attrs = self._call("GetIdentityVerificationAttributes", bucket=_UNPACED,
                               Identities=chunk).get("VerificationAttributes", {}) or {}
            for name in chunk:
                status = _upper_snake(str((attrs.get(name) or {}).get("VerificationStatus") or "NotStarted"))
                out.append(Identity(name, "EMAIL_ADDRESS" if "@" in name else "DOMAIN",
                                    status == "SUCCESS", status))
        return out

    def create_identity(self, identity: str) -> dict[str, Any]:
        """CreateEmailIdentity (2017: VerifyEmailIdentity / VerifyDomainIdentity) for an address or a
        domain: SES mails a link (an address) or waits for a DNS record (a domain)."""
        def v1() -> dict[str, Any]:
            if "@" in identity:
                reply = self._call("VerifyEmailIdentity", bucket=_UNPACED, EmailAddress=identity)
                kind = "EMAIL_ADDRESS"
            else:
                reply = self._call("VerifyDomainIdentity", bucket=_UNPACED, Domain=identity)
                kind = "DOMAIN"
            reply.pop("ResponseMetadata", None)
            return {"IdentityType": kind, "VerifiedForSendingStatus": False, **reply}

        def v2() -> dict[str, Any]:
            return self._call("CreateEmailIdentity", bucket=_UNPACED, EmailIdentity=identity)

        reply = self._either("CreateEmailIdentity", v2, v1)
        reply.pop("ResponseMetadata", None)
        return reply

    # ---------------------------------------------------------------- sending
    def send_batch_size(self) -> int:
        """Recipients per send call: half a second's worth of MaxSendRate (1..50).

        SES's limiter holds about one second's worth.  Sending a whole second's worth at once drains it,
        and then a call that reaches SES a little late (a cold first call, jitter) wastes refill time
        against the full bucket and leaves the next call short: entries come back ACCOUNT_THROTTLED.
        With half a second's worth per call (and as our burst) up to 0.5 s of jitter is absorbed at the
        same throughput.
        """
        if self.send_bucket is not None and self.send_bucket.rate == float("inf"):
            return 50
        return max(1, min(50, int(self.get_account().max_send_rate / 2)))

    def send_pacer(self) -> TokenBucket:
        """The send bucket, sized to GetAccount's MaxSendRate (recipients per second) on first use."""
        if self.send_bucket is None:
            rate = self.get_account().max_send_rate
            self.send_bucket = TokenBucket(rate * self.safety, float(self.send_batch_size()))
        return self.send_bucket

    def send_bulk(self, template: str, entries: Sequence[tuple[Sequence[str], Any]], *, sender: str,
                  default_data: Any = None, configuration_set: str | None = None) -> list[BulkResult]:
        """SendBulkEmail (2017: SendBulkTemplatedEmail) with at most 50 ``(to_addresses, replacement_data)``
        entries; paced per recipient.  Results carry sesv2's status names (``SUCCESS``,
        ``ACCOUNT_THROTTLED``...) whichever API sent them."""
        if not 1 <= len(entries) <= 50:
            raise BadRequest(f"SendBulkEmail takes 1 to 50 entries, not {len(entries)}.",
                             operation="SendBulkEmail", template=template)
        remote = self.remote_name(template)
        recipients = sum(len(to) for to, _ in entries)
        replacements = [(list(to), None if data is None else data if isinstance(data, str) else
                         template_data_json(data, ensure_ascii=True)) for to, data in entries]
        default = default_data if isinstance(default_data, str) else \
            template_data_json(default_data if default_data is not None else {}, ensure_ascii=True)

        def v2() -> list[BulkResult]:
            bulk: list[dict[str, Any]] = []
            for to, data in replacements:
                entry: dict[str, Any] = {"Destination": {"ToAddresses": to}}
                if data is not None:
                    entry["ReplacementEmailContent"] = {
                        "ReplacementTemplate": {"ReplacementTemplateData": data}}
                bulk.append(entry)
            params: dict[str, Any] = {
                "FromEmailAddress": sender,
                "DefaultContent": {"Template": {"TemplateName": remote, "TemplateData": default}},
                "BulkEmailEntries": bulk,
            }
            if configuration_set:
                params["ConfigurationSetName"] = configuration_set
            reply = self._call("SendBulkEmail", template=template, bucket=self.send_pacer(), cost=recipients,
                               **params)
            return [BulkResult(r.get("Status", "FAILED"), r.get("MessageId"), r.get("Error"))
                    for r in reply.get("BulkEmailEntryResults", []) or []]

        def v1() -> list[BulkResult]:
            destinations: list[dict[str, Any]] = []
            for to, data in replacements:
                dest: dict[str, Any] = {"Destination": {"ToAddresses": to}}
                if data is not None:
                    dest["ReplacementTemplateData"] = data
                destinations.append(dest)
            params: dict[str, Any] = {"Source": sender, "Template": remote, "DefaultTemplateData": default,
                                      "Destinations": destinations}
            if configuration_set:
                params["ConfigurationSetName"] = configuration_set
            reply = self._call("SendBulkTemplatedEmail", template=template, bucket=self.send_pacer(),
                               cost=recipients, **params)
            return [BulkResult(v1_bulk_status(r.get("Status")), r.get("MessageId"), r.get("Error"))
                    for r in reply.get("Status", []) or []]

        return self._either("SendBulkEmail", v2, v1)

    def send_email(self, *, sender: str, to: Sequence[str], template: str | None = None, data: Any = None,
                   raw: bytes | None = None, configuration_set: str | None = None) -> str:
        """SendEmail with a stored template (``template`` + ``data``) or raw MIME (2017: SendTemplatedEmail,
        SendRawEmail); returns the MessageId."""
        if (template is None) == (raw is None):
            raise BadRequest("send_email needs exactly one of template= or raw=.", operation="SendEmail")
        extra: dict[str, Any] = {"ConfigurationSetName": configuration_set} if configuration_set else {}
        cost = max(1, len(to))
        remote = self.remote_name(template) if template is not None else None

        def v2() -> dict[str, Any]:
            params: dict[str, Any] = {"FromEmailAddress": sender, "Destination": {"ToAddresses": list(to)}}
            if raw is not None:
                params["Content"] = {"Raw": {"Data": raw}}
            else:
                params["Content"] = {"Template": {"TemplateName": remote, "TemplateData": _json(data)}}
            return self._call("SendEmail", template=template, bucket=self.send_pacer(), cost=cost,
                              **params, **extra)

        def v1() -> dict[str, Any]:
            if raw is not None:
                return self._call("SendRawEmail", bucket=self.send_pacer(), cost=cost, Source=sender,
                                  Destinations=list(to), RawMessage={"Data": raw}, **extra)
            return self._call("SendTemplatedEmail", template=template, bucket=self.send_pacer(), cost=cost,
                              Source=sender, Destination={"ToAddresses": list(to)}, Template=remote,
                              TemplateData=_json(data), **extra)

        reply = self._either("SendEmail", v2, v1)
        return str(reply.get("MessageId", ""))

    # ---------------------------------------------------------------- custom verification email templates
    # (sesv2 operation names; a 2017-API adapter maps them to the `ses` service's names of the same
    # operations)
    def _cv_call(self, operation: str, *, template: str | None = None, bucket: TokenBucket | None = None,
                 **params: Any) -> dict[str, Any]:
        """A custom verification operation through the API in use (both name it and its members alike;
        only the listing's page size differs: ``PageSize`` in sesv2, ``MaxResults`` in the 2017 API)."""
        v1_params = dict(params)
        if "PageSize" in v1_params:
            v1_params["MaxResults"] = v1_params.pop("PageSize")
        return self._either(
            operation,
            lambda: self._call(operation, template=template, bucket=bucket, **params),
            lambda: self._call(operation, template=template, bucket=bucket, via_v1=True, **v1_params))

    def list_verification_templates(self) -> list[RemoteTemplate]:
        """Every custom verification template of this environment (prefix stripped), sorted."""
        out: list[RemoteTemplate] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"PageSize": 50}
            if token:
                params["NextToken"] = token
            page = self._cv_call("ListCustomVerificationEmailTemplates", **params)
            for item in page.get("CustomVerificationEmailTemplates", []) or []:
                remote = item.get("TemplateName", "")
                local = self.local_name(remote)
                if local is not None:
                    out.append(RemoteTemplate(local, remote))
            token = page.get("NextToken")
            if not token:
                break
        out.sort(key=lambda t: t.name)
        return out

    def get_verification_template(self, name: str) -> VerificationContent | None:
        """The stored custom verification template ``name``, or None when SES has none of that name."""
        from ses_workbench.project.verification import VerificationContent

        try:
            reply = self._cv_call("GetCustomVerificationEmailTemplate", template=name,
                                  TemplateName=self.remote_name(name))
        except NotFound:  # sesv2's NotFoundException, the 2017 API's ...DoesNotExist
            return None
        return VerificationContent.from_v2(reply)

    def upsert_verification_template(self, name: str, content: VerificationContent, *, exists: bool) -> str:
        """Create (``exists`` False) or update a custom verification template; never falls back."""
        op = "UpdateCustomVerificationEmailTemplate" if exists else "CreateCustomVerificationEmailTemplate"
        params: dict[str, Any] = {"TemplateName": self.remote_name(name), **content.to_v2()}
        self._cv_call(op, template=name, **params)
        return "updated" if exists else "created"

    def delete_verification_template(self, name: str, *, missing_ok: bool = False) -> bool:
        try:
            self._cv_call("DeleteCustomVerificationEmailTemplate", template=name,
                          TemplateName=self.remote_name(name))
            return True
        except NotFound:
            if missing_ok:
                return False
            raise

    def send_verification_email(self, name: str, address: str) -> str:
        """SendCustomVerificationEmail: SES mails ``address`` the template with a verification link."""
        reply = self._cv_call("SendCustomVerificationEmail", template=name, bucket=self.send_pacer(),
                              EmailAddress=address, TemplateName=self.remote_name(name))
        return str(reply.get("MessageId", ""))
    # ---------------------------------------------------------------- end of custom verification


_UNPACED = TokenBucket(0)  # account/identity calls are not rate-limited like template operations


def _json(data: Any) -> str:
    """TemplateData: JSON text as given, else the data as SES's parser takes it (no NaN: FixtureError)."""
    return data if isinstance(data, str) else template_data_json(data if data is not None else {})


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def _upper_snake(value: str) -> str:
    """``TemporaryFailure`` → ``TEMPORARY_FAILURE``: the 2017 API's CamelCase values as sesv2 spells them."""
    return _snake(value).upper()


def v1_bulk_status(status: Any) -> str:
    """A 2017 BulkEmailStatus (``Success``, ``AccountThrottled``...) as sesv2's (``SUCCESS``...).

    Public so a test can hold the mapping to both botocore models (every 2017 value has its sesv2 one)."""
    value = str(status or "Failed")
    return _V1_BULK_STATUS.get(value) or _upper_snake(value)


def _is_quota_message(exc: Any) -> bool:
    msg = str(exc.response.get("Error", {}).get("Message", ""))
    return bool(re.search(r"daily message quota|24.hour|sending quota", msg, re.I))
