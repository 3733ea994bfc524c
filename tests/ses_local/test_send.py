"""SendEmail with Simple and Raw content: sandbox, sender verification, address validation, rate and
quota limits, the mailbox simulator, the outbox and events — all through boto3 over HTTP."""

from __future__ import annotations

import email
import email.policy
import time
from typing import Any

import pytest

from ses_workbench.mime import build_mime, parse_mime
from ses_workbench.ses.local import LocalSes, read_events

from .conftest import (
    SENDER,
    VERIFIED_DOMAIN,
    VERIFIED_TO,
    ManualClock,
    error_code,
    make_client,
    simple_content,
)


def send(client: Any, to: list[str], sender: str = SENDER, **extra: Any) -> Any:
    return client.send_email(FromEmailAddress=sender, Destination={"ToAddresses": to},
                             Content=extra.pop("Content", simple_content()), **extra)


def test_simple_send_is_delivered_to_the_outbox(ses: LocalSes, client: Any) -> None:
    out = client.send_email(
        FromEmailAddress=f"Shop <{SENDER}>",
        Destination={"ToAddresses": [VERIFIED_TO], "CcAddresses": [f"cc@{VERIFIED_DOMAIN}"],
                     "BccAddresses": ["success@simulator.amazonses.com"]},
        ReplyToAddresses=["help@example.com"],
        Content=simple_content("Grüße", "Hallo Welt ✓", "<p>Hallo <b>Welt</b> ✓</p>"),
        EmailTags=[{"Name": "campaign", "Value": "test"}],
    )
    message_id = out["MessageId"]
    [path] = ses.outbox_messages()
    assert path.name.endswith(f"-{message_id}.eml")
    assert ses.outbox_message(message_id) == path
    raw = path.read_bytes()
    parsed = parse_mime(raw)
    assert parsed.subject == "Grüße"
    assert parsed.text == "Hallo Welt ✓"
    assert parsed.html == "<p>Hallo <b>Welt</b> ✓</p>"
    assert parsed.header("From") == f"Shop <{SENDER}>"
    assert parsed.header("To") == VERIFIED_TO
    assert parsed.header("Cc") == f"cc@{VERIFIED_DOMAIN}"
    assert parsed.header("Bcc") is None
    assert parsed.header("Reply-To") == "help@example.com"
    assert message_id in (parsed.header("Message-ID") or "")
    # Any mail client opens it: a standard parser sees a multipart/alternative with both bodies.
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    assert msg.get_body(("plain",)).get_content().strip() == "Hallo Welt ✓"  # type: ignore[union-attr]
    assert raw.isascii()

    events = ses.events(message_id=message_id)
    assert [e["eventType"] for e in events] == ["Send", "Delivery"]
    assert events[0]["mail"]["tags"] == {"campaign": ["test"]}
    assert sorted(events[1]["delivery"]["recipients"]) == sorted(
        [VERIFIED_TO, f"cc@{VERIFIED_DOMAIN}", "success@simulator.amazonses.com"])
    assert events[1]["delivery"]["outboxPath"] == str(path)


def test_custom_headers_on_simple_content(ses: LocalSes, client: Any) -> None:
    content = simple_content()
    content["Simple"]["Headers"] = [{"Name": "X-Campaign", "Value": "spring"}]
    message_id = send(client, [VERIFIED_TO], Content=content)["MessageId"]
    path = ses.outbox_message(message_id)
    assert path is not None
    assert parse_mime(path.read_bytes()).header("X-Campaign") == "spring"


def test_unverified_sender_is_rejected(ses: LocalSes, client: Any) -> None:
    with pytest.raises(client.exceptions.MessageRejected) as info:
        send(client, [VERIFIED_TO], sender="stranger@elsewhere.example")
    assert "Email address is not verified" in str(info.value)
    assert "stranger@elsewhere.example" in str(info.value)
    assert ses.outbox_messages() == []


def test_sender_verified_through_its_domain(client: Any) -> None:
    assert send(client, [VERIFIED_TO], sender=f"news@{VERIFIED_DOMAIN}")["MessageId"]


