"""Unit tests of the pure pieces: address rules, data merging, inline-template check, the rate limiter,
settings from the project config, and the MIME builder/parser."""

from __future__ import annotations

import email
import email.policy
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ses_workbench.mime import build_mime, parse_mime
from ses_workbench.ses.local import LocalSesSettings, RateLimiter, merge_template_data
from ses_workbench.ses.local.rules import (
    AddressError,
    bare_address,
    is_verified,
    simulator_kind,
    unsupported_inline_tag,
)


@pytest.mark.parametrize("value, bare", [
    ("a@example.com", "a@example.com"),
    ("Ann <a@example.com>", "a@example.com"),
    ('"Doe, Ann" <a.b+c@sub.example.co>', "a.b+c@sub.example.co"),
    ("=?utf-8?q?J=C3=B6rg?= <j@xn--bcher-kva.example>", "j@xn--bcher-kva.example"),
])
def test_bare_address(value: str, bare: str) -> None:
    assert bare_address(value) == bare


@pytest.mark.parametrize("value", ["", "a", "a@", "@b.com", "a@b", "a..b@c.com", ".a@c.com", "a b@c.com",
                                   "a@b..com", "a@-b.com", "a@b.c", "Jörg <j@x.com>", "a@bü.com", "<a@b.com",
                                   "a@b.com>"])
def test_invalid_addresses(value: str) -> None:
    with pytest.raises(AddressError):
        bare_address(value)


def test_simulator_and_verification() -> None:
    assert simulator_kind("bounce+x@simulator.amazonses.com") == "bounce"
    assert simulator_kind("success@SIMULATOR.amazonses.com") == "success"
    assert simulator_kind("other@simulator.amazonses.com") is None
    assert simulator_kind("success@example.com") is None
    verified = {"a@example.com", "brand.example"}
    assert is_verified("a@example.com", verified)
    assert is_verified("a@EXAMPLE.com", verified)
    assert not is_verified("A@example.com", verified)
    assert is_verified("anyone@Brand.Example", verified)
    assert not is_verified("x@sub.brand.example", verified)


def test_merge_template_data() -> None:
    default = {"a": 1, "obj": {"x": 1, "deep": {"k": 1, "j": 2}}, "arr": [1, 2, 3], "s": "d"}
    replacement = {"obj": {"deep": {"k": 9}, "y": 2}, "arr": [7], "s": None, "new": True}
    assert merge_template_data(default, replacement) == {
        "a": 1, "obj": {"x": 1, "deep": {"k": 9, "j": 2}, "y": 2}, "arr": [7], "s": None, "new": True}
    assert default["obj"]["deep"] == {"k": 1, "j": 2}  # inputs untouched
    assert merge_template_data({"a": 1}, [1]) == [1]
    assert merge_template_data({"obj": {"x": 1}}, {"obj": "flat"}) == {"obj": "flat"}


@pytest.mark.parametrize("source, bad", [
    ("Hi {{name}} {{ a.b }} {{{raw}}} {{~trim~}}", None),
    ("no tags", None),
    ("{{#if x}}y{{/if}}", "{{#if x}}"),
    ("{{> p}}", "{{> p}}"),
    ("{{! c }}", "{{! c }}"),
    ("{{else}}", "{{else}}"),
    ("{{helper arg}}", "{{helper arg}}"),
    ("{{../up}}", "{{../up}}"),
    ("{{@index}}", "{{@index}}"),
])
def test_unsupported_inline_tag(source: str, bad: str | None) -> None:
    assert unsupported_inline_tag(source) == bad


def test_rate_limiter() -> None:
    now = [0.0]
    limiter = RateLimiter(2.0, clock=lambda: now[0])
    assert limiter.try_acquire() and limiter.try_acquire()
    assert not limiter.try_acquire()
    now[0] += 0.5
    assert limiter.try_acquire()
    assert not limiter.try_acquire()
    # A request bigger than the bucket passes when it is full, then leaves it in debt.
    now[0] += 10
    assert limiter.try_acquire(5)
    now[0] += 1.0
    assert not limiter.try_acquire()
    now[0] += 1.0
    assert limiter.try_acquire()
    assert RateLimiter(None).try_acquire(10_000)


def test_settings_from_config_like_objects() -> None:
    cfg = SimpleNamespace(sandbox=False, max_send_rate=14.0, max_24h_send=50_000, template_ops_per_second=1.0,
                          verified_identities=["a@example.com"])
    settings = LocalSesSettings.from_config(cfg)
    assert settings.sandbox is False and settings.max_send_rate == 14.0
    assert settings.verified_identities == ("a@example.com",)
    assert LocalSesSettings.from_config(None) == LocalSesSettings()
    assert LocalSesSettings.from_config(settings, max_send_rate=2.0).max_send_rate == 2.0


def test_settings_from_the_project_config() -> None:
    from ses_workbench.project.config import parse_config

    raw = {"local_ses": {"sandbox": False, "max_24h_send": -1, "verified_identities": ["x.io"]}}
    config = parse_config(raw)
    settings = LocalSesSettings.from_config(config.local_ses)
    assert settings.sandbox is False and not settings.quota_limited
    assert settings.verified_identities == ("x.io",)


# -- MIME -----------------------------------------------------------------------------------------
def test_build_mime_shape() -> None:
    raw = build_mime("Grüße", "<p>é</p>", "é", sender="Shop <s@example.com>", to=["a@x.io", "b@x.io"],
                     headers={"X-Test": "1", "Message-ID": "<fixed@x>"})
    assert raw.isascii() and b"\r\n" in raw
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in msg.iter_parts())
    assert msg["MIME-Version"] == "1.0"
    assert msg["Message-ID"] == "<fixed@x>"
    assert msg["To"] == "a@x.io, b@x.io"
    assert msg["Date"]


def test_build_mime_accepts_a_rendered_object() -> None:
    rendered = SimpleNamespace(subject="S", html="<p>h</p>", text=None)
    parsed = parse_mime(build_mime(rendered, sender="s@example.com"))
    assert (parsed.subject, parsed.html, parsed.text) == ("S", "<p>h</p>", None)


def test_header_values_cannot_inject_lines() -> None:
    parsed = parse_mime(build_mime("a\nBcc: evil@x.io", None, "t"))
    assert parsed.header("Bcc") is None
    assert parsed.subject == "a Bcc: evil@x.io"


@settings(deadline=None)
@given(subject=st.text(max_size=80).filter(lambda s: len(s.splitlines()) <= 1 and s.strip() == s),
       html=st.text(max_size=400), text=st.text(max_size=400))
def test_mime_round_trip(subject: str, html: str, text: str) -> None:
    parsed = parse_mime(build_mime(subject, html, text))
    assert parsed.subject == subject
    normal = {"\r\n": "\n", "\r": "\n"}
    for body, got in ((html, parsed.html), (text, parsed.text)):
        for a, b in normal.items():
            body = body.replace(a, b)
        assert got == body


def test_parse_mime_of_a_single_part_message() -> None:
    parsed = parse_mime("Subject: plain\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n")
    assert parsed.subject == "plain" and parsed.text == "hello\n" and parsed.html is None
