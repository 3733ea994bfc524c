"""A template pulled from SES arrives with a starter fixture: it renders and lints at once."""

from __future__ import annotations

import json

from ses_workbench.lint import lint_template
from ses_workbench.project import Project, TemplateContent
from ses_workbench.render import render_template
from ses_workbench.ses import sync
from ses_workbench.ses.client import SesClient


def test_a_pulled_template_has_a_skeleton_fixture(project: Project, client: SesClient) -> None:
    client.create_template("promo", TemplateContent(
        "Hi {{user.first}}", "<p>{{#each items}}{{name}}: {{price}}{{/each}}</p>{{#if vip}}VIP{{/if}}"))
    sync.pull(client, project, ["promo"])
    project.scan()
    tpl = project.get("promo")
    data = json.loads((tpl.dir / "data" / "default.json").read_text())
    assert data == {"user": {"first": "first"}, "items": [{"name": "name", "price": "price"}], "vip": []}
    assert render_template(tpl, fixture="default").subject == "Hi first"
    assert not [d for d in lint_template(tpl, config=project.config) if d.code == "no-fixture" or d.is_error]
    assert {s.name: s.state for s in sync.status(client, project)}["promo"] is sync.State.IN_SYNC
