"""Custom verification email templates at the local endpoint, and the verification-link flow.

The sesv2 operations ``Create/Get/Update/Delete/ListCustomVerificationEmailTemplate(s)`` and
``SendCustomVerificationEmail``, mixed into :class:`~ses_workbench.ses.local.service.LocalSesService`.
A send creates the address as a PENDING identity (as SES does) and delivers the email to the outbox
with a one-time link to this endpoint (``/_local-ses/verify-link/<token>``); opening that link
verifies the identity and redirects to the template's ``SuccessRedirectionURL`` — an unknown or used
token redirects to its ``FailureRedirectionURL`` (the one unsigned route: the token is the secret).

Kept in the endpoint's ``store.db`` (tables ``cv_templates`` and ``cv_tokens``, see
:mod:`~ses_workbench.ses.local.store`): each change one transaction, committed before the answer, so an
acknowledged change is on disk and a failed write changes nothing.  A send's new PENDING identity and its
link are one transaction, and so are a used link and the identity it verified; like every send, its
message's outbox index row and its events are on disk before the answer (:meth:`Store.flush`).
"""

from __future__ import annotations

import email.utils
import secrets
import time
import uuid
from typing import Any

from ses_workbench.project.verification import MAX_VERIFICATION_BYTES, MAX_VERIFICATION_TEMPLATES
from ses_workbench.project.verification_html import html_problems
from ses_workbench.ses.local.rules import TEMPLATE_NAME_RE, AddressError, bare_address, identity_key

__all__ = ["CustomVerificationMixin", "VERIFY_LINK_PATH"]

VERIFY_LINK_PATH = "/_local-ses/verify-link/"
_FIELDS = ("FromEmailAddress", "TemplateSubject", "TemplateContent", "SuccessRedirectionURL",
           "FailureRedirectionURL")


def _api_error(code: str, message: str, status: int = 400) -> Exception:
    from ses_workbench.ses.local.service import ApiError

    return ApiError(code, message, status)


