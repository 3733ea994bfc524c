"""Carrying out a push: :func:`execute_push` writes a plan's creates and updates, reading each template
again right before the write and refusing what changed in SES since the plan (drift), backing up the
content an update overwrites and recording each pushed hash; :func:`push` plans and pushes in one go.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ses_workbench.ses.client import SesClient
from ses_workbench.ses.errors import SesError
from ses_workbench.ses.state import SyncState
from ses_workbench.ses.sync.compare import Progress, State, _folder_problems, _noop, classify
from ses_workbench.ses.sync.push_plan import PushItem, PushPlan, _plan_item, plan_push, selected_for_push

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import Project


@dataclass
class PushResult:
    plan: PushPlan
    dry_run: bool = False
    cancelled: bool = False

    @property
    def pushed(self) -> list[PushItem]:
        return [i for i in self.plan.items if i.done]

    @property
    def drifted(self) -> list[PushItem]:
        """Planned creates/updates refused at push time because SES changed since the plan."""
        return [i for i in self.plan.items if i.drift]

    @property
    def failed(self) -> list[PushItem]:
        return [i for i in self.plan.items if i.error and not i.drift]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.drifted and not self.plan.refused and not self.cancelled


def _push_item(client: SesClient, state: SyncState, env: str, item: PushItem, *, reread: bool) -> None:
    """Create or update one planned template; ``reread``: GET it again first (the plan is not fresh).

    An update backs up what SES holds right before the write and refuses (``item.drift``) when that is no
    longer what the plan saw; a create that meets an existing template is refused the same way.  When the
    backup cannot be written SES is not touched.
    """
    from ses_workbench.ses.errors import CredentialsError, EndpointUnreachable, UnknownRegion
    from ses_workbench.ses.state import StateWriteError

    assert item.local is not None
    try:
        written = _update(client, state, env, item, reread) if item.action == "update" else \
            _create(client, state, env, item)
    except (CredentialsError, EndpointUnreachable, UnknownRegion):
        raise
    except SesError as exc:
        item.error = str(exc)
        return
    except StateWriteError as exc:
        item.error = f"{exc}: not pushed (the backup of SES's content comes first)"
        return
    if not written:
        return
    item.done = True
    try:
        state.remember(env, item.name, item.remote_name, item.local.content_hash(), "push")
    except StateWriteError as exc:
        item.warning = f"pushed, but the push record was not saved: {exc}"


_DRIFT_REASON = {State.CHANGED_REMOTELY: "changed remotely since the plan",
                 State.CONFLICT: "changed remotely since the plan",
                 State.UNTRACKED: "changed remotely since the plan",
                 State.MODIFIED_LOCALLY: "changed back remotely since the plan",
                 State.LOCAL_ONLY: "deleted remotely since the plan"}


def _update(client: SesClient, state: SyncState, env: str, item: PushItem, reread: bool) -> bool:
    """The update step of :func:`_push_item`; False when refused as drift (or found already done)."""
    from ses_workbench.ses.state import StateWriteError

    assert item.local is not None
    planned = item.remote
    now = client.get_template(item.name) if reread else planned
    if now is not None and planned is not None and now.content_hash() == planned.content_hash():
        item.backup = state.backup(env, item.name, item.remote_name, now)  # raises: SES untouched
        client.upsert_template(item.name, item.local, exists=True)
        return True
    # SES no longer holds what the plan showed: re-classify against what it holds now.
    current = classify(item.local, now, state.baseline(env, item.name, item.remote_name))
    item.state = current
    if current is State.IN_SYNC:  # someone pushed this very content meanwhile: nothing to do
        item.reason = "already in SES (pushed meanwhile)"
        return True
    item.drift = True
    what = _DRIFT_REASON.get(current, "changed remotely since the plan")
    if now is None:
        item.error = f"{what}: nothing pushed (push again to create it)"
        return False
    try:
        item.backup = state.backup(env, item.name, item.remote_name, now)
        kept = f"SES's current content is backed up in {item.backup}"
    except StateWriteError as exc:
        kept = f"SES's current content could not be backed up ({exc})"
    item.error = (f"{what}: nothing overwritten; {kept} (see `diff {item.name}`, then push again)")
    return False


def _create(client: SesClient, state: SyncState, env: str, item: PushItem) -> bool:
    """The create step of :func:`_push_item`; False when the name was taken since the plan (drift)."""
    from ses_workbench.ses.errors import TemplateAlreadyExists
    from ses_workbench.ses.state import StateWriteError

    assert item.local is not None
    try:
        client.upsert_template(item.name, item.local, exists=False)
        return True
    except TemplateAlreadyExists:
        pass
    item.drift = True
    item.state = State.UNTRACKED
    kept = ""
    try:
        now = client.get_template(item.name)
        if now is not None:
            if now.content_hash() == item.local.content_hash():
                item.drift, item.state = False, State.IN_SYNC
                item.reason = "already in SES (pushed meanwhile)"
                return True
            item.backup = state.backup(env, item.name, item.remote_name, now)
            kept = f"; SES's content is backed up in {item.backup}"
    except (SesError, StateWriteError) as exc:
        from ses_workbench.ses.errors import CredentialsError, EndpointUnreachable, UnknownRegion

        if isinstance(exc, (CredentialsError, EndpointUnreachable, UnknownRegion)):
            raise
        kept = f"; SES's content could not be backed up ({exc})"
    item.error = (f"created remotely since the plan (a template this push did not make): nothing "
                  f"overwritten{kept} (pull it, or push again to see the diff)")
    return False


def execute_push(client: SesClient, project: Project, plan: PushPlan,
                 progress: Progress | None = None) -> PushResult:
    """Carry out a plan's creates/updates: back up overwritten content, record hashes as we go.

    The plan may be old (a person read its diff): each update GETs the template again right before
    writing it and goes ahead only when SES still holds what the plan saw — that content is backed up
    first; otherwise the template is refused as drift (``item.drift``, ``item.error`` names the backup
    of what SES holds now).  SES has no conditional write, so the window left is the one pacing interval
    between that GET and the update.  A create that finds the name taken is drift too, never an update.

    One failing template does not stop the others; its ``error`` says why.  Credentials and
    connection errors stop the push (nothing else could succeed).
    """
    progress = progress or _noop
    state = SyncState(project.state_dir)
    todo = plan.changes
    for i, item in enumerate(todo):
        progress(i, len(todo), item.name)
        _push_item(client, state, plan.environment, item, reread=True)
    progress(len(todo), len(todo), "")
    return PushResult(plan)


def push(client: SesClient, project: Project, names: Sequence[str] | None = None, *, force: bool = False,
         dry_run: bool = False, no_lint: bool = False, confirm: Callable[[PushPlan], bool] | None = None,
         progress: Progress | None = None, dialect: Any = None) -> PushResult:
    """Plan, ask ``confirm(plan)`` once (when there is anything to do), then push only what changed.

    Without ``confirm`` (``--yes``, scripts) planning and pushing are interleaved template by
    template, so composing and linting one template overlaps the pacing wait of the previous call:
    the push takes as long as SES's rate limit says and no longer.  The result is the same.
    """
    if dry_run or confirm is not None:
        plan = plan_push(client, project, names, force=force, no_lint=no_lint, progress=progress,
                         dialect=dialect)
        if dry_run or not plan.changes:
            return PushResult(plan, dry_run=dry_run)
        if not confirm(plan):  # type: ignore[misc]
            return PushResult(plan, cancelled=True)
        return execute_push(client, project, plan, progress)
    progress = progress or _noop
    selected = selected_for_push(project, names)
    remote = {t.name for t in client.list_templates()}
    state = SyncState(project.state_dir)
    plan = PushPlan(client.environment.name, [], force)
    for i, name in enumerate(selected):
        progress(i, len(selected), name)
        item = _plan_item(client, project, name, remote, state, force=force, no_lint=no_lint, linted={},
                          dialect=dialect)
        plan.items.append(item)
        if item.action in ("create", "update"):  # planned just now: the plan's GET is the fresh read
            _push_item(client, state, plan.environment, item, reread=False)
    plan.items += [PushItem(n, "refuse", State.ERROR, why) for n, why in _folder_problems(project, names)]
    progress(len(selected), len(selected), "")
    return PushResult(plan)
