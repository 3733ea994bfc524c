"""The SES v2 operations of the local endpoint, as plain Python: request dict in, response dict out.

Each public ``op_*`` method takes the operation's input (URI parameters, query string and JSON body merged
into one dict, named as in botocore's ``sesv2`` model) and returns the output dict, or raises
:class:`ApiError` carrying the SES error type, HTTP status and message — the HTTP layer in ``server.py``
only routes and serialises.  SES's rules (see ``shared/SES.md``) are applied in the order SES applies
them: throttling first, then validation, then identities and sandbox, then quota, then rendering.

Sends render with our engine (default dialect: what SES is believed to do).  A templated send whose data
lacks an attribute is *accepted* (a MessageId comes back, the recipients count against the rate and the
24-hour quota) and then dropped with a "Rendering Failure" event, as SES does; only
``TestRenderEmailTemplate`` reports the missing attribute as an error.

Choices where SES's exact behaviour is not documented (each errs on the side of refusing):

- SendBulkEmail: a problem with the whole call (sender not verified, >50 entries, bad default data,
  inline template with blocks) raises; a problem with one entry (invalid address → INVALID_PARAMETER,
  sandbox → MESSAGE_REJECTED, unknown stored template → TEMPLATE_NOT_FOUND, rate → ACCOUNT_THROTTLED,
  quota → ACCOUNT_DAILY_QUOTA_EXCEEDED) is that entry's Status; if *every* entry was throttled the call
  raises TooManyRequestsException instead.
- The mailbox simulator counts against the send rate, not the daily quota; ``bounce@`` and
  ``suppressionlist@`` are not delivered (Bounce event), ``complaint@`` is delivered plus a Complaint event.
- An address identity verifies exactly that address (local part case-sensitive, no ``+label``); a
  domain identity verifies every address at that domain (not its subdomains).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import email
import email.policy
import email.utils
import hashlib
import json
import logging
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

from ses_workbench.mime import build_mime
from ses_workbench.ses.local.rules import (
    TEMPLATE_NAME_RE,
    AddressError,
    RateLimiter,
    bare_address,
    identity_key,
    identity_type,
    is_verified,
    merge_template_data,
    simulator_kind,
    unsupported_inline_tag,
)
from ses_workbench.ses.local.settings import LocalSesSettings
from ses_workbench.ses.local.store import Store
from ses_workbench.ses.local.verification import CustomVerificationMixin

__all__ = ["ApiError", "LocalSesService", "CONTENT_FIELDS"]

log = logging.getLogger(__name__)

#: The content fields of an SES template (sesv2 ``TemplateContent``), in SES's order.
CONTENT_FIELDS = ("Subject", "Html", "Text")
_CACHE_SIZE = 512
_HEADER_NAME = re.compile(r"[!-9;-~]{1,126}")  # sesv2 MessageHeaderName
_HEADER_VALUE = re.compile(r"[ -~]{1,995}")    # sesv2 MessageHeaderValue
_UNLIMITED_RATE_REPORTED = 1_000_000.0
UNSUBSCRIBE_KEY = "amazonSESUnsubscribeUrl"

# (stored template name or None when inline, compiled-cache key, content, inline?)
_Resolved = tuple[str | None, tuple[str, str], dict[str, str], bool]


class ApiError(Exception):
    """An SES error response: ``code`` is the error type boto3 turns into ``client.exceptions.<code>``."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def bad_request(message: str) -> ApiError:
    return ApiError("BadRequestException", message, 400)


def not_found(message: str) -> ApiError:
    return ApiError("NotFoundException", message, 404)


