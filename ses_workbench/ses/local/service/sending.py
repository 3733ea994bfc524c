"""The sending operations of the local SES endpoint: ``SendEmail`` and ``SendBulkEmail``.

Mixed into :class:`~ses_workbench.ses.local.service.LocalSesService`.  A send is checked in the order
SES checks it — sending paused, the request's shape, sender and recipients' addresses, the sender's
identity, the template and its data, the sandbox, then the send rate and the 24-hour quota — and is then
delivered: written to the outbox as a ``.eml`` with its Send/Delivery/Bounce/Complaint events, or, when
a template does not render with its data, dropped with a ``Rendering Failure`` event after a MessageId
was answered (as SES does).  A bulk entry's own problem becomes that entry's Status; a problem with the
whole call raises.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import email.utils
import hashlib
import json
import re
import uuid
from datetime import datetime, timezone
from typing import Any

from ses_workbench.mime import build_mime
from ses_workbench.ses.local.rules import (
    AddressError,
    bare_address,
    is_verified,
    merge_template_data,
    simulator_kind,
    unsupported_inline_tag,
)
from ses_workbench.ses.local.service.base import (
    CONTENT_FIELDS,
    ApiError,
    ServiceBase,
    _now,
    bad_request,
    not_found,
)

__all__ = ["SendingMixin", "UNSUBSCRIBE_KEY"]

_HEADER_NAME = re.compile(r"[!-9;-~]{1,126}")  # sesv2 MessageHeaderName
_HEADER_VALUE = re.compile(r"[ -~]{1,995}")    # sesv2 MessageHeaderValue
UNSUBSCRIBE_KEY = "amazonSESUnsubscribeUrl"

# (stored template name or None when inline, compiled-cache key, content, inline?)
_Resolved = tuple[str | None, tuple[str, str], dict[str, str], bool]


class _EntryError(Exception):
    """One bulk entry failed; becomes that entry's Status/Error."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message



def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _new_message_id(ts: float) -> str:
    # Shaped like SES's ids: hex millisecond timestamp, a UUID, a sequence suffix.
    return f"{int(ts * 1000):016x}-{uuid.uuid4()}-000000"



