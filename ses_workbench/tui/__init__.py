"""The terminal workbench: a Textual app that is a watched view of the template folder.

It owns no logic of its own: loading, composing, rendering, linting and every SES call go through the
core (``ses_workbench.project``, ``render``, ``lint``, ``mime``, ``ses``). This package only arranges the
screen, runs that core in workers and shows what comes back. ``run_app`` is the CLI's entry point.
"""

from __future__ import annotations

import os
from pathlib import Path

# Textual paces frames on a fixed grid (60 fps by default) and, after a busy moment, may skip to the
# grid point after next: the preview frame that follows a keystroke's editor frame then lands 17-33 ms
# later. At 120 fps that wait halves; frames are still drawn only when something changed. Read by Textual
# at import, so it is set here, before any textual module loads (an explicit TEXTUAL_FPS wins).
os.environ.setdefault("TEXTUAL_FPS", "120")

__all__ = ["run_app"]


def run_app(root: str | Path, *, local: bool = False, env: str | None = None) -> int:
    """Open the workbench on ``root`` and block until the user quits; returns the exit code."""
    from ses_workbench.tui.app import WorkbenchApp

    app = WorkbenchApp(Path(root), local=local, env_name=env)
    app.run()
    return int(app.return_code or 0)
