"""Atomic writes and template CRUD: nothing half-written, nothing lost."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ses_workbench.project import (
    FixtureError,
    PartError,
    Project,
    TemplateContent,
    TemplateExistsError,
    TemplateNameError,
    UnknownTemplateError,
    atomic,
)

from .helpers import write_template


def test_write_text_is_byte_exact(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "f.txt"
    atomic.write_text(path, "a\r\nb\né")
    assert path.read_bytes() == "a\r\nb\né".encode()
    atomic.write_bytes(path, b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    atomic.write_json(tmp_path / "j.json", {"k": "é", "n": [1]})
    assert (tmp_path / "j.json").read_text(encoding="utf-8") == '{\n  "k": "é",\n  "n": [\n    1\n  ]\n}\n'
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["f.txt", "j.json", "sub"]


def test_no_partial_file_when_replace_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "f.txt"
    path.write_text("old")

    def boom(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic.write_text(path, "new content")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]  # temp file cleaned up


def test_no_partial_file_when_write_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "f.txt"

    def boom(fd: int) -> None:
        raise OSError(5, "I/O error")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        atomic.write_text(path, "new")
    assert list(tmp_path.iterdir()) == []


def test_new_file_gets_normal_permissions_and_existing_keeps_its_mode(tmp_path: Path) -> None:
    p = atomic.write_text(tmp_path / "a", "x")
    assert p.stat().st_mode & 0o777 == atomic._DEFAULT_MODE
    os.chmod(p, 0o640)
    atomic.write_text(p, "y")
    assert p.stat().st_mode & 0o777 == 0o640


def test_create_template(tmp_path: Path) -> None:
    project = Project.load(tmp_path)
    tpl = project.create_template("hello", TemplateContent("Hi {{n}}", "<p>{{n}}</p>", None),
                                  fixtures={"default": '{"n": 1}'}, description="A test")
    assert project.names == ["hello"]
    assert tpl.source("subject") == "Hi {{n}}\n"
    assert tpl.compose().subject == "Hi {{n}}"
    assert not tpl.has_part("text")
    assert tpl.fixture().data == {"n": 1}
    assert tpl.description == "A test"
    with pytest.raises(TemplateExistsError):
        project.create_template("hello", TemplateContent("x", "<p>y</p>"))
    with pytest.raises(TemplateNameError):
        project.create_template("bad name", TemplateContent("x", "<p>y</p>"))
    with pytest.raises(PartError):
        project.create_template("nobody", TemplateContent("x", ""))
    # the staging area leaves nothing behind
    assert list((tmp_path / ".ses-workbench" / "tmp").iterdir()) == []


def test_duplicate_rename_delete(sample_project: Project) -> None:
    root = sample_project.root
    copy = sample_project.duplicate_template("welcome", "welcome-v2")
    assert copy.compose() == sample_project.get("welcome").compose()
    assert set(copy.fixtures) == set(sample_project.get("welcome").fixtures)

    renamed = sample_project.rename_template("welcome-v2", "welcome_b")
    assert "welcome-v2" not in sample_project and renamed.dir == root / "welcome_b"
    with pytest.raises(TemplateExistsError):
        sample_project.rename_template("welcome_b", "invoice")
    with pytest.raises(TemplateExistsError):
        sample_project.duplicate_template("welcome_b", "invoice")

    where = sample_project.delete_template("welcome_b")
    assert "welcome_b" not in sample_project
    assert not (root / "welcome_b").exists()
    assert where.is_dir() and (where / "body.html").is_file()  # in the trash, not gone
    assert sample_project.trash_dir in where.parents
    with pytest.raises(UnknownTemplateError):
        sample_project.delete_template("welcome_b")


def test_parts_and_fixtures_crud(sample_project: Project) -> None:
    tpl = sample_project.get("verify-email")
    assert tpl.has_part("text") and not tpl.text_generated
    trashed = tpl.delete_part("text")
    assert trashed is not None and trashed.is_file()
    assert tpl.text_generated and "{{verifyUrl}}" in (tpl.compose().text or "")
    assert tpl.delete_part("text") is None

    sample_project.write_part("verify-email", "subject", "New subject {{x}}\n")
    assert tpl.compose().subject == "New subject {{x}}"

    path = sample_project.write_fixture("verify-email", "new-one", '{"firstName": "X"}\n')
    assert path == tpl.data_dir / "new-one.json" and tpl.fixture("new-one").data == {"firstName": "X"}
    # broken JSON is saved as typed (the editor shows the error), never refused
    tpl.write_fixture("half-typed", '{"a": ')
    assert tpl.fixture("half-typed").error is not None
    with pytest.raises(FixtureError):
        tpl.write_fixture("../escape", "{}")
    gone = sample_project.delete_fixture("verify-email", "new-one")
    assert gone.is_file() and "new-one" not in tpl.fixtures


def test_write_meta_refuses_broken_toml(sample_project: Project) -> None:
    tpl = sample_project.get("invoice")
    before = tpl.meta_path.read_text()
    with pytest.raises(Exception, match="template.toml"):
        tpl.write_meta("description = \n")
    assert tpl.meta_path.read_text() == before
    tpl.write_meta('description = "new"\n')
    assert tpl.description == "new"


def test_rescan_sees_external_changes(tmp_path: Path) -> None:
    project = Project.load(tmp_path)
    write_template(tmp_path, "later")
    assert project.names == []
    project.scan()
    assert project.names == ["later"]


def test_state_files_are_json_through_atomic(tmp_path: Path) -> None:
    project = Project.load(tmp_path)
    path = atomic.write_json(project.state_dir / "state.json", {"a": 1})
    assert json.loads(path.read_text()) == {"a": 1}


# Files allowed to write without project.atomic, and why.  Anything else that opens a file for writing,
# calls Path.write_text/write_bytes or json.dump to a file is a regression of "everything the tool writes is
# written atomically" (issue 2).
OWN_WRITERS = {
    "ses_workbench/project/atomic.py": "the implementation",
    "ses_workbench/ses/local/store.py": "the local endpoint's outbox .eml files (temp + fsync + rename, "
                                        "indexed in its SQLite store), its append-only event log and its "
                                        "lock file",
}


def _file_writes(path: Path) -> list[str]:
    import ast

    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        owner = func.value if isinstance(func, ast.Attribute) else None
        owner_name = owner.id if isinstance(owner, ast.Name) else ""
        if name in ("open", "fdopen") and owner_name in ("", "os", "io", "builtins", "codecs"):
            mode = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "mode"), None)
            text = mode.value if isinstance(mode, ast.Constant) and isinstance(mode.value, str) else ""
            if set(text) & set("wax+"):
                found.append(f"{path}:{node.lineno}: {name}(..., {text!r})")
        elif name in ("write_text", "write_bytes") and owner is not None and owner_name != "atomic":
            found.append(f"{path}:{node.lineno}: .{name}()")
        elif name == "dump" and owner_name == "json":
            target = node.args[1] if len(node.args) > 1 else None
            if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                    and target.value.id == "sys" and target.attr in ("stdout", "stderr")):
                found.append(f"{path}:{node.lineno}: json.dump to a file")
    return found


def test_every_write_goes_through_atomic() -> None:
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in sorted((root / "ses_workbench").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel not in OWN_WRITERS:
            offenders += _file_writes(path)
    assert offenders == [], "write through ses_workbench.project.atomic instead:\n" + "\n".join(offenders)
    # The scanner does see a write when there is one.
    assert _file_writes(root / "ses_workbench/ses/local/store.py")
