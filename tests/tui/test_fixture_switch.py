"""Switching or creating a fixture with unsaved edits asks first; without edits it just switches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.dialogs import ChoiceScreen, PromptScreen
from tests.tui.conftest import open_receipt, settle, type_text, wait_for, wait_screen

TEMPLATE = "order-receipt"


async def type_into_fixture(pilot, app: WorkbenchApp) -> Any:  # type: ignore[no-untyped-def]
    """Open the Data tab and type "XX" at the start of the fixture JSON (unsaved, now broken)."""
    app.main.editor_tabs.active = "tab-data"
    editor = app.main.fixture_editor
    editor.focus()
    editor.cursor_location = (0, 0)
    await pilot.press("X", "X")
    await wait_for(pilot, lambda: editor.text.startswith("XX{") and editor.dirty, what="edit")
    return editor


async def test_fixture_switch_with_unsaved_edits_asks(project_dir: Path) -> None:
    default = project_dir / TEMPLATE / "data" / "default.json"
    minimal = project_dir / TEMPLATE / "data" / "minimal.json"
    saved = default.read_text()
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        editor = await type_into_fixture(pilot, app)
        select = app.main.data_pane.select

        # cancel: nothing written, the current fixture stays selected with its edits
        select.value = "minimal"
        screen = await wait_screen(pilot, ChoiceScreen)
        assert "does not parse (line 1, column 1)" in str(screen.query_one(".dialog-body").render())
        assert default.read_text() == saved
        await pilot.click("#choice-cancel")
        await wait_for(pilot, lambda: not isinstance(app.screen, ChoiceScreen), what="dialog closed")
        await settle(pilot)
        assert app.main.fixture_name == "default"
        assert select.value == "default"
        assert editor.text.startswith("XX{") and editor.dirty
        assert default.read_text() == saved

        # escape is a cancel too
        select.value = "minimal"
        await wait_screen(pilot, ChoiceScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.main.fixture_name == "default" and editor.text.startswith("XX{")
        assert default.read_text() == saved

        # discard: the edits are dropped, the other fixture opens, nothing is written
        select.value = "minimal"
        screen = await wait_screen(pilot, ChoiceScreen)
        await pilot.click("#choice-discard")
        await settle(pilot)
        assert app.main.fixture_name == "minimal"
        assert editor.text == minimal.read_text() and not editor.dirty
        assert default.read_text() == saved
        assert not app.main.is_dirty

        # save: the edits are written, then the other fixture opens
        editor.focus()
        editor.cursor_location = (0, 0)
        await pilot.press("Y")
        await wait_for(pilot, lambda: editor.dirty, what="dirty")
        select.value = "default"
        screen = await wait_screen(pilot, ChoiceScreen)
        assert "minimal" in str(screen.query_one(".dialog-title").render())
        await pilot.click("#choice-save")
        await settle(pilot)
        assert minimal.read_text().startswith("Y{")
        assert app.main.fixture_name == "default"
        assert editor.text == saved and not editor.dirty


async def test_fixture_switch_without_edits_does_not_ask(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        app.main.editor_tabs.active = "tab-data"
        app.main.data_pane.select.value = "minimal"
        await settle(pilot)
        assert not isinstance(app.screen, ChoiceScreen)
        assert app.main.fixture_name == "minimal"


async def test_new_fixture_with_unsaved_edits_asks(project_dir: Path) -> None:
    data = project_dir / TEMPLATE / "data"
    saved = (data / "default.json").read_text()
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        editor = await type_into_fixture(pilot, app)
        for choice in ("cancel", "discard"):
            await pilot.click("#fx-new_fixture")
            await wait_screen(pilot, PromptScreen)
            await type_text(pilot, "extra")
            await pilot.press("enter")
            await wait_screen(pilot, ChoiceScreen)
            assert (data / "default.json").read_text() == saved
            await pilot.click(f"#choice-{choice}")
            await settle(pilot)
            if choice == "cancel":
                assert not (data / "extra.json").exists()
                assert app.main.fixture_name == "default" and editor.text.startswith("XX{")
        assert (data / "default.json").read_text() == saved
        assert (data / "extra.json").read_text() == "{\n}\n"
        assert app.main.fixture_name == "extra" and not app.main.is_dirty
