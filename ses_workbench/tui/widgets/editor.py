"""Code editors for the template parts and fixtures, with lint markers on the offending lines.

``PartEditor`` is a ``TextArea.code_editor`` that knows which file it edits, what the file held when it
was loaded (``disk_text``: the dirty flag is ``text != disk_text``) and the diagnostics for its lines.
Markers are drawn by styling the line in :meth:`get_line` (TextArea's documented hook for extra styling),
so they follow syntax highlighting and scrolling for free; the message for the cursor's line is shown
by the app in the line under the editor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import TextArea
from textual.widgets.text_area import Edit, EditResult, Location

ERROR_STYLE = Style(underline=True, color="#ff5f5f", bgcolor="#3a1f1f")
WARNING_STYLE = Style(underline=True, bgcolor="#3a331f")


@dataclass(frozen=True)
class Marker:
    """One diagnostic to draw: 0-based line, 0-based column, severity and message."""

    line: int
    column: int
    severity: str
    message: str


class PartEditor(TextArea):
    """A part or fixture editor: dirty tracking against the file, lint markers."""

    def __init__(self, part: str, *, language: str | None, id: str | None = None) -> None:  # noqa: A002
        super().__init__(
            "",
            language=language,
            theme="monokai",
            soft_wrap=False,
            tab_behavior="indent",
            show_line_numbers=True,
            id=id,
        )
        self.part = part
        self.path: Path | None = None
        self.disk_text: str | None = None
        self._markers: dict[int, list[Marker]] = {}
        self.edits_notified = 0
        """Edits already announced through ``on_edit`` whose Changed message has not arrived yet."""
        self.on_edit: Callable[[PartEditor], None] | None = None
        """Called right after each edit is applied (inside the key handler): the preview render starts
        at once instead of after the Changed message has bubbled through every container."""

    @property
    def dirty(self) -> bool:
        """Unsaved edits: the text differs from what the file held when loaded or saved."""
        return self.disk_text is not None and self.text != self.disk_text or (
            self.disk_text is None and self.text != "")

    def load(self, path: Path | None, text: str | None, *, keep_cursor: bool = False) -> None:
        """Show a file's text; ``text=None`` means the file does not exist (an empty, clean editor)."""
        self.path = path
        self.disk_text = text
        cursor = self.cursor_location
        scroll = self.scroll_offset
        self.load_text(text or "")
        if keep_cursor:
            last = max(self.document.line_count - 1, 0)
            row = min(cursor[0], last)
            col = min(cursor[1], len(self.document.get_line(row)))
            self.cursor_location = (row, col)
            self.scroll_to(scroll.x, scroll.y, animate=False)

    def _refresh_size(self) -> None:
        """TextArea sets ``virtual_size`` (a layout reactive): typing on the longest line would re-lay out
        the whole screen on every key. Only this widget's scroll extent depends on it, so update it in
        place; a scrollbar appearing or vanishing still triggers a layout through its own reactive."""
        if self.soft_wrap:
            size = Size(0, self.wrapped_document.height)
        else:
            width, height = self.document.get_size(self.indent_width)
            size = Size(width + self.gutter_width + 1, height)
        if size != self.virtual_size:
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)
            self.refresh()
        self._refresh_scrollbars()

    def edit(self, edit: Edit) -> EditResult:
        result = super().edit(edit)
        if self.on_edit is not None:
            self.edits_notified += 1
            self.on_edit(self)
        return result

    def _replace_via_keyboard(self, insert: str, start: Location, end: Location) -> EditResult | None:
        """Typing and pasting; a line break never goes into the subject (SES sends it as one header
        line): Enter and a paste that holds one are refused, and the editor says why."""
        if self.part == "subject" and ("\n" in insert or "\r" in insert):
            self.notify("the subject must be one line: the line break was not inserted"
                        + (" (nothing was pasted)" if insert.strip("\r\n") else ""),
                        severity="warning")
            return None
        return super()._replace_via_keyboard(insert, start, end)

    def mark_saved(self) -> None:
        self.disk_text = self.text

    # -- lint markers ------------------------------------------------------------------------------
    def set_markers(self, markers: list[Marker]) -> None:
        by_line: dict[int, list[Marker]] = {}
        for marker in markers:
            by_line.setdefault(marker.line, []).append(marker)
        if by_line == self._markers:
            return
        self._markers = by_line
        self._line_cache.clear()
        self.refresh()

    def markers_at(self, line: int) -> list[Marker]:
        return self._markers.get(line, [])

    @property
    def marker_count(self) -> int:
        return sum(len(v) for v in self._markers.values())

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        markers = self._markers.get(line_index)
        if markers:
            error = any(m.severity == "error" for m in markers)
            start = min(m.column for m in markers)
            start = max(0, min(start, max(len(line) - 1, 0)))
            line.stylize(ERROR_STYLE if error else WARNING_STYLE, start, max(len(line), start + 1))
        return line
