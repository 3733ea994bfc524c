"""The values :class:`~ses_workbench.ses.client.SesClient` speaks in: the SES template name rule and the
workbench's scratch prefix, the API generations and each sesv2 operation's 2017-API name, and the records
the operations return (:class:`RemoteTemplate`, :class:`Account`, :class:`Identity`, :class:`BulkResult`).
Plain data, no boto3: every other module of the client imports it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ses_workbench.project.config import API_GENERATIONS

TEMPLATE_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
# Reserved name prefix of the workbench's temporary templates (remote render of unpushed edits,
# calibration probes).  Listings hide them; they are always deleted after use.
SCRATCH_PREFIX = "sesworkbench-scratch-"
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
