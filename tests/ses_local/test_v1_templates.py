"""The 2017 API's template operations over boto3's ``ses`` client (the Query protocol, XML answers), the
one store both APIs share, and the wire format and refusals of form-encoded requests."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

import pytest

from ses_workbench.mime import parse_mime
from ses_workbench.ses.local import LocalSes

from .conftest import ManualClock, error_code, make_client, make_v1_client, raw_request, signed_headers

NS = "{http://ses.amazonaws.com/doc/2010-12-01/}"
TEMPLATE = {"TemplateName": "welcome", "SubjectPart": "Hello {{name}}",
            "HtmlPart": "<p>Hi {{name}}</p>{{#if vip}}<b>VIP</b>{{/if}}", "TextPart": "Hi {{name}}"}
FORM = "application/x-www-form-urlencoded; charset=utf-8"


@pytest.fixture
def v1(ses: LocalSes) -> Any:
    return make_v1_client(ses.endpoint_url)


def status_of(exc: Any) -> int:
    return int(exc.response["ResponseMetadata"]["HTTPStatusCode"])


def form_post(ses: LocalSes, fields: dict[str, str], *, sign: bool = True,
              extra: dict[str, str] | None = None, path: str = "/") -> tuple[int, dict[str, str], ET.Element]:
    body = urlencode(fields).encode()
    headers = {"Content-Type": FORM, **(extra or {})}
    if sign:
        headers = signed_headers(ses, "POST", path, body, headers=headers)
    else:
        headers = {"Host": f"127.0.0.1:{ses.port}", **headers}
    status, reply_headers, text = raw_request(ses, "POST", path,
                                              {**headers, "Content-Length": str(len(body))}, body)
    return status, reply_headers, ET.fromstring(text) if isinstance(text, str) and text.startswith("<") \
        else ET.Element("not-xml", text=str(text))


def test_create_get_update_list_delete(v1: Any) -> None:
    v1.create_template(Template=TEMPLATE)
    assert v1.get_template(TemplateName="welcome")["Template"] == TEMPLATE
    v1.update_template(Template={"TemplateName": "welcome", "SubjectPart": "New {{name}}",
                                 "HtmlPart": "<p>new</p>"})
    assert v1.get_template(TemplateName="welcome")["Template"] == {
        "TemplateName": "welcome", "SubjectPart": "New {{name}}", "HtmlPart": "<p>new</p>"}
    listed = v1.list_templates()["TemplatesMetadata"]
    assert [t["Name"] for t in listed] == ["welcome"] and listed[0]["CreatedTimestamp"].year >= 2024
    v1.delete_template(TemplateName="welcome")
    assert v1.list_templates()["TemplatesMetadata"] == []
    with pytest.raises(v1.exceptions.TemplateDoesNotExistException):
        v1.get_template(TemplateName="welcome")


def test_errors_are_the_2017_apis(v1: Any) -> None:
    v1.create_template(Template=TEMPLATE)
    with pytest.raises(v1.exceptions.AlreadyExistsException) as exists:
        v1.create_template(Template=TEMPLATE)
    assert status_of(exists.value) == 400 and exists.value.response["Error"]["Type"] == "Sender"
    for call in (lambda: v1.get_template(TemplateName="missing"),
                 lambda: v1.update_template(Template={**TEMPLATE, "TemplateName": "missing"}),
                 lambda: v1.test_render_template(TemplateName="missing", TemplateData="{}")):
        with pytest.raises(v1.exceptions.TemplateDoesNotExistException) as info:
            call()
        assert status_of(info.value) == 400
        assert info.value.response["Error"]["Message"] == "Template missing does not exist."
    with pytest.raises(v1.exceptions.InvalidTemplateException):
        v1.create_template(Template={"TemplateName": "broken", "SubjectPart": "{{#if x}}open"})
    with pytest.raises(v1.exceptions.InvalidTemplateException):
        v1.update_template(Template={**TEMPLATE, "HtmlPart": "{{/each}}"})
    with pytest.raises(v1.exceptions.InvalidTemplateException):  # a partial that is never defined
        v1.create_template(Template={"TemplateName": "p", "SubjectPart": "s", "HtmlPart": "{{> footer}}"})
    assert v1.get_template(TemplateName="welcome")["Template"] == TEMPLATE
    with pytest.raises(v1.exceptions.ClientError) as bad_name:
        v1.create_template(Template={**TEMPLATE, "TemplateName": "has space"})
    assert error_code(bad_name.value) == "InvalidParameterValue"
    # The 2017 DeleteTemplate has no "does not exist" error: deleting an absent template succeeds.
    v1.delete_template(TemplateName="missing")


def test_list_templates_pages_with_max_items(v1: Any) -> None:
    names = [f"t{i:02d}" for i in range(7)]
    for name in names:
        v1.create_template(Template={**TEMPLATE, "TemplateName": name})
    seen, token, pages = [], None, 0
    while True:
        page = v1.list_templates(MaxItems=3, **({"NextToken": token} if token else {}))
        assert len(page["TemplatesMetadata"]) <= 3
        seen += [t["Name"] for t in page["TemplatesMetadata"]]
        pages += 1
        token = page.get("NextToken")
        if not token:
            break
    assert (seen, pages) == (names, 3)
    # "If more than 100 items are requested, the page size will automatically set to 100"
    assert [t["Name"] for t in v1.list_templates(MaxItems=5000)["TemplatesMetadata"]] == names
    assert len(v1.list_templates()["TemplatesMetadata"]) == 7  # the default page is 10
    with pytest.raises(v1.exceptions.ClientError) as info:
        v1.list_templates(NextToken="not-a-token")
    assert error_code(info.value) == "InvalidParameterValue"


def test_test_render_template(v1: Any) -> None:
    v1.create_template(Template=TEMPLATE)
    rendered = v1.test_render_template(TemplateName="welcome", TemplateData='{"name": "Ana", "vip": true}')
    message = parse_mime(rendered["RenderedTemplate"].encode())
    assert message.subject == "Hello Ana"
    assert "<b>VIP</b>" in (message.html or "") and (message.text or "").strip() == "Hi Ana"
    with pytest.raises(v1.exceptions.MissingRenderingAttributeException) as missing:
        v1.test_render_template(TemplateName="welcome", TemplateData='{"vip": true}')
    assert missing.value.response["Error"]["Message"] == \
        "Attribute 'name' is not present in the rendering data."
    for data in ("{not json", "[1, 2]"):
        with pytest.raises(v1.exceptions.InvalidRenderingParameterException):
            v1.test_render_template(TemplateName="welcome", TemplateData=data)


def test_one_store_for_both_apis(ses: LocalSes, v1: Any) -> None:
    v2 = make_client(ses.endpoint_url)
    v1.create_template(Template=TEMPLATE)
    assert v2.get_email_template(TemplateName="welcome")["TemplateContent"] == {
        "Subject": TEMPLATE["SubjectPart"], "Html": TEMPLATE["HtmlPart"], "Text": TEMPLATE["TextPart"]}
    v2.update_email_template(TemplateName="welcome", TemplateContent={"Subject": "v2 {{name}}", "Text": "t"})
    assert v1.get_template(TemplateName="welcome")["Template"] == {
        "TemplateName": "welcome", "SubjectPart": "v2 {{name}}", "TextPart": "t"}
    rendered = v1.test_render_template(TemplateName="welcome", TemplateData='{"name": "Bo"}')
    assert parse_mime(rendered["RenderedTemplate"].encode()).subject == "v2 Bo"
    v1.delete_template(TemplateName="welcome")
    with pytest.raises(v2.exceptions.NotFoundException):
        v2.get_email_template(TemplateName="welcome")

    v2.create_email_template(TemplateName="made-by-v2", TemplateContent={"Subject": "S", "Html": "<p>h</p>"})
    assert [t["Name"] for t in v1.list_templates()["TemplatesMetadata"]] == ["made-by-v2"]
    v1.update_template(Template={"TemplateName": "made-by-v2", "SubjectPart": "S1", "TextPart": "x"})
    assert v2.get_email_template(TemplateName="made-by-v2")["TemplateContent"] == \
        {"Subject": "S1", "Text": "x"}
    v1.delete_template(TemplateName="made-by-v2")
    assert v2.list_email_templates()["TemplatesMetadata"] == []


def test_template_operations_are_throttled_as_throttling(start_ses: Any) -> None:
    clock = ManualClock()
    ses = start_ses(clock=clock, template_ops_per_second=1.0)
    v1 = make_v1_client(ses.endpoint_url)
    v1.create_template(Template=TEMPLATE)
    with pytest.raises(v1.exceptions.ClientError) as info:
        v1.get_template(TemplateName="welcome")
    assert (error_code(info.value), status_of(info.value)) == ("Throttling", 400)
    clock.advance(1.0)
    assert v1.get_template(TemplateName="welcome")["Template"]["TemplateName"] == "welcome"


def test_the_xml_is_as_ses_writes_it(ses: LocalSes) -> None:
    status, headers, root = form_post(ses, {"Action": "GetTemplate", "Version": "2010-12-01",
                                            "TemplateName": "missing"})
    assert status == 400 and headers["content-type"] == "text/xml"
    assert root.tag == f"{NS}ErrorResponse"
    error = root.find(f"{NS}Error")
    assert error is not None
    assert [(child.tag[len(NS):], child.text) for child in error] == [
        ("Type", "Sender"), ("Code", "TemplateDoesNotExist"), ("Message", "Template missing does not exist.")]
    assert root.findtext(f"{NS}RequestId") == headers["x-amzn-requestid"]

    status, headers, root = form_post(ses, {"Action": "CreateTemplate", "Version": "2010-12-01",
                                            "Template.TemplateName": "t", "Template.SubjectPart": "S"})
    assert status == 200 and root.tag == f"{NS}CreateTemplateResponse"
    assert [child.tag for child in root] == [f"{NS}CreateTemplateResult", f"{NS}ResponseMetadata"]
    assert root.findtext(f"{NS}ResponseMetadata/{NS}RequestId") == headers["x-amzn-requestid"]
    status, _, root = form_post(ses, {"Action": "ListTemplates", "Version": "2010-12-01"})
    assert root.findtext(f"{NS}ListTemplatesResult/{NS}TemplatesMetadata/{NS}member/{NS}Name") == "t"


@pytest.mark.parametrize("fields, code", [
    ({"Version": "2010-12-01"}, "MissingAction"),
    ({"Action": "MakeCoffee", "Version": "2010-12-01"}, "InvalidAction"),
    ({"Action": "ListTemplates"}, "MissingParameter"),
    ({"Action": "ListTemplates", "Version": "2019-09-27"}, "InvalidParameterValue"),
    ({"Action": "GetTemplate", "Version": "2010-12-01"}, "ValidationError"),
    ({"Action": "ListTemplates", "Version": "2010-12-01", "MaxItems": "ten"}, "InvalidParameterValue"),
    ({"Action": "GetIdentityVerificationAttributes", "Version": "2010-12-01",
      "Identities.member.x": "a@example.com"}, "InvalidParameterValue"),
])
def test_malformed_forms_get_one_clear_error(ses: LocalSes, fields: dict[str, str], code: str) -> None:
    status, _, root = form_post(ses, fields)
    assert (status, root.findtext(f"{NS}Error/{NS}Code")) == (400, code)
    assert root.findtext(f"{NS}Error/{NS}Message")


def test_a_value_that_is_not_utf8_is_refused_not_replaced(ses: LocalSes) -> None:
    body = b"Action=CreateTemplate&Version=2010-12-01&Template.TemplateName=t&Template.SubjectPart=caf%E9"
    headers = signed_headers(ses, "POST", "/", body, headers={"Content-Type": FORM})
    status, _, text = raw_request(ses, "POST", "/", {**headers, "Content-Length": str(len(body))}, body)
    assert status == 400 and "<Code>MalformedQueryString</Code>" in text
    assert ses.store.templates == {}


def test_unsigned_or_cross_site_form_posts_are_refused(ses: LocalSes) -> None:
    create = {"Action": "CreateTemplate", "Version": "2010-12-01", "Template.TemplateName": "evil",
              "Template.SubjectPart": "x"}
    status, _, root = form_post(ses, create, sign=False)
    assert (status, root.findtext(f"{NS}Error/{NS}Code")) == (403, "MissingAuthenticationToken")
    status, _, _ = form_post(ses, create, sign=False, extra={"Origin": "http://evil.example"})
    assert status == 403
    status, _, _ = form_post(ses, create, extra={"Origin": "http://evil.example"})  # even signed
    assert status == 403
    # A form body is the 2017 API only at POST /: a v2 route still takes JSON only.
    status, headers, _ = form_post(ses, create, path="/v2/email/templates")
    assert (status, headers["x-amzn-errortype"]) == (415, "UnsupportedMediaTypeException")
    # Signed with another secret, or altered after signing.
    from ses_workbench.ses.local import EndpointCredentials

    body = urlencode(create).encode()
    forged = signed_headers(ses, "POST", "/", body, headers={"Content-Type": FORM},
                            credentials=EndpointCredentials(ses.credentials.access_key_id, "guessed"))
    status, _, text = raw_request(ses, "POST", "/", {**forged, "Content-Length": str(len(body))}, body)
    assert status == 403 and "<Code>SignatureDoesNotMatch</Code>" in text
    assert ses.store.templates == {}


def test_content_xml_cannot_carry_is_refused_not_altered(ses: LocalSes, v1: Any) -> None:
    v2 = make_client(ses.endpoint_url)
    v2.create_email_template(TemplateName="ctl", TemplateContent={"Subject": "a\x0bb", "Text": "t"})
    with pytest.raises(v1.exceptions.ClientError) as info:
        v1.get_template(TemplateName="ctl")
    assert error_code(info.value) == "InvalidParameterValue"
    assert "Template.SubjectPart holds the character U+000B" in info.value.response["Error"]["Message"]
    assert v2.get_email_template(TemplateName="ctl")["TemplateContent"]["Subject"] == "a\x0bb"
