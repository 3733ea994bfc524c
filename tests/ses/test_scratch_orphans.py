"""Scratch templates orphaned by a killed remote render are found and deleted by the next one, listed by
``status``; a scratch template whose owner still runs is left alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import ses_workbench
from ses_workbench.project import Project, TemplateContent
from ses_workbench.ses import remote
from ses_workbench.ses.client import SCRATCH_PREFIX, RemoteTemplate, SesClient
from ses_workbench.ses.local import LocalSes

CHILD = textwrap.dedent("""
    import os, signal, sys
    from ses_workbench.cli import main
    from ses_workbench.ses.client import SesClient

    real = SesClient.test_render
    def test_render(self, name, data):  # the window between the scratch create and its delete
        if sys.argv[3] == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        print("rendering", name, flush=True)
        sys.stdin.readline()
        return real(self, name, data)
    SesClient.test_render = test_render
    sys.exit(main(["remote-render", "welcome", "--dir", sys.argv[1], "--endpoint-url", sys.argv[2]]))
""")


def child(project: Project, server: LocalSes, mode: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(Path(ses_workbench.__file__).resolve().parents[1]))
    return subprocess.Popen([sys.executable, "-c", CHILD, str(project.root), server.endpoint_url, mode],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)


def scratch_names(client: SesClient) -> list[str]:
    return [t.name for t in client.list_templates(include_scratch=True) if t.name.startswith(SCRATCH_PREFIX)]


def cli(project: Project, server: LocalSes, *args: str) -> int:
    from ses_workbench.cli import main

    return main([*args, "--dir", str(project.root), "--endpoint-url", server.endpoint_url])


def test_a_scratch_template_orphaned_by_kill_9_is_listed_and_removed_by_the_next_run(
        project: Project, server: LocalSes, client: SesClient, capsys: pytest.CaptureFixture[str]) -> None:
    proc = child(project, server, "kill")
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    [orphan] = scratch_names(client)  # welcome was never pushed: the render used a scratch copy
    assert orphan.startswith(SCRATCH_PREFIX) and list(client.list_templates()) == []  # listings hide it

    assert cli(project, server, "status") == 0
    out = capsys.readouterr().out
    assert f"  {orphan} (orphaned: the next remote-render or parity deletes it, created " in out

    result = remote.remote_render(client, project, "welcome")
    assert result.scratch and result.subject == "Welcome Ada!"
    assert scratch_names(client) == []  # the orphan and our own copy are both gone
    assert list((project.state_dir / "scratch").iterdir()) == []  # and so are their lease files


def test_a_scratch_template_whose_owner_still_runs_is_kept(project: Project, server: LocalSes,
                                                           client: SesClient) -> None:
    proc = child(project, server, "hold")
    assert proc.stdout is not None and proc.stdin is not None
    line = proc.stdout.readline()  # the child made its scratch copy and waits inside the render
    assert line.startswith("rendering " + SCRATCH_PREFIX), line
    theirs = line.split()[1]
    try:
        [sc] = remote.scratch_templates(client)
        assert (sc.name, sc.state) == (theirs, "in-use")
        assert remote.remote_render(client, project, "welcome").scratch  # sweeps, and leaves theirs
        assert scratch_names(client) == [theirs]
    finally:
        out, _ = proc.communicate("go\n", timeout=120)
    assert proc.returncode == 0 and "Subject: Welcome Ada!" in out
    assert scratch_names(client) == []


def test_a_scratch_template_made_elsewhere_is_removed_only_once_it_is_old(client: SesClient) -> None:
    content = TemplateContent("s", "<p>s</p>", None)
    client.create_template(f"{SCRATCH_PREFIX}a156f35a", content)  # an older version's name, no lease here
    [sc] = remote.scratch_templates(client)
    assert sc.state == "recent" and sc.created is not None  # SES's CreatedTimestamp
    assert remote.sweep_scratch(client) == [] and len(scratch_names(client)) == 1

    later = datetime.now(timezone.utc) + timedelta(seconds=remote.SCRATCH_MAX_AGE + 60)
    [gone] = remote.sweep_scratch(client, now=lambda: later)
    assert gone.name == f"{SCRATCH_PREFIX}a156f35a" and scratch_names(client) == []


def test_without_a_created_timestamp_the_stamp_in_the_name_tells_the_age(client: SesClient) -> None:
    now = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)
    old = remote.scratch_name(now.timestamp() - remote.SCRATCH_MAX_AGE - 1)
    fresh = remote.scratch_name(now.timestamp() - 5)
    unknown = f"{SCRATCH_PREFIX}deadbeef"
    listing = [RemoteTemplate(n, n) for n in (old, fresh, unknown)]
    states = {s.name: s.state for s in remote.scratch_templates(client, listing, now=lambda: now)}
    assert states == {old: "orphaned", fresh: "recent", unknown: "recent"}


def test_a_sweep_that_may_not_list_templates_does_not_stop_the_render(
        project: Project, client: SesClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from ses_workbench.ses.errors import AccessDenied

    def denied(**_: object) -> list[RemoteTemplate]:
        raise AccessDenied("not authorized to perform ses:ListEmailTemplates")

    monkeypatch.setattr(client, "list_templates", denied)
    result = remote.remote_render(client, project, "welcome")
    assert result.scratch and result.subject == "Welcome Ada!"
    monkeypatch.undo()
    assert scratch_names(client) == []
