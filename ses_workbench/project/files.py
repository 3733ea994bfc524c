"""Reading the project's own files: only regular files inside the project are read.

A cloned repository is untrusted input.  ``welcome/body.txt -> ~/.aws/credentials`` would otherwise be
rendered, pushed to SES and mailed out, and a FIFO as a part would block every read for ever.  Parts,
fixtures and ``template.toml`` are read through :func:`check_file` / :func:`read_file`, which refuse, with a
reason a person can act on: a symbolic link that resolves outside the project root, a broken or looping
link, and anything that is not a regular file (FIFO, socket, device, directory).  A link that stays inside
the project is followed.

The reason is raised as :class:`UnsafeFile`; each caller turns it into its own error (``PartError``,
``FixtureError``, ``ConfigError``) naming the file, so the person sees one line.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

__all__ = ["UnsafeFile", "check_file", "outside_reason", "read_file"]

# O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer (fstat then
# refuses it); no effect on regular files.  O_NOFOLLOW: the final component we checked is what we open.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | \
    getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


class UnsafeFile(Exception):
    """A file of the project that is not read; ``reason`` says why (without the path)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def outside_reason(path: Path, root: Path) -> str | None:
    """Why ``path`` is out of bounds (a link resolving outside ``root``), or None when it stays inside.

    ``root`` must be resolved (``Project.root`` is).
    """
    real = Path(os.path.realpath(path))
    try:
        real.relative_to(root)
    except ValueError:
        return f"a symbolic link to {real}, outside the project (refused: only files inside it are read)"
    return None


def check_file(path: Path, root: Path | None) -> os.stat_result:
    """The ``stat`` of the regular file at ``path`` (links inside ``root`` followed).

    ``FileNotFoundError`` when nothing is there (not even a link); :class:`UnsafeFile` when something is
    there that is not read.  ``root=None`` skips the inside-the-project check (a file given on the
    command line).
    """
    try:
        lst = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise FileNotFoundError(path) from None
    except OSError as exc:
        raise UnsafeFile(f"cannot read it ({exc.strerror})") from None
    if stat.S_ISLNK(lst.st_mode):
        try:
            os.path.realpath(path, strict=True)
        except FileNotFoundError:
            raise UnsafeFile(f"a broken symbolic link (to {_link_target(path)}: no such file)") from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise UnsafeFile("a symbolic link that loops (it never reaches a file)") from None
            raise UnsafeFile(f"a symbolic link that cannot be followed ({exc.strerror})") from None
    if root is not None:
        why = outside_reason(path, root)
        if why is not None:
            raise UnsafeFile(why)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise UnsafeFile(f"cannot read it ({exc.strerror})") from None
    _require_regular(st)
    return st


def read_file(path: Path, root: Path | None) -> bytes:
    """The bytes of the regular file at ``path``, after the checks of :func:`check_file`.

    Never blocks on a FIFO: the file is opened non-blocking and checked again on the open descriptor.
    """
    check_file(path, root)
    real = os.path.realpath(path)
    try:
        fd = os.open(real, _OPEN_FLAGS)
    except FileNotFoundError:
        raise FileNotFoundError(path) from None
    except IsADirectoryError:
        raise UnsafeFile("expected a file, found a directory") from None
    except OSError as exc:
        raise UnsafeFile(f"cannot read it ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        _require_regular(os.fstat(fh.fileno()))  # what was opened, not what was checked a moment ago
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        try:
            return fh.read()
        except OSError as exc:
            raise UnsafeFile(f"cannot read it ({exc.strerror})") from None


def _require_regular(st: os.stat_result) -> None:
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise UnsafeFile("expected a file, found a directory")
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file")
    raise UnsafeFile(f"{kind}, not a regular file (refused: reading it could block or never end)")


def _link_target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"
