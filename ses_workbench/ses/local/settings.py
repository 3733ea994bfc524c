"""The simulated SES account of the local endpoint: sandbox mode, rates, quota, pre-verified identities.

Defaults are a fresh SES sandbox account (1 recipient/s, 200 recipients per 24 h, 1 template operation
per second), so code that paces and retries for real SES is exercised locally.  Tests and benchmarks set
faster limits.  :meth:`LocalSesSettings.from_config` accepts the project's ``LocalSesConfig`` or any object
with the same attributes.

Failures a real account can produce but a local one normally would not, so the workbench's translation of
them is exercised over HTTP like everything else:

- ``sending_enabled=False`` (``local-ses --sending-paused``): GetAccount reports ``SendingEnabled: false``
  and SendEmail/SendBulkEmail answer ``SendingPausedException`` (400), as for a paused SES account;
- requests signed with the access key id :data:`EXPIRED_TOKEN_KEY_ID` answer ``ExpiredTokenException``
  (403), with :data:`ACCESS_DENIED_KEY_ID` ``AccessDeniedException`` (403), with
  :data:`INTERNAL_ERROR_KEY_ID` ``InternalFailure`` (500, an SES outage), whatever the secret; any other
  request must be signed with the endpoint's per-run credentials (see :mod:`~ses_workbench.ses.local.auth`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

__all__ = ["LocalSesSettings", "SANDBOX_MAX_24H_SEND", "SANDBOX_MAX_SEND_RATE", "EXPIRED_TOKEN_KEY_ID",
           "ACCESS_DENIED_KEY_ID", "INTERNAL_ERROR_KEY_ID"]

SANDBOX_MAX_24H_SEND = 200
SANDBOX_MAX_SEND_RATE = 1.0
# Access key ids the endpoint answers with an authorisation failure (whatever the signature).
EXPIRED_TOKEN_KEY_ID = "LOCALSES_EXPIRED_TOKEN"
ACCESS_DENIED_KEY_ID = "LOCALSES_ACCESS_DENIED"
INTERNAL_ERROR_KEY_ID = "LOCALSES_INTERNAL_ERROR"


@dataclass(frozen=True)
class LocalSesSettings:
    """How the local endpoint behaves; every SES rule that varies per account is a field here.

    ``max_send_rate`` and ``template_ops_per_second`` of ``None`` or ``<= 0`` mean unlimited;
    ``max_24h_send`` of ``-1`` means unlimited (as SES reports it in ``GetAccount``).
    """

    sandbox: bool = True
    sending_enabled: bool = True                              # False: sends fail with SendingPausedException
    max_send_rate: float | None = SANDBOX_MAX_SEND_RATE      # recipients per second (MaxSendRate)
    # A short burst may send this many seconds' worth of MaxSendRate at once (SES allows "short bursts"
    # without saying how long); sustained sending stays at MaxSendRate.
    send_burst_seconds: float = 3.0
    max_24h_send: float = SANDBOX_MAX_24H_SEND                # recipients per rolling 24 h; -1 = unlimited
    template_ops_per_second: float | None = 1.0               # shared by all template operations
    verified_identities: tuple[str, ...] = ()                 # addresses/domains verified from the start
    region: str = "us-east-1"                                 # used in ARNs and error messages
    account_id: str = "123456789012"
    max_templates: int = 20_000                               # per region, as SES
    max_template_bytes: int = 500 * 1024                      # text + HTML, UTF-8 bytes
    max_template_data_chars: int = 262_144                    # TemplateData / ReplacementTemplateData
    max_bulk_entries: int = 50                                # BulkEmailEntries per SendBulkEmail
    max_recipients: int = 50                                  # To + Cc + Bcc of one message
    max_raw_message_bytes: int = 10 * 1024 * 1024             # Content.Raw.Data
    # The engine dialect the endpoint renders with (None: the defaults, what SES is believed to do).  Another
    # dialect stands in for an account whose SES answers differently, to exercise calibration and parity.
    dialect: Any = None
    # The simulated IAM policy: the actions allowed (``ses:CreateTemplate``, ``ses:Send*``, ``ses:*``), for
    # both APIs (a v2 operation's action is ``ses:<OperationName>``); None allows every action.
    iam_allow: tuple[str, ...] | None = None

    @classmethod
    def from_config(cls, config: Any | None = None, **overrides: Any) -> LocalSesSettings:
        """Settings from the project's ``Config.local_ses`` (or anything with the same attributes).

        ``None`` gives the defaults; attributes the object lacks keep their defaults; keyword
        ``overrides`` win over both.
        """
        if isinstance(config, cls) and not overrides:
            return config
        values: dict[str, Any] = {}
        if config is not None:
            for f in fields(cls):
                if hasattr(config, f.name):
                    values[f.name] = getattr(config, f.name)
        values.update(overrides)
        if "verified_identities" in values:
            ids = values["verified_identities"]
            values["verified_identities"] = (ids,) if isinstance(ids, str) else tuple(ids or ())
        if values.get("iam_allow") is not None:
            allow = values["iam_allow"]
            values["iam_allow"] = (allow,) if isinstance(allow, str) else tuple(allow)
        return cls(**values)

    @property
    def send_rate_limited(self) -> bool:
        return self.max_send_rate is not None and self.max_send_rate > 0

    @property
    def template_ops_limited(self) -> bool:
        return self.template_ops_per_second is not None and self.template_ops_per_second > 0

    @property
    def quota_limited(self) -> bool:
        return self.max_24h_send >= 0
