"""Where a preview job renders, and which result the screen keeps.

A keystroke's render runs off the event loop: in the render process when it is up (its own interpreter,
so a slow template never holds the app's GIL), else on the render thread (one slot, the newest request
wins). Either way the outcome comes back through ``deliver`` (the screen posts it to itself as a
message). Jobs are numbered; :meth:`PreviewRenderer.accept` keeps only an outcome newer than the last
one shown, for the template still open. Outbox messages always render in the thread (the process has
no copy of them). No widget is touched here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ses_workbench.project import EmailTemplate
from ses_workbench.tui import preview_job
from ses_workbench.tui.preview_job import PreviewJob, PreviewOutcome
from ses_workbench.tui.render_process import RenderProcess
from ses_workbench.tui.render_thread import LatestOnly


class PreviewRenderer:
    """The render thread and the optional render process behind the live preview, and their numbering."""

    def __init__(self, deliver: Callable[[PreviewOutcome], None], *, use_process: bool = True) -> None:
        self._deliver = deliver
        self._use_process = use_process
        self._seq = 0
        self._applied = 0
        self._thread: LatestOnly[tuple[PreviewJob, EmailTemplate | None]] = LatestOnly(self._render)
        self._process: RenderProcess | None = None

    def next_seq(self) -> int:
        """The number of the job about to be submitted."""
        self._seq += 1
        return self._seq

    def submit(self, job: PreviewJob, template: EmailTemplate | None) -> None:
        process = self._process
        if process is not None and job.outbox is None and process.submit(job):
            return
        self._thread.submit((job, template))

    def accept(self, outcome: PreviewOutcome, current: str) -> bool:
        """True when ``outcome`` is newer than what is shown and for the open template (then it is shown)."""
        if outcome.seq > self._applied and outcome.template == current:
            self._applied = outcome.seq
            return True
        return False

    def start_process(self, root: Path) -> None:
        if self._use_process and self._process is None:
            self._process = RenderProcess(root, self._deliver)
            self._process.start()

    def stop(self) -> None:
        self._thread.stop()
        if self._process is not None:
            self._process.stop()

    def _render(self, work: tuple[PreviewJob, EmailTemplate | None]) -> None:
        """Render thread body."""
        self._deliver(preview_job.render(*work))

    @property
    def seq(self) -> int:
        """The number of the newest job asked for."""
        return self._seq

    @property
    def busy(self) -> bool:
        """A render is waiting or running."""
        return self._thread.busy or (self._process is not None and self._process.busy)

    @property
    def settled(self) -> bool:
        """The newest job asked for is shown and nothing renders."""
        return not self.busy and self._applied == self._seq

    @property
    def process(self) -> RenderProcess | None:
        """The child process rendering previews (None until started, or when off)."""
        return self._process
