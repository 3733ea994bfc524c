"""Losing work is never one reflexive key away: destructive dialogs open on Cancel, Restore… puts back what
the trash and the backups keep, and a file changed on disk under unsaved edits keeps both versions."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, OptionList

from ses_workbench.project import TemplateContent
from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.dialogs import ChoiceScreen, ConfirmScreen, PromptScreen
from ses_workbench.tui.screens.diff import DiffScreen
from ses_workbench.tui.screens.restore import RestoreScreen
from tests.tui.conftest import (
    cursor_at,
    open_receipt,
    push_then_drift,
    settle,
    type_text,
    wait_for,
    wait_screen,
    watcher_ready,
)

TEMPLATE = "order-receipt"


async def enter_on_open(pilot, cls: type, cancel: str) -> None:  # type: ignore[no-untyped-def]
    """The dialog ``cls`` opens with the button ``cancel`` focused, and Enter just closes it."""
    screen = await wait_screen(pilot, cls)
    focused = pilot.app.focused
    assert isinstance(focused, Button) and focused.id == cancel, focused
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen is not screen, what="dialog closed")
    await settle(pilot)


async def test_enter_on_a_delete_dialog_deletes_nothing(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        await app.run_action("run('delete_template')")
        await enter_on_open(pilot, ConfirmScreen, "no")
        assert (project_dir / TEMPLATE / "body.html").exists() and app.main.current == TEMPLATE

        app.templates.delete_fixture()
        await enter_on_open(pilot, ConfirmScreen, "no")
        assert (project_dir / TEMPLATE / "data" / "default.json").exists()
        assert not (app.project.state_dir / "trash").exists()


async def test_enter_on_a_discard_question_keeps_the_edits(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        cursor_at(app, "html", "Thanks for your order")
        await type_text(pilot, "MINE ")
        await wait_for(pilot, lambda: app.main.is_dirty, what="dirty")
        app.main.switch_template("welcome")
        await enter_on_open(pilot, ChoiceScreen, "choice-cancel")
        assert app.main.current == TEMPLATE and "MINE Thanks" in app.main.editor("html").text

        await app.action_quit()
        await enter_on_open(pilot, ChoiceScreen, "choice-cancel")
        assert app.is_running and "MINE Thanks" in app.main.editor("html").text


async def test_enter_on_force_push_and_overwrite_local_changes_nothing(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await push_then_drift(pilot, app, "Changed in the console")  # only a force push is offered
        assert app.screen.query("#force")
        await enter_on_open(pilot, DiffScreen, "close")
        assert app.ses.get_template(TEMPLATE).subject == "Changed in the console"

        subject = (project_dir / TEMPLATE / "subject.txt").read_text()
        await pilot.press("f5")  # the local files have edits since the last push: "Overwrite local files?"
        await enter_on_open(pilot, ConfirmScreen, "no")
        assert (project_dir / TEMPLATE / "subject.txt").read_text() == subject
        assert subject.startswith("New ")


async def restore_newest(pilot) -> str:  # type: ignore[no-untyped-def]
    """Restore… from the template list (key u): the newest kept item is highlighted; Enter restores it."""
    app = pilot.app
    app.main.query_one("#template-options").focus()
    await pilot.press("u")
    screen = await wait_screen(pilot, RestoreScreen)
    label = str(screen.query_one("#restore-list", OptionList).get_option_at_index(0).prompt)
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen is not screen, what="restore dialog closed")
    await settle(pilot)
    return label


async def test_restore_puts_a_deleted_template_back_and_trashes_its_successor(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    original = (project_dir / TEMPLATE / "body.html").read_text()
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        await app.run_action("run('delete_template')")
        await wait_screen(pilot, ConfirmScreen)
        await pilot.click("#yes")
        await settle(pilot)
        assert not (project_dir / TEMPLATE).exists()
        # a new template takes the name meanwhile
        app.project.create_template(TEMPLATE, TemplateContent("Newer", "<p>newer</p>\n"))
        app.main.refresh_rows()

        label = await restore_newest(pilot)
        assert "deleted" in label and TEMPLATE in label
        assert (project_dir / TEMPLATE / "body.html").read_text() == original
        assert app.main.current == TEMPLATE and app.main.editor("html").text == original
        # the newer one is in the trash, and Restore… offers it
        kept = [p.read_text() for p in (app.project.state_dir / "trash").rglob("body.html")]
        assert kept == ["<p>newer</p>\n"]
        label = await restore_newest(pilot)
        assert (project_dir / TEMPLATE / "body.html").read_text() == "<p>newer</p>\n"
        assert [p.read_text() for p in (app.project.state_dir / "trash").rglob("body.html")] == [original]


async def test_restore_a_remote_backup_as_the_local_files(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await push_then_drift(pilot, app, "Changed in the console")
        await pilot.click("#force")  # SES's "Changed in the console" goes to backups/local/ first
        await settle(pilot)
        ours = (project_dir / TEMPLATE / "subject.txt").read_text()

        label = await restore_newest(pilot)
        assert "remote backup (local)" in label
        assert (project_dir / TEMPLATE / "subject.txt").read_text().rstrip("\n") == "Changed in the console"
        assert app.main.editor("subject").text.rstrip("\n") == "Changed in the console"
        assert [p.read_text() for p in (app.project.state_dir / "trash").rglob("subject.txt")] == [ours]


async def test_a_conflict_shows_the_diff_escape_waits_and_a_save_asks_again(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=True, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        await watcher_ready(pilot)
        cursor_at(app, "subject", "Your Acme receipt")
        await type_text(pilot, "Mine: ")
        mine = app.main.editor("subject").text
        subject = project_dir / TEMPLATE / "subject.txt"
        theirs = "Theirs: receipt {{order.number}}\n"
        subject.write_text(theirs)
        screen = await wait_screen(pilot, ChoiceScreen)
        body = str(screen.query_one(".dialog-body").render())
        assert "-Theirs: receipt {{order.number}}" in body and "+Mine: Your Acme receipt" in body
        focused = app.focused
        assert isinstance(focused, Button) and focused.id == "choice-later"
        await pilot.press("escape")  # decide later: both stay as they are
        await wait_for(pilot, lambda: app.screen is not screen, what="dialog closed")
        conflicts = app.project.state_dir / "conflicts"
        assert app.main.editor("subject").text == mine and app.main.is_dirty
        assert subject.read_text() == theirs and not conflicts.exists()

        await pilot.press("ctrl+s")  # would overwrite theirs: asked again, nothing written
        screen = await wait_screen(pilot, ChoiceScreen)
        assert subject.read_text() == theirs
        await pilot.click("#choice-theirs")
        await wait_for(pilot, lambda: app.screen is not screen, what="dialog closed")
        assert app.main.editor("subject").text == theirs and not app.main.is_dirty
        assert [p.read_text() for p in conflicts.rglob("subject.txt")] == [mine]  # mine is kept


async def test_keep_mine_copies_theirs_to_conflicts_before_the_save(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=True, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        await watcher_ready(pilot)
        cursor_at(app, "html", "Thanks for your order")
        await type_text(pilot, "MINE ")
        body = project_dir / TEMPLATE / "body.html"
        theirs = body.read_text() + "<p>EXTERNAL APPEND</p>\n"
        body.write_text(theirs)
        await wait_screen(pilot, ChoiceScreen)
        await pilot.click("#choice-mine")
        await settle(pilot)
        await pilot.press("ctrl+s")
        assert "MINE Thanks" in body.read_text()
        copies = list((app.project.state_dir / "conflicts" / TEMPLATE).rglob("body.html"))
        assert [c.read_text() for c in copies] == [theirs]


async def highlight(pilot, name: str) -> None:  # type: ignore[no-untyped-def]
    """Focus the template list and move its highlight to ``name`` (the open template stays open)."""
    template_list = pilot.app.main.template_list
    template_list.options.focus()
    template_list.options.highlighted = template_list.shown_names.index(name)
    await pilot.pause()
    option = template_list.options.highlighted_option
    assert option is not None and option.id == name and pilot.app.main.current != name


async def test_list_keys_act_on_the_highlighted_row_not_the_open_template(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        await highlight(pilot, "invoice")
        await pilot.press("c")
        screen = await wait_screen(pilot, PromptScreen)
        assert str(screen.query_one(".dialog-title").render()) == "Duplicate invoice as"
        await pilot.press("escape")
        await settle(pilot)

        await highlight(pilot, "invoice")
        await pilot.press("r")
        screen = await wait_screen(pilot, PromptScreen)
        assert str(screen.query_one(".dialog-title").render()) == "Rename invoice to"
        await pilot.press("escape")
        await settle(pilot)

        await highlight(pilot, "invoice")
        await pilot.press("x")
        screen = await wait_screen(pilot, ConfirmScreen)
        assert str(screen.query_one(".dialog-title").render()) == "Delete template invoice?"
        await pilot.click("#yes")
        await settle(pilot)
        assert not (project_dir / "invoice").exists() and (project_dir / TEMPLATE).is_dir()
        assert app.main.current == TEMPLATE


async def test_fill_skeleton_on_a_complete_fixture_says_nothing_is_missing(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await open_receipt(pilot, app)
        editor = app.main.fixture_editor
        await pilot.press("ctrl+l")  # fills the sample's default fixture (giftMessage is missing)
        await wait_for(pilot, lambda: editor.dirty, what="skeleton filled")
        filled = editor.text
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: any("Nothing missing" in str(n.message) for n in app.notifications),
                       what="the nothing-missing notice")
        assert editor.text == filled


def handing_over_the_terminal(app: WorkbenchApp) -> list[str]:
    """The headless test driver cannot suspend; this hands the terminal over the way the real driver
    does (nothing to restore) and records each hand-over and give-back."""
    from contextlib import contextmanager

    log: list[str] = []

    @contextmanager
    def suspend():  # type: ignore[no-untyped-def]
        log.append("suspend")
        yield
        log.append("resume")

    app.suspend = suspend  # type: ignore[method-assign]
    return log


def editor_script(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-editor"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return str(script)


async def test_an_editor_that_cannot_start_is_one_message_and_the_app_goes_on(
        project_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    log = handing_over_the_terminal(app)
    monkeypatch.delenv("VISUAL", raising=False)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await open_receipt(pilot, app)
        monkeypatch.setenv("EDITOR", "doesnotexist --wait")
        app.edit_externally()
        await wait_for(pilot, lambda: len(app.notifications) == 1, what="the message")
        [note] = [n.message for n in app.notifications]
        assert note == "Could not run doesnotexist: not found (set $VISUAL or $EDITOR)"
        assert log == []  # found before suspending: the app never left the screen

        monkeypatch.setenv("EDITOR", editor_script(tmp_path, "echo broken >> \"$1\"; exit 3\n"))
        body = project_dir / TEMPLATE / "body.html"
        saved = body.read_text()
        app.edit_externally()
        assert log == ["suspend", "resume"] and app.is_running
        await wait_for(pilot, lambda: len(app.notifications) == 2, what="the second message")
        assert "exited with status 3" in list(app.notifications)[-1].message
        assert body.read_text() == saved + "broken\n"  # the real file: what the editor wrote stays there
        assert app.main.editor("html").text == body.read_text() and not app.main.is_dirty


async def test_the_editor_edits_the_real_file_when_clean_and_a_named_copy_when_dirty(
        project_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = tmp_path / "seen"
    monkeypatch.delenv("VISUAL", raising=False)
    script = f"echo \"$1\" >> {seen}; echo '<!-- ed -->' >> \"$1\"\n"
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, script))
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    handing_over_the_terminal(app)
    body = project_dir / TEMPLATE / "body.html"
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        editor = app.main.editor("html")
        editor.focus()
        app.edit_externally()
        assert seen.read_text().splitlines() == [str(body)]
        assert body.read_text().endswith("<!-- ed -->\n") and editor.text == body.read_text()
        assert not editor.dirty

        cursor_at(app, "html", "Thanks for your order")
        await type_text(pilot, "MINE ")
        app.edit_externally()
        copy = Path(seen.read_text().splitlines()[1])
        assert copy.name == f"{TEMPLATE}-body.html" and not copy.exists()  # named, and cleaned up
        assert "MINE Thanks" in editor.text and editor.text.endswith("<!-- ed -->\n<!-- ed -->\n")
        assert editor.dirty and "MINE" not in body.read_text()  # unsaved, as typed edits are


async def test_a_folder_removed_under_unsaved_edits_keeps_them_and_saves_them(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=True, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        await watcher_ready(pilot)
        cursor_at(app, "html", "Thanks for your order")
        await type_text(pilot, "IMPORTANT UNSAVED WORK ")
        mine = app.main.editor("html").text
        (project_dir / TEMPLATE).rename(project_dir.parent / "elsewhere")  # mv, git checkout
        screen = await wait_screen(pilot, ChoiceScreen)
        assert f"{TEMPLATE} was removed on disk" in str(screen.query_one(".dialog-title").render())
        copies = list((app.project.state_dir / "conflicts" / TEMPLATE).rglob("body.html"))
        assert [c.read_text() for c in copies] == [mine]  # kept at once, whatever the answer
        await pilot.click("#choice-save")
        await wait_screen(pilot, PromptScreen)
        await pilot.press("enter")  # under its own name
        await settle(pilot)
        assert (project_dir / TEMPLATE / "body.html").read_text() == mine
        assert app.main.current == TEMPLATE and app.main.editor("html").text == mine
        assert (project_dir / TEMPLATE / "data" / "default.json").read_text() == \
            (project_dir.parent / "elsewhere" / "data" / "default.json").read_text()
