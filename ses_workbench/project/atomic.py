"""Atomic file writes: everything ses-workbench writes goes through here.

A write goes to a temporary file in the destination's own directory (same filesystem, so the final
``os.replace`` is an atomic rename), is flushed and fsynced, and only then replaces the target.  A crash
or an exception mid-write leaves the old file untouched and no half-written file behind: editors,
``git diff`` and the file watcher only ever see a complete old or a complete new file.

:func:`write_together` extends that to a set of files (a template's parts and its ``template.toml``, as a
pull writes them): a journal in the state folder names every rename before the first one happens, so a
crash leaves either the old set (the journal said "prepare": its temp files are removed) or, once
:func:`recover` has run, the new set (the journal said "commit": the remaining renames are done).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ses_workbench.project.state import StateDir, ensure_state_dir, state_dir_of

__all__ = ["create_new", "recover", "write_bytes", "write_json", "write_text",
           "write_together"]

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


def write_together(state_dir: Path, writes: Mapping[Path, bytes], moves: Mapping[Path, Path] | None = None
                   ) -> None:
    """Write every file of ``writes`` and move every file of ``moves`` (source -> destination, e.g. into
    the trash) as one unit: after a crash at any point, :func:`recover` leaves all of it done or none.

    1. A journal (``<state>/journal/<id>.json``, state "prepare") names a temp file per write.
    2. The temp files are written and fsynced beside their targets; any failure removes them and the
       journal, and raises: nothing changed.
    3. The journal turns "commit"; from here on the change happens, even across a crash.
    4. The renames run, then the journal goes away.
    """
    moves = dict(moves or {})
    journal_dir = StateDir(state_dir).journal
    txid = secrets.token_hex(6)
    staged = {Path(t): Path(t).parent / f".{Path(t).name}.{txid}.tmp" for t in writes}
    renames = [(str(tmp), str(target)) for target, tmp in staged.items()]
    renames += [(str(src), str(dst)) for src, dst in moves.items()]
    journal = journal_dir / f"{txid}.json"
    write_json(journal, {"state": "prepare", "temps": [t for t, _ in renames[:len(staged)]],
                         "renames": renames})
    try:
        for target, tmp in staged.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                mode = target.stat().st_mode & 0o7777
            except FileNotFoundError:
                mode = _DEFAULT_MODE
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(writes[target])
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
        for dst in moves.values():
            dst.parent.mkdir(parents=True, exist_ok=True)
        write_json(journal, {"state": "commit", "renames": renames})
    except BaseException:
        for tmp in staged.values():
            _discard(str(tmp))
        _discard(str(journal))
        raise
    _apply(renames)
    _discard(str(journal))


def _apply(renames: list[Any]) -> None:
    touched: set[Path] = set()
    for src, dst in renames:
        if os.path.lexists(src):  # a rename done before a crash is not done twice
            os.replace(src, dst)
            touched.add(Path(dst).parent)
    for directory in touched:
        _fsync_dir(directory)


def recover(state_dir: Path) -> int:
    """Finish or undo what a crash left of :func:`write_together`: a committed journal's renames are
    completed, a prepared one's temp files removed.  Returns how many journals it settled."""
    journal_dir = StateDir(state_dir).journal
    try:
        journals = sorted(journal_dir.glob("*.json"))
    except OSError:
        return 0
    settled = 0
    for journal in journals:
        try:
            entry = json.loads(journal.read_text(encoding="utf-8"))
            if entry.get("state") == "commit":
                _apply(entry["renames"])
            else:
                for tmp in entry.get("temps", []):
                    _discard(tmp)
        except (OSError, ValueError, KeyError, TypeError):
            continue  # unreadable: left for a person (it names files, it holds no content)
        _discard(str(journal))
        settled += 1
    return settled
