"""Atomic file writes: everything ses-workbench writes goes through here.

A write goes to a temporary file in the destination's own directory (same filesystem, so the final
``os.replace`` is an atomic rename), is flushed and fsynced, and only then replaces the target.  A crash
or an exception mid-write leaves the old file untouched and no half-written file behind: editors,
``git diff`` and the file watcher only ever see a complete old or a complete new file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ses_workbench.project.statedir import ensure_state_dir, state_dir_of

__all__ = ["create_new", "write_bytes", "write_text", "write_json"]


def _default_mode() -> int:
    # mkstemp creates files 0600; a new file should get the permissions a plain open() would give.
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_DEFAULT_MODE = _default_mode()


def _discard(name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name)


def _durable_temp(target: Path, data: bytes, mode: int) -> str:
    """``data`` in a new temporary file beside ``target``, flushed to disk, with ``mode``; its name."""
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, mode)
    except BaseException:
        _discard(tmp_name)
        raise
    return tmp_name


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (parents are created); returns the path."""
    target = Path(path)
    state_dir = state_dir_of(target.parent)
    if state_dir is not None:  # the state folder ignores itself in git from the moment it exists
        ensure_state_dir(state_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = _DEFAULT_MODE
    tmp_name = _durable_temp(target, data, mode)
    try:
        os.replace(tmp_name, target)
    except BaseException:
        _discard(tmp_name)
        raise
    _fsync_dir(target.parent)
    return target


def create_new(path: str | Path, data: bytes) -> bool:
    """Write ``path`` atomically only if it does not exist yet (never replaces a file); True if written.

    The data goes to a temporary file that is then hard-linked to ``path`` — the link fails when the file
    exists — so a reader sees a complete file or none.  Where hard links are not supported, an exclusive
    create is used instead.
    """
    target = Path(path)
    tmp_name = _durable_temp(target, data, _DEFAULT_MODE)
    try:
        try:
            os.link(tmp_name, target)
        except FileExistsError:
            return False
        except OSError:  # no hard links on this file system (some network and FAT ones)
            try:
                with open(target, "xb") as out:
                    out.write(data)
            except FileExistsError:
                return False
    finally:
        _discard(tmp_name)
    _fsync_dir(target.parent)
    return True


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` atomically, byte for byte: no newline translation (CRLF content stays CRLF)."""
    return write_bytes(path, text.encode(encoding))


def write_json(path: str | Path, obj: Any, indent: int | None = 2) -> Path:
    """Write ``obj`` as UTF-8 JSON (non-ASCII kept readable) with a trailing newline, atomically."""
    return write_text(path, json.dumps(obj, indent=indent, ensure_ascii=False) + "\n")


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable where the platform allows it (POSIX)."""
    if os.name != "posix":  # pragma: no cover - Windows cannot open directories
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
