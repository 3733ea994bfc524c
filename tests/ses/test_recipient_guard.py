"""The recipient guard judges the address mail is delivered to, and refuses strings parsers read differently.

``qa@verified.test <victim@evil.test>`` used to be judged as ``qa@verified.test`` (verified) while the
endpoint delivered to ``victim@evil.test``; the simulator address in a display name skipped the quota.
Every test runs a production-mode endpoint (no sandbox to catch it afterwards) over HTTP.
"""

from __future__ import annotations

import email.utils
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ses_workbench.cli import main
from ses_workbench.project import Project
from ses_workbench.ses import send as S
from ses_workbench.ses import sync
from ses_workbench.ses.addresses import AddressError, parse_address
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.errors import Refused
from ses_workbench.ses.local import LocalSes, read_events
from ses_workbench.ses.local.rules import bare_address as endpoint_bare_address

from .conftest import CONFIG, make_client, settings, write_project

SIM = "success@simulator.amazonses.com"

# (string, what the refusal must say) — every form of the review, and the other specials.
AMBIGUOUS = [
    ("qa@verified.test <victim@evil.test>", "unquoted '@' in the display name"),
    ("success@simulator.amazonses.com <victim2@evil.test>", "unquoted '@' in the display name"),
    ("qa@verified.test)<victim@evil.test>", "unquoted '@' in the display name"),
    ("qa@verified.test (comment) <victim@evil.test>", "unquoted '@' in the display name"),
    ("QA (comment) <victim@evil.test>", "a comment"),
    ("QA) <victim@evil.test>", "a comment"),
    ("qa@verified.test\n<victim@evil.test>", "line break"),
    ("qa@verified.test\r\nBcc: victim@evil.test", "line break"),
    ("QA\t<qa@verified.test>", "control character"),
    ("qa@verified.test, victim@evil.test", "more than one address"),
    ("qa@verified.test; victim@evil.test", "more than one address"),
    ("QA, Team <victim@evil.test>", "more than one address"),
    ("<qa@verified.test> <victim@evil.test>", "unquoted '<'"),
    ("QA > <victim@evil.test>", "unquoted '>'"),
    ("<qa@verified.test> victim@evil.test", "text after the address"),
    ("team: qa@verified.test, victim@evil.test;", "a group"),
    ("team: victim@evil.test;", "a group"),
    ('"QA <victim@evil.test>', "unbalanced quote"),
    ("QA <victim@evil.test", "without its closing '>'"),
    ("qa@verified.test>", "without its opening '<'"),
    ("QA <qa@verified.test>>", "'>' inside '<...>'"),
    ('QA <"victim"@evil.test>', "'\"' inside '<...>'"),
    ("victim@[192.0.2.1]", "unquoted '['"),
    ("victim@evil.test@verified.test", "local address contains illegal character"),
    ("\x1b]0;title\x07 <qa@verified.test>", "control character"),
    ("Jörg <qa@verified.test>", "non-ASCII"),
    ("=?utf-8?q?qa?=@verified.test", "is read as qa@verified.test by one email parser"),
    (".<qa@verified.test>", "cannot be read by the stdlib's email parser"),
    ("", "empty"),
]


@pytest.fixture
def production(project: Project) -> Iterator[tuple[SesClient, LocalSes]]:
    """A production-mode account (no sandbox) with the project pushed: only the CLI guard stands."""
    with LocalSes(project.state_dir, settings(sandbox=False), port=0) as ses:
        client = make_client(project, ses)
        sync.push(client, project, ["welcome"])
        yield client, ses


def _sent_last_24h(client: SesClient) -> float:
    return client.get_account(refresh=True).sent_last_24h


