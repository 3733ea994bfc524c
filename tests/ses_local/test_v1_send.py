"""The 2017 API's sends over boto3's ``ses`` client: SendTemplatedEmail, SendBulkTemplatedEmail (default
data and tags, one Status per destination with SES's values), SendEmail and SendRawEmail — through the same
sandbox, rate, quota, outbox and events as the v2 sends."""

from __future__ import annotations

import json
from email.message import EmailMessage
from typing import Any

import pytest

from ses_workbench.mime import parse_mime
from ses_workbench.ses.local import LocalSes

from .conftest import SENDER, VERIFIED_DOMAIN, VERIFIED_TO, ManualClock, error_code, make_v1_client

TEMPLATE = {"TemplateName": "receipt", "SubjectPart": "Order {{order}} for {{name}}",
            "HtmlPart": "<p>Hi {{name}}</p>", "TextPart": "Hi {{name}}"}


@pytest.fixture
def v1(ses: LocalSes) -> Any:
    client = make_v1_client(ses.endpoint_url)
    client.create_template(Template=TEMPLATE)
    return client


def delivered(ses: LocalSes, message_id: str) -> Any:
    path = ses.outbox_message(message_id)
    assert path is not None, f"{message_id} was not delivered"
    return parse_mime(path.read_bytes())


def dest(*to: str) -> dict[str, Any]:
    return {"Destination": {"ToAddresses": list(to)}}


# -- SendTemplatedEmail ----------------------------------------------------------------------------
def test_send_templated_email(ses: LocalSes, v1: Any) -> None:
    out = v1.send_templated_email(Source=SENDER, Destination={"ToAddresses": [VERIFIED_TO],
                                                              "CcAddresses": [f"cc@{VERIFIED_DOMAIN}"]},
                                  ReplyToAddresses=[f"reply@{VERIFIED_DOMAIN}"], Template="receipt",
                                  TemplateData=json.dumps({"name": "Ana", "order": 7}),
                                  Tags=[{"Name": "campaign", "Value": "dec"}])
    mail = delivered(ses, out["MessageId"])
    assert (mail.subject, mail.text.strip(), mail.header("Cc")) == ("Order 7 for Ana", "Hi Ana",
                                                                    f"cc@{VERIFIED_DOMAIN}")
    assert mail.header("Reply-To") == f"reply@{VERIFIED_DOMAIN}"
    send = ses.events("Send", out["MessageId"])[0]["mail"]
    assert send["templateName"] == "receipt" and send["tags"] == {"campaign": ["dec"]}
    by_arn = v1.send_templated_email(Source=SENDER, Destination={"ToAddresses": [VERIFIED_TO]},
                                     Template="ignored-when-arn-given",
                                     TemplateArn="arn:aws:ses:us-east-1:123456789012:template/receipt",
                                     TemplateData='{"name": "B", "order": 1}')
    assert delivered(ses, by_arn["MessageId"]).subject == "Order 1 for B"


def test_send_templated_email_refusals(ses: LocalSes, v1: Any) -> None:
    base = dict(Source=SENDER, Destination={"ToAddresses": [VERIFIED_TO]}, TemplateData="{}")
    with pytest.raises(v1.exceptions.TemplateDoesNotExistException):
        v1.send_templated_email(**base, Template="nope")
    with pytest.raises(v1.exceptions.MessageRejected) as unverified:
        v1.send_templated_email(**{**base, "Source": "stranger@nowhere.example"}, Template="receipt")
    assert "not verified" in unverified.value.response["Error"]["Message"]
    with pytest.raises(v1.exceptions.MessageRejected):  # the sandbox: an unverified recipient
        v1.send_templated_email(**{**base, "Destination": {"ToAddresses": ["x@nowhere.example"]}},
                                Template="receipt")
    with pytest.raises(v1.exceptions.ClientError) as bad_address:
        v1.send_templated_email(**{**base, "Destination": {"ToAddresses": [VERIFIED_TO, "not-an-address"]}},
                                Template="receipt")
    assert error_code(bad_address.value) == "InvalidParameterValue"
    with pytest.raises(v1.exceptions.ClientError) as bad_data:
        v1.send_templated_email(**{**base, "TemplateData": "{oops"}, Template="receipt")
    assert error_code(bad_data.value) == "InvalidParameterValue"
    assert ses.outbox_messages() == []


