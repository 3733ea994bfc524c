"""The workbench app: composes the screen and its helpers, holds the one table of actions.

:data:`ACTIONS` is the only place an action is defined: its key (remappable through ``[tui.keymap]``
in ses-workbench.toml by the action's id), its footer label, its title and help for the command
palette and the help screen, when it can run (footer, palette and keys all ask
:meth:`WorkbenchApp.available`) and what it does. Every key binding is ``run('<id>')``.

The pieces: :class:`~ses_workbench.tui.screens.main.MainScreen` (list, editors, preview),
:class:`~ses_workbench.tui.flows.SesFlows` (the SES side), :class:`~ses_workbench.tui.disk_sync.DiskSync`
(files changed on disk) and :class:`~ses_workbench.tui.template_actions.TemplateActions`. Workers run on
the app, so a worker's error becomes one notification in one place (:meth:`on_worker_state_changed`).
"""

from __future__ import annotations

import gc
import inspect
import webbrowser
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.markup import escape
from textual.notifications import Notification, SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from ses_workbench.project import Project
from ses_workbench.session import Session
from ses_workbench.tui.browser import PreviewServer
from ses_workbench.tui.disk_sync import DiskSync
from ses_workbench.tui.flows import NoticeUi, SesFlows
from ses_workbench.tui.messages import FilesChanged, Notice, PreviewShown, SesConnected, SesPanel, SesStatus
from ses_workbench.tui.screens.dialogs import ChoiceScreen
from ses_workbench.tui.screens.main import MainScreen
from ses_workbench.tui.template_actions import TemplateActions
from ses_workbench.tui.watcher import FolderWatcher
from ses_workbench.tui.widgets.data_pane import DataPane

#: Garbage collector thresholds once the app is up (Python's default: 700, 10, 10).
GC_THRESHOLDS = (20000, 50, 100)


@dataclass(frozen=True)
class Action:
    """One user action: its key and footer label, what the palette and help say, when and what it runs."""

    id: str
    title: str
    help: str
    run: Callable[[WorkbenchApp], object]
    key: str | None = None
    """Default key (None: palette only, or a key of the template list: ``list_key``)."""
    label: str = ""
    """Footer label (shown in the footer when ``show``)."""
    show: bool = False
    when: Callable[[WorkbenchApp], bool] = lambda app: True
    """Whether it can run now (footer, palette and keys)."""
    list_key: str | None = None
    """The key in the template list, for the help screen."""


def _ses(app: WorkbenchApp) -> bool:
    return app.flows.ses is not None


def _ses_template(app: WorkbenchApp) -> bool:
    return app.flows.ses is not None and app.main.current is not None


def _template(app: WorkbenchApp) -> bool:
    return app.main.current is not None


def _fixture(app: WorkbenchApp) -> bool:
    return app.main.fixture_name is not None


