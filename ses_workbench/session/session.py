"""The :class:`Session`: one project opened against one environment, with the dialect that goes with it.

What the CLI, the TUI and the notebook share.  A session owns

- the :class:`~ses_workbench.project.Project`;
- the environment it targets (:attr:`Session.environment`: the configured one until connected, then the
  one :func:`~ses_workbench.session.environment.open_environment` resolved — AWS, or the embedded local
  endpoint);
- **the** dialect local work uses (:attr:`Session.dialect`, the rule of
  :func:`~ses_workbench.session.dialect.dialect_for`);
- a lazy SES client (:meth:`Session.client`; :meth:`Session.close` stops an embedded endpoint it started);
- local work on a template name or on unsaved :data:`~ses_workbench.session.edits.Edits`: :meth:`render`,
  :meth:`preview`, :meth:`lint` (in a child interpreter for a large batch when ``offload=True``),
  :meth:`check`;
- the SES use cases (:mod:`ses_workbench.session.usecases`), each written once as plan → ``ui.confirm`` →
  execute through the face's :class:`~ses_workbench.session.ui.Ui`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ses_workbench.errors import WorkbenchError
from ses_workbench.project import EmailTemplate, Project
from ses_workbench.session.dialect import dialect_for
from ses_workbench.session.preview import Preview, preview
from ses_workbench.session.ui import Plan, QuietUi, Ui
from ses_workbench.wording import plural

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.check import CheckReport
    from ses_workbench.engine import Dialect
    from ses_workbench.lint import Diagnostic
    from ses_workbench.project import Environment, Fixture
    from ses_workbench.render import CompiledEmail, RenderedEmail
    from ses_workbench.ses.calibrate import Calibration
    from ses_workbench.ses.client import RemoteTemplate, SesClient
    from ses_workbench.ses.local import LocalSes
    from ses_workbench.ses.prune import PrunePlan
    from ses_workbench.ses.remote import FixtureParity, RemoteRender
    from ses_workbench.ses.send import SendPlan, SendReport
    from ses_workbench.ses.sync import PullResult, PushResult, TemplateDiff, TemplateStatus

__all__ = ["Sending", "Session"]


@dataclass
class Sending:
    """What :meth:`Session.send` did: the plan, and the report when anything was sent."""

    plan: SendPlan
    report: SendReport | None = None
    cancelled: bool = False


class Session:
    """``project`` (a :class:`Project` or its folder) opened against ``env`` (default: the project's
    default environment); ``local=True`` forces the embedded endpoint, ``endpoint_url`` another endpoint,
    ``api`` the API generation (``v2``, ``v1``, ``auto``).

    ``ui`` receives the notes of connecting (and is the default face of the use cases); ``offload=True``
    (an interactive face) lints large batches in a child interpreter.  Other keyword arguments go to the
    :class:`~ses_workbench.ses.client.SesClient` (``on_request``, ``max_attempts``…).  An unknown ``env``
    raises :class:`~ses_workbench.errors.ConfigError` listing the known ones.
    """

    def __init__(self, project: Project | str | Path, env: str | None = None, *, local: bool | None = None,
                 endpoint_url: str | None = None, api: str | None = None, ui: Ui | None = None,
                 offload: bool = False, **client_options: Any) -> None:
        self.project: Project = project if isinstance(project, Project) else Project.load(project)
        self.env_name = env
        self.local = local
        self.endpoint_url = endpoint_url
        self.api = api
        self.ui: Ui = ui if ui is not None else QuietUi()
        self.offload = offload
        self.client_options = client_options
        self._lock = threading.RLock()
        self._stack: contextlib.ExitStack | None = None
        self._client: SesClient | None = None
        self._server: LocalSes | None = None
        self.dialect: Dialect = dialect_for(self.project, env)

    def __repr__(self) -> str:
        where = self._client.describe() if self._client is not None else "not connected"
        return f"<Session {self.project.root} · {self.environment.name} · {where}>"

    # ------------------------------------------------------------------------------------ environment
    @property
    def environment(self) -> Environment:
        """The environment: the connected client's once :meth:`client` opened it, else the configured one
        (``local`` and ``api`` applied; the switch to the local endpoint for want of AWS credentials is only
        known once connected)."""
        client = self._client
        if client is not None:
            return client.environment
        from ses_workbench.session.environment import resolve_environment

        return resolve_environment(self.project, self.env_name, self.local, endpoint_url=self.endpoint_url,
                                   api=self.api, credentials=False)

    @property
    def connected(self) -> bool:
        return self._client is not None

    @property
    def server(self) -> LocalSes | None:
        """The embedded local endpoint this session started (None: none, or not connected yet)."""
        return self._server

    def client(self) -> SesClient:
        """The SES client of this session's environment, opened on first use (the embedded endpoint starts
        then).  When the default environment is served locally for want of AWS credentials, ``ui.note``
        says so."""
        with self._lock:
            if self._client is None:
                self._open()
            assert self._client is not None
            return self._client

    def _open(self) -> None:
        from ses_workbench.project.state import StateDir
        from ses_workbench.session.environment import open_environment

        options = dict(self.client_options)
        options.setdefault("on_note", self._note)
        stack = contextlib.ExitStack()
        try:
            client, server = stack.enter_context(open_environment(
                self.project, self.env_name, self.local, endpoint_url=self.endpoint_url, api=self.api,
                **options))
        except BaseException:
            stack.close()
            raise
        if server is not None:  # the embedded endpoint keeps its store in the state folder
            StateDir(self.project.state_dir).ensure(create=False)
        requested = self.project.config.env(self.env_name)
        self._stack, self._client, self._server = stack, client, server
        if client.environment.local and not requested.local and not self.local:
            self.ui.note(f"no AWS credentials for environment '{requested.name}': using the embedded local "
                         f"SES endpoint ({client.endpoint_url}) as environment '{client.environment.name}'",
                         "warning")

    def _note(self, text: str) -> None:
        self.ui.note(text, "information")

    def switch(self, env: str | None, *, local: bool | None = None) -> None:
        """Target ``env`` from now on: the open client (and an endpoint it started) is closed, the dialect
        follows the new environment, the next :meth:`client` call connects there."""
        dialect = dialect_for(self.project, env)  # an unknown name fails before anything is closed
        self.close()
        self.env_name, self.local, self.dialect = env, local, dialect

    def reload_dialect(self) -> bool:
        """Read the calibration again (``calibrate`` ran meanwhile); True when the dialect changed."""
        try:
            dialect = dialect_for(self.project, self.env_name)
        except WorkbenchError:  # an environment the config no longer names: the engine's defaults
            from ses_workbench.engine import DEFAULT_DIALECT

            dialect = DEFAULT_DIALECT
        changed = dialect != self.dialect
        self.dialect = dialect
        return changed

    def close(self) -> None:
        """Close the client and stop the embedded endpoint this session started (idempotent)."""
        with self._lock:
            stack, self._stack, self._client, self._server = self._stack, None, None, None
        if stack is not None:
            stack.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------------ local work
    def template(self, target: str | EmailTemplate) -> EmailTemplate:
        """The template ``target`` names (UnknownTemplateError with close matches), or ``target`` itself: a
        template object, such as :data:`~ses_workbench.session.edits.Edits` (unsaved buffers)."""
        return target if isinstance(target, EmailTemplate) else self.project.get(target)

    def render(self, target: str | EmailTemplate, fixture: str | Fixture | None = None, *,
               data: Any = None) -> RenderedEmail:
        """Render with this session's dialect; raises what the template or the data got wrong."""
        from ses_workbench.render import render_template

        return render_template(self.template(target), fixture=fixture, data=data, dialect=self.dialect)

    def preview(self, target: str | EmailTemplate, fixture: str | Fixture | None = None, *,
                attributes: bool = False, data: Any = None) -> Preview:
        """Render + attribute status + error in one value (never raises for the template's faults)."""
        return preview(self.template(target), fixture, self.dialect, want_attributes=attributes, data=data)

    def lint(self, targets: Iterable[str] | EmailTemplate | None = None) -> list[Diagnostic]:
        """Lint with this session's dialect: unsaved edits, some templates, or the whole project (``None``:
        every template plus the project's load problems).  An offloading session lints a batch of
        :data:`~ses_workbench.session.offload.CHILD_LINT_MIN` saved templates or more in a child
        interpreter (same result; the keystrokes of an interactive face do not wait on it)."""
        from ses_workbench.lint import lint_project, lint_template
        from ses_workbench.session import offload

        if isinstance(targets, EmailTemplate):
            return lint_template(targets, self.dialect, config=self.project.config)
        names = list(targets) if targets is not None else None
        count = len(names) if names is not None else len(self.project.templates)
        if self.offload and count >= offload.CHILD_LINT_MIN:
            try:
                return offload.lint_in_child(self.project.root, names, self.dialect)
            except offload.LintProcessError:
                pass  # lint here instead: slower to type beside, same result
        return lint_project(self.project, names, self.dialect)

    def lint_errors(self, names: Iterable[str]) -> Mapping[str, list[str]]:
        """Each of ``names`` → its lint errors as one-line strings (what a push refusal quotes)."""
        from ses_workbench.session.offload import errors_by_template

        selected = list(names)
        return errors_by_template(self.lint(selected), selected)

    def compile(self, target: str | EmailTemplate) -> CompiledEmail:
        """The composed template compiled with this session's dialect; an error points at the edited file."""
        from ses_workbench.engine import EngineError
        from ses_workbench.render import compile_content, locate_error

        tpl = self.template(target)
        try:
            return compile_content(tpl.compose(), self.dialect)
        except EngineError as err:
            raise locate_error(err, tpl) from None

    def check(self, name: str, rows: Any, fmt: str | None = None, *, empty_cells: str = "present",
              max_failures: int | None = None, fast: bool = True, sample: int = 0,
              progress: Callable[[int, int, int], None] | None = None,
              workers: int | None = None) -> CheckReport:
        """Which rows would SES reject or drop, rendered with this session's dialect.

        ``rows``: a data file (a path, or a binary stream such as stdin: JSON, JSON Lines, CSV, Parquet),
        or rows in memory — dicts, JSON strings, one JSON text, a pandas DataFrame (see
        :mod:`ses_workbench.session.rows`).  ``sample=N`` keeps N rows for :meth:`confirm_via_ses`."""
        from ses_workbench.check import DEFAULT_MAX_FAILURES, check_file
        from ses_workbench.engine import DEFAULT_DIALECT
        from ses_workbench.session.rows import check_in_memory, is_file

        tpl = self.template(name)
        limit = DEFAULT_MAX_FAILURES if max_failures is None else max_failures
        compiled = self.compile(tpl)
        if is_file(rows):
            # check_file compiles with the defaults itself, and only then spreads a large file over workers
            given = None if self.dialect == DEFAULT_DIALECT else compiled
            return check_file(tpl, rows, fmt, empty_cells=empty_cells, max_failures=limit, fast=fast,
                              progress=progress, compiled=given, sample=sample, workers=workers)
        return check_in_memory(compiled, tpl, rows, max_failures=limit, fast=fast, sample=sample)

    def confirm_via_ses(self, name: str, report: CheckReport,
                        progress: Callable[[int, int], None] | None = None) -> None:
        """Render ``report``'s sampled rows through SES's TestRenderEmailTemplate (the pushed template when
        it is current, else a scratch copy deleted afterwards) and record whether SES agrees."""
        from ses_workbench.check import confirm_via_ses
        from ses_workbench.ses.remote import remote_error_for_data

        with remote_error_for_data(self.client(), self.project, name) as remote_error:
            confirm_via_ses(report, remote_error, progress=progress)

    # ------------------------------------------------------------------------------------ SES use cases
    # Each is written once: plan → ui.confirm → execute, with progress and notes through the face's Ui.

    def status(self, names: Sequence[str] | None = None, ui: Ui | None = None,
               scratch: list[RemoteTemplate] | None = None) -> list[TemplateStatus]:
        """Every template (or ``names``) here and in the environment, classified; ``scratch`` receives the
        workbench's scratch templates the same listing found."""
        from ses_workbench.ses import sync

        ui = ui or self.ui
        return sync.status(self.client(), self.project, names, progress=ui.progress, scratch=scratch)

    def diff(self, names: Sequence[str] | None = None, ui: Ui | None = None, *,
             against: Session | None = None) -> list[TemplateDiff]:
        """What a push would change (the environment's content vs the composed local content); with
        ``against``, that session's environment (old) vs this one's (new)."""
        from ses_workbench.ses import sync

        ui = ui or self.ui
        other = against.client() if against is not None else None
        return sync.diff(self.client(), self.project, names, against=other, progress=ui.progress)

    def push(self, names: Sequence[str] | None = None, ui: Ui | None = None, *, force: bool = False,
             no_lint: bool = False, dry_run: bool = False, review: bool = True,
             offer_force: bool = False) -> PushResult:
        """Push what changed, linted with this session's dialect (:meth:`lint` decides where).

        ``review`` (a person reads the plan first): plan, ask ``ui.confirm`` once when there is something to
        push — or, with ``offer_force``, drift a ``"force"`` answer would push over (backed up; what changed
        again since the plan is still refused) — then push.  ``review=False`` (``--yes``): plan and push
        template by template, so linting one overlaps the pacing wait of the previous call."""
        from ses_workbench.ses import sync

        ui = ui or self.ui
        client = self.client()
        if not review and not dry_run:
            return sync.push(client, self.project, names, force=force, no_lint=no_lint, progress=ui.progress,
                             dialect=self.dialect)
        linted: Mapping[str, list[str]] = {}
        if not no_lint:
            selected = sync.selected_for_push(self.project, names)  # an unknown name fails before any lint
            ui.progress(0, len(selected), "")
            linted = self.lint_errors(selected)
        plan = sync.plan_push(client, self.project, names, force=force, no_lint=no_lint, progress=ui.progress,
                              linted=linted, dialect=self.dialect)
        drifted = [i for i in plan.refused if i.state is not None and i.state.drifted]
        forceable = offer_force and bool(drifted)
        if dry_run or not (plan.changes or forceable):
            return sync.PushResult(plan, dry_run=dry_run)
        answer = ui.confirm(Plan(
            "push", f"Push {plural(len(plan.changes), 'template')} to {plan.environment}?",
            [f"{i.action} {i.name} ({i.reason})" for i in plan.changes],
            [f"{i.name}: {i.reason}" for i in plan.refused], forceable, plan))
        if answer == "no" or (answer == "yes" and not plan.changes):
            return sync.PushResult(plan, cancelled=True)
        if answer == "force" and forceable:  # over what the plan showed: a change since is still refused
            plan = sync.forced(plan)
        return sync.execute_push(client, self.project, plan, ui.progress)

    def pull(self, names: Sequence[str] | None = None, ui: Ui | None = None, *, force: bool = False,
             dry_run: bool = False) -> PullResult:
        """Import the environment's templates as folders; ``ui.confirm`` is asked once before local edits
        are overwritten (only with ``force``: without it such a template is refused)."""
        from ses_workbench.ses import sync

        ui = ui or self.ui
        client = self.client()

        def confirm(planned: PullResult) -> bool:
            doomed = [i.name for i in planned.items if i.overwrites_edits]
            return ui.confirm(Plan(
                "pull", f"Overwrite local edits of {', '.join(doomed)} with {client.environment.name}'s "
                "content?", [f"overwrite {n}" for n in doomed], subject=planned)) != "no"

        return sync.pull(client, self.project, names, force=force, dry_run=dry_run, confirm=confirm,
                         progress=ui.progress)

    def prune(self, names: Sequence[str] | None = None, ui: Ui | None = None, *,
              dry_run: bool = False) -> PrunePlan:
        """Delete from the environment what has no template folder here any more (each backed up first),
        after ``ui.confirm``; the plan comes back (``cancelled``: the answer was no)."""
        from ses_workbench.ses.prune import execute_prune, plan_prune

        ui = ui or self.ui
        client = self.client()
        plan = plan_prune(client, self.project, names)
        if not plan.items or dry_run:
            return plan
        answer = ui.confirm(Plan("prune", f"Delete {plural(len(plan.items), 'template')} from "
                                          f"{plan.environment}?",
                                 [f"delete {i.remote_name}" for i in plan.items], subject=plan))
        if answer == "no":
            plan.cancelled = True
            return plan
        return execute_prune(client, self.project, plan, ui.progress)

    def send(self, name: str, to: Sequence[str] | None = None, ui: Ui | None = None, *,
             fixtures: Sequence[str] | None = None, all_fixtures: bool = False, sender: str | None = None,
             draft: bool = False, allow_unverified: bool = False,
             dry_run: bool = False) -> Sending:
        """Test-send one email per (recipient, fixture) with every guard (lint and draft renders with this
        session's dialect); ``ui.confirm`` once.  The report is None when nothing was sent (refused, a dry
        run, or the answer was no: ``cancelled``)."""
        from ses_workbench.ses.send import execute_send, plan_send

        ui = ui or self.ui
        client = self.client()
        if all_fixtures:
            fixtures = list(self.project.get(name).fixtures)
        plan = plan_send(client, self.project, name, to, fixtures=fixtures, sender=sender, draft=draft,
                         allow_unverified=allow_unverified, dialect=self.dialect)
        if plan.refusals or dry_run:
            return Sending(plan)
        answer = ui.confirm(Plan("send", f"Send {plural(plan.count, 'email')}?",
                                 [f"{d.recipient} [{d.fixture}]" for d in plan.destinations],
                                 warnings(plan), subject=plan))
        if answer == "no":
            return Sending(plan, cancelled=True)
        return Sending(plan, execute_send(client, self.project, plan, progress=ui.progress))

    def remote_render(self, name: str, fixture: str | None = None, *, data: Any = None,
                      pushed: bool | None = None) -> RemoteRender:
        """SES's own render (TestRenderEmailTemplate); unpushed edits render from a scratch copy."""
        from ses_workbench.ses.remote import remote_render

        return remote_render(self.client(), self.project, name, fixture, data=data, pushed=pushed)

    def parity(self, name: str, fixtures: Sequence[str] | None = None, ui: Ui | None = None, *,
               all_fixtures: bool = False) -> list[FixtureParity]:
        """The local render vs SES's, per fixture and part (normalised for MIME encoding)."""
        from ses_workbench.ses.remote import parity

        ui = ui or self.ui
        return parity(self.client(), self.project, name, fixtures, all_fixtures=all_fixtures,
                      progress=ui.progress)

    def calibrate(self, ui: Ui | None = None) -> Calibration:
        """Probe how the environment renders, record it, and follow it: the session's dialect is read again
        (it changes when this environment is the one it predicts)."""
        from ses_workbench.ses.calibrate import calibrate

        ui = ui or self.ui
        result = calibrate(self.client(), self.project, progress=ui.progress)
        self.reload_dialect()
        return result


def warnings(plan: SendPlan) -> list[str]:
    """A send plan's warnings as ``warning: …`` lines."""
    return [f"warning: {w}" for w in plan.warnings]
