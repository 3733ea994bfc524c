"""More flows: remote render and parity through the local endpoint, pull, a failing environment switch,
lint all, keymap overrides from ses-workbench.toml, and the self-reloading browser page."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList, Static

from ses_workbench.project import TemplateContent
from ses_workbench.tui.app import WorkbenchApp
from ses_workbench.tui.screens.dialogs import ChoiceScreen, ConfirmScreen
from ses_workbench.tui.screens.diff import DiffScreen
from tests.tui.conftest import connected, preview_text, settle, wait_for, wait_screen, watcher_ready

TEMPLATE = "order-receipt"


async def _pushed(pilot, app: WorkbenchApp) -> None:  # type: ignore[no-untyped-def]
    app.main.open_template(TEMPLATE)
    await connected(pilot)
    await pilot.press("f2")
    await wait_screen(pilot, DiffScreen)
    await pilot.click("#push")
    await settle(pilot)


async def test_remote_render_and_parity(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await _pushed(pilot, app)
        await pilot.press("f7")
        await wait_for(pilot, lambda: "SES TestRenderEmailTemplate ·" in preview_text(app, "ses"),
                       what="SES render")
        assert "Thanks for your order, Ada!" in preview_text(app, "ses")
        assert app.main.preview_tabs.active == "pv-ses"
        await pilot.press("f8")
        await wait_for(pilot, lambda: "[default]:" in preview_text(app, "parity"), what="parity")
        assert f"{TEMPLATE} [default]: same" in preview_text(app, "parity")


async def test_pull_brings_remote_change_into_the_editor(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=True, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await _pushed(pilot, app)
        await watcher_ready(pilot)
        remote = app.ses.get_template(TEMPLATE)
        app.ses.update_template(TEMPLATE, TemplateContent(
            subject="Pulled subject {{order.number}}", html=remote.html, text=remote.text))
        await pilot.press("f5")
        await wait_screen(pilot, ConfirmScreen)
        await pilot.click("#yes")
        await settle(pilot)
        # the watcher brings the pulled file into the (clean) editor and the preview
        await wait_for(pilot, lambda: app.main.editor("subject").text.startswith("Pulled subject"),
                       what="pulled")
        await wait_for(pilot, lambda: "Pulled subject AC-100482" in preview_text(app), what="preview")


@pytest.mark.usefixtures("no_aws_credentials")
async def test_environment_without_credentials_is_one_notification(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        app.main.open_template(TEMPLATE)
        await connected(pilot)
        await pilot.press("f9")
        await wait_screen(pilot, ChoiceScreen)
        await pilot.click("#choice-staging")
        await wait_for(pilot, lambda: app.flows.env_name == "staging", what="the switch")  # then its worker
        await settle(pilot)
        assert app.ses is None  # not connected...
        assert app.enabled("push") is False  # ...so SES actions are hidden
        notes = [n.message for n in app.notifications]
        assert any("acme-staging" in n or "credential" in n.lower() or "profile" in n.lower()
                   for n in notes), notes
        assert "not connected" in app.main.header_text
        # still usable: editing and the preview work
        app.main.editor("html").focus()
        await pilot.press("x")
        await wait_for(pilot, lambda: app.main.is_dirty, what="editable")
        # and switching back to the local endpoint works
        await pilot.press("f9")
        await wait_screen(pilot, ChoiceScreen)
        await pilot.click("#choice-local")
        await connected(pilot)
        assert app.flows.env_name == "local"


async def test_lint_all_and_keymap(project_dir: Path) -> None:
    config = project_dir / "ses-workbench.toml"
    config.write_text(config.read_text() + '\n[tui.keymap]\nlint_all = "f12"\n')
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        app.main.open_template(TEMPLATE)
        await settle(pilot)
        keys = {title: key for key, title, _ in app.key_table()}
        assert keys["Lint all"] == "f12"
        app.clear_notifications()
        await pilot.press("f12")
        await settle(pilot)
        assert any(n.message.startswith("Lint:") for n in app.notifications)
        assert set(app.main.lint) == set(app.project.names)


@pytest.mark.usefixtures("no_aws_credentials")
async def test_no_credentials_opens_the_local_endpoint(project_dir: Path) -> None:
    """`ses-workbench DIR` without --local: the default environment falls back to the embedded endpoint."""
    config = project_dir / "ses-workbench.toml"
    config.write_text(config.read_text().replace('default_env = "local"', 'default_env = "staging"'))
    app = WorkbenchApp(project_dir, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await connected(pilot)
        assert app.flows.local_server is not None
        assert "local endpoint" in app.main.header_text


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


async def test_typing_stays_live_during_a_paced_push(project_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A push paced at SES's template-operation rate runs in a worker: the editor and preview keep going."""
    config = project_dir / "ses-workbench.toml"
    text = config.read_text().replace("template_ops_per_second = 200", "template_ops_per_second = 4")
    config.write_text(text)
    app = WorkbenchApp(project_dir, local=True, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        app.main.open_template(TEMPLATE)
        await wait_for(pilot, lambda: app.ses is not None, 20, "SES connection")
        await wait_for(pilot, lambda: not app.workers._workers or all(
            w.group != "ses-status" or not w.is_running for w in app.workers), 30, "status")
        # The push must still be running when the preview is checked: at 4/s the eight templates take
        # ~2 s, which a loaded machine can spend before the keys are typed.  After the first template
        # the push waits for this gate (in its worker thread), so "still pushing" does not race the clock;
        # were the push on the event loop, the preview could not update while it waits.
        gate = threading.Event()
        upsert = app.ses.upsert_template
        pushed: list[str] = []

        def gated_upsert(name: str, *args: Any, **kwargs: Any) -> Any:
            pushed.append(name)
            if len(pushed) > 1:
                gate.wait(60)
            return upsert(name, *args, **kwargs)

        monkeypatch.setattr(app.ses, "upsert_template", gated_upsert)
        try:
            await app.action_run("push_all")
            await wait_screen(pilot, DiffScreen)
            await pilot.click("#push")
            await wait_for(pilot, lambda: app.main.query_one("#progress-box").display, 10, "push progress")
            editor = app.main.editor("subject")
            editor.focus()
            editor.cursor_location = (0, 0)
            await pilot.press(*"Live ")
            await wait_for(pilot, lambda: "Live Your Acme receipt" in preview_text(app), 5,
                           "preview during push")
            assert any(w.group == "ses-push" and w.is_running for w in app.workers)  # still pushing
        finally:
            gate.set()
        await settle(pilot)
        assert app.ses.get_template("welcome") is not None  # ...and it finished
        assert len(pushed) == len(app.project.names)


def _diff_body(screen: DiffScreen) -> str:
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(screen.query_one("#diff-body", Static).content)
    return console.export_text()


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
