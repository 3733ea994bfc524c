"""Hostile input files and remote text in the SES commands (local endpoint over HTTP): folders SES would
reject are listed and refused (never left out silently), an error row fails ``status``, a part linked out
of the project is never pushed or sent, NaN is never sent as TemplateData, and text from the endpoint's
events cannot drive the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ses_workbench.cli import main
from ses_workbench.project import Project
from ses_workbench.project.errors import FixtureError
from ses_workbench.ses import sync
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.local import LocalSes

SECRET = "s3cr3t-do-not-upload"
BAD_NAMES = ("my welcome", "wélcome-\u202eevil", "ok_١٢")


def run(project: Project, server: LocalSes, *args: str) -> int:
    return main([*args, "--dir", str(project.root), "--endpoint-url", server.endpoint_url])


def bad_folders(project: Project) -> None:
    for name in BAD_NAMES:
        folder = project.root / name
        folder.mkdir()
        (folder / "subject.txt").write_text("Hi\n")
        (folder / "body.html").write_text("<p>Hi</p>\n")


def test_status_lists_folders_ses_rejects_and_exits_1(project: Project, server: LocalSes,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    bad_folders(project)
    assert run(project, server, "status") == 1
    out = capsys.readouterr().out
    assert "\u202e" not in out  # shown escaped: a bidi override must not reorder the line
    for shown in ("my welcome", "wélcome-\\u202eevil", "ok_١٢"):
        assert f"error       {shown}  (template name " in out
    assert "3 error, 2 local-only" in out
    assert run(project, server, "status", "--format", "json") == 1
    rows = json.loads(capsys.readouterr().out)["templates"]
    assert {r["name"] for r in rows if r["state"] == "error"} == set(BAD_NAMES)


def test_status_exits_1_when_a_template_is_an_error(project: Project, server: LocalSes,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (project.root / "welcome" / "body.html").write_bytes(b"<p>\xff\xfe</p>")
    assert run(project, server, "status") == 1
    out = capsys.readouterr().out
    assert "error" in out and "welcome/body.html: not UTF-8 text" in out
    assert run(project, server, "status", "welcome", "--format", "json") == 1


def test_push_refuses_folders_ses_rejects_and_pushes_the_rest(project: Project, server: LocalSes,
                                                               client: SesClient,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    bad_folders(project)
    assert run(project, server, "push", "--dry-run") == 1
    out, err = capsys.readouterr()
    assert "local: 2 to create, 0 to update, 0 unchanged, 3 refused" in out
    assert "refused my welcome: template name 'my welcome' may only use" in err
    assert run(project, server, "push", "--yes") == 1
    out, err = capsys.readouterr()
    assert "created welcome" in out and "created receipt" in out
    assert err.count("refused ") == 3 and "refused wélcome-\\u202eevil: " in err
    assert sorted(t.name for t in client.list_templates()) == ["receipt", "welcome"]


def test_a_part_linked_outside_is_never_pushed_or_sent(project: Project, server: LocalSes,
                                                       client: SesClient, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    (project.root / "welcome" / "body.txt").unlink()
    (project.root / "welcome" / "body.txt").symlink_to(secret)
    assert run(project, server, "push", "--yes", "--no-lint") == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in err and SECRET not in out + err
    assert f"refused welcome: {project.root}/welcome/body.txt: a symbolic link to {secret}, outside" in err
    assert client.get_template("welcome") is None
    assert run(project, server, "send", "welcome", "--to", "qa@verified.test", "--draft", "--yes") == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "outside the project" in err
    assert server.outbox_messages() == []


def test_nan_is_never_sent_as_template_data(project: Project, server: LocalSes, client: SesClient) -> None:
    sync.push(client, project)
    for data in ({"name": float("nan")}, {"name": float("inf")}):
        with pytest.raises(FixtureError, match="NaN or Infinity is not JSON"):
            client.send_email(sender="sender@example.com", to=["qa@verified.test"], template="welcome",
                              data=data)
        with pytest.raises(FixtureError):
            client.send_bulk(sender="sender@example.com", template="welcome",
                             entries=[(["qa@verified.test"], data)])
        with pytest.raises(FixtureError):
            client.test_render("welcome", data)
    assert server.outbox_messages() == []


def test_events_never_print_terminal_control_sequences(project: Project, server: LocalSes,
                                                       client: SesClient,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    sync.push(client, project)
    hostile = "\x1b]0;PWNED-TITLE\x07\x1b[2J <qa@verified.test>"
    client.send_email(sender="sender@example.com", to=[hostile], template="welcome", data={"name": "A"})
    assert run(project, server, "events") == 0
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err and "\x07" not in out
    assert "\\x1b]0;PWNED-TITLE\\x07\\x1b[2J <qa@verified.test>" in out
    assert run(project, server, "events", "--format", "json") == 0
    raw = capsys.readouterr().out
    assert "\x1b" not in raw  # JSON escapes control characters itself ...
    assert hostile in _strings(json.loads(raw))  # ... and keeps the exact text for machines


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [s for item in items for s in _strings(item)]


def test_diff_shows_control_characters_of_template_text(project: Project, server: LocalSes,
                                                        client: SesClient,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    sync.push(client, project)
    (project.root / "welcome" / "subject.txt").write_text("Welcome \x1b]52;c;ZXZpbA==\x07{{name}}!\n")
    capsys.readouterr()
    assert run(project, server, "diff", "--color", "always") == 1
    out = capsys.readouterr().out
    assert "+Welcome \\x1b]52;c;ZXZpbA==\\x07{{name}}!" in out  # OSC 52 (clipboard write) shown, not sent
    assert "\x07" not in out and "\x1b]" not in out  # only the diff's own colours are escape sequences