def test_a_send_that_cannot_render_is_accepted_then_dropped(ses: LocalSes, v1: Any) -> None:
    out = v1.send_templated_email(Source=SENDER, Destination={"ToAddresses": [VERIFIED_TO]},
                                  Template="receipt", TemplateData='{"name": "Ana"}')
    assert ses.outbox_message(out["MessageId"]) is None
    failure = ses.events("Rendering Failure", out["MessageId"])[0]["failure"]
    assert failure == {"errorMessage": "Attribute 'order' is not present in the rendering data.",
                       "templateName": "receipt"}


def test_sending_paused(start_ses: Any) -> None:
    ses = start_ses(sending_enabled=False)
    v1 = make_v1_client(ses.endpoint_url)
    v1.create_template(Template=TEMPLATE)
    assert v1.get_account_sending_enabled()["Enabled"] is False
    with pytest.raises(v1.exceptions.AccountSendingPausedException):
        v1.send_templated_email(Source=SENDER, Destination={"ToAddresses": [VERIFIED_TO]}, Template="receipt",
                                TemplateData="{}")
    with pytest.raises(v1.exceptions.AccountSendingPausedException):
        v1.send_bulk_templated_email(Source=SENDER, Template="receipt", DefaultTemplateData="{}",
                                     Destinations=[dest(VERIFIED_TO)])


# -- SendBulkTemplatedEmail ------------------------------------------------------------------------
def test_bulk_default_data_tags_and_one_status_per_destination(ses: LocalSes, v1: Any) -> None:
    out = v1.send_bulk_templated_email(
        Source=SENDER, Template="receipt", DefaultTemplateData=json.dumps({"name": "Friend", "order": 0}),
        DefaultTags=[{"Name": "campaign", "Value": "dec"}, {"Name": "kind", "Value": "bulk"}],
        Destinations=[
            {**dest(VERIFIED_TO), "ReplacementTemplateData": json.dumps({"name": "Ana"}),
             "ReplacementTags": [{"Name": "kind", "Value": "vip"}]},
            dest(f"bo@{VERIFIED_DOMAIN}"),  # no ReplacementTemplateData: DefaultTemplateData alone
            dest("stranger@nowhere.example"),  # the sandbox
            {"Destination": {"ToAddresses": [f"c@{VERIFIED_DOMAIN}", "not-an-address"]}},
            {**dest(VERIFIED_TO), "ReplacementTemplateData": "{bad json"},
        ])
    statuses = out["Status"]
    assert [s["Status"] for s in statuses] == ["Success", "Success", "MessageRejected",
                                              "InvalidParameterValue", "InvalidParameterValue"]
    assert all("MessageId" in s for s in statuses[:2]) and all("Error" in s for s in statuses[2:])
    first, second = (delivered(ses, s["MessageId"]) for s in statuses[:2])
    assert (first.subject, second.subject) == ("Order 0 for Ana", "Order 0 for Friend")
    assert ses.events("Send", statuses[0]["MessageId"])[0]["mail"]["tags"] == {"campaign": ["dec"],
                                                                               "kind": ["vip"]}
    assert ses.events("Send", statuses[1]["MessageId"])[0]["mail"]["tags"] == {"campaign": ["dec"],
                                                                               "kind": ["bulk"]}
    # The destination with an invalid address is rejected whole: its valid recipient got nothing.
    assert len(ses.outbox_messages()) == 2


