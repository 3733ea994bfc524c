"""The workbench app: owns the state, arranges the panes, runs the core in workers.

State lives here (the project, the current template and fixture, lint results, deployment states, the
SES client); widgets get it pushed down and post messages up. Everything slow runs in a worker and comes
back as a message (``messages.py``): rendering the preview (thread, at most one in flight, newest wins),
lint, and every SES call (``@work(thread=True, exclusive=True, exit_on_error=False, group=...)``).
A worker error becomes one notification in :meth:`on_worker_state_changed`; the app stays usable.

Each user action is one ``Binding`` with a stable id (remappable via ``[tui.keymap]`` in
ses-workbench.toml), the same action in the command palette (:meth:`get_system_commands`), hidden
there and in the footer when :meth:`check_action` says it cannot run now.
"""

from __future__ import annotations

import gc
import json
import os
import shlex
import subprocess
import tempfile
import time
import webbrowser
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.markup import escape
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, ProgressBar, Static, TabbedContent, TabPane, TextArea
from textual.worker import Worker, WorkerState

from ses_workbench.attributes import AttributeStatus, fill_fixture_text
from ses_workbench.engine import DEFAULT_DIALECT, Dialect
from ses_workbench.errors import WorkbenchError
from ses_workbench.project import PARTS, EmailTemplate, Project, TemplateContent
from ses_workbench.project.errors import FixtureError
from ses_workbench.project.files import UnsafeFile, read_file
from ses_workbench.project.fixtures import validate_fixture_name
from ses_workbench.tui import preview_job
from ses_workbench.tui.browser import PreviewServer
from ses_workbench.tui.messages import (
    FilesChanged,
    LintDone,
    Notice,
    PreviewOutcome,
    PreviewRendered,
)
from ses_workbench.tui.overlay import BufferFixture, EditedTemplate
from ses_workbench.tui.render_process import RenderProcess
from ses_workbench.tui.render_thread import LatestOnly
from ses_workbench.tui.screens.dialogs import ChoiceScreen, ConfirmScreen, PromptScreen
from ses_workbench.tui.ses_ui import SesMixin
from ses_workbench.tui.watcher import FolderWatcher
from ses_workbench.tui.widgets.data_pane import DataPane
from ses_workbench.tui.widgets.editor import Marker, PartEditor
from ses_workbench.tui.widgets.lines_view import LinesView
from ses_workbench.tui.widgets.template_list import TemplateList, TemplateRow
from ses_workbench.wording import plural

#: Preview tabs, in order: (tab id, label).
PREVIEW_TABS: tuple[tuple[str, str], ...] = (
    ("read", "Read"),
    ("html", "HTML"),
    ("text", "Text"),
    ("mime", "MIME"),
    ("ses", "SES"),
    ("parity", "Parity"),
)
#: The preview tabs the local render fills (the others show SES's answers).
LOCAL_PREVIEW_TABS = ("read", "html", "text", "mime")
RENDER_ERROR_STYLE = Style(color="red")
SES_VIEW_PLACEHOLDERS = {
    "ses": "Press F7 (SES render) to render this template with TestRenderEmailTemplate.",
    "parity": "Press F8 (parity) to compare the local render with SES's.",
}
EDITOR_TABS: tuple[tuple[str, str], ...] = (("subject", "Subject"), ("html", "HTML"), ("text", "Text"),
                                            ("data", "Data"))
PART_LANGUAGE = {"subject": None, "html": "html", "text": None}
#: Garbage collector thresholds once the app is up (Python's default: 700, 10, 10).
GC_THRESHOLDS = (20000, 50, 100)
#: Below these widths the panes stack, then the template list collapses.
STACK_BELOW = 120
COLLAPSE_BELOW = 70


@dataclass(frozen=True)
class PreviewJob:
    """A snapshot of what to render, taken on the event loop, rendered on the render thread."""

    seq: int
    edited: EditedTemplate
    tab: str
    width: int
    outbox: tuple[str, Any] | None
    fixture: str | None
    attributes: bool = True
    dialect: Dialect = DEFAULT_DIALECT


@dataclass(frozen=True)
class ActionInfo:
    """One user action: what the palette and the help screen say about it."""

    action: str
    title: str
    help: str


#: Every action the user can take, in help-screen order (the Binding ids are the action names).
ACTIONS: tuple[ActionInfo, ...] = (
    ActionInfo("save", "Save", "Write the edited parts and fixture to disk (atomic)"),
    ActionInfo("push", "Push template", "Diff against the environment, confirm once, push with progress"),
    ActionInfo("push_all", "Push all modified", "Push every template that differs from the environment"),
    ActionInfo("diff", "Diff with environment", "Local vs deployed, per part (side by side when wide)"),
    ActionInfo("send", "Test-send", "Send the template to test recipients with fixtures"),
    ActionInfo("pull", "Pull template", "Import the environment's version of this template"),
    ActionInfo("lint_all", "Lint all", "Lint every template; badges in the list, markers in the editor"),
    ActionInfo("remote_render", "SES render", "TestRenderEmailTemplate with the current fixture"),
    ActionInfo("parity", "Parity", "Compare the local render with SES's render"),
    ActionInfo("switch_env", "Switch environment", "Local endpoint or a configured AWS profile/region"),
    ActionInfo("verification_send", "Send custom verification email",
               "Preview a custom verification template, push it if changed, SendCustomVerificationEmail"),
    ActionInfo("reconnect", "Reconnect", "Connect to the environment again after a failed connection"),
    ActionInfo("outbox", "Open outbox", "Read messages delivered by the local endpoint"),
    ActionInfo("live_preview", "Back to live preview",
               "Leave the outbox message and preview the template again"),
    ActionInfo("browser", "Open in browser", "Rendered HTML on a local page that reloads on change"),
    ActionInfo("external_editor", "Open in $EDITOR", "Edit the current part in $EDITOR (app suspends)"),
    ActionInfo("new_template", "New template", "Create a template folder"),
    ActionInfo("duplicate_template", "Duplicate template", "Copy the current template under a new name"),
    ActionInfo("rename_template", "Rename template", "Rename the current template folder"),
    ActionInfo("delete_template", "Delete template", "Move the current template to the trash"),
    ActionInfo("new_fixture", "New fixture", "Add a fixture to the current template"),
    ActionInfo("duplicate_fixture", "Duplicate fixture", "Copy the current fixture"),
    ActionInfo("delete_fixture", "Delete fixture", "Move the current fixture to the trash"),
    ActionInfo("skeleton", "Fill skeleton fixture", "Add every attribute the template uses to the fixture"),
    ActionInfo("focus_filter", "Find template", "Focus the template filter"),
    ActionInfo("toggle_sidebar", "Toggle template list", "Show or hide the template list"),
    ActionInfo("help", "Keys", "This help screen"),
    ActionInfo("quit", "Quit", "Quit (asks when there are unsaved edits)"),
)
ACTION_INFO = {info.action: info for info in ACTIONS}
SES_ACTIONS = {"push", "push_all", "diff", "send", "pull", "remote_render", "parity", "verification_send"}


#: From this many templates on, bulk lint (lint all, push planning) runs in a child interpreter: ~0.3 s to
#: start, against ~8 ms a template of GIL time taken from the event loop when linting on a thread.
CHILD_LINT_MIN = 12


