"""A scrollable view of lines that were rendered *off the event loop*.

The issue measured ``Markdown.update`` of the 8 KB sample at ~110 ms median on the event loop; that
alone misses the 50 ms keystroke budget. ``LinesView`` instead receives a finished list of ``Strip``s
(built in a worker thread by :mod:`ses_workbench.tui.reading`) and only swaps a list and refreshes:
the compositor asks for the visible rows, nothing else is styled or wrapped on the event loop.
A ``signature`` lets callers skip the swap when the output did not change at all.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.events import Resize
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip


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
        self._lines = lines
        width = max((strip.cell_length for strip in lines), default=0)
        self.virtual_size = Size(width, len(lines))
        if not keep_scroll:
            self.scroll_to(0, 0, animate=False)
        self.refresh()
        return True

    def set_text(self, text: str, style: Style | None = None) -> None:
        """Plain lines, no wrapping (messages, placeholders)."""
        lines = [Strip([Segment(line, style)]) if line else Strip.blank(0) for line in text.split("\n")]
        self.set_lines(lines, ("text", text))

    def on_resize(self, event: Resize) -> None:
        width = self.scrollable_content_region.width
        if width != getattr(self, "_width", None):
            self._width = width
            self.post_message(self.WidthChanged(self, width))

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        style = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, style)
        return self._lines[index].crop_extend(scroll_x, scroll_x + width, style).apply_style(style)
