"""The part of the local SES service every operation family stands on: its state and shared helpers.

:class:`ServiceBase` holds what the operations share — the store, the settings, one lock, the two rate
limiters and the cache of compiled templates — and the helpers more than one family calls: parameter
checks, ``TemplateData`` parsing, paging with ``NextToken``, the content checks and compilation of a
template (stored or inline), the sandbox's verified identities and the SES error for an unverified one.
:class:`ApiError` (the error an operation raises, which the HTTP layer turns into SES's error response)
and its two common shapes live here too, so each family's module imports them from one place.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ses_workbench.ses.local.rules import RateLimiter
from ses_workbench.ses.local.settings import LocalSesSettings
from ses_workbench.ses.local.store import Store

__all__ = ["ApiError", "CONTENT_FIELDS", "ServiceBase", "bad_request", "not_found"]

log = logging.getLogger(__package__)

#: The content fields of an SES template (sesv2 ``TemplateContent``), in SES's order.
CONTENT_FIELDS = ("Subject", "Html", "Text")
_CACHE_SIZE = 512


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


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _now() -> float:
    return time.time()



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



class ServiceBase:
    """The service's state and the helpers its operation families share; the families are mixins of
    this class, and :class:`~ses_workbench.ses.local.service.LocalSesService` combines them."""

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

    def _verified_keys(self) -> Mapping[str, dict[str, Any]]:
        return _Verified(self.store.identities)

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

    # -- template content: checks and the compiled cache ------------------------------------
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
