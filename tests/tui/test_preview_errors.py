"""A render error never shows another template's email: each template keeps its own last good preview,
and the SES tabs forget the previous template's answers."""

from __future__ import annotations

from pathlib import Path

from ses_workbench.tui.app import WorkbenchApp
from tests.tui.conftest import open_receipt, preview_text, settle, status_text, wait_for

TEMPLATE = "order-receipt"


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
        banner, kept = preview_text(app).split("\n\n", 1)
        assert banner.startswith("⚠ stale:") and "never closed" in " ".join(banner.split())
        assert kept == good
