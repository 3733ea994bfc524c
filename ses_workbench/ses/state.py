"""The SES layer's records in the project's state folder (``.ses-workbench/``).

``state.json`` remembers, per environment and template, the content hash we last pushed
(or pulled) — the baseline that tells "modified locally" from "changed remotely since our
last push".  Backups of overwritten remote content, send reports and calibration results
live beside it.  Everything is written atomically (temp file + rename) through
``ses_workbench.project.atomic`` and read tolerantly: the folder is safe to delete.  A write that
fails (read-only folder, disk full) raises :class:`StateWriteError`, one line naming the file.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ses_workbench.errors import WorkbenchError
from ses_workbench.project import atomic
from ses_workbench.project.state import StateDir

__all__ = ["SyncState", "StateWriteError", "write_state_json", "write_state_text", "utc_stamp",
           "utc_iso"]


class StateWriteError(WorkbenchError):
    """A file in the state folder could not be written (read-only folder, disk full, a file in the way)."""

    def __init__(self, path: Path, exc: OSError) -> None:
        self.path = path
        self.os_error = exc
        why = exc.strerror or str(exc) or type(exc).__name__
        culprit = exc.filename if isinstance(exc.filename, str) else None
        if culprit and Path(culprit) != path and not Path(culprit).name.startswith(f".{path.name}."):
            why += f": {culprit}"  # a parent folder, not the file itself (the temp file beside it: same)
        super().__init__(f"cannot write {path}: {why}")


def write_state_json(path: Path, data: Any) -> Path:
    """``atomic.write_json`` for a file in the state folder; an OSError becomes :class:`StateWriteError`."""
    try:
        return atomic.write_json(path, data)
    except OSError as exc:
        raise StateWriteError(path, exc) from None


def write_state_text(path: Path, text: str) -> Path:
    """``atomic.write_text`` for a file in the state folder; an OSError becomes :class:`StateWriteError`."""
    try:
        return atomic.write_text(path, text)
    except OSError as exc:
        raise StateWriteError(path, exc) from None

_LOCKS: dict[Path, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock_for(path: Path) -> threading.RLock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path.resolve() if path.exists() else path.absolute(), threading.RLock())


def utc_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def utc_stamp() -> str:
    """A filename-safe UTC timestamp with microseconds (two backups in a second never collide)."""
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


class SyncState:
    """``state_dir/state.json``: ``{"version": 1, "pushed": {env: {name: record}}}``.

    A record is ``{"hash", "remote_name", "at", "via"}`` with ``via`` = ``"push"`` or ``"pull"``.
    Other top-level keys written by other parts of the workbench are preserved.
    """

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = Path(state_dir)
        self.path = StateDir(self.state_dir).sync_state
        self._lock = _lock_for(self.path)

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return {"version": 1}
        return data if isinstance(data, dict) else {"version": 1}

    def record(self, env: str, name: str) -> dict[str, Any] | None:
        rec = self._read().get("pushed", {}).get(env, {}).get(name)
        return rec if isinstance(rec, dict) else None

    def baseline(self, env: str, name: str, remote_name: str) -> str | None:
        """The hash last pushed/pulled for ``name`` (None if never, or under another prefix)."""
        rec = self.record(env, name)
        if rec is None or rec.get("remote_name", remote_name) != remote_name:
            return None
        value = rec.get("hash")
        return value if isinstance(value, str) else None

    def remember(self, env: str, name: str, remote_name: str, content_hash: str, via: str = "push") -> None:
        with self._lock:
            data = self._read()
            data.setdefault("version", 1)
            pushed = data.setdefault("pushed", {})
            pushed.setdefault(env, {})[name] = {"hash": content_hash, "remote_name": remote_name,
                                               "at": utc_iso(), "via": via}
            write_state_json(self.path, data)

    def forget(self, env: str, name: str) -> None:
        with self._lock:
            data = self._read()
            if data.get("pushed", {}).get(env, {}).pop(name, None) is not None:
                write_state_json(self.path, data)

    def backup(self, env: str, name: str, remote_name: str, content: Any) -> Path:
        """Save remote content about to be overwritten: ``backups/<env>/<name>-<timestamp>.json``.

        The file is the AWS CLI v2 input shape, so ``aws sesv2 update-email-template --cli-input-json``
        (or ``ses-workbench import``) restores it.  :class:`StateWriteError` when it cannot be written:
        the caller must then not overwrite or delete what it meant to keep.
        """
        path = StateDir(self.state_dir).remote_backup(env, name, utc_stamp())
        return write_state_json(path, {"TemplateName": remote_name, "TemplateContent": content.to_v2()})

    def tracked(self, env: str, name: str, remote_name: str) -> bool:
        """True when ``name`` was pushed or pulled here for ``env`` under ``remote_name``."""
        return self.baseline(env, name, remote_name) is not None
