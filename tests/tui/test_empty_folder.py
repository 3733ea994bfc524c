"""A folder with no template says so; a folder with templates shows no such note."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from ses_workbench.tui.app import WorkbenchApp
from tests.tui.conftest import settle


async def test_a_folder_with_no_template_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "repo-root"
    (empty / "docs").mkdir(parents=True)
    app = WorkbenchApp(empty, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        note = app.query_one("#template-empty", Static)
        assert note.display and app.query_one("#template-options").display is False
        text = str(note.render())
        assert "No templates in" in text and "subject.txt" in text
        assert str(empty.resolve()) in app.main.no_templates_text()
        assert [n.title for n in app.notifications] == ["No templates"]


async def test_a_folder_with_templates_shows_no_empty_note(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert not app.query_one("#template-empty", Static).display
        assert "No templates" not in [n.title for n in app.notifications]
