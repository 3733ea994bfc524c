"""RenderedEmail.to_mime → stdlib email → parse_mime gives back the same parts."""

from __future__ import annotations

import email
import email.policy

import pytest

from ses_workbench.mime import parse_mime
from ses_workbench.render import RenderedEmail

CASES = [
    RenderedEmail("t", "f", "Order #1042 shipped", "<p>Hello <b>Ann</b></p>\n", "Hello Ann\n"),
    RenderedEmail("t", None, "Grüße, Zoë — votre commande 🎉", "<p>Prix : 12,50 €</p>",
                  "Prix : 12,50 €\nここに"),
    RenderedEmail(None, None, "No text part", "<table><tr><td>x</td></tr></table>", None),
    RenderedEmail(None, None, "Long line", "<p>" + "x" * 3000 + "</p>", "y" * 2000),
]


@pytest.mark.parametrize("rendered", CASES, ids=["ascii", "unicode", "no-text", "long-lines"])
def test_mime_round_trip(rendered: RenderedEmail) -> None:
    raw = rendered.to_mime(sender="Shop <shop@example.com>", to=["ann@example.com", "bob@example.com"])
    assert raw.isascii()  # 7-bit clean, like SES's RenderedTemplate

    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    assert str(msg["Subject"]) == rendered.subject
    assert "ann@example.com" in str(msg["To"]) and "bob@example.com" in str(msg["To"])
    bodies = {p.get_content_type(): p.get_content() for p in msg.iter_parts()}
    assert bodies["text/html"].replace("\r\n", "\n") == rendered.html
    if rendered.text is not None:
        assert bodies["text/plain"].replace("\r\n", "\n") == rendered.text
    for part in msg.iter_parts():
        assert part.get_content_charset() == "utf-8"

    parsed = parse_mime(raw)
    assert (parsed.subject, parsed.html) == (rendered.subject, rendered.html)
    if rendered.text is not None:
        assert parsed.text == rendered.text
