"""translate(): every botocore failure becomes a SesError with one sentence (unit level).

The same paths are exercised over HTTP against the local endpoint in test_client.py;
here the mapping table itself is checked, including codes the local endpoint never sends.
"""

from __future__ import annotations

import botocore.exceptions as bx
import pytest

from ses_workbench.ses import errors as E
from ses_workbench.ses.errors import translate


def client_error(code: str, message: str = "", status: int = 400) -> bx.ClientError:
    return bx.ClientError({"Error": {"Code": code, "Message": message},
                           "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


@pytest.mark.parametrize("code,status,cls", [
    ("ExpiredTokenException", 400, E.ExpiredToken),
    ("UnrecognizedClientException", 403, E.AccessDenied),
    ("AccessDeniedException", 403, E.AccessDenied),
    ("TooManyRequestsException", 429, E.Throttled),
    ("LimitExceededException", 400, E.QuotaExceeded),
    ("SendingPausedException", 400, E.SendingPaused),
    ("AccountSuspendedException", 400, E.SendingPaused),
    ("MessageRejected", 400, E.MessageRejected),
    ("MailFromDomainNotVerifiedException", 400, E.SenderNotVerified),
    ("BadRequestException", 400, E.BadRequest),
    ("InternalServiceErrorException", 500, E.ServiceUnavailable),
    ("SomethingNew", 418, E.SesError),
])
def test_client_error_codes(code: str, status: int, cls: type) -> None:
    err = translate(client_error(code, "why", status), "CreateEmailTemplate", "welcome")
    assert type(err) is cls
    assert err.code == code and err.operation == "CreateEmailTemplate"
    assert "\n" not in str(err) and str(err)


def test_template_not_found_and_exists_name_the_template() -> None:
    err = translate(client_error("NotFoundException", "nope", 404), "GetEmailTemplate", "welcome")
    assert isinstance(err, E.TemplateNotFound) and "welcome" in str(err)
    err = translate(client_error("AlreadyExistsException", "dup"), "CreateEmailTemplate", "welcome")
    assert isinstance(err, E.TemplateAlreadyExists) and "welcome" in str(err)


def test_missing_attribute_is_carried() -> None:
    msg = "Attribute 'contact.name' is not present in the rendering data."
    err = translate(client_error("BadRequestException", msg), "TestRenderEmailTemplate", "welcome")
    assert isinstance(err, E.MissingRenderingAttribute)
    assert err.attribute == "contact.name" and err.ses_message == msg and msg in str(err)


def test_daily_quota_throttle_is_quota() -> None:
    err = translate(client_error("Throttling", "Daily message quota exceeded.", 400), "SendEmail")
    assert isinstance(err, E.QuotaExceeded)


def test_botocore_exceptions() -> None:
    assert isinstance(translate(bx.NoCredentialsError(), "GetAccount"), E.NoCredentials)
    assert isinstance(translate(bx.ProfileNotFound(profile="nope"), None, profile="nope"), E.NoCredentials)
    assert isinstance(translate(bx.NoRegionError()), E.UnknownRegion)
    err = translate(bx.EndpointConnectionError(endpoint_url="http://127.0.0.1:9"), "GetAccount",
                    endpoint_url="http://127.0.0.1:9")
    assert isinstance(err, E.EndpointUnreachable) and "127.0.0.1:9" in str(err)
    err = translate(bx.EndpointConnectionError(endpoint_url="https://email.mars-1.amazonaws.com"),
                    "GetAccount", region="mars-1")
    assert isinstance(err, E.UnknownRegion) and "mars-1" in str(err)
    assert isinstance(translate(ValueError("x")), E.SesError)


def test_ses_error_passes_through() -> None:
    err = E.Throttled("x")
    assert translate(err) is err
