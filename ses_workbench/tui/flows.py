"""The SES flows of the workbench: environment, status, push, diff, pull, send, remote render, parity.

Every call into ``ses_workbench.ses`` runs in a thread worker on the app (one place turns a worker's
error into one notification: ``WorkbenchApp.on_worker_state_changed``); a worker never touches a widget:
it posts a message, or — for the one confirmation a flow needs — waits on a modal through
:meth:`SesFlows.ask` (the thread blocks, the event loop does not).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from textual.app import App
from textual.screen import Screen
from textual.timer import Timer

from ses_workbench.ses.client import SesClient
from ses_workbench.session import Answer, Plan, QuietUi, Session
from ses_workbench.session.ui import Severity
from ses_workbench.tui import reading
from ses_workbench.tui.messages import Notice, SesConnected, SesPanel, SesStatus
from ses_workbench.tui.preview_job import OutboxEmail
from ses_workbench.tui.screens.main import MainScreen
from ses_workbench.tui.widgets.header import EnvLine

P = ParamSpec("P")
F = TypeVar("F", bound="SesFlows")


def _worker(group: str, exclusive: bool = True) -> Callable[[Callable[Concatenate[F, P], None]],
                                                            Callable[Concatenate[F, P], None]]:
    """Run the method in a thread worker of the app (``group``; ``exclusive``: a new one cancels the
    group's running one)."""
    def wrap(method: Callable[Concatenate[F, P], None]) -> Callable[Concatenate[F, P], None]:
        def start(self: F, /, *args: P.args, **kwargs: P.kwargs) -> None:
            self.app.run_worker(partial(method, self, *args, **kwargs), thread=True, group=group,
                                exclusive=exclusive, exit_on_error=False)
        start.__doc__ = method.__doc__
        return start
    return wrap


class SesProgress:
    """Progress callback for the core (``progress(done, total, name)``), forwarded to ``show`` (which
    runs it on the event loop: ``show(label, done, total, name)``).

    At most ``INTERVAL`` apart (plus the first and the last step): each update re-lays out the bar and
    its label on the event loop, and a 10-call/s push or a fast plan would otherwise spend keystroke
    time redrawing a bar nobody can read that fast.
    """

    INTERVAL = 0.25

    def __init__(self, show: Callable[[str, int, int, str], None], label: str,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.show = show
        self.label = label
        self.clock = clock
        self._last = -1.0

    def __call__(self, done: int, total: int, name: str) -> None:
        now = self.clock()
        if self._last >= 0 and done < total and now - self._last < self.INTERVAL:
            return
        self._last = now
        self.show(self.label, done, total, name)


def _connect_abandonable(session: Session) -> tuple[SesClient, Any] | None:
    """``(client, account)`` of the session's environment, opened and asked GetAccount on a daemon thread;
    None when the current worker is cancelled first.

    An endpoint that never answers holds a request for up to the client's timeouts (retries included).
    Waiting for it on the worker's own thread would hold the app's exit for as long — Python joins
    executor threads when it exits — so the worker waits here, watching for its cancellation (the app
    cancels every worker when it quits, and closes the session)."""
    from textual.worker import get_current_worker

    worker = get_current_worker()
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            client = session.client()
            outcome["value"] = (client, client.get_account(refresh=True))
        except BaseException as exc:  # noqa: BLE001 - handed to the worker, which raises it
            outcome["error"] = exc
        done.set()

    threading.Thread(target=run, name="ses-connect", daemon=True).start()
    while not done.wait(0.1):
        if worker.is_cancelled:
            return None
    if "error" in outcome:
        raise outcome["error"]
    value: tuple[SesClient, Any] = outcome["value"]
    return value


class TuiUi:
    """The session's :class:`~ses_workbench.session.Ui` in the workbench, for one flow (callable from its
    worker thread): progress in the progress bar (``label`` until the question, ``then`` after it), the
    question in a modal the worker waits on (``ask(plan)`` builds it and maps its answer), notes as
    notifications."""

    def __init__(self, flows: SesFlows, label: str, then: str | None = None,
                 ask: Callable[[Plan], Answer] | None = None) -> None:
        self.flows = flows
        self.asked = False
        """Whether ``confirm`` was called (the use case had a question)."""
        self._ask = ask
        self._then = then
        self._progress = flows._progress(label)

    def progress(self, done: int, total: int, name: str) -> None:
        self._progress(done, total, name)

    def confirm(self, plan: Plan) -> Answer:
        self.asked = True
        self.flows.app.call_from_thread(self.flows.screen.hide_progress)
        if self._then is not None:
            self._progress = self.flows._progress(self._then)
        return self._ask(plan) if self._ask is not None else "no"

    def note(self, text: str, severity: Severity = "information") -> None:
        self.flows.app.post_message(Notice(text, severity))


class NoticeUi:
    """What the session says while it connects (the switch to the embedded endpoint for want of AWS
    credentials, the 2017 API), as notifications; thread-safe. The use cases get a ``TuiUi`` each."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app

    def progress(self, done: int, total: int, name: str) -> None:
        return None

    def confirm(self, plan: Plan) -> Answer:
        return "no"

    def note(self, text: str, severity: Severity = "information") -> None:
        self.app.post_message(Notice(text, "warning" if severity == "information" else severity))


class SesFlows:
    """The SES side of the workbench for ``screen``, over the app's one ``session``: the connection (what
    the header says about it, Reconnect, switching environment) and one method per SES action.

    ``dialect_changed()`` is called when switching changed the session's dialect (the preview and lint
    follow it)."""

    def __init__(self, app: App[Any], screen: MainScreen, session: Session,
                 dialect_changed: Callable[[], object]) -> None:
        self.app = app
        self.screen = screen
        self.session = session
        self.dialect_changed = dialect_changed
        self.ses: SesClient | None = None
        """The session's client once the environment answered (None while connecting or not connected)."""
        self.account: Any = None
        self.status_cache: dict[str, Any] = {}
        self.env_description = "connecting…"
        self.env_api: str | None = None
        """The SES API the connected environment uses (``SES v2 API``, ``2017 API``); None until connected."""
        self.connect_error: str | None = None
        """Why the last connection attempt failed (one line); None while connecting or connected."""
        self.connect_seq = 0
        """Which connection attempt is the latest (an answer of an older one is dropped)."""
        self._connect_started = 0.0
        self._connect_timer: Timer | None = None
        self.clock: Callable[[], float] = time.monotonic

    @property
    def env_name(self) -> str:
        """The environment's name (the local one once connected there for want of AWS credentials)."""
        return self.session.environment.name

    @property
    def local_server(self) -> Any:
        """The embedded local endpoint the session started (None: none, or not connected)."""
        return self.session.server if self.ses is not None else None

    def show_env(self) -> None:
        """The header's environment part, from the connection's state."""
        self.screen.set_environment(EnvLine(str(self.env_name), self.env_description, self.env_api,
                                            self.account))

    def _progress(self, label: str) -> SesProgress:
        return SesProgress(partial(self.app.call_from_thread, self.screen.show_progress), label)

    # ------------------------------------------------------------------------------------ environment
    def start(self) -> None:
        """Start connecting to the session's environment; the header says "connecting…" until the
        answer; a failure (the client gives up within seconds: see ``ses.client``) says "not connected"
        there, notifies the one-line reason and offers Reconnect."""
        self.connect_seq += 1
        self.connect_error = None
        self.env_description = "connecting…"
        self._connect_started = self.clock()
        if self._connect_timer is None:
            self._connect_timer = self.app.set_interval(1.0, self.tick_connecting)
        self.env_api = None
        self.show_env()
        self.app.refresh_bindings()
        self.connect_environment(self.connect_seq)

    def tick_connecting(self) -> None:
        """Once a second while connecting: "connecting… N s" in the header, so a slow endpoint is seen
        being waited on (the client gives up within its timeouts)."""
        if self.ses is not None or self.connect_error is not None:
            if self._connect_timer is not None:
                self._connect_timer.stop()
                self._connect_timer = None
            return
        waited = int(self.clock() - self._connect_started)
        self.env_description = f"connecting… {waited} s" if waited >= 1 else "connecting…"
        self.show_env()

    @_worker("ses-connect")
    def connect_environment(self, seq: int = 0) -> None:
        """Open the session's environment (the embedded endpoint starts when it is local, or the default
        one has no credentials) and ask GetAccount.  ``seq`` tells the answer of this attempt from a late
        one of an attempt given up on (the user switched environments meanwhile)."""
        opened = _connect_abandonable(self.session)
        if opened is None:  # the app is quitting
            return
        client, account = opened
        env = client.environment
        if self.session.server is not None or env.local:
            description = "local endpoint"
        else:
            region = getattr(client, "region", None)
            bits = [b for b in (env.profile and f"profile {env.profile}", region) if b]
            description = ", ".join(bits) or "AWS"
        self.app.post_message(SesConnected(env.name, client, account, description, seq=seq))

    def connected(self, message: SesConnected) -> None:
        if not self.screen.alive or message.seq != self.connect_seq:  # quitting, or an attempt given up on
            return
        self.ses = message.client
        self.account = message.account
        self.env_description = message.description
        self.env_api = message.client.api_description
        self.connect_error = None
        self.screen.states = {}
        self.status_cache = {}
        self.show_env()
        self.screen.refresh_rows()
        self.app.refresh_bindings()
        self.refresh_status()

    def connect_failed(self, one_line: str) -> None:
        """The connect worker failed: say so in the header and offer Reconnect (the caller notifies)."""
        self.connect_error = one_line
        self.env_description = f"not connected · {self.screen.key_for('reconnect')} Reconnect"
        self.env_api = None
        self.show_env()
        self.app.refresh_bindings()

    def reconnect(self) -> None:
        """Try the environment again after a failed connection (the network, a VPN, a credential fixed
        meanwhile): a new client, so changed timeouts and credentials apply."""
        if self.ses is not None or self.connect_error is None:
            return
        self.session.close()
        self.start()

    def switch_env(self) -> None:
        envs = self.screen.project.config.environments
        choices = [(name, f"{name}{' (local)' if env.local else ''}") for name, env in envs.items()]
        if all(not env.local for env in envs.values()):
            choices.append(("__local__", "local endpoint"))

        def chosen(name: str | None) -> None:
            if not name or (name == self.env_name and self.ses is not None):
                return
            self.ses = None
            self.account = None
            self.screen.states = {}
            self.screen.refresh_rows()
            # the preview and lint follow the new environment's calibration, as `render --env` would
            if name == "__local__":
                self.session.switch(None, local=True)
            else:
                self.session.switch(name)
            self.dialect_changed()
            self.start()

        from ses_workbench.tui.screens.dialogs import ChoiceScreen

        self.app.push_screen(ChoiceScreen("Switch environment", f"Now: {self.env_name}", choices), chosen)

    # ------------------------------------------------------------------------------------ status
    @_worker("ses-status")
    def refresh_status(self, names: list[str] | None = None) -> None:
        """Deployment state of every template (one paced GetEmailTemplate each; no progress bar)."""
        client = self.ses
        if client is None:
            return
        statuses = self.session.status(names, QuietUi())
        self.app.post_message(SesStatus(client.environment.name, {s.name: s for s in statuses}))

    def status_arrived(self, message: SesStatus) -> None:
        if not self.screen.alive:
            return
        if self.ses is None or message.env_name != self.ses.environment.name:
            return
        for name, status in message.states.items():
            self.status_cache[name] = status
            self.screen.states[name] = str(status.state)
        self.screen.refresh_rows()

    def refresh_local_state(self, name: str) -> None:
        """Re-classify one template after a local change, from the last known remote hash (no SES call)."""
        status = self.status_cache.get(name)
        if status is None or name not in self.screen.project.templates:
            return
        self._reclassify(name, status)

    @_worker("local-state", exclusive=False)
    def _reclassify(self, name: str, status: Any) -> None:
        from ses_workbench.ses import sync

        try:
            local = self.screen.project.get(name).compose()
        except Exception:  # noqa: BLE001 - does not compose: that is a state too
            local = None
        state = sync.classify(local, status.remote, status.baseline_hash) if local is not None else \
            sync.State.ERROR
        status.state = state
        self.app.post_message(SesStatus(self.ses.environment.name if self.ses else "", {name: status}))

    # ------------------------------------------------------------------------------------ asking
    async def _ask_async(self, screen: Screen[Any]) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def done(value: Any) -> None:
            if not future.done():
                future.set_result(value)

        await self.app.push_screen(screen, done)
        return await future

    def ask(self, screen: Screen[Any]) -> Any:
        """From a thread worker: show a modal and block this thread (not the app) until it is dismissed."""
        return self.app.call_from_thread(self._ask_async, screen)

    # ------------------------------------------------------------------------------------ push
    def push(self) -> None:
        if self.screen.current is None:
            return
        if self.screen.is_dirty and not self.screen.save():
            return
        self._push([self.screen.current])

    def push_all(self) -> None:
        if self.screen.is_dirty and not self.screen.save():
            return
        self._push(None)

    @_worker("ses-push")
    def _push(self, names: list[str] | None) -> None:
        """The session's push: plan (lint included), the diff dialog (Force when SES drifted), push."""
        if self.ses is None:
            return
        ui = TuiUi(self, "Planning push", "Pushing", self._confirm_push)
        try:
            result = self.session.push(names, ui, offer_force=True)
        finally:
            self.app.call_from_thread(self.screen.hide_progress)
        plan = result.plan
        if not ui.asked:
            if not plan.refused:
                self.app.post_message(Notice(f"Nothing to push: {plan.summary()}"))
                return
            # only refusals: the dialog says why (and pushes nothing)
            self._confirm_push(Plan("push", "", refusals=[f"{i.name}: {i.reason}" for i in plan.refused],
                                    subject=plan))
        if result.cancelled or not ui.asked:
            self.app.post_message(Notice("Push cancelled."))
            self.refresh_status_after([item.name for item in plan.refused])  # we learned about drift
            return
        pushed = [item.name for item in result.pushed]
        # execute_push re-read each template after the dialog closed: a change made while it was open
        # is refused (drift), never overwritten.
        drifted = [f"{item.name}: {item.error}" for item in result.drifted]
        failed = [f"{item.name}: {item.error}" for item in result.failed]
        if drifted:
            self.app.post_message(Notice(f"Not pushed {drifted[0]}" + (
                f" (+{len(drifted) - 1} more)" if len(drifted) > 1 else ""), "error"))
        if failed:
            self.app.post_message(Notice(f"Push failed for {failed[0]}" + (
                f" (+{len(failed) - 1} more)" if len(failed) > 1 else ""), "error"))
        if pushed:
            self.app.post_message(Notice(f"Pushed {', '.join(pushed)} to {plan.environment}."))
        warned = [f"{item.name}: {item.warning}" for item in result.pushed if item.warning]
        if warned:
            self.app.post_message(Notice(warned[0], "warning"))
        self.refresh_status_after(pushed + [item.name for item in plan.refused + result.drifted])

    def _confirm_push(self, question: Plan) -> Answer:
        """The push dialog: the diffs of what would change, the refusals, Push N and (over drift) Force."""
        from ses_workbench.tui.screens.diff import DiffScreen

        plan = question.subject
        diffs = [item.diff for item in plan.items if item.diff is not None and item.action != "skip"]
        answer = self.ask(DiffScreen(
            f"Push to {plan.environment}", diffs, summary=plan.summary(), refusals=question.refusals,
            confirm=f"Push {len(plan.changes)}" if plan.changes else None,
            force="Force push (backup kept)" if question.forceable else None))
        return "yes" if answer == "push" else "force" if answer == "force" else "no"

    def refresh_status_after(self, names: list[str]) -> None:
        if names:
            self.app.call_from_thread(self.refresh_status, names)

    # ------------------------------------------------------------------------------------ diff
    def diff(self) -> None:
        if self.screen.current is not None:
            self._diff([self.screen.current])

    @_worker("ses-diff")
    def _diff(self, names: list[str]) -> None:
        from ses_workbench.tui.screens.diff import DiffScreen

        client = self.ses
        if client is None:
            return
        try:
            diffs = self.session.diff(names, TuiUi(self, "Diff"))
        finally:
            self.app.call_from_thread(self.screen.hide_progress)
        note = " (saved files; unsaved edits are not included)" if self.screen.is_dirty else ""
        self.ask(DiffScreen(f"Deployed in {client.environment.name} → your files{note}", diffs))

    # ------------------------------------------------------------------------------------ pull
    def pull(self) -> None:
        if self.screen.current is not None:
            self._pull([self.screen.current])

    @_worker("ses-pull")
    def _pull(self, names: list[str]) -> None:
        """Pull after one question: "Pull from ENV?", or — when local edits would be overwritten —
        "Overwrite local files?" (then the session pulls with force; the replaced files are backed up)."""
        from ses_workbench.tui.screens.dialogs import ConfirmScreen

        client = self.ses
        if client is None:
            return
        plan = self.session.pull(names, dry_run=True)
        changes = [i for i in plan.items if i.action in ("create", "update")]
        refused = plan.refused
        if not changes and not refused:
            self.app.post_message(Notice("Nothing to pull: " + "; ".join(
                f"{i.name}: {i.reason}" for i in plan.items)))
            return
        if refused:
            body = "\n".join(f"{i.name}: {i.reason}" for i in refused)
            if not self.ask(ConfirmScreen("Overwrite local files?",
                                          body + "\n\nOverwrite replaces them with SES's content; the "
                                          "replaced files are copied to .ses-workbench/backups/ first.",
                                          yes="Overwrite local", danger=True)):
                return
        elif not self.ask(ConfirmScreen(f"Pull from {client.environment.name}?",
                                        "\n".join(f"{i.name}: {i.action} ({i.reason})" for i in changes),
                                        yes="Pull")):
            return
        # asked above: the session's own question before overwriting is answered yes
        result = self.session.pull(names, QuietUi("yes"), force=bool(refused))
        errors = [f"{i.name}: {i.error}" for i in result.items if i.error]
        if errors:
            self.app.post_message(Notice(f"Pull failed: {errors[0]}", "error"))
        pulled = [i.name for i in result.pulled]
        if pulled:
            self.app.post_message(Notice(f"Pulled {', '.join(pulled)}."))
        self.refresh_status_after(pulled)

    # ------------------------------------------------------------------------------------ remote render
    def remote_render(self) -> None:
        if self.screen.current is None:
            return
        self.screen.preview_tabs.active = "pv-ses"
        self.screen.view("ses").set_text("Rendering through SES…")
        width = self.screen.view("ses").scrollable_content_region.width or 80
        self._remote_render(self.screen.current, self.screen.fixture_name, width)

    @_worker("ses-render")
    def _remote_render(self, name: str, fixture: str | None, width: int) -> None:
        from ses_workbench.ses.errors import BadRequest

        client = self.ses
        if client is None:
            return
        try:
            result = self.session.remote_render(name, fixture)
        except BadRequest as exc:
            self.app.post_message(SesPanel("ses", name, f"SES refused to render: {exc}", ok=False))
            return
        banner = (f"SES TestRenderEmailTemplate · {name} · fixture {result.fixture}"
                  + (" · scratch copy of local content" if result.scratch else ""))
        lines = reading.reading_lines(result.subject or "", result.html or "", width, banner=banner)
        self.app.post_message(SesPanel("ses", name, "", lines=lines))

    # ------------------------------------------------------------------------------------ parity
    def parity(self) -> None:
        if self.screen.current is None:
            return
        self.screen.preview_tabs.active = "pv-parity"
        self.screen.view("parity").set_text("Comparing the local render with SES's…")
        self._parity(self.screen.current, self.screen.fixture_name)

    @_worker("ses-parity")
    def _parity(self, name: str, fixture: str | None) -> None:
        from rich.text import Text


        client = self.ses
        if client is None:
            return
        results = self.session.parity(name, [fixture] if fixture else None, QuietUi())
        text = Text()
        for res in results:
            verdict = "same" if res.same else "DIFFERENT"
            text.append(f"{res.template} [{res.fixture}]: {verdict}\n",
                        style="bold green" if res.same else "bold red")
            for line in res.report().splitlines()[1:]:
                style = "red" if line.startswith("-") else "green" if line.startswith("+") else \
                    "cyan" if line.startswith("@@") else ""
                text.append(line + "\n", style=style)
        self.app.post_message(SesPanel("parity", name, "", lines=reading.text_lines(text)))

    # ------------------------------------------------------------------------------------ send
    def send(self) -> None:
        if self.screen.current is None or self.ses is None:
            return
        if self.screen.is_dirty:
            self.app.notify("Test-send uses the pushed template: save and push your edits first.",
                        severity="warning")
        from ses_workbench.tui.screens.send import SendScreen

        tpl = self.screen.template
        assert tpl is not None
        self.app.push_screen(SendScreen(self.ses, self.screen.project, tpl.name, list(tpl.fixtures),
                                        self.screen.fixture_name), self._send_closed)

    def _send_closed(self, result: Any) -> None:
        self.refresh_account()

    @_worker("ses-account")
    def refresh_account(self) -> None:
        client = self.ses
        if client is None:
            return
        account = client.get_account(refresh=True)
        self.app.call_from_thread(self._set_account, account)

    def _set_account(self, account: Any) -> None:
        self.account = account
        self.show_env()

    # ------------------------------------------------------------------------------------ outbox
    def outbox(self) -> None:
        server = self.local_server
        if server is None:
            self.app.notify("The outbox exists only for the local endpoint.", severity="warning")
            return
        from ses_workbench.tui.screens.outbox import OutboxScreen

        def chosen(path: Path | None) -> None:
            if path is None:
                return
            from ses_workbench.mime import parse_mime

            raw = path.read_bytes()
            parsed = parse_mime(raw)
            self.screen.show_outbox(path.name, OutboxEmail(parsed, raw))

        self.app.push_screen(OutboxScreen(server.outbox_messages()), chosen)


    # ------------------------------------------------------------------------------------ custom verification
    def verification_send(self) -> None:
        """Pick a custom verification template, see it as the recipient will, push it if it changed and
        send it with SendCustomVerificationEmail to an address typed in."""
        names = sorted(self.screen.project.verification_templates)
        if not names:
            self.app.notify('No custom verification templates here (a folder whose template.toml says '
                        'kind = "custom-verification").', severity="warning")
            return
        if self.ses is None:
            return
        from ses_workbench.tui.screens.dialogs import ChoiceScreen, PromptScreen

        def address(name: str, value: str | None) -> None:
            if value and value.strip():
                self._verification_send(name, value.strip())

        def chosen(name: str | None) -> None:
            if name is None:
                return
            self.screen.show_verification(name)
            self.app.push_screen(PromptScreen(f"Send the custom verification email {name} to",
                                          placeholder="the address to verify"),
                             lambda value: address(name, value))

        if len(names) == 1:
            chosen(names[0])
        else:
            self.app.push_screen(ChoiceScreen("Custom verification template", "", [(n, n) for n in names]),
                             chosen)

    @_worker("ses-verification")
    def _verification_send(self, name: str, address: str) -> None:
        from ses_workbench.ses.errors import SesError
        from ses_workbench.ses.verification import push_verification, send_verification

        client = self.ses
        if client is None:
            return
        try:
            items = push_verification(client, self.screen.project, [name])
            problem = next((i.error or i.reason for i in items if i.error or i.action == "refuse"), None)
            if problem:
                self.app.post_message(Notice(f"{name} not sent: push refused: {problem}", "error"))
                return
            message_id = send_verification(client, self.screen.project, name, address)
        except SesError as exc:
            self.app.post_message(Notice(f"{name} not sent: {exc}", "error"))
            return
        where = " (ctrl+o reads it in the local outbox)" if client.environment.local else ""
        self.app.post_message(Notice(f"Sent {name} to {address}: MessageId {message_id}{where}."))
