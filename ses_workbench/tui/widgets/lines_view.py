"""A scrollable view of lines that were rendered *off the event loop*.

The issue measured ``Markdown.update`` of the 8 KB sample at ~110 ms median on the event loop; that
alone misses the 50 ms keystroke budget. ``LinesView`` instead receives a finished list of ``Strip``s
(built in a worker thread by :mod:`ses_workbench.tui.reading`) and only swaps a list and refreshes:
the compositor asks for the visible rows, nothing else is styled or wrapped on the event loop.
A ``signature`` lets callers skip the swap when the output did not change at all.
"""

from __future__ import annotations

from time import perf_counter

from rich.segment import Segment
from rich.style import Style
from textual.events import Resize
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget


class LinesView(ScrollView, can_focus=True):
    """Show pre-rendered ``Strip`` lines; scrolling is the only work done here."""

    DEFAULT_CSS = """
    LinesView {
        height: 1fr;
        background: $surface;
        scrollbar-gutter: stable;  /* the wrap width must not change when a scrollbar appears */
    }
    """

    class WidthChanged(Message):
        """The width lines are wrapped to changed: the producer should re-render."""

        def __init__(self, view: LinesView, width: int) -> None:
            self.view = view
            self.width = width
            super().__init__()

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self._lines: list[Strip] = []
        self._signature: object = None
        self.generation = 0
        """Bumped by every ``set_lines`` that changed something."""
        self.painted_generation = 0
        self.painted_at = 0.0
        """``time.perf_counter()`` when the compositor last drew the current generation (benchmarks)."""

    @property
    def signature(self) -> object:
        """Whatever the producer said identifies the current lines (source text + width)."""
        return self._signature

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def plain_text(self) -> str:
        """The shown text without styles (tests and the tmux check read this)."""
        return "\n".join(strip.text for strip in self._lines)

    def set_lines(self, lines: list[Strip], signature: object, *, keep_scroll: bool = True) -> bool:
        """Swap in new lines; returns False (and does nothing) when ``signature`` is unchanged."""
        if signature is not None and signature == self._signature:
            return False
        self._signature = signature
        old, self._lines = self._lines, lines
        self.generation += 1
        width = max((strip.cell_length for strip in lines), default=0)
        size = Size(width, len(lines))
        if size != self.virtual_size:
            # in place, not through the layout reactive: the screen's layout does not depend on it
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)
        if not keep_scroll:
            self.scroll_to(0, 0, animate=False)
            self.refresh()
            return True
        self._refresh_changed(old, lines)
        return True

    def _refresh_changed(self, old: list[Strip], new: list[Strip]) -> None:
        """Repaint only the rows that differ (a keystroke usually changes one paragraph)."""
        start = 0
        common = min(len(old), len(new))
        while start < common and old[start] == new[start]:
            start += 1
        if start == len(old) == len(new):
            return
        end_old, end_new = len(old), len(new)
        while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
            end_old -= 1
            end_new -= 1
        # same length: only the differing block; otherwise every row below it moved
        last = end_new if len(old) == len(new) else max(len(old), len(new))
        top = self.scroll_offset.y
        first_row = max(start - top, 0)
        last_row = min(last - top, self.size.height)
        if last_row <= first_row:
            return
        self.refresh(Region(0, first_row, self.size.width, last_row - first_row))

    def set_text(self, text: str, style: Style | None = None) -> None:
        """Plain lines, no wrapping (messages, placeholders)."""
        lines = [Strip([Segment(line, style)]) if line else Strip.blank(0) for line in text.split("\n")]
        self.set_lines(lines, ("text", text))

    def on_resize(self, event: Resize) -> None:
        width = self.scrollable_content_region.width
        if width != getattr(self, "_width", None):
            self._width = width
            self.post_message(self.WidthChanged(self, width))

    def render_lines(self, crop: Region) -> list[Strip]:
        if self.painted_generation != self.generation:
            self.painted_generation = self.generation
            self.painted_at = perf_counter()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        style = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, style)
        return self._lines[index].crop_extend(scroll_x, scroll_x + width, style).apply_style(style)
