"""Progress of multi-template CLI operations (terminal and logs) and the copies pull keeps of the files
it overwrites."""

from __future__ import annotations

import io
import sys

import pytest

from ses_workbench.cli import main
from ses_workbench.cli.ui import Progress
from ses_workbench.project import Project, TemplateContent
from ses_workbench.ses import sync
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.local import LocalSes


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_for_a_300_template_account_in_a_log() -> None:
    """Not a terminal: quiet for quick work, then a line every interval with time left, then a total."""
    now = [0.0]
    out = io.StringIO()
    bar = Progress("pushing", out, interval=10, clock=lambda: now[0])
    for i in range(300):  # SES's one template operation per second
        now[0] = float(i)
        bar(i, 300, f"t{i}")
    now[0] = 300.0
    bar(300, 300, "")
    lines = out.getvalue().splitlines()
    assert lines[0] == "pushing 10/300 t10 · 10s, ~4m50s left"
    assert lines[-2] == "pushing 290/300 t290 · 4m50s, ~10s left"
    assert lines[-1] == "pushing 300/300 done in 5m00s"
    assert len(lines) == 30

    quick = io.StringIO()
    bar = Progress("pushing", quick, interval=10, clock=lambda: 0.0)
    for i in range(4):
        bar(i, 3, "x")
    assert quick.getvalue() == ""


def test_progress_on_a_terminal_rewrites_one_line(project: Project, server: LocalSes,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    tty = FakeTty()
    monkeypatch.setattr(sys, "stderr", tty)
    assert main(["push", "--yes", "--dir", str(project.root), "--endpoint-url", server.endpoint_url]) == 0
    shown = tty.getvalue()
    assert "\rpushing 0/2 receipt · 0s" in shown and "\rpushing 1/2 welcome" in shown
    assert shown.endswith("\r")  # the line is cleared at the end
    for argv in (["status"], ["diff"], ["pull"]):
        tty.seek(0)
        tty.truncate()
        main([*argv, "--dir", str(project.root), "--endpoint-url", server.endpoint_url])
        verb = {"status": "checking", "diff": "comparing", "pull": "pulling"}[argv[0]]
        assert f"\r{verb} 0/2 receipt" in tty.getvalue()
    tty.seek(0)
    tty.truncate()
    assert main(["send", "welcome", "--all-fixtures", "--yes", "--dir", str(project.root),
                 "--endpoint-url", server.endpoint_url]) == 0
    assert "\rsending 4/4" in tty.getvalue()


def test_pull_keeps_a_copy_of_the_files_it_overwrites(project: Project, server: LocalSes, client: SesClient,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    sync.push(client, project)
    old_html = project.get("welcome").source("html")
    client.update_template("welcome", TemplateContent("Remote {{name}}", "<p>remote</p>", "remote"))
    assert main(["pull", "welcome", "--dir", str(project.root), "--endpoint-url", server.endpoint_url]) == 0
    out = capsys.readouterr().out
    assert "updated welcome (previous files: " in out
    [backup] = (project.state_dir / "backups" / "local").glob("welcome-*-local")
    assert (backup / "body.html").read_text() == old_html
    assert (backup / "subject.txt").read_text() == "Welcome {{name}}!\n"
    assert project.get("welcome").source("html") == "<p>remote</p>"


def test_an_error_mid_way_clears_the_progress_line(project: Project, server: LocalSes,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from ses_workbench.ses.errors import EndpointUnreachable

    real = SesClient.upsert_template
    calls: list[str] = []

    def flaky(client: SesClient, name: str, content: TemplateContent, *, exists: bool) -> str:
        calls.append(name)
        if len(calls) == 2:  # the endpoint goes away under the second template's write
            raise EndpointUnreachable(f"{server.endpoint_url} could not be reached (CreateEmailTemplate).")
        return real(client, name, content, exists=exists)

    monkeypatch.setattr(SesClient, "upsert_template", flaky)
    tty = FakeTty()
    monkeypatch.setattr(sys, "stderr", tty)
    assert main(["push", "--yes", "--dir", str(project.root), "--endpoint-url", server.endpoint_url]) == 1
    shown = tty.getvalue()
    assert "\rpushing 1/2 welcome" in shown
    assert shown.endswith(" " * 100 + "\rses-workbench: " + server.endpoint_url +
                          " could not be reached (CreateEmailTemplate).\n")
