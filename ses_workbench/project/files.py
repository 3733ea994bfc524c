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
# refuses it); no effect on regular files.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | \
    getattr(os, "O_BINARY", 0)


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
    fd, st = _open_checked(path, root)
    os.close(fd)
    return st


def read_file(path: Path, root: Path | None) -> bytes:
    """The bytes of the regular file at ``path``, after the checks of :func:`check_file`.

    Never blocks on a FIFO: the file is opened non-blocking, and what was opened is what is checked
    (its ``fstat``, and where the descriptor really points), so nothing can be swapped in between.
    """
    fd, st = _open_checked(path, root)
    try:
        chunks = []
        size = max(st.st_size, 0) + 1  # one read for a file that does not grow meanwhile
        while chunk := os.read(fd, size):
            chunks.append(chunk)
            size = 1 << 16
        return b"".join(chunks)
    except OSError as exc:
        raise UnsafeFile(f"cannot read it ({exc.strerror})") from None
    finally:
        os.close(fd)


def _open_checked(path: Path, root: Path | None) -> tuple[int, os.stat_result]:
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except (FileNotFoundError, NotADirectoryError):
        if os.path.islink(path):  # the link is there, its target is not
            raise UnsafeFile(f"a broken symbolic link (to {_link_target(path)}: no such file)") from None
        raise FileNotFoundError(path) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeFile("a symbolic link that loops (it never reaches a file)") from None
        if exc.errno == errno.ENXIO:  # a socket
            raise UnsafeFile("a socket, not a regular file") from None
        raise UnsafeFile(f"cannot read it ({exc.strerror})") from None
    try:
        st = os.fstat(fd)
        _require_regular(st)
        if root is not None:
            real, top = _real_path(fd, path), str(root)
            if real != top and not real.startswith(top.rstrip(os.sep) + os.sep):
                raise UnsafeFile(f"a symbolic link to {real}, outside the project (refused: only files "
                                 "inside it are read)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def _real_path(fd: int, path: Path) -> str:
    """Where an open descriptor points: one readlink on Linux (``/proc/self/fd``), else ``realpath``."""
    try:
        real = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        real = ""
    if not real.startswith("/") or real.endswith(" (deleted)"):
        real = os.path.realpath(path)
    return real


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