class CustomVerificationMixin:
    """The custom verification operations; the host class provides ``store``, ``settings``, ``_lock``,
    ``_throttle_template_op``, ``_page``, ``flush``, ``_require_sending_enabled``, ``_not_verified``,
    ``_verified_keys``, ``_identity_record`` and ``_sandbox_rejects``."""

    #: the URL the link in a verification email points at (set by the server when it starts)
    public_url: str = "http://127.0.0.1"

    @property
    def _host(self) -> Any:
        """The service this is mixed into (its store, settings, lock and helpers)."""
        return self

    def _cv_name(self, params: dict[str, Any]) -> str:
        name = params.get("TemplateName")
        if not isinstance(name, str) or not name:
            raise _api_error("BadRequestException", "Missing required parameter TemplateName.")
        if not TEMPLATE_NAME_RE.match(name):
            raise _api_error("BadRequestException",
                             f"Template name {name!r} is invalid: use 1 to 64 letters, "
                             "digits, '_' or '-'.")
        return name

    def _cv_fields(self, params: dict[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        for key in _FIELDS:
            value = params.get(key)
            if not isinstance(value, str) or not value.strip():
                raise _api_error("BadRequestException", f"Missing required parameter {key}.")
            out[key] = value
        size = len(out["TemplateContent"].encode("utf-8"))
        if size >= MAX_VERIFICATION_BYTES:
            raise _api_error("BadRequestException",
                             f"TemplateContent is {size} bytes; the email must be less "
                             f"than {MAX_VERIFICATION_BYTES} bytes (10 MB).")
        problems = html_problems(out["TemplateContent"])
        if problems:  # the 2017 API answers CustomVerificationEmailInvalidContent (query.py)
            first = problems[0]
            more = f" ({len(problems) - 1} more)" if len(problems) > 1 else ""
            raise _api_error("BadRequestException", f"TemplateContent line {first.line}, column "
                             f"{first.column}: {first.message}{more}.")
        try:
            sender = bare_address(out["FromEmailAddress"])
        except AddressError as exc:
            raise _api_error("BadRequestException", f"Invalid FromEmailAddress: {exc}") from None
        if not self._cv_sender_verified(sender):
            # sesv2 names no FromEmailAddressNotVerified error; the 2017 API's is that, v2 answers 404
            raise _api_error("NotFoundException", f"Email address {sender} is not verified in region "
                             f"{self._host.settings.region.upper()}: the FromEmailAddress must be a verified "
                             "identity.", 404)
        return out

    def _cv_sender_verified(self, sender: str) -> bool:
        from ses_workbench.ses.local.rules import is_verified

        verified: set[str] = self._host._verified_keys()
        return bool(is_verified(sender, verified))

    def _cv_template(self, name: str) -> dict[str, Any]:
        rec: dict[str, Any] | None = self._host.store.cv_templates.get(name)
        if rec is None:
            raise _api_error("NotFoundException", f"Custom verification email template {name} does not "
                             "exist.", 404)
        return rec

    # -- templates --------------------------------------------------------------------------------
    def op_create_custom_verification_email_template(self, params: dict[str, Any]) -> dict[str, Any]:
        self._host._throttle_template_op()
        name = self._cv_name(params)
        with self._host._lock:
            fields = self._cv_fields(params)
            stored = self._host.store.cv_templates
            if name in stored:
                raise _api_error("AlreadyExistsException",
                                 f"Custom verification email template {name} already exists.")
            if len(stored) >= MAX_VERIFICATION_TEMPLATES:
                raise _api_error("LimitExceededException", "Maximum number of custom verification email "
                                 f"templates ({MAX_VERIFICATION_TEMPLATES}) reached.")
            rec = {"TemplateName": name, **fields, "Tags": params.get("Tags") or [], "created": time.time()}
            self._host.store.put_custom_verification(template=rec)
        return {}

    def op_update_custom_verification_email_template(self, params: dict[str, Any]) -> dict[str, Any]:
        self._host._throttle_template_op()
        name = self._cv_name(params)
        with self._host._lock:
            rec = self._cv_template(name)
            fields = self._cv_fields(params)
            self._host.store.put_custom_verification(template={**rec, **fields})
        return {}

    def op_get_custom_verification_email_template(self, params: dict[str, Any]) -> dict[str, Any]:
        self._host._throttle_template_op()
        with self._host._lock:
            rec = self._cv_template(self._cv_name(params))
            out = {"TemplateName": rec["TemplateName"], **{k: rec[k] for k in _FIELDS}}
            if rec.get("Tags"):
                out["Tags"] = list(rec["Tags"])
            return out

    def op_delete_custom_verification_email_template(self, params: dict[str, Any]) -> dict[str, Any]:
        self._host._throttle_template_op()
        with self._host._lock:
            name = self._cv_name(params)
            self._cv_template(name)
            self._host.store.delete_custom_verification_template(name)
        return {}

    def op_list_custom_verification_email_templates(self, params: dict[str, Any]) -> dict[str, Any]:
        self._host._throttle_template_op()
        with self._host._lock:
            records = {rec["TemplateName"]: rec for rec in self._host.store.cv_templates.records()}
            page, token = self._host._page(sorted(records), params, default=50, low=1, high=50)
            out: dict[str, Any] = {"CustomVerificationEmailTemplates": [
                {"TemplateName": n, **{k: records[n][k] for k in _FIELDS if k != "TemplateContent"}}
                for n in page]}
        if token:
            out["NextToken"] = token
        return out

    # -- the send and the link ------------------------------------------------------------------------
    def op_send_custom_verification_email(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._send_custom_verification_email(params)
        finally:  # the outbox index row and the event lines on disk before the answer, as for any send
            self._host.flush()

    def _send_custom_verification_email(self, params: dict[str, Any]) -> dict[str, Any]:
        self._host._require_sending_enabled()
        address = params.get("EmailAddress")
        if not isinstance(address, str) or not address.strip():
            raise _api_error("BadRequestException", "Missing required parameter EmailAddress.")
        try:
            bare = bare_address(address.strip())
        except AddressError as exc:
            raise _api_error("BadRequestException", f"Invalid EmailAddress: {exc}") from None
        name = self._cv_name(params)
        with self._host._lock:
            rec = self._cv_template(name)
            if not self._cv_sender_verified(bare_address(rec["FromEmailAddress"])):
                raise self._host._not_verified([rec["FromEmailAddress"]])
            key = identity_key(bare)
            new: tuple[dict[str, Any], ...] = ()
            if key not in self._host.store.identities:  # SES adds the address as pending verification
                new = (self._host._identity_record(bare, source="custom-verification", status="PENDING"),)
            token = secrets.token_urlsafe(24)
            self._host.store.put_custom_verification(
                token=(token, {"identity": bare, "template": name, "success": rec["SuccessRedirectionURL"],
                               "failure": rec["FailureRedirectionURL"], "created": time.time()}),
                identities=new)
        ts = time.time()
        message_id = f"{int(ts * 1000):013x}-{uuid.uuid4()}-000000"
        link = self.public_url.rstrip("/") + VERIFY_LINK_PATH + token
        mime = _verification_mime(rec, bare, link, message_id, ts)
        path = self._host.store.write_eml(message_id, mime, ts)
        mail = {"timestamp": email.utils.formatdate(ts, usegmt=True), "messageId": message_id,
                "source": rec["FromEmailAddress"], "sendingAccountId": self._host.settings.account_id,
                "destination": [bare], "tags": {}, "customVerificationTemplate": name}
        with self._host._lock:
            self._host.store.append_event({"eventType": "Send", "mail": mail, "send": {}})
            self._host.store.append_event({"eventType": "Delivery", "mail": mail, "delivery": {
                "recipients": [bare], "smtpResponse": "250 Ok (local outbox)", "outboxPath": str(path)}})
        return {"MessageId": message_id}

    def open_verification_link(self, token: str) -> str:
        """What opening a verification link does: verify its identity and return the success URL; an
        unknown or used token returns the failure URL of its template (any template's when unknown)."""
        store = self._host.store
        with self._host._lock:
            entry = store.cv_tokens.get(token)
            if entry is None:
                first = next(iter(store.cv_templates), None)
                return str(store.cv_templates[first]["FailureRedirectionURL"]) if first is not None else ""
            if entry.get("used"):
                return str(entry["failure"])
            used = (token, {**entry, "used": time.time()})
            rec = store.identities.get(identity_key(entry["identity"]))
            if rec is None:  # deleted since the send: the link no longer verifies anything
                store.put_custom_verification(token=used)
                return str(entry["failure"])
            verified = () if rec.get("status") == "SUCCESS" else \
                ({**rec, "status": "SUCCESS", "verified": time.time()},)
            store.put_custom_verification(token=used, identities=verified)
            return str(entry["success"])


def _verification_mime(rec: dict[str, Any], to: str, link: str, message_id: str, ts: float) -> bytes:
    from email.message import EmailMessage

    from ses_workbench.project.verification import with_verification_link

    msg = EmailMessage()
    msg["Date"] = email.utils.formatdate(ts, usegmt=True)
    msg["From"] = rec["FromEmailAddress"]
    msg["To"] = to
    msg["Subject"] = rec["TemplateSubject"]
    msg["Message-ID"] = f"<{message_id}@email.amazonses.com>"
    msg.set_content(with_verification_link(rec["TemplateContent"], link), subtype="html")
    return msg.as_bytes()
