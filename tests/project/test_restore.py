"""project.restore: the trash and the backups are listed, newest first, and put back losing nothing."""

from __future__ import annotations

from pathlib import Path

from ses_workbench.project import Project
from ses_workbench.project.restore import keep_conflict_copy, restorable, restore

from .helpers import write_template


def test_a_deleted_fixture_and_a_pulls_local_backup_are_listed_and_restored(tmp_path: Path) -> None:
    write_template(tmp_path, "welcome", fixtures={"default": {"name": "Ada"}, "empty": {}})
    project = Project.load(tmp_path)
    fixture = tmp_path / "welcome" / "data" / "empty.json"
    kept = fixture.read_text()
    project.delete_fixture("welcome", "empty")
    backup = project.state.local_backup("local", "welcome", "20991231T235959000000Z")
    backup.mkdir(parents=True)
    (backup / "subject.txt").write_text("Before the pull\n")

    newest, deleted = restorable(project)
    assert (newest.kind, newest.target, newest.source) == ("local backup", tmp_path / "welcome", backup)
    assert (deleted.kind, deleted.target) == ("deleted", fixture)

    assert restore(project, deleted) is None  # nothing was in its place
    assert fixture.read_text() == kept and "empty" in project.get("welcome").fixtures
    assert not any(project.state.trash.iterdir())  # the emptied stamp folder goes

    ours = (tmp_path / "welcome" / "subject.txt").read_text()
    replaced = restore(project, newest)
    assert (tmp_path / "welcome" / "subject.txt").read_text() == "Before the pull\n"
    assert replaced is not None and (replaced / "subject.txt").read_text() == ours
    assert (backup / "subject.txt").exists()  # a backup is copied, and stays


def test_a_conflict_copy_is_listed_by_its_path_in_the_template_and_restored(tmp_path: Path) -> None:
    write_template(tmp_path, "welcome", fixtures={"default": {"name": "Ada"}})
    project = Project.load(tmp_path)
    fixture = tmp_path / "welcome" / "data" / "default.json"
    ours = fixture.read_text()
    folder = keep_conflict_copy(project, "welcome", {fixture: '{"name": "Theirs"}\n'}, "theirs")
    assert folder.parent == project.state.conflicts("welcome")

    [item] = restorable(project)
    assert (item.kind, item.target) == ("conflict copy", fixture)
    replaced = restore(project, item)
    assert fixture.read_text() == '{"name": "Theirs"}\n'
    assert replaced is not None and replaced.read_text() == ours  # ours went to the trash
    assert [i.kind for i in restorable(project)] == ["deleted"]
