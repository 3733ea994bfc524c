"""Preview renders in a child process: the render and the UI stop sharing one GIL.

A keystroke's render (compose, compile ~10 ms for the 8 KB sample, html2text, styling) is pure Python.
On the render *thread* it shares the GIL with the event loop, which is painting the editor at the same
moment: each slows the other, and the preview frame slips a frame or two. Here a child process keeps
its own :class:`~ses_workbench.project.Project` and renders jobs sent over a pipe: the same
:class:`~ses_workbench.tui.preview_job.PreviewJob` the render thread gets (a snapshot of the editor buffers
with the environment's calibrated dialect) goes in, and its outcome with the finished lines (pickled
``Strip``s, ~30 KB) comes back.

Newest wins: at most one job is in flight; a newer job waits in a one-slot mailbox and replaces any
older waiting one. A reader thread receives results and hands them to ``deliver`` (which posts a
message to the app). If the child cannot start or dies, ``alive`` turns False and the app renders on
its thread as before.
"""

from __future__ import annotations

import gc
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.tui.preview_job import PreviewJob, PreviewOutcome


class RenderProcess:
    """A child process rendering preview jobs; ``deliver(result)`` is called from a reader thread."""

    def __init__(self, root: Path, deliver: Callable[[PreviewOutcome], None]) -> None:
        self.root = root
        self.deliver = deliver
        self._lock = threading.Lock()
        self._conn: Any = None
        self._proc: Any = None
        self._reader: threading.Thread | None = None
        self._in_flight = False
        self._pending: PreviewJob | None = None
        self._ready = threading.Event()
        self._closed = False

    @property
    def alive(self) -> bool:
        """Started, answered its first ping, and still running."""
        return self._ready.is_set() and not self._closed and self._proc is not None \
            and self._proc.poll() is None

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._in_flight or self._pending is not None

    def start(self) -> None:
        """Spawn the child in the background (returns at once; ``alive`` once it has answered)."""
        if self._proc is not None:
            return
        threading.Thread(target=self._start, name="ses-workbench-render-start", daemon=True).start()

    def _start(self) -> None:
        # A plain ``python -m`` child over a socket pair, not multiprocessing's spawn: spawn re-imports
        # the parent's __main__, which re-runs any script that embeds the app without a main guard.
        if sys.platform == "win32":  # pass_fds is POSIX only: keep rendering on the thread
            self._closed = True
            return
        try:
            parent_sock, child_sock = socket.socketpair()
            proc = subprocess.Popen(
                [sys.executable, "-m", "ses_workbench.tui.render_process", str(child_sock.fileno()),
                 str(self.root)],
                pass_fds=(child_sock.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
            child_sock.close()
            parent = Connection(parent_sock.detach())
            self._conn, self._proc = parent, proc
            if parent.poll(30) and parent.recv() == "ready":
                self._ready.set()
                self._reader = threading.Thread(target=self._read, name="ses-workbench-render-reader",
                                                daemon=True)
                self._reader.start()
            else:
                self.stop()
        except Exception:  # noqa: BLE001 - no child process: the render thread carries on
            self._closed = True

    def submit(self, job: PreviewJob) -> bool:
        """Queue a job (newest wins); False when the process is not usable (render elsewhere)."""
        if not self.alive:
            return False
        with self._lock:
            if self._in_flight:
                self._pending = job
                return True
            self._in_flight = True
        return self._send(job)

    def _send(self, job: PreviewJob) -> bool:
        try:
            self._conn.send(job)
            return True
        except Exception:  # noqa: BLE001 - broken pipe: the child died
            with self._lock:
                self._in_flight = False
                self._pending = None
            self._closed = True
            return False

    def _read(self) -> None:
        while not self._closed:
            try:
                result = self._conn.recv()
            except Exception:  # noqa: BLE001 - EOF: the child exited
                break
            with self._lock:
                job, self._pending = self._pending, None
                self._in_flight = job is not None
            if job is not None:
                self._send(job)
            self.deliver(result)
        self._closed = True
        with self._lock:
            self._in_flight = False
            self._pending = None

    def stop(self) -> None:
        self._closed = True
        conn, proc = self._conn, self._proc
        if conn is not None:
            try:
                conn.send(None)
            except Exception:  # noqa: BLE001
                pass
        if proc is not None:
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.terminate()
        if conn is not None:
            conn.close()


def child_main(conn: Any, root: str) -> None:
    """The child: load the project once, then render each job it receives until told to stop."""
    from ses_workbench.project import Project
    from ses_workbench.tui.preview_job import render

    project = Project.load(root)
    generation = 0
    gc.freeze()  # long-lived modules and the project: keep full collections short (see app.py)
    gc.set_threshold(20000, 50, 100)
    conn.send("ready")
    while True:
        try:
            job: PreviewJob | None = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        if job.generation != generation:
            generation = job.generation
            project.reload()
        tpl = project.templates.get(job.template)
        if tpl is None:
            project.scan()
            tpl = project.templates.get(job.template)
        try:
            conn.send(render(job, tpl))
        except Exception:  # noqa: BLE001 - the app went away
            return


if __name__ == "__main__":  # python -m ses_workbench.tui.render_process FD ROOT (started by RenderProcess)
    child_main(Connection(int(sys.argv[1])), sys.argv[2])
