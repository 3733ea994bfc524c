"""Broken behaviours of the terminal workbench, fixed: a one-line subject, preview tabs after a render
error, and a stale preview that says so on its content."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual import events
from textual.widgets import Static
from textual.widgets._toast import Toast

from ses_workbench.tui.app import WorkbenchApp
from tests.tui.conftest import preview_text, settle, wait_for

TEMPLATE = "welcome"


async def open_welcome(pilot, app: WorkbenchApp) -> None:  # type: ignore[no-untyped-def]
    app.main.open_template(TEMPLATE)
    await settle(pilot)
    await wait_for(pilot, lambda: "Welcome aboard" in preview_text(app), what="first preview")


async def test_every_preview_tab_after_a_render_error_shows_the_last_good_render_marked_stale(
        project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        app.main.preview_pane.clock = lambda: datetime(2026, 12, 7, 14, 2, 11)
        await open_welcome(pilot, app)
        editor = app.main.editor("html")
        editor.insert("<p>{{company}}</p>\n", (10, 0))  # 'company' is not in the default fixture
        await wait_for(pilot, lambda: app.main.last_error is not None, what="render error")
        await settle(pilot)
        error = app.main.last_error
        assert error is not None and "company" in error

        read = preview_text(app, "read")
        assert read.startswith("⚠ stale: last good render 14:02:11"), read
        assert "company" in read.split("\n\n")[0]  # the banner carries the error
        assert "Welcome aboard" in read  # the last good render stays readable under it

        for tab, needle in (("text", "Welcome aboard"), ("html", "Welcome aboard"), ("mime", "Subject:")):
            app.main.preview_tabs.active = f"pv-{tab}"
            await settle(pilot)
            shown = preview_text(app, tab)
            assert shown.strip(), f"the {tab} tab is blank after the render error"
            assert shown.startswith("⚠ stale:") and "company" in shown, shown
            assert needle in shown, (tab, shown)

        # the next good render drops the banner
        editor.load_text(editor.text.replace("<p>{{company}}</p>\n", ""))
        await wait_for(pilot, lambda: app.main.last_error is None, what="good again")
        await settle(pilot)
        assert not preview_text(app, "mime").startswith("⚠ stale")
        assert "Subject:" in preview_text(app, "mime")


async def test_a_line_break_never_goes_into_the_subject_nor_onto_the_screen(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await open_welcome(pilot, app)
        app.main.editor_tabs.active = "tab-subject"
        subject = app.main.editor("subject")
        subject.focus()
        before = subject.text
        subject.cursor_location = (0, 8)
        await pilot.press("enter")
        subject.post_message(events.Paste("Hello\nworld"))
        await pilot.pause()
        await settle(pilot)
        assert subject.text == before and not subject.dirty
        await wait_for(pilot, lambda: any("the subject must be one line" in str(t.render())
                                          for t in app.screen.query(Toast)), what="the refusal")

        # a subject with a line break that came from elsewhere (a file, $EDITOR) shows it as ↵: one line
        subject.load_text("Hi\nthere {{firstName}}")
        await wait_for(pilot, lambda: "Hi↵there Ada" in preview_text(app), what="subject shown")
        view = app.main.view("read")
        assert len(view.plain_text().split("\n")) == view.line_count  # no line holds a raw line break


async def test_fixture_json_that_does_not_parse_leaves_attribute_status_unknown(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_welcome(pilot, app)
        app.main.editor_tabs.active = "tab-data"
        listing = app.main.data_pane.query_one("#attribute-list", Static)
        await wait_for(pilot, lambda: "firstName" in str(listing.render()), what="attribute list")
        fixture = app.main.fixture_editor
        text = fixture.text.rstrip()
        assert text.endswith("]\n}") or text.endswith("}")
        fixture.load_text(text[:-1].rstrip() + ",\n}\n")  # a trailing comma after the last property
        await wait_for(pilot, lambda: "fixture does not parse" in str(listing.render()), what="unknown")
        shown = str(listing.render())
        assert "missing" not in shown and "firstName" in shown, shown
        assert "invalid JSON" in str(app.main.data_pane.query_one("#fixture-error", Static).render())
