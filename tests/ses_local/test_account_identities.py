"""GetAccount, identities (PENDING until verified) and the HTTP surface (unknown operations) over boto3."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from ses_workbench.ses.local import LocalSes, LocalSesBusyError, running_endpoint

from .conftest import SENDER, VERIFIED_DOMAIN, VERIFIED_TO, call, error_code, make_client, simple_content


def test_get_account_reports_the_configured_sandbox(start_ses: Any) -> None:
    ses = start_ses(max_send_rate=3.0, max_24h_send=250)
    account = make_client(ses.endpoint_url).get_account()
    assert account["ProductionAccessEnabled"] is False
    assert account["SendingEnabled"] is True
    assert account["EnforcementStatus"] == "HEALTHY"
    assert account["SendQuota"] == {"Max24HourSend": 250.0, "MaxSendRate": 3.0, "SentLast24Hours": 0.0}


def test_get_account_production_and_unlimited_quota(start_ses: Any) -> None:
    ses = start_ses(sandbox=False, max_24h_send=-1)
    account = make_client(ses.endpoint_url).get_account()
    assert account["ProductionAccessEnabled"] is True
    assert account["SendQuota"]["Max24HourSend"] == -1.0


def test_config_identities_are_verified_from_the_start(client: Any) -> None:
    identities = {i["IdentityName"]: i for i in client.list_email_identities()["EmailIdentities"]}
    assert set(identities) == {SENDER, VERIFIED_TO, VERIFIED_DOMAIN}
    assert identities[SENDER]["IdentityType"] == "EMAIL_ADDRESS"
    assert identities[VERIFIED_DOMAIN]["IdentityType"] == "DOMAIN"
    assert all(i["VerificationStatus"] == "SUCCESS" and i["SendingEnabled"] for i in identities.values())


def _send_from(client: Any, sender: str, to: str = VERIFIED_TO) -> Any:
    return client.send_email(FromEmailAddress=sender, Destination={"ToAddresses": [to]},
                             Content=simple_content())


def test_created_identities_stay_pending_until_verified(ses: LocalSes, client: Any) -> None:
    out = client.create_email_identity(EmailIdentity="new@example.org")
    assert out["IdentityType"] == "EMAIL_ADDRESS"
    assert out["VerifiedForSendingStatus"] is False
    got = client.get_email_identity(EmailIdentity="new@example.org")
    assert got["VerificationStatus"] == "PENDING" and got["VerifiedForSendingStatus"] is False
    pending = client.list_email_identities()["EmailIdentities"]
    assert {"new@example.org": "PENDING"}.items() <= {i["IdentityName"]: i["VerificationStatus"]
                                                       for i in pending}.items()
    # A pending identity opens nothing: it cannot send, and the sandbox does not deliver to it.
    with pytest.raises(client.exceptions.MessageRejected, match="not verified"):
        _send_from(client, "new@example.org")
    with pytest.raises(client.exceptions.MessageRejected, match="new@example.org"):
        _send_from(client, SENDER, to="new@example.org")

    domain = client.create_email_identity(EmailIdentity="brand.example")
    assert domain["IdentityType"] == "DOMAIN"
    assert domain["DkimAttributes"]["Status"] == "PENDING"
    assert len(domain["DkimAttributes"]["Tokens"]) == 3

    # The mailbox owner's click: now it is verified, and sends work.
    ses.verify_identity("new@example.org")
    ses.verify_identity("BRAND.example")
    assert client.get_email_identity(EmailIdentity="new@example.org")["VerificationStatus"] == "SUCCESS"
    got = client.get_email_identity(EmailIdentity="brand.example")
    assert got["VerificationStatus"] == "SUCCESS" and got["DkimAttributes"]["Status"] == "SUCCESS"
    assert _send_from(client, "new@example.org")["MessageId"]
    assert _send_from(client, SENDER, to="anyone@brand.example")["MessageId"]


def test_verify_route_needs_an_existing_identity(ses: LocalSes) -> None:
    status, headers, body = call(ses, "POST", "/_local-ses/identities/nobody%40example.org/verify")
    assert status == 404 and headers["x-amzn-errortype"] == "NotFoundException"
    assert "nobody@example.org does not exist" in body["message"]


def test_config_identity_created_pending_earlier_is_verified_at_start(start_ses: Any) -> None:
    first = start_ses()
    make_client(first.endpoint_url).create_email_identity(EmailIdentity="later@example.org")
    first.stop()
    second = start_ses(verified_identities=("later@example.org", SENDER))
    got = make_client(second.endpoint_url).get_email_identity(EmailIdentity="later@example.org")
    assert got["VerificationStatus"] == "SUCCESS"


def test_create_email_identity_errors(client: Any) -> None:
    with pytest.raises(client.exceptions.AlreadyExistsException):
        client.create_email_identity(EmailIdentity=SENDER)
    with pytest.raises(client.exceptions.BadRequestException):
        client.create_email_identity(EmailIdentity="not an address@")
    with pytest.raises(client.exceptions.BadRequestException):
        client.create_email_identity(EmailIdentity="nodot")


def test_get_and_delete_unknown_identity(client: Any) -> None:
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_email_identity(EmailIdentity="nobody@example.com")
    with pytest.raises(client.exceptions.NotFoundException):
        client.delete_email_identity(EmailIdentity="nobody@example.com")


def test_delete_email_identity(client: Any) -> None:
    client.create_email_identity(EmailIdentity="gone@example.org")
    client.delete_email_identity(EmailIdentity="gone@example.org")
    names = [i["IdentityName"] for i in client.list_email_identities()["EmailIdentities"]]
    assert "gone@example.org" not in names


def test_domain_identities_compare_case_insensitively(client: Any) -> None:
    assert client.get_email_identity(EmailIdentity="VERIFIED.Example")["IdentityType"] == "DOMAIN"


def test_list_email_identities_paginates(client: Any) -> None:
    for i in range(7):
        client.create_email_identity(EmailIdentity=f"p{i}@example.org")
    seen: list[str] = []
    kwargs: dict[str, Any] = {"PageSize": 3}
    while True:
        page = client.list_email_identities(**kwargs)
        assert len(page["EmailIdentities"]) <= 3
        seen += [i["IdentityName"] for i in page["EmailIdentities"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert len(seen) == 10 and len(set(seen)) == 10


def test_identities_persist_across_restart(start_ses: Any, state_dir: Any) -> None:
    first = start_ses()
    make_client(first.endpoint_url).create_email_identity(EmailIdentity="kept@example.org")
    first.stop()
    second = start_ses()
    got = make_client(second.endpoint_url).get_email_identity(EmailIdentity="kept@example.org")
    assert got["VerificationStatus"] == "PENDING"
    second.verify_identity("kept@example.org")
    second.stop()
    third = start_ses()
    got = make_client(third.endpoint_url).get_email_identity(EmailIdentity="kept@example.org")
    assert got["VerificationStatus"] == "SUCCESS"


def test_unknown_operation_is_a_clear_error(ses: LocalSes) -> None:
    status, headers, body = call(ses, "GET", "/v2/email/configuration-sets")
    assert status == 404
    assert headers["x-amzn-errortype"] == "UnknownOperationException"
    assert "does not implement GET /v2/email/configuration-sets" in body["message"]

    status, headers, body = call(ses, "DELETE", "/v2/email/account")
    assert status == 405
    assert "wrong HTTP method" in body["message"]


def test_unknown_operation_through_boto3(ses: LocalSes) -> None:
    client = make_client(ses.endpoint_url)
    with pytest.raises(ClientError) as info:
        client.list_configuration_sets()
    assert error_code(info.value) == "UnknownOperationException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_malformed_json_body(ses: LocalSes) -> None:
    status, headers, body = call(ses, "POST", "/v2/email/identities", b"{nope")
    assert status == 400
    assert headers["x-amzn-errortype"] == "SerializationException"


def test_stop_is_idempotent_and_closes_the_port(start_ses: Any) -> None:
    ses = start_ses()
    url = ses.endpoint_url
    client = make_client(url)
    client.get_account()
    ses.stop()
    ses.stop()
    with pytest.raises(EndpointConnectionError):
        client.get_account()
    assert not ses.running


def test_one_endpoint_per_state_folder(start_ses: Any, state_dir: Any) -> None:
    assert running_endpoint(state_dir) is None
    first = start_ses()
    assert running_endpoint(state_dir) == first.endpoint_url
    second = LocalSes(state_dir)
    with pytest.raises(LocalSesBusyError) as info:
        second.start()
    assert info.value.url == first.endpoint_url
    assert not second.running
    first.stop()
    assert running_endpoint(state_dir) is None
    with second:
        assert running_endpoint(state_dir) == second.endpoint_url


def test_state_changed_on_disk_is_picked_up_at_start(start_ses: Any, state_dir: Any) -> None:
    idle = LocalSes(state_dir)  # made before another endpoint changes the folder
    first = start_ses()
    make_client(first.endpoint_url).create_email_identity(EmailIdentity="later@example.org")
    first.stop()
    with idle:
        client = make_client(idle.endpoint_url)
        assert client.get_email_identity(EmailIdentity="later@example.org")["VerificationStatus"] == "PENDING"
