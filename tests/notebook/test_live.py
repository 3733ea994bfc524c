"""wb.live(name): fixture picker + JSON editor beside the preview (needs ipywidgets, an optional extra)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import ipywidgets as widgets  # dev extra: the live view is tested in CI, never skipped
import pytest

from ses_workbench import Workbench
from tests.notebook.nb_helpers import EVIL, assert_inert


def wait_for(cond, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False


def watcher_ready(live: Any, probe: Path) -> None:
    """Wait until the live view's watcher thread reports changes: it registers its inotify watches some
    time after ``wb.live`` returns (later still on a loaded machine), and a file written before then is
    never seen.  The probe rewrites ``probe`` unchanged (again if the watcher was not up yet) until the
    watcher thread re-renders."""
    text = probe.read_text()
    seen = threading.Event()
    refresh = live.refresh

    def spy() -> None:
        refresh()
        if threading.current_thread() is live._thread:
            seen.set()

    live.refresh = spy
    try:
        for _ in range(30):
            probe.write_text(text)
            if seen.wait(1.0):
                return
        raise AssertionError("the live view's file watcher never reported a change")
    finally:
        live.refresh = refresh


@pytest.mark.timeout(60)
def test_live_preview_rerenders_on_edits_and_file_changes(project_copy: Path) -> None:
    wb = Workbench(project_copy)
    try:
        box = wb.live("order-receipt")
        assert isinstance(box, widgets.HBox)
        live = wb._live[0]
        assert "Your Acme receipt" in live.preview.value
        assert set(live.picker.options) == set(wb.template("order-receipt").fixtures)

        # pick another fixture: the editor shows it and the preview follows
        live.picker.value = "minimal"
        assert json.loads(live.editor.value) == wb.template("order-receipt").fixture("minimal").data
        assert "AC-100483" in live.preview.value

        # edit the JSON: malicious data stays inert; broken JSON keeps the last good preview
        data = json.loads(live.editor.value)
        data["customer"]["firstName"] = EVIL
        live.editor.value = json.dumps(data)
        assert "&lt;script&gt;" in live.preview.value
        assert_inert(live.preview.value)
        good = live.preview.value
        live.editor.value = "{ not json"
        assert "JSON" in live.status.value and live.preview.value == good

        # data SES would refuse: the error is shown, the last good preview stays
        live.editor.value = json.dumps({"customer": {}})
        assert "is not present" in live.status.value and live.preview.value == good

        # a change on disk re-renders (watchfiles thread)
        live.editor.value = json.dumps(data)
        subject = project_copy / "order-receipt" / "subject.txt"
        watcher_ready(live, subject)
        subject.write_text("Changed on disk {{order.number}}\n")
        assert wait_for(lambda: "Changed on disk" in live.preview.value), live.preview.value[:300]
    finally:
        wb.close()
    assert wb._live == []
