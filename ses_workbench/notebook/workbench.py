"""``Workbench``: the notebook face of a :class:`~ses_workbench.session.Session`.

Each method mirrors a CLI command and returns a view that shows itself (:mod:`.views`).  Local work
(``render``, ``lint``, ``check``) uses the session's dialect, the one ``ses-workbench render/lint/check``
use.  Outward actions (``push``, ``send``) never happen without ``yes=True``: ``yes=`` is this face's answer
to the session's confirmation (:class:`NotebookUi`); without it they return the plan (what would be pushed,
with diffs) or the preview (who would get what).

SES is reached through the session's environment: the project's default environment — the embedded local
SES endpoint unless configured otherwise.  It is opened on first use and closed by :meth:`Workbench.close`
or at interpreter exit.
"""

from __future__ import annotations

import atexit
import contextlib
import sys
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ses_workbench.check import DEFAULT_MAX_FAILURES
from ses_workbench.errors import WorkbenchError
from ses_workbench.notebook.views import (
    CheckView,
    DiffView,
    LintView,
    Message,
    ParityView,
    PushView,
    RenderedView,
    SendView,
    StatusView,
    TemplateList,
    json_error,
)
from ses_workbench.project.errors import FixtureError
from ses_workbench.project.fixtures import parse_json
from ses_workbench.session import Answer, Plan, Session

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.check import CheckReport
    from ses_workbench.project import EmailTemplate, Project
    from ses_workbench.ses.client import SesClient

__all__ = ["NotebookUi", "Workbench"]


class NotebookUi:
    """The session's :class:`~ses_workbench.session.Ui` under a cell: progress as one line on stderr that
    updates in place (a notebook shows stderr under the cell, so a 300-template status at 1 call/s is not
    silent), notes as ``ses-workbench: …`` lines, and ``confirm`` answered by the call's ``yes=``."""

    def __init__(self, what: str = "", answer: Answer = "no", *, after: str | None = None) -> None:
        self.what = what
        self.answer: Answer = answer
        self.after = after

    def progress(self, done: int, total: int, name: str) -> None:
        if total < 2:
            return
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r{self.what}: {done}/{total} {name}".ljust(60) + end)
        sys.stderr.flush()

    def __call__(self, done: int, total: int, name: str) -> None:
        self.progress(done, total, name)

    def confirm(self, plan: Plan) -> Answer:
        if self.after is not None:  # the progress that follows is the execution's
            self.what = self.after
        return self.answer

    def note(self, text: str, severity: str = "information") -> None:
        print(f"ses-workbench: {text}", file=sys.stderr)


