"""Remote edits are never lost by a push: what SES holds is re-read right before each write.

A push plan can be old by the time it runs (the CLI shows the diff and asks; the TUI has its dialog
open).  A colleague's edit in that window is refused as drift, never overwritten, and what SES holds
then is what the backup keeps.  A planned create that meets a template someone made meanwhile is drift
too, never a silent update.  A backup that cannot be written stops the write it was meant to protect.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from ses_workbench.project import Project, TemplateContent
from ses_workbench.ses import sync
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.errors import TemplateAlreadyExists
from ses_workbench.ses.local import LocalSes

from .conftest import make_client

COLLEAGUE = TemplateContent("Colleague, meanwhile", "<p>Colleague, meanwhile</p>", None)


def edit(project: Project, name: str, part: str, text: str) -> None:
    project.get(name).write_part(part, text)


def backups(project: Project) -> list[Path]:
    return sorted((project.state_dir / "backups").rglob("*.json"))


def backed_up_subjects(project: Project) -> list[str]:
    return [json.loads(p.read_text())["TemplateContent"]["Subject"] for p in backups(project)]


def test_a_remote_edit_after_the_plan_is_refused_and_backed_up(project: Project, server: LocalSes,
                                                               client: SesClient) -> None:
    sync.push(client, project)
    edit(project, "welcome", "subject", "Local edit {{name}}\n")
    plan = sync.plan_push(client, project)
    assert [(i.name, i.action) for i in plan.changes] == [("welcome", "update")]
    make_client(project, server).update_template("welcome", COLLEAGUE)  # while the diff is on screen

    result = sync.execute_push(client, project, plan)
    [item] = result.drifted
    assert item.name == "welcome" and not item.done and not result.ok and not result.failed
    assert item.error is not None and item.error.startswith(
        "changed remotely since the plan: nothing overwritten; SES's current content is backed up in")
    assert client.get_template("welcome") == COLLEAGUE  # the colleague's text is still there
    assert item.backup is not None and str(item.backup) in item.error
    assert json.loads(item.backup.read_text())["TemplateContent"]["Subject"] == "Colleague, meanwhile"
    # the baseline is still our last push: status calls it a conflict, not something we pushed
    [st] = sync.status(client, project, ["welcome"])
    assert st.state is sync.State.CONFLICT


def test_a_forced_plan_still_refuses_a_change_made_after_it(project: Project, server: LocalSes,
                                                           client: SesClient) -> None:
    sync.push(client, project)
    colleague = make_client(project, server)
    colleague.update_template("welcome", TemplateContent("First remote edit", "<p>1</p>", None))
    edit(project, "welcome", "subject", "Local edit {{name}}\n")
    plan = sync.plan_push(client, project, force=True)  # the user saw and forced over "First remote edit"
    assert [(i.name, i.reason) for i in plan.changes] == [("welcome", "forced over drift")]
    colleague.update_template("welcome", COLLEAGUE)

    result = sync.execute_push(client, project, plan)
    assert [i.name for i in result.drifted] == ["welcome"] and not result.pushed
    assert client.get_template("welcome") == COLLEAGUE
    assert "Colleague, meanwhile" in backed_up_subjects(project)


def test_a_template_deleted_after_the_plan_is_not_recreated_behind_the_users_back(
        project: Project, server: LocalSes, client: SesClient) -> None:
    sync.push(client, project)
    edit(project, "welcome", "subject", "Local edit {{name}}\n")
    plan = sync.plan_push(client, project)
    make_client(project, server).delete_template("welcome")
    result = sync.execute_push(client, project, plan)
    [item] = result.drifted
    assert item.error == "deleted remotely since the plan: nothing pushed (push again to create it)"
    assert client.get_template("welcome") is None


def test_the_same_content_pushed_meanwhile_is_not_drift(project: Project, server: LocalSes,
                                                        client: SesClient) -> None:
    sync.push(client, project)
    edit(project, "welcome", "subject", "Local edit {{name}}\n")
    plan = sync.plan_push(client, project)
    [item] = plan.changes
    assert item.local is not None
    make_client(project, server).update_template("welcome", item.local)  # a colleague pushed the same
    result = sync.execute_push(client, project, plan)
    assert result.ok and [i.name for i in result.pushed] == ["welcome"] and not result.drifted


def test_a_planned_create_that_meets_an_existing_template_is_drift_not_an_update(
        project: Project, server: LocalSes, client: SesClient) -> None:
    plan = sync.plan_push(client, project, ["welcome"])
    assert [(i.name, i.action) for i in plan.changes] == [("welcome", "create")]
    make_client(project, server).create_template("welcome", COLLEAGUE)  # someone else, same name

    result = sync.execute_push(client, project, plan)
    [item] = result.drifted
    assert not item.done and item.state is sync.State.UNTRACKED
    assert item.error is not None and item.error.startswith("created remotely since the plan")
    assert "nothing overwritten" in item.error and str(item.backup) in item.error
    assert client.get_template("welcome") == COLLEAGUE
    assert backed_up_subjects(project) == ["Colleague, meanwhile"]


def test_the_create_race_in_an_interleaved_push_is_drift_too(project: Project, server: LocalSes,
                                                             client: SesClient) -> None:
    colleague = make_client(project, server)

    def progress(done: int, total: int, name: str) -> None:  # after the listing, before welcome's turn
        if name == "welcome":
            colleague.create_template("welcome", COLLEAGUE)

    result = sync.push(client, project, progress=progress)
    assert [i.name for i in result.pushed] == ["receipt"]
    assert [i.name for i in result.drifted] == ["welcome"]
    assert result.plan.summary() == "local: 1 to create, 0 to update, 0 unchanged, 1 refused"
    assert client.get_template("welcome") == COLLEAGUE


def test_upsert_never_falls_back(client: SesClient) -> None:
    client.create_template("hello", COLLEAGUE)
    with pytest.raises(TemplateAlreadyExists):
        client.upsert_template("hello", TemplateContent("Mine", None, "mine"), exists=False)
    assert client.get_template("hello") == COLLEAGUE


class _TtyStdin(io.StringIO):
    """A terminal whose user answers the push question — after a colleague changed SES."""

    def __init__(self, before_answer: object) -> None:
        super().__init__()
        self.before_answer = before_answer

    def isatty(self) -> bool:
        return True

    def readline(self, size: int | None = -1) -> str:
        self.before_answer()  # type: ignore[operator]
        return "y\n"


def test_cli_push_refuses_what_changed_while_the_question_was_asked(
        project: Project, server: LocalSes, client: SesClient, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from ses_workbench.cli import main

    sync.push(client, project)
    edit(project, "welcome", "subject", "Local edit {{name}}\n")
    colleague = make_client(project, server)
    monkeypatch.setattr(sys, "stdin", _TtyStdin(lambda: colleague.update_template("welcome", COLLEAGUE)))
    code = main(["push", "--dir", str(project.root), "--endpoint-url", server.endpoint_url])
    out, err = capsys.readouterr()
    assert code == 1
    assert "# update welcome (modified)" in out and "updated welcome" not in out
    [line] = [x for x in err.splitlines() if x.startswith("refused welcome:")]
    assert "changed remotely since the plan: nothing overwritten" in line and "Traceback" not in err
    assert client.get_template("welcome") == COLLEAGUE
    assert backed_up_subjects(project) == ["Colleague, meanwhile"]


def test_push_does_not_touch_ses_when_the_backup_cannot_be_written(
        project: Project, server: LocalSes, client: SesClient, capsys: pytest.CaptureFixture[str]) -> None:
    from ses_workbench.cli import main

    sync.push(client, project)
    edit(project, "welcome", "subject", "Local edit {{name}}\n")
    (project.state_dir / "backups").write_text("a file where the backups folder goes")  # mkdir fails
    code = main(["push", "--yes", "--dir", str(project.root), "--endpoint-url", server.endpoint_url])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err and "updated welcome" not in out
    [line] = [x for x in err.splitlines() if "welcome" in x]
    assert line.startswith("failed welcome: cannot write ") and "backups" in line
    assert line.endswith(": not pushed (the backup of SES's content comes first)")
    assert client.get_template("welcome").subject == "Welcome {{name}}!"  # type: ignore[union-attr]


def test_forcing_a_shown_plan_forces_over_what_it_showed_only(project: Project, server: LocalSes,
                                                              client: SesClient) -> None:
    sync.push(client, project)
    colleague = make_client(project, server)
    colleague.update_template("welcome", TemplateContent("First remote edit", "<p>1</p>", None))
    edit(project, "welcome", "subject", "Local edit {{name}}\n")
    edit(project, "receipt", "subject", "{{#if}}\n")  # a lint/compose refusal stays one
    shown = sync.plan_push(client, project)
    assert {i.name: i.action for i in shown.items} == {"welcome": "refuse", "receipt": "refuse"}
    colleague.update_template("welcome", COLLEAGUE)  # after the user saw "First remote edit"
    result = sync.execute_push(client, project, sync.forced(shown))
    assert [i.name for i in result.drifted] == ["welcome"] and not result.pushed
    assert {i.name: i.action for i in result.plan.items}["receipt"] == "refuse"
    assert client.get_template("welcome") == COLLEAGUE

    again = sync.plan_push(client, project, ["welcome"])  # shown now: the colleague's text
    result = sync.execute_push(client, project, sync.forced(again))
    assert [i.name for i in result.pushed] == ["welcome"]
    assert client.get_template("welcome").subject == "Local edit {{name}}"  # type: ignore[union-attr]
    assert backed_up_subjects(project)[-1] == "Colleague, meanwhile"
