"""The connection half of the SES client: :class:`SesTransport` makes the boto3 ``sesv2`` client (and, on
first use, the 2017 API's ``ses`` client) for one environment, with timeouts sized to SES, botocore's
standard retries and our own 429 backoff, pacing through the token buckets shared per endpoint, the
``auto`` fallback to the 2017 API (:meth:`SesTransport._either`), the environment's name prefix, and the
translation of every exception into a :class:`~ses_workbench.ses.errors.SesError`.  The operation
groups (templates, account, sending, custom verification) build on it; this is the only module of the
package that creates a boto3 client.
"""

from __future__ import annotations

import os
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, TypeVar

from ses_workbench.project.errors import ConfigError
from ses_workbench.ses.client.model import APIS, TEMPLATE_NAME_RE, V1_OPERATIONS, Account, api_label
from ses_workbench.ses.errors import AccessDenied, BadRequest, SesError, translate
from ses_workbench.ses.pacing import TokenBucket

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import Environment, Project

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
_V1_NAMES = frozenset(V1_OPERATIONS.values()) | {
    "GetAccountSendingEnabled", "GetIdentityVerificationAttributes", "VerifyDomainIdentity", "SendRawEmail"}
# Access-denied codes that mean "this action is not allowed" (not "these credentials are wrong"): only
# they make ``auto`` try the 2017 API.
_ACTION_DENIED = {"AccessDeniedException", "AccessDenied"}


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


class SesTransport:
    """One environment's boto3 clients and the plumbing every SES call goes through (:meth:`_call`);
    :class:`~ses_workbench.ses.client.SesClient` documents the constructor's arguments."""

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


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def _is_quota_message(exc: Any) -> bool:
    msg = str(exc.response.get("Error", {}).get("Message", ""))
    return bool(re.search(r"daily message quota|24.hour|sending quota", msg, re.I))
