"""pull over templates that use jinja2 layouts: only the parts that differ after composition are written, a
part whose jinja2 source would be flattened into composed content is refused (unless --force), and a generated
text part is not frozen into body.txt when SES's text is what it generates.

Everything goes through the embedded local endpoint over boto3 (the ``server``/``client`` fixtures of
conftest.py, with the ``project`` fixture overridden here by a project that has layouts).
"""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from ses_workbench.cli import main
from ses_workbench.project import Project, TemplateContent
from ses_workbench.project.textgen import generate_text
from ses_workbench.ses import sync
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.local import LocalSes
from ses_workbench.ses.sync import State
from tests.conftest import copy_samples

from .conftest import CONFIG, make_client, write_project

LAYOUT_CONFIG = CONFIG.replace('text_part = "optional"', 'text_part = "generate"') + """
[layout_vars.brand]
name = "Acme"
"""

BASE = """<html><body>
<h1>[[ brand.name ]]</h1>
{% block content %}{% endblock %}
<p>[[ brand.name ]] · unsubscribe</p>
</body></html>
"""

WELCOME_HTML = """{% extends "base.html" %}
{% block content %}
<p>Hello {{name}}, welcome aboard.</p>
{% endblock %}
"""

TEMPLATES = {
    # layout body, plain subject, generated text part
    "welcome": {"subject.txt": "Welcome {{name}}!\n", "body.html": WELCOME_HTML,
                "data": {"default": {"name": "Ada"}}},
    # layout variable in the subject, plain body, generated text part
    "branded": {"subject.txt": "[[ brand.name ]] news for {{name}}\n", "body.html": "<p>News {{name}}</p>\n",
                "data": {"default": {"name": "Ada"}}},
    # no jinja at all, generated text part
    "plain": {"subject.txt": "Plain {{name}}\n", "body.html": "<p>Plain {{name}}</p>\n",
              "data": {"default": {"name": "Ada"}}},
}

REFUSAL = ("welcome/body.html uses a layout: pulling would replace its jinja2 source with the composed HTML "
           "(use --force to do it anyway; a backup is kept)")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "proj"
    (root / "_layouts").mkdir(parents=True)
    (root / "_layouts" / "base.html").write_text(BASE)
    return write_project(root, TEMPLATES, config=LAYOUT_CONFIG)


def states(client: SesClient, project: Project) -> dict[str, State]:
    return {s.name: s.state for s in sync.status(client, project)}


def sources(project: Project, name: str) -> dict[str, bytes | None]:
    tpl = project.get(name)
    return {p: tpl.part_path(p).read_bytes() if tpl.part_path(p).exists() else None
            for p in ("subject", "html", "text")}


def backups(project: Project, name: str) -> list[Path]:
    return sorted((project.state_dir / "backups" / "local").glob(f"{name}-*-local"))


def test_subject_only_remote_change_writes_only_subject_txt(project: Project, client: SesClient) -> None:
    sync.push(client, project)
    before = sources(project, "welcome")
    pushed = client.get_template("welcome")
    assert pushed is not None and "<h1>Acme</h1>" in pushed.html and pushed.text is not None
    client.update_template("welcome", TemplateContent("Hi there {{name}}", pushed.html, pushed.text))

    result = sync.pull(client, project, ["welcome"])
    [item] = result.items
    assert item.action == "update" and item.done and result.ok
    assert item.writes == ["subject.txt"] and item.removes == [] and item.flattens == [] and item.notes == []
    after = sources(project, "welcome")
    assert after["html"] == before["html"] == WELCOME_HTML.encode()  # the jinja2 source, byte for byte
    assert after["text"] is None  # the generated text part is not frozen into body.txt
    assert after["subject"] == b"Hi there {{name}}\n"
    [backup] = backups(project, "welcome")
    assert sorted(p.name for p in backup.iterdir()) == ["subject.txt"]
    assert (backup / "subject.txt").read_bytes() == before["subject"]
    assert states(client, project)["welcome"] is State.IN_SYNC  # the baseline is what was pulled
    assert [i.action for i in sync.plan_push(client, project, ["welcome"]).items] == ["skip"]


