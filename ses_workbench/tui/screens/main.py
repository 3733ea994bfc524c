"""The workbench screen: template list | editor pane | preview pane, the header, the progress bar.

It holds what the screen is about: the open template and fixture, the lint findings and deployment
states the list shows, and the preview of the editors' state. A keystroke's render runs off the event
loop (:class:`~ses_workbench.tui.preview_renderer.PreviewRenderer`) and comes back as
:class:`~ses_workbench.tui.messages.PreviewRendered`; lint runs in thread workers and comes back as
:class:`~ses_workbench.tui.messages.LintDone`. Workers run on the app (one place turns their errors into
notifications); nothing here talks to SES.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import Resize
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, ProgressBar, Static, TabbedContent, TextArea

from ses_workbench.attributes import AttributeStatus
from ses_workbench.engine import Dialect
from ses_workbench.errors import WorkbenchError
from ses_workbench.lint import Diagnostic
from ses_workbench.project import PARTS, EmailTemplate, Project
from ses_workbench.session import Session
from ses_workbench.session.edits import EditedTemplate
from ses_workbench.tui import preview_job
from ses_workbench.tui.messages import LintDone, PreviewRendered, PreviewShown
from ses_workbench.tui.preview_job import PreviewJob, PreviewOutcome
from ses_workbench.tui.preview_renderer import PreviewRenderer
from ses_workbench.tui.render_process import RenderProcess
from ses_workbench.tui.screens.dialogs import ChoiceScreen
from ses_workbench.tui.widgets.data_pane import DataPane
from ses_workbench.tui.widgets.editor import PartEditor
from ses_workbench.tui.widgets.editor_pane import EditorPane
from ses_workbench.tui.widgets.header import EnvLine, header_markup
from ses_workbench.tui.widgets.lines_view import LinesView
from ses_workbench.tui.widgets.preview_pane import (
    LOCAL_PREVIEW_TABS,
    PreviewPane,
    describe_error,
    fixture_error,
)
from ses_workbench.tui.widgets.template_list import TemplateList, list_rows
from ses_workbench.wording import plural

#: Below these widths the panes stack, then the template list collapses.
STACK_BELOW = 120
COLLAPSE_BELOW = 70

class MainScreen(Screen[None]):
    """The one screen under every modal: list, editors, preview; routes their messages."""

    class Ready(Message):
        """The first preview is on screen: slow background work (connect, lint all) may start."""

    class LocalChange(Message):
        """Templates changed locally (saved here or on disk): their deployment state may have moved."""

        def __init__(self, names: list[str]) -> None:
            self.names = names
            super().__init__()

    current: reactive[str | None] = reactive(None, init=False)
    """Name of the template in the editors (None: the project has none)."""
    compact: reactive[bool] = reactive(False)
    """Narrow terminal: editor and preview stack vertically."""
    sidebar_hidden: reactive[bool] = reactive(False)
    """The template list is collapsed (very narrow terminal, or toggled)."""

    def __init__(self, session: Session, *, render_process: bool = True,
                 key_for: Callable[[str], str] = lambda action: "palette") -> None:
        super().__init__()
        self.session = session
        self.project: Project = session.project
        self._dialect = session.dialect  # what the preview and lint on screen were made with
        self.key_for = key_for
        self.fixture_name: str | None = None
        self.lint: dict[str, list[Diagnostic]] = {}
        """Lint findings per template name (a name is present once it was linted)."""
        self.states: dict[str, str] = {}
        """Deployment state per template name in the current environment ("unknown" when absent)."""
        self.attributes: list[AttributeStatus] = []
        self.outbox_message: tuple[str, Any] | None = None
        """(file name, email) of the outbox message shown instead of the live preview, or None."""
        self.env = EnvLine(self.project.config.default_env)
        self.preview_listeners: list[Callable[[PreviewOutcome], None]] = []
        """Called with every finished preview (benchmarks measure keystroke-to-preview with it)."""
        self.header_text = ""
        """What the header line shows now (console markup)."""
        self.project_generation = 0
        """Bumped on every project reload (the render process reloads its copy when it changes)."""
        self.save_guard: Callable[[], bool] = lambda: False
        """Called before a save; True stops it (DiskSync: a file changed on disk under unsaved edits)."""
        self._renderer = PreviewRenderer(self._deliver_preview, use_process=render_process)
        self._lint_timer: Timer | None = None
        self._lint_running = False
        self._lint_pending = False
        self._ready_sent = False
        self._exiting = False

    # ------------------------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Static(id="header")
        with Horizontal(id="main"):
            yield TemplateList(id="sidebar", empty_text=self.no_templates_text())
            yield EditorPane(id="edit-col")
            yield PreviewPane(id="preview-col")
        with Horizontal(id="progress-box"):
            yield Static("", id="progress-label")
            yield ProgressBar(id="progress", show_eta=False)
        yield Footer()

    def no_templates_text(self) -> str:
        """The empty state: which folder holds nothing, what a template is, how to make one."""
        from ses_workbench.project.model import TEMPLATE_FOLDER_HINT

        return (f"No templates in {self.project.root}: {TEMPLATE_FOLDER_HINT}. "
                f"{self.key_for('new_template')} creates one; the templates SES has show up here once "
                f"connected ({self.key_for('pull')} pulls one). Another folder: ses-workbench DIR.")

    def on_mount(self) -> None:
        self.compact = self.app.size.width < STACK_BELOW
        self.sidebar_hidden = self.sidebar_hidden or self.app.size.width < COLLAPSE_BELOW
        self.set_class(self.compact, "-compact")
        self.set_class(self.sidebar_hidden, "-no-sidebar")
        self.query_one("#progress-box").display = False
        for editor in self.editor_pane.all_editors:
            editor.on_edit = self._editor_edited
        self.refresh_rows()
        names = self.project.names
        if names:
            self.open_template(names[0])
        else:
            self.update_header()
            self.app.notify(self.no_templates_text(), title="No templates", severity="warning", timeout=15)
        self.editor("html").focus()
        if not names:
            self._ready()

    def on_unmount(self) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the render thread and process (the app is quitting)."""
        self._exiting = True
        self._renderer.stop()

    def start_render_process(self) -> None:
        self._renderer.start_process(self.project.root)

    def on_resize(self, event: Resize) -> None:
        self.compact = event.size.width < STACK_BELOW
        if event.size.width < COLLAPSE_BELOW:
            self.sidebar_hidden = True

    def watch_compact(self, compact: bool) -> None:
        if self.is_mounted:
            self.update_header()
            self.set_class(compact, "-compact")

    def watch_sidebar_hidden(self, hidden: bool) -> None:
        if self.is_mounted:
            self.set_class(hidden, "-no-sidebar")

    # ------------------------------------------------------------------------------------ typed access
    @property
    def alive(self) -> bool:
        """The screen is up (False before mount and while the app shuts down).

        ``is_running`` turns False as soon as Textual starts shutting down, before it prunes the
        screens' widgets: a worker's message that arrives during the teardown must find this False.
        """
        return self.is_attached and self.app.is_running and not self._exiting

    @property
    def editor_pane(self) -> EditorPane:
        return self.query_one(EditorPane)

    @property
    def preview_pane(self) -> PreviewPane:
        return self.query_one(PreviewPane)

    def editor(self, part: str) -> PartEditor:
        return self.editor_pane.editor(part)

    @property
    def editors(self) -> list[PartEditor]:
        return self.editor_pane.editors

    @property
    def data_pane(self) -> DataPane:
        return self.editor_pane.data_pane

    @property
    def fixture_editor(self) -> PartEditor:
        return self.editor_pane.fixture_editor

    @property
    def template_list(self) -> TemplateList:
        return self.query_one(TemplateList)

    @property
    def editor_tabs(self) -> TabbedContent:
        return self.editor_pane.tabs

    @property
    def preview_tabs(self) -> TabbedContent:
        return self.preview_pane.tabs

    def view(self, tab: str) -> LinesView:
        return self.preview_pane.view(tab)

    @property
    def dialect(self) -> Dialect:
        """The dialect the preview and lint use: the session's (the environment's calibration)."""
        return self.session.dialect

    @property
    def template(self) -> EmailTemplate | None:
        if self.current is None:
            return None
        return self.project.templates.get(self.current)

    @property
    def dirty_editors(self) -> list[PartEditor]:
        return self.editor_pane.dirty_editors

    @property
    def is_dirty(self) -> bool:
        return bool(self.dirty_editors)

    @property
    def active_editor(self) -> PartEditor:
        """The focused editor, else the one in the active editor tab."""
        return self.editor_pane.active_editor(self.focused)

    @property
    def preview_busy(self) -> bool:
        """A preview render is waiting or running (tests and benchmarks wait on this)."""
        return self._renderer.busy

    @property
    def preview_settled(self) -> bool:
        """The newest preview asked for is on screen and nothing renders."""
        return self._renderer.settled

    @property
    def preview_seq(self) -> int:
        """The number of the newest preview asked for (each outcome carries its own)."""
        return self._renderer.seq

    @property
    def last_error(self) -> str | None:
        """The last preview's error as one line, None after a good one."""
        return self.preview_pane.last_error

    @property
    def last_good(self) -> Any:
        """The open template's last good render (a RenderedEmail), None until there is one."""
        return self.preview_pane.last_good

    @property
    def render_process_alive(self) -> bool:
        """The render process is up and renders the previews."""
        process = self._renderer.process
        return process is not None and process.alive

    @property
    def render_process(self) -> RenderProcess | None:
        """The child process rendering previews (None until the background work started, or when off)."""
        return self._renderer.process

    # ------------------------------------------------------------------------------------ header/list
    def set_environment(self, env: EnvLine) -> None:
        self.env = env
        if self.is_mounted:
            self.update_header()

    def update_header(self) -> None:
        """Project, template, fixture, environment, account mode and quota — shorter on narrow screens."""
        text = header_markup(self.project.root.name or str(self.project.root), self.current, self.is_dirty,
                             self.fixture_name, self.env, short=self.compact)
        if text != self.header_text:
            self.header_text = text
            self.query_one("#header", Static).update(text, layout=False)

    def refresh_rows(self) -> None:
        rows = list_rows(self.project, self.lint, self.states, self.current, self.is_dirty)
        self.template_list.set_rows(rows, self.current)

    def focus_filter(self) -> None:
        self.sidebar_hidden = False
        self.add_class("-sidebar")
        self.template_list.filter_input.focus()

    def toggle_sidebar(self) -> None:
        """Wide: hide/show the list column. Narrow: show/hide the list as a strip above the editor."""
        if self.compact:
            self.sidebar_hidden = False
            self.toggle_class("-sidebar")
        else:
            self.sidebar_hidden = not self.sidebar_hidden

    def show_progress(self, label: str, done: int, total: int, name: str) -> None:
        self.query_one("#progress-box").display = True
        self.query_one("#progress-label", Static).update(f"{label}: {name}" if name else label)
        self.query_one("#progress", ProgressBar).update(total=max(total, 1), progress=done)

    def hide_progress(self) -> None:
        self.query_one("#progress-box").display = False

    # ------------------------------------------------------------------------------------ opening
    @on(TemplateList.Selected)
    def _template_selected(self, event: TemplateList.Selected) -> None:
        if event.name == self.current:
            self.active_editor.focus()
            return
        if event.name in self.project.verification_templates and event.name not in self.project.templates:
            self.show_verification(event.name)
            return
        if event.name not in self.project.templates:
            self.app.notify(f"{event.name} exists only in {self.env.name}: pull it (F5) to edit it.")
            return
        self.switch_template(event.name)
        self.active_editor.focus()

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

        self.app.push_screen(ChoiceScreen(f"Unsaved edits in {self.current}",
                                          "Save them before opening another template?",
                                          [("save", "Save"), ("discard", "Discard"), ("cancel", "Cancel")],
                                          focus="cancel"),
                             answer)

    def open_template(self, name: str, fixture: str | None = None) -> None:
        """Load a template's parts and a fixture into the editors and render it."""
        tpl = self.project.templates[name]
        if name != self.current:
            self.preview_pane.reset_ses_views()  # not another template's SES render or parity report
        self.current = name
        self.outbox_message = None
        for error in self.editor_pane.load_template(tpl):
            self.app.notify(error, severity="error")
        fixtures = tpl.fixtures
        if fixture is None or fixture not in fixtures:
            fixture = "default" if "default" in fixtures else next(iter(fixtures), None)
        self.load_fixture(fixture)
        self.preview_pane.forget()
        self.apply_markers()
        self.refresh_rows()
        self.update_header()
        self.request_preview()
        self.schedule_lint(0.05)

    def close_template(self) -> None:
        """The open template is gone: empty editors, then the first template left (if any) opens."""
        self.current = None
        self.editor_pane.clear()
        names = self.project.names
        if names:
            self.open_template(names[0])

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
        self.update_header()

    @on(DataPane.FixtureChosen)
    def _fixture_chosen(self, event: DataPane.FixtureChosen) -> None:
        if event.name == self.fixture_name:
            return
        name, current = event.name, self.fixture_name

        def keep() -> None:  # the current fixture stays selected, with its edits
            tpl = self.template
            if tpl is not None:
                self.data_pane.set_fixtures(list(tpl.fixtures), current)

        self.settle_fixture_edits(f"switching to fixture {name}", lambda: self.switch_fixture(name), keep)

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
                self.dirty_changed()
            elif cancelled is not None:
                cancelled()

        body = f"Save them before {before}?"
        try:
            json.loads(self.fixture_editor.text)
        except json.JSONDecodeError as exc:
            body += f"\nThe JSON does not parse (line {exc.lineno}, column {exc.colno})."
        self.app.push_screen(ChoiceScreen(f"Unsaved edits in fixture {current}", body,
                                          [("save", "Save"), ("discard", "Discard"), ("cancel", "Cancel")],
                                          focus="cancel"),
                             answer)

    def switch_fixture(self, name: str) -> None:
        self.load_fixture(name)
        self.request_preview()
        self.apply_markers()

    # ------------------------------------------------------------------------------------ editing
    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        if not self.alive or not isinstance(event.text_area, PartEditor):
            return
        self.outbox_message = None
        self.dirty_changed()
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

    def dirty_changed(self) -> None:
        """Dirty markers (tab labels, list dot, header): touched only when the dirty set changes."""
        if not self.editor_pane.show_dirty():
            return
        self.refresh_rows()
        self.update_header()
        self.app.refresh_bindings()

    @on(TextArea.SelectionChanged)
    def _cursor_moved(self, event: TextArea.SelectionChanged) -> None:
        if self.alive and isinstance(event.text_area, PartEditor):
            self._show_lint_line(event.text_area)

    def save(self) -> bool:
        """Write every dirty editor of the current template atomically; False when something failed."""
        tpl = self.template
        if tpl is None:
            return True
        if self.save_guard():  # a file changed on disk under unsaved edits: asked instead
            return False
        failed = self.editor_pane.save_parts(tpl)
        for line in failed:
            self.app.notify(line, severity="error")
        ok = not failed
        if self.fixture_editor.dirty:
            ok = self.save_fixture() and ok
        self.dirty_changed()
        if ok:
            self.app.notify(f"Saved {tpl.name}.", timeout=2)
        self.schedule_lint(0.05)
        self.post_message(self.LocalChange([tpl.name]))
        return ok

    def save_fixture(self) -> bool:
        tpl, name = self.template, self.fixture_name
        if tpl is None or name is None:
            return True
        error = self.editor_pane.save_fixture(tpl, name)
        if error is not None:
            self.app.notify(error, severity="error")
        return error is None

    # ------------------------------------------------------------------------------------ preview
    def snapshot(self) -> EditedTemplate | None:
        """The editors' state as a template (None: no template is open, or the screen is going away)."""
        tpl = self.template
        if tpl is None or not self.alive:
            return None
        return self.editor_pane.snapshot(tpl, self.fixture_name)

    def request_preview(self) -> None:
        """Render the editors' state off the event loop: coalesced, the newest request wins."""
        tpl = self.template
        edited = self.snapshot()
        if (tpl is None or edited is None) and (self.outbox_message is None or not self.alive):
            return
        seq = self._renderer.next_seq()
        tab = self.preview_pane.visible_tab
        self.preview_pane.sender = self.project.config.sender
        fixture = edited.edited_fixture() if edited is not None else None
        job = PreviewJob(
            seq=seq, template=tpl.name if tpl is not None else "",
            sources={part: edited.source(part) for part in PARTS} if edited is not None else {},
            fixture=fixture.name if fixture is not None else None,
            fixture_path=str(fixture.path) if fixture is not None else None,
            fixture_text=fixture.text if fixture is not None else None,
            tab=tab, width=self.preview_pane.width_of(tab), sender=self.project.config.sender,
            attributes=self.editor_pane.data_tab_shown, dialect=self.dialect,
            generation=self.project_generation, outbox=self.outbox_message)
        self._renderer.submit(job, tpl)

    def _deliver_preview(self, outcome: PreviewOutcome) -> None:
        """From the render thread or the render process's reader: hand the outcome over as a message."""
        self.post_message(PreviewRendered(outcome))

    @on(PreviewRendered)
    def _preview_rendered(self, message: PreviewRendered) -> None:
        message.stop()
        if not self.alive:
            return
        outcome = message.outcome
        if self._renderer.accept(outcome, self.current or ""):
            self._apply_preview(outcome)
        if not self._ready_sent:
            self.call_after_refresh(self._ready)
        for listener in list(self.preview_listeners):
            listener(outcome)

    def _ready(self) -> None:
        if not self._ready_sent:
            self._ready_sent = True
            self.post_message(self.Ready())

    def _apply_preview(self, outcome: PreviewOutcome) -> None:
        extra = outcome.extra or {}
        json_error = fixture_error(outcome.error) if outcome.error is not None else None
        if "attributes" in extra:
            self.attributes = extra["attributes"]
            self.data_pane.set_attributes(self.attributes, data_parses=json_error is None)
        error = describe_error(outcome.error) if outcome.error is not None else None
        self.data_pane.set_error(json_error)
        self.preview_pane.show(outcome, error, self.key_for("live_preview"))
        if error is None and outcome.rendered is not None:
            self.app.post_message(PreviewShown(outcome.rendered.html))

    @on(TabbedContent.TabActivated, "#editor-tabs")
    def _editor_tab_changed(self, event: TabbedContent.TabActivated) -> None:
        if self.alive and self.editor_pane.data_tab_shown:
            self.request_preview()  # fills the attribute list

    @on(TabbedContent.TabActivated, "#preview-tabs")
    def _preview_tab_changed(self, event: TabbedContent.TabActivated) -> None:
        if self.alive and self.preview_pane.visible_tab in LOCAL_PREVIEW_TABS:
            self.request_preview()

    @on(LinesView.WidthChanged)
    def _preview_width_changed(self, event: LinesView.WidthChanged) -> None:
        """Re-wrap the reading view for its new width (resize, panes stacking)."""
        visible = f"view-{self.preview_pane.visible_tab}"
        if self.alive and event.view.id == visible and self.current is not None:
            self.request_preview()

    def show_outbox(self, title: str, email: Any) -> None:
        """Show a delivered message (``email`` shaped like a RenderedEmail) instead of the live preview."""
        self.outbox_message = (title, email)
        self.preview_pane.show_tab("read")
        self.request_preview()

    def show_verification(self, name: str) -> None:
        """The custom verification template ``name`` as its recipient sees it (the link SES adds shown as a
        placeholder) in the read tab, where an outbox message shows."""
        try:
            email = preview_job.verification_email(self.project, name)
        except (WorkbenchError, ValueError) as exc:
            self.app.notify(f"{name}: {exc}", severity="error")
            return
        self.show_outbox(f"{name} (custom verification preview)", email)

    def live_preview(self) -> None:
        """Leave the outbox message and show the template's live preview again."""
        if self.outbox_message is not None:
            self.outbox_message = None
            self.request_preview()

    # ------------------------------------------------------------------------------------ dialect
    def dialect_changed(self) -> bool:
        """The session's dialect may have changed (calibration, another environment): when it did,
        re-render and re-lint with it; True then."""
        if self.session.dialect == self._dialect:
            return False
        self._dialect = self.session.dialect
        others = [name for name in self.project.names if name != self.current]
        if others:
            self.lint_templates(others)
        if self.current is not None:
            self.request_preview()
            self.schedule_lint(0.05)  # the current one is linted from the editors (maybe unsaved)
        return True

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
        edited = self.snapshot()
        if edited is None:
            return
        self._lint_running = True
        self.app.run_worker(partial(self._lint_one, edited), thread=True, group="lint", exit_on_error=False)

    def _lint_one(self, edited: EditedTemplate) -> None:
        try:
            diags = self.session.lint(edited)
        finally:
            self.app.call_from_thread(self.lint_finished)
        self.post_message(LintDone([edited.name], diags))

    def lint_finished(self) -> None:
        """The current template's lint ended (also when it failed): run the one asked for meanwhile."""
        self._lint_running = False
        if self._lint_pending and self.alive:
            self._lint_pending = False
            self._lint_current()

    def lint_templates(self, names: list[str] | None, announce: bool = False) -> None:
        """Lint saved templates (None: all) in a worker; the list's badges follow. The session lints a
        large batch in a child interpreter, so typing does not wait on it."""
        self.app.run_worker(partial(self._lint_many, names, announce), thread=True, exclusive=True,
                            group="lint-all", exit_on_error=False)

    def _lint_many(self, names: list[str] | None, announce: bool) -> None:
        done = list(names if names is not None else self.project.names)
        self.post_message(LintDone(done, self.session.lint(done), announce))

    @on(LintDone)
    def _lint_done(self, message: LintDone) -> None:
        message.stop()
        if not self.alive:
            return
        by_name: dict[str, list[Diagnostic]] = {name: [] for name in message.names}
        for diag in message.diagnostics:
            if diag.template in by_name:
                by_name[diag.template].append(diag)
        self.lint.update(by_name)
        self.apply_markers()
        self.refresh_rows()
        if message.announce:
            errors = sum(1 for d in message.diagnostics if d.severity == "error")
            warnings = len(message.diagnostics) - errors
            self.app.notify(f"Lint: {plural(errors, 'error')}, {plural(warnings, 'warning')} in "
                            f"{plural(len(message.names), 'template')}.",
                            severity="error" if errors else "information")

    def apply_markers(self) -> None:
        self.editor_pane.show_markers(self.lint.get(self.current or "", []), self.fixture_name)
        self._show_lint_line(self.active_editor)

    def _show_lint_line(self, editor: PartEditor) -> None:
        self.editor_pane.show_lint_line(editor, self.lint.get(self.current) if self.current else None,
                                        self.current, self.fixture_name)
