"""The project's state folder, ``.ses-workbench/``: the one module that knows what lives in it.

It is per clone and never committed, and deleting it loses no template (only push records, backups and
the local endpoint's mail).  Every path below it is built here, by :class:`StateDir`::

    .ses-workbench/
      .gitignore                 "*": the folder ignores itself (written when the folder is made)
      state.json                 push/pull records per environment (ses.state.SyncState)
      backups/<env>/             what a push, pull or prune replaced: <name>-<stamp>.json (the remote
                                 content, AWS CLI input shape), <name>-<stamp>-local/ (local files a pull
                                 replaced), custom-verification/<name>-<stamp>.json
      calibration.json           what calibrate found, per environment (the dialect it implies)
      calibration/<env>/         the raw rendered probes, one .eml each
      reports/                   one JSON report per send
      scratch/<ses name>.lock    a flock per scratch template a remote render or calibration holds
      conflicts/<template>/<stamp>-<whose>/<path>  a version of a file changed on disk while it was
                                 edited that the user did not keep (theirs or mine)
      preview/<name>.html        ``render --open``'s page, replaced on each call
      local-ses/                 the embedded endpoint's store, outbox and events (ses.local.store)
      trash/<stamp>/<path>       deleted templates and fixtures (nothing is ever removed)
      tmp/                       staging for a template being created or imported
      journal/                   multi-file writes in flight (project.atomic.write_together)

A user's own repository has no ``.gitignore`` entry for the folder, so it ignores itself, as pytest's and
mypy's caches do: :func:`ensure_state_dir` writes ``.ses-workbench/.gitignore`` when the folder is made,
atomically and never over an existing one (a user may have changed it).  :mod:`.atomic` calls it for
every write below the folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["GITIGNORE_TEXT", "STATE_DIR", "StateDir", "ensure_state_dir", "state_dir_of"]

STATE_DIR = ".ses-workbench"
GITIGNORE_TEXT = "# created by ses-workbench: this folder is per clone (push records, backups, outbox)\n*\n"


@dataclass(frozen=True)
class StateDir:
    """The paths below one project's state folder (``path``); building one touches no file."""

    path: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))

    @classmethod
    def of(cls, root: Path | str) -> StateDir:
        """The state folder of the project at ``root``."""
        return cls(Path(root) / STATE_DIR)

    def ensure(self, *, create: bool = True) -> Path:
        """The folder exists (unless ``create`` is False) and ignores itself; see :func:`ensure_state_dir`."""
        return ensure_state_dir(self.path, create=create)

    @property
    def sync_state(self) -> Path:
        return self.path / "state.json"

    def backups(self, env: str) -> Path:
        return self.path / "backups" / env

    def remote_backup(self, env: str, name: str, stamp: str) -> Path:
        """A template's remote content, saved before a push, pull or prune replaced it."""
        return self.backups(env) / f"{name}-{stamp}.json"

    def local_backup(self, env: str, name: str, stamp: str) -> Path:
        """A folder for the local files a pull is about to replace."""
        return self.backups(env) / f"{name}-{stamp}-local"

    def verification_backup(self, env: str, name: str, stamp: str) -> Path:
        """A custom verification template's remote content, saved before it is replaced."""
        return self.backups(env) / "custom-verification" / f"{name}-{stamp}.json"

    @property
    def calibration(self) -> Path:
        return self.path / "calibration.json"

    def calibration_probes(self, env: str) -> Path:
        return self.path / "calibration" / env

    def send_report(self, env: str, template: str, stamp: str) -> Path:
        return self.path / "reports" / f"send-{env}-{template}-{stamp}.json"

    @property
    def scratch(self) -> Path:
        return self.path / "scratch"

    def conflicts(self, template: str) -> Path:
        return self.path / "conflicts" / template

    def conflict_copy(self, template: str, stamp: str, whose: str) -> Path:
        """A folder for one kept version (``whose``: theirs or mine) of a template's files, by their path
        in the template folder."""
        return self.conflicts(template) / f"{stamp}-{whose}"

    def preview(self, name: str) -> Path:
        return self.path / "preview" / f"{name}.html"

    @property
    def local_ses(self) -> Path:
        return self.path / "local-ses"

    @property
    def trash(self) -> Path:
        return self.path / "trash"

    @property
    def tmp(self) -> Path:
        return self.path / "tmp"

    @property
    def journal(self) -> Path:
        return self.path / "journal"


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