def test_remote_html_change_on_a_layout_template_is_refused_then_flattened_with_force(
        project: Project, client: SesClient) -> None:
    sync.push(client, project)
    before = sources(project, "welcome")
    remote_html = "<html><body><p>Rewritten in the console for {{name}}</p></body></html>"
    client.update_template("welcome", TemplateContent("Welcome {{name}}!", remote_html,
                                                      generate_text(remote_html)))

    dry = sync.pull(client, project, ["welcome"], dry_run=True)
    assert [i.action for i in dry.items] == ["refuse"] and dry.items[0].reason == REFUSAL
    result = sync.pull(client, project, ["welcome"])
    [item] = result.items
    assert item.action == "refuse" and item.reason == REFUSAL and not result.ok and not result.pulled
    assert item.flattens == ["welcome/body.html"]
    assert sources(project, "welcome") == before and backups(project, "welcome") == []
    assert states(client, project)["welcome"] is State.CHANGED_REMOTELY  # no baseline recorded

    asked: list[sync.PullResult] = []

    def confirm(planned: sync.PullResult) -> bool:
        asked.append(planned)
        return True

    result = sync.pull(client, project, ["welcome"], force=True, confirm=confirm)
    [item] = result.items
    assert item.action == "update" and item.done and not asked  # no local edits: nothing to confirm
    assert item.writes == ["body.html"] and item.flattens == ["welcome/body.html"]
    assert "forced over the jinja2 source of welcome/body.html" in item.reason
    after = sources(project, "welcome")
    assert after["html"] == remote_html.encode() and after["subject"] == before["subject"]
    assert after["text"] is None  # SES's text is what the new HTML generates: still generated
    [backup] = backups(project, "welcome")
    assert item.backup == backup and (backup / "body.html").read_bytes() == WELCOME_HTML.encode()
    assert states(client, project)["welcome"] is State.IN_SYNC


def test_generated_text_part_is_not_frozen_when_equal(project: Project, client: SesClient) -> None:
    sync.push(client, project)
    html = "<p>Plain {{name}}, now with more</p>\n"
    client.update_template("plain", TemplateContent("Plain {{name}}", html, generate_text(html)))
    [item] = sync.pull(client, project, ["plain"]).items
    assert item.done and item.writes == ["body.html"] and item.notes == []
    assert not project.get("plain").has_part("text") and project.get("plain").text_generated
    assert states(client, project)["plain"] is State.IN_SYNC


def test_hand_made_remote_text_is_written_to_body_txt_and_said_so(project: Project,
                                                                  client: SesClient) -> None:
    sync.push(client, project)
    pushed = client.get_template("welcome")
    assert pushed is not None
    client.update_template("welcome", TemplateContent(pushed.subject, pushed.html, "Hand-made text {{name}}"))
    [item] = sync.pull(client, project, ["welcome"]).items
    assert item.done and item.writes == ["body.txt"]
    assert item.notes == ["body.txt written: SES's text part differs from the generated one"]
    assert project.get("welcome").source("text") == "Hand-made text {{name}}"
    assert project.get("welcome").source("html") == WELCOME_HTML  # the layout source is untouched
    assert states(client, project)["welcome"] is State.IN_SYNC


def test_remote_without_text_part_keeps_layout_source_and_sets_optional(project: Project,
                                                                        client: SesClient) -> None:
    sync.push(client, project)
    pushed = client.get_template("welcome")
    assert pushed is not None
    client.update_template("welcome", TemplateContent(pushed.subject, pushed.html, None))
    [item] = sync.pull(client, project, ["welcome"]).items
    assert item.done and item.writes == [] and item.removes == [] and item.backup is None
    tpl = project.get("welcome")
    assert tpl.source("html") == WELCOME_HTML and tpl.text_policy == "optional"  # stays without a text part
    assert states(client, project)["welcome"] is State.IN_SYNC


def test_subject_with_layout_variables_is_refused(project: Project, client: SesClient) -> None:
    sync.push(client, project)
    before = sources(project, "branded")
    pushed = client.get_template("branded")
    assert pushed is not None and pushed.subject == "Acme news for {{name}}"
    client.update_template("branded", TemplateContent("Acme weekly for {{name}}", pushed.html, pushed.text))
    [item] = sync.pull(client, project, ["branded"]).items
    assert item.action == "refuse" and item.reason == (
        "branded/subject.txt uses layout variables: pulling would replace its jinja2 source with the "
        "composed subject (use --force to do it anyway; a backup is kept)")
    assert sources(project, "branded") == before


