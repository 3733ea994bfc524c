"""``.ses-workbench/`` ignores itself in git (as pytest's and mypy's caches do): whatever creates the state
folder — a push record, a backup, the trash, the embedded local endpoint — it holds a ``.gitignore`` with
``*``, written atomically and never over one that exists."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ses_workbench.cli import main
from ses_workbench.project import Project, TemplateContent
from ses_workbench.ses.state import SyncState


def _project(tmp_path: Path) -> Project:
    root = tmp_path / "proj"
    (root / "hello").mkdir(parents=True)
    (root / "hello" / "subject.txt").write_text("Hi\n")
    (root / "hello" / "body.html").write_text("<p>Hi</p>")
    return Project.load(root)


def _ignores_all(state_dir: Path) -> bool:
    lines = (state_dir / ".gitignore").read_text().splitlines()
    return "*" in [line.strip() for line in lines]


def test_loading_a_project_creates_no_state_folder(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert not project.state_dir.exists()


def test_push_record_creates_the_folder_with_its_gitignore(tmp_path: Path) -> None:
    project = _project(tmp_path)
    SyncState(project.state_dir).remember("local", "hello", "hello", "abc")
    assert _ignores_all(project.state_dir)


def test_trash_and_staging_create_the_gitignore(tmp_path: Path) -> None:
    project = _project(tmp_path)
    project.delete_template("hello")
    assert _ignores_all(project.state_dir)
    shutil.rmtree(project.state_dir)
    project.create_template("again", TemplateContent("Hi", "<p>x</p>", None))
    assert _ignores_all(project.state_dir)


def test_an_existing_gitignore_is_kept(tmp_path: Path) -> None:
    project = _project(tmp_path)
    project.state_dir.mkdir()
    (project.state_dir / ".gitignore").write_text("# mine\n!keep.json\n")
    SyncState(project.state_dir).remember("local", "hello", "hello", "abc")
    from ses_workbench.project.state import ensure_state_dir

    ensure_state_dir(project.state_dir)
    assert (project.state_dir / ".gitignore").read_text() == "# mine\n!keep.json\n"
    assert not [p for p in project.state_dir.iterdir() if p.name.endswith(".tmp")]  # no temp files left


def test_a_state_folder_made_earlier_gets_its_gitignore_on_load(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project.state_dir / "local-ses").mkdir(parents=True)  # e.g. by an older version
    Project.load(project.root)
    assert _ignores_all(project.state_dir)


def test_the_local_endpoint_state_folder_is_ignored(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path)
    assert main(["events", "--local", "--dir", str(project.root)]) == 0
    capsys.readouterr()
    assert (project.state_dir / "local-ses").is_dir() and _ignores_all(project.state_dir)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_does_not_see_the_state_folder(tmp_path: Path) -> None:
    project = _project(tmp_path)
    subprocess.run(["git", "init", "-q", str(project.root)], check=True)
    SyncState(project.state_dir).remember("local", "hello", "hello", "abc")
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=project.root,
                            capture_output=True, text=True, check=True).stdout
    assert ".ses-workbench" not in status and "hello/" in status
