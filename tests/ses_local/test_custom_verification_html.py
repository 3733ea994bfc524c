"""The HTML a custom verification email template may hold, as SES documents it, at the local endpoint over
real HTTP through boto3's ``sesv2`` and ``ses`` clients; and lint giving the same verdict as the endpoint,
tag by tag, from the one table (:data:`ses_workbench.project.verification_html.ALLOWED_HTML`).

The source: the Amazon SES Developer Guide, "Using custom verification email templates", FAQ Q5: "custom
verification email templates that contain HTML can only use the tags and attributes listed in the
following table" and "Custom verification email templates can't include comment tags."  ``FAQ_TABLE`` is
that table as the page prints it (the expected value: the package's table is checked against it).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ses_workbench.lint import lint_verification
from ses_workbench.project import Project
from ses_workbench.project.verification_html import ALLOWED_HTML
from ses_workbench.ses.local import LocalSes
from tests.conftest import copy_samples
from tests.ses_local.conftest import SENDER, make_client, make_v1_client

FAQ_TABLE = """
| abbr | class, id, style, title |
| acronym | class, id, style, title |
| address | class, id, style, title |
| area | class, id, style, title |
| b | class, id, style, title |
| bdo | class, id, style, title |
| big | class, id, style, title |
| blockquote | cite, class, id, style, title |
| body | class, id, style, title |
| br | class, id, style, title |
| button | class, id, style, title |
| caption | class, id, style, title |
| center | class, id, style, title |
| cite | class, id, style, title |
| code | class, id, style, title |
| col | class, id, span, style, title, width |
| colgroup | class, id, span, style, title, width |
| dd | class, id, style, title |
| del | class, id, style, title |
| dfn | class, id, style, title |
| dir | class, id, style, title |
| div | class, id, style, title |
| dl | class, id, style, title |
| dt | class, id, style, title |
| em | class, id, style, title |
| fieldset | class, id, style, title |
| font | class, id, style, title |
| form | class, id, style, title |
| h1 | class, id, style, title |
| h2 | class, id, style, title |
| h3 | class, id, style, title |
| h4 | class, id, style, title |
| h5 | class, id, style, title |
| h6 | class, id, style, title |
| head | class, id, style, title |
| hr | class, id, style, title |
| html | class, id, style, title |
| i | class, id, style, title |
| img | align, alt, class, height, id, src, style, title, width |
| input | class, id, style, title |
| ins | class, id, style, title |
| kbd | class, id, style, title |
| label | class, id, style, title |
| legend | class, id, style, title |
| li | class, id, style, title |
| map | class, id, style, title |
| menu | class, id, style, title |
| ol | class, id, start, style, title, type |
| optgroup | class, id, style, title |
| option | class, id, style, title |
| p | class, id, style, title |
| pre | class, id, style, title |
| q | cite, class, id, style, title |
| s | class, id, style, title |
| samp | class, id, style, title |
| select | class, id, style, title |
| small | class, id, style, title |
| span | class, id, style, title |
| strike | class, id, style, title |
| strong | class, id, style, title |
| sub | class, id, style, title |
| sup | class, id, style, title |
| table | class, id, style, summary, title, width |
| tbody | class, id, style, title |
| td | abbr, axis, class, colspan, id, rowspan, style, title, width |
| textarea | class, id, style, title |
| tfoot | class, id, style, title |
| th | abbr, axis, class, colspan, id, rowspan, scope, style, title, width |
| thead | class, id, style, title |
| tr | class, id, style, title |
| tt | class, id, style, title |
| u | class, id, style, title |
| ul | class, id, style, title, type |
| var | class, id, style, title |
"""
#: Tags a template author may reach for that the FAQ's table does not list.
UNLISTED = ("a", "script", "style", "meta", "title", "link", "iframe", "base", "svg", "video", "article",
            "nav")


def documented() -> dict[str, frozenset[str]]:
    rows = (line.strip().strip("|").split("|") for line in FAQ_TABLE.strip().splitlines())
    return {tag.strip(): frozenset(a.strip() for a in attrs.split(",")) for tag, attrs in rows}


def params(name: str, content: str) -> dict[str, str]:
    return dict(TemplateName=name, FromEmailAddress=SENDER, TemplateSubject="Confirm your address",
                TemplateContent=content, SuccessRedirectionURL="https://app.example/ok",
                FailureRedirectionURL="https://app.example/not-ok")


def every_allowed_tag() -> str:
    """One document using every tag of the FAQ's table, each carrying every attribute it allows."""
    return "\n".join(f"<{tag} " + " ".join(f'{a}="v"' for a in sorted(attrs)) + f">text</{tag}>"
                     for tag, attrs in documented().items())


def test_the_one_table_is_the_faqs() -> None:
    assert len(documented()) == 74
    assert dict(ALLOWED_HTML) == documented()