@pytest.mark.parametrize("value, why", AMBIGUOUS)
def test_ambiguous_recipient_is_refused_and_nothing_is_sent(
        project: Project, production: tuple[SesClient, LocalSes], value: str, why: str) -> None:
    client, ses = production
    plan = S.plan_send(client, project, "welcome", [value, SIM])
    refusal = next(r for r in plan.refusals if r.startswith("recipient: "))
    assert why in refusal and repr(value) in refusal and "\n" not in refusal
    with pytest.raises(Refused):
        S.send(client, project, "welcome", [value])
    assert ses.outbox_messages() == [] and _sent_last_24h(client) == 0


def test_a_verified_address_in_the_display_name_does_not_verify_the_recipient(
        project: Project, production: tuple[SesClient, LocalSes]) -> None:
    """Quoted, the display name may say anything: the guard looks at the address in angle brackets."""
    client, ses = production
    plan = S.plan_send(client, project, "welcome", ['"qa@verified.test" <victim@evil.test>',
                                                    "qa@verified.test <victim@evil.test>"])
    assert plan.refusals[1:] == ['unverified recipients: "qa@verified.test" <victim@evil.test> (verify them, '
                             'use the mailbox simulator success@simulator.amazonses.com, or '
                             '--allow-unverified in a production account)']
    plan, report = S.send(client, project, "welcome", ['"victim@evil.test" <qa@verified.test>'])
    assert report is not None and report.ok
    (eml,) = ses.outbox_messages()
    assert "qa@verified.test" in eml.read_text()


def test_the_simulator_in_a_display_name_counts_against_the_quota(project: Project) -> None:
    with LocalSes(project.state_dir, settings(sandbox=False, max_24h_send=1), port=0) as ses:
        client = make_client(project, ses)
        sync.push(client, project, ["welcome"])
        unquoted = [f"{SIM} <a@verified.test>", f"{SIM} <b@verified.test>"]
        assert not S.plan_send(client, project, "welcome", unquoted).ok
        assert ses.outbox_messages() == []
        quoted = [f'"{SIM}" <a@verified.test>', f'"{SIM}" <b@verified.test>']
        plan = S.plan_send(client, project, "welcome", quoted + unquoted)
        assert any("4 emails exceed the 1 left" in r for r in plan.refusals)
        really_simulated = [f'"QA" <{SIM}>', f"Bounce <bounce@{SIM.split('@')[1]}>", "a@verified.test"]
        assert S.plan_send(client, project, "welcome", really_simulated).ok


def test_config_test_recipients_and_sender_follow_the_same_rule(tmp_path: Path) -> None:
    config = CONFIG.replace('test_recipients = ["qa@verified.test", "success@simulator.amazonses.com"]',
                            'test_recipients = ["qa@verified.test <victim@evil.test>"]')
    config = config.replace('sender = "QA <sender@example.com>"',
                            'sender = "sender@example.com <spoof@evil.test>"')
    project = write_project(tmp_path / "proj", config=config)
    with LocalSes(project.state_dir, settings(sandbox=False), port=0) as ses:
        client = make_client(project, ses)
        sync.push(client, project, ["welcome"])
        plan = S.plan_send(client, project, "welcome")
        assert [r.split(":")[0] for r in plan.refusals] == [
            "recipient (test_recipients in ses-workbench.toml)", "sender (sender in ses-workbench.toml)"]
        assert all("unquoted '@' in the display name" in r for r in plan.refusals)
        plan = S.plan_send(client, project, "welcome", [SIM], sender="QA (x) <sender@example.com>")
        assert plan.refusals == ["sender: not one unambiguous email address: 'QA (x) <sender@example.com>' "
                                 "has a comment '(...)' in the display name; SES would deliver to "
                                 "sender@example.com: give just that address, or quote the name: "
                                 '"Name" <sender@example.com>']


