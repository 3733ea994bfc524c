"""Custom verification email templates at the local endpoint, over real HTTP through boto3's sesv2 client:
the five template operations, SendCustomVerificationEmail and the one-time verification link."""

from __future__ import annotations

import email
import email.policy
import http.client
import re
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest

from ses_workbench.ses.local import LocalSes
from tests.ses_local.conftest import SENDER, make_client

OK_URL = "https://app.example/verified"
NO_URL = "https://app.example/not-verified"


def create(client: Any, name: str = "confirm", **over: Any) -> None:
    params = dict(TemplateName=name, FromEmailAddress=SENDER, TemplateSubject="Confirm your address",
                  TemplateContent="<html><body><p>Please confirm {{not a tag}}</p></body></html>",
                  SuccessRedirectionURL=OK_URL, FailureRedirectionURL=NO_URL)
    params.update(over)
    client.create_custom_verification_email_template(**params)


def status(client: Any, identity: str) -> str:
    return str(client.get_email_identity(EmailIdentity=identity)["VerificationStatus"])


def open_link(url: str) -> tuple[int, str | None]:
    """GET the link as a browser would: no signature, no SDK."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        conn.request("GET", parts.path)
        resp = conn.getresponse()
        resp.read()
        return resp.status, resp.getheader("Location")
    finally:
        conn.close()


def link_in(ses: LocalSes) -> tuple[email.message.EmailMessage, str]:
    msg = email.message_from_bytes(ses.outbox_messages()[-1].read_bytes(), policy=email.policy.default)
    body = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    found = re.search(r'href="([^"]+)"', body)
    assert found, body
    return msg, found.group(1)  # type: ignore[return-value]


def test_template_crud_and_listing(client: Any) -> None:
    create(client)
    create(client, "second", TemplateSubject="Another")
    got = client.get_custom_verification_email_template(TemplateName="confirm")
    assert (got["FromEmailAddress"], got["TemplateSubject"], got["SuccessRedirectionURL"],
            got["FailureRedirectionURL"]) == (SENDER, "Confirm your address", OK_URL, NO_URL)
    assert "{{not a tag}}" in got["TemplateContent"]  # stored as given: no Handlebars here
    page = client.list_custom_verification_email_templates(PageSize=1)
    assert [t["TemplateName"] for t in page["CustomVerificationEmailTemplates"]] == ["confirm"]
    assert "TemplateContent" not in page["CustomVerificationEmailTemplates"][0]
    rest = client.list_custom_verification_email_templates(PageSize=1, NextToken=page["NextToken"])
    assert [t["TemplateName"] for t in rest["CustomVerificationEmailTemplates"]] == ["second"]
    assert "NextToken" not in rest
    client.update_custom_verification_email_template(
        TemplateName="confirm", FromEmailAddress=SENDER, TemplateSubject="New subject",
        TemplateContent="<p>new</p>", SuccessRedirectionURL=OK_URL, FailureRedirectionURL=NO_URL)
    assert client.get_custom_verification_email_template(TemplateName="confirm")["TemplateSubject"] == \
        "New subject"
    client.delete_custom_verification_email_template(TemplateName="second")
    names = [t["TemplateName"] for t in
             client.list_custom_verification_email_templates()["CustomVerificationEmailTemplates"]]
    assert names == ["confirm"]


def test_errors_as_sesv2_names_them(client: Any) -> None:
    create(client)
    with pytest.raises(client.exceptions.AlreadyExistsException):
        create(client)
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_custom_verification_email_template(TemplateName="nope")
    with pytest.raises(client.exceptions.NotFoundException):
        client.delete_custom_verification_email_template(TemplateName="nope")
    with pytest.raises(client.exceptions.NotFoundException):
        client.send_custom_verification_email(EmailAddress="a@b.example", TemplateName="nope")
    with pytest.raises(client.exceptions.NotFoundException, match="not verified"):
        create(client, "unverified-sender", FromEmailAddress="someone@unverified.example")
    with pytest.raises(client.exceptions.BadRequestException, match="not allowed"):
        create(client, "scripted", TemplateContent="<p>x</p><script>alert(1)</script>")
    with pytest.raises(client.exceptions.BadRequestException):
        client.send_custom_verification_email(EmailAddress="not an address", TemplateName="confirm")


def test_per_account_limit_of_fifty(client: Any) -> None:
    for i in range(50):
        create(client, f"t{i:02d}")
    with pytest.raises(client.exceptions.LimitExceededException):
        create(client, "one-too-many")


def test_send_makes_a_pending_identity_and_the_link_verifies_it_once(ses: LocalSes, client: Any) -> None:
    create(client)
    reply = client.send_custom_verification_email(EmailAddress="new.sender@example.org",
                                                  TemplateName="confirm")
    assert reply["MessageId"]
    assert status(client, "new.sender@example.org") == "PENDING"
    msg, link = link_in(ses)
    assert (msg["To"], msg["From"], msg["Subject"]) == ("new.sender@example.org", SENDER,
                                                        "Confirm your address")
    assert link.startswith(ses.endpoint_url + "/_local-ses/verify-link/")
    assert open_link(link) == (302, OK_URL)
    assert status(client, "new.sender@example.org") == "SUCCESS"
    assert open_link(link) == (302, NO_URL)  # used: the failure URL
    assert open_link(ses.endpoint_url + "/_local-ses/verify-link/forged-token") == (302, NO_URL)


def test_tokens_and_templates_survive_a_restart(start_ses: Any, state_dir: Any) -> None:
    ses = start_ses()
    client = make_client(ses.endpoint_url)
    create(client)
    client.send_custom_verification_email(EmailAddress="later@example.org", TemplateName="confirm")
    _msg, link = link_in(ses)
    token = link.rsplit("/", 1)[1]
    ses.stop()
    again = start_ses()
    client = make_client(again.endpoint_url)
    assert client.get_custom_verification_email_template(TemplateName="confirm")["TemplateSubject"]
    assert open_link(f"{again.endpoint_url}/_local-ses/verify-link/{token}") == (302, OK_URL)
    assert client.get_email_identity(EmailIdentity="later@example.org")["VerificationStatus"] == "SUCCESS"


def test_other_routes_still_need_a_signature(ses: LocalSes) -> None:
    parts = urlsplit(ses.endpoint_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    conn.request("GET", "/v2/email/custom-verification-email-templates")
    resp = conn.getresponse()
    resp.read()
    conn.close()
    assert resp.status == 403


def test_the_2017_api_serves_the_same_templates_with_its_error_codes(ses: LocalSes) -> None:
    v1 = boto3.client("ses", **ses.boto3_kwargs())
    v2 = make_client(ses.endpoint_url)
    create(v1)  # through the Query API ...
    got = v2.get_custom_verification_email_template(TemplateName="confirm")
    assert got["FailureRedirectionURL"] == NO_URL
    listed = v1.list_custom_verification_email_templates(MaxResults=10)["CustomVerificationEmailTemplates"]
    assert [t["TemplateName"] for t in listed] == ["confirm"]
    with pytest.raises(v1.exceptions.CustomVerificationEmailTemplateDoesNotExistException):
        v1.get_custom_verification_email_template(TemplateName="nope")
    with pytest.raises(v1.exceptions.CustomVerificationEmailTemplateAlreadyExistsException):
        create(v1)
    with pytest.raises(v1.exceptions.FromEmailAddressNotVerifiedException):
        create(v1, "other", FromEmailAddress="a@unverified.example")
    with pytest.raises(v1.exceptions.CustomVerificationEmailInvalidContentException):
        create(v1, "scripted", TemplateContent="<iframe src=x></iframe>")
    sent = v1.send_custom_verification_email(EmailAddress="q@example.org", TemplateName="confirm")
    assert sent["MessageId"]
    _msg, link = link_in(ses)
    assert open_link(link) == (302, OK_URL)
    v1.delete_custom_verification_email_template(TemplateName="confirm")  # ... and gone for sesv2 too
    assert v2.list_custom_verification_email_templates()["CustomVerificationEmailTemplates"] == []