#: Every action the user can take, in help-screen order.
ACTIONS: tuple[Action, ...] = (
    Action("save", "Save", "Write the edited parts and fixture to disk (atomic)",
           lambda app: app.main.save(), "ctrl+s", "Save", True, lambda app: app.main.is_dirty),
    Action("push", "Push template", "Diff against the environment, confirm once, push with progress",
           lambda app: app.flows.push(), "f2", "Push", True, _ses_template),
    Action("push_all", "Push all modified", "Push every template that differs from the environment",
           lambda app: app.flows.push_all(), when=_ses),
    Action("diff", "Diff with environment", "Local vs deployed, per part (side by side when wide)",
           lambda app: app.flows.diff(), "f3", "Diff", True, _ses_template),
    Action("send", "Test-send", "Send the template to test recipients with fixtures",
           lambda app: app.flows.send(), "f4", "Send", True, _ses_template),
    Action("pull", "Pull template", "Import the environment's version of this template",
           lambda app: app.flows.pull(), "f5", "Pull", when=_ses_template),
    Action("lint_all", "Lint all", "Lint every template; badges in the list, markers in the editor",
           lambda app: app.main.lint_templates(None, announce=True), "f6", "Lint"),
    Action("remote_render", "SES render", "TestRenderEmailTemplate with the current fixture",
           lambda app: app.flows.remote_render(), "f7", "SES", when=_ses_template),
    Action("parity", "Parity", "Compare the local render with SES's render",
           lambda app: app.flows.parity(), "f8", "Parity", when=_ses_template),
    Action("switch_env", "Switch environment", "Local endpoint or a configured AWS profile/region",
           lambda app: app.flows.switch_env(), "f9", "Env", True),
    Action("verification_send", "Send custom verification email",
           "Preview a custom verification template, push it if changed, SendCustomVerificationEmail",
           lambda app: app.flows.verification_send(), "f10", "Verify", when=_ses),
    Action("reconnect", "Reconnect", "Connect to the environment again after a failed connection",
           lambda app: app.flows.reconnect(), "ctrl+r", "Reconnect", True,
           lambda app: app.flows.ses is None and app.flows.connect_error is not None),
    Action("outbox", "Open outbox", "Read messages delivered by the local endpoint",
           lambda app: app.flows.outbox(), "ctrl+o", "Outbox",
           when=lambda app: app.flows.local_server is not None),
    # only while an outbox message is shown, so escape keeps its meaning elsewhere
    Action("live_preview", "Back to live preview", "Leave the outbox message and preview the template again",
           lambda app: app.main.live_preview(), "escape", "Live preview",
           when=lambda app: app.main.outbox_message is not None),
    Action("browser", "Open in browser", "Rendered HTML on a local page that reloads on change",
           lambda app: app.open_browser(), "ctrl+b", "Browser", when=_template),
    Action("external_editor", "Open in $EDITOR", "Edit the current part in $EDITOR (app suspends)",
           lambda app: app.edit_externally(), "ctrl+g", "$EDITOR", when=_template),
    Action("new_template", "New template", "Create a template folder",
           lambda app: app.templates.new_template(), "ctrl+n", "New"),
    Action("duplicate_template", "Duplicate template",
           "Copy the open template (list key: the highlighted one)",
           lambda app: app.templates.duplicate_template(), when=_template, list_key="c (in list)"),
    Action("rename_template", "Rename template",
           "Rename the open template's folder (list key: the highlighted one)",
           lambda app: app.templates.rename_template(), when=_template, list_key="r (in list)"),
    Action("delete_template", "Delete template",
           "Move the open template to the trash (list key: the highlighted one)",
           lambda app: app.templates.delete_template(), when=_template, list_key="delete (in list)"),
    Action("restore", "Restore…", "Put back a deleted template, fixture or part, or a backed-up version",
           lambda app: app.templates.restore(), list_key="u (in list)"),
    Action("new_fixture", "New fixture", "Add a fixture to the current template",
           lambda app: app.templates.new_fixture(), when=_template),
    Action("duplicate_fixture", "Duplicate fixture", "Copy the current fixture",
           lambda app: app.templates.duplicate_fixture(), when=_fixture),
    Action("delete_fixture", "Delete fixture", "Move the current fixture to the trash",
           lambda app: app.templates.delete_fixture(), when=_fixture),
    Action("skeleton", "Fill skeleton fixture", "Add every attribute the template uses to the fixture",
           lambda app: app.templates.skeleton(), "ctrl+l", "Skeleton", when=_template),
    Action("focus_filter", "Find template", "Focus the template filter",
           lambda app: app.main.focus_filter(), "ctrl+f", "Find"),
    Action("toggle_sidebar", "Toggle template list", "Show or hide the template list",
           lambda app: app.main.toggle_sidebar(), "ctrl+t", "List"),
    Action("help", "Keys", "This help screen", lambda app: app.show_help(), "f1", "Help", True),
    Action("quit", "Quit", "Quit (asks when there are unsaved edits)",
           lambda app: app.quit_asking(), "ctrl+q", "Quit", True),
)
ACTION_BY_ID = {action.id: action for action in ACTIONS}
#: The footer shows these first, then the other shown actions in table order.
FOOTER_FIRST = ("save", "help")


