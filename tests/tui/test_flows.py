"""Pilot-driven flows of issue 4 against the embedded local SES endpoint."""

from __future__ import annotations

import json
import os
from pathlib import Path

from textual.widgets import Button, SelectionList

from ses_workbench.project import TemplateContent
from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.dialogs import ChoiceScreen
from ses_workbench.tui.screens.diff import DiffScreen
from ses_workbench.tui.screens.send import SendScreen
from tests.tui.conftest import (
    connected,
    cursor_at,
    open_receipt,
    preview_text,
    settle,
    type_text,
    wait_for,
    wait_screen,
    watcher_ready,
)

TEMPLATE = "order-receipt"


async def test_edit_updates_preview(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        cursor_at(app, "html", "Thanks for your order, {{customer.firstName}}!</h1>")
        await type_text(pilot, "Hello ")
        await wait_for(pilot, lambda: "Hello Thanks for your order" in preview_text(app),
                       what="edit in preview")
        assert app.main.editor("html").dirty
        assert app.main.is_dirty
        # the HTML source tab follows too (rendered only when shown)
        app.main.preview_tabs.active = "pv-html"
        await wait_for(pilot, lambda: "Hello Thanks" in preview_text(app, "html"), what="html tab")
        # save writes the file atomically and clears the dirty flag
        await pilot.press("ctrl+s")
        assert "Hello Thanks for your order" in (project_dir / TEMPLATE / "body.html").read_text()
        assert not app.main.is_dirty


async def test_broken_json_shows_error_and_keeps_last_preview(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        good = preview_text(app)
        app.main.editor_tabs.active = "tab-data"
        editor = app.main.fixture_editor
        editor.focus()
        editor.cursor_location = (0, 1)   # just after the opening brace
        await type_text(pilot, '"oops": ,')
        await wait_for(pilot, lambda: app.main.last_error is not None, what="render error")
        assert "invalid JSON" in app.main.last_error
        error = str(app.main.data_pane.query_one("#fixture-error").render())
        assert "line 1, column" in error
        banner, kept = preview_text(app).split("\n\n", 1)
        assert banner.startswith("⚠ stale:") and "invalid JSON" in banner
        assert kept == good  # the last good preview stays, under a banner that says it is stale
        # fixing the JSON brings the preview back
        for _ in range(len('"oops": ,')):
            await pilot.press("backspace")
        await wait_for(pilot, lambda: app.main.last_error is None, what="error cleared")


async def test_missing_attribute_marked_in_data_pane(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        app.main.editor_tabs.active = "tab-data"  # the data pane lists the attributes
        data = json.loads(app.main.fixture_editor.text)
        del data["customer"]["firstName"]
        app.main.fixture_editor.load_text(json.dumps(data, indent=2))
        await wait_for(pilot, lambda: any(r.path == "customer.firstName" and not r.present
                                          for r in app.main.attributes), what="missing attribute")
        assert app.main.last_error is not None and "customer.firstName" in app.main.last_error
        # the skeleton key fills it back in
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: app.main.last_error is None, what="skeleton fixes render")
        assert json.loads(app.main.fixture_editor.text)["customer"]["firstName"] == "firstName"


async def test_push_diff_confirm_updates_remote(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        await connected(pilot)
        assert app.main.states[TEMPLATE] == "local-only"
        await pilot.press("f2")
        await wait_screen(pilot, DiffScreen)
        assert app.screen.query_one("#push", Button)
        await pilot.click("#push")
        await settle(pilot)
        remote = app.ses.get_template(TEMPLATE)
        assert remote is not None
        assert remote.content_hash() == app.project.get(TEMPLATE).compose().content_hash()
        await wait_for(pilot, lambda: app.main.states.get(TEMPLATE) == "in-sync", what="in-sync state")


async def test_push_refused_on_drift(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        await connected(pilot)
        await pilot.press("f2")
        await wait_screen(pilot, DiffScreen)
        await pilot.click("#push")
        await settle(pilot)
        # someone changes the template in SES behind our back...
        drift = TemplateContent(subject="changed in the console", html="<p>hi</p>", text="hi")
        app.ses.update_template(TEMPLATE, drift)
        # ...and we edit locally and push again: refused, the remote stays as it is
        cursor_at(app, "subject", "Your Acme receipt")
        await type_text(pilot, "New ")
        await pilot.press("f2")  # saves, plans, shows the refusal
        await wait_screen(pilot, DiffScreen)
        screen = app.screen
        assert not screen.query("#push")  # nothing can be pushed
        assert screen.query("#force")      # only an explicit force (with backup)
        assert "changed remotely" in str(screen.query_one(".refusal").render())
        await pilot.click("#close")
        await settle(pilot)
        assert app.ses.get_template(TEMPLATE).subject == "changed in the console"
        await wait_for(pilot, lambda: app.main.states.get(TEMPLATE) in ("conflict", "changed-remotely"),
                       what="drift state")


async def test_send_guard_then_good_send_lands_in_outbox(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        await connected(pilot)
        await pilot.press("f2")  # a templated send needs the template in SES
        await wait_screen(pilot, DiffScreen)
        await pilot.click("#push")
        await settle(pilot)
        await pilot.press("f4")
        await wait_screen(pilot, SendScreen)
        screen = app.screen
        await wait_for(pilot, lambda: screen.plan is not None, what="first plan")
        # an unverified address is refused by the guards: the Send button stays disabled
        screen.query_one("#recipient-input").focus()
        await type_text(pilot, "stranger@example.com")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.plan is not None
                       and "stranger@example.com" in screen.plan.recipients, what="plan with stranger")
        assert any("unverified" in r and "stranger@example.com" in r for r in screen.plan.refusals)
        assert screen.query_one("#send", Button).disabled
        # a verified address as an unquoted display name is refused, not judged as the verified one
        disguised = "qa@acme.test <stranger2@example.com>"
        await type_text(pilot, disguised)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.plan is not None and disguised in screen.plan.recipients,
                       what="plan with the disguised stranger")
        assert any("unquoted '@' in the display name" in r for r in screen.plan.refusals)
        screen.query_one("#recipient-list", SelectionList).deselect(disguised)
        # keep only the simulator and the verified domain address: all guards pass
        recipients = screen.query_one("#recipient-list", SelectionList)
        recipients.deselect("stranger@example.com")
        await wait_for(pilot, lambda: screen.plan is not None and screen.plan.ok, what="good plan")
        assert not screen.query_one("#send", Button).disabled
        count = screen.plan.count
        await pilot.click("#send")
        await wait_for(pilot, lambda: screen.report is not None, what="send report")
        assert all(o.status == "SUCCESS" for o in screen.report.outcomes)
        assert screen.report.path is not None and screen.report.path.exists()
        outbox = app.flows.local_server.outbox_messages()
        assert len(outbox) == count
        await pilot.click("#close")
        # open the outbox and read the delivered message in the preview
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "OutboxScreen", what="outbox")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "outbox:" in preview_text(app), what="outbox message in preview")
        assert "Thanks for your order" in preview_text(app)


async def test_external_change_updates_preview(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=True, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        await watcher_ready(pilot)
        body = project_dir / TEMPLATE / "body.html"
        text = body.read_text().replace("Thanks for your order", "Changed elsewhere, thanks", 1)
        tmp = body.with_suffix(".swp-test")
        tmp.write_text(text)
        os.replace(tmp, body)
        await wait_for(pilot, lambda: "Changed elsewhere, thanks" in preview_text(app), what="external edit")
        assert app.main.editor("html").text == text
        assert not app.main.is_dirty


async def test_external_change_during_unsaved_edits_loses_nothing(project_dir: Path) -> None:
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
        await wait_screen(pilot, ChoiceScreen)
        await pilot.click("#choice-mine")
        conflicts = project_dir / ".ses-workbench" / "conflicts" / TEMPLATE
        await wait_for(pilot, lambda: any(conflicts.rglob("subject.txt")), what="the copy of theirs")
        assert app.main.editor("subject").text == mine          # my edits stay in the editor
        copies = list(conflicts.rglob("subject.txt"))
        assert [c.read_text() for c in copies] == [theirs]  # theirs kept as a copy
        await pilot.press("ctrl+s")
        assert subject.read_text() == mine


async def test_quit_with_unsaved_edits_asks(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_receipt(pilot, app)
        cursor_at(app, "html", "Thanks for your order")
        await pilot.press("x")
        await pilot.press("ctrl+q")
        await wait_screen(pilot, ChoiceScreen)
        await pilot.click("#choice-cancel")
        assert app.is_running and app.main.is_dirty
        await pilot.press("ctrl+q")
        await wait_screen(pilot, ChoiceScreen)
        await pilot.click("#choice-save")
        await pilot.pause()
    assert "xThanks for your order" in (project_dir / TEMPLATE / "body.html").read_text()


async def test_small_terminal_stacks_and_collapses(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_receipt(pilot, app)
        assert app.main.compact
        assert app.main.has_class("-compact")
        editor, preview = app.main.editor("html"), app.main.view("read")
        assert editor.region.height >= 5 and preview.region.height >= 5
        assert editor.region.width >= 70
        assert app.main.template_list.region.height == 0  # the list is collapsed...
        await pilot.press("ctrl+t")
        # ...and comes back as a strip on demand (laid out on a later refresh: wait, do not pause once)
        await wait_for(pilot, lambda: app.main.template_list.region.height >= 5, what="the list as a strip")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: app.main.template_list.region.height == 0,
                       what="the list collapsed again")
        await pilot.resize_terminal(180, 50)
        await wait_for(pilot, lambda: not app.main.compact, what="the wide layout")
        await wait_for(pilot, lambda: app.main.template_list.region.width > 0, what="the list column")


async def test_palette_and_help_list_actions(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        titles = {cmd.title for cmd in app.get_system_commands(app.screen)}
        assert "Lint all" in titles and "Open in browser" in titles
        assert "Push template" not in titles  # no SES connection: hidden
        assert "Save" not in titles           # nothing to save
        assert app.enabled("push") is False
        keys = {title: key for key, title, _ in app.key_table()}
        assert keys["Push template"] == "f2" and keys["Save"] == "ctrl+s"
        await pilot.press("f1")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "HelpScreen", what="help")


async def test_template_crud(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_receipt(pilot, app)
        await pilot.press("ctrl+n")
        await type_text(pilot, "spring-sale")
        await pilot.press("enter")
        await settle(pilot)
        assert app.main.current == "spring-sale" and (project_dir / "spring-sale" / "body.html").exists()
        await wait_for(pilot, lambda: "Hello Ada" in preview_text(app), what="new template preview")
        options = app.main.template_list.options
        options.focus()
        options.highlighted = app.main.template_list.shown_names.index("spring-sale")  # list keys act on it
        await pilot.press("r")
        await type_text(pilot, "summer-sale")
        await pilot.press("enter")  # the old name is selected: typing replaces it
        await settle(pilot)
        assert app.main.current == "summer-sale" and not (project_dir / "spring-sale").exists()
        options.focus()
        options.highlighted = app.main.template_list.shown_names.index("summer-sale")
        await pilot.press("delete")
        await pilot.click("#yes")
        await settle(pilot)
        assert "summer-sale" not in app.project.templates
        # filter as you type
        app.main.template_list.filter_input.focus()
        await type_text(pilot, "recei")
        assert app.main.template_list.shown_names == [TEMPLATE]
