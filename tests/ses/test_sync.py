"""status / diff / push / pull against the local endpoint over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ses_workbench.project import Project, TemplateContent
from ses_workbench.ses import sync
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.errors import Refused
from ses_workbench.ses.local import LocalSes
from ses_workbench.ses.sync import State

from .conftest import make_client


def states(client: SesClient, project: Project) -> dict[str, State]:
    return {s.name: s.state for s in sync.status(client, project)}


def edit(project: Project, name: str, part: str, text: str) -> None:
    project.get(name).write_part(part, text)


def test_status_states(project: Project, client: SesClient) -> None:
    assert states(client, project) == {"welcome": State.LOCAL_ONLY, "receipt": State.LOCAL_ONLY}
    result = sync.push(client, project)
    assert {i.name for i in result.pushed} == {"welcome", "receipt"}
    assert states(client, project) == {"welcome": State.IN_SYNC, "receipt": State.IN_SYNC}

    edit(project, "welcome", "subject", "Hello {{name}}\n")
    remote = client.get_template("receipt")
    assert remote is not None
    client.update_template("receipt", TemplateContent("Changed {{order.id}}", remote.html, remote.text))
    client.create_template("extra", TemplateContent("x", "<p>x</p>"))
    got = states(client, project)
    assert got == {"welcome": State.MODIFIED_LOCALLY, "receipt": State.CHANGED_REMOTELY,
                   "extra": State.REMOTE_ONLY}

    edit(project, "receipt", "subject", "Local {{order.id}}\n")
    assert states(client, project)["receipt"] is State.CONFLICT


def test_status_untracked_and_error(project: Project, client: SesClient) -> None:
    client.create_template("welcome", TemplateContent("Other", "<p>other</p>"))
    edit(project, "receipt", "html", '{% extends "missing-layout.html" %}')
    rows = {s.name: s for s in sync.status(client, project)}
    assert rows["welcome"].state is State.UNTRACKED
    assert rows["receipt"].state is State.ERROR and rows["receipt"].error


def test_status_progress(project: Project, client: SesClient) -> None:
    calls: list[tuple[int, int, str]] = []
    sync.status(client, project, progress=lambda d, t, n: calls.append((d, t, n)))
    assert calls[0] == (0, 2, "receipt") and calls[-1][0] == calls[-1][1] == 2


def test_push_only_what_changed_and_confirm_once(project: Project, client: SesClient) -> None:
    asked: list[sync.PushPlan] = []
    result = sync.push(client, project, confirm=lambda plan: asked.append(plan) or False)
    assert len(asked) == 1 and result.cancelled and client.list_templates() == []
    dry = sync.push(client, project, dry_run=True)
    assert dry.dry_run and len(dry.plan.changes) == 2 and client.list_templates() == []

    sync.push(client, project)
    edit(project, "welcome", "text", "Bye {{name}}\n")
    before = client.stats["calls"]
    result = sync.push(client, project, confirm=lambda plan: asked.append(plan) or True)
    assert [(i.name, i.action) for i in result.plan.items] == [("receipt", "skip"), ("welcome", "update")]
    assert [i.name for i in result.pushed] == ["welcome"]
    # list + 2 gets + the re-read right before the update + 1 update: nothing else was written
    assert client.stats["calls"] - before == 5
    assert client.get_template("welcome").text == "Bye {{name}}\n"  # type: ignore[union-attr]
    again = sync.push(client, project, confirm=lambda plan: pytest.fail("nothing to confirm"))
    assert not again.plan.changes


def test_push_refuses_drift_until_force_and_backs_up(project: Project, client: SesClient) -> None:
    sync.push(client, project)
    theirs = TemplateContent("Theirs {{name}}", "<p>theirs</p>", None)
    client.update_template("welcome", theirs)
    edit(project, "welcome", "subject", "Mine {{name}}\n")
    result = sync.push(client, project)
    refused = result.plan.refused
    assert [i.name for i in refused] == ["welcome"] and "changed remotely" in refused[0].reason
    assert client.get_template("welcome") == theirs and not result.ok

    result = sync.push(client, project, force=True)
    item = result.pushed[0]
    assert item.name == "welcome" and item.backup is not None
    backup = json.loads(Path(item.backup).read_text())
    assert backup == {"TemplateName": "welcome", "TemplateContent": theirs.to_v2()}
    assert item.backup.parent == project.state_dir / "backups" / "local"
    assert client.get_template("welcome").subject == "Mine {{name}}"  # type: ignore[union-attr]


def test_push_refuses_lint_errors_unless_no_lint(project: Project, client: SesClient) -> None:
    # The default fixture lacks 'surname', which the subject renders: lint error.
    edit(project, "welcome", "subject", "Welcome {{name}} {{surname}}\n")
    result = sync.push(client, project)
    refused = {i.name: i.reason for i in result.plan.refused}
    assert "welcome" in refused and "lint" in refused["welcome"] and "surname" in refused["welcome"]
    assert [i.name for i in result.pushed] == ["receipt"]
    result = sync.push(client, project, no_lint=True)
    assert [i.name for i in result.pushed] == ["welcome"]


def test_push_applies_prefix(project: Project, server: LocalSes) -> None:
    stg = make_client(project, server, env="stg")
    plain = make_client(project, server)
    sync.push(stg, project, ["welcome"])
    assert [t.remote_name for t in stg.list_templates()] == ["stg-welcome"]
    assert plain.get_template("welcome") is None
    assert states(stg, project)["welcome"] is State.IN_SYNC
    assert states(plain, project)["welcome"] is State.LOCAL_ONLY  # records are per environment


def test_pull_creates_and_never_clobbers(project: Project, client: SesClient) -> None:
    client.create_template("remote-only", TemplateContent("R {{x}}", "<p>{{x}}</p>", "{{x}}"))
    sync.push(client, project, ["welcome"])
    result = sync.pull(client, project, ["remote-only"])
    assert [i.name for i in result.pulled] == ["remote-only"]
    project.scan()
    assert project.get("remote-only").compose() == TemplateContent("R {{x}}", "<p>{{x}}</p>", "{{x}}")
    assert states(client, project)["remote-only"] is State.IN_SYNC

    # Remote change, no local edits: pull updates the files.
    client.update_template("welcome", TemplateContent("New {{name}}", "<p>new</p>", "new"))
    result = sync.pull(client, project, ["welcome"])
    assert [i.action for i in result.items] == ["update"] and result.pulled
    assert project.get("welcome").compose().subject == "New {{name}}"

    # Local edits and a remote change: refused, files untouched, until --force.
    edit(project, "welcome", "text", "mine\n")
    client.update_template("welcome", TemplateContent("Newer {{name}}", "<p>newer</p>", "newer"))
    result = sync.pull(client, project, ["welcome"])
    assert result.refused and not result.pulled
    assert project.get("welcome").source("text") == "mine\n"
    asked: list[sync.PullResult] = []
    result = sync.pull(client, project, ["welcome"], force=True, confirm=lambda r: asked.append(r) or False)
    assert result.cancelled and len(asked) == 1 and asked[0].items[0].overwrites_edits
    assert project.get("welcome").source("text") == "mine\n"
    result = sync.pull(client, project, ["welcome"], force=True, confirm=lambda r: True)
    assert result.pulled and project.get("welcome").source("text") == "newer"

    with pytest.raises(Refused):
        sync.pull(client, project, ["not-there"])


def test_pull_dry_run_writes_nothing(project: Project, client: SesClient) -> None:
    client.create_template("fresh", TemplateContent("F", "<p>f</p>"))
    result = sync.pull(client, project, dry_run=True)
    assert [i.action for i in result.items if i.name == "fresh"] == ["create"]
    project.scan()
    assert "fresh" not in project.templates


def test_diff_local_and_between_environments(project: Project, server: LocalSes) -> None:
    client = make_client(project, server)
    stg = make_client(project, server, env="stg")
    sync.push(client, project)
    assert not any(d.changed for d in sync.diff(client, project))
    edit(project, "welcome", "html", "<p>Hi {{name}}</p>\n")
    diffs = {d.name: d for d in sync.diff(client, project)}
    assert diffs["welcome"].changed and not diffs["receipt"].changed
    text = diffs["welcome"].unified()
    assert "--- ses:local/welcome/html" in text and "+++ local/welcome/html" in text
    assert "+<p>Hi {{name}}</p>" in text and "-<p>Hello {{name}}</p>" in text

    sync.push(stg, project, ["welcome"])
    between = {d.name: d for d in sync.diff(client, project, against=stg)}
    assert between["welcome"].changed and "--- ses:stg/welcome/html" in between["welcome"].unified()
    assert between["receipt"].new is not None and between["receipt"].old is None


_A = TemplateContent("A", "<p>a</p>", None)
_B = TemplateContent("B", "<p>b</p>", None)
_C = TemplateContent("C", "<p>c</p>", None)


@pytest.mark.parametrize("local, remote, baseline, expected", [
    (None, None, None, State.ERROR),
    (_A, None, None, State.LOCAL_ONLY),
    (None, _A, None, State.REMOTE_ONLY),
    (_A, _A, None, State.IN_SYNC),
    (_A, _B, None, State.UNTRACKED),
    (_A, _B, _B.content_hash(), State.MODIFIED_LOCALLY),
    (_A, _B, _A.content_hash(), State.CHANGED_REMOTELY),
    (_A, _B, _C.content_hash(), State.CONFLICT),
])
def test_classify_is_pure(local: TemplateContent | None, remote: TemplateContent | None,
                          baseline: str | None, expected: State) -> None:
    assert sync.classify(local, remote, baseline) is expected


def test_pulling_an_html_only_template_keeps_it_html_only(project: Project, client: SesClient) -> None:
    """The project generates text parts; a template SES holds without one is pulled as it is (template.toml
    says text_part = "optional"), so it is in sync right after the pull and a push would change nothing."""
    config = project.root / "ses-workbench.toml"
    config.write_text(config.read_text().replace('text_part = "optional"', 'text_part = "generate"'))
    project = Project.load(project.root)
    assert project.config.text_part == "generate"
    client.create_template("html-only", TemplateContent("H {{x}}", "<p>Hi {{x}}</p>"))
    sync.pull(client, project, ["html-only"])
    project.scan()
    tpl = project.get("html-only")
    assert tpl.text_policy == "optional" and tpl.compose().text is None
    assert 'text_part = "optional"' in tpl.meta_path.read_text()
    assert tpl.meta.description.startswith("pulled from")  # the description written by pull is kept
    assert states(client, project)["html-only"] is State.IN_SYNC
    assert [i.action for i in sync.plan_push(client, project, ["html-only"]).items] == ["skip"]

    # an update that drops the text part of a pulled template: the same
    client.create_template("had-text", TemplateContent("T", "<p>t</p>", "t"))
    sync.pull(client, project, ["had-text"])
    client.update_template("had-text", TemplateContent("T", "<p>t2</p>"))
    sync.pull(client, project, ["had-text"])
    project.scan()
    assert project.get("had-text").compose() == TemplateContent("T", "<p>t2</p>", None)
    assert states(client, project)["had-text"] is State.IN_SYNC


def test_plan_push_takes_lint_from_a_linter(project: Project, client: SesClient) -> None:
    """The linter is asked once, for every selected template, with the environment's dialect; what it
    reports refuses the push, and a name it leaves out is linted in-process as usual."""
    from ses_workbench.engine import DEFAULT_DIALECT

    edit(project, "receipt", "html", "<p>{{#if}}</p>")  # a syntax error the in-process lint finds
    asked: list[tuple[list[str], object]] = []

    def linter(names: list[str], dialect: object) -> dict[str, list[str]]:
        asked.append((list(names), dialect))
        return {"welcome": ["welcome/body.html:1:1: error: from the linter [x]"]}

    plan = sync.plan_push(client, project, None, linter=linter)
    assert asked == [(["receipt", "welcome"], DEFAULT_DIALECT)]
    by_name = {item.name: item for item in plan.items}
    assert by_name["welcome"].action == "refuse" and "from the linter" in by_name["welcome"].reason
    assert by_name["receipt"].action == "refuse" and "lint error" in by_name["receipt"].reason
    assert sync.plan_push(client, project, None, linter=linter, no_lint=True).changes  # not asked then
    assert len(asked) == 1