class _EntryError(Exception):
    """One bulk entry failed; becomes that entry's Status/Error."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _now() -> float:
    return time.time()


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _new_message_id(ts: float) -> str:
    # Shaped like SES's ids: hex millisecond timestamp, a UUID, a sequence suffix.
    return f"{int(ts * 1000):016x}-{uuid.uuid4()}-000000"


class _Verified(Mapping[str, dict[str, Any]]):
    """The verified identities among ``identities``: a membership test is one lookup, not a scan."""

    def __init__(self, identities: Mapping[str, dict[str, Any]]) -> None:
        self._identities = identities

    def __getitem__(self, key: str) -> dict[str, Any]:
        rec = self._identities[key]
        if rec.get("status") != "SUCCESS":
            raise KeyError(key)
        return rec

    def __iter__(self) -> Iterator[str]:
        return (key for key in self._identities if key in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _after_token(params: dict[str, Any]) -> str | None:
    """The last key of the previous page, from ``NextToken``; BadRequestException if it is not ours."""
    token = params.get("NextToken")
    if not token:
        return None
    try:
        if not isinstance(token, str):
            raise TypeError(token)
        after = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))["after"]
        if not isinstance(after, str):
            raise TypeError(after)
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeEncodeError, RecursionError):
        raise bad_request("The NextToken is not valid.") from None
    return after


def _next_token(last: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last}).encode()).decode("ascii")


class _Engine:
    """The template engine, imported on first use (so the server starts without paying for it)."""

    def __init__(self) -> None:
        from ses_workbench.engine import EngineError, MissingAttributeError, TemplateSyntaxError
        from ses_workbench.engine import compile as compile_source

        self.compile = compile_source
        self.EngineError = EngineError
        self.MissingAttributeError = MissingAttributeError
        self.TemplateSyntaxError = TemplateSyntaxError


class LocalSesService(CustomVerificationMixin):
    """SES's template, sending, account and identity operations over a :class:`Store`.  Thread-safe.
    The custom verification operations and link flow come from :mod:`.verification`."""

    def __init__(self, store: Store, settings: LocalSesSettings,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.settings = settings
        self._lock = threading.RLock()
        # ``clock`` drives the rate limits (template operations, MaxSendRate); tests pass a manual one.
        self._template_limiter = RateLimiter(settings.template_ops_per_second, clock=clock)
        # SES: "You can exceed this quota for short bursts, but not for a sustained period of time."
        rate = settings.max_send_rate if settings.send_rate_limited else None
        burst = max(1.0, (rate or 0.0) * settings.send_burst_seconds) if rate else None
        self._send_limiter = RateLimiter(rate, capacity=burst, clock=clock)
        self._compiled: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
        self._engine_instance: _Engine | None = None

    def prepare(self) -> None:
        """Called when the endpoint starts: identities listed in the settings are verified from the start
        (re-added if they were deleted through the API in an earlier run)."""
        with self._lock:
            self._add_config_identities()

    # -- helpers -------------------------------------------------------------------------------
    def flush(self) -> None:
        """Make what a send recorded durable — events, outbox index, sent count — once per send
        operation (not per entry), before its answer goes out.

        A failed write (disk full) does not fail the send, which is already delivered — answering an
        error would make the client send again; the record stays in memory and the next send writes it.
        """
        with self._lock:
            try:
                self.store.flush()
            except OSError as exc:
                log.error("local SES endpoint: cannot save the sending record: %s", exc)

    def close(self) -> None:
        self.flush()
        with self._lock:
            self.store.close()

    @property
    def _engine(self) -> _Engine:
        if self._engine_instance is None:
            self._engine_instance = _Engine()
        return self._engine_instance

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

    def _verified_keys(self) -> Mapping[str, dict[str, Any]]:
        return _Verified(self.store.identities)

    def verify_identity(self, identity: str) -> dict[str, Any]:
        """Mark a PENDING identity verified — what the mailbox owner's click (or the domain's DNS
        records) does at SES.  NotFoundException if it was never created; returns the record."""
        with self._lock:
            rec = self._get_identity(identity)
            if rec["status"] != "SUCCESS":
                rec = {**rec, "status": "SUCCESS", "verified": _now()}
                self.store.put_identities(rec)
            return dict(rec)

    def _throttle_template_op(self) -> None:
        if not self._template_limiter.try_acquire(1):
            raise ApiError("TooManyRequestsException", "Too Many Requests.", 429)

    def _region_label(self) -> str:
        return self.settings.region.upper()

    def _not_verified(self, addresses: list[str]) -> ApiError:
        return ApiError(
            "MessageRejected",
            "Email address is not verified. The following identities failed the check in region "
            f"{self._region_label()}: {', '.join(addresses)}",
        )

    @staticmethod
    def _str_field(params: dict[str, Any], key: str, required: bool = True) -> str | None:
        value = params.get(key)
        if value is None or value == "":
            if required:
                raise bad_request(f"Missing required parameter {key}.")
            return None
        if not isinstance(value, str):
            raise bad_request(f"{key} must be a string.")
        return value

    def _parse_data(self, raw: Any, what: str = "TemplateData") -> Any:
        """Parse TemplateData (a JSON string); ValueError with SES-style text on any problem."""
        if raw is None:
            return {}
        if not isinstance(raw, str):
            raise ValueError(f"{what} must be a string containing a JSON object.")
        if len(raw) > self.settings.max_template_data_chars:
            raise ValueError(f"{what} is {len(raw)} characters long; the limit is "
                             f"{self.settings.max_template_data_chars}.")
        try:
            data = json.loads(raw, parse_constant=_no_constant)
        except ValueError as exc:
            raise ValueError(f"Invalid {what}: not valid JSON ({exc}).") from None
        except RecursionError:
            raise ValueError(f"Invalid {what}: nested too deeply.") from None
        if not isinstance(data, dict):
            # SES documents TemplateData as "a JSON object"; refuse anything else rather than guess.
            raise ValueError(f"Invalid {what}: it must be a JSON object, not {type(data).__name__}.")
        return data

    @staticmethod
    def _page_size(params: dict[str, Any], default: int, low: int, high: int) -> int:
        size_raw = params.get("PageSize")
        size = default
        if size_raw not in (None, ""):
            try:
                size = int(size_raw)
            except (TypeError, ValueError):
                raise bad_request(f"PageSize must be an integer, not {size_raw!r}.") from None
            if not low <= size <= high:
                raise bad_request(f"PageSize must be between {low} and {high}.")
        return max(size, 1)

    @classmethod
    def _page(cls, keys: list[str], params: dict[str, Any], default: int, low: int,
              high: int) -> tuple[list[str], str | None]:
        """One page of sorted ``keys`` after ``NextToken``; the token for the next page or None."""
        size = cls._page_size(params, default, low, high)
        after = _after_token(params)
        start = 0 if after is None else bisect.bisect_right(keys, after)
        page = keys[start:start + size]
        more = start + size < len(keys)
        return page, _next_token(page[-1]) if more and page else None

    # -- templates -----------------------------------------------------------------------------
    def _check_content(self, content: Any) -> dict[str, str]:
        if not isinstance(content, dict):
            raise bad_request("Missing required parameter TemplateContent.")
        clean: dict[str, str] = {}
        for part in CONTENT_FIELDS:
            value = content.get(part)
            if value is None:
                continue
            if not isinstance(value, str):
                raise bad_request(f"TemplateContent.{part} must be a string.")
            clean[part] = value
        # SES: "500 KB per template (text + HTML)" — counted like TemplateContent.size_bytes in the project.
        size = sum(len(clean.get(part, "").encode("utf-8")) for part in ("Html", "Text"))
        if size > self.settings.max_template_bytes:
            raise bad_request(f"Template size of {size} bytes exceeds the limit of "
                              f"{self.settings.max_template_bytes} bytes.")
        return clean

    def _compile_parts(self, content: dict[str, str]) -> dict[str, Any]:
        """Compile every part; BadRequestException for a syntax error (SES's InvalidTemplate)."""
        engine = self._engine
        compiled: dict[str, Any] = {}
        for part in CONTENT_FIELDS:
            source = content.get(part)
            if source is None:
                continue
            try:
                compiled[part] = engine.compile(source) if self.settings.dialect is None else \
                    engine.compile(source, self.settings.dialect)
            except engine.EngineError as exc:
                where = ""
                if getattr(exc, "line", None) is not None:
                    where = f" (line {exc.line}, column {getattr(exc, 'column', None)})"
                raise bad_request(f"Template is invalid: {part} part: {exc}{where}") from None
        return compiled

    def _compiled_for(self, key: tuple[str, str], content: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            cached = self._compiled.get(key)
            if cached is not None:
                self._compiled.move_to_end(key)
                return cached
        compiled = self._compile_parts(content)
        with self._lock:
            self._compiled[key] = compiled
            while len(self._compiled) > _CACHE_SIZE:
                self._compiled.popitem(last=False)
        return compiled

    def _check_name(self, name: str | None) -> str:
        if not name:
            raise bad_request("Missing required parameter TemplateName.")
        if not TEMPLATE_NAME_RE.match(name):
            raise bad_request(f"Template name {name!r} is invalid: use 1 to 64 letters, digits, '_' or '-'.")
        return name

    def _get_template(self, name: str | None) -> dict[str, Any]:
        rec = self.store.templates.get(name or "")
        if rec is None:
            raise not_found(f"Template {name} does not exist.")
        return rec

    def op_create_email_template(self, params: dict[str, Any]) -> dict[str, Any]:
        self._throttle_template_op()
        name = self._check_name(self._str_field(params, "TemplateName", required=False))
        content = self._check_content(params.get("TemplateContent"))
        with self._lock:
            if name in self.store.templates:
                raise ApiError("AlreadyExistsException", f"Template {name} already exists.")
            if len(self.store.templates) >= self.settings.max_templates:
                raise ApiError("LimitExceededException",
                               f"Maximum number of templates ({self.settings.max_templates}) reached.")
        version = uuid.uuid4().hex
        compiled = self._compile_parts(content)
        with self._lock:
            if name in self.store.templates:  # created by a concurrent request meanwhile
                raise ApiError("AlreadyExistsException", f"Template {name} already exists.")
            now = _now()
            self.store.put_template({"name": name, "content": content, "created": now, "updated": now,
                                     "version": version, "tags": params.get("Tags") or []})
            self._compiled[(name, version)] = compiled
        return {}

    def op_update_email_template(self, params: dict[str, Any]) -> dict[str, Any]:
        self._throttle_template_op()
        name = params.get("TemplateName")
        with self._lock:
            self._get_template(name)
        content = self._check_content(params.get("TemplateContent"))
        compiled = self._compile_parts(content)
        version = uuid.uuid4().hex
        with self._lock:
            rec = self._get_template(name)
            rec = {**rec, "content": content, "updated": _now(), "version": version}
            self.store.put_template(rec)
            self._compiled[(rec["name"], version)] = compiled
        return {}

    def op_get_email_template(self, params: dict[str, Any]) -> dict[str, Any]:
        self._throttle_template_op()
        with self._lock:
            rec = self._get_template(params.get("TemplateName"))
            out: dict[str, Any] = {"TemplateName": rec["name"], "TemplateContent": dict(rec["content"])}
            if rec.get("tags"):
                out["Tags"] = list(rec["tags"])
            return out

    def op_delete_email_template(self, params: dict[str, Any]) -> dict[str, Any]:
        self._throttle_template_op()
        with self._lock:
            rec = self._get_template(params.get("TemplateName"))
            self.store.delete_template(rec["name"])
        return {}

    def op_list_email_templates(self, params: dict[str, Any]) -> dict[str, Any]:
        self._throttle_template_op()
        size = self._page_size(params, default=10, low=1, high=100)
        page, more = self.store.template_page(_after_token(params), size)  # one indexed query
        out: dict[str, Any] = {"TemplatesMetadata": [
            {"TemplateName": name, "CreatedTimestamp": created} for name, created in page
        ]}
        if more and page:
            out["NextToken"] = _next_token(page[-1][0])
        return out

    def op_test_render_email_template(self, params: dict[str, Any]) -> dict[str, Any]:
        self._throttle_template_op()
        with self._lock:
            rec = self._get_template(params.get("TemplateName"))
            key, content = (rec["name"], rec["version"]), dict(rec["content"])
        raw = params.get("TemplateData")
        if raw is None:
            raise bad_request("Missing required parameter TemplateData.")
        try:
            data = self._parse_data(raw)
        except ValueError as exc:
            raise bad_request(str(exc)) from None
        compiled = self._compiled_for(key, content)
        engine = self._engine
        try:
            rendered = {part: tpl.render(data) for part, tpl in compiled.items()}
        except engine.EngineError as exc:
            raise bad_request(str(exc)) from None
        mime = build_mime(rendered.get("Subject", ""), rendered.get("Html"), rendered.get("Text"))
        return {"RenderedTemplate": mime.decode("utf-8", errors="replace")}

    # -- sending -------------------------------------------------------------------------------
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