def test_local_edits_and_layout_source_are_both_named(project: Project, client: SesClient) -> None:
    sync.push(client, project)
    project.get("welcome").write_part("subject", "Welcome, {{name}}\n")
    client.update_template("welcome", TemplateContent("Remote {{name}}", "<p>remote</p>", "remote"))
    [item] = sync.pull(client, project, ["welcome"]).items
    assert item.action == "refuse"
    assert item.reason.startswith("has local edits since the last push/pull (use --force")
    assert "replaces the jinja2 source of welcome/body.html" in item.reason
    result = sync.pull(client, project, ["welcome"], force=True, confirm=lambda r: True)
    [item] = result.items
    assert item.done and item.overwrites_edits and item.flattens == ["welcome/body.html"]
    assert sorted(item.writes) == ["body.html", "body.txt", "subject.txt"]
    assert project.get("welcome").compose() == TemplateContent("Remote {{name}}", "<p>remote</p>", "remote")


def test_cli_prints_the_refusal_and_exits_1(project: Project, server: LocalSes, client: SesClient,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    sync.push(client, project)
    pushed = client.get_template("welcome")
    assert pushed is not None
    client.update_template("welcome", TemplateContent(pushed.subject, "<p>console</p>", "console"))
    args = ["--dir", str(project.root), "--endpoint-url", server.endpoint_url]

    assert main(["pull", *args]) == 1
    captured = capsys.readouterr()
    assert f"refused welcome: {REFUSAL}" in captured.err
    assert "2 unchanged" in captured.out
    assert project.get("welcome").source("html") == WELCOME_HTML

    assert main(["pull", "--dry-run", "--force", *args]) == 0
    out = capsys.readouterr().out
    assert "would be updated welcome\n  would write body.html, body.txt\n" in out
    assert project.get("welcome").source("html") == WELCOME_HTML

    assert main(["pull", "--force", "--yes", *args]) == 0
    out = capsys.readouterr().out
    assert "updated welcome (previous files: " in out and "  wrote body.html, body.txt\n" in out
    assert ("  welcome/body.html: jinja2 source replaced by the composed HTML (--force; the backup keeps it)"
            in out)
    assert "  body.txt written: SES's text part differs from the generated one" in out
    [backup] = backups(project, "welcome")
    assert (backup / "body.html").read_text() == WELCOME_HTML
    assert project.get("welcome").source("html") == "<p>console</p>"


def test_sample_welcome_subject_change_does_not_flatten(tmp_path: Path, server: LocalSes) -> None:
    """The reported case, on a copy of sample_templates/: SES's subject of ``welcome`` changed (boto3
    update_email_template), then pull.  Its subject.txt holds ``[[ brand.name ]]``, so the pull is refused
    naming that file; body.html keeps its ``{% extends %}`` source and no body.txt appears."""
    samples = Project.load(copy_samples(tmp_path / "samples"))
    client = make_client(samples, server)
    assert sync.push(client, samples, ["welcome"]).ok
    before = sources(samples, "welcome")
    assert before["html"] is not None and before["html"].startswith(b'{% extends "base.html" %}')

    ses = boto3.client("sesv2", **server.boto3_kwargs())
    content = ses.get_email_template(TemplateName="welcome")["TemplateContent"]
    content["Subject"] = "Hello from the console, {{firstName}}!"
    ses.update_email_template(TemplateName="welcome", TemplateContent=content)

    [item] = sync.pull(client, samples, ["welcome"]).items
    assert item.action == "refuse" and item.reason.startswith(
        "welcome/subject.txt uses layout variables: pulling would replace its jinja2 source")
    assert sources(samples, "welcome") == before

    [item] = sync.pull(client, samples, ["welcome"], force=True).items
    assert item.done and item.writes == ["subject.txt"] and item.flattens == ["welcome/subject.txt"]
    after = sources(samples, "welcome")
    assert after["subject"] == b"Hello from the console, {{firstName}}!\n"
    assert after["html"] == before["html"] and after["text"] is None
