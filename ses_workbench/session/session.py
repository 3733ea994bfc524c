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
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ses_workbench.errors import WorkbenchError
from ses_workbench.project import EmailTemplate, Project
from ses_workbench.session.dialect import dialect_for
from ses_workbench.session.preview import Preview, preview
from ses_workbench.session.ui import QuietUi, Ui

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.check import CheckReport
    from ses_workbench.engine import Dialect
    from ses_workbench.lint import Diagnostic
    from ses_workbench.project import Environment, Fixture
    from ses_workbench.render import CompiledEmail, RenderedEmail
    from ses_workbench.ses.client import SesClient
    from ses_workbench.ses.local import LocalSes

__all__ = ["Session"]


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
