"""The headless session: one project, opened against one environment, with the dialect that goes with it —
what the CLI, the TUI and the notebook share.  Layer: engine ← project/domain ← ses ← **session** ← faces
(nothing here imports a face, textual or rich).

API (``from ses_workbench.session import …``)::

    s = Session(project_or_folder, env=None, *, local=None, endpoint_url=None, api=None,
                ui=None, offload=False, **client_options)   # client_options → SesClient (on_request, …)
    s.project                 # Project
    s.environment             # Environment: configured until connected, then the client's (AWS or local)
    s.dialect                 # THE dialect of local work (session.dialect.dialect_for); s.reload_dialect()
    s.client()                # SesClient, opened on first use (starts the embedded endpoint when needed)
    s.server, s.connected     # the LocalSes it started (or None); whether a client is open
    s.switch(env, local=None) # another environment: client closed, dialect re-resolved
    s.close()                 # also `with Session(...) as s:`

    s.render(target, fixture=None, *, data=None) -> RenderedEmail        # raises the template's errors
    s.preview(target, fixture=None, *, attributes=False, data=None) -> Preview   # never raises for them
    s.lint(targets=None) -> list[Diagnostic]    # None: the project; names; or Edits (unsaved buffers)
    s.lint_errors(names) -> {name: [error line, …]}
    s.compile(target) -> CompiledEmail
    s.check(name, rows, fmt=None, *, empty_cells=, max_failures=, fast=, sample=, progress=, workers=)
    s.confirm_via_ses(name, report, progress=None)

``target`` is a template name or :data:`Edits` (``EditedTemplate(base, sources, BufferFixture(...))``,
:mod:`.edits`).  :class:`Preview` (:mod:`.preview`): ``template, fixture, rendered, error`` (a picklable
:class:`RenderFailure`), ``attributes`` (``AttributeStatus`` rows, when asked for), ``ok``.
An offloading session (``offload=True``) lints :data:`~.offload.CHILD_LINT_MIN` saved templates or more in
a child interpreter (:mod:`.offload`).

SES use cases, each plan → ``ui.confirm`` → execute (``ui`` defaults to the session's)::

    s.status(names=None, ui=None, scratch=None) -> [TemplateStatus]
    s.diff(names=None, ui=None, *, against: Session | None = None) -> [TemplateDiff]
    s.push(names=None, ui=None, *, force=False, no_lint=False, dry_run=False, review=True,
           offer_force=False) -> PushResult     # asks "Push N templates to ENV?" (Plan.forceable: drift)
    s.pull(names=None, ui=None, *, force=False, dry_run=False) -> PullResult   # asks before overwriting
    s.prune(names=None, ui=None, *, dry_run=False) -> PrunePlan                # .cancelled on "no"
    s.send(name, to=None, ui=None, *, fixtures=, all_fixtures=, sender=, draft=, allow_unverified=,
           dry_run=) -> Sending(plan, report | None, cancelled)
    s.remote_render(name, fixture=None, *, data=None, pushed=None) -> RemoteRender
    s.parity(name, fixtures=None, ui=None, *, all_fixtures=False) -> [FixtureParity]
    s.calibrate(ui=None) -> Calibration        # then s.dialect follows the new calibration

The face's side is :class:`Ui` (:mod:`.ui`): ``progress(done, total, name)``,
``confirm(plan: Plan) -> "yes" | "force" | "no"``, ``note(text, severity)``; ``QuietUi`` answers one
fixed way.  The faces: ``cli/ui.py`` (``CliUi``), ``notebook/workbench.py`` (``NotebookUi``).

Tests of a face against the dialect rule use the ``calibrated_project`` fixture of ``tests/conftest.py``
(a project calibrated to a non-default dialect, and a template whose result depends on it).
"""

from __future__ import annotations

from ses_workbench.session.dialect import dialect_for
from ses_workbench.session.edits import BufferFixture, EditedTemplate, Edits
from ses_workbench.session.preview import Preview, RenderFailure
from ses_workbench.session.session import Session
from ses_workbench.session.ui import Answer, Plan, QuietUi, Ui

__all__ = ["Answer", "BufferFixture", "EditedTemplate", "Edits", "Plan", "Preview", "QuietUi",
           "RenderFailure", "Session", "Ui", "dialect_for"]
