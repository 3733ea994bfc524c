"""The diff screen: side-by-side pairs, push all shows one diff at a time, a single template has no list."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList, Static

from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.diff import DiffScreen
from tests.tui.conftest import connected, settle, wait_for, wait_screen

TEMPLATE = "order-receipt"


def _diff_body(screen: DiffScreen) -> str:
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(screen.query_one("#diff-body", Static).content)
    return console.export_text()


def test_side_by_side_diff_pairs_removed_and_added_lines() -> None:
    from rich.console import Console

    from ses_workbench.tui.screens.diff import side_by_side

    lines = ["--- ses/welcome/html", "+++ local/welcome/html", "@@ -1,3 +1,4 @@", " <p>one</p>",
             "-<p>two</p>", "+<p>2</p>", " <p>three</p>", "+<p>four</p>"]
    console = Console(width=100, record=True)
    console.print(side_by_side(lines))
    text = console.export_text()
    row = next(line for line in text.splitlines() if "<p>two</p>" in line)
    assert "<p>2</p>" in row  # the changed line sits next to its replacement
    assert any("<p>four</p>" in line and line.strip().startswith("<p>four</p>") for line in text.splitlines())


async def test_push_all_lists_templates_and_shows_one_diff_at_a_time(project_dir: Path) -> None:
    """Push all over every sample: a line per template with its counts, the highlighted one's diff below
    (only that one is laid out), and one confirm pushes them all."""
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await connected(pilot)
        await app.action_run("push_all")
        screen = await wait_screen(pilot, DiffScreen)
        names = app.project.names
        listing = screen.query_one("#diff-list", OptionList)
        assert listing.option_count == len(names)
        first = str(listing.get_option_at_index(0).prompt)
        assert first.startswith(names[0]) and "only in" in first and "+" in first
        assert f"{names[0]}: only in" in _diff_body(screen)
        listing.focus()
        await pilot.press("down")
        await wait_for(pilot, lambda: f"{names[1]}: only in" in _diff_body(screen), what="second diff")
        assert f"{names[0]}: only in" not in _diff_body(screen)
        await pilot.click("#push")
        await settle(pilot)
        assert {t.name for t in app.ses.list_templates()} >= set(names)


async def test_single_template_diff_has_no_list(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.main.open_template(TEMPLATE)
        await connected(pilot)
        await pilot.press("f3")
        screen = await wait_screen(pilot, DiffScreen)
        assert not screen.query("#diff-list")
        assert f"{TEMPLATE}: only in" in _diff_body(screen)
