"""The account and identity operations of the local SES endpoint.

``GetAccount`` (the sandbox, sending and quota settings, and the recipients counted in the last 24
hours), ``CreateEmailIdentity``, ``GetEmailIdentity``, ``DeleteEmailIdentity`` and
``ListEmailIdentities``, mixed into :class:`~ses_workbench.ses.local.service.LocalSesService`; plus what
SES does outside its API: the identities named in the settings are verified when the endpoint starts
(:meth:`IdentitiesMixin.prepare`), and :meth:`IdentitiesMixin.verify_identity` is the mailbox owner's
click (the route behind ``ses-workbench local-ses verify``).  A new identity is PENDING until then, as
at SES.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ses_workbench.ses.local.rules import AddressError, bare_address, identity_key, identity_type
from ses_workbench.ses.local.service.base import ApiError, ServiceBase, _now, bad_request, not_found

__all__ = ["IdentitiesMixin"]

_UNLIMITED_RATE_REPORTED = 1_000_000.0


class IdentitiesMixin(ServiceBase):
    """The account and identity operations, and the identities the settings verify."""

    def prepare(self) -> None:
        """Called when the endpoint starts: identities listed in the settings are verified from the start
        (re-added if they were deleted through the API in an earlier run)."""
        with self._lock:
            self._add_config_identities()

    def _add_config_identities(self) -> None:
        added = []
        for identity in self.settings.verified_identities:
            key = identity_key(identity.strip())
            rec = self.store.identities.get(key)
            if rec is None:
                added.append(self._identity_record(identity.strip(), source="config", status="SUCCESS"))
            elif rec["status"] != "SUCCESS":
                added.append({**rec, "status": "SUCCESS"})
        if added:
            self.store.put_identities(*added)

    @staticmethod
    def _identity_record(identity: str, source: str, status: str) -> dict[str, Any]:
        return {"key": identity_key(identity), "name": identity, "type": identity_type(identity),
                "status": status, "created": _now(), "source": source}

    def verify_identity(self, identity: str) -> dict[str, Any]:
        """Mark a PENDING identity verified — what the mailbox owner's click (or the domain's DNS
        records) does at SES.  NotFoundException if it was never created; returns the record."""
        with self._lock:
            rec = self._get_identity(identity)
            if rec["status"] != "SUCCESS":
                rec = {**rec, "status": "SUCCESS", "verified": _now()}
                self.store.put_identities(rec)
            return dict(rec)

    # -- account and identities ------------------------------------------------------------------
    def op_get_account(self, params: dict[str, Any]) -> dict[str, Any]:
        s = self.settings
        with self._lock:
            sent = self.store.sent_last_24h()
        return {
            "DedicatedIpAutoWarmupEnabled": False,
            "EnforcementStatus": "HEALTHY",
            "ProductionAccessEnabled": not s.sandbox,
            "SendingEnabled": bool(s.sending_enabled),
            "SendQuota": {
                "Max24HourSend": float(s.max_24h_send) if s.quota_limited else -1.0,
                "MaxSendRate": float(s.max_send_rate) if s.send_rate_limited and s.max_send_rate
                else _UNLIMITED_RATE_REPORTED,
                "SentLast24Hours": float(sent),
            },
            "SuppressionAttributes": {"SuppressedReasons": []},
        }

    def _identity_out(self, rec: dict[str, Any]) -> dict[str, Any]:
        is_domain = rec["type"] == "DOMAIN"
        dkim: dict[str, Any] = {"SigningEnabled": is_domain,
                                "Status": ("SUCCESS" if rec["status"] == "SUCCESS" else "PENDING")
                                if is_domain else "NOT_STARTED",
                                "SigningAttributesOrigin": "AWS_SES"}
        if is_domain:
            dkim["Tokens"] = [hashlib.sha1(f"{rec['key']}{i}".encode()).hexdigest()[:32] for i in range(3)]
        return dkim

    def op_list_email_identities(self, params: dict[str, Any]) -> dict[str, Any]:
        filters = params.get("Filter") or {}
        if not isinstance(filters, dict):
            raise bad_request("Filter must be a map of IDENTITY_NAME_CONTAINS / IDENTITY_TYPE / "
                              "VERIFICATION_STATUS to a value.")
        unknown = set(filters) - {"IDENTITY_NAME_CONTAINS", "IDENTITY_TYPE", "VERIFICATION_STATUS"}
        if unknown:
            what = "key" if len(unknown) == 1 else "keys"
            raise bad_request(f"Unknown identity filter {what}: {', '.join(sorted(unknown))}.")

        def wanted(rec: dict[str, Any]) -> bool:
            contains = filters.get("IDENTITY_NAME_CONTAINS")
            return ((contains is None or str(contains).lower() in rec["name"].lower())
                    and filters.get("IDENTITY_TYPE", rec["type"]) == rec["type"]
                    and filters.get("VERIFICATION_STATUS", rec["status"]) == rec["status"])

        with self._lock:
            keys = sorted(k for k, rec in self.store.identities.items() if wanted(rec))
            page, token = self._page(keys, params, default=100, low=0, high=1000)
            recs = [self.store.identities[k] for k in page]
            out: dict[str, Any] = {"EmailIdentities": [
                {"IdentityType": r["type"], "IdentityName": r["name"], "SendingEnabled": True,
                 "VerificationStatus": r["status"]}
                for r in recs
            ]}
        if token:
            out["NextToken"] = token
        return out

    def _get_identity(self, identity: Any) -> dict[str, Any]:
        rec = self.store.identities.get(identity_key(identity or ""))
        if rec is None:
            raise not_found(f"Email identity {identity} does not exist.")
        return rec

    def op_get_email_identity(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            rec = self._get_identity(params.get("EmailIdentity"))
            return {
                "IdentityType": rec["type"], "FeedbackForwardingStatus": True,
                "VerifiedForSendingStatus": rec["status"] == "SUCCESS",
                "VerificationStatus": rec["status"], "DkimAttributes": self._identity_out(rec),
                "Policies": {}, "Tags": [],
            }

    def op_create_email_identity(self, params: dict[str, Any]) -> dict[str, Any]:
        identity = self._str_field(params, "EmailIdentity")
        assert identity is not None
        identity = identity.strip()
        try:
            if "@" in identity:
                if bare_address(identity) != identity:
                    raise AddressError(f"Invalid email address {identity!r}: give the bare address.")
            else:
                bare_address(f"postmaster@{identity}")
        except AddressError as exc:
            raise bad_request(f"Invalid identity {identity!r}: {exc}") from None
        with self._lock:
            key = identity_key(identity)
            if key in self.store.identities:
                raise ApiError("AlreadyExistsException", f"Email identity {identity} already exists.")
            # PENDING, as at SES, until someone "clicks": `ses-workbench local-ses verify IDENTITY`.
            rec = self._identity_record(identity, source="api", status="PENDING")
            self.store.put_identities(rec)
            return {"IdentityType": rec["type"], "VerifiedForSendingStatus": False,
                    "DkimAttributes": self._identity_out(rec)}

    def op_verify_email_identity(self, params: dict[str, Any]) -> dict[str, Any]:
        """Not an SES operation: the route behind ``ses-workbench local-ses verify``."""
        rec = self.verify_identity(params.get("EmailIdentity") or "")
        return {"IdentityName": rec["name"], "VerificationStatus": rec["status"]}

    def op_delete_email_identity(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            rec = self._get_identity(params.get("EmailIdentity"))
            self.store.delete_identity(rec["key"])
        return {}