class WorkbenchApp(SesMixin, App[int]):
    """``ses-workbench [DIR]``: template list, editors, data, live preview, SES flows."""

    CSS_PATH = "app.tcss"
    TITLE = "ses-workbench"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="save", priority=True),
        Binding("f1", "help", "Help", id="help", priority=True),
        Binding("f2", "push", "Push", id="push", priority=True),
        Binding("f3", "diff", "Diff", id="diff", priority=True),
        Binding("f4", "send", "Send", id="send", priority=True),
        Binding("f5", "pull", "Pull", id="pull", show=False, priority=True),
        Binding("f6", "lint_all", "Lint", id="lint_all", show=False, priority=True),
        Binding("f7", "remote_render", "SES", id="remote_render", show=False, priority=True),
        Binding("f8", "parity", "Parity", id="parity", show=False, priority=True),
        Binding("f9", "switch_env", "Env", id="switch_env", priority=True),
        Binding("f10", "verification_send", "Verify", id="verification_send", show=False, priority=True),
        Binding("ctrl+r", "reconnect", "Reconnect", id="reconnect", priority=True),
        Binding("ctrl+o", "outbox", "Outbox", id="outbox", show=False, priority=True),
        # only while an outbox message is shown (check_action), so escape keeps its meaning elsewhere
        Binding("escape", "live_preview", "Live preview", id="live_preview", show=False, priority=True),
        Binding("ctrl+b", "browser", "Browser", id="browser", show=False, priority=True),
        Binding("ctrl+g", "external_editor", "$EDITOR", id="external_editor", show=False, priority=True),
        Binding("ctrl+n", "new_template", "New", id="new_template", show=False, priority=True),
        Binding("ctrl+f", "focus_filter", "Find", id="focus_filter", show=False, priority=True),
        Binding("ctrl+t", "toggle_sidebar", "List", id="toggle_sidebar", show=False, priority=True),
        Binding("ctrl+l", "skeleton", "Skeleton", id="skeleton", show=False, priority=True),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    current: reactive[str | None] = reactive(None, init=False)
    """Name of the template in the editors (None: the project has none)."""
    compact: reactive[bool] = reactive(False)
    """Narrow terminal: editor and preview stack vertically."""
    sidebar_hidden: reactive[bool] = reactive(False)
    """The template list is collapsed (very narrow terminal, or toggled)."""

    def __init__(self, project: Project | Path | str, *, local: bool = False, env_name: str | None = None,
                 watch: bool = True, connect: bool = True, browser: bool = True,
                 render_process: bool = True) -> None:
        super().__init__()
        self.project = project if isinstance(project, Project) else Project.load(project)
        self.local = local
        self.env_name = env_name or self.project.config.default_env
        # None = "the default environment", which open_environment may serve from the local endpoint
        # when boto3 finds no credentials; a named one never silently becomes local.
        self._requested_env = env_name
        # The preview and lint use the dialect the CLI's render/lint would for this environment
        # (``ses.calibrate.dialect_for``); ``_dialect_env`` is that rule's ``--env`` argument.
        self._dialect_env = env_name
        self.dialect: Dialect = self._resolve_dialect()
        self.watch_files = watch
        self.auto_connect = connect
        self.use_browser = browser
        # state owned here
        self.fixture_name: str | None = None
        self.lint: dict[str, list[Any]] = {}
        self.states: dict[str, str] = {}
        self.status_cache: dict[str, Any] = {}
        self.ses: Any = None
        self.local_server: Any = None
        self.account: Any = None
        self.env_description = "connecting…"
        self.env_api: str | None = None
        """The SES API the connected environment uses (``SES v2 API``, ``2017 API``); None until connected."""
        self.connect_error: str | None = None
        """Why the last connection attempt failed (one line); None while connecting or connected."""
        self._connect_target: tuple[str | None, bool] = (env_name, local)
        self._connect_seq = 0
        self._connect_started = 0.0
        self._connect_timer: Timer | None = None
        self.clock: Callable[[], float] = time.monotonic
        self._env_stack: ExitStack | None = None
        self.last_good: Any = None
        self.last_error: str | None = None
        self.outbox_message: tuple[str, Any] | None = None
        self._views_show_outbox = False
        self.preview_server = PreviewServer()
        self._browser_open = False
        self._watcher: FolderWatcher | None = None
        self._preview_seq = 0
        self._applied_seq = 0
        self._renderer: LatestOnly[PreviewJob] = LatestOnly(self._render_preview)
        self._process: RenderProcess | None = None
        self._project_generation = 0
        self.use_render_process = render_process
        self._lint_timer: Timer | None = None
        self._lint_running = False
        self._lint_pending = False
        self._conflict_open = False
        self._background_started = False
        self._shown_dirty: frozenset[str] = frozenset()
        self._header_text = ""
        self._lint_text = ("", False)
        self._preview_status = ("", False)
        self._main_screen: Screen[Any] | None = None
        self._exiting = False
        self.preview_listeners: list[Callable[[PreviewOutcome], None]] = []
        self.attributes: list[AttributeStatus] = []
        keymap = self._config_keymap()
        if keymap:
            self.set_keymap(keymap)

    # ------------------------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Static(id="header")
        with Horizontal(id="main"):
            yield TemplateList(id="sidebar", empty_text=self._no_templates_text())
            with Vertical(id="edit-col"):
                with TabbedContent(id="editor-tabs", initial="tab-html"):
                    for part, label in EDITOR_TABS:
                        with TabPane(label, id=f"tab-{part}"):
                            if part == "data":
                                yield DataPane(id="data-pane")
                            else:
                                yield PartEditor(part, language=PART_LANGUAGE[part], id=f"editor-{part}")
                yield Static("", id="lint-line")
            with Vertical(id="preview-col"):
                yield Static("", id="preview-status")
                with TabbedContent(id="preview-tabs", initial="pv-read"):
                    for tab, label in PREVIEW_TABS:
                        with TabPane(label, id=f"pv-{tab}"):
                            yield LinesView(id=f"view-{tab}")
        with Horizontal(id="progress-box"):
            yield Static("", id="progress-label")
            yield ProgressBar(id="progress", show_eta=False)
        yield Footer()

    def _no_templates_text(self) -> str:
        """The empty state: which folder holds nothing, what a template is, how to make one."""
        from ses_workbench.project.model import TEMPLATE_FOLDER_HINT

        return (f"No templates in {self.project.root}: {TEMPLATE_FOLDER_HINT}. "
                f"{self._key_for('new_template')} creates one; the templates SES has show up here once "
                f"connected ({self._key_for('pull')} pulls one). Another folder: ses-workbench DIR.")

    def on_mount(self) -> None:
        self._main_screen = self.screen
        self.compact = self.size.width < STACK_BELOW
        self.sidebar_hidden = self.sidebar_hidden or self.size.width < COLLAPSE_BELOW
        self.main.set_class(self.compact, "-compact")
        self.main.set_class(self.sidebar_hidden, "-no-sidebar")
        self.main.query_one("#progress-box").display = False
        self._reset_ses_views()
        for editor in (*self.editors, self.fixture_editor):
            editor.on_edit = self._editor_edited
        self.editor("text").placeholder = "(no body.txt: generated from the HTML — type to write one)"
        self._refresh_rows()
        names = self.project.names
        if names:
            self.open_template(names[0])
        else:
            self._update_header()
            self.notify(self._no_templates_text(), title="No templates", severity="warning", timeout=15)
        self.main.query_one("#editor-html", PartEditor).focus()
        if self.watch_files:
            # The state folder exists before the watch starts: a folder made later (the first `calibrate`
            # run beside the app) is added to the recursive watch only after its own create event, and a
            # calibration.json written at once could go unseen.
            from ses_workbench.project.state import ensure_state_dir

            ensure_state_dir(self.project.state_dir)
            self._watcher = FolderWatcher(self.project.root,
                                          lambda paths: self.post_message(FilesChanged(paths)))
            self._watcher.start()
        if not names:
            self._start_background()

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
        if self.use_render_process:
            self._process = RenderProcess(self.project.root, self._process_result)
            self._process.start()
        if self.auto_connect:
            self.connect(self._requested_env, self.local)
        self.lint_templates(None)

    def on_unmount(self) -> None:
        self._exiting = True
        self._renderer.stop()
        if self._process is not None:
            self._process.stop()
        if self._watcher is not None:
            self._watcher.stop()
        self.preview_server.stop()
        if self._env_stack is not None:
            self._env_stack.close()

    def on_resize(self, event: Resize) -> None:
        self.compact = event.size.width < STACK_BELOW
        if event.size.width < COLLAPSE_BELOW:
            self.sidebar_hidden = True

    def watch_compact(self, compact: bool) -> None:
        if self._main_screen is None:
            return
        self._update_header()
        self.main.set_class(compact, "-compact")

    def watch_sidebar_hidden(self, hidden: bool) -> None:
        if self._main_screen is None:
            return
        self.main.set_class(hidden, "-no-sidebar")

    # ------------------------------------------------------------------------------------ typed access
    @property
    def alive(self) -> bool:
        """The workbench screen is up (False before mount and while the app shuts down).

        ``is_running`` turns False as soon as Textual starts shutting down, before it prunes the
        screens' widgets: a worker's message that arrives during the teardown must find this False.
        """
        screen = self._main_screen
        return screen is not None and screen.is_attached and self.is_running and not self._exiting

    @property
    def main(self) -> Screen[Any]:
        """The workbench screen (queries go here even while a modal is on top)."""
        return self._main_screen if self._main_screen is not None else self.screen

    def editor(self, part: str) -> PartEditor:
        return self.main.query_one(f"#editor-{part}", PartEditor)

    @property
    def editors(self) -> list[PartEditor]:
        return [self.editor(part) for part in PARTS]

    @property
    def data_pane(self) -> DataPane:
        return self.main.query_one(DataPane)

    @property
    def fixture_editor(self) -> PartEditor:
        return self.data_pane.editor

    @property
    def template_list(self) -> TemplateList:
        return self.main.query_one(TemplateList)

    @property
    def preview_tabs(self) -> TabbedContent:
        return self.main.query_one("#preview-tabs", TabbedContent)

    @property
    def editor_tabs(self) -> TabbedContent:
        return self.main.query_one("#editor-tabs", TabbedContent)

    def view(self, tab: str) -> LinesView:
        return self.main.query_one(f"#view-{tab}", LinesView)

    @property
    def visible_preview_tab(self) -> str:
        active = self.preview_tabs.active or "pv-read"
        return active.removeprefix("pv-")

    @property
    def template(self) -> EmailTemplate | None:
        if self.current is None:
            return None
        return self.project.templates.get(self.current)

    @property
    def dirty_editors(self) -> list[PartEditor]:
        return [e for e in (*self.editors, self.fixture_editor) if e.dirty]

    @property
    def is_dirty(self) -> bool:
        return bool(self.dirty_editors)

    # ------------------------------------------------------------------------------------ header/list
    def _update_header(self) -> None:
        """Project, template, fixture, environment, account mode and quota — shorter on narrow screens."""
        short = self.compact
        root = escape(self.project.root.name or str(self.project.root))
        parts = [root if short else f"[b]ses-workbench[/b] · {root}"]
        if self.current:
            dirty = " [yellow]●[/]" if self.is_dirty else ""
            fixture = (f" · {'' if short else 'data: '}{escape(self.fixture_name)}"
                       if self.fixture_name else "")
            parts.append(f"[b]{self.current}[/b]{dirty}{fixture}")
        env = f"{'' if short else 'env: '}[b]{escape(str(self.env_name))}[/b]"
        if self.env_description and not short:
            api = f", {self.env_api}" if self.env_api else ""
            env += f" ({escape(self.env_description + api)})"
        parts.append(env)
        account = self.account
        if account is not None:
            mode = "[yellow]sandbox[/]" if account.sandbox else "[green]production[/]"
            left = account.remaining_24h
            if left is None:
                quota = "quota ∞"
            elif short:
                quota = f"{int(left)}/{int(account.max_24h_send)}"
            else:
                quota = f"quota {int(left)}/{int(account.max_24h_send)} left"
            parts.append(f"{mode} {quota}" if short else f"{mode} · {quota}")
        text = (" · " if short else "  ·  ").join(parts)
        if text != self._header_text:
            self._header_text = text
            self.main.query_one("#header", Static).update(text, layout=False)

    def _refresh_rows(self) -> None:
        rows: list[TemplateRow] = []
        for name in self.project.names:
            diags = self.lint.get(name, [])
            rows.append(TemplateRow(
                name=name,
                errors=sum(1 for d in diags if d.severity == "error"),
                warnings=sum(1 for d in diags if d.severity != "error"),
                dirty=name == self.current and self.is_dirty,
                state=self.states.get(name, "unknown"),
            ))
        for name, state in sorted(self.states.items()):
            if state == "remote-only" and name not in self.project.templates:
                rows.append(TemplateRow(name=name, state=state, remote_only=True))
        self.template_list.set_rows(rows, self.current)

    # ------------------------------------------------------------------------------------ opening
    @on(TemplateList.Selected)
    def _template_selected(self, event: TemplateList.Selected) -> None:
        if event.name == self.current:
            self._focus_active_editor()
            return
        if event.name not in self.project.templates:
            self.notify(f"{event.name} exists only in {self.env_name}: pull it (F5) to edit it.")
            return
        self.switch_template(event.name)
        self._focus_active_editor()

    def _focus_active_editor(self) -> None:
        editor = self._focused_editor()
        if editor is not None:
            editor.focus()

    def switch_template(self, name: str) -> None:
        """Open another template, asking first when the current one has unsaved edits."""
        if not self.is_dirty:
            self.open_template(name)
            return

        def answer(choice: str | None) -> None:
            if choice == "save":
                if self.save():
                    self.open_template(name)
            elif choice == "discard":
                self.open_template(name)

        self.push_screen(ChoiceScreen(f"Unsaved edits in {self.current}",
                                      "Save them before opening another template?",
                                      [("save", "Save"), ("discard", "Discard"), ("cancel", "Cancel")]),
                         answer)

    def _reset_ses_views(self) -> None:
        """The SES and Parity tabs' placeholders (they only ever show the open template's answers)."""
        for view_id, text in SES_VIEW_PLACEHOLDERS.items():
            self.view(view_id).set_text(text)

    def open_template(self, name: str, fixture: str | None = None) -> None:
        """Load a template's parts and a fixture into the editors and render it."""
        tpl = self.project.templates[name]
        if name != self.current:
            self._reset_ses_views()  # not another template's SES render or parity report
        self.current = name
        self.outbox_message = None
        for part in PARTS:
            path = tpl.part_path(part)
            try:
                text = tpl.source(part)
            except WorkbenchError as exc:
                self.notify(str(exc), severity="error")
                text = None
            self.editor(part).load(path, text)
        fixtures = tpl.fixtures
        if fixture is None or fixture not in fixtures:
            fixture = "default" if "default" in fixtures else next(iter(fixtures), None)
        self.load_fixture(fixture)
        self.last_good = None
        self.last_error = None
        self._apply_markers()
        self._refresh_rows()
        self._update_header()
        self.request_preview()
        self.schedule_lint(0.05)

    def load_fixture(self, name: str | None) -> None:
        tpl = self.template
        assert tpl is not None
        self.fixture_name = name
        fixtures = tpl.fixtures
        pane = self.data_pane
        pane.set_fixtures(list(fixtures), name)
        if name is None:
            pane.editor.load(None, None)
        else:
            fx = fixtures[name]
            pane.editor.load(fx.path, fx.text)
        self._update_header()

    @on(DataPane.FixtureChosen)
    def _fixture_chosen(self, event: DataPane.FixtureChosen) -> None:
        if event.name == self.fixture_name:
            return
        name, current = event.name, self.fixture_name

        def keep() -> None:  # the current fixture stays selected, with its edits
            tpl = self.template
            if tpl is not None:
                self.data_pane.set_fixtures(list(tpl.fixtures), current)

        self.settle_fixture_edits(f"switching to fixture {name}", lambda: self._switch_fixture(name), keep)

    def settle_fixture_edits(self, before: str, then: Callable[[], None],
                             cancelled: Callable[[], None] | None = None) -> None:
        """Run ``then`` once the fixture editor has no unsaved edits: asks Save / Discard / Cancel first
        (like switching templates). Discard leaves the edits for ``then`` to replace (it loads a fixture);
        cancel, escape or a failed save run ``cancelled`` instead."""
        if not self.fixture_editor.dirty:
            then()
            return
        current, template = self.fixture_name, self.current

        def answer(choice: str | None) -> None:
            if self.current != template or self.fixture_name != current:
                return  # the template or fixture changed while the question was open
            if choice == "save" and self.save_fixture() or choice == "discard":
                then()
                self._dirty_changed()
            elif cancelled is not None:
                cancelled()

        body = f"Save them before {before}?"
        try:
            json.loads(self.fixture_editor.text)
        except json.JSONDecodeError as exc:
            body += f"\nThe JSON does not parse (line {exc.lineno}, column {exc.colno})."
        self.push_screen(ChoiceScreen(f"Unsaved edits in fixture {current}", body,
                                      [("save", "Save"), ("discard", "Discard"), ("cancel", "Cancel")]),
                         answer)

    def _switch_fixture(self, name: str) -> None:
        self.load_fixture(name)
        self.request_preview()
        self._apply_markers()

    # ------------------------------------------------------------------------------------ editing
    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        if not self.alive:
            return
        if not isinstance(event.text_area, PartEditor):
            return
        self.outbox_message = None
        self._dirty_changed()
        editor = event.text_area
        if editor.edits_notified > 0:
            editor.edits_notified -= 1  # this edit already started its render (PartEditor.edit)
        else:
            self.request_preview()  # load_text and other changes that are not edits
        self.schedule_lint()

    def _editor_edited(self, editor: PartEditor) -> None:
        """The fast path of a keystroke: start the preview render (see PartEditor.on_edit)."""
        if self.alive:
            self.outbox_message = None
            self.request_preview()

    def _dirty_changed(self) -> None:
        """Dirty markers (tab labels, list dot, header): touched only when the dirty set changes."""
        dirty_parts = frozenset(e.part for e in self.dirty_editors)
        if dirty_parts == self._shown_dirty:
            return
        self._shown_dirty = dirty_parts
        tabs = self.editor_tabs
        for part, label in EDITOR_TABS:
            key = "fixture" if part == "data" else part
            tab = tabs.get_tab(f"tab-{part}")
            tab.label = f"{label} ●" if key in dirty_parts else label  # type: ignore[assignment]
        self._refresh_rows()
        self._update_header()
        self.refresh_bindings()

    @on(TextArea.SelectionChanged)
    def _cursor_moved(self, event: TextArea.SelectionChanged) -> None:
        if not self.alive:
            return
        if isinstance(event.text_area, PartEditor):
            self._show_lint_line(event.text_area)

    def action_save(self) -> None:
        self.save()

    def save(self) -> bool:
        """Write every dirty editor of the current template atomically; False when something failed."""
        tpl = self.template
        if tpl is None:
            return True
        ok = True
        for editor in self.editors:
            if not editor.dirty:
                continue
            try:
                tpl.write_part(editor.part, editor.text)
                editor.mark_saved()
            except (WorkbenchError, OSError) as exc:
                self.notify(f"Could not save {editor.part}: {exc}", severity="error")
                ok = False
        if self.fixture_editor.dirty:
            ok = self.save_fixture() and ok
        self._dirty_changed()
        if ok:
            self.notify(f"Saved {tpl.name}.", timeout=2)
        self.schedule_lint(0.05)
        self._refresh_local_state(tpl.name)
        return ok

    def save_fixture(self) -> bool:
        tpl, name = self.template, self.fixture_name
        if tpl is None or name is None:
            return True
        try:
            tpl.write_fixture(name, self.fixture_editor.text)
            self.fixture_editor.mark_saved()
            return True
        except (WorkbenchError, OSError) as exc:
            self.notify(f"Could not save fixture {name}: {exc}", severity="error")
            return False

    def action_external_editor(self) -> None:
        """Edit the current part (or fixture) in $EDITOR; the app suspends and resumes."""
        editor = self._focused_editor()
        if editor is None:
            return
        command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        suffix = editor.path.suffix if editor.path is not None else ".txt"
        with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False, encoding="utf-8") as handle:
            handle.write(editor.text)
            temp = Path(handle.name)
        try:
            with self.suspend():
                subprocess.call([*shlex.split(command), str(temp)])
            text = temp.read_text(encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 - no editor, suspend unsupported: say so, carry on
            self.notify(f"Could not run {command}: {exc}", severity="error")
            return
        finally:
            temp.unlink(missing_ok=True)
        if text != editor.text:
            editor.replace(text, (0, 0), editor.document.end)

    def _focused_editor(self) -> PartEditor | None:
        focused = self.focused
        if isinstance(focused, PartEditor):
            return focused
        active = (self.editor_tabs.active or "tab-html").removeprefix("tab-")
        return self.fixture_editor if active == "data" else self.editor(active)

    # ------------------------------------------------------------------------------------ preview
    def _snapshot(self) -> EditedTemplate | None:
        tpl = self.template
        if tpl is None or not self.alive:
            return None
        sources: dict[str, str | None] = {}
        for editor in self.editors:
            exists = editor.disk_text is not None
            sources[editor.part] = editor.text if (exists or editor.text) else None
        fixture = None
        if self.fixture_name is not None and self.fixture_editor.path is not None:
            fixture = BufferFixture(self.fixture_name, self.fixture_editor.path, self.fixture_editor.text)
        return EditedTemplate(tpl, sources, fixture)

    def request_preview(self) -> None:
        """Render the editors' state off the event loop: coalesced, the newest request wins."""
        edited = self._snapshot()
        if edited is None:
            return
        self._preview_seq += 1
        tab = self.visible_preview_tab
        view = self.view(tab)
        width = view.scrollable_content_region.width or 80
        process = self._process
        if process is not None and self.outbox_message is None and process.submit(self._process_job(
                self._preview_seq, edited, tab, width)):
            return
        self._renderer.submit(PreviewJob(self._preview_seq, edited, tab, width, self.outbox_message,
                                         self.fixture_name, self._want_attributes, self.dialect))

    def _process_job(self, seq: int, edited: EditedTemplate, tab: str, width: int) -> dict[str, Any]:
        """The render-process form of a preview job: plain data (buffers, names, sizes)."""
        fixture = edited.edited_fixture()
        return {
            "seq": seq, "generation": self._project_generation, "template": edited.name,
            "sources": {part: edited.source(part) for part in PARTS},
            "fixture": fixture.name if fixture is not None else None,
            "fixture_path": str(fixture.path) if fixture is not None else None,
            "fixture_text": fixture.text if fixture is not None else None,
            "tab": tab, "width": width, "sender": self.project.config.sender,
            "attributes": self._want_attributes, "dialect": self.dialect,
        }

    @property
    def _want_attributes(self) -> bool:
        """The data pane (which lists the attributes) is showing."""
        return self.editor_tabs.active == "tab-data"

    def _process_result(self, result: dict[str, Any]) -> None:
        """From the render process's reader thread: hand the result to the app as a message."""
        outcome = PreviewOutcome(seq=result["seq"], template=result["template"], fixture=result["fixture"],
                                 rendered=result["rendered"], error=result["error"],
                                 elapsed_ms=result["elapsed_ms"], extra=result["extra"])
        self.post_message(PreviewRendered(outcome))

    @property
    def preview_busy(self) -> bool:
        """A preview render is waiting or running (tests and benchmarks wait on this)."""
        return self._renderer.busy or (self._process is not None and self._process.busy)

    def _render_preview(self, job: PreviewJob) -> None:
        """Render thread body: never touches a widget, posts one PreviewRendered."""
        started = time.perf_counter()
        outcome = PreviewOutcome(seq=job.seq, template=job.edited.name, fixture=job.fixture,
                                 outbox=job.outbox[0] if job.outbox is not None else None)
        outcome.rendered, outcome.extra, outcome.error = preview_job.run(
            job.edited, job.tab, job.width, job.outbox, self.project.config.sender, job.attributes,
            job.dialect)
        outcome.elapsed_ms = (time.perf_counter() - started) * 1000
        self.post_message(PreviewRendered(outcome))

    @on(PreviewRendered)
    def _preview_rendered(self, message: PreviewRendered) -> None:
        if not self.alive:
            return
        outcome = message.outcome
        if outcome.seq > self._applied_seq and outcome.template == self.current:
            self._applied_seq = outcome.seq
            self._apply_preview(outcome)
        if not self._background_started:
            self.call_after_refresh(self._start_background)
        for listener in list(self.preview_listeners):
            listener(outcome)

    def _apply_preview(self, outcome: PreviewOutcome) -> None:
        extra = outcome.extra or {}
        if "attributes" in extra:
            self.attributes = extra["attributes"]
            self.data_pane.set_attributes(self.attributes)
        if outcome.error is not None:
            # the last good preview (of this template) stays; the status line says what is wrong and where
            self.last_error = describe_error(outcome.error)
            self._set_preview_status(f"✗ {self.last_error}", error=True)
            self.data_pane.set_error(_fixture_error(outcome.error))
            if self.last_good is None or self._views_show_outbox:
                # nothing of this template rendered yet (or the views hold an outbox message): they would
                # keep showing another email, so they show the error instead
                self._views_show_outbox = False
                self._show_render_error(outcome.template, self.last_error)
            return
        self.last_error = None
        self.data_pane.set_error(None)
        self._views_show_outbox = outcome.outbox is not None
        if outcome.outbox is not None:
            back = self._key_for("live_preview")
            self._set_preview_status(f"✉ outbox message {outcome.outbox} · {back}: back to the live preview",
                                     error=False)
        else:
            fixture = f"fixture {outcome.fixture}" if outcome.fixture else "no fixture"
            self._set_preview_status(f"✓ {outcome.template} · {fixture}", error=False)
            self.last_good = outcome.rendered  # the template's own render, never an outbox message
        for tab, (lines, signature) in extra.get("views", {}).items():
            self.view(tab).set_lines(lines, signature)
        if self._browser_open and outcome.rendered is not None:
            self.preview_server.publish(outcome.rendered.html)

    def _show_render_error(self, template: str, error: str) -> None:
        """Put a render error in the local preview views (the template has no good render to keep)."""
        text = (f"✗ {template} cannot be rendered:\n\n{error}\n\n"
                "Fix it in the editor (or pick a fixture in the Data tab): the preview follows.")
        for tab in LOCAL_PREVIEW_TABS:
            self.view(tab).set_text(text, RENDER_ERROR_STYLE)

    def _set_preview_status(self, text: str, *, error: bool) -> None:
        """One fixed line above the preview (no relayout when an error comes or goes)."""
        if (text, error) == self._preview_status:
            return
        self._preview_status = (text, error)
        status = self.main.query_one("#preview-status", Static)
        status.update(Text(text), layout=False)  # error text may hold [brackets]: never markup
        status.set_class(error, "-error")

    @on(TabbedContent.TabActivated, "#editor-tabs")
    def _editor_tab_changed(self, event: TabbedContent.TabActivated) -> None:
        if self.alive and self._want_attributes:
            self.request_preview()  # fills the attribute list

    @on(TabbedContent.TabActivated, "#preview-tabs")
    def _preview_tab_changed(self, event: TabbedContent.TabActivated) -> None:
        if not self.alive:
            return
        if self.visible_preview_tab in LOCAL_PREVIEW_TABS:
            self.request_preview()

    @on(LinesView.WidthChanged)
    def _preview_width_changed(self, event: LinesView.WidthChanged) -> None:
        """Re-wrap the reading view for its new width (resize, panes stacking)."""
        if self.alive and event.view.id == f"view-{self.visible_preview_tab}" and self.current is not None:
            self.request_preview()

    # ------------------------------------------------------------------------------------ dialect
    def _resolve_dialect(self) -> Dialect:
        """The calibrated dialect for ``_dialect_env`` (read from ``.ses-workbench/calibration.json``)."""
        from ses_workbench.ses.calibrate import dialect_for

        try:
            return dialect_for(self.project, self._dialect_env)
        except WorkbenchError:  # an environment the config no longer names: the engine's defaults
            return DEFAULT_DIALECT

    def use_environment_dialect(self, env_name: str | None) -> None:
        """Re-resolve the dialect for ``env_name`` (switching environment); re-render and re-lint if it
        changed."""
        self._dialect_env = env_name
        dialect = self._resolve_dialect()
        if dialect == self.dialect:
            return
        self.dialect = dialect
        others = [name for name in self.project.names if name != self.current]
        if others:
            self.lint_templates(others)
        if self.current is not None:
            self.request_preview()
            self.schedule_lint(0.05)  # the current one is linted from the editors (maybe unsaved)

    # ------------------------------------------------------------------------------------ lint
    def schedule_lint(self, delay: float = 0.35) -> None:
        """Lint the current template after a pause in typing (lint renders every fixture)."""
        if self._lint_timer is not None:
            self._lint_timer.stop()
        self._lint_timer = self.set_timer(delay, self._lint_current)

    def _lint_current(self) -> None:
        if not self.alive:
            return
        if self._lint_running:
            self._lint_pending = True
            return
        edited = self._snapshot()
        if edited is None:
            return
        self._lint_running = True
        self._lint_one(edited)

    @work(thread=True, exit_on_error=False, group="lint")
    def _lint_one(self, edited: EditedTemplate) -> None:
        from ses_workbench.lint import lint_template

        try:
            diags = lint_template(edited, self.dialect, config=self.project.config)
        finally:
            self.call_from_thread(self._lint_finished)
        self.post_message(LintDone([edited.name], diags))

    def _lint_finished(self) -> None:
        self._lint_running = False
        if self._lint_pending and self.alive:
            self._lint_pending = False
            self._lint_current()

    @work(thread=True, exclusive=True, exit_on_error=False, group="lint-all")
    def lint_templates(self, names: list[str] | None, announce: bool = False) -> None:
        done = names if names is not None else self.project.names
        diags = self.bulk_lint(list(done), self.dialect)
        self.post_message(LintDone(list(done), diags, announce))

    def bulk_lint(self, names: list[str], dialect: Dialect) -> list[Any]:
        """``lint_project`` of saved templates; from ``CHILD_LINT_MIN`` templates on, in a child interpreter
        (``lint_process``) so the seconds it takes do not compete with typing for the GIL."""
        from ses_workbench.lint import lint_project

        if self.use_render_process and len(names) >= CHILD_LINT_MIN:
            from ses_workbench.lint_process import LintProcessError, lint_in_child

            try:
                return lint_in_child(self.project.root, names, dialect)
            except LintProcessError:
                pass  # lint here instead: slower to type beside, same result
        return lint_project(self.project, names, dialect)

    def action_lint_all(self) -> None:
        self.lint_templates(None, announce=True)

    @on(LintDone)
    def _lint_done(self, message: LintDone) -> None:
        if not self.alive:
            return
        by_name: dict[str, list[Any]] = {name: [] for name in message.names}
        for diag in message.diagnostics:
            if diag.template in by_name:
                by_name[diag.template].append(diag)
        self.lint.update(by_name)
        self._apply_markers()
        self._refresh_rows()
        if message.announce:
            errors = sum(1 for d in message.diagnostics if d.severity == "error")
            warnings = len(message.diagnostics) - errors
            self.notify(f"Lint: {plural(errors, 'error')}, {plural(warnings, 'warning')} in "
                        f"{plural(len(message.names), 'template')}.",
                        severity="error" if errors else "information")

    def _apply_markers(self) -> None:
        diags = self.lint.get(self.current or "", [])
        for editor in (*self.editors, self.fixture_editor):
            if editor.path is None:
                editor.set_markers([])
                continue
            path = str(editor.path)
            markers = [Marker(d.line - 1, d.column - 1, d.severity, d.message) for d in diags
                       if d.path == path and (d.fixture is None or d.fixture == self.fixture_name
                                              or editor is self.fixture_editor)]
            editor.set_markers(markers)
        focused = self._focused_editor()
        if focused is not None:
            self._show_lint_line(focused)

    def _show_lint_line(self, editor: PartEditor) -> None:
        here = editor.markers_at(editor.cursor_location[0])
        diags = self.lint.get(self.current or "", [])
        if here:
            marker = here[0]
            icon = "✗" if marker.severity == "error" else "!"
            shown = (f"{icon} {marker.line + 1}:{marker.column + 1} {marker.message}",
                     marker.severity == "error")
        elif diags:
            errors = sum(1 for d in diags if d.severity == "error")
            shown = (f"{plural(errors, 'error')}, {plural(len(diags) - errors, 'warning')} in {self.current} "
                     f"(marked lines; fixture {self.fixture_name or '-'})", errors > 0)
        else:
            shown = ("✓ lint clean" if self.current in self.lint else "", False)
        if shown == self._lint_text:
            return
        self._lint_text = shown
        line = self.main.query_one("#lint-line", Static)
        line.update(Text(shown[0]), layout=False)  # lint messages may quote [brackets]
        line.set_class(shown[1], "-error")

    # ------------------------------------------------------------------------------------ watching
    @on(FilesChanged)
    def _files_changed(self, message: FilesChanged) -> None:
        if not self.alive:
            return
        from ses_workbench.project.state import StateDir

        calibration = StateDir(self.project.state_dir).calibration
        paths = {path for path in message.paths if path != calibration}
        if len(paths) < len(message.paths):
            before_dialect = self.dialect
            self.use_environment_dialect(self._dialect_env)
            if self.dialect != before_dialect:
                self.notify("Calibration changed: the preview and lint now use the new dialect.")
        if not paths:
            return
        before = set(self.project.names)
        structural = any(_is_structural(path, self.project.root) for path in paths)
        if structural:
            try:
                self.project.reload()
                self._project_generation += 1
            except WorkbenchError as exc:
                self.notify(str(exc), severity="error")
                return
        after = set(self.project.names)
        if self.current is not None and self.current not in after:
            self.notify(f"{self.current} was removed on disk.", severity="warning")
            self.current = None
            names = self.project.names
            if names:
                self.open_template(names[0])
        elif self.current is not None:
            self._sync_editors_with_disk()
        changed = sorted({name for name in after for path in paths
                          if _under(path, self.project.root / name)} | (after - before))
        if changed:
            others = [name for name in changed if name != self.current]
            if others:
                self.lint_templates(others)
            if self.current in changed:
                self.schedule_lint(0.05)  # the current one is linted from the editors (maybe unsaved)
            for name in changed:
                self._refresh_local_state(name)
        self._refresh_rows()

    def _sync_editors_with_disk(self) -> None:
        """Take external edits into clean editors; ask when an editor with unsaved edits changed on disk."""
        tpl = self.template
        if tpl is None:
            return
        conflicts: list[tuple[PartEditor, str | None]] = []
        changed = False
        for editor in self.editors:
            try:
                disk = tpl.source(editor.part)
            except WorkbenchError:
                continue
            changed |= self._reconcile(editor, disk, conflicts)
        fixtures = tpl.fixtures
        if self.fixture_name not in fixtures:
            self.load_fixture("default" if "default" in fixtures else next(iter(fixtures), None))
            changed = True
        else:
            self.data_pane.set_fixtures(list(fixtures), self.fixture_name)
            if self.fixture_name is not None:
                fx_path = fixtures[self.fixture_name].path
                try:  # never blocks on a FIFO, never follows a link out of the project
                    disk_fx: str | None = read_file(fx_path, self.project.root).decode("utf-8-sig")
                except (OSError, UnsafeFile, UnicodeDecodeError):
                    disk_fx = None
                changed |= self._reconcile(self.fixture_editor, disk_fx, conflicts)
        if changed:
            self._dirty_changed()
            self.request_preview()
        if conflicts:
            self._ask_conflict(conflicts)

    def _reconcile(self, editor: PartEditor, disk: str | None,
                   conflicts: list[tuple[PartEditor, str | None]]) -> bool:
        if disk == editor.disk_text:
            return False
        if not editor.dirty:
            editor.load(editor.path, disk, keep_cursor=True)
            return True
        if disk == editor.text:  # someone saved exactly what we have
            editor.mark_saved()
            return True
        conflicts.append((editor, disk))
        return False

    def _ask_conflict(self, conflicts: list[tuple[PartEditor, str | None]]) -> None:
        if self._conflict_open:
            return
        self._conflict_open = True
        files = ", ".join(str(e.path.name) if e.path else e.part for e, _ in conflicts)

        def answer(choice: str | None) -> None:
            self._conflict_open = False
            for editor, _seen in conflicts:
                disk = self._disk_text(editor)  # the newest version on disk, not the first event's
                if choice == "theirs":
                    editor.load(editor.path, disk, keep_cursor=True)
                elif choice == "both":
                    copy = self._save_copy(editor, disk)
                    editor.disk_text = disk
                    self.notify(f"Kept your edits; the version on disk was copied to {copy}.", timeout=8)
                else:  # mine (also on escape): keep the buffer; the next save overwrites the file
                    editor.disk_text = disk
            self._dirty_changed()
            self.request_preview()

        self.push_screen(ChoiceScreen(
            "Changed on disk while you were editing",
            f"{files} changed outside the app, and you have unsaved edits. Which should stay?",
            [("mine", "Keep mine"), ("theirs", "Take theirs"), ("both", "Keep both")]), answer)

    def _disk_text(self, editor: PartEditor) -> str | None:
        if editor.path is None:
            return None
        try:
            return read_file(editor.path, self.project.root).decode("utf-8-sig")
        except (OSError, UnsafeFile, UnicodeDecodeError):
            return None

    def _save_copy(self, editor: PartEditor, disk: str | None) -> Path:
        from ses_workbench.project import atomic
        from ses_workbench.project.state import StateDir

        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = editor.path.name if editor.path else editor.part
        target = StateDir(self.project.state_dir).conflicts(self.current or "template") / f"{stamp}-{name}"
        atomic.write_text(target, disk or "")
        return target

    # ------------------------------------------------------------------------------------ templates
    def _project_change(self, change: Callable[[], Any]) -> bool:
        """Run one template CRUD call of the project; its error becomes a notification (False)."""
        try:
            change()
        except WorkbenchError as exc:
            self.notify(str(exc), severity="error")
            return False
        return True

    def _open_created(self, name: str) -> None:
        self._refresh_rows()
        self.switch_template(name)
        self.lint_templates([name])

    def action_new_template(self) -> None:
        def create(name: str | None) -> None:
            if name and self._project_change(lambda: self.project.create_template(
                    name, TemplateContent(subject=f"{name} subject", html="<p>Hello {{name}}</p>\n"),
                    fixtures={"default": '{\n  "name": "Ada"\n}\n'})):
                self._open_created(name)

        self.push_screen(PromptScreen("New template name", placeholder="letters, digits, _ and -"), create)

    def action_duplicate_template(self) -> None:
        source = self.current
        if source is None:
            return

        def duplicate(name: str | None) -> None:
            if name and self._project_change(lambda: self.project.duplicate_template(source, name)):
                self._open_created(name)

        self.push_screen(PromptScreen(f"Duplicate {source} as", f"{source}-copy"), duplicate)

    def action_rename_template(self) -> None:
        old = self.current
        if old is None:
            return
        if self.is_dirty:
            self.notify("Save or discard your edits before renaming.", severity="warning")
            return

        def rename(name: str | None) -> None:
            if not name or name == old or not self._project_change(
                    lambda: self.project.rename_template(old, name)):
                return
            self.lint.pop(old, None)
            self.open_template(name, self.fixture_name)
            self.lint_templates([name])

        self.push_screen(PromptScreen(f"Rename {old} to", old), rename)

    def action_delete_template(self) -> None:
        name = self.current
        if name is None:
            return

        def delete(yes: bool | None) -> None:
            if not yes:
                return
            try:
                where = self.project.delete_template(name)
            except WorkbenchError as exc:
                self.notify(str(exc), severity="error")
                return
            self.lint.pop(name, None)
            self.current = None
            for editor in (*self.editors, self.fixture_editor):
                editor.load(None, None)
            names = self.project.names
            if names:
                self.open_template(names[0])
            self._refresh_rows()
            self.notify(f"Moved {name} to {where}.")

        self.push_screen(ConfirmScreen(f"Delete template {name}?",
                                       "The folder moves to .ses-workbench/trash/ (nothing is pushed).",
                                       yes="Delete", danger=True), delete)

    # ------------------------------------------------------------------------------------ fixtures
    def action_new_fixture(self) -> None:
        self._new_fixture("{\n}\n", "New fixture name")

    def action_duplicate_fixture(self) -> None:
        self._new_fixture(self.fixture_editor.text, f"Duplicate {self.fixture_name} as",
                          f"{self.fixture_name}-copy" if self.fixture_name else "")

    def _new_fixture(self, text: str, title: str, value: str = "") -> None:
        tpl = self.template
        if tpl is None:
            return

        def create(name: str | None) -> None:
            if not name:
                return
            if name in tpl.fixtures:
                self.notify(f"{tpl.name} already has a fixture {name!r}.", severity="error")
                return
            try:
                validate_fixture_name(name)
            except WorkbenchError as exc:
                self.notify(str(exc), severity="error")
                return
            self.settle_fixture_edits(f"opening the new fixture {name}", lambda: write(name))

        def write(name: str) -> None:
            try:
                tpl.write_fixture(name, text)
            except WorkbenchError as exc:
                self.notify(str(exc), severity="error")
                return
            self._switch_fixture(name)

        self.push_screen(PromptScreen(title, value), create)

    def action_delete_fixture(self) -> None:
        tpl, name = self.template, self.fixture_name
        if tpl is None or name is None:
            return

        def delete(yes: bool | None) -> None:
            if not yes:
                return
            try:
                tpl.delete_fixture(name)
            except WorkbenchError as exc:
                self.notify(str(exc), severity="error")
                return
            fixtures = tpl.fixtures
            self.load_fixture("default" if "default" in fixtures else next(iter(fixtures), None))
            self.request_preview()

        self.push_screen(ConfirmScreen(f"Delete fixture {name}?", "It moves to .ses-workbench/trash/.",
                                       yes="Delete", danger=True), delete)

    def action_skeleton(self) -> None:
        """Add every attribute the template references that the fixture lacks (what is there stays as
        written: values, key order, formatting)."""
        editor = self.fixture_editor
        if self.template is None:
            return
        edited = self._snapshot()
        try:
            rows = preview_job.attributes(edited, self.dialect) if edited is not None else self.attributes
        except WorkbenchError as exc:
            self.notify(f"Cannot list the template's attributes: {exc}", severity="error")
            return
        try:
            text = fill_fixture_text(rows, editor.text)
        except FixtureError as exc:
            where = f" (line {exc.line}, column {exc.column})" if exc.line is not None else ""
            self.notify(f"Fix the JSON first{where}: {exc.message}.", severity="error")
            return
        if self.fixture_name is None:
            try:
                self.template.write_fixture("default", text)
            except WorkbenchError as exc:
                self.notify(str(exc), severity="error")
                return
            self.load_fixture("default")
        elif text != editor.text:
            editor.replace(text, (0, 0), editor.document.end)
        self.editor_tabs.active = "tab-data"
        self.request_preview()

    @on(DataPane.Action)
    async def _data_action(self, event: DataPane.Action) -> None:
        await self.run_action(event.action)  # run_action is a coroutine: not awaited, nothing ran

    # ------------------------------------------------------------------------------------ browser
    def action_browser(self) -> None:
        url = self.preview_server.start()
        self._browser_open = True
        if self.last_good is not None:
            self.preview_server.publish(self.last_good.html)
        self.notify(f"Preview page: {url} (reloads on every change; remote images blocked until you click "
                    "\"show remote images\" there)", timeout=8)
        if self.use_browser:
            self._open_url(url)

    @work(thread=True, exit_on_error=False, group="browser")
    def _open_url(self, url: str) -> None:
        webbrowser.open(url, new=2)

    # ------------------------------------------------------------------------------------ misc actions
    def action_focus_filter(self) -> None:
        self.sidebar_hidden = False
        self.main.add_class("-sidebar")
        self.template_list.filter_input.focus()

    def action_toggle_sidebar(self) -> None:
        """Wide: hide/show the list column. Narrow: show/hide the list as a strip above the editor."""
        if self.compact:
            self.sidebar_hidden = False
            self.main.toggle_class("-sidebar")
        else:
            self.sidebar_hidden = not self.sidebar_hidden

    def action_help(self) -> None:
        from ses_workbench.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.key_table()))

    def action_live_preview(self) -> None:
        """Leave the outbox message (ctrl+o) and show the template's live preview again."""
        if self.outbox_message is None:
            return
        self.outbox_message = None
        self.request_preview()

    def _key_for(self, action: str) -> str:
        """The key bound to ``action`` (after keymap overrides), for hints on screen."""
        for key, title, _ in self.key_table():
            if title == ACTION_INFO[action].title:
                return key
        return "palette"

    def key_table(self) -> list[tuple[str, str, str]]:
        """(keys, title, help) for every action, with keymap overrides applied."""
        keys: dict[str, str] = {}
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.id:
                keys[binding.action] = self._keymap.get(binding.id, binding.key)
        keys.setdefault("duplicate_template", "c (in list)")
        keys.setdefault("rename_template", "r (in list)")
        keys.setdefault("delete_template", "delete (in list)")
        return [(keys.get(info.action, "palette"), info.title, info.help) for info in ACTIONS]

    async def action_quit(self) -> None:
        if not self.is_dirty:
            self.exit(0)
            return

        def answer(choice: str | None) -> None:
            if choice == "save":
                if self.save():
                    self.exit(0)
            elif choice == "discard":
                self.exit(0)

        files = ", ".join(e.path.name if e.path else e.part for e in self.dirty_editors)
        self.push_screen(ChoiceScreen("Quit with unsaved edits?", f"Unsaved: {files}",
                                      [("save", "Save and quit"), ("discard", "Quit without saving"),
                                       ("cancel", "Cancel")]), answer)

    # ------------------------------------------------------------------------------------ palette
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # App keys are priority bindings (TextArea claims f6/f7 and more); while a modal is open they
        # belong to it, except quit.
        if action != "quit" and self._main_screen is not None and self.screen is not self._main_screen \
                and action in ACTION_INFO:
            return False
        return self.available(action)

    def available(self, action: str) -> bool:
        """Whether ``action`` can run in the current state (footer, palette and keys all ask this)."""
        if action in SES_ACTIONS:
            if self.ses is None:
                return False
            if action in ("push", "diff", "send", "remote_render", "parity", "pull"):
                return self.current is not None
        if action == "save":
            return self.is_dirty
        if action == "reconnect":
            return self.ses is None and self.connect_error is not None
        if action == "outbox":
            return self.local_server is not None
        if action == "live_preview":
            return self.outbox_message is not None
        if action in ("duplicate_template", "rename_template", "delete_template", "external_editor",
                      "new_fixture", "skeleton", "browser"):
            return self.current is not None
        if action in ("duplicate_fixture", "delete_fixture"):
            return self.fixture_name is not None
        return True

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        keys = {title: key for key, title, _ in self.key_table()}
        for info in ACTIONS:
            if not self.available(info.action):
                continue
            key = keys.get(info.title, "")
            help_text = f"{info.help}  [{key}]" if key and key != "palette" else info.help
            # the palette reads help as markup: without escaping, "[f1]" vanished
            yield SystemCommand(info.title, escape(help_text), _runner(self, info.action))
        yield from super().get_system_commands(screen)

    # ------------------------------------------------------------------------------------ errors
    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Textual's notify, but the message is plain text unless ``markup=True``: error texts quote
        patterns and layouts (``^[a-zA-Z0-9_-]{1,64}$``, ``[[ var ]]``) that markup would swallow."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where a failed worker becomes a notification (one line, app stays usable)."""
        if event.state is not WorkerState.ERROR or not self.alive:
            return
        worker = event.worker
        if worker.group == "lint":
            self._lint_running = False
        elif worker.group == "ses-connect":
            self.connect_failed(_one_line(worker.error))
        self.notify(_one_line(worker.error), title=_worker_title(worker.group), severity="error",
                    timeout=8)

    @on(Notice)
    def _notice(self, message: Notice) -> None:
        self.notify(message.text, severity=message.severity)  # type: ignore[arg-type]
        if self.ses is not None and self.env_api:  # e.g. the environment now uses the 2017 API
            self.env_api = self.ses.api_description
            self._update_header()

    def _config_keymap(self) -> dict[str, str]:
        extra = getattr(self.project.config, "extra", {}) or {}
        tui = extra.get("tui", {}) if isinstance(extra, dict) else {}
        keymap = tui.get("keymap", {}) if isinstance(tui, dict) else {}
        return {str(k): str(v) for k, v in keymap.items()} if isinstance(keymap, dict) else {}