class Workbench:
    """A template project in a notebook: render, lint, check, and sync/send through SES.

    ``env``: an environment name from ``ses-workbench.toml`` (default: the project's default
    environment, the embedded local SES endpoint unless configured otherwise); ``local=True``
    forces the embedded endpoint.  ``remote_images=True`` lets rendered emails load remote images,
    stylesheets and fonts (blocked by default: a tracker would see every render).
    """

    def __init__(self, path: str | Path = ".", env: str | None = None, *, local: bool | None = None,
                 remote_images: bool = False) -> None:
        # auto's switch to the 2017 API (a v2 action denied) is said once, under the cell
        self.session = Session(path, env, local=local, ui=NotebookUi())
        self.remote_images = remote_images
        self._live: list[Any] = []
        # a weak reference: the exit hook must not keep a forgotten workbench alive
        atexit.register(_close_at_exit, weakref.ref(self))

    # ---------------------------------------------------------------- project
    @property
    def project(self) -> Project:
        return self.session.project

    @property
    def env(self) -> str | None:
        return self.session.env_name

    @property
    def local(self) -> bool | None:
        return self.session.local

    def __repr__(self) -> str:
        where = self.session.client().describe() if self.session.connected else "not connected"
        return f"<Workbench {self.project.root} · {len(self.project.templates)} templates · {where}>"

    def reload(self) -> Workbench:
        """Read the folder again (templates added, renamed or deleted outside the notebook)."""
        self.project.reload()
        self.session.reload_dialect()
        return self

    @property
    def templates(self) -> TemplateList:
        """The template names (shows a table in a notebook)."""
        return TemplateList(self.project)

    def template(self, name: str) -> EmailTemplate:
        return self.project.get(name)

    # ---------------------------------------------------------------- local work
    def render(self, name: str, fixture: str | None = None, data: Any = None) -> RenderedView:
        """Render locally with the calibrated dialect of SES; ``data`` (a dict or JSON text) wins over
        ``fixture``.

        A template or data SES would refuse does not raise: the view says why and where
        (``view.ok``, ``view.error``, ``view.raise_for_error()``).
        """
        tpl = self.project.get(name)
        if isinstance(data, str):
            try:  # as SES reads JSON: NaN, 10,000 levels, a 5,000-digit number are one error
                data = parse_json(data)
            except FixtureError as exc:
                raise WorkbenchError(f"data is not valid JSON: {json_error(exc)}") from None
        fixture_name: str | None = None
        if data is None and (fixture is not None or tpl.fixtures):
            fixture_name = tpl.fixture(fixture).name  # UnknownFixtureError names the close matches
        view = RenderedView(name, fixture_name, self.project.config.sender,
                            tuple(self.project.config.test_recipients), remote_images=self.remote_images)
        try:
            view.email = self.session.render(tpl, fixture_name, data=data)
        except WorkbenchError as exc:
            view.error = exc
        try:
            view.problems = [d for d in self.session.lint(tpl)
                             if d.fixture is None or d.fixture == fixture_name]
        except WorkbenchError:
            view.problems = []
        return view

    def verification_preview(self, name: str) -> RenderedView:
        """A custom verification template (``kind = "custom-verification"``) as its recipient sees it: the
        body as it is (no substitution) and the verification link SES adds after it (a placeholder here)."""
        from types import SimpleNamespace

        from ses_workbench.lint import lint_verification

        tpl = self.project.get_verification(name)
        content = tpl.compose(validate=False)
        view = RenderedView(name, None, content.from_address or None, (), remote_images=self.remote_images,
                            source="custom verification template; SES adds the verification link shown")
        view.email = SimpleNamespace(subject=content.subject, html=tpl.preview_html(), text=None)
        try:
            view.problems = lint_verification(tpl)
        except WorkbenchError:
            view.problems = []
        return view

    def lint(self, names: Sequence[str] | str | None = None) -> LintView:
        """Lint the project (or some templates) with the calibrated dialect: a table of problems."""
        if isinstance(names, str):
            names = [names]
        return LintView(self.session.lint(names))

    def check(self, name: str, rows: Any, *, max_failures: int = DEFAULT_MAX_FAILURES,
              fast: bool = True, via_ses: int = 0, empty_cells: str = "present") -> CheckView:
        """Which data rows would SES reject or drop?  ``rows``: dicts, JSON strings, a pandas DataFrame
        (dotted column names nest, NaN is missing), or a path to a JSON/JSON Lines/CSV file
        (``empty_cells="missing"``: an empty CSV cell is a missing key, as ``--empty-cells missing``).

        ``via_ses=N`` then renders N sampled rows (failing ones first) through SES's
        TestRenderEmailTemplate in this workbench's environment, paced, to confirm the verdicts.
        """
        report = self.session.check(name, rows, empty_cells=empty_cells, max_failures=max_failures, fast=fast,
                                    sample=via_ses)
        if via_ses and report.samples:
            self._confirm_via_ses(name, report)
        return CheckView(report)

    def _confirm_via_ses(self, name: str, report: CheckReport) -> None:
        """TestRenderEmailTemplate on the pushed template when it is current, else on a scratch copy."""
        progress = NotebookUi("via SES")
        self.session.confirm_via_ses(name, report, lambda done, total: progress(done, total, ""))

    # ---------------------------------------------------------------- SES
    def client(self) -> SesClient:
        """The SES client of this workbench's environment (the local endpoint starts on first use)."""
        return self.session.client()

    @property
    def environment(self) -> str:
        return self.client().environment.name

    def close(self) -> None:
        """Stop the local endpoint (if one was started) and the live-preview watchers."""
        for live in self._live:
            with contextlib.suppress(Exception):
                live.stop()
        self._live.clear()
        self.session.close()

    def __enter__(self) -> Workbench:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def status(self, names: Sequence[str] | None = None) -> StatusView:
        """Every template local vs the environment (in sync, modified locally, changed remotely, ...)."""
        rows = self.session.status(names, NotebookUi("status"))
        return StatusView(rows, self.session.environment.name)

    def diff(self, name: str | Sequence[str] | None = None) -> DiffView:
        """What a push would change: the environment's content vs the composed local content."""
        names = [name] if isinstance(name, str) else name
        return DiffView(self.session.diff(names, NotebookUi("diff")))

    def push(self, names: str | Sequence[str] | None = None, *, yes: bool = False, force: bool = False,
             no_lint: bool = False) -> PushView:
        """Push what changed.  Without ``yes=True`` nothing is pushed: the plan (with diffs) is returned."""
        if isinstance(names, str):
            names = [names]
        ui = NotebookUi("planning", "yes" if yes else "no", after="pushing")
        result = self.session.push(names, ui, force=force, no_lint=no_lint)
        if not yes:
            return PushView(result.plan, executed=False)
        return PushView(result.plan, executed=True, result=result)

    def remote_render(self, name: str, fixture: str | None = None, data: Any = None) -> RenderedView:
        """SES's own render (TestRenderEmailTemplate); a scratch copy is rendered for unpushed edits."""
        tpl = self.project.get(name)
        fixture_name = None
        if data is None:
            fx = tpl.fixture(fixture)
            fixture_name, data = fx.name, fx.data
        client = self.client()
        view = RenderedView(name, fixture_name, self.project.config.sender,
                            tuple(self.project.config.test_recipients),
                            source=f"rendered by SES ({client.environment.name})",
                            remote_images=self.remote_images)
        try:
            view.email = self.session.remote_render(name, fixture_name, data=data)
        except WorkbenchError as exc:
            view.error = exc
        return view

    def parity(self, name: str, fixture: str | Sequence[str] | None = None, *,
               all_fixtures: bool = False) -> ParityView:
        """Local render vs SES's render (TestRenderEmailTemplate), per fixture and part."""
        fixtures = [fixture] if isinstance(fixture, str) else (list(fixture) if fixture else None)
        results = self.session.parity(name, fixtures, NotebookUi("parity"), all_fixtures=all_fixtures)
        return ParityView(results)

    def send(self, name: str, to: str | Sequence[str] | None = None,
             fixtures: str | Sequence[str] | None = None, *, yes: bool = False,
             sender: str | None = None, draft: bool = False) -> SendView:
        """Test-send one message per (recipient, fixture), with every guard of ``ses-workbench send``.

        Without ``yes=True`` nothing is sent: the preview lists who would get what (and any refusal).
        ``draft=True`` sends the local edits rendered here as raw MIME, without touching the pushed template.
        """
        from ses_workbench.ses.errors import Refused

        to_list = [to] if isinstance(to, str) else (list(to) if to else None)
        fx_list = [fixtures] if isinstance(fixtures, str) else (list(fixtures) if fixtures else None)
        sending = self.session.send(name, to_list, NotebookUi("sending", "yes" if yes else "no"),
                                    fixtures=fx_list, sender=sender, draft=draft)
        plan, report = sending.plan, sending.report
        env = plan.environment
        if report is None:
            rows: list[dict[str, Any]] = [{"recipient": d.recipient, "fixture": d.fixture}
                                          for d in plan.destinations]
            notes = [f"refused: {r}" for r in plan.refusals] + [f"warning: {w}" for w in plan.warnings]
            view = SendView(name, env, False, rows, summary=plan.summary(), raw=plan, notes=notes)
            if yes and plan.refusals:
                raise Refused("Send refused: " + "; ".join(plan.refusals))
            return view
        rows = [
            {"recipient": o.recipient, "fixture": o.fixture, "status": o.status,
             "MessageId": o.message_id, "error": o.error} for o in report.outcomes]
        notes = [f"report: {report.path}"] if report.path else []
        return SendView(name, env, True, rows, summary=report.summary(), raw=report, notes=notes)

    # ---------------------------------------------------------------- live preview
    def live(self, name: str) -> Any:
        """A fixture picker and JSON editor beside the preview, re-rendering on every change and
        when the template's files change on disk (needs ``pip install 'ses-workbench[jupyter]'``).
        """
        try:
            import ipywidgets  # type: ignore[import-untyped]  # noqa: F401
        except ImportError:
            return Message("The live preview needs ipywidgets: pip install 'ses-workbench[jupyter]' "
                           "(then restart the kernel). wb.render(name, fixture) works without it.")
        from ses_workbench.notebook.live import LivePreview

        live = LivePreview(self, name)
        self._live.append(live)
        return live.widget


def _close_at_exit(ref: weakref.ref[Workbench]) -> None:
    wb = ref()
    if wb is not None:
        wb.close()