def test_cli_send_refuses_with_one_line_and_sends_nothing(project: Project,
                                                          production: tuple[SesClient, LocalSes],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    client, ses = production
    base = ["--dir", str(project.root), "--endpoint-url", ses.endpoint_url, "--yes"]
    assert main(["send", "welcome", "--to", "qa@verified.test <victim@evil.test>", *base]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "refused: recipient: not one unambiguous email address: 'qa@verified.test <victim@evil.test>' has an "
        "unquoted '@' in the display name; SES would deliver to victim@evil.test: give just that address, or "
        'quote the name: "Name" <victim@evil.test>']
    assert main(["send", "welcome", "--to", SIM, "--from", "sender@example.com <x@evil.test>", *base]) == 1
    assert "refused: sender: not one unambiguous email address" in capsys.readouterr().err
    assert ses.outbox_messages() == [] and _sent_last_24h(client) == 0
    assert main(["send", "welcome", "--to", f"Sim <{SIM}>", "--from", '"QA, Team" <sender@example.com>',
                 *base]) == 0
    assert "1/1 sent" in capsys.readouterr().out


ACCEPTED = [
    ("qa@verified.test", "qa@verified.test"),
    ("QA <qa@verified.test>", "qa@verified.test"),
    ("J. R. Smith <qa@verified.test>", "qa@verified.test"),
    ('"Smith, J. <boss@evil.test>" <qa@verified.test>', "qa@verified.test"),
    ("=?utf-8?q?J=C3=B6rg?= <qa+tag@verified.test>", "qa+tag@verified.test"),
    ("<qa@verified.test>", "qa@verified.test"),
    (f"Simulator <{SIM}>", SIM),
]


@pytest.mark.parametrize("value, address", ACCEPTED)
def test_an_accepted_string_is_delivered_to_the_address_the_guard_judged(
        project: Project, production: tuple[SesClient, LocalSes], value: str, address: str) -> None:
    client, ses = production
    assert parse_address(value).address == address == endpoint_bare_address(value)
    _, report = S.send(client, project, "welcome", [value])
    assert report is not None and report.ok
    delivered = read_events(project.state_dir, "Delivery")
    assert [e["delivery"]["recipients"] for e in delivered] == [[address]]


def test_address_helpers_refuse_instead_of_guessing() -> None:
    assert S.bare_address("QA <qa@x.test>") == "qa@x.test"
    with pytest.raises(AddressError, match="unquoted '@'"):
        S.bare_address("qa@x.test <victim@evil.test>")
    assert not S.is_simulator(f"{SIM} <victim@evil.test>")
    assert S.is_simulator(f'"x" <{SIM}>')


def test_render_mime_with_a_header_breaking_config_address_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = CONFIG.replace('test_recipients = ["qa@verified.test", "success@simulator.amazonses.com"]',
                            'test_recipients = ["qa@verified.test\\r\\nBcc: victim@evil.test"]')
    project = write_project(tmp_path / "proj", config=config)
    assert main(["render", "welcome", "--part", "mime", "--dir", str(project.root)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines() == [
        "ses-workbench: ses-workbench.toml: test_recipients: not one email address: "
        "'qa@verified.test\\r\\nBcc: victim@evil.test' contains a control character or line break ('\\r')"]


PIECES = st.sampled_from(["qa", "a.b", "Ann", " ", "@", "<", ">", '"', "\\", "(", ")", ",", ";", ":", ".",
                          "[", "]", "=?utf-8?q?x?=", "verified.test", "evil.test", "qa@verified.test",
                          "<qa@verified.test>", "victim@evil.test", "\n", "\t", "é"])


@hypothesis_settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=8).map("".join))
def test_any_string_is_one_address_every_parser_agrees_on_or_one_clear_refusal(value: str) -> None:
    """Never another exception (the stdlib's own parser trips over some names); what passes names one
    address for the endpoint, the stdlib's header parser and parseaddr alike."""
    try:
        address = parse_address(value).address
    except AddressError as exc:
        assert "\n" not in str(exc) and str(exc)
        return
    assert endpoint_bare_address(value) == address
    assert email.utils.getaddresses([value]) == [email.utils.parseaddr(value)]
    assert email.utils.parseaddr(value)[1] == address
