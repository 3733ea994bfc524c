"""Watch the template folder in a thread and report each batch of changes once.

The folder on disk is the source of truth; the app is a view of it. ``FolderWatcher`` runs
``watchfiles.watch`` in a daemon thread (started and stopped with the app, like toolong's watcher) and
calls ``on_change`` with the set of changed paths — one call per batch, so a ``git checkout`` that
touches forty files becomes one message. The workbench's own state folder (``.ses-workbench``: local
endpoint store, outbox, reports) is ignored: those writes are not edits; only its ``calibration.json``
comes through (a ``calibrate`` run changes the dialect the preview uses).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from watchfiles import Change, DefaultFilter, watch

from ses_workbench.project.state import STATE_DIR, StateDir

#: watchfiles groups changes for ``STEP_MS`` of quiet, at most ``DEBOUNCE_MS``: well inside the 200 ms
#: budget from a save on disk to an updated preview.
DEBOUNCE_MS = 80
STEP_MS = 15


_STATE = f"/{STATE_DIR}"
#: The one file of the state folder the app follows: a ``calibrate`` run (from a shell beside the app)
#: changes the dialect the preview and lint use.
CALIBRATION = "/" + StateDir(Path(STATE_DIR)).calibration.as_posix()


class _ProjectFilter(DefaultFilter):
    """The default filter (VCS, caches, editor swap files) plus the workbench's own state folder, except
    its calibration file."""

    def __call__(self, change: Change, path: str) -> bool:
        if _STATE + "/" in path or path.endswith(_STATE):
            return path.endswith(CALIBRATION)
        return super().__call__(change, path)


class FolderWatcher:
    """A thread that calls ``on_change(paths)`` for each coalesced batch of file changes under ``root``."""

    def __init__(self, root: Path, on_change: Callable[[set[Path]], None]) -> None:
        self.root = root
        self.on_change = on_change
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start watching (idempotent)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="ses-workbench-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to stop; it exits within one watchfiles step."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=2)

    def _run(self) -> None:
        try:
            for changes in watch(
                self.root,
                watch_filter=_ProjectFilter(),
                debounce=DEBOUNCE_MS,
                step=STEP_MS,
                stop_event=self._stop,
                rust_timeout=500,
                raise_interrupt=False,
            ):
                if self._stop.is_set():
                    break
                self.on_change({Path(path) for _change, path in changes})
        except Exception:  # noqa: BLE001 - a dead watcher must not take the app down
            return
