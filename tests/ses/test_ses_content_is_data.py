"""SES content is data, never code: what pull and import write is never evaluated as jinja2, comes back
from a push byte for byte, and layouts run sandboxed.  A pull writes a template's files as one unit.

The code-execution reproductions plant a payload that would create a marker file when jinja2 evaluated it
unsandboxed (``cycler.__init__.__globals__.os``); every test asserts the marker never appears.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ses_workbench.cli import main
from ses_workbench.project import Project, StateDir, TemplateContent, atomic
from ses_workbench.project.errors import LayoutError
from ses_workbench.ses import sync
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.local import LocalSes
from ses_workbench.ses.sync import State


def payload(marker: Path) -> str:
    return "{% set _ = cycler.__init__.__globals__.os.system('touch " + str(marker) + "') %}"


def cli(project: Project, server: LocalSes, *args: str) -> int:
    ses = args[0] in ("pull", "push", "status", "diff")
    endpoint = ["--endpoint-url", server.endpoint_url] if ses else []
    return main([*args, "--dir", str(project.root), *endpoint])


def test_pulled_template_with_a_jinja_payload_never_runs(project: Project, server: LocalSes,
                                                         client: SesClient, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    html = "<p>{{name}}</p>" + payload(marker)
    client.create_template("colleague", TemplateContent("Hi {{name}}", html, None))

    assert cli(project, server, "pull", "colleague", "--yes") == 0
    tpl = Project.load(project.root).get("colleague")
    assert tpl.source("html") == html  # written verbatim
    assert tpl.plain_parts == ("html",)
    for command in (["lint"], ["render", "colleague"], ["status"], ["push", "--dry-run"]):
        cli(project, server, *command)
    assert not marker.exists()
    fresh = Project.load(project.root)
    assert fresh.get("colleague").compose().html == html


def test_imported_template_with_a_jinja_payload_never_runs(project: Project, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    evil = tmp_path / "evil.json"
    evil.write_text(json.dumps({"TemplateName": "evil", "TemplateContent": {
        "Subject": "Hi [[ 6*7 ]]", "Html": "<p>x</p>" + payload(marker), "Text": "{%raw%}t"}}))
    assert main(["import", str(evil), "--dir", str(project.root)]) == 0
    assert main(["lint", "--dir", str(project.root)]) in (0, 1)
    assert main(["render", "evil", "--dir", str(project.root)]) in (0, 1)
    assert not marker.exists()
    tpl = Project.load(project.root).get("evil")
    assert tpl.plain_parts == ("subject", "html", "text")
    content = tpl.compose(validate=False)
    assert (content.subject, content.text) == ("Hi [[ 6*7 ]]", "{%raw%}t")


@pytest.mark.parametrize("text", ["See [[link]] and [[ 6*7 ]]", "{%raw%}{{x}}{%endraw%} and {% if %}",
                                  "[# not a comment #] {%", "{%", "[["])
def test_jinja_looking_text_round_trips_pull_push_byte_identical(project: Project, client: SesClient,
                                                                  text: str) -> None:
    subject = "S " + text
    html = f"<p>{{{{name}}}} {text}</p>"
    client.create_template("wiki", TemplateContent(subject, html, text))
    result = sync.pull(client, project, ["wiki"])
    assert result.ok and result.items[0].done
    project = Project.load(project.root)
    assert {s.name: s.state for s in sync.status(client, project)}["wiki"] is State.IN_SYNC
    content = project.get("wiki").compose()
    assert (content.subject, content.html, content.text) == (subject, html, text)
    # a local edit elsewhere, then a push: SES gets the jinja-looking text back untouched
    project.get("wiki").write_part("text", text + " edited")
    pushed = sync.push(client, project, ["wiki"])
    assert pushed.ok and pushed.pushed
    remote = client.get_template("wiki")
    assert remote is not None
    assert (remote.subject, remote.html, remote.text) == (subject, html, text + " edited")


def test_pull_update_marks_only_the_parts_it_wrote(project: Project, client: SesClient) -> None:
    sync.push(client, project, ["welcome"])
    remote = client.get_template("welcome")
    assert remote is not None
    client.update_template("welcome", TemplateContent("Hi [[who]]", remote.html, remote.text))
    assert sync.pull(client, project, ["welcome"]).ok
    tpl = Project.load(project.root).get("welcome")
    assert tpl.plain_parts == ("subject",)
    assert tpl.compose().subject == "Hi [[who]]"
    # SES's subject loses its brackets: the part is plain text again, the key goes away
    client.update_template("welcome", TemplateContent("Hi there", remote.html, remote.text))
    assert sync.pull(client, Project.load(project.root), ["welcome"]).ok
    tpl = Project.load(project.root).get("welcome")
    assert tpl.plain_parts == () and "plain_parts" not in tpl.meta_path.read_text()


def test_a_layout_cannot_reach_python_internals(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    root = tmp_path / "proj"
    (root / "_layouts").mkdir(parents=True)
    (root / "_layouts" / "base.html").write_text("<html>" + payload(marker) + "{% block b %}{% endblock %}")
    (root / "t").mkdir()
    (root / "t" / "subject.txt").write_text("Hi\n")
    (root / "t" / "body.html").write_text('{% extends "base.html" %}{% block b %}x{% endblock %}')
    (root / "ses-workbench.toml").write_text("")
    tpl = Project.load(root).get("t")
    with pytest.raises(LayoutError) as err:
        tpl.compose()
    assert "sandbox" in str(err.value) and err.value.path == root / "_layouts" / "base.html"
    assert not marker.exists()
    assert main(["lint", "--dir", str(root)]) == 1
    assert not marker.exists()


def test_a_pull_that_cannot_write_leaves_the_template_as_it_was(
        project: Project, client: SesClient, monkeypatch: pytest.MonkeyPatch) -> None:
    sync.push(client, project, ["welcome"])
    before = {p.name: p.read_bytes() for p in project.get("welcome").dir.iterdir() if p.is_file()}
    client.update_template("welcome", TemplateContent("New {{name}}", "<p>new {{name}}</p>", "new"))
    real = atomic.os.fsync
    calls = {"n": 0}

    def full_disk(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] > 4:  # the backups go through; the second staged part meets a full disk
            raise OSError(28, "No space left on device")
        real(fd)

    monkeypatch.setattr(atomic.os, "fsync", full_disk)
    result = sync.pull(client, project, ["welcome"])
    monkeypatch.setattr(atomic.os, "fsync", real)
    [item] = result.items
    assert not item.done and item.error and "No space left on device" in item.error
    tpl = Project.load(project.root).get("welcome")
    after = {p.name: p.read_bytes() for p in tpl.dir.iterdir() if p.is_file()}
    assert after == before  # no part new, no temp file left
    assert not list(StateDir(project.state_dir).journal.glob("*"))


def test_a_pull_cut_short_after_its_commit_is_finished_on_the_next_load(
        project: Project, client: SesClient, monkeypatch: pytest.MonkeyPatch) -> None:
    sync.push(client, project, ["welcome"])
    client.update_template("welcome", TemplateContent("New {{name}}", "<p>new {{name}}</p>", "new"))
    real = atomic.os.replace
    renames = {"n": 0}

    def crash_after_first(src: str, dst: str) -> None:
        if str(src).endswith(".tmp") and "/.ses-workbench/" not in str(dst):
            renames["n"] += 1
            if renames["n"] == 2:
                raise KeyboardInterrupt  # like kill -9 between two part renames
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", crash_after_first)
    with pytest.raises(KeyboardInterrupt):
        sync.pull(client, project, ["welcome"])
    monkeypatch.setattr(atomic.os, "replace", real)
    half = project.get("welcome")
    assert half.source("subject") == "New {{name}}\n" and half.source("html") != "<p>new {{name}}</p>"

    fresh = Project.load(project.root)  # the journal is settled before anything reads the folder
    content = fresh.get("welcome").compose()
    assert (content.subject, content.html, content.text) == ("New {{name}}", "<p>new {{name}}</p>", "new")
    assert not list(StateDir(project.state_dir).journal.glob("*"))
    assert not [p for p in fresh.get("welcome").dir.iterdir() if p.name.endswith(".tmp")]


def test_a_pull_cut_short_while_staging_is_undone_on_the_next_load(project: Project, tmp_path: Path) -> None:
    target = project.get("welcome").part_path("html")
    before = target.read_bytes()

    class Crash(BaseException):
        pass

    real = atomic.write_json
    state = {"n": 0}

    def crash_at_commit(path: Path, obj: object, indent: int | None = 2) -> Path:
        state["n"] += 1
        if state["n"] == 2:  # the "commit" record: staging is done, nothing renamed yet
            raise Crash
        return real(path, obj, indent)

    atomic.write_json = crash_at_commit  # type: ignore[assignment]
    try:
        with pytest.raises(Crash):
            atomic.write_together(project.state_dir, {target: b"new"})
    finally:
        atomic.write_json = real  # type: ignore[assignment]
    assert target.read_bytes() == before
    # staging cleaned up after itself; a prepare journal left by a kill is undone by recover()
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]
    journal = StateDir(project.state_dir).journal / "dead.json"
    stray = target.parent / f".{target.name}.dead.tmp"
    stray.write_bytes(b"half")
    journal.parent.mkdir(parents=True, exist_ok=True)
    journal.write_text(json.dumps({"state": "prepare", "temps": [str(stray)], "renames": [[str(stray),
                                                                                           str(target)]]}))
    Project.load(project.root)
    assert not stray.exists() and not journal.exists() and target.read_bytes() == before