def test_bulk_unknown_template_and_rendering_failures(ses: LocalSes, v1: Any) -> None:
    missing = v1.send_bulk_templated_email(Source=SENDER, Template="nope", DefaultTemplateData="{}",
                                           Destinations=[dest(VERIFIED_TO), dest(VERIFIED_TO)])
    assert [s["Status"] for s in missing["Status"]] == ["TemplateDoesNotExist"] * 2
    out = v1.send_bulk_templated_email(Source=SENDER, Template="receipt", DefaultTemplateData='{"name": "x"}',
                                       Destinations=[dest(VERIFIED_TO)])
    (status,) = out["Status"]
    assert status["Status"] == "Success"  # accepted, then dropped like SES
    assert ses.events("Rendering Failure", status["MessageId"])[0]["failure"]["templateName"] == "receipt"


def test_bulk_limits(ses: LocalSes, v1: Any) -> None:
    with pytest.raises(v1.exceptions.ClientError) as too_many:
        v1.send_bulk_templated_email(Source=SENDER, Template="receipt", DefaultTemplateData="{}",
                                     Destinations=[dest(VERIFIED_TO)] * 51)
    assert error_code(too_many.value) == "InvalidParameterValue"
    assert "maximum is 50" in too_many.value.response["Error"]["Message"]
    with pytest.raises(v1.exceptions.MessageRejected):
        v1.send_bulk_templated_email(Source="stranger@nowhere.example", Template="receipt",
                                     DefaultTemplateData="{}", Destinations=[dest(VERIFIED_TO)])
    with pytest.raises(v1.exceptions.ClientError) as bad_default:
        v1.send_bulk_templated_email(Source=SENDER, Template="receipt", DefaultTemplateData="[",
                                     Destinations=[dest(VERIFIED_TO)])
    assert error_code(bad_default.value) == "InvalidParameterValue"
    assert ses.outbox_messages() == []


def test_bulk_rate_and_quota_statuses(start_ses: Any) -> None:
    clock = ManualClock()
    ses = start_ses(clock=clock, max_send_rate=2.0, send_burst_seconds=1.0)
    v1 = make_v1_client(ses.endpoint_url)
    v1.create_template(Template=TEMPLATE)
    data = '{"name": "n", "order": 1}'
    out = v1.send_bulk_templated_email(Source=SENDER, Template="receipt", DefaultTemplateData=data,
                                       Destinations=[dest(VERIFIED_TO)] * 3)
    assert [s["Status"] for s in out["Status"]] == ["Success", "Success", "AccountThrottled"]
    with pytest.raises(v1.exceptions.ClientError) as throttled:  # every destination throttled
        v1.send_bulk_templated_email(Source=SENDER, Template="receipt", DefaultTemplateData=data,
                                     Destinations=[dest(VERIFIED_TO)])
    assert (error_code(throttled.value), throttled.value.response["Error"]["Message"]) == (
        "Throttling", "Maximum sending rate exceeded.")

    quota = start_ses(directory=ses.state_dir.parent / "other", max_24h_send=2)
    v1q = make_v1_client(quota.endpoint_url)
    v1q.create_template(Template=TEMPLATE)
    out = v1q.send_bulk_templated_email(Source=SENDER, Template="receipt", DefaultTemplateData=data,
                                        Destinations=[dest(VERIFIED_TO),
                                                      dest("success@simulator.amazonses.com"),
                                                      dest(VERIFIED_TO), dest(VERIFIED_TO)])
    assert [s["Status"] for s in out["Status"]] == ["Success", "Success", "Success",
                                                    "AccountDailyQuotaExceeded"]
    with pytest.raises(v1q.exceptions.ClientError) as spent:
        v1q.send_templated_email(Source=SENDER, Destination={"ToAddresses": [VERIFIED_TO]},
                                 Template="receipt", TemplateData=data)
    assert (error_code(spent.value), spent.value.response["Error"]["Message"]) == (
        "Throttling", "Daily message quota exceeded.")
    assert v1q.get_send_quota()["SentLast24Hours"] == 2.0