def test_sandbox_rejects_unverified_recipients(ses: LocalSes, client: Any) -> None:
    with pytest.raises(client.exceptions.MessageRejected) as info:
        send(client, [VERIFIED_TO, "someone@gmail.com"])
    assert "someone@gmail.com" in str(info.value)
    assert ses.outbox_messages() == []


@pytest.mark.parametrize("recipient", [
    VERIFIED_TO,
    f"anyone@{VERIFIED_DOMAIN}",
    f"Anyone@{VERIFIED_DOMAIN.upper()}",
    "success@simulator.amazonses.com",
    "success+label-1@simulator.amazonses.com",
    "bounce@simulator.amazonses.com",
    "ooto@simulator.amazonses.com",
    "complaint@simulator.amazonses.com",
    "suppressionlist@simulator.amazonses.com",
])
def test_sandbox_allows_verified_and_simulator_recipients(client: Any, recipient: str) -> None:
    assert send(client, [recipient])["MessageId"]


def test_sandbox_local_part_is_case_sensitive_and_labels_need_verifying(client: Any) -> None:
    # Safe side: an address identity verifies exactly that address.
    with pytest.raises(client.exceptions.MessageRejected):
        send(client, ["Friend@example.com"])
    with pytest.raises(client.exceptions.MessageRejected):
        send(client, ["friend+x@example.com"])
    with pytest.raises(client.exceptions.MessageRejected):
        send(client, ["nobody@simulator.amazonses.com"])


def test_production_account_sends_anywhere(start_ses: Any) -> None:
    ses = start_ses(sandbox=False)
    client = make_client(ses.endpoint_url)
    assert send(client, ["someone@gmail.com"])["MessageId"]
    # ...but the sender must still be verified.
    with pytest.raises(client.exceptions.MessageRejected):
        send(client, ["someone@gmail.com"], sender="stranger@gmail.com")


@pytest.mark.parametrize("bad", [
    "no-at-sign",
    "two@@example.com",
    "spaces in@example.com",
    "user@nodot",
    "user@-bad-.example",
    "user@example.c",
    "ünïcode@example.com",
    "Name <user@example.com",
    "",
])
def test_an_invalid_address_rejects_the_whole_message(ses: LocalSes, client: Any, bad: str) -> None:
    with pytest.raises(client.exceptions.BadRequestException) as info:
        send(client, [VERIFIED_TO, bad])
    assert "Invalid email address" in str(info.value)
    assert ses.outbox_messages() == []


def test_invalid_sender_or_reply_to(client: Any) -> None:
    with pytest.raises(client.exceptions.BadRequestException):
        send(client, [VERIFIED_TO], sender="not-an-address")
    with pytest.raises(client.exceptions.BadRequestException):
        send(client, [VERIFIED_TO], ReplyToAddresses=["broken@"])


def test_display_name_forms_are_accepted(client: Any) -> None:
    assert send(client, [f'"Friend, Dear" <{VERIFIED_TO}>', f"=?utf-8?q?J=C3=B6rg?= <{VERIFIED_TO}>"])


def test_more_than_50_recipients_is_refused(client: Any) -> None:
    to = [f"u{i}@{VERIFIED_DOMAIN}" for i in range(51)]
    with pytest.raises(client.exceptions.BadRequestException) as info:
        send(client, to)
    assert "Recipient count exceeds 50" in str(info.value)
    assert send(client, to[:50])["MessageId"]


def test_no_recipients_and_no_content(client: Any) -> None:
    with pytest.raises(client.exceptions.BadRequestException):
        client.send_email(FromEmailAddress=SENDER, Destination={}, Content=simple_content())
    with pytest.raises(client.exceptions.BadRequestException):
        client.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": [VERIFIED_TO]}, Content={})


def test_mailbox_simulator_events(ses: LocalSes, client: Any) -> None:
    bounce = send(client, ["bounce@simulator.amazonses.com"])["MessageId"]
    complaint = send(client, ["complaint+x@simulator.amazonses.com"])["MessageId"]
    assert [e["eventType"] for e in ses.events(message_id=bounce)] == ["Send", "Bounce"]
    assert ses.outbox_message(bounce) is None  # a bounce is not delivered
    assert [e["eventType"] for e in ses.events(message_id=complaint)] == ["Send", "Delivery", "Complaint"]
    assert read_events(ses.state_dir, "Bounce")[0]["bounce"]["bouncedRecipients"] == [
        {"emailAddress": "bounce@simulator.amazonses.com"}]


