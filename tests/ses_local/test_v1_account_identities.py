"""The 2017 API's account and identity operations over boto3's ``ses`` client: GetSendQuota,
GetSendStatistics, GetAccountSendingEnabled, Verify*Identity, ListIdentities,
GetIdentityVerificationAttributes, DeleteIdentity — over the same identities as v2."""

from __future__ import annotations

from typing import Any

import pytest

from ses_workbench.ses.local import LocalSes

from .conftest import (
    SENDER,
    VERIFIED_DOMAIN,
    VERIFIED_TO,
    error_code,
    make_client,
    make_v1_client,
    simple_content,
)


@pytest.fixture
def v1(ses: LocalSes) -> Any:
    return make_v1_client(ses.endpoint_url)


def test_send_quota_and_sending_enabled(start_ses: Any) -> None:
    ses = start_ses(max_send_rate=14.0, max_24h_send=5000)
    v1, v2 = make_v1_client(ses.endpoint_url), make_client(ses.endpoint_url)
    quota = v1.get_send_quota()
    assert (quota["Max24HourSend"], quota["MaxSendRate"], quota["SentLast24Hours"]) == (5000.0, 14.0, 0.0)
    v2.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": [VERIFIED_TO, f"b@{VERIFIED_DOMAIN}"]},
                  Content=simple_content())
    assert v1.get_send_quota()["SentLast24Hours"] == 2.0
    assert v1.get_account_sending_enabled()["Enabled"] is True


def test_send_statistics_count_attempts_bounces_and_complaints(ses: LocalSes, v1: Any) -> None:
    assert v1.get_send_statistics()["SendDataPoints"] == []
    message = {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}
    v1.send_email(Source=SENDER, Destination={"ToAddresses": [VERIFIED_TO, "bounce@simulator.amazonses.com"]},
                  Message=message)
    v1.send_email(Source=SENDER, Destination={"ToAddresses": ["complaint@simulator.amazonses.com"]},
                  Message=message)
    (point,) = v1.get_send_statistics()["SendDataPoints"]
    counts = (point["DeliveryAttempts"], point["Bounces"], point["Complaints"], point["Rejects"])
    assert counts == (3, 1, 1, 0)
    assert point["Timestamp"].minute % 15 == 0 and point["Timestamp"].second == 0


def test_verify_list_attributes_delete(ses: LocalSes, v1: Any) -> None:
    v1.verify_email_identity(EmailAddress="new@example.org")
    v1.verify_email_identity(EmailAddress="new@example.org")  # repeating it is fine (SES resends the mail)
    token = v1.verify_domain_identity(Domain="brand.example")["VerificationToken"]
    assert token and v1.verify_domain_identity(Domain="brand.example")["VerificationToken"] == token

    assert set(v1.list_identities()["Identities"]) == {SENDER, VERIFIED_TO, VERIFIED_DOMAIN,
                                                       "new@example.org", "brand.example"}
    assert set(v1.list_identities(IdentityType="Domain")["Identities"]) == {VERIFIED_DOMAIN, "brand.example"}
    assert set(v1.list_identities(IdentityType="EmailAddress")["Identities"]) == {
        SENDER, VERIFIED_TO, "new@example.org"}
    attrs = v1.get_identity_verification_attributes(
        Identities=["new@example.org", "brand.example", SENDER, "unknown@example.org"]
    )["VerificationAttributes"]
    assert attrs == {"new@example.org": {"VerificationStatus": "Pending"},
                     "brand.example": {"VerificationStatus": "Pending", "VerificationToken": token},
                     SENDER: {"VerificationStatus": "Success"}}

    # The same identities as v2: verified by the owner's click (local-ses verify), seen by both APIs.
    v2 = make_client(ses.endpoint_url)
    assert v2.get_email_identity(EmailIdentity="new@example.org")["VerificationStatus"] == "PENDING"
    ses.verify_identity("new@example.org")
    attrs = v1.get_identity_verification_attributes(Identities=["new@example.org"])["VerificationAttributes"]
    assert attrs == {"new@example.org": {"VerificationStatus": "Success"}}
    v1.send_email(Source="new@example.org", Destination={"ToAddresses": [VERIFIED_TO]},
                  Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}})

    v1.delete_identity(Identity="brand.example")
    v1.delete_identity(Identity="brand.example")  # the 2017 API: deleting an unknown identity succeeds
    with pytest.raises(v2.exceptions.NotFoundException):
        v2.get_email_identity(EmailIdentity="brand.example")
    assert "brand.example" not in v1.list_identities()["Identities"]


def test_list_identities_pages(ses: LocalSes, v1: Any) -> None:
    for i in range(5):
        v1.verify_email_identity(EmailAddress=f"p{i}@example.org")
    seen, token = [], None
    while True:
        page = v1.list_identities(MaxItems=3, **({"NextToken": token} if token else {}))
        assert len(page["Identities"]) <= 3
        seen += page["Identities"]
        token = page.get("NextToken")
        if not token:
            break
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 8


def test_invalid_identities(v1: Any) -> None:
    for call in (lambda: v1.verify_email_identity(EmailAddress="no-at-sign"),
                 lambda: v1.verify_email_identity(EmailAddress="two@@example.org"),
                 lambda: v1.verify_domain_identity(Domain="user@example.org")):
        with pytest.raises(v1.exceptions.ClientError) as info:
            call()
        assert error_code(info.value) == "InvalidParameterValue"
    with pytest.raises(v1.exceptions.ClientError) as kind:
        v1.list_identities(IdentityType="Phone")
    assert error_code(kind.value) == "InvalidParameterValue"
