"""With watching on, the app makes the state folder before the watch starts, so a calibration written in
it later is inside a folder the recursive watch already covers."""

from __future__ import annotations

from pathlib import Path

from ses_workbench.tui.app import WorkbenchApp
from tests.tui.conftest import settle


async def test_the_state_folder_exists_before_watching(project_dir: Path) -> None:
    state = project_dir / ".ses-workbench"
    assert not state.exists()
    app = WorkbenchApp(project_dir, connect=False, watch=True, browser=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.watcher is not None
        assert state.is_dir() and (state / ".gitignore").read_text().splitlines()[-1] == "*"