def test_every_documented_tag_and_attribute_is_accepted_through_both_apis(ses: LocalSes) -> None:
    v2, v1 = make_client(ses.endpoint_url), make_v1_client(ses.endpoint_url)
    content = every_allowed_tag()
    v2.create_custom_verification_email_template(**params("through-v2", content))
    v1.create_custom_verification_email_template(**params("through-v1", content))
    assert v2.get_custom_verification_email_template(TemplateName="through-v1")["TemplateContent"] == content
    assert v1.get_custom_verification_email_template(TemplateName="through-v2")["TemplateContent"] == content
    # names are case-insensitive, as in HTML
    v2.update_custom_verification_email_template(**params("through-v2", '<P CLASS="x">Hi</P><BR>'))


REFUSED = [  # content, where the first problem starts, what the message names
    ("<p>Confirm</p>\n<a href=\"https://app.example\">here</a>", (2, 1), "<a>"),
    ("<p>Confirm</p><!-- tracking -->", (1, 15), "comment"),
    ("<p\n   class=\"x\" onclick=\"go()\">Confirm</p>", (2, 14), "'onclick' on <p>"),
    ("<table cellpadding=\"0\"><tr><td>x</td></tr></table>", (1, 8), "'cellpadding' on <table>"),
    ("<!DOCTYPE html>\n<html><body><p>x</p></body></html>", (1, 1), "<!DOCTYPE>"),
    ("<html><head><style>p {color: red}</style></head></html>", (1, 13), "<style>"),
]


@pytest.mark.parametrize("content, where, what", REFUSED, ids=[r[2] for r in REFUSED])
def test_what_the_table_does_not_list_is_refused_through_both_apis(ses: LocalSes, content: str,
                                                                  where: tuple[int, int], what: str) -> None:
    v2, v1 = make_client(ses.endpoint_url), make_v1_client(ses.endpoint_url)
    position = f"line {where[0]}, column {where[1]}"
    with pytest.raises(v2.exceptions.BadRequestException, match=re.escape(position)) as refused:
        v2.create_custom_verification_email_template(**params("refused", content))
    assert what in str(refused.value) and refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(v1.exceptions.CustomVerificationEmailInvalidContentException) as refused_v1:
        v1.create_custom_verification_email_template(**params("refused", content))
    assert refused_v1.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert refused_v1.value.response["Error"]["Code"] == "CustomVerificationEmailInvalidContent"
    assert v2.list_custom_verification_email_templates()["CustomVerificationEmailTemplates"] == []
    # an update is checked the same way, and leaves the stored template as it was
    v2.create_custom_verification_email_template(**params("kept", "<p>kept</p>"))
    with pytest.raises(v2.exceptions.BadRequestException, match=re.escape(position)):
        v2.update_custom_verification_email_template(**params("kept", content))
    with pytest.raises(v1.exceptions.CustomVerificationEmailInvalidContentException):
        v1.update_custom_verification_email_template(**params("kept", content))
    assert v2.get_custom_verification_email_template(TemplateName="kept")["TemplateContent"] == "<p>kept</p>"


def _endpoint_verdict(client: Any, content: str) -> tuple[int, int] | None:
    """Where the endpoint says the first problem is (None: accepted)."""
    try:
        client.update_custom_verification_email_template(**params("probe", content))
    except client.exceptions.BadRequestException as exc:
        found = re.search(r"line (\d+), column (\d+)", str(exc))
        assert found, str(exc)
        return int(found.group(1)), int(found.group(2))
    return None


def _lint_verdict(project: Project, content: str) -> tuple[int, int] | None:
    tpl = project.get_verification("newsletter-sender")
    tpl.part_path("html").write_text(content, encoding="utf-8")
    refused = [d for d in lint_verification(tpl) if d.code == "forbidden-html"]
    assert all(d.severity == "error" and d.path == str(tpl.part_path("html")) for d in refused)
    return (refused[0].line, refused[0].column) if refused else None


def test_lint_and_the_endpoint_agree_tag_by_tag(client: Any, tmp_path: Path) -> None:
    """For each listed tag with each attribute it allows, one it does not, and each unlisted tag: lint
    refuses exactly what the endpoint refuses, at the same line and column."""
    client.create_custom_verification_email_template(**params("probe", "<p>probe</p>"))
    project = Project.load(copy_samples(tmp_path / "samples"))
    cases: list[tuple[str, bool]] = []
    for tag, attrs in documented().items():
        cases += [(f"<p>x</p>\n  <{tag} {a}='1'>y</{tag}>", True) for a in sorted(attrs)]
        cases += [(f"<p>x</p>\n  <{tag} id='k'\n   {bad}='1'>y</{tag}>", False)
                  for bad in ("onclick", "href", "data-x")]
    cases += [(f"<p>x</p>\n  <{tag}>y</{tag}>", False) for tag in UNLISTED]
    for content, allowed in cases:
        endpoint = _endpoint_verdict(client, content)
        assert (endpoint is None) == allowed, content
        assert _lint_verdict(project, content) == endpoint, content