# -- raw content --------------------------------------------------------------------------------
def test_raw_send_is_stored_as_is(ses: LocalSes, client: Any) -> None:
    raw = build_mime("Raw subject", "<p>raw</p>", "raw", sender=SENDER, to=[VERIFIED_TO],
                     headers={"X-Draft": "yes"})
    out = client.send_email(Content={"Raw": {"Data": raw}})  # From/To taken from the message
    path = ses.outbox_message(out["MessageId"])
    assert path is not None
    assert path.read_bytes() == raw
    assert parse_mime(path.read_bytes()).header("X-Draft") == "yes"
    assert ses.events(message_id=out["MessageId"])[0]["mail"]["destination"] == [VERIFIED_TO]


def test_raw_send_with_explicit_destination_and_sandbox(client: Any) -> None:
    raw = build_mime("s", None, "t", sender=SENDER, to=["someone@gmail.com"])
    with pytest.raises(client.exceptions.MessageRejected):
        client.send_email(Content={"Raw": {"Data": raw}})
    out = client.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": [VERIFIED_TO]},
                            Content={"Raw": {"Data": raw}})
    assert out["MessageId"]


def test_raw_send_without_from_is_refused(client: Any) -> None:
    raw = b"To: friend@example.com\r\nSubject: x\r\n\r\nbody\r\n"
    with pytest.raises(client.exceptions.BadRequestException) as info:
        client.send_email(Content={"Raw": {"Data": raw}})
    assert "From" in str(info.value)


def test_raw_send_size_limit(start_ses: Any) -> None:
    ses = start_ses(max_raw_message_bytes=2000)
    client = make_client(ses.endpoint_url)
    small = build_mime("s", None, "x" * 100, sender=SENDER, to=[VERIFIED_TO])
    assert client.send_email(Content={"Raw": {"Data": small}})["MessageId"]
    big = build_mime("s", None, "x" * 3000, sender=SENDER, to=[VERIFIED_TO])
    with pytest.raises(client.exceptions.BadRequestException) as info:
        client.send_email(Content={"Raw": {"Data": big}})
    assert "Message length is more than 2000 bytes" in str(info.value)


def test_raw_send_default_limit_is_10_mb(client: Any) -> None:
    body = b"x" * (10 * 1024 * 1024)
    raw = f"From: {SENDER}\r\nTo: {VERIFIED_TO}\r\nSubject: big\r\n\r\n".encode() + body
    with pytest.raises(client.exceptions.BadRequestException) as info:
        client.send_email(Content={"Raw": {"Data": raw}})
    assert "10485760" in str(info.value)


# -- rate and quota -----------------------------------------------------------------------------
def test_send_rate_is_enforced_in_recipients_per_second(start_ses: Any) -> None:
    clock = ManualClock()
    ses = start_ses(max_send_rate=4.0, clock=clock)
    client = make_client(ses.endpoint_url)
    for _ in range(12):  # a short burst: three seconds' worth at once
        send(client, [VERIFIED_TO])
    with pytest.raises(client.exceptions.TooManyRequestsException) as info:
        send(client, [VERIFIED_TO])
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert "Maximum sending rate exceeded" in str(info.value)
    clock.advance(0.25)  # 4/s refills one recipient in 0.25 s
    assert send(client, [VERIFIED_TO])["MessageId"]
    with pytest.raises(client.exceptions.TooManyRequestsException):
        send(client, [VERIFIED_TO])


def test_send_rate_counts_every_recipient(start_ses: Any) -> None:
    clock = ManualClock()
    ses = start_ses(max_send_rate=3.0, clock=clock)
    client = make_client(ses.endpoint_url)
    for _ in range(4):  # eight recipients of a nine-recipient burst
        send(client, [VERIFIED_TO, "success@simulator.amazonses.com"])
    # Five calls would be under the burst, but ten recipients are not.
    with pytest.raises(client.exceptions.TooManyRequestsException):
        send(client, [VERIFIED_TO, "success@simulator.amazonses.com"])
    clock.advance(0.2)  # 0.6 of a recipient back at 3/s: still not room for two
    with pytest.raises(client.exceptions.TooManyRequestsException):
        send(client, [VERIFIED_TO, "success@simulator.amazonses.com"])
    clock.advance(0.2)
    assert send(client, [VERIFIED_TO, "success@simulator.amazonses.com"])["MessageId"]