# ---------------------------------------------------------------------------------------- helpers
def _runner(app: WorkbenchApp, action: str) -> Callable[[], Any]:
    async def run() -> None:
        await app.run_action(action)

    return run


def describe_error(error: BaseException) -> str:
    """``file:line:col: message`` on one line (engine, layout and fixture errors carry their position)."""
    message = getattr(error, "message", None) or str(error)
    path = getattr(error, "path", None)
    where = Path(str(path)).name if path else getattr(error, "part", None)
    line, column = getattr(error, "line", None), getattr(error, "column", None)
    if where and line:
        where = f"{where}:{line}" + (f":{column}" if column else "")
    text = f"{where}: {message}" if where else str(message)
    return " ".join(text.split())[:300]


def _fixture_error(error: BaseException) -> str | None:
    from ses_workbench.project import FixtureError

    if isinstance(error, FixtureError) or getattr(error, "is_fixture", False):
        where = f"line {error.line}, column {error.column}: " if error.line else ""
        return f"{where}{error.message}"
    return None


def _one_line(error: BaseException | None) -> str:
    if error is None:
        return "unknown error"
    text = str(error).strip() or type(error).__name__
    return " ".join(text.split())[:300]


def _worker_title(group: str) -> str:
    return {"preview": "Preview", "lint": "Lint", "lint-all": "Lint"}.get(group, "SES")


def _is_structural(path: Path, root: Path) -> bool:
    """A change that may add/remove/rename templates or change config/layouts (rescan the project)."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        return True
    if len(rel.parts) <= 1:
        return True  # a folder at the root, or ses-workbench.toml
    if rel.parts[0] == "_layouts":
        return True
    return len(rel.parts) == 2 and not path.exists() or not (root / rel.parts[0]).is_dir()


def _under(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False
