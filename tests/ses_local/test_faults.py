"""Failures of a real account that the local endpoint reproduces on request, over HTTP with boto3:
a paused account (``sending_enabled=False``) and the reserved access key ids for an expired session token
and an identity without permission."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ses_workbench.ses.local import LocalSes
from ses_workbench.ses.local.settings import ACCESS_DENIED_KEY_ID, EXPIRED_TOKEN_KEY_ID

from .conftest import SENDER, VERIFIED_TO, make_client


def _client_with_key(ses: LocalSes, key_id: str) -> Any:
    return boto3.session.Session().client(
        "sesv2", endpoint_url=ses.endpoint_url, region_name="us-east-1", aws_access_key_id=key_id,
        aws_secret_access_key="x", config=Config(retries={"total_max_attempts": 1}))


def _simple(client: Any) -> Any:
    return client.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": [VERIFIED_TO]},
                             Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}})


@pytest.mark.parametrize("key_id,code", [(EXPIRED_TOKEN_KEY_ID, "ExpiredTokenException"),
                                         (ACCESS_DENIED_KEY_ID, "AccessDeniedException")])
def test_reserved_access_key_ids_fail_like_aws(ses: LocalSes, key_id: str, code: str) -> None:
    bad = _client_with_key(ses, key_id)
    for call in (lambda: bad.get_account(), lambda: bad.list_email_templates(), lambda: _simple(bad)):
        with pytest.raises(ClientError) as info:
            call()
        assert info.value.response["Error"]["Code"] == code
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    if key_id == ACCESS_DENIED_KEY_ID:  # like IAM's message, naming the action
        assert "not authorized to perform: ses:SendEmail" in info.value.response["Error"]["Message"]
    # any other key id still works, and nothing was sent
    assert make_client(ses.endpoint_url).get_account()["SendQuota"]["SentLast24Hours"] == 0
    assert ses.outbox_messages() == []


def test_paused_account_refuses_sends(start_ses: Any) -> None:
    ses = start_ses(sending_enabled=False)
    client = make_client(ses.endpoint_url)
    assert client.get_account()["SendingEnabled"] is False
    with pytest.raises(client.exceptions.SendingPausedException):
        _simple(client)
    client.create_email_template(TemplateName="t", TemplateContent={"Subject": "s", "Text": "{{x}}"})
    with pytest.raises(client.exceptions.SendingPausedException):
        client.send_bulk_email(
            FromEmailAddress=SENDER, DefaultContent={"Template": {"TemplateName": "t", "TemplateData": "{}"}},
            BulkEmailEntries=[{"Destination": {"ToAddresses": [VERIFIED_TO]}}])
    # template operations are unaffected; nothing reached the outbox
    assert client.get_email_template(TemplateName="t")["TemplateContent"]["Text"] == "{{x}}"
    assert ses.outbox_messages() == []
