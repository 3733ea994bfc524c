"""Template operations over boto3: CRUD, names, size, pagination, TestRenderEmailTemplate, the template
operation rate, persistence."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from ses_workbench.mime import parse_mime
from ses_workbench.ses.local import LocalSes

from .conftest import ManualClock, make_client

CONTENT = {
    "Subject": "Hello {{name}}",
    "Html": "<p>Hi {{name}}</p>{{#if vip}}<b>VIP</b>{{/if}}",
    "Text": "Hi {{name}}",
}


def create(client: Any, name: str = "welcome", content: dict[str, str] | None = None) -> None:
    client.create_email_template(TemplateName=name, TemplateContent=content or CONTENT)


def test_create_get_update_delete(client: Any) -> None:
    create(client)
    got = client.get_email_template(TemplateName="welcome")
    assert got["TemplateName"] == "welcome"
    assert got["TemplateContent"] == CONTENT

    client.update_email_template(TemplateName="welcome",
                                 TemplateContent={"Subject": "New {{name}}", "Html": "<p>new</p>"})
    got = client.get_email_template(TemplateName="welcome")
    assert got["TemplateContent"] == {"Subject": "New {{name}}", "Html": "<p>new</p>"}

    client.delete_email_template(TemplateName="welcome")
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_email_template(TemplateName="welcome")


def test_already_exists_and_not_found(client: Any) -> None:
    create(client)
    with pytest.raises(client.exceptions.AlreadyExistsException):
        create(client)
    for call in (client.get_email_template, client.delete_email_template):
        with pytest.raises(client.exceptions.NotFoundException) as info:
            call(TemplateName="missing")
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(client.exceptions.NotFoundException):
        client.update_email_template(TemplateName="missing", TemplateContent=CONTENT)
    with pytest.raises(client.exceptions.NotFoundException):
        client.test_render_email_template(TemplateName="missing", TemplateData="{}")


@pytest.mark.parametrize("name", ["has space", "dot.name", "ümlaut", "x" * 65, "slash/name"])
def test_invalid_template_names(client: Any, name: str) -> None:
    with pytest.raises(client.exceptions.BadRequestException):
        create(client, name)


@pytest.mark.parametrize("name", ["a", "A-b_9", "x" * 64])
def test_valid_template_names(client: Any, name: str) -> None:
    create(client, name)
    assert client.get_email_template(TemplateName=name)["TemplateName"] == name


def test_template_size_limit(client: Any) -> None:
    limit = 500 * 1024
    create(client, "fits", {"Subject": "subject is not counted", "Html": "x" * (limit - 1), "Text": "y"})
    with pytest.raises(client.exceptions.BadRequestException) as info:
        create(client, "too-big", {"Subject": "s", "Html": "x" * limit, "Text": "y"})
    assert "exceeds the limit" in str(info.value)
    with pytest.raises(client.exceptions.BadRequestException):
        client.update_email_template(TemplateName="fits",
                                     TemplateContent={"Subject": "s", "Html": "é" * (limit // 2 + 1)})


def test_template_count_limit(start_ses: Any) -> None:
    ses = start_ses(max_templates=2)
    client = make_client(ses.endpoint_url)
    create(client, "one")
    create(client, "two")
    with pytest.raises(client.exceptions.LimitExceededException):
        create(client, "three")


@pytest.mark.parametrize("source", [
    "{{> footer}}",                 # a partial that is never defined
    "{{#if x}}unclosed",
    "{{#each items}}{{/if}}",
])
def test_syntax_errors_reject_create_and_update(client: Any, source: str) -> None:
    with pytest.raises(client.exceptions.BadRequestException) as info:
        create(client, "bad", {"Subject": "s", "Html": source})
    assert "Template is invalid" in str(info.value)
    create(client, "good")
    with pytest.raises(client.exceptions.BadRequestException):
        client.update_email_template(TemplateName="good", TemplateContent={"Subject": "s", "Text": source})
    assert client.get_email_template(TemplateName="good")["TemplateContent"] == CONTENT


def test_partial_defined_in_html_does_not_exist_in_text(client: Any) -> None:
    html = '{{#* inline "sig"}}-- us{{/inline}}<p>x</p>{{> sig}}'
    create(client, "ok", {"Subject": "s", "Html": html})
    with pytest.raises(client.exceptions.BadRequestException):
        create(client, "bad", {"Subject": "s", "Html": html, "Text": "{{> sig}}"})


def test_list_email_templates_paginates(client: Any) -> None:
    names = [f"t{i:02d}" for i in range(23)]
    for name in reversed(names):
        create(client, name)
    seen: list[str] = []
    kwargs: dict[str, Any] = {"PageSize": 5}
    pages = 0
    while True:
        page = client.list_email_templates(**kwargs)
        pages += 1
        assert len(page["TemplatesMetadata"]) <= 5
        for meta in page["TemplatesMetadata"]:
            assert set(meta) == {"TemplateName", "CreatedTimestamp"}  # no content, as SES
            seen.append(meta["TemplateName"])
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert pages == 5
    assert seen == names


def test_list_email_templates_default_page_size_is_10(client: Any) -> None:
    for i in range(12):
        create(client, f"p{i:02d}")
    first = client.list_email_templates()
    assert len(first["TemplatesMetadata"]) == 10 and "NextToken" in first
    rest = client.list_email_templates(NextToken=first["NextToken"])
    assert [m["TemplateName"] for m in rest["TemplatesMetadata"]] == ["p10", "p11"]
    assert "NextToken" not in rest


def test_list_email_templates_bad_parameters(client: Any) -> None:
    with pytest.raises(client.exceptions.BadRequestException):
        client.list_email_templates(NextToken="garbage!!")
    with pytest.raises(client.exceptions.BadRequestException):
        client.list_email_templates(PageSize=101)


def test_created_timestamp(client: Any) -> None:
    before = time.time()
    create(client)
    [meta] = client.list_email_templates()["TemplatesMetadata"]
    assert before - 1 <= meta["CreatedTimestamp"].timestamp() <= time.time() + 1


# -- TestRenderEmailTemplate --------------------------------------------------------------------
def test_render_returns_a_complete_mime_message(client: Any) -> None:
    create(client, content={"Subject": "Hallo {{name}}", "Html": "<p>Grüße, {{name}}</p>",
                            "Text": "Grüße, {{name}}"})
    out = client.test_render_email_template(TemplateName="welcome", TemplateData=json.dumps({"name": "Zoë"}))
    rendered = out["RenderedTemplate"]
    assert "MIME-Version: 1.0" in rendered
    assert "multipart/alternative" in rendered
    parsed = parse_mime(rendered)
    assert parsed.subject == "Hallo Zoë"
    assert parsed.html == "<p>Grüße, Zoë</p>"
    assert parsed.text == "Grüße, Zoë"
    assert parsed.header("Date") and parsed.header("Message-ID")


def test_render_does_not_html_escape(client: Any) -> None:
    create(client, content={"Subject": "s", "Html": "{{x}}|{{{x}}}"})
    out = client.test_render_email_template(TemplateName="welcome", TemplateData='{"x": "<b>&</b>"}')
    assert parse_mime(out["RenderedTemplate"]).html == "<b>&</b>|<b>&</b>"


def test_render_missing_attribute_is_the_ses_error(client: Any) -> None:
    create(client)
    with pytest.raises(client.exceptions.BadRequestException) as info:
        client.test_render_email_template(TemplateName="welcome", TemplateData='{"vip": true}')
    assert info.value.response["Error"]["Message"] == "Attribute 'name' is not present in the rendering data."


def test_render_false_branch_needs_no_data(client: Any) -> None:
    create(client, content={"Subject": "s", "Html": "{{#if show}}{{secret}}{{/if}}ok"})
    out = client.test_render_email_template(TemplateName="welcome", TemplateData="{}")
    assert parse_mime(out["RenderedTemplate"]).html == "ok"


def test_render_malformed_and_oversized_data(client: Any) -> None:
    create(client)
    with pytest.raises(client.exceptions.BadRequestException) as info:
        client.test_render_email_template(TemplateName="welcome", TemplateData="{name: 'x'}")
    assert "not valid JSON" in str(info.value)
    with pytest.raises(client.exceptions.BadRequestException) as info:
        client.test_render_email_template(TemplateName="welcome", TemplateData='["name"]')
    assert "must be a JSON object" in str(info.value)
    big = json.dumps({"name": "x" * 262_144})
    with pytest.raises(client.exceptions.BadRequestException) as info:
        client.test_render_email_template(TemplateName="welcome", TemplateData=big)
    assert "262144" in str(info.value)
    just_fits = json.dumps({"name": "x" * (262_144 - 12)})
    assert len(just_fits) <= 262_144
    assert client.test_render_email_template(TemplateName="welcome", TemplateData=just_fits)


def test_render_uses_the_updated_template(client: Any) -> None:
    create(client)
    client.test_render_email_template(TemplateName="welcome", TemplateData='{"name": "a"}')
    client.update_email_template(TemplateName="welcome", TemplateContent={"Subject": "v2 {{name}}"})
    out = client.test_render_email_template(TemplateName="welcome", TemplateData='{"name": "a"}')
    assert parse_mime(out["RenderedTemplate"]).subject == "v2 a"


# -- rate limit and persistence -----------------------------------------------------------------
def test_template_operations_share_one_rate_limit(start_ses: Any) -> None:
    clock = ManualClock()
    ses = start_ses(template_ops_per_second=3.0, clock=clock)
    client = make_client(ses.endpoint_url)
    create(client)                                              # 1
    client.get_email_template(TemplateName="welcome")           # 2
    client.list_email_templates()                               # 3
    with pytest.raises(client.exceptions.TooManyRequestsException) as info:
        client.test_render_email_template(TemplateName="welcome", TemplateData='{"name": "x"}')
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    # Non-template operations are not limited by it.
    client.get_account()
    clock.advance(0.4)
    client.delete_email_template(TemplateName="welcome")


def test_boto3_retries_429_with_backoff(start_ses: Any) -> None:
    ses = start_ses(template_ops_per_second=5.0)
    client = make_client(ses.endpoint_url, retries=True)
    for i in range(8):  # more than the bucket holds: botocore's standard retry absorbs the 429s
        create(client, f"r{i}")
    assert len(client.list_email_templates(PageSize=20)["TemplatesMetadata"]) == 8


def test_templates_persist_across_restart(start_ses: Any, state_dir: Any) -> None:
    first = start_ses()
    create(make_client(first.endpoint_url))
    first.stop()
    second: LocalSes = start_ses()
    client = make_client(second.endpoint_url)
    assert client.get_email_template(TemplateName="welcome")["TemplateContent"] == CONTENT
    out = client.test_render_email_template(TemplateName="welcome", TemplateData='{"name": "again"}')
    assert parse_mime(out["RenderedTemplate"]).text == "Hi again"
    assert (state_dir / "local-ses" / "store.db").is_file()
