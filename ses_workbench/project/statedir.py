"""The project's state folder, ``.ses-workbench/``: push records, backups, trash, the local endpoint's store.

It is per clone and never committed.  A user's own repository has no ``.gitignore`` entry for it, so the
folder ignores itself, as pytest's and mypy's caches do: :func:`ensure_state_dir` writes
``.ses-workbench/.gitignore`` (``*``) when the folder is made, atomically and never over an existing one
(a user may have changed it).  :mod:`.atomic` calls it for every write below the folder.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["GITIGNORE_TEXT", "STATE_DIR", "ensure_state_dir", "state_dir_of"]

STATE_DIR = ".ses-workbench"
GITIGNORE_TEXT = "# created by ses-workbench: this folder is per clone (push records, backups, outbox)\n*\n"


def state_dir_of(path: Path) -> Path | None:
    """The state folder ``path`` is in (or is), else None; by name only, no file system access."""
    for candidate in (path, *path.parents):
        if candidate.name == STATE_DIR:
            return candidate
    return None


def ensure_state_dir(state_dir: Path, *, create: bool = True) -> Path:
    """``state_dir`` exists (unless ``create`` is False) and holds a ``.gitignore`` that ignores it all.

    Best effort: a read-only folder or a race with another process is not an error here (the write that
    follows reports its own failure).
    """
    state_dir = Path(state_dir)
    ignore = state_dir / ".gitignore"
    try:
        if ignore.exists() or ignore.is_symlink():
            return state_dir
        if create:
            state_dir.mkdir(parents=True, exist_ok=True)
        elif not state_dir.is_dir():
            return state_dir
        from ses_workbench.project import atomic  # atomic calls this module: imported when needed

        atomic.create_new(ignore, GITIGNORE_TEXT.encode("utf-8"))
    except OSError:
        pass
    return state_dir
