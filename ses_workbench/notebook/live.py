"""The notebook's live preview: a fixture picker and a JSON editor beside the rendered email (ipywidgets),
re-rendered on every edit and whenever the template's files change on disk (watchfiles)."""

from __future__ import annotations

import contextlib
import html
import threading
from typing import TYPE_CHECKING, Any

from ses_workbench.notebook.views import json_error, where
from ses_workbench.project.errors import FixtureError
from ses_workbench.project.fixtures import parse_json

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.notebook.workbench import Workbench

__all__ = ["LivePreview"]

_e = html.escape


class LivePreview:
    """ipywidgets: fixture picker + JSON editor | preview; re-renders on edits and on file changes."""

    def __init__(self, wb: Workbench, name: str) -> None:
        import ipywidgets as w  # type: ignore[import-untyped]  # ipywidgets ships no type information

        self.wb = wb
        self.name = name
        tpl = wb.project.get(name)
        fixtures = list(tpl.fixtures)
        self.picker = w.Dropdown(options=fixtures or ["(none)"], description="fixture")
        self.editor = w.Textarea(layout=w.Layout(width="100%", height="420px"))
        self.status = w.HTML()
        self.preview = w.HTML()
        left = w.VBox([self.picker, self.editor, self.status], layout=w.Layout(width="38%"))
        self.widget = w.HBox([left, w.Box([self.preview], layout=w.Layout(width="62%"))])
        self._stop = threading.Event()
        self._render_lock = threading.Lock()
        self.picker.observe(self._on_pick, names="value")
        self.editor.observe(lambda _c: self.refresh(), names="value")
        self._load_fixture()
        self.refresh()
        self._thread = threading.Thread(target=self._watch, name=f"sesw-live-{name}", daemon=True)
        self._thread.start()

    def _load_fixture(self) -> None:
        tpl = self.wb.project.get(self.name)
        fx = tpl.fixtures.get(self.picker.value)
        self.editor.value = fx.text if fx is not None else "{}"

    def _on_pick(self, _change: Any) -> None:
        self._load_fixture()

    def refresh(self) -> None:
        """Render the editor's JSON now; a JSON error keeps the last good preview on screen."""
        with self._render_lock:
            try:
                data = parse_json(self.editor.value or "{}")
            except FixtureError as exc:
                self.status.value = f'<span style="color:#c50f1f">JSON: {_e(json_error(exc))}</span>'
                return
            view = self.wb.render(self.name, data=data)
            err = view.error
            self.status.value = "" if err is None else (
                f'<span style="color:#c50f1f">{_e(where(err))}{_e(str(err))}</span>')
            if view.ok or not self.preview.value:
                self.preview.value = view._repr_html_()

    def _watch(self) -> None:
        try:
            from watchfiles import watch
        except ImportError:  # pragma: no cover - watchfiles is a dependency
            return
        tpl_dir = self.wb.project.get(self.name).dir
        layouts = self.wb.project.root / "_layouts"
        paths = [p for p in (tpl_dir, layouts) if p.exists()]
        for _changes in watch(*paths, stop_event=self._stop, debounce=200, rust_timeout=500):
            if self._stop.is_set():
                return
            with contextlib.suppress(Exception):
                self.wb.project.reload()
                self.refresh()

    def stop(self) -> None:
        self._stop.set()
