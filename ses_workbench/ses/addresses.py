"""One recipient (or sender) string → the one address mail is delivered to, or a clear refusal.

The send guards decide "verified?", "simulator?" and "counted against the quota?" on an address, and
must decide it on exactly the address SES delivers to.  Address parsers disagree on malformed input:
``qa@acme.test <victim@evil.test>`` is ``qa@acme.test`` to :func:`email.utils.parseaddr` and to the
stdlib's header parser, but the local endpoint (and, as far as is known, SES) delivers to the address
in angle brackets.  So :func:`parse_address` accepts only the forms every reader agrees on:

- a bare ``local@domain`` (dot-atom local part, dotted domain name, 7-bit ASCII);
- ``Display Name <local@domain>`` where the display name is plain words (letters, digits, spaces, ``.``
  and the other RFC 5322 atom characters), a ``"quoted string"`` or an encoded word;

and refuses, naming the reason: control characters and line breaks, non-ASCII text, comments
``( )``, an unquoted ``@``, ``<``, ``>``, ``,``, ``;``, ``:``, ``[ ]`` or ``\\`` in a display name,
several addresses in one string, text after ``>``, unbalanced quotes.  An accepted string is then read
by two independent parsers — the stdlib's strict header parser (:mod:`email.headerregistry`) and the
endpoint's :func:`ses_workbench.ses.local.rules.bare_address` — and refused unless both find the same
single address.
"""

from __future__ import annotations

from email.errors import ObsoleteHeaderDefect
from email.headerregistry import AddressHeader, HeaderRegistry
from typing import NamedTuple, cast

from ses_workbench.ses.local import rules

__all__ = ["AddressError", "Mailbox", "parse_address"]

AddressError = rules.AddressError
_SPECIALS = {"(": "a comment '(...)'", ")": "a comment '(...)'", ",": "more than one address",
             ";": "more than one address", ":": "a group 'name: ...;'", "@": "an unquoted '@'",
             "<": "an unquoted '<'", ">": "an unquoted '>'", "[": "an unquoted '['", "]": "an unquoted ']'",
             "\\": "an unquoted '\\'"}
_REGISTRY = HeaderRegistry()


class Mailbox(NamedTuple):
    """``display`` may be empty; ``address`` is the ``local@domain`` mail goes to."""

    display: str
    address: str


def parse_address(value: str) -> Mailbox:
    """The one mailbox ``value`` names; :class:`AddressError` (one line, says why and how to write it)."""
    if not isinstance(value, str) or not value.strip():
        raise AddressError(f"not an email address: {value!r} is empty")
    text = value.strip()
    control = next((c for c in text if ord(c) < 0x20 or ord(c) == 0x7F), None)
    if control is not None:
        raise AddressError(f"not one email address: {value!r} contains a control character or line break "
                           f"({control!r})")
    if not text.isascii():
        raise AddressError(f"not an email address SES accepts: {value!r} has non-ASCII characters (MIME "
                           "encoded-word for the display name, punycode for the domain)")
    display, address = _split(value, text)
    _agree(value, address)
    return Mailbox(display, address)


def _split(value: str, text: str) -> tuple[str, str]:
    """Lexical split into (display, addr-spec); refuses every form parsers read differently."""
    if "<" not in text and ">" not in text and '"' not in text:
        for ch in text:
            if ch in _SPECIALS and ch != "@":
                raise _ambiguous(value, _SPECIALS[ch], None)
        return "", text
    if not text.endswith(">"):
        raise _ambiguous(value, "text after the address in '<...>'" if ">" in text
                         else "a '<' without its closing '>'" if "<" in text else "a quoted local part",
                         None)
    open_at = text.rfind("<")
    if open_at == -1:
        raise _ambiguous(value, "a '>' without its opening '<'", None)
    address = text[open_at + 1:-1].strip()
    display = text[:open_at]
    for ch in address:
        if ch in '<>"()[],;:\\ ':
            raise _ambiguous(value, f"{ch!r} inside '<...>'", None)
    in_quotes = escaped = False
    for ch in display:
        if escaped:
            escaped = False
        elif in_quotes and ch == "\\":
            escaped = True
        elif ch == '"':
            in_quotes = not in_quotes
        elif not in_quotes and ch in _SPECIALS:
            raise _ambiguous(value, _SPECIALS[ch] + " in the display name", address)
    if in_quotes or escaped:
        raise _ambiguous(value, "an unbalanced quote in the display name", address)
    return display.strip(), address


def _agree(value: str, address: str) -> None:
    """The stdlib's strict parser and the endpoint's both find exactly ``address``, and it is valid."""
    try:
        delivered = rules.bare_address(value)
    except AddressError as exc:
        raise AddressError(f"not an email address SES accepts: {exc}") from None
    try:
        parsed = _REGISTRY("to", value)
    except Exception:  # noqa: BLE001 - the stdlib parser itself trips over some malformed names
        raise AddressError(f"not one unambiguous email address: {value!r} cannot be read by the "
                           "stdlib's email parser") from None
    header = cast(AddressHeader, parsed)
    found = [a.addr_spec for a in header.addresses]
    defects = [d for d in parsed.defects if not isinstance(d, ObsoleteHeaderDefect)]
    if defects or found != [address] or delivered != address or \
            any(g.display_name is not None for g in header.groups):
        raise AddressError(f"not one unambiguous email address: {value!r} is read as "
                           f"{', '.join(found) or 'nothing'} by one email parser, as {delivered} by another")


def _ambiguous(value: str, why: str, delivered: str | None) -> AddressError:
    hint = (f"; SES would deliver to {delivered}: give just that address, or quote the name: "
            f"\"Name\" <{delivered}>") if delivered else ""
    return AddressError(f"not one unambiguous email address: {value!r} has {why}{hint}")
