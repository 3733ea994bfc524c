"""MIME messages the way SES builds them, and back: the one place that knows the email format.

``build_mime`` turns a rendered email (subject, HTML, text) into a complete RFC 5322 message —
``multipart/alternative`` with the text part first and the HTML part second, UTF-8, the shape SES
returns from ``TestRenderEmailTemplate`` and delivers for a templated send.  ``parse_mime`` reads any
such message (ours, SES's ``RenderedTemplate``, an ``.eml`` from the local outbox) back into its
subject, HTML and text, with transfer encodings undone, so callers can compare content rather than
encodings.  Standard library only.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import quopri
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from typing import Any

__all__ = ["ParsedEmail", "build_mime", "parse_mime", "make_message_id"]

# SMTP policy: CRLF line endings and RFC 2047 encoded headers, as on the wire; utf8=False keeps
# every header 7-bit (SES does not speak SMTPUTF8).
_POLICY = email.policy.SMTP


@dataclass(frozen=True)
class ParsedEmail:
    """What a person reads in a message: decoded subject, HTML and text bodies, and the headers.

    ``headers`` maps each header name (as written in the message) to its decoded value; a header that
    appears more than once keeps its first value (use :meth:`header_values` for all of them).
    """

    subject: str | None
    html: str | None
    text: str | None
    headers: dict[str, str] = field(default_factory=dict)
    all_headers: tuple[tuple[str, str], ...] = ()

    def header(self, name: str, default: str | None = None) -> str | None:
        """The first value of header ``name`` (case-insensitive)."""
        lower = name.lower()
        for key, value in self.all_headers:
            if key.lower() == lower:
                return value
        return default

    def header_values(self, name: str) -> list[str]:
        """Every value of header ``name`` (case-insensitive), in message order."""
        lower = name.lower()
        return [value for key, value in self.all_headers if key.lower() == lower]


def make_message_id(domain: str = "email.amazonses.com") -> str:
    """A fresh ``<...@domain>`` Message-ID."""
    return f"<{uuid.uuid4().hex}@{domain}>"


def build_mime(
    subject: Any,
    html: str | None = None,
    text: str | None = None,
    sender: str | None = None,
    to: str | Iterable[str] | None = None,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
) -> bytes:
    """A complete MIME message (bytes, CRLF line endings) for a rendered email.

    ``subject`` may also be a rendered-email object with ``subject``/``html``/``text`` attributes
    (``build_mime(rendered, sender=..., to=...)``).  Both bodies go into one ``multipart/alternative``
    (text first, so mail clients prefer the HTML); a missing body is left out.  ``headers`` adds or
    replaces headers (``Date`` and ``Message-ID`` default to now and a fresh id).  Non-ASCII text is
    encoded (RFC 2047 headers, quoted-printable or base64 bodies): the bytes are 7-bit clean.
    """
    if not isinstance(subject, (str, type(None))):
        rendered = subject
        subject = getattr(rendered, "subject", None)
        html = getattr(rendered, "html", None) if html is None else html
        text = getattr(rendered, "text", None) if text is None else text

    msg = EmailMessage(policy=_POLICY)
    extra: list[tuple[str, str]] = list(headers.items() if isinstance(headers, Mapping) else headers or ())
    given = {name.lower() for name, _ in extra}
    if "date" not in given:
        msg["Date"] = email.utils.formatdate(time.time(), localtime=False, usegmt=True)
    if sender and "from" not in given:
        msg["From"] = sender
    if to and "to" not in given:
        msg["To"] = to if isinstance(to, str) else ", ".join(to)
    if "message-id" not in given:
        msg["Message-ID"] = make_message_id()
    if "subject" not in given:
        msg["Subject"] = _one_line(subject or "")
    for name, value in extra:
        if name.lower() in ("mime-version", "content-type", "content-transfer-encoding"):
            continue  # the body decides these
        del msg[name]
        msg[name] = _one_line(value)
    msg["MIME-Version"] = "1.0"
    # Always multipart/alternative (the shape SES's TestRenderEmailTemplate returns), even with one body.
    msg["Content-Type"] = "multipart/alternative"
    if text is not None or html is None:
        msg.attach(_text_part("plain", text or ""))
    if html is not None:
        msg.attach(_text_part("html", html))
    return msg.as_bytes(policy=_POLICY)


def _text_part(subtype: str, body: str) -> EmailMessage:
    """One UTF-8 body part whose decoded payload is exactly ``body`` (no newline added).

    7bit when the body is ASCII with lines SMTP accepts, quoted-printable otherwise (readable in an
    ``.eml`` and safe for any line length).
    """
    part = EmailMessage(policy=_POLICY)
    part["Content-Type"] = f"text/{subtype}; charset=UTF-8"
    if body.isascii() and all(len(line) <= 998 for line in body.splitlines()):
        part["Content-Transfer-Encoding"] = "7bit"
        part.set_payload(body)
    else:
        part["Content-Transfer-Encoding"] = "quoted-printable"
        part.set_payload(quopri.encodestring(body.encode("utf-8")).decode("ascii"))
    return part


def _one_line(value: str) -> str:
    # A raw newline in a header value would end the header; SES folds such values to one line.
    # (str.splitlines also breaks on \f, \v, \x1c-\x1e, \x85, \u2028/9: the email package refuses those too.)
    return " ".join(str(value).splitlines())


def parse_mime(data: bytes | str) -> ParsedEmail:
    """Decode a MIME message: subject, the first text/html and text/plain bodies, and the headers.

    Attachments are ignored.  A single-part message yields one body (the other is None).
    """
    if isinstance(data, str):
        msg: Message = email.message_from_string(data, policy=email.policy.default)
    else:
        msg = email.message_from_bytes(data, policy=email.policy.default)
    all_headers = tuple((name, str(value)) for name, value in msg.items())
    headers: dict[str, str] = {}
    for name, value in all_headers:
        headers.setdefault(name, value)
    subject = msg.get("Subject")
    html = _body(msg, "html")
    text = _body(msg, "plain")
    return ParsedEmail(
        subject=str(subject) if subject is not None else None,
        html=html,
        text=text,
        headers=headers,
        all_headers=all_headers,
    )


def _body(msg: Message, subtype: str) -> str | None:
    for part in msg.walk():
        if part.is_multipart():
            continue
        if part.get_content_type() != f"text/{subtype}":
            continue
        if part.get_content_disposition() == "attachment":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            return None
        charset = part.get_content_charset() or "utf-8"
        try:
            decoded = payload.decode(charset, errors="replace")
        except LookupError:  # an unknown charset name
            decoded = payload.decode("utf-8", errors="replace")
        # Bodies travel with CRLF line endings; give callers the text as it was written.
        return decoded.replace("\r\n", "\n")
    return None
