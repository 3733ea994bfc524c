"""Custom verification templates in the workbench: listed after the email templates, marked by kind;
selecting one shows it as its recipient sees it (the link SES adds included), in the preview pane and on the
ctrl+b browser page; f10 asks for an address, pushes it and sends it; the local outbox has it."""

from __future__ import annotations

import email
import email.policy
import html
import shutil
from pathlib import Path

from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.dialogs import PromptScreen
from tests.tui.conftest import connected, preview_text, settle, type_text, wait_for, wait_screen
from tests.tui.test_browser_preview import get

NAME = "newsletter-sender"
RECIPIENT_VIEW = "You asked to send your Acme newsletters"


async def test_the_list_marks_it_and_selecting_it_shows_the_recipient_view(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        listing = app.main.template_list
        assert listing.shown_names[-1] == NAME  # after the email templates
        label = listing.options.get_option(NAME).prompt
        assert str(label).strip() == f"✉ {NAME}"
        opened = app.main.current
        await pilot.click("#template-filter")
        await pilot.press(*NAME, "enter")
        await wait_for(pilot, lambda: "token=PREVIEW" in preview_text(app), what="the recipient's view")
        text = preview_text(app)
        assert RECIPIENT_VIEW in text and text.index("token=PREVIEW") > text.index(RECIPIENT_VIEW)
        assert app.main.current == opened  # the email template stays open in the editors


async def test_ctrl_b_shows_the_selected_custom_verification_email(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.main.template_list.post_message(app.main.template_list.Selected(NAME))
        await wait_for(pilot, lambda: "token=PREVIEW" in preview_text(app), what="the recipient's view")
        await pilot.press("ctrl+b")
        await settle(pilot)
        url = app.preview_server.url
        assert url is not None
        status, _headers, page = get(url, host=url.split("//", 1)[1].rstrip("/"))
        assert status == 200
        srcdoc = html.unescape(page)
        assert RECIPIENT_VIEW in srcdoc and "verify?token=PREVIEW" in srcdoc


async def test_f10_previews_pushes_and_sends_the_sample(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await connected(pilot)
        assert "newsletter-sender" not in app.project.names  # not in the email template list
        await pilot.press("f10")
        await wait_screen(pilot, PromptScreen)
        text = preview_text(app)
        assert "You asked to send your Acme newsletters" in text and "token=PREVIEW" in text
        await type_text(pilot, "owner@customer.example")
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: any("Sent newsletter-sender" in str(n.message)
                                          for n in app.notifications), 20, "the sent notice")
        server = app.flows.local_server
        raw = server.outbox_messages()[-1].read_bytes()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert msg["To"] == "owner@customer.example"
        assert "/_local-ses/verify-link/" in msg.get_body(("html",)).get_content()  # type: ignore[union-attr]


async def test_it_shows_when_the_folder_holds_no_email_template(project_dir: Path) -> None:
    for folder in project_dir.iterdir():
        if folder.is_dir() and folder.name != NAME and (folder / "subject.txt").exists():
            shutil.rmtree(folder)
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert app.project.names == [] and app.main.template_list.shown_names == [NAME]
        app.main.template_list.post_message(app.main.template_list.Selected(NAME))
        await wait_for(pilot, lambda: "token=PREVIEW" in preview_text(app), what="the recipient's view")
        assert RECIPIENT_VIEW in preview_text(app)
