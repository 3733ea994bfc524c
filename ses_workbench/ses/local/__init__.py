"""The embedded local SES endpoint: SES's template, sending, account and identity API on 127.0.0.1.

boto3 (or the AWS CLI) talks to it through ``endpoint_url`` exactly as to SES, so the workbench has one
client code path.  It serves v2 (``sesv2``, REST/JSON) and, on the same port and over the same store and
rules, the 2017 API (``ses``, the Query protocol: see :mod:`~ses_workbench.ses.local.query`).
It applies SES's rules — sandbox, rates, quota, 50 entries per bulk call, address
validation, rendering failures dropped silently — with limits taken from :class:`LocalSesSettings`.
Only requests signed with the credentials of the running endpoint are served (see
:mod:`~ses_workbench.ses.local.server` for the auth model and :func:`endpoint_credentials`).

    from ses_workbench.ses.local import LocalSes, LocalSesSettings, read_events
    with LocalSes(project.state_dir, project.config.local_ses) as ses:
        client = boto3.client("sesv2", **ses.boto3_kwargs())  # URL, region and this run's credentials
        ...
    failures = read_events(project.state_dir, "Rendering Failure")

State lives in ``<state_dir>/local-ses/`` (see :mod:`ses_workbench.ses.local.store`); each delivered
message (one per SendEmail call or bulk entry, with every To/Cc in its headers) is written to
``<state_dir>/local-ses/outbox/<UTC timestamp>-<MessageId>.eml``.
"""

from ses_workbench.ses.local.auth import EndpointCredentials
from ses_workbench.ses.local.rules import SIMULATOR_DOMAIN, AddressError, RateLimiter, merge_template_data
from ses_workbench.ses.local.server import LocalSes, endpoint_credentials
from ses_workbench.ses.local.service import ApiError, LocalSesService
from ses_workbench.ses.local.settings import LocalSesSettings
from ses_workbench.ses.local.store import (
    EVENT_TYPES,
    LocalSesBusyError,
    LocalSesStoreError,
    iter_events,
    read_events,
    running_endpoint,
    running_endpoint_info,
    store_dir,
)

__all__ = [
    "LocalSes", "LocalSesSettings", "LocalSesService", "ApiError", "AddressError", "RateLimiter",
    "LocalSesStoreError", "LocalSesBusyError", "EVENT_TYPES", "SIMULATOR_DOMAIN", "iter_events",
    "read_events", "running_endpoint", "running_endpoint_info", "store_dir", "merge_template_data",
    "EndpointCredentials", "endpoint_credentials",
]