class SendingMixin(ServiceBase):
    """SendEmail and SendBulkEmail, and the checks and delivery they share."""

    def _resolve_template(self, template: Any) -> _Resolved:
        """(template name, cache key, content, inline?) for a ``Template`` structure.

        A stored template that does not exist raises NotFoundException; an inline template that uses
        anything beyond plain substitution raises BadRequestException, as SES does.
        """
        if not isinstance(template, dict):
            raise bad_request("Content.Template must be a structure.")
        name = template.get("TemplateName")
        arn = template.get("TemplateArn")
        inline = template.get("TemplateContent")
        if sum(x is not None for x in (name, arn, inline)) != 1:
            raise bad_request("Specify exactly one of TemplateName, TemplateArn or TemplateContent.")
        if inline is not None:
            content = self._check_content(inline)
            for part in CONTENT_FIELDS:
                if unsupported_inline_tag(content.get(part)) is not None:
                    raise bad_request("Template contains unsupported operations.")
            digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
            return None, ("\0inline", digest), content, True
        if arn is not None:
            if not isinstance(arn, str) or ":template/" not in arn:
                raise bad_request(f"TemplateArn {arn!r} is not a template ARN.")
            name = arn.rsplit(":template/", 1)[1]
        with self._lock:
            rec = self.store.templates.get(name or "")
            if rec is None:
                raise not_found(f"Template {name} does not exist.")
            return rec["name"], (rec["name"], rec["version"]), dict(rec["content"]), False

    @staticmethod
    def _headers(raw: Any) -> list[tuple[str, str]]:
        """Custom headers, checked as SES's model says: a name is 1-126 printable ASCII characters
        without ':' (so no CR/LF can smuggle in another header), a value up to 995 printable ASCII ones."""
        if not raw:
            return []
        if not isinstance(raw, list) or len(raw) > 15:
            raise bad_request("Headers must be a list of at most 15 {Name, Value} items.")
        out = []
        for item in raw:
            if not isinstance(item, dict) or not isinstance(item.get("Name"), str) \
                    or not isinstance(item.get("Value"), str):
                raise bad_request("Each header needs a Name and a Value.")
            name, value = item["Name"], item["Value"]
            if not _HEADER_NAME.fullmatch(name):
                raise bad_request(f"Header name {name!r} is invalid: use 1 to 126 printable ASCII characters "
                                  "other than ':'.")
            if not _HEADER_VALUE.fullmatch(value):
                raise bad_request(f"The value of header {name} is invalid: use at most 995 printable ASCII "
                                  "characters.")
            out.append((name, value))
        return out

    @staticmethod
    def _tags(*lists: Any) -> dict[str, list[str]]:
        tags: dict[str, list[str]] = {}
        for raw in lists:
            for item in raw or []:
                if isinstance(item, dict) and "Name" in item:
                    tags[str(item["Name"])] = [str(item.get("Value", ""))]
        return tags

    def _destination(self, dest: Any) -> dict[str, list[str]]:
        """To/Cc/Bcc lists, validated; AddressError/ValueError on a bad address or count."""
        if dest is None:
            dest = {}
        if not isinstance(dest, dict):
            raise ValueError("Destination must be a structure.")
        out: dict[str, list[str]] = {}
        for field in ("ToAddresses", "CcAddresses", "BccAddresses"):
            values = dest.get(field) or []
            if not isinstance(values, list):
                raise ValueError(f"Destination.{field} must be a list.")
            for value in values:
                bare_address(value)
            out[field] = list(values)
        count = sum(len(v) for v in out.values())
        if count == 0:
            raise ValueError("The message has no recipients: Destination is empty.")
        if count > self.settings.max_recipients:
            raise ValueError(f"Recipient count exceeds {self.settings.max_recipients}.")
        return out

    @staticmethod
    def _check_sender(sender: str | None, reply_to: Any) -> str:
        """The bare From address; BadRequestException for a missing or invalid From/Reply-To."""
        if not sender:
            raise bad_request("Missing required header 'From'.")
        if not isinstance(reply_to, list):
            raise bad_request("ReplyToAddresses must be a list.")
        try:
            bare = bare_address(sender)
            for addr in reply_to:
                bare_address(addr)
        except AddressError as exc:
            raise bad_request(str(exc)) from None
        return bare

    def _require_verified_sender(self, bare: str) -> None:
        with self._lock:
            if not is_verified(bare, self._verified_keys()):
                raise self._not_verified([bare])

    def _sandbox_rejects(self, recipients: list[str]) -> list[str]:
        if not self.settings.sandbox:
            return []
        bad = []
        with self._lock:
            verified = self._verified_keys()
            for value in recipients:
                addr = bare_address(value)
                if simulator_kind(addr) is None and not is_verified(addr, verified):
                    bad.append(addr)
        return bad

    def _admit(self, recipients: list[str]) -> None:
        """Rate limit and daily quota for one message; raises _EntryError; records the quota use."""
        if not self._send_limiter.try_acquire(len(recipients)):
            raise _EntryError("ACCOUNT_THROTTLED", "Maximum sending rate exceeded.")
        counted = sum(1 for r in recipients if simulator_kind(bare_address(r)) is None)
        with self._lock:
            if self.settings.quota_limited and counted and \
                    self.store.sent_last_24h() + counted > self.settings.max_24h_send:
                self._send_limiter.refund(len(recipients))
                raise _EntryError("ACCOUNT_DAILY_QUOTA_EXCEEDED", "Daily message quota exceeded.")
            if counted:
                self.store.record_sent(counted, save=False)

    def _render(self, key: tuple[str, str], content: dict[str, str], data: Any) -> dict[str, str]:
        compiled = self._compiled_for(key, content)
        return {part: tpl.render(data) for part, tpl in compiled.items()}

    def _deliver(self, *, message_id: str, ts: float, source: str, dest: dict[str, list[str]],
                 mime: bytes | None, tags: dict[str, list[str]], template: str | None = None,
                 failure: str | None = None) -> None:
        """Record the send and either deliver it (outbox + events) or record why it was dropped."""
        recipients = dest["ToAddresses"] + dest["CcAddresses"] + dest["BccAddresses"]
        mail: dict[str, Any] = {
            "timestamp": _iso(ts), "messageId": message_id, "source": source,
            "sendingAccountId": self.settings.account_id, "destination": recipients, "tags": tags,
        }
        if template is not None:
            mail["templateName"] = template
        when = _iso(_now())
        if failure is not None or mime is None:
            with self._lock:
                self.store.append_event({"eventType": "Send", "mail": mail, "send": {}})
                self.store.append_event({"eventType": "Rendering Failure", "mail": mail, "failure": {
                    "errorMessage": failure or "", "templateName": template or ""}})
            return
        delivered, bounced, complained = [], [], []
        for value in recipients:
            addr = bare_address(value)
            kind = simulator_kind(addr)
            if kind in ("bounce", "suppressionlist"):
                bounced.append(addr)
                continue
            delivered.append(addr)
            if kind == "complaint":
                complained.append(addr)
        # The .eml is written before the events that point at it, outside the lock (unique file name).
        path = self.store.write_eml(message_id, mime, ts) if delivered else None
        with self._lock:
            self.store.append_event({"eventType": "Send", "mail": mail, "send": {}})
            if delivered:
                self.store.append_event({"eventType": "Delivery", "mail": mail, "delivery": {
                    "timestamp": when, "recipients": delivered, "smtpResponse": "250 Ok (local outbox)",
                    "outboxPath": str(path)}})
            if bounced:
                self.store.append_event({"eventType": "Bounce", "mail": mail, "bounce": {
                    "bounceType": "Permanent",
                    "bounceSubType": "General",
                    "bouncedRecipients": [{"emailAddress": a} for a in bounced], "timestamp": when}})
            if complained:
                self.store.append_event({"eventType": "Complaint", "mail": mail, "complaint": {
                    "complainedRecipients": [{"emailAddress": a} for a in complained], "timestamp": when}})

    def _message_headers(self, *, message_id: str, ts: float, source: str, dest: dict[str, list[str]],
                         reply_to: list[str], extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
        headers = [("Date", email.utils.formatdate(ts, usegmt=True)), ("From", source)]
        if dest["ToAddresses"]:
            headers.append(("To", ", ".join(dest["ToAddresses"])))
        if dest["CcAddresses"]:
            headers.append(("Cc", ", ".join(dest["CcAddresses"])))
        if reply_to:
            headers.append(("Reply-To", ", ".join(reply_to)))
        headers.append(("Message-ID", f"<{message_id}@email.amazonses.com>"))
        names = {name.lower() for name, _ in extra}
        return [(n, v) for n, v in headers if n.lower() not in names] + extra

    def op_send_email(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._send_email(params)
        finally:
            self.flush()

    def _require_sending_enabled(self) -> None:
        if not self.settings.sending_enabled:
            raise ApiError("SendingPausedException",
                           "The message can't be sent because sending is paused for this account "
                           f"in region {self._region_label()}.")

    def _send_email(self, params: dict[str, Any]) -> dict[str, Any]:
        self._require_sending_enabled()
        content = params.get("Content")
        if not isinstance(content, dict):
            raise bad_request("Missing required parameter Content.")
        kinds = [k for k in ("Simple", "Raw", "Template") if content.get(k) is not None]
        if len(kinds) != 1:
            raise bad_request("Content must have exactly one of Simple, Raw or Template.")
        kind = kinds[0]
        reply_to = params.get("ReplyToAddresses") or []
        sender = params.get("FromEmailAddress")
        raw_bytes: bytes | None = None
        if kind == "Raw":
            raw_bytes = self._raw_data(content["Raw"])
            parsed = email.message_from_bytes(raw_bytes, policy=email.policy.compat32)
            sender = sender or parsed.get("From")
            dest_raw = params.get("Destination")
            if not dest_raw:
                dest_raw = {field: [a for _, a in email.utils.getaddresses(parsed.get_all(header, []))]
                            for field, header in (("ToAddresses", "To"), ("CcAddresses", "Cc"),
                                                  ("BccAddresses", "Bcc"))}
        else:
            dest_raw = params.get("Destination")
        source = self._check_sender(sender, reply_to)
        try:
            dest = self._destination(dest_raw)
        except ValueError as exc:
            raise bad_request(str(exc)) from None
        self._require_verified_sender(source)

        template_name: str | None = None
        key: tuple[str, str] | None = None
        tpl_content: dict[str, str] = {}
        data: Any = None
        extra_headers: list[tuple[str, str]] = []
        if kind == "Template":
            tpl = content["Template"]
            template_name, key, tpl_content, inline = self._resolve_template(tpl)
            try:
                data = self._parse_data(tpl.get("TemplateData"))
            except ValueError as exc:
                raise bad_request(str(exc)) from None
            if tpl.get("Attachments"):
                raise bad_request("Attachments are not supported by the local SES endpoint.")
            extra_headers = self._headers(tpl.get("Headers"))
            if inline:
                template_name = None
        elif kind == "Simple":
            simple = content["Simple"]
            if not isinstance(simple, dict) or not isinstance(simple.get("Subject"), dict) \
                    or not isinstance(simple.get("Body"), dict):
                raise bad_request("Content.Simple needs Subject and Body.")
            if simple.get("Attachments"):
                raise bad_request("Attachments are not supported by the local SES endpoint.")
            extra_headers = self._headers(simple.get("Headers"))

        recipients = dest["ToAddresses"] + dest["CcAddresses"] + dest["BccAddresses"]
        rejected = self._sandbox_rejects(recipients)
        if rejected:
            raise self._not_verified(rejected)
        try:
            self._admit(recipients)
        except _EntryError as exc:
            if exc.status == "ACCOUNT_THROTTLED":
                raise ApiError("TooManyRequestsException", exc.message, 429) from None
            raise ApiError("LimitExceededException", exc.message) from None

        ts = _now()
        message_id = _new_message_id(ts)
        tags = self._tags(params.get("EmailTags"))
        headers = self._message_headers(message_id=message_id, ts=ts, source=sender or source, dest=dest,
                                        reply_to=reply_to, extra=extra_headers)
        if kind == "Raw":
            self._deliver(message_id=message_id, ts=ts, source=source, dest=dest, mime=raw_bytes, tags=tags)
        elif kind == "Simple":
            simple = content["Simple"]
            body = simple["Body"]
            mime = build_mime(str(simple["Subject"].get("Data", "")),
                              (body.get("Html") or {}).get("Data"), (body.get("Text") or {}).get("Data"),
                              headers=headers)
            self._deliver(message_id=message_id, ts=ts, source=source, dest=dest, mime=mime, tags=tags)
        else:
            assert key is not None
            if params.get("ListManagementOptions"):
                # With list management SES fills in {{amazonSESUnsubscribeUrl}} and adds the one-click
                # unsubscribe headers; locally the link points nowhere (.invalid).
                url = f"https://unsubscribe.local-ses.invalid/{message_id}"
                if isinstance(data, dict) and UNSUBSCRIBE_KEY not in data:
                    data = {**data, UNSUBSCRIBE_KEY: url}
                names = {name.lower() for name, _ in headers}
                if "list-unsubscribe" not in names:
                    headers = [*headers, ("List-Unsubscribe", f"<{url}>"),
                               ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
            self._send_templated(message_id=message_id, ts=ts, source=source, dest=dest, tags=tags,
                                 key=key, content=tpl_content, data=data, headers=headers,
                                 template_name=template_name)
        return {"MessageId": message_id}

    def _send_templated(self, *, message_id: str, ts: float, source: str, dest: dict[str, list[str]],
                        tags: dict[str, list[str]], key: tuple[str, str], content: dict[str, str], data: Any,
                        headers: list[tuple[str, str]], template_name: str | None) -> None:
        engine = self._engine
        try:
            rendered = self._render(key, content, data)
        except engine.EngineError as exc:
            self._deliver(message_id=message_id, ts=ts, source=source, dest=dest, mime=None, tags=tags,
                          template=template_name, failure=str(exc))
            return
        mime = build_mime(rendered.get("Subject", ""), rendered.get("Html"), rendered.get("Text"),
                          headers=headers)
        self._deliver(message_id=message_id, ts=ts, source=source, dest=dest, mime=mime, tags=tags,
                      template=template_name)

    def _raw_data(self, raw: Any) -> bytes:
        if not isinstance(raw, dict) or not isinstance(raw.get("Data"), str):
            raise bad_request("Content.Raw needs Data.")
        try:
            data = base64.b64decode(raw["Data"], validate=True)
        except (binascii.Error, ValueError):
            raise bad_request("Content.Raw.Data is not valid base64.") from None
        if len(data) > self.settings.max_raw_message_bytes:
            raise bad_request(f"Message length is more than {self.settings.max_raw_message_bytes} bytes "
                              f"long: {len(data)}.")
        if not data.strip():
            raise bad_request("Content.Raw.Data is empty.")
        return data

    def op_send_bulk_email(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._send_bulk_email(params)
        finally:
            self.flush()

    def _send_bulk_email(self, params: dict[str, Any]) -> dict[str, Any]:
        self._require_sending_enabled()
        default = params.get("DefaultContent")
        if not isinstance(default, dict) or not isinstance(default.get("Template"), dict):
            raise bad_request("DefaultContent.Template is required.")
        entries = params.get("BulkEmailEntries")
        if not isinstance(entries, list) or not entries:
            raise bad_request("BulkEmailEntries must list at least one entry.")
        if len(entries) > self.settings.max_bulk_entries:
            raise bad_request(f"BulkEmailEntries has {len(entries)} entries; the maximum is "
                              f"{self.settings.max_bulk_entries}.")
        reply_to = params.get("ReplyToAddresses") or []
        source = self._check_sender(params.get("FromEmailAddress"), reply_to)
        self._require_verified_sender(source)
        sender = params["FromEmailAddress"]
        tpl = default["Template"]
        if tpl.get("Attachments"):
            raise bad_request("Attachments are not supported by the local SES endpoint.")
        try:
            resolved: _Resolved | None = self._resolve_template(tpl)
            missing_template = None
        except ApiError as exc:
            if exc.code != "NotFoundException":
                raise
            resolved, missing_template = None, exc.message
        try:
            default_data = self._parse_data(tpl.get("TemplateData"))
        except ValueError as exc:
            raise bad_request(str(exc)) from None
        default_headers = self._headers(tpl.get("Headers"))

        results: list[dict[str, Any]] = []
        for entry in entries:
            try:
                results.append(self._bulk_entry(entry, resolved, missing_template, default_data,
                                                 default_headers, source, sender, reply_to,
                                                 params.get("DefaultEmailTags")))
            except _EntryError as exc:
                results.append({"Status": exc.status, "Error": exc.message})
        if all(r["Status"] == "ACCOUNT_THROTTLED" for r in results):
            raise ApiError("TooManyRequestsException", "Maximum sending rate exceeded.", 429)
        return {"BulkEmailEntryResults": results}

    def _bulk_entry(self, entry: Any, resolved: _Resolved | None,
                    missing_template: str | None, default_data: Any, default_headers: list[tuple[str, str]],
                    source: str, sender: str, reply_to: list[str], default_tags: Any) -> dict[str, Any]:
        if not isinstance(entry, dict):
            raise _EntryError("INVALID_PARAMETER", "Each bulk entry must be a structure.")
        try:
            dest = self._destination(entry.get("Destination"))
        except ValueError as exc:
            raise _EntryError("INVALID_PARAMETER", str(exc)) from None
        if resolved is None:
            raise _EntryError("TEMPLATE_NOT_FOUND", missing_template or "Template does not exist.")
        replacement = ((entry.get("ReplacementEmailContent") or {}).get("ReplacementTemplate") or {}) \
            .get("ReplacementTemplateData")
        data = default_data
        if replacement is not None:
            try:
                data = merge_template_data(default_data,
                                           self._parse_data(replacement, "ReplacementTemplateData"))
            except ValueError as exc:
                raise _EntryError("INVALID_PARAMETER", str(exc)) from None
        try:
            replaced = self._headers(entry.get("ReplacementHeaders"))
        except ApiError as exc:
            raise _EntryError("INVALID_PARAMETER", exc.message) from None
        recipients = dest["ToAddresses"] + dest["CcAddresses"] + dest["BccAddresses"]
        rejected = self._sandbox_rejects(recipients)
        if rejected:
            raise _EntryError("MESSAGE_REJECTED", self._not_verified(rejected).message)
        self._admit(recipients)
        names = {n.lower() for n, _ in replaced}
        extra = [(n, v) for n, v in default_headers if n.lower() not in names] + replaced
        template_name, key, content, inline = resolved
        ts = _now()
        message_id = _new_message_id(ts)
        headers = self._message_headers(message_id=message_id, ts=ts, source=sender, dest=dest,
                                        reply_to=reply_to, extra=extra)
        self._send_templated(message_id=message_id, ts=ts, source=source, dest=dest,
                             tags=self._tags(default_tags, entry.get("ReplacementTags")), key=key,
                             content=content, data=data, headers=headers,
                             template_name=None if inline else template_name)
        return {"Status": "SUCCESS", "MessageId": message_id}
