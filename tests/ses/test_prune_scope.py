"""prune deletes only what this project pushed or pulled; another team's templates are listed, kept, and
deleted only when named."""

from __future__ import annotations

import json
import shutil

import pytest

from ses_workbench.project import Project, TemplateContent
from ses_workbench.ses import sync
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.local import LocalSes
from ses_workbench.ses.prune import plan_prune, prune

from .conftest import make_client

DUNNING = TemplateContent("Your invoice is overdue", "<p>Pay up</p>", None)


def test_prune_keeps_templates_never_pushed_from_here(project: Project, server: LocalSes,
                                                      client: SesClient) -> None:
    sync.push(client, project)
    make_client(project, server).create_template("billing-team-dunning", DUNNING)  # another team
    shutil.rmtree(project.root / "welcome")  # removed in git: ours to prune
    project.scan()

    plan = plan_prune(client, project)
    assert [i.name for i in plan.items] == ["welcome"]
    assert [i.name for i in plan.foreign] == ["billing-team-dunning"]
    assert plan.summary().splitlines() == [
        "local: 1 template with no folder here: welcome",
        "not pushed from here (kept): billing-team-dunning; name them to delete"]
    done = prune(client, project, confirm=lambda p: True)
    assert [i.name for i in done.deleted] == ["welcome"]
    assert client.get_template("billing-team-dunning") == DUNNING
    assert plan_prune(client, project).summary().splitlines() == [
        "local: nothing to prune that was pushed from here",
        "not pushed from here (kept): billing-team-dunning; name them to delete"]

    named = prune(client, project, ["billing-team-dunning"], confirm=lambda p: True)
    [item] = named.deleted
    assert client.get_template("billing-team-dunning") is None
    assert item.backup is not None and json.loads(item.backup.read_text())["TemplateName"] == \
        "billing-team-dunning"


def test_a_pulled_template_is_ours_to_prune(project: Project, server: LocalSes, client: SesClient) -> None:
    make_client(project, server).create_template("promo", DUNNING)
    assert [i.name for i in plan_prune(client, project).foreign] == ["promo"]
    sync.pull(client, project, ["promo"])
    shutil.rmtree(project.root / "promo")
    project.scan()
    plan = plan_prune(client, project)
    assert [i.name for i in plan.items] == ["promo"] and not plan.foreign


def test_prune_cli_lists_the_others_and_deletes_one_only_when_named(
        project: Project, server: LocalSes, client: SesClient, capsys: pytest.CaptureFixture[str]) -> None:
    from ses_workbench.cli import main

    def run(*args: str) -> int:
        return main(["prune", *args, "--dir", str(project.root), "--endpoint-url", server.endpoint_url])

    sync.push(client, project)
    make_client(project, server).create_template("billing-team-dunning", DUNNING)
    assert run("--yes") == 0
    out = capsys.readouterr().out
    assert "not pushed from here (kept): billing-team-dunning; name them to delete" in out
    assert "deleted" not in out and client.get_template("billing-team-dunning") == DUNNING
    assert run("billing-team-dunning", "--yes") == 0
    assert "deleted billing-team-dunning (backup: " in capsys.readouterr().out
    assert client.get_template("billing-team-dunning") is None


def test_prune_deletes_nothing_whose_backup_cannot_be_written(
        project: Project, client: SesClient, capsys: pytest.CaptureFixture[str]) -> None:
    sync.push(client, project)
    shutil.rmtree(project.root / "welcome")
    project.scan()
    (project.state_dir / "backups").write_text("in the way")
    plan = prune(client, project, confirm=lambda p: True)
    [item] = plan.failed
    assert item.error is not None and item.error.startswith("cannot write ")
    assert item.error.endswith(": not deleted (the backup comes first)")
    assert client.get_template("welcome") is not None