def test_short_bursts_over_the_rate_are_accepted_sustained_sending_is_not(start_ses: Any) -> None:
    clock = ManualClock()
    ses = start_ses(max_send_rate=1.0, clock=clock)  # a fresh sandbox account: 1 recipient per second
    client = make_client(ses.endpoint_url)
    client.create_email_template(TemplateName="t", TemplateContent={"Subject": "Hi", "Text": "Hello"})
    entries = [{"Destination": {"ToAddresses": [f"u{i}@{VERIFIED_DOMAIN}"]}} for i in range(3)]
    out = client.send_bulk_email(FromEmailAddress=SENDER, BulkEmailEntries=entries,
                                 DefaultContent={"Template": {"TemplateName": "t", "TemplateData": "{}"}})
    assert [r["Status"] for r in out["BulkEmailEntryResults"]] == ["SUCCESS"] * 3
    # The burst is spent: from now on one recipient per second, as long as sending goes on.
    with pytest.raises(client.exceptions.TooManyRequestsException):
        send(client, [VERIFIED_TO])
    for _ in range(5):
        clock.advance(1.0)
        assert send(client, [VERIFIED_TO])["MessageId"]
        with pytest.raises(client.exceptions.TooManyRequestsException):
            send(client, [VERIFIED_TO])


def test_paced_sends_at_the_limit_are_never_throttled(start_ses: Any) -> None:
    ses = start_ses(max_send_rate=50.0)
    client = make_client(ses.endpoint_url)
    for _ in range(50):  # one second's capacity in a burst empties the bucket...
        send(client, ["success@simulator.amazonses.com"])
    interval = 1 / 50
    start = time.monotonic()
    for i in range(40):
        # ...then a client pacing exactly at MaxSendRate is never throttled
        target = start + (i + 1) * interval
        delay = target - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        send(client, ["success@simulator.amazonses.com"])


def test_daily_quota(start_ses: Any) -> None:
    ses = start_ses(max_24h_send=3)
    client = make_client(ses.endpoint_url)
    send(client, [VERIFIED_TO, f"a@{VERIFIED_DOMAIN}"])
    assert client.get_account()["SendQuota"]["SentLast24Hours"] == 2.0
    # The mailbox simulator does not count against the daily quota.
    send(client, ["success@simulator.amazonses.com"])
    assert client.get_account()["SendQuota"]["SentLast24Hours"] == 2.0
    with pytest.raises(client.exceptions.LimitExceededException) as info:
        send(client, [VERIFIED_TO, f"b@{VERIFIED_DOMAIN}"])
    assert "Daily message quota exceeded" in str(info.value)
    send(client, [VERIFIED_TO])
    with pytest.raises(client.exceptions.LimitExceededException):
        send(client, [VERIFIED_TO])
    assert client.get_account()["SendQuota"]["SentLast24Hours"] == 3.0


def test_sent_count_survives_restart(start_ses: Any) -> None:
    first = start_ses()
    send(make_client(first.endpoint_url), [VERIFIED_TO, f"x@{VERIFIED_DOMAIN}"])
    first.stop()
    second = start_ses()
    assert make_client(second.endpoint_url).get_account()["SendQuota"]["SentLast24Hours"] == 2.0


def test_concurrent_sends_are_all_recorded(ses: LocalSes) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def worker(i: int) -> str:
        client = make_client(ses.endpoint_url)
        return str(send(client, [f"u{i}@{VERIFIED_DOMAIN}"])["MessageId"])

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(worker, range(40)))
    assert len(set(ids)) == 40
    assert len(ses.outbox_messages()) == 40
    assert len(ses.events("Delivery")) == 40
    assert make_client(ses.endpoint_url).get_account()["SendQuota"]["SentLast24Hours"] == 40.0


def test_error_code_helper_sees_the_error_type(client: Any) -> None:
    try:
        send(client, ["someone@gmail.com"])
    except client.exceptions.MessageRejected as exc:
        assert error_code(exc) == "MessageRejected"
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 400
