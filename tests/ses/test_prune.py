"""prune: delete from SES what has no folder here any more (after a rename in git), backed up first."""

from __future__ import annotations

import json
import shutil

import pytest

from ses_workbench.project import Project, TemplateContent
from ses_workbench.project.importexport import import_files
from ses_workbench.ses import sync
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.errors import Refused
from ses_workbench.ses.local import LocalSes
from ses_workbench.ses.prune import plan_prune, prune
from ses_workbench.ses.state import SyncState

from .conftest import make_client


def test_a_renamed_template_is_pruned_after_a_backup(project: Project, client: SesClient) -> None:
    sync.push(client, project)
    (project.root / "welcome").rename(project.root / "hello")  # renamed in git
    project.scan()
    sync.push(client, project, ["hello"])
    assert {s.name: s.state for s in sync.status(client, project)}["welcome"] is sync.State.REMOTE_ONLY

    assert [i.name for i in plan_prune(client, project).items] == ["welcome"]
    assert prune(client, project, dry_run=True).items and client.get_template("welcome") is not None
    asked: list[str] = []
    assert prune(client, project, confirm=lambda p: asked.append(p.summary()) or False).cancelled
    assert client.get_template("welcome") is not None and "welcome" in asked[0]

    plan = prune(client, project, confirm=lambda p: True)
    assert [i.name for i in plan.deleted] == ["welcome"] and not plan.failed
    assert client.get_template("welcome") is None
    assert {t.name for t in client.list_templates()} == {"hello", "receipt"}
    assert SyncState(project.state_dir).record("local", "welcome") is None
    # the backup restores it: AWS CLI v2 shape, importable
    backup = plan.items[0].backup
    assert backup is not None and json.loads(backup.read_text())["TemplateName"] == "welcome"
    restored = project.root.parent / "restore"
    restored.mkdir()
    [tpl] = import_files(Project.load(restored), [backup])
    assert tpl.compose().subject == "Welcome {{name}}!"
    assert prune(client, project).summary().endswith(
        "nothing to prune (every template there has a folder here)")


def test_prune_never_deletes_what_has_a_folder_or_another_prefix(project: Project, server: LocalSes) -> None:
    local = make_client(project, server)
    stg = make_client(project, server, env="stg")  # prefix "stg-"
    sync.push(local, project)
    sync.push(stg, project)
    shutil.rmtree(project.root / "receipt")
    project.scan()
    with pytest.raises(Refused, match="still a template folder"):
        plan_prune(local, project, ["welcome"])
    with pytest.raises(Refused, match="no template 'nope'"):
        plan_prune(local, project, ["nope"])
    plan = prune(stg, project, confirm=lambda p: True)
    assert [(i.name, i.remote_name) for i in plan.deleted] == [("receipt", "stg-receipt")]
    assert local.get_template("receipt") == TemplateContent(  # the other environment's copy is untouched
        "Receipt {{order.id}}", "<ul>{{#each order.items}}<li>{{this.sku}}</li>{{/each}}</ul>\n", None)


def test_prune_cli(project: Project, server: LocalSes, client: SesClient,
                   capsys: pytest.CaptureFixture[str]) -> None:
    from ses_workbench.cli import main

    def run(*args: str) -> int:
        return main(["prune", *args, "--dir", str(project.root), "--endpoint-url", server.endpoint_url])

    sync.push(client, project)
    assert run() == 0 and "nothing to prune" in capsys.readouterr().out
    shutil.rmtree(project.root / "welcome")
    assert run("--dry-run") == 0
    out = capsys.readouterr().out
    assert "1 template with no folder here: welcome" in out and "dry run: nothing deleted" in out
    assert run() == 2 and "--yes" in capsys.readouterr().err  # no terminal: must be told
    assert client.get_template("welcome") is not None
    assert run("--yes") == 0
    assert "deleted welcome (backup: " in capsys.readouterr().out
    assert client.get_template("welcome") is None
    assert run("receipt", "--yes") == 1
    assert "still a template folder here" in capsys.readouterr().err