# -- SendEmail and SendRawEmail --------------------------------------------------------------------
def test_send_email(ses: LocalSes, v1: Any) -> None:
    out = v1.send_email(Source=SENDER, Destination={"ToAddresses": [VERIFIED_TO]},
                        Message={"Subject": {"Data": "Plain", "Charset": "UTF-8"},
                                 "Body": {"Text": {"Data": "text ✓"}, "Html": {"Data": "<p>html</p>"}}})
    mail = delivered(ses, out["MessageId"])
    assert (mail.subject, mail.text.strip(), mail.html) == ("Plain", "text ✓", "<p>html</p>")
    with pytest.raises(v1.exceptions.MessageRejected):
        v1.send_email(Source=SENDER, Destination={"ToAddresses": ["x@nowhere.example"]},
                      Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}})


def raw_message(to: list[str], cc: list[str] = (), bcc: list[str] = (), sender: str = SENDER,  # type: ignore
                body: str = "hello") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, ", ".join(to), "Raw"
    if cc:
        msg["Cc"] = ", ".join(cc)
    if bcc:
        msg["Bcc"] = ", ".join(bcc)
    msg.set_content(body)
    return msg.as_bytes()


def test_send_raw_email_from_its_headers_or_the_parameters(ses: LocalSes, v1: Any) -> None:
    data = raw_message([VERIFIED_TO], cc=[f"cc@{VERIFIED_DOMAIN}"], bcc=[f"hidden@{VERIFIED_DOMAIN}"])
    out = v1.send_raw_email(RawMessage={"Data": data})
    assert ses.outbox_message(out["MessageId"]).read_bytes() == data
    assert ses.events("Send", out["MessageId"])[0]["mail"]["destination"] == [
        VERIFIED_TO, f"cc@{VERIFIED_DOMAIN}", f"hidden@{VERIFIED_DOMAIN}"]
    # Destinations and Source win over the message's headers.
    out = v1.send_raw_email(Source=f"other@{VERIFIED_DOMAIN}", Destinations=[f"only@{VERIFIED_DOMAIN}"],
                            RawMessage={"Data": raw_message(["x@nowhere.example"])},
                            Tags=[{"Name": "k", "Value": "v"}])
    mail = ses.events("Send", out["MessageId"])[0]["mail"]
    assert (mail["destination"], mail["source"], mail["tags"]) == (
        [f"only@{VERIFIED_DOMAIN}"], f"other@{VERIFIED_DOMAIN}", {"k": ["v"]})
    with pytest.raises(v1.exceptions.MessageRejected):  # From header not a verified identity
        v1.send_raw_email(RawMessage={"Data": raw_message([VERIFIED_TO], sender="stranger@nowhere.example")})


def test_send_raw_email_limits(start_ses: Any) -> None:
    ses = start_ses(max_raw_message_bytes=2000)
    v1 = make_v1_client(ses.endpoint_url)
    with pytest.raises(v1.exceptions.MessageRejected) as big:
        v1.send_raw_email(RawMessage={"Data": raw_message([VERIFIED_TO], body="x" * 3000)})
    assert "Message length is more than 2000 bytes" in big.value.response["Error"]["Message"]
    many = [f"r{i}@{VERIFIED_DOMAIN}" for i in range(30)]
    with pytest.raises(v1.exceptions.ClientError) as too_many:  # 51 recipients across To/Cc/Bcc
        v1.send_raw_email(RawMessage={"Data": raw_message(many[:20], cc=many[20:], bcc=[
            f"b{i}@{VERIFIED_DOMAIN}" for i in range(21)])})
    assert error_code(too_many.value) == "InvalidParameterValue"
    with pytest.raises(v1.exceptions.ClientError) as too_many_params:
        v1.send_raw_email(Destinations=[f"d{i}@{VERIFIED_DOMAIN}" for i in range(51)],
                          RawMessage={"Data": raw_message([VERIFIED_TO])})
    assert error_code(too_many_params.value) == "InvalidParameterValue"
    assert ses.outbox_messages() == []
