"""Account and identity operations of the SES client: GetAccount (2017: GetSendQuota and
GetAccountSendingEnabled) reduced to an :class:`~ses_workbench.ses.client.model.Account` and cached,
ListEmailIdentities (2017: ListIdentities and GetIdentityVerificationAttributes) and CreateEmailIdentity
(2017: VerifyEmailIdentity / VerifyDomainIdentity).  These calls are not paced like template operations.
"""

from __future__ import annotations

from typing import Any

from ses_workbench.ses.client.model import Account, Identity
from ses_workbench.ses.client.transport import SesTransport, _snake
from ses_workbench.ses.errors import AccessDenied
from ses_workbench.ses.pacing import TokenBucket

# A sandbox account's 24-hour quota: the 2017 API has no "production access" flag (see Account).
SANDBOX_MAX_24H = 200.0


class AccountOperations(SesTransport):
    """The account and identity operations of :class:`~ses_workbench.ses.client.SesClient`."""

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


_UNPACED = TokenBucket(0)  # account/identity calls are not rate-limited like template operations


def _upper_snake(value: str) -> str:
    """``TemporaryFailure`` → ``TEMPORARY_FAILURE``: the 2017 API's CamelCase values as sesv2 spells them."""
    return _snake(value).upper()
