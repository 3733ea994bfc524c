"""Templated SendEmail and SendBulkEmail over boto3: stored and inline templates, the rendering-failure
drop, bulk limits, replacement-data merging and per-entry results."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from typing import Any

import pytest

from ses_workbench.mime import parse_mime
from ses_workbench.ses.local import LocalSes, read_events

from .conftest import SENDER, VERIFIED_DOMAIN, VERIFIED_TO, ManualClock, make_client

RECEIPT = {
    "Subject": "Order {{order.id}} for {{name}}",
    "Html": "<p>Hi {{name}}</p>{{#each order.items}}<li>{{this}}</li>{{/each}}"
            "<p>{{shop.name}} {{shop.city}}</p>",
    "Text": "Hi {{name}}, {{shop.name}} {{shop.city}}",
}
DEFAULT_DATA = {"name": "Default", "order": {"id": 1, "items": ["a", "b"]},
                "shop": {"name": "Shop", "city": "Oslo"}}


@pytest.fixture
def receipt(client: Any) -> str:
    client.create_email_template(TemplateName="receipt", TemplateContent=RECEIPT)
    return "receipt"


def send_template(client: Any, template: dict[str, Any], to: list[str] | None = None) -> str:
    out = client.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": to or [VERIFIED_TO]},
                            Content={"Template": template})
    return str(out["MessageId"])


def engine_message(content: dict[str, str], data: Any) -> str:
    """What our engine says about ``data`` (the message SES records in the rendering-failure event)."""
    from ses_workbench.engine import MissingAttributeError, render

    for part in ("Subject", "Html", "Text"):
        try:
            render(content[part], data)
        except MissingAttributeError as exc:
            assert str(exc).startswith("Attribute '") and str(exc).endswith(
                "' is not present in the rendering data.")
            return str(exc)
    raise AssertionError("the data renders")


def delivered(ses: LocalSes, message_id: str) -> Any:
    path = ses.outbox_message(message_id)
    assert path is not None, f"{message_id} was not delivered"
    return parse_mime(path.read_bytes())


# -- SendEmail with a template ------------------------------------------------------------------
def test_send_stored_template_by_name(ses: LocalSes, client: Any, receipt: str) -> None:
    message_id = send_template(client, {"TemplateName": receipt, "TemplateData": json.dumps(DEFAULT_DATA)})
    mail = delivered(ses, message_id)
    assert mail.subject == "Order 1 for Default"
    assert mail.html == "<p>Hi Default</p><li>a</li><li>b</li><p>Shop Oslo</p>"
    assert mail.text == "Hi Default, Shop Oslo"
    assert mail.header("From") == SENDER and mail.header("To") == VERIFIED_TO
    assert [e["eventType"] for e in ses.events(message_id=message_id)] == ["Send", "Delivery"]
    assert ses.events(message_id=message_id)[0]["mail"]["templateName"] == "receipt"


def test_send_stored_template_by_arn(ses: LocalSes, client: Any, receipt: str) -> None:
    arn = f"arn:aws:ses:us-east-1:123456789012:template/{receipt}"
    message_id = send_template(client, {"TemplateArn": arn, "TemplateData": json.dumps(DEFAULT_DATA)})
    assert delivered(ses, message_id).subject == "Order 1 for Default"


def test_send_unknown_template(client: Any) -> None:
    with pytest.raises(client.exceptions.NotFoundException):
        send_template(client, {"TemplateName": "nope", "TemplateData": "{}"})


def test_template_headers_are_added(ses: LocalSes, client: Any, receipt: str) -> None:
    header = {"Name": "List-Unsubscribe", "Value": "<mailto:u@x.io>"}
    message_id = send_template(client, {"TemplateName": receipt, "TemplateData": json.dumps(DEFAULT_DATA),
                                        "Headers": [header]})
    assert delivered(ses, message_id).header("List-Unsubscribe") == "<mailto:u@x.io>"


def test_missing_data_is_accepted_then_dropped_as_rendering_failure(ses: LocalSes, client: Any,
                                                                     receipt: str) -> None:
    data = {k: v for k, v in DEFAULT_DATA.items() if k != "shop"}
    message_id = send_template(client, {"TemplateName": receipt, "TemplateData": json.dumps(data)})
    assert message_id  # SES accepts the send...
    assert ses.outbox_message(message_id) is None  # ...and never delivers it
    [failure] = read_events(ses.state_dir, "Rendering Failure")
    assert failure["mail"]["messageId"] == message_id
    assert failure["failure"]["templateName"] == "receipt"
    assert failure["failure"]["errorMessage"] == engine_message(RECEIPT, data)
    assert [e["eventType"] for e in ses.events(message_id=message_id)] == ["Send", "Rendering Failure"]


def test_send_with_malformed_or_oversized_template_data(client: Any, receipt: str) -> None:
    with pytest.raises(client.exceptions.BadRequestException):
        send_template(client, {"TemplateName": receipt, "TemplateData": "{broken"})
    with pytest.raises(client.exceptions.BadRequestException):
        send_template(client, {"TemplateName": receipt, "TemplateData": json.dumps({"x": "y" * 262_144})})


def test_inline_template_plain_substitution(ses: LocalSes, client: Any) -> None:
    content = {"Subject": "Hi {{name}}", "Html": "<p>{{ name }} from {{{shop.name}}}</p>", "Text": "{{name}}"}
    message_id = send_template(client, {"TemplateContent": content,
                                        "TemplateData": json.dumps({"name": "Ann", "shop": {"name": "S"}})})
    mail = delivered(ses, message_id)
    assert (mail.subject, mail.html, mail.text) == ("Hi Ann", "<p>Ann from S</p>", "Ann")


@pytest.mark.parametrize("html", [
    "{{#if vip}}VIP{{/if}}",
    "{{#each items}}{{this}}{{/each}}",
    '{{#* inline "p"}}x{{/inline}}{{> p}}',
    "{{! a comment }}",
    "{{lookup a b}}",
])
def test_inline_template_refuses_operations(client: Any, html: str) -> None:
    with pytest.raises(client.exceptions.BadRequestException) as info:
        send_template(client, {"TemplateContent": {"Subject": "s", "Html": html}, "TemplateData": "{}"})
    assert info.value.response["Error"]["Message"] == "Template contains unsupported operations."


def test_inline_template_missing_data_is_a_rendering_failure(ses: LocalSes, client: Any) -> None:
    message_id = send_template(client, {"TemplateContent": {"Subject": "{{x}}", "Text": "t"},
                                        "TemplateData": "{}"})
    assert ses.outbox_message(message_id) is None
    assert ses.events("Rendering Failure", message_id)[0]["failure"]["errorMessage"] == \
        "Attribute 'x' is not present in the rendering data."


def test_templated_send_sandbox_and_sender_rules(client: Any, receipt: str) -> None:
    template = {"TemplateName": receipt, "TemplateData": json.dumps(DEFAULT_DATA)}
    with pytest.raises(client.exceptions.MessageRejected):
        send_template(client, template, to=["stranger@gmail.com"])
    with pytest.raises(client.exceptions.MessageRejected):
        client.send_email(FromEmailAddress="x@unverified.example", Destination={"ToAddresses": [VERIFIED_TO]},
                          Content={"Template": template})


# -- SendBulkEmail ------------------------------------------------------------------------------
def bulk(client: Any, entries: list[dict[str, Any]], template: str = "receipt",
         data: dict[str, Any] | None = None, sender: str = SENDER) -> list[dict[str, Any]]:
    out = client.send_bulk_email(
        FromEmailAddress=sender,
        DefaultContent={"Template": {"TemplateName": template,
                                     "TemplateData": json.dumps(DEFAULT_DATA if data is None else data)}},
        BulkEmailEntries=entries,
    )
    return list(out["BulkEmailEntryResults"])


def entry(to: str, replacement: dict[str, Any] | str | None = None) -> dict[str, Any]:
    e: dict[str, Any] = {"Destination": {"ToAddresses": [to]}}
    if replacement is not None:
        raw = replacement if isinstance(replacement, str) else json.dumps(replacement)
        e["ReplacementEmailContent"] = {"ReplacementTemplate": {"ReplacementTemplateData": raw}}
    return e


def test_bulk_merges_replacement_data_key_by_key(ses: LocalSes, client: Any, receipt: str) -> None:
    results = bulk(client, [
        entry(VERIFIED_TO),                                                        # defaults only
        entry(f"a@{VERIFIED_DOMAIN}", {"name": "Ann"}),                            # top-level key replaced
        entry(f"b@{VERIFIED_DOMAIN}", {"shop": {"city": "Bergen"}}),               # objects merge recursively
        entry(f"c@{VERIFIED_DOMAIN}", {"order": {"items": ["z"]}}),                # arrays replaced whole
    ])
    assert [r["Status"] for r in results] == ["SUCCESS"] * 4
    mails = [delivered(ses, r["MessageId"]) for r in results]
    assert mails[0].html == "<p>Hi Default</p><li>a</li><li>b</li><p>Shop Oslo</p>"
    assert mails[1].subject == "Order 1 for Ann"
    assert mails[2].text == "Hi Default, Shop Bergen"
    assert mails[3].html == "<p>Hi Default</p><li>z</li><p>Shop Oslo</p>"
    assert mails[3].subject == "Order 1 for Default"  # order.id kept from the default object
    assert [m.header("To") for m in mails] == [VERIFIED_TO, f"a@{VERIFIED_DOMAIN}", f"b@{VERIFIED_DOMAIN}",
                                                f"c@{VERIFIED_DOMAIN}"]


def test_bulk_at_most_50_entries(client: Any, receipt: str) -> None:
    entries = [entry(f"u{i}@{VERIFIED_DOMAIN}") for i in range(51)]
    with pytest.raises(client.exceptions.BadRequestException) as info:
        bulk(client, entries)
    assert "50" in str(info.value)
    assert len(bulk(client, entries[:50])) == 50


def test_bulk_per_entry_failures(ses: LocalSes, client: Any, receipt: str) -> None:
    results = bulk(client, [
        entry(VERIFIED_TO),
        entry("stranger@gmail.com"),                      # sandbox
        entry("not-an-address"),                          # invalid address
        entry(f"x@{VERIFIED_DOMAIN}", "{broken json"),    # malformed replacement data
        entry(f"y@{VERIFIED_DOMAIN}", {"shop": None}),    # null is missing: rendering failure, still SUCCESS
    ])
    assert [r["Status"] for r in results] == ["SUCCESS", "MESSAGE_REJECTED", "INVALID_PARAMETER",
                                              "INVALID_PARAMETER", "SUCCESS"]
    assert "stranger@gmail.com" in results[1]["Error"]
    assert "MessageId" not in results[1]
    assert ses.outbox_message(results[0]["MessageId"]) is not None
    assert ses.outbox_message(results[4]["MessageId"]) is None
    [failure] = ses.events("Rendering Failure")
    assert failure["mail"]["messageId"] == results[4]["MessageId"]
    assert failure["failure"] == {"errorMessage": engine_message(RECEIPT, {**DEFAULT_DATA, "shop": None}),
                                  "templateName": "receipt"}


def test_bulk_unknown_template_fails_every_entry(client: Any) -> None:
    results = bulk(client, [entry(VERIFIED_TO), entry(f"a@{VERIFIED_DOMAIN}")], template="nope")
    assert [r["Status"] for r in results] == ["TEMPLATE_NOT_FOUND"] * 2


def test_bulk_unverified_sender_rejects_the_call(client: Any, receipt: str) -> None:
    with pytest.raises(client.exceptions.MessageRejected):
        bulk(client, [entry(VERIFIED_TO)], sender="x@unverified.example")


def test_bulk_inline_template_rules(ses: LocalSes, client: Any) -> None:
    def call(html: str) -> Any:
        return client.send_bulk_email(
            FromEmailAddress=SENDER,
            DefaultContent={"Template": {"TemplateContent": {"Subject": "s {{name}}", "Html": html},
                                         "TemplateData": '{"name": "d"}'}},
            BulkEmailEntries=[entry(VERIFIED_TO, {"name": "e"})])

    [result] = call("<p>{{name}}</p>")["BulkEmailEntryResults"]
    assert delivered(ses, result["MessageId"]).html == "<p>e</p>"
    with pytest.raises(client.exceptions.BadRequestException):
        call("{{#if name}}x{{/if}}")


def test_bulk_daily_quota_per_entry(start_ses: Any) -> None:
    ses = start_ses(max_24h_send=2)
    client = make_client(ses.endpoint_url)
    client.create_email_template(TemplateName="receipt", TemplateContent=RECEIPT)
    results = bulk(client, [entry(VERIFIED_TO), entry("success@simulator.amazonses.com"),
                            entry(f"a@{VERIFIED_DOMAIN}"), entry(f"b@{VERIFIED_DOMAIN}")])
    assert [r["Status"] for r in results] == ["SUCCESS", "SUCCESS", "SUCCESS", "ACCOUNT_DAILY_QUOTA_EXCEEDED"]
    assert client.get_account()["SendQuota"]["SentLast24Hours"] == 2.0


def test_bulk_send_rate(start_ses: Any) -> None:
    ses = start_ses(max_send_rate=3.0, clock=ManualClock())
    client = make_client(ses.endpoint_url)
    client.create_email_template(TemplateName="receipt", TemplateContent=RECEIPT)
    entries = [entry(f"u{i}@{VERIFIED_DOMAIN}") for i in range(11)]
    results = bulk(client, entries)  # a burst of three seconds' worth, then the rate
    assert [r["Status"] for r in results] == ["SUCCESS"] * 9 + ["ACCOUNT_THROTTLED"] * 2
    # Nothing left in the bucket: the whole call is throttled.
    with pytest.raises(client.exceptions.TooManyRequestsException):
        bulk(client, entries[:1])


def test_bulk_replacement_headers_and_tags(ses: LocalSes, client: Any, receipt: str) -> None:
    out = client.send_bulk_email(
        FromEmailAddress=SENDER,
        DefaultEmailTags=[{"Name": "kind", "Value": "receipt"}],
        DefaultContent={"Template": {"TemplateName": receipt, "TemplateData": json.dumps(DEFAULT_DATA),
                                     "Headers": [{"Name": "X-Kind", "Value": "default"}]}},
        BulkEmailEntries=[{**entry(VERIFIED_TO), "ReplacementHeaders": [{"Name": "X-Kind", "Value": "mine"}],
                           "ReplacementTags": [{"Name": "fixture", "Value": "vip"}]}],
    )
    message_id = out["BulkEmailEntryResults"][0]["MessageId"]
    assert delivered(ses, message_id).header("X-Kind") == "mine"
    assert ses.events("Send", message_id)[0]["mail"]["tags"] == {"kind": ["receipt"], "fixture": ["vip"]}


def test_mixed_concurrent_operations_keep_the_store_consistent(ses: LocalSes) -> None:
    from concurrent.futures import ThreadPoolExecutor

    client = make_client(ses.endpoint_url)
    ops = ["create", "update", "render", "send", "delete", "list"]
    errors: list[str] = []

    def work(i: int) -> None:
        name = f"t{i % 5}"
        content = {"Subject": "s {{a}}", "Html": f"<p>{{{{a}}}} {i}</p>"}
        try:
            op = ops[i % len(ops)]
            if op == "create":
                client.create_email_template(TemplateName=name, TemplateContent=content)
            elif op == "update":
                client.update_email_template(TemplateName=name, TemplateContent=content)
            elif op == "render":
                client.test_render_email_template(TemplateName=name, TemplateData='{"a": 1}')
            elif op == "send":
                send_template(client, {"TemplateName": name, "TemplateData": '{"a": 1}'})
            elif op == "delete":
                client.delete_email_template(TemplateName=name)
            else:
                client.list_email_templates(PageSize=100)
        except (client.exceptions.NotFoundException, client.exceptions.AlreadyExistsException):
            pass
        except Exception as exc:  # anything else is a bug in the endpoint
            errors.append(repr(exc))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(300)))
    assert errors == []
    db = sqlite3.connect(f"file:{ses.store_dir / 'store.db'}?mode=ro", uri=True)
    with closing(db):
        stored = [json.loads(rec)["name"] for (rec,) in db.execute("SELECT rec FROM templates ORDER BY name")]
    listed = client.list_email_templates(PageSize=100)["TemplatesMetadata"]
    assert stored == [m["TemplateName"] for m in listed]
    assert len(ses.outbox_messages()) == len(ses.events("Delivery"))


def test_list_management_fills_in_the_unsubscribe_link(ses: LocalSes, client: Any) -> None:
    client.create_email_template(TemplateName="news", TemplateContent={
        "Subject": "News", "Html": '<a href="{{amazonSESUnsubscribeUrl}}">unsubscribe</a>'})
    out = client.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": [VERIFIED_TO]},
                            Content={"Template": {"TemplateName": "news", "TemplateData": "{}"}},
                            ListManagementOptions={"ContactListName": "list", "TopicName": "news"})
    mail = delivered(ses, out["MessageId"])
    url = f"https://unsubscribe.local-ses.invalid/{out['MessageId']}"
    assert mail.html == f'<a href="{url}">unsubscribe</a>'
    assert mail.header("List-Unsubscribe") == f"<{url}>"
