"""What the state folder keeps of replaced or deleted work, and putting one of those back.

Three places hold it (paths from :mod:`.state`):

- ``trash/<stamp>/<path>``: a deleted template folder, fixture or part file, at its path in the project;
- ``backups/<env>/<name>-<stamp>-local/``: the local files of a template a pull replaced;
- ``backups/<env>/<name>-<stamp>.json``: SES's content of a template before a push, pull or prune replaced
  it (restored as the template's local part files; a push then puts it back in SES);
- ``conflicts/<template>/<stamp>-<whose>/<path>``: the version of a file that lost when it changed on disk
  while it had unsaved edits (:func:`keep_conflict_copy` writes it).

:func:`restore` never loses what it replaces: whatever is at the target now moves to the trash first (a
file that is only overwritten is copied there). A trashed item moves back; a backup is copied and stays.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from ses_workbench.project.content import TemplateContent
from ses_workbench.project.errors import ProjectError
from ses_workbench.project.model import Project

__all__ = ["Restorable", "RestoreError", "keep_conflict_copy", "restorable", "restore"]


class RestoreError(ProjectError):
    """A kept item cannot be put back (it is gone, unreadable, or its template is not in the project)."""


@dataclass(frozen=True)
class Restorable:
    """One kept item: ``kind`` is ``deleted``, ``local backup``, ``remote backup`` or ``conflict copy``."""

    kind: str
    source: Path
    target: Path
    """Where it goes back in the project (a template folder for a remote backup)."""
    stamp: str

    def label(self, root: Path) -> str:
        where = self.target.relative_to(root) if self.target.is_relative_to(root) else self.target
        env = f" ({self.source.parent.name})" if self.kind.endswith("backup") else ""
        return f"{self.stamp}  {self.kind}{env}: {where}"


def restorable(project: Project) -> list[Restorable]:
    """Everything the trash and the backups hold, newest first."""
    state = project.state
    items: list[Restorable] = []
    if state.trash.is_dir():
        for stamp_dir in state.trash.iterdir():
            leaf = _leaf(stamp_dir)
            if leaf is not None:
                items.append(Restorable("deleted", leaf, project.root / leaf.relative_to(stamp_dir),
                                        stamp_dir.name))
    conflicts = state.path / "conflicts"
    if conflicts.is_dir():
        for tpl_dir in (p for p in conflicts.iterdir() if p.is_dir()):
            for copy in (p for p in tpl_dir.iterdir() if p.is_dir()):
                leaf = _leaf(copy)
                if leaf is not None:
                    target = project.root / tpl_dir.name / leaf.relative_to(copy)
                    items.append(Restorable("conflict copy", leaf, target, copy.name))
    backups = state.path / "backups"
    if backups.is_dir():
        for env_dir in sorted(p for p in backups.iterdir() if p.is_dir()):
            for entry in env_dir.iterdir():
                name, stamp, kind = _backup_name(entry)
                if name:
                    items.append(Restorable(kind, entry, project.root / name, stamp))
    items.sort(key=lambda item: _sortable(item.stamp), reverse=True)
    return items


def keep_conflict_copy(project: Project, template: str, files: dict[Path, str], whose: str) -> Path:
    """Write ``files`` (paths in the project: text) under ``conflicts/<template>/<stamp>-<whose>/``, by their
    path in the template folder; returns that folder."""
    from ses_workbench.project import atomic

    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{time.time_ns() % 1_000_000_000:09d}"
    folder = project.state.conflict_copy(template, stamp, whose)
    base = project.root / template
    for path, text in files.items():
        rel = path.relative_to(base) if path.is_relative_to(base) else Path(path.name)
        atomic.write_text(folder / rel, text)
    return folder


def restore(project: Project, item: Restorable) -> Path | None:
    """Put ``item`` back; returns where what it replaced went (in the trash), or None when nothing was
    replaced. The project is re-scanned."""
    if not item.source.exists():
        raise RestoreError("no longer there", item.source)
    if item.kind == "remote backup":
        replaced = _restore_remote(project, item)
    elif item.kind == "local backup":
        replaced = _restore_local(project, item)
    else:
        replaced = project.trash(item.target) if item.target.exists() or item.target.is_symlink() else None
        item.target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(item.source, item.target)
        _prune(item.source.parent, project.state.trash if item.kind == "deleted" else
               project.state.path / "conflicts")
    project.scan()
    return replaced


def _restore_local(project: Project, item: Restorable) -> Path | None:
    """Copy a pull's backup of local files back into the template folder (each replaced file trashed)."""
    replaced: Path | None = None
    item.target.mkdir(parents=True, exist_ok=True)
    for src in sorted(item.source.iterdir()):
        if not src.is_file():
            continue
        dest = item.target / src.name
        if dest.exists():
            replaced = project.trash(dest).parent
        shutil.copy2(src, dest)
    return replaced


def _restore_remote(project: Project, item: Restorable) -> Path | None:
    """Write a backup of SES's content as the template's part files (as a pull does)."""
    from ses_workbench.project import atomic
    from ses_workbench.project.importexport import ses_content_changes

    try:
        data = json.loads(item.source.read_text(encoding="utf-8"))
        content = TemplateContent.from_v2(data["TemplateContent"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RestoreError(f"not a template backup ({exc})", item.source) from exc
    name = item.target.name
    if name not in project.templates:
        raise RestoreError(f"the template {name!r} is not in the project (create it first)", item.source)
    writes, moves = ses_content_changes(project.get(name), content)
    replaced: Path | None = None
    for path in writes:
        if path.exists():
            copy = project.trash_destination(path)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
            replaced = copy.parent
    atomic.write_together(project.state_dir, writes, moves)
    if moves:
        replaced = next(iter(moves.values())).parent
    return replaced


def _leaf(path: Path) -> Path | None:
    """The item a trash stamp folder holds: follow single-entry folders down to a file or a folder with
    several entries (restoring that one recreates the same files). None for an empty folder."""
    while path.is_dir() and not path.is_symlink():
        entries = list(path.iterdir())
        if not entries:
            return None
        if len(entries) > 1:
            return path
        path = entries[0]
    return path


def _backup_name(entry: Path) -> tuple[str, str, str]:
    """(template name, stamp, kind) of a backups/<env>/ entry; ('', '', '') for anything else."""
    stem = entry.name
    if entry.is_dir() and stem.endswith("-local"):
        kind, stem = "local backup", stem.removesuffix("-local")
    elif entry.is_file() and stem.endswith(".json"):
        kind, stem = "remote backup", stem.removesuffix(".json")
    else:
        return "", "", ""
    name, _, stamp = stem.rpartition("-")
    return (name, stamp, kind) if name and stamp else ("", "", "")


def _sortable(stamp: str) -> str:
    """Trash and conflict stamps (20261207-170000-…) and backup stamps (20261207T170000…Z) in one order."""
    return stamp.replace("T", "-", 1)[:15]


def _prune(folder: Path, top: Path) -> None:
    """Remove the empty folders a restored trash item leaves, up to (not including) ``top``."""
    while folder != top and folder.is_relative_to(top):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
