""""Fill skeleton" adds only what is missing to the fixture, as the person wrote it."""

from __future__ import annotations

import json
from pathlib import Path

from ses_workbench.tui.app import WorkbenchApp
from tests.tui.conftest import preview_text, settle, wait_for


async def test_fill_skeleton_appends_only_what_is_missing_to_the_text_as_written(project_dir: Path) -> None:
    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        app.main.open_template("order-receipt")
        await settle(pilot)
        await wait_for(pilot, lambda: "Thanks for your order" in preview_text(app), what="first preview")
        data = json.loads(app.main.fixture_editor.text)
        data["customer"] = {"id": 7}  # firstName missing
        data["items"] = []  # an empty list is the person's: it stays empty
        # hand-formatted: one top-level key per line, each value on one line, a custom key first
        hand = "{\n" + ",\n".join(f"    {json.dumps(k)}: {json.dumps(v)}"
                                  for k, v in {"note": "mine", **data}.items()) + "\n}\n"
        app.main.editor_tabs.active = "tab-data"
        app.main.fixture_editor.load_text(hand)
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: app.main.fixture_editor.text != hand, what="skeleton filled")
        # appended at the end of the objects that lack them (order.giftMessage is printed inside an #if:
        # it gets a value, so the branch renders); every other byte stays as written
        order = json.dumps(data["order"])
        expected = hand.replace('"customer": {"id": 7}', '"customer": {"id": 7, "firstName": "firstName"}') \
            .replace(order, order[:-1] + ', "giftMessage": "giftMessage"}')
        assert app.main.fixture_editor.text == expected
