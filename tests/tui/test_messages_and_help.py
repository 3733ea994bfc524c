"""Notifications, error lines and help show text as written (square brackets are not markup); the
conflict state has its own glyph and the help legend explains it."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static
from textual.widgets._toast import Toast

from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.dialogs import PromptScreen
from ses_workbench.tui.screens.help import HelpScreen
from ses_workbench.tui.widgets.template_list import STATE_GLYPHS, TemplateRow
from tests.tui.conftest import (
    open_receipt,
    settle,
    status_text,
    type_text,
    wait_for,
    wait_screen,
)

TEMPLATE = "order-receipt"


def toast_texts(app: WorkbenchApp) -> list[str]:
    return [str(toast.render()) for toast in app.screen.query(Toast)]


async def test_notification_keeps_square_brackets(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await open_receipt(pilot, app)
        await pilot.press("ctrl+n")
        await wait_screen(pilot, PromptScreen)
        await type_text(pilot, "bad name!")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("{1,64}" in text for text in toast_texts(app)), what="toast")
        assert any("^[a-zA-Z0-9_-]{1,64}$" in text for text in toast_texts(app)), toast_texts(app)
        # markup is still available to callers that ask for it
        app.notify("[b]bold[/b] text", markup=True)
        await wait_for(pilot, lambda: any("bold text" in text for text in toast_texts(app)), what="markup")


async def test_error_lines_keep_square_brackets(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        app.main.preview_pane.set_status("✗ layout: [[ var ]] is not [b]defined[/b]", error=True)
        assert "[[ var ]] is not [b]defined[/b]" in status_text(app)
        app.main.data_pane.set_error("line 1: expected [x]")
        assert "expected [x]" in str(app.main.data_pane.query_one("#fixture-error", Static).render())


async def test_palette_help_shows_the_key_in_brackets(project_dir: Path) -> None:
    from textual.content import Content

    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        helps = {command.title: Content.from_markup(command.help).plain
                 for command in app.get_system_commands(app.screen)}
        assert helps["Lint all"].endswith("  [f6]"), helps["Lint all"]


def test_conflict_has_its_own_glyph() -> None:
    glyphs = [glyph for glyph, _, _ in STATE_GLYPHS.values()]
    assert len(set(glyphs)) == len(glyphs)
    assert STATE_GLYPHS["conflict"][0] != STATE_GLYPHS["changed-remotely"][0]
    assert TemplateRow("a", state="conflict").label().plain != TemplateRow("a", state="changed-remotely") \
        .label().plain


async def test_help_legend_lists_drift_and_conflict(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        screen = await wait_screen(pilot, HelpScreen)
        legend = "\n".join(str(static.render()) for static in screen.query(Static))
        drift_glyph, _, drift_words = STATE_GLYPHS["changed-remotely"]
        conflict_glyph, _, conflict_words = STATE_GLYPHS["conflict"]
        assert f"{drift_glyph} {drift_words}" in legend
        assert f"{conflict_glyph} {conflict_words}" in legend
        assert drift_glyph != conflict_glyph
