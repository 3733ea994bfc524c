"""``[local_ses] iam_allow``: the endpoint simulates an IAM policy for both APIs — an action outside it gets
``AccessDenied`` (2017 API) / ``AccessDeniedException`` (v2), HTTP 403, and changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ses_workbench.project.config import load_config
from ses_workbench.project.errors import ConfigError
from ses_workbench.ses.local import LocalSes
from ses_workbench.ses.local.iam import allows

from .conftest import SENDER, VERIFIED_TO, error_code, make_client, make_v1_client

V1_ONLY = ("ses:CreateTemplate", "ses:GetTemplate", "ses:ListTemplates", "ses:UpdateTemplate",
           "ses:DeleteTemplate", "ses:TestRenderTemplate", "ses:SendBulkTemplatedEmail", "ses:SendRawEmail")
TEMPLATE = {"TemplateName": "t", "SubjectPart": "Hi {{name}}", "TextPart": "x"}


def status_of(exc: Any) -> int:
    return int(exc.response["ResponseMetadata"]["HTTPStatusCode"])


def test_a_v1_only_policy(start_ses: Any) -> None:
    ses = start_ses(iam_allow=V1_ONLY)
    v1, v2 = make_v1_client(ses.endpoint_url), make_client(ses.endpoint_url)
    v1.create_template(Template=TEMPLATE)
    assert [t["Name"] for t in v1.list_templates()["TemplatesMetadata"]] == ["t"]
    out = v1.send_bulk_templated_email(Source=SENDER, Template="t", DefaultTemplateData='{"name": "a"}',
                                       Destinations=[{"Destination": {"ToAddresses": [VERIFIED_TO]}}])
    assert out["Status"][0]["Status"] == "Success"

    with pytest.raises(v1.exceptions.ClientError) as denied_v1:
        v1.send_templated_email(Source=SENDER, Destination={"ToAddresses": [VERIFIED_TO]}, Template="t",
                                TemplateData='{"name": "a"}')
    assert (error_code(denied_v1.value), status_of(denied_v1.value)) == ("AccessDenied", 403)
    assert "not authorized to perform: ses:SendTemplatedEmail" in denied_v1.value.response["Error"]["Message"]
    with pytest.raises(v1.exceptions.ClientError) as denied_quota:
        v1.get_send_quota()
    assert error_code(denied_quota.value) == "AccessDenied"

    for call in (lambda: v2.list_email_templates(),
                 lambda: v2.create_email_template(TemplateName="v2", TemplateContent={"Subject": "s"}),
                 lambda: v2.get_account()):
        with pytest.raises(v2.exceptions.ClientError) as denied_v2:
            call()
        assert (error_code(denied_v2.value), status_of(denied_v2.value)) == ("AccessDeniedException", 403)
    assert set(ses.store.templates) == {"t"} and len(ses.outbox_messages()) == 1


def test_a_v2_least_privilege_policy_with_wildcards(start_ses: Any) -> None:
    ses = start_ses(iam_allow=("ses:Get*", "SES:listemailtemplates"))
    v1, v2 = make_v1_client(ses.endpoint_url), make_client(ses.endpoint_url)
    assert v2.list_email_templates()["TemplatesMetadata"] == []  # action names are case-insensitive
    v2.get_account()
    v1.get_send_quota()
    with pytest.raises(v2.exceptions.ClientError) as denied:
        v2.create_email_template(TemplateName="x", TemplateContent={"Subject": "s"})
    assert error_code(denied.value) == "AccessDeniedException"
    with pytest.raises(v1.exceptions.ClientError) as denied_v1:
        v1.list_templates()
    assert error_code(denied_v1.value) == "AccessDenied"
    assert ses.store.templates == {}


def test_no_policy_allows_everything_and_an_empty_one_nothing(start_ses: Any, tmp_path: Path) -> None:
    assert allows(None, "DeleteTemplate") and allows(["ses:*"], "DeleteTemplate")
    assert not allows([], "DeleteTemplate") and not allows(["ses:Delete"], "DeleteTemplate")
    ses = start_ses(directory=tmp_path / "empty", iam_allow=())
    v1 = make_v1_client(ses.endpoint_url)
    with pytest.raises(v1.exceptions.ClientError) as denied:
        v1.list_templates()
    assert error_code(denied.value) == "AccessDenied"


def test_iam_allow_from_the_project_config(tmp_path: Path) -> None:
    (tmp_path / "ses-workbench.toml").write_text(
        '[local_ses]\niam_allow = ["ses:ListTemplates", "ses:Get*"]\n', encoding="utf-8")
    config = load_config(tmp_path)
    assert config.local_ses.iam_allow == ("ses:ListTemplates", "ses:Get*")
    assert load_config(tmp_path / "nothing-here").local_ses.iam_allow is None
    with LocalSes(tmp_path / ".ses-workbench", config.local_ses) as ses:
        assert ses.settings.iam_allow == ("ses:ListTemplates", "ses:Get*")
    (tmp_path / "ses-workbench.toml").write_text('[local_ses]\niam_allow = ["CreateTemplate"]\n',
                                                 encoding="utf-8")
    with pytest.raises(ConfigError, match="'CreateTemplate' is not an SES action") as bad:
        load_config(tmp_path)
    assert bad.value.line == 2
    (tmp_path / "ses-workbench.toml").write_text('[local_ses]\niam_allow = "ses:*"\n', encoding="utf-8")
    assert load_config(tmp_path).local_ses.iam_allow == ("ses:*",)


@pytest.mark.parametrize("key_id, code, status", [
    ("LOCALSES_ACCESS_DENIED", "AccessDenied", 403), ("LOCALSES_EXPIRED_TOKEN", "ExpiredToken", 403),
    ("LOCALSES_INTERNAL_ERROR", "InternalFailure", 500), ("AKIAOTHERKEY", "InvalidClientTokenId", 403)])
def test_the_reserved_key_ids_fail_the_2017_api_as_aws_does(ses: LocalSes, key_id: str, code: str,
                                                             status: int) -> None:
    import boto3
    from botocore.config import Config

    v1 = boto3.client("ses", endpoint_url=ses.endpoint_url, region_name="us-east-1",
                      aws_access_key_id=key_id, aws_secret_access_key="any",
                      config=Config(retries={"total_max_attempts": 1}))
    with pytest.raises(v1.exceptions.ClientError) as info:
        v1.list_templates()
    assert (error_code(info.value), status_of(info.value)) == (code, status)
    if code == "AccessDenied":
        assert "ses:ListTemplates" in info.value.response["Error"]["Message"]
