"""Lint all, and key overrides from ses-workbench.toml."""

from __future__ import annotations

from pathlib import Path

from ses_workbench.tui.app import WorkbenchApp
from tests.tui.conftest import settle

TEMPLATE = "order-receipt"


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
