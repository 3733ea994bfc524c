"""Pick a message the local endpoint delivered (``outbox/*.eml``) to read it in the preview."""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ses_workbench.wording import plural


def _summary(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            headers = BytesHeaderParser(policy=default_policy).parse(handle)
        return f"{headers.get('To', '?')} · {headers.get('Subject', '(no subject)')} · {path.name[:20]}"
    except OSError:
        return path.name


class OutboxScreen(ModalScreen[Path | None]):
    BINDINGS = [Binding("escape", "close", "Close", id="outbox.close")]

    def __init__(self, messages: list[Path]) -> None:
        super().__init__(classes="dialog")
        self._messages = sorted(messages, reverse=True)  # newest first (names start with a UTC stamp)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box wide"):
            yield Label(f"Outbox — {plural(len(self._messages), 'delivered message')}",
                        classes="dialog-title")
            options = [Option(_summary(path), id=str(index)) for index, path in enumerate(self._messages)]
            yield OptionList(*options, id="outbox-list", markup=False)  # subjects may hold [brackets]

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._messages[int(str(event.option.id))])
