"""The workbench with hostile files in a template folder: a part linked out of the project is never shown
(its error is), and a FIFO part or fixture never blocks the app — neither on open nor when the watcher
reports it changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.messages import FilesChanged
from tests.tui.conftest import settle

SECRET = "s3cr3t-do-not-show"

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


@pytest.mark.timeout(300)  # the old code blocked for ever in open(): fail instead of hanging the run
async def test_links_out_and_fifos_never_show_or_block(project_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    welcome = project_dir / "welcome"
    (welcome / "body.txt").symlink_to(secret)
    (welcome / "subject.txt").unlink()
    os.mkfifo(welcome / "subject.txt")
    pipe = welcome / "data" / "pipe.json"
    os.mkfifo(pipe)
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        app.main.open_template("welcome")
        await settle(pilot)
        assert SECRET not in app.main.editor("text").text
        notes = " ".join(str(n.message) for n in app.notifications)
        assert "outside the project" in notes and "a FIFO (named pipe)" in notes
        assert "pipe" in app.main.template.fixtures  # listed (with its error), not skipped
        app.main.load_fixture("pipe")
        app.post_message(FilesChanged({pipe, welcome / "subject.txt"}))  # what the watcher would send
        await settle(pilot)
        assert app.main.fixture_name == "pipe" and app.main.fixture_editor.text == ""