class WorkbenchApp(App[int]):
    """``ses-workbench [DIR]``: template list, editors, data, live preview, SES flows."""

    CSS_PATH = "app.tcss"
    TITLE = "ses-workbench"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(action.key, f"run('{action.id}')", action.label, id=action.id, show=action.show,
                priority=True)
        for action in sorted(ACTIONS, key=lambda action: action.id not in FOOTER_FIRST)
        if action.key is not None
    ]

    def __init__(self, project: Project | Path | str, *, local: bool = False, env_name: str | None = None,
                 watch: bool = True, connect: bool = True, browser: bool = True,
                 render_process: bool = True) -> None:
        super().__init__()
        self.project = project if isinstance(project, Project) else Project.load(project)
        self.session = Session(self.project, env_name, local=True if local else None, offload=render_process,
                               ui=NoticeUi(self))
        """The one session: environment, dialect, SES client, preview, lint and the SES use cases."""
        self.watch_files = watch
        self.auto_connect = connect
        self.use_browser = browser
        self.main: MainScreen = MainScreen(self.session, render_process=render_process, key_for=self.key_for)
        """The workbench screen (queries go here even while a modal is on top)."""
        self.flows: SesFlows = SesFlows(self, self.main, self.session, self.main.dialect_changed)
        self.templates: TemplateActions = TemplateActions(self.main)
        self.disk = DiskSync(self.main, self._local_change)
        self.preview_server = PreviewServer()
        self.watcher: FolderWatcher | None = None
        """The file watcher (None when started with ``watch=False``, or before mount)."""
        self._browser_open = False
        self._background_started = False
        self.flows.show_env()
        keymap = self._config_keymap()
        if keymap:
            self.set_keymap(keymap)

    def get_default_screen(self) -> Screen[Any]:
        return self.main

    def on_mount(self) -> None:
        if self.watch_files:
            # The state folder exists before the watch starts: a folder made later (the first `calibrate`
            # run beside the app) is added to the recursive watch only after its own create event, and a
            # calibration.json written at once could go unseen.
            from ses_workbench.project.state import ensure_state_dir

            ensure_state_dir(self.project.state_dir)
            self.watcher = FolderWatcher(self.project.root, self._post_files_changed)
            self.watcher.start()

    def _post_files_changed(self, paths: set[Path]) -> None:
        """From the watcher's thread: one message a batch (coalesced while the app is busy)."""
        self.post_message(FilesChanged(paths))

    @on(MainScreen.Ready)
    def _start_background(self) -> None:
        """After the first preview is on screen: connect to SES and lint everything (both are slow and
        would compete with the first render for the GIL)."""
        if self._background_started:
            return
        self._background_started = True
        # Everything loaded so far lives as long as the app: move it out of the collector's way, so a
        # full collection (triggered every ~15 keystrokes by the preview's short-lived objects) scans
        # only new objects instead of stalling a keystroke for ~100 ms; and collect less often (each
        # preview allocates thousands of short-lived, acyclic objects that reference counting frees).
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        self.main.start_render_process()
        if self.auto_connect:
            self.flows.start()
        self.main.lint_templates(None)

    def on_unmount(self) -> None:
        self.main.stop()
        if self.watcher is not None:
            self.watcher.stop()
        self.preview_server.stop()
        self.session.close()

    # ------------------------------------------------------------------------------------ state
    @property
    def ses(self) -> Any:
        """The connected environment's SES client (None while connecting or not connected)."""
        return self.flows.ses

    @property
    def notifications(self) -> list[Notification]:
        """The notifications on screen now, oldest first."""
        return list(self._notifications)

    def _local_change(self, names: list[str]) -> None:
        for name in names:
            self.flows.refresh_local_state(name)

    # ------------------------------------------------------------------------------------ routing
    @on(FilesChanged)
    def _files_changed(self, message: FilesChanged) -> None:
        self.disk.files_changed(message.paths)

    @on(MainScreen.LocalChange)
    def _saved(self, message: MainScreen.LocalChange) -> None:
        self._local_change(message.names)

    @on(SesConnected)
    def _ses_connected(self, message: SesConnected) -> None:
        self.flows.connected(message)

    @on(SesStatus)
    def _ses_status(self, message: SesStatus) -> None:
        self.flows.status_arrived(message)

    @on(SesPanel)
    def _ses_panel(self, message: SesPanel) -> None:
        if self.main.alive and message.template == self.main.current:
            # an answer for a template that is no longer open is dropped: its tab was reset on the switch
            self.main.preview_pane.show_panel(message)

    @on(PreviewShown)
    def _preview_shown(self, message: PreviewShown) -> None:
        if self._browser_open:
            self.preview_server.publish(message.html)

    @on(DataPane.Action)
    async def _data_action(self, event: DataPane.Action) -> None:
        await self.action_run(event.action)

    # ------------------------------------------------------------------------------------ actions
    async def action_run(self, action_id: str) -> None:
        """Run the action ``action_id`` of :data:`ACTIONS` (what every key binding calls)."""
        result = ACTION_BY_ID[action_id].run(self)
        if inspect.isawaitable(result):
            await result

    def available(self, action_id: str) -> bool:
        """Whether the action can run in the current state (footer, palette and keys all ask this)."""
        return ACTION_BY_ID[action_id].when(self)

    def enabled(self, action_id: str) -> bool:
        """Whether the action's key works now: it can run, and no modal is on top (except for quit)."""
        if action_id != "quit" and self.screen is not self.main:
            return False
        return self.available(action_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # App keys are priority bindings (TextArea claims f6/f7 and more); while a modal is open they
        # belong to it, except quit.
        name = parameters[0] if action == "run" and parameters else None
        if isinstance(name, str) and name in ACTION_BY_ID:
            return self.enabled(name)
        return True

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        keys = {title: key for key, title, _ in self.key_table()}
        for action in ACTIONS:
            if not self.available(action.id):
                continue
            key = keys.get(action.title, "")
            help_text = f"{action.help}  [{key}]" if key and key != "palette" else action.help
            # the palette reads help as markup: without escaping, "[f1]" vanished
            yield SystemCommand(action.title, escape(help_text), _runner(self, action.id))
        yield from super().get_system_commands(screen)

    def key_for(self, action_id: str) -> str:
        """The key bound to the action (after keymap overrides), for hints on screen."""
        action = ACTION_BY_ID[action_id]
        return self._keymap.get(action.id, action.key) if action.key else action.list_key or "palette"

    def key_table(self) -> list[tuple[str, str, str]]:
        """(keys, title, help) for every action, with keymap overrides applied."""
        return [(self.key_for(action.id), action.title, action.help) for action in ACTIONS]

    def _config_keymap(self) -> dict[str, str]:
        extra = getattr(self.project.config, "extra", {}) or {}
        tui = extra.get("tui", {}) if isinstance(extra, dict) else {}
        keymap = tui.get("keymap", {}) if isinstance(tui, dict) else {}
        return {str(k): str(v) for k, v in keymap.items()} if isinstance(keymap, dict) else {}

    # the handful of actions that are the app's own
    def open_browser(self) -> None:
        url = self.preview_server.start()
        self._browser_open = True
        shown = self.main.outbox_message[1] if self.main.outbox_message is not None else \
            self.main.preview_pane.last_good  # what the preview shows: an outbox message or the render
        if shown is not None:
            self.preview_server.publish(shown.html)
        self.notify(f"Preview page: {url} (reloads on every change; remote images blocked until you click "
                    "\"show remote images\" there)", timeout=8)
        if self.use_browser:
            self._open_url(url)

    @work(thread=True, exit_on_error=False, group="browser")
    def _open_url(self, url: str) -> None:
        webbrowser.open(url, new=2)

    def edit_externally(self) -> None:
        """Edit the current part (or fixture) in $EDITOR; the app suspends and resumes."""
        from ses_workbench.tui.external_editor import edit_externally

        error = edit_externally(self, self.main.active_editor, self.main.current or "template")
        if error is not None:
            self.notify(error, severity="error")

    def show_help(self) -> None:
        from ses_workbench.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.key_table()))

    async def action_quit(self) -> None:
        self.quit_asking()

    def quit_asking(self) -> None:
        """Quit, asking Save / Quit without saving / Cancel first when there are unsaved edits."""
        main = self.main
        if not main.is_dirty:
            self.exit(0)
            return

        def answer(choice: str | None) -> None:
            if choice == "save":
                if main.save():
                    self.exit(0)
            elif choice == "discard":
                self.exit(0)

        files = ", ".join(e.path.name if e.path else e.part for e in main.dirty_editors)
        self.push_screen(ChoiceScreen("Quit with unsaved edits?", f"Unsaved: {files}",
                                      [("save", "Save and quit"), ("discard", "Quit without saving"),
                                       ("cancel", "Cancel")], focus="cancel"), answer)

    # ------------------------------------------------------------------------------------ errors
    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Textual's notify, but the message is plain text unless ``markup=True``: error texts quote
        patterns and layouts (``^[a-zA-Z0-9_-]{1,64}$``, ``[[ var ]]``) that markup would swallow."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where a failed worker becomes a notification (one line, app stays usable)."""
        if event.state is not WorkerState.ERROR or not self.main.alive:
            return
        worker = event.worker
        if worker.group == "ses-connect":
            self.flows.connect_failed(_one_line(worker.error))
        self.notify(_one_line(worker.error), title=_worker_title(worker.group), severity="error",
                    timeout=8)

    @on(Notice)
    def _notice(self, message: Notice) -> None:
        self.notify(message.text, severity=message.severity)
        flows = self.flows
        if flows.ses is not None and flows.env_api:  # e.g. the environment now uses the 2017 API
            flows.env_api = flows.ses.api_description
            flows.show_env()


def _runner(app: WorkbenchApp, action_id: str) -> Callable[[], Any]:
    async def run() -> None:
        await app.action_run(action_id)

    return run


def _one_line(error: BaseException | None) -> str:
    if error is None:
        return "unknown error"
    text = str(error).strip() or type(error).__name__
    return " ".join(text.split())[:300]


def _worker_title(group: str) -> str:
    return {"preview": "Preview", "lint": "Lint", "lint-all": "Lint"}.get(group, "SES")
