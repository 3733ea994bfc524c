"""The one path to SES: :class:`SesClient` wraps boto3's ``sesv2`` client — or the 2017 API's ``ses``
client — for one environment.

This is the only package that creates a boto3 client.  Everything above it (sync, send,
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
SES endpoint it starts); this package never starts one.

The parts: :mod:`~ses_workbench.ses.client.model` (names, API generations, the records returned),
:mod:`~ses_workbench.ses.client.transport` (boto3 clients, timeouts, pacing, retries, the 2017-API
fallback, error translation) and one module per group of operations built on it
(:mod:`~ses_workbench.ses.client.templates`, :mod:`~ses_workbench.ses.client.account`,
:mod:`~ses_workbench.ses.client.sending`, :mod:`~ses_workbench.ses.client.custom_verification`);
:class:`SesClient` is all of them together.
"""

from __future__ import annotations

from ses_workbench.ses.client.account import SANDBOX_MAX_24H
from ses_workbench.ses.client.custom_verification import CustomVerificationOperations
from ses_workbench.ses.client.model import (
    APIS,
    SCRATCH_PREFIX,
    TEMPLATE_NAME_RE,
    V1_OPERATIONS,
    Account,
    BulkResult,
    Identity,
    RemoteTemplate,
    api_label,
)
from ses_workbench.ses.client.sending import v1_bulk_status
from ses_workbench.ses.client.templates import TemplateOperations
from ses_workbench.ses.client.transport import (
    CONNECT_TIMEOUT,
    ENV_CONNECT_TIMEOUT,
    ENV_READ_TIMEOUT,
    LOCAL_CREDENTIALS,
    READ_TIMEOUT,
    RequestWatch,
    has_aws_credentials,
    timeouts,
)

__all__ = ["SesClient", "RemoteTemplate", "Account", "Identity", "BulkResult", "SCRATCH_PREFIX",
           "TEMPLATE_NAME_RE", "has_aws_credentials", "timeouts",
           "CONNECT_TIMEOUT", "READ_TIMEOUT", "ENV_CONNECT_TIMEOUT", "ENV_READ_TIMEOUT", "APIS",
           "V1_OPERATIONS", "api_label",
           "LOCAL_CREDENTIALS", "RequestWatch", "SANDBOX_MAX_24H", "v1_bulk_status"]


class SesClient(TemplateOperations, CustomVerificationOperations):
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
