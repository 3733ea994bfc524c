"""The test-send modal: pick recipients and fixtures, see the count, quota and guards, confirm once.

Recipients offered: the config's ``test_recipients``, the account's verified email identities and the
mailbox simulator; more can be typed in. Each change re-plans in a worker (``ses.send.plan_send``: the
guards the core applies — unverified recipients, quota, lint, pushed content that would be dropped), so
the refusals on screen are exactly what a send would refuse. Send runs ``execute_send`` in a worker with
a progress bar, then shows the results table and where the report was saved.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, DataTable, Input, Label, ProgressBar, SelectionList, Static
from textual.worker import Worker, WorkerState

from ses_workbench.wording import plural

SIMULATOR = ("success", "bounce", "ooto", "complaint", "suppressionlist")


class SendScreen(ModalScreen[Any]):
    """Returns the SendReport (or None when closed without sending)."""

    BINDINGS = [Binding("escape", "close", "Close", id="send.close")]

    class Planned(Message):
        def __init__(self, seq: int, plan: Any) -> None:
            self.seq = seq
            self.plan = plan
            super().__init__()

    class Identities(Message):
        def __init__(self, addresses: list[str]) -> None:
            self.addresses = addresses
            super().__init__()

    class Progressed(Message):
        def __init__(self, done: int, total: int, name: str) -> None:
            self.done, self.total, self.name = done, total, name
            super().__init__()

    class Sent(Message):
        def __init__(self, report: Any) -> None:
            self.report = report
            super().__init__()

    def __init__(self, client: Any, project: Any, template: str, fixtures: list[str],
                 fixture: str | None) -> None:
        super().__init__(classes="dialog")
        self.client = client
        self.project = project
        self.template = template
        self.fixtures = fixtures
        self.fixture = fixture
        self.plan: Any = None
        self.report: Any = None
        self._seq = 0
        self._sending = False

    # ------------------------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        config = self.project.config
        recipients = list(dict.fromkeys(config.test_recipients))
        simulator = [f"{box}@simulator.amazonses.com" for box in SIMULATOR]
        with Vertical(classes="dialog-box wide", id="send-box"):
            yield Label(f"Test-send {self.template} via {self.client.environment.name}",
                        classes="dialog-title")
            with Horizontal(id="send-pickers"):
                with Vertical(id="send-recipients"):
                    yield Label("Recipients")
                    options = [(address, address, True) for address in recipients]
                    options += [(address, address, False) for address in simulator
                                if address not in recipients]
                    yield SelectionList[str](*options, id="recipient-list")
                    yield Input(placeholder="add an address + enter", id="recipient-input")
                with Vertical(id="send-fixtures"):
                    yield Label("Fixtures")
                    yield SelectionList[str](*[(name, name, name == self.fixture) for name in self.fixtures],
                                             id="fixture-list")
            yield Checkbox("draft: send the local render as raw MIME (needs no push)", id="send-draft",
                           compact=True)
            yield Static("Checking guards…", id="send-plan")
            yield ProgressBar(id="send-progress", show_eta=False)
            yield DataTable(id="send-results", zebra_stripes=True)
            yield Static("", id="send-report")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Send", id="send", variant="primary", disabled=True)
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#send-progress").display = False
        table = self.query_one(DataTable)
        table.display = False
        table.add_columns("recipient", "fixture", "status", "MessageId", "error")
        self._load_identities()
        self.replan()

    @property
    def recipients(self) -> list[str]:
        return list(self.query_one("#recipient-list", SelectionList).selected)

    @property
    def chosen_fixtures(self) -> list[str]:
        return list(self.query_one("#fixture-list", SelectionList).selected)

    # ------------------------------------------------------------------------------------ planning
    @work(thread=True, exclusive=True, exit_on_error=False, group="send-identities")
    def _load_identities(self) -> None:
        identities = self.client.list_identities()
        addresses = [i.name for i in identities if i.verified and "@" in i.name]
        self.post_message(self.Identities(addresses))

    def on_send_screen_identities(self, message: Identities) -> None:
        selection = self.query_one("#recipient-list", SelectionList)
        known = {str(selection.get_option_at_index(i).value) for i in range(selection.option_count)}
        for address in message.addresses:
            if address not in known:
                selection.add_option((address, address, False))

    def replan(self) -> None:
        if self._sending:
            return
        self._seq += 1
        self.query_one("#send", Button).disabled = True
        draft = self.query_one("#send-draft", Checkbox).value
        self._plan(self._seq, self.recipients, self.chosen_fixtures, draft)

    @work(thread=True, exclusive=True, exit_on_error=False, group="send-plan")
    def _plan(self, seq: int, recipients: list[str], fixtures: list[str], draft: bool) -> None:
        from ses_workbench.ses.send import plan_send

        plan = plan_send(self.client, self.project, self.template, recipients, fixtures=fixtures or None,
                         draft=draft)
        if not recipients:
            plan.refusals.insert(0, "choose at least one recipient")
        self.post_message(self.Planned(seq, plan))

    def on_send_screen_planned(self, message: Planned) -> None:
        if message.seq != self._seq:
            return  # a newer selection is being planned
        plan = self.plan = message.plan
        text = Text()
        quota = "unlimited" if plan.quota_left is None else f"{plan.quota_left:g}"
        text.append(plural(plan.count, "email"), style="bold")
        text.append(f" to {plural(len(plan.recipients), 'recipient')} × "
                    f"{plural(len(plan.fixtures), 'fixture')} · "
                    f"24 h quota left: {quota}")
        account = plan.account
        if account is not None:
            text.append(f" · {'sandbox' if account.sandbox else 'production'}")
        for refusal in plan.refusals:
            text.append(f"\n✗ {refusal}", style="bold red")
        for warning in plan.warnings:
            text.append(f"\n! {warning}", style="yellow")
        if plan.ok:
            text.append("\n✓ all guards pass", style="green")
        self.query_one("#send-plan", Static).update(text)
        button = self.query_one("#send", Button)
        button.label = f"Send {plan.count}"
        button.disabled = not plan.ok or plan.count == 0

    @on(SelectionList.SelectedChanged)
    @on(Checkbox.Changed, "#send-draft")
    def _selection_changed(self) -> None:
        self.replan()

    @on(Input.Submitted, "#recipient-input")
    def _add_recipient(self, event: Input.Submitted) -> None:
        address = event.value.strip()
        if not address:
            return
        selection = self.query_one("#recipient-list", SelectionList)
        known = {str(selection.get_option_at_index(i).value) for i in range(selection.option_count)}
        if address not in known:
            selection.add_option((address, address, True))
        else:
            selection.select(address)
        event.input.value = ""
        self.replan()

    # ------------------------------------------------------------------------------------ sending
    @on(Button.Pressed, "#send")
    def _send_pressed(self) -> None:
        if self.plan is None or not self.plan.ok or self._sending:
            return
        self._sending = True
        self.query_one("#send", Button).disabled = True
        progress = self.query_one("#send-progress", ProgressBar)
        progress.display = True
        progress.update(total=max(self.plan.count, 1), progress=0)
        self._send(self.plan)

    @work(thread=True, exclusive=True, exit_on_error=False, group="send")
    def _send(self, plan: Any) -> None:
        from ses_workbench.ses.send import execute_send

        def progress(done: int, total: int, name: str) -> None:
            self.post_message(self.Progressed(done, total, name))

        report = execute_send(self.client, self.project, plan, progress=progress)
        self.post_message(self.Sent(report))

    def on_send_screen_progressed(self, message: Progressed) -> None:
        bar = self.query_one("#send-progress", ProgressBar)
        bar.update(total=max(message.total, 1), progress=message.done)

    def on_send_screen_sent(self, message: Sent) -> None:
        self._sending = False
        report = self.report = message.report
        table = self.query_one(DataTable)
        table.display = True
        table.clear()
        for outcome in report.outcomes:
            status = Text(outcome.status, style="green" if outcome.status == "SUCCESS" else "bold red")
            table.add_row(outcome.recipient, outcome.fixture, status, outcome.message_id or "",
                          outcome.error or "")
        where = f" · report: {report.path}" if report.path else ""
        self.query_one("#send-report", Static).update(Text(f"{report.summary()}{where}"))
        self.query_one("#send-progress").display = False
        self.query_one("#close", Button).focus()

    # ------------------------------------------------------------------------------------ closing
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self._sending = False
            error = event.worker.error
            line = " ".join(str(error).split())[:300] if error else "unknown error"
            self.query_one("#send-plan", Static).update(Text(f"✗ {line}", style="bold red"))
            self.app.notify(line, title="Test-send", severity="error", timeout=8)

    def action_close(self) -> None:
        self.dismiss(self.report)

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(self.report)
