"""Fixes from the new-user review: fixture switch asks, per-template last-good preview, plain-text
notifications, a conflict glyph of its own, and the way back from an outbox message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Static
from textual.widgets._toast import Toast

from ses_workbench.mime import build_mime
from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.dialogs import ChoiceScreen, PromptScreen
from ses_workbench.tui.screens.help import HelpScreen
from ses_workbench.tui.screens.outbox import OutboxScreen
from ses_workbench.tui.widgets.template_list import STATE_GLYPHS, TemplateRow
from tests.tui.conftest import connected, preview_text, settle, type_text, wait_for, wait_screen

TEMPLATE = "order-receipt"


async def open_receipt(pilot, app: WorkbenchApp) -> None:  # type: ignore[no-untyped-def]
    app.main.open_template(TEMPLATE)
    await settle(pilot)
    await wait_for(pilot, lambda: "Thanks for your order" in preview_text(app), what="first preview")


async def type_into_fixture(pilot, app: WorkbenchApp) -> Any:  # type: ignore[no-untyped-def]
    """Open the Data tab and type "XX" at the start of the fixture JSON (unsaved, now broken)."""
    app.main.editor_tabs.active = "tab-data"
    editor = app.main.fixture_editor
    editor.focus()
    editor.cursor_location = (0, 0)
    await pilot.press("X", "X")
    await wait_for(pilot, lambda: editor.text.startswith("XX{") and editor.dirty, what="edit")
    return editor


def status_text(app: WorkbenchApp) -> str:
    return str(app.main.query_one("#preview-status", Static).render())


# ------------------------------------------------------------------------------------ 1. fixture switch
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


# ------------------------------------------------------------------------------------ 2. last good preview
def add_broken_templates(root: Path) -> None:
    nofixture = root / "aa-no-fixture"
    nofixture.mkdir()
    (nofixture / "subject.txt").write_text("Hi {{name}}\n")
    (nofixture / "body.html").write_text("<p>Hello {{name}}</p>\n")
    syntax = root / "aa-syntax-error"
    (syntax / "data").mkdir(parents=True)
    (syntax / "subject.txt").write_text("Oops\n")
    (syntax / "body.html").write_text("<p>one</p>\n<p>{{#if name}}two</p>\n")
    (syntax / "data" / "default.json").write_text('{"name": "Ada"}\n')


async def test_unrenderable_template_does_not_show_previous_email(project_dir: Path) -> None:
    add_broken_templates(project_dir)
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        for name, needle in (("aa-syntax-error", "body.html:2"), ("aa-no-fixture", "name")):
            app.main.switch_template(name)
            await settle(pilot)
            await wait_for(pilot, lambda: app.main.last_error is not None, what=f"{name} error")
            assert app.main.current == name
            assert app.main.last_good is None
            shown = preview_text(app)
            assert "Thanks for your order" not in shown, name
            assert name in shown and needle in shown, shown
            assert needle in status_text(app)
            # the other local tabs do not keep the previous template either
            app.main.preview_tabs.active = "pv-html"
            await settle(pilot)
            assert "Thanks for your order" not in preview_text(app, "html")
            assert name in preview_text(app, "html")
            app.main.preview_tabs.active = "pv-read"
            await settle(pilot)
            # back to a good template between the two broken ones
            await open_receipt(pilot, app)


async def test_ses_tabs_do_not_keep_previous_templates_answers(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        placeholder = preview_text(app, "ses")
        app.main.view("ses").set_text(f"SES TestRenderEmailTemplate · {TEMPLATE} · fixture default")
        app.main.view("parity").set_text(f"{TEMPLATE} [default]: same")
        app.main.switch_template("welcome")
        await settle(pilot)
        assert TEMPLATE not in preview_text(app, "ses") and preview_text(app, "ses") == placeholder
        assert TEMPLATE not in preview_text(app, "parity")


async def test_error_after_good_render_keeps_that_templates_preview(project_dir: Path) -> None:
    add_broken_templates(project_dir)
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        app.main.switch_template("aa-syntax-error")
        await settle(pilot)
        await wait_for(pilot, lambda: app.main.last_error is not None, what="syntax error")
        # fixing it renders it; breaking it again keeps that render (same template)
        editor = app.main.editor("html")
        editor.load_text("<p>one</p>\n<p>{{#if name}}two{{/if}}</p>\n")
        await wait_for(pilot, lambda: app.main.last_error is None and "two" in preview_text(app),
                       what="fixed")
        good = preview_text(app)
        editor.load_text("<p>one</p>\n<p>{{#if name}}three</p>\n")
        await wait_for(pilot, lambda: app.main.last_error is not None, what="broken again")
        await settle(pilot)
        assert preview_text(app) == good


# ------------------------------------------------------------------------------------ 3. markup
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


# ------------------------------------------------------------------------------------ 4. glyphs
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


# ------------------------------------------------------------------------------------ 5. outbox
async def test_outbox_message_says_how_to_go_back(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        await connected(pilot)
        # one delivered message in the local endpoint's outbox
        outbox = app.flows.local_server.store.outbox
        outbox.mkdir(parents=True, exist_ok=True)
        raw = build_mime(app.main.last_good, sender="sender@example.com", to="someone@example.com")
        (outbox / "20260101T000000Z-test.eml").write_bytes(raw)
        live = status_text(app)
        assert "outbox" not in live
        await pilot.press("ctrl+o")
        await wait_screen(pilot, OutboxScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "outbox:" in preview_text(app), what="outbox message in preview")
        await wait_for(pilot, lambda: "outbox" in status_text(app), what="outbox status")
        status = status_text(app)
        assert "20260101T000000Z-test.eml" in status
        assert "escape" in status and "live preview" in status
        # escape (from the editor, which otherwise uses it to move focus) returns to the live preview
        app.main.editor("html").focus()
        await pilot.press("escape")
        await wait_for(pilot, lambda: "outbox:" not in preview_text(app), what="live preview again")
        await settle(pilot)
        assert app.main.outbox_message is None
        assert "Thanks for your order" in preview_text(app)
        assert "outbox" not in status_text(app) and TEMPLATE in status_text(app)
        # an edit that breaks the template while an outbox message shows: the error, not the message
        await pilot.press("ctrl+o")
        await wait_screen(pilot, OutboxScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "outbox:" in preview_text(app), what="outbox message again")
        app.main.editor("html").load_text("<p>{{#if x}}broken</p>\n")
        await wait_for(pilot, lambda: app.main.last_error is not None, what="render error")
        await settle(pilot)
        assert "outbox:" not in preview_text(app) and "cannot be rendered" in preview_text(app)
        assert "outbox" not in status_text(app)
        # without an outbox message, escape keeps its usual meaning (the editor moves focus on)
        app.main.editor("html").focus()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.focused is not app.main.editor("html"), what="focus moved on")

