"""SES's rules as small pure functions: addresses, the mailbox simulator, identities, rate limiting,
bulk data merging and what an inline template may contain.

Kept free of HTTP and storage so each rule can be read (and tested) on its own.  Where SES's exact
behaviour is unknown, the rule rejects rather than accepts: a message the local endpoint accepts should
not be one real SES refuses.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = [
    "AddressError", "TEMPLATE_NAME_RE", "SIMULATOR_DOMAIN", "SIMULATOR_MAILBOXES", "RateLimiter",
    "bare_address", "simulator_kind", "is_verified", "identity_type", "merge_template_data",
    "unsupported_inline_tag",
]

TEMPLATE_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
SIMULATOR_DOMAIN = "simulator.amazonses.com"
SIMULATOR_MAILBOXES = frozenset({"success", "bounce", "ooto", "complaint", "suppressionlist"})

_ATEXT = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_TLD = re.compile(r"^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$")


class AddressError(ValueError):
    """An email address SES would refuse; ``str()`` says why."""


def bare_address(value: str) -> str:
    """The ``local@domain`` part of ``value`` (``addr`` or ``Display Name <addr>``); AddressError if invalid.

    Like SES: 7-bit ASCII only (a non-ASCII display name must be MIME encoded-word encoded, a non-ASCII
    domain must be punycode), one ``@``, a dotted domain name.
    """
    if not isinstance(value, str) or not value.strip():
        raise AddressError(f"Invalid email address {value!r}: empty address.")
    text = value.strip()
    if not text.isascii():
        raise AddressError(f"Invalid email address {value!r}: non-ASCII characters must be encoded "
                           "(MIME encoded-word for the display name, punycode for the domain).")
    if text.endswith(">") and "<" in text:
        display, _, addr = text[:-1].rpartition("<")
        if '"' in display and display.count('"') % 2:
            raise AddressError(f"Invalid email address {value!r}: unbalanced quotes in the display name.")
        addr = addr.strip()
    elif "<" in text or ">" in text:
        raise AddressError(f"Invalid email address {value!r}: unbalanced angle brackets.")
    else:
        addr = text
    _check_addr_spec(value, addr)
    return addr


def _check_addr_spec(value: str, addr: str) -> None:
    if "@" not in addr:
        raise AddressError(f"Invalid email address {value!r}: missing final '@domain'.")
    local, _, domain = addr.rpartition("@")
    if not local:
        raise AddressError(f"Invalid email address {value!r}: missing local name.")
    if len(local) > 64 or len(addr) > 320:
        raise AddressError(f"Invalid email address {value!r}: address too long.")
    if "@" in local or any(not _ATEXT.match(atom) for atom in local.split(".")):
        raise AddressError(f"Invalid email address {value!r}: local address contains illegal character.")
    labels = domain.split(".")
    if not domain or len(labels) < 2 or any(not _LABEL.match(label) for label in labels) \
            or not _TLD.match(labels[-1]) or len(domain) > 253:
        raise AddressError(f"Invalid email address {value!r}: domain contains illegal character "
                           "or is not a domain name.")


def simulator_kind(addr: str) -> str | None:
    """``"success"``, ``"bounce"``… for a mailbox-simulator address (``+label`` allowed), else None."""
    local, _, domain = addr.rpartition("@")
    if domain.lower() != SIMULATOR_DOMAIN:
        return None
    mailbox = local.split("+", 1)[0].lower()
    return mailbox if mailbox in SIMULATOR_MAILBOXES else None


def identity_type(identity: str) -> str:
    return "EMAIL_ADDRESS" if "@" in identity else "DOMAIN"


def identity_key(identity: str) -> str:
    """How identities are compared: domains case-insensitively; an address's local part as written."""
    local, at, domain = identity.rpartition("@")
    return f"{local}@{domain.lower()}" if at else identity.lower()


def is_verified(addr: str, verified: Iterable[str] | Mapping[str, Any]) -> bool:
    """True if ``addr`` itself, or its domain, is a verified identity (keys as :func:`identity_key`)."""
    keys = verified if isinstance(verified, (set, frozenset, Mapping)) else set(verified)
    domain = addr.rpartition("@")[2].lower()
    return identity_key(addr) in keys or domain in keys


class RateLimiter:
    """A token bucket that refuses instead of waiting (the server side of SES throttling).

    Refills at ``rate`` tokens per second up to ``capacity`` (default: one second's worth, at least 1).
    A request for more tokens than the bucket holds is allowed when the bucket is full and leaves it in
    debt, so one message to 50 recipients at 1/s is accepted and the next 50 seconds are not: the
    long-run rate never exceeds ``rate``.  A tolerance of 50 ms worth of tokens absorbs the timing jitter
    (thread scheduling, network) of a client that paces exactly at the limit; it adds that much burst but
    never raises the long-run rate.
    """

    JITTER = 0.05  # seconds

    def __init__(self, rate: float | None, capacity: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate if rate and rate > 0 else None
        self.capacity = capacity if capacity is not None else max(self.rate or 1.0, 1.0)
        self._clock = clock
        self._tokens = self.capacity
        self._tolerance = max(0.05, (self.rate or 0.0) * self.JITTER)
        self._stamp = clock()
        self._lock = threading.Lock()

    def try_acquire(self, n: float = 1.0) -> bool:
        if self.rate is None:
            return True
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            if self._tokens + self._tolerance >= min(n, self.capacity):
                self._tokens -= n
                return True
            return False

    def refund(self, n: float) -> None:
        """Give back tokens taken for work that was then not done."""
        if self.rate is None:
            return
        with self._lock:
            self._tokens = min(self.capacity, self._tokens + n)


def merge_template_data(default: Any, replacement: Any) -> Any:
    """Replacement data over default data, as SES merges bulk entries.

    Objects are merged key by key, recursively; anything else (arrays, strings, numbers, null) in the
    replacement replaces the default value whole.
    """
    if isinstance(default, dict) and isinstance(replacement, dict):
        merged = dict(default)
        for key, value in replacement.items():
            merged[key] = merge_template_data(default[key], value) if key in default else value
        return merged
    return replacement


_MUSTACHE = re.compile(r"\{\{\{?(.*?)\}?\}\}", re.DOTALL)
_PLAIN_PATH = re.compile(r"^[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)*$")


def unsupported_inline_tag(source: str | None) -> str | None:
    """The first tag an inline template may not use (SES: plain substitution only), or None.

    Allowed: ``{{name}}``, ``{{a.b}}``, ``{{{name}}}`` and their ``~`` forms.  Blocks, partials,
    comments, helpers with arguments, ``this``/``@data``/``../`` paths and ``else`` are refused.
    """
    if not source:
        return None
    for match in _MUSTACHE.finditer(source):
        inner = match.group(1).strip().strip("~").strip()
        if inner.startswith("&"):
            inner = inner[1:].strip()
        if not _PLAIN_PATH.match(inner) or inner in ("else", "this"):
            return match.group(0)
    return None
