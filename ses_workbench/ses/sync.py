"""Sync between the template folders and an SES environment: status, diff, push, pull.

What is compared and pushed is always the *composed* content (layouts applied, text part
generated) — exactly what ``EmailTemplate.compose()`` returns and SES stores.  The state
folder remembers the hash of what we last pushed (or pulled) per environment; that baseline
is how ``status`` tells "modified locally" from "changed remotely since our last push", and
how ``push`` refuses to overwrite someone else's change (unless ``force``, and then only
after backing the remote content up).  The check is made again right before each write
(:func:`execute_push`): what changed in SES while a person read the plan is refused, not overwritten.

SES has no last-modified date and ListEmailTemplates returns names only, so every
comparison costs one paced GetEmailTemplate per template present on both sides; every
multi-template function therefore reports progress through ``progress(done, total, name)``.

Python API (CLI, TUI workers and the notebook call these)::

    status(client, project, names=None, progress=None) -> list[TemplateStatus]
    diff(client, project, names=None, against=None, progress=None) -> list[TemplateDiff]
    plan_push(client, project, names=None, force=False, no_lint=False, progress=None) -> PushPlan
    forced(plan) -> PushPlan        # the drift refusals of a shown plan, forced over what it showed
    execute_push(client, project, plan, progress=None) -> PushResult   # re-reads; drift since: refused
    push(client, project, names=None, *, force, dry_run, no_lint, confirm, progress) -> PushResult
    pull(client, project, names=None, *, force, dry_run, confirm, progress) -> PullResult
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ses_workbench.errors import WorkbenchError
from ses_workbench.project.content import PARTS
from ses_workbench.ses.client import RemoteTemplate, SesClient
from ses_workbench.ses.errors import Refused, SesError
from ses_workbench.ses.state import SyncState

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import EmailTemplate, Project, TemplateContent

__all__ = ["State", "TemplateStatus", "TemplateDiff", "PartDiff", "PushItem", "PushPlan", "PushResult",
           "PullItem", "PullResult", "Progress", "status", "diff", "plan_push", "forced", "execute_push",
           "push", "pull", "selected_for_push", "unified_part_diff", "classify"]

Progress = Callable[[int, int, str], None]
#: ``linter(names, dialect)`` → each name's lint error lines (see :func:`plan_push`).
Linter = Callable[[list[str], Any], Mapping[str, list[str]]]


class State(str, Enum):
    """Where one template stands between the folder and an environment."""

    IN_SYNC = "in-sync"
    MODIFIED_LOCALLY = "modified-locally"      # remote is what we last pushed; local edits since
    CHANGED_REMOTELY = "changed-remotely"      # local is what we last pushed; someone changed SES
    CONFLICT = "conflict"                      # both changed since our last push
    UNTRACKED = "untracked"                    # both exist, differ, and we never pushed/pulled it here
    LOCAL_ONLY = "local-only"
    REMOTE_ONLY = "remote-only"
    ERROR = "error"                            # local content does not compose (layout error...)

    def __str__(self) -> str:
        return self.value

    @property
    def drifted(self) -> bool:
        """Remote content we did not put there: push refuses to overwrite it without force."""
        return self in (State.CHANGED_REMOTELY, State.CONFLICT, State.UNTRACKED)


@dataclass
class TemplateStatus:
    name: str
    state: State
    remote_name: str | None = None
    local_hash: str | None = None
    remote_hash: str | None = None
    baseline_hash: str | None = None
    local: TemplateContent | None = field(default=None, repr=False)
    remote: TemplateContent | None = field(default=None, repr=False)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "state": self.state.value, "remote_name": self.remote_name,
                "local_hash": self.local_hash, "remote_hash": self.remote_hash,
                "baseline_hash": self.baseline_hash, "error": self.error}


def _noop(done: int, total: int, name: str) -> None:
    return None


def _compose(project: Project, name: str) -> tuple[TemplateContent | None, str | None]:
    try:
        return project.get(name).compose(), None
    except WorkbenchError as exc:
        return None, str(exc)


def _folder_problems(project: Project, names: Sequence[str] | None) -> list[tuple[str, str]]:
    """``(folder name, why)`` for each folder that looks like a template but is not one (a name SES
    rejects, a link out of the project): ``status`` lists and ``push`` refuses them, never leaves them out
    silently.  Only when no names were asked for."""
    if names:
        return []
    return [(p.path.name, p.message) for p in project.problems if p.path is not None]


def classify(local: TemplateContent | None, remote: TemplateContent | None,
             baseline: str | None) -> State:
    """The :class:`State` of one template from its composed local content, SES's content and the baseline.

    ``baseline`` is the content hash last pushed/pulled for this environment (None: never).  Pure: no SES
    call, so a UI can re-classify after a local save from the last known remote content.
    """
    if local is None and remote is None:
        return State.ERROR
    if remote is None:
        return State.LOCAL_ONLY
    if local is None:
        return State.REMOTE_ONLY
    lh, rh = local.content_hash(), remote.content_hash()
    if lh == rh:
        return State.IN_SYNC
    if baseline is None:
        return State.UNTRACKED
    if rh == baseline:
        return State.MODIFIED_LOCALLY
    if lh == baseline:
        return State.CHANGED_REMOTELY
    return State.CONFLICT


def _select(project: Project, client: SesClient, names: Sequence[str] | None,
            remote_names: Iterable[str]) -> list[str]:
    remote = set(remote_names)
    if not names:
        return sorted(set(project.templates) | remote)
    unknown = [n for n in names if n not in project.templates and n not in remote]
    if unknown:
        if len(unknown) == 1:
            project.get(unknown[0])  # raises UnknownTemplateError with close matches
        raise Refused(f"No template named {', '.join(repr(n) for n in unknown)} locally or in "
                      f"{client.environment.name}.")
    return list(dict.fromkeys(names))


def status(client: SesClient, project: Project, names: Sequence[str] | None = None,
           progress: Progress | None = None, scratch: list[RemoteTemplate] | None = None
           ) -> list[TemplateStatus]:
    """Every template (or ``names``) local and remote, classified; one GetEmailTemplate per shared name.

    ``scratch``: a list that receives the workbench's scratch templates the same listing found (see
    :func:`ses_workbench.ses.remote.scratch_templates`).
    """
    from ses_workbench.ses.client import SCRATCH_PREFIX

    progress = progress or _noop
    env = client.environment.name
    remote: dict[str, RemoteTemplate] = {}
    for t in client.list_templates(include_scratch=True):
        if t.name.startswith(SCRATCH_PREFIX):
            if scratch is not None:
                scratch.append(t)
        else:
            remote[t.name] = t
    selected = _select(project, client, names, remote)
    state = SyncState(project.state_dir)
    out: list[TemplateStatus] = []
    for i, name in enumerate(selected):
        progress(i, len(selected), name)
        local_exists = name in project.templates
        local, error = _compose(project, name) if local_exists else (None, None)
        remote_content = client.get_template(name) if name in remote else None
        remote_name = client.environment.remote_name(name)
        baseline = state.baseline(env, name, remote_name)
        if local_exists and local is None:
            st = TemplateStatus(name, State.ERROR, remote_name, error=error,
                                remote=remote_content, baseline_hash=baseline,
                                remote_hash=remote_content.content_hash() if remote_content else None)
        else:
            st = TemplateStatus(name, classify(local, remote_content, baseline), remote_name,
                                local.content_hash() if local else None,
                                remote_content.content_hash() if remote_content else None,
                                baseline, local, remote_content)
        out.append(st)
    out += [TemplateStatus(n, State.ERROR, error=why) for n, why in _folder_problems(project, names)]
    progress(len(selected), len(selected), "")
    return out


# ------------------------------------------------------------------------------------------ diff
@dataclass
class PartDiff:
    part: str
    lines: list[str]  # unified diff lines (no trailing newlines); empty when the part is the same

    @property
    def changed(self) -> bool:
        return bool(self.lines)


@dataclass
class TemplateDiff:
    """``old`` → ``new``: by default remote (``old_label`` = env) → local (what a push would change)."""

    name: str
    old_label: str
    new_label: str
    old: TemplateContent | None = field(default=None, repr=False)
    new: TemplateContent | None = field(default=None, repr=False)
    parts: list[PartDiff] = field(default_factory=list)
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.error is not None or self.old is None or self.new is None or \
            any(p.changed for p in self.parts)

    @property
    def summary(self) -> str:
        if self.error:
            return f"{self.name}: {self.error}"
        if self.old is None and self.new is None:
            return f"{self.name}: absent on both sides"
        if self.old is None:
            return f"{self.name}: only in {self.new_label}"
        if self.new is None:
            return f"{self.name}: only in {self.old_label}"
        changed = [p.part for p in self.parts if p.changed]
        return f"{self.name}: {'differs in ' + ', '.join(changed) if changed else 'same'}"

    def unified(self) -> str:
        """The whole diff as text (``---``/``+++`` headers per part), as ``git diff`` would show it."""
        lines: list[str] = []
        for p in self.parts:
            lines.extend(p.lines)
        return "\n".join(lines) + ("\n" if lines else "")


def unified_part_diff(name: str, part: str, old: str | None, new: str | None, old_label: str,
                      new_label: str, context: int = 3) -> list[str]:
    """Unified diff of one part's source; absent parts diff as empty (and say so in the header)."""
    if (old or "") == (new or "") and (old is None) == (new is None):
        return []
    a = (old or "").splitlines()
    b = (new or "").splitlines()
    fa = f"{old_label}/{name}/{part}" + ("" if old is not None else " (absent)")
    fb = f"{new_label}/{name}/{part}" + ("" if new is not None else " (absent)")
    out = list(difflib.unified_diff(a, b, fa, fb, n=context, lineterm=""))
    if not out:  # only a trailing newline or absent-vs-empty differs
        out = [f"--- {fa}", f"+++ {fb}", "@@ -1 +1 @@",
               f"-{old!r}" if old is not None else "-(absent)",
               f"+{new!r}" if new is not None else "+(absent)"]
    return out


def _diff_contents(name: str, old: TemplateContent | None, new: TemplateContent | None, old_label: str,
                   new_label: str) -> TemplateDiff:
    td = TemplateDiff(name, old_label, new_label, old, new)
    for part in PARTS:
        o = getattr(old, part) if old is not None else None
        n = getattr(new, part) if new is not None else None
        if part == "html":  # SES stores "no HTML part" and "" the same way
            o = o or None
            n = n or None
        td.parts.append(PartDiff(part, unified_part_diff(name, part, o, n, old_label, new_label)))
    return td


def diff(client: SesClient, project: Project, names: Sequence[str] | None = None,
         against: SesClient | None = None, progress: Progress | None = None) -> list[TemplateDiff]:
    """Per-part unified diffs.

    Without ``against``: the environment's content (old) vs the composed local content (new), i.e.
    what ``push`` would change.  With ``against`` (``--env A --against B``): B (old) vs A (new).
    """
    progress = progress or _noop
    if against is None:
        remote = {t.name for t in client.list_templates()}
        selected = _select(project, client, names, remote)
        label = f"ses:{client.environment.name}"
        out: list[TemplateDiff] = []
        for i, name in enumerate(selected):
            progress(i, len(selected), name)
            local, error = _compose(project, name) if name in project.templates else (None, None)
            rc = client.get_template(name) if name in remote else None
            if error:
                td = TemplateDiff(name, label, "local", rc, None, error=error)
            else:
                td = _diff_contents(name, rc, local, label, "local")
            out.append(td)
        progress(len(selected), len(selected), "")
        return out

    a_names = {t.name for t in client.list_templates()}
    b_names = {t.name for t in against.list_templates()}
    selected = list(dict.fromkeys(names)) if names else sorted(a_names | b_names)
    if names:
        unknown = [n for n in names if n not in a_names and n not in b_names]
        if unknown:
            raise Refused(f"No template named {', '.join(repr(n) for n in unknown)} in "
                          f"{client.environment.name} or {against.environment.name}.")
    a_label, b_label = f"ses:{client.environment.name}", f"ses:{against.environment.name}"
    if a_label == b_label:
        a_label, b_label = f"{a_label}(a)", f"{b_label}(b)"
    out = []
    for i, name in enumerate(selected):
        progress(i, len(selected), name)
        new = client.get_template(name) if name in a_names else None
        old = against.get_template(name) if name in b_names else None
        out.append(_diff_contents(name, old, new, b_label, a_label))
    progress(len(selected), len(selected), "")
    return out


# ------------------------------------------------------------------------------------------ push
@dataclass
class PushItem:
    """One template in a push plan: ``action`` is create / update / skip / refuse."""

    name: str
    action: str
    state: State | None = None
    reason: str = ""
    remote_name: str = ""
    local: TemplateContent | None = field(default=None, repr=False)
    remote: TemplateContent | None = field(default=None, repr=False)
    diff: TemplateDiff | None = field(default=None, repr=False)
    # filled in by execute_push
    done: bool = False
    backup: Path | None = None
    error: str | None = None
    drift: bool = False          # refused at push time: SES changed since the plan (``error`` says how)
    warning: str | None = None   # pushed, but something around it failed (the push record not saved)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "action": self.action, "state": str(self.state) if self.state else None,
                "reason": self.reason, "remote_name": self.remote_name, "done": self.done,
                "backup": str(self.backup) if self.backup else None, "error": self.error,
                "drift": self.drift, "warning": self.warning}


@dataclass
class PushPlan:
    environment: str
    items: list[PushItem]
    force: bool = False

    def by_action(self, action: str) -> list[PushItem]:
        return [i for i in self.items if i.action == action]

    @property
    def changes(self) -> list[PushItem]:
        return [i for i in self.items if i.action in ("create", "update")]

    @property
    def refused(self) -> list[PushItem]:
        return self.by_action("refuse")

    def summary(self) -> str:
        """Counts by action; a create/update refused at push time as drift counts as refused."""
        counts = {a: len([i for i in self.by_action(a) if not i.drift])
                  for a in ("create", "update", "skip", "refuse")}
        counts["refuse"] += sum(1 for i in self.items if i.drift)
        return (f"{self.environment}: {counts['create']} to create, {counts['update']} to update, "
                f"{counts['skip']} unchanged, {counts['refuse']} refused")


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


def _lint_errors(project: Project, name: str, dialect: Any = None) -> list[str]:
    from ses_workbench.engine import DEFAULT_DIALECT
    from ses_workbench.lint import lint_template

    diags = lint_template(project.get(name), dialect or DEFAULT_DIALECT, config=project.config)
    return [str(d) for d in diags if d.is_error]


def _env_dialect(project: Project, env: str) -> Any:
    """Lint for an environment with the dialect calibrated for it (the defaults when never calibrated)."""
    from ses_workbench.ses.calibrate import load_dialect

    return load_dialect(project, env)


def selected_for_push(project: Project, names: Sequence[str] | None) -> list[str]:
    """The templates a push of ``names`` covers, each once (``None``/empty: every template); an unknown name
    raises UnknownTemplateError with close matches."""
    if names:
        for n in names:
            project.get(n)  # UnknownTemplateError with close matches
        return list(dict.fromkeys(names))
    return list(project.templates)


def _plan_item(client: SesClient, project: Project, name: str, remote: set[str], state: SyncState, *,
               force: bool, no_lint: bool, linted: Mapping[str, list[str]], dialect: Any = None) -> PushItem:
    env = client.environment.name
    remote_name = client.remote_name(name)
    local, error = _compose(project, name)
    if local is None:
        return PushItem(name, "refuse", State.ERROR, error or "does not compose", remote_name)
    if not no_lint:
        errors = linted[name] if name in linted else _lint_errors(
            project, name, dialect if dialect is not None else _env_dialect(project, env))
        if errors:
            more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
            return PushItem(name, "refuse", None, f"lint error: {errors[0]}{more}", remote_name, local)
    rc = client.get_template(name) if name in remote else None
    st = classify(local, rc, state.baseline(env, name, remote_name))
    td = _diff_contents(name, rc, local, f"ses:{env}", "local")
    if st is State.IN_SYNC:
        return PushItem(name, "skip", st, "unchanged", remote_name, local, rc, td)
    if st is State.LOCAL_ONLY:
        return PushItem(name, "create", st, "new", remote_name, local, None, td)
    if st.drifted and not force:
        why = {State.CHANGED_REMOTELY: "changed remotely since our last push",
               State.CONFLICT: "changed remotely and locally since our last push",
               State.UNTRACKED: "exists remotely with other content that was not pushed from here"}[st]
        return PushItem(name, "refuse", st, f"{why} (use --force to overwrite; a backup is kept, "
                        "or pull it first)", remote_name, local, rc, td)
    return PushItem(name, "update", st, "forced over drift" if st.drifted else "modified",
                    remote_name, local, rc, td)


def plan_push(client: SesClient, project: Project, names: Sequence[str] | None = None, *,
              force: bool = False, no_lint: bool = False,
              progress: Progress | None = None, linter: Linter | None = None,
              linted: Mapping[str, list[str]] | None = None, dialect: Any = None) -> PushPlan:
    """Decide, per template, whether a push creates, updates, skips (same content) or refuses.

    Refused: the template does not compose, fails lint (unless ``no_lint``), or SES holds content we
    did not push there (changed remotely / conflict / untracked) unless ``force``.

    ``linted`` holds each name's lint error lines when the caller linted the selection already (the
    session, which may lint in another process); ``linter(names, dialect)`` is asked for them instead.
    A name left out is linted here, with ``dialect`` (default: the one calibrated for the environment).
    """
    progress = progress or _noop
    selected = selected_for_push(project, names)
    remote = {t.name for t in client.list_templates()}
    state = SyncState(project.state_dir)
    linted = dict(linted or {})
    if linter is not None and not no_lint:
        progress(0, len(selected), "")
        linted.update(linter(selected, dialect if dialect is not None else
                             _env_dialect(project, client.environment.name)))
    items: list[PushItem] = []
    for i, name in enumerate(selected):
        progress(i, len(selected), name)
        items.append(_plan_item(client, project, name, remote, state, force=force, no_lint=no_lint,
                                linted=linted, dialect=dialect))
    items += [PushItem(n, "refuse", State.ERROR, why) for n, why in _folder_problems(project, names)]
    progress(len(selected), len(selected), "")
    return PushPlan(client.environment.name, items, force)


def forced(plan: PushPlan) -> PushPlan:
    """``plan`` with its drift refusals turned into forced updates over the content the plan saw (what a
    UI showed before its user chose "force"); lint and compose refusals stay.  :func:`execute_push` then
    still refuses a template SES changed again after this plan was made — unlike planning anew with
    ``force``, which would overwrite content nobody looked at."""
    from dataclasses import replace

    items = [replace(i, action="update", reason="forced over drift")
             if i.action == "refuse" and i.state is not None and i.state.drifted and i.remote is not None
             and i.local is not None else i for i in plan.items]
    return PushPlan(plan.environment, items, force=True)


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


# ------------------------------------------------------------------------------------------ pull
@dataclass
class PullItem:
    """``action``: create (new folder) / update (overwrite parts) / skip (same) / refuse (local edits, or a
    part whose jinja2 source a pull would replace with composed content).

    An update writes only the parts whose composed local content differs from SES's: ``writes`` (file
    names written) and ``removes`` (removed: SES has no such part); ``flattens`` names the files among them
    whose jinja2 source is replaced (only with ``force``); ``notes`` says what else the user should know.
    """

    name: str
    action: str
    reason: str = ""
    remote: TemplateContent | None = field(default=None, repr=False)
    remote_name: str = ""
    overwrites_edits: bool = False
    done: bool = False
    error: str | None = None
    backup: Path | None = None  # update: copies of the part files it replaced
    writes: list[str] = field(default_factory=list)
    removes: list[str] = field(default_factory=list)
    flattens: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    parts: tuple[str, ...] | None = field(default=None, repr=False)  # update: the parts to write/remove

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "action": self.action, "reason": self.reason, "done": self.done,
                "overwrites_edits": self.overwrites_edits, "error": self.error,
                "backup": str(self.backup) if self.backup else None, "writes": self.writes,
                "removes": self.removes, "flattens": self.flattens, "notes": self.notes}


@dataclass
class PullResult:
    environment: str
    items: list[PullItem]
    dry_run: bool = False
    cancelled: bool = False

    @property
    def pulled(self) -> list[PullItem]:
        return [i for i in self.items if i.done]

    @property
    def refused(self) -> list[PullItem]:
        return [i for i in self.items if i.action == "refuse"]

    @property
    def ok(self) -> bool:
        return not self.refused and not any(i.error for i in self.items) and not self.cancelled


def pull(client: SesClient, project: Project, names: Sequence[str] | None = None, *, force: bool = False,
         dry_run: bool = False, confirm: Callable[[PullResult], bool] | None = None,
         progress: Progress | None = None) -> PullResult:
    """Import remote templates into template folders.

    A new name becomes a new folder (``Project.create_template``).  An existing folder is updated
    only when its composed content is still what we last pushed/pulled (no local edits) or ``force``;
    otherwise it is refused.  An update writes only the parts whose *composed* content differs from SES's
    (``item.writes``/``item.removes``): a layout-based part SES did not change keeps its jinja2 source, and
    a generated text part stays generated when SES's text is what it generates.  A part that differs and
    has jinja2 source (``{%`` / ``[[``) would be flattened into composed content: the template is refused
    naming the file(s), unless ``force`` (``item.flattens``).  With ``force``, ``confirm(result)`` is asked
    once before local edits are overwritten (``item.overwrites_edits``).  What was pulled becomes the
    baseline for ``status``; the part files an update replaces are copied to ``backups/<env>/`` first
    (``item.backup``).
    """
    from ses_workbench.attributes import starter_fixture
    from ses_workbench.project.importexport import ses_content_meta

    progress = progress or _noop
    env = client.environment.name
    remote = {t.name: t for t in client.list_templates()}
    if names:
        missing = [n for n in names if n not in remote]
        if missing:
            raise Refused(f"{env} has no template {', '.join(repr(n) for n in missing)}.")
        selected = list(dict.fromkeys(names))
    else:
        selected = sorted(remote)
    state = SyncState(project.state_dir)
    result = PullResult(env, [], dry_run)
    for i, name in enumerate(selected):
        progress(i, len(selected), name)
        rc = client.get_template(name)
        if rc is None:  # deleted between list and get
            result.items.append(PullItem(name, "skip", "no longer exists remotely"))
            continue
        remote_name = remote[name].remote_name
        if name not in project.templates:
            item = PullItem(name, "create", "new", rc, remote_name=remote_name)
        else:
            item = _plan_pull_update(project, name, rc, remote_name, state.baseline(env, name, remote_name),
                                     force=force)
        result.items.append(item)
    progress(len(selected), len(selected), "")
    if dry_run:
        return result
    if confirm is not None and any(i.overwrites_edits for i in result.items) and not confirm(result):
        result.cancelled = True
        return result
    for item in result.items:
        if item.action not in ("create", "update") or item.remote is None:
            if item.action == "skip" and item.remote is not None:
                state.remember(env, item.name, item.remote_name, item.remote.content_hash(), "pull")
            continue
        try:
            if item.action == "create":
                starter = starter_fixture(item.remote)  # something to render and lint with at once
                project.create_template(item.name, item.remote,
                                        fixtures={"default": starter} if starter is not None else None,
                                        description=f"pulled from {env} ({item.remote_name})",
                                        meta=ses_content_meta(project, item.remote))
            else:
                item.backup = _overwrite_parts(project, item.name, item.remote, env, item.parts)
        except WorkbenchError as exc:
            item.error = str(exc)
            continue
        except OSError as exc:  # disk full, permissions: this template is left as it was
            item.error = f"could not write {item.name}: {exc.strerror or exc}; its files are unchanged"
            continue
        item.done = True
        state.remember(env, item.name, item.remote_name, item.remote.content_hash(), "pull")
    return result


_PART_WHAT = {"subject": "subject", "html": "HTML", "text": "text"}
_GENERATED_TEXT_NOTE = "body.txt written: SES's text part differs from the generated one"


def _parts_to_pull(tpl: EmailTemplate, local: TemplateContent | None, rc: TemplateContent
                   ) -> tuple[tuple[str, ...], list[str]]:
    """The parts a pull must write (or remove) so the template composes to ``rc``, and notes about them.

    Only parts whose *composed* local content differs from SES's: a layout-based part that composes to
    what SES has keeps its jinja2 source.  A generated text part stays generated when SES's text is what
    the generator makes of SES's HTML (the HTML the folder composes to after the pull); otherwise body.txt
    is written (SES has hand-made text) and a note says so.  ``local`` None (the folder does not compose):
    every part.
    """
    if local is None:
        return PARTS, []
    parts: list[str] = []
    notes: list[str] = []
    if local.subject != rc.subject:
        parts.append("subject")
    if (local.html or "") != (rc.html or ""):
        parts.append("html")
    if tpl.has_part("text"):
        if local.text != rc.text:
            parts.append("text")
    elif rc.text is not None:
        if tpl.text_policy == "generate" and rc.html:
            from ses_workbench.project.textgen import generate_text

            if generate_text(rc.html) != rc.text:
                parts.append("text")
                notes.append(_GENERATED_TEXT_NOTE)
        else:
            parts.append("text")
            if tpl.text_generated:  # generated now, not after the pull (SES has no HTML)
                notes.append(_GENERATED_TEXT_NOTE)
    # rc.text None and no body.txt: nothing to write (ses_content_changes makes the policy "optional")
    return tuple(parts), notes


def _jinja_parts(tpl: EmailTemplate, parts: Iterable[str]) -> list[str]:
    """The parts among ``parts`` whose file exists and holds jinja2 (layouts, ``[[ var ]]``); a part kept
    as plain SES content (``plain_parts``) holds none, whatever its text looks like."""
    from ses_workbench.project.layouts import needs_jinja

    out: list[str] = []
    plain = tpl.plain_parts
    for part in parts:
        if part in plain:
            continue
        try:
            source = tpl.source(part)
        except WorkbenchError:  # unreadable: not known to be jinja2 (the backup keeps its bytes)
            continue
        if source is not None and needs_jinja(source):
            out.append(part)
    return out


def _file(name: str, part: str) -> str:
    from ses_workbench.project import PART_FILES

    return f"{name}/{PART_FILES[part]}"


def _removed(part: str, rc: TemplateContent) -> bool:
    return (part == "html" and not rc.html) or (part == "text" and rc.text is None)


def _flatten_reason(tpl: EmailTemplate, parts: list[str], rc: TemplateContent) -> str:
    """``welcome/body.html uses a layout: pulling would replace its jinja2 source with the composed HTML``."""
    clauses: list[str] = []
    for part in parts:
        source = tpl.source(part) or ""
        uses = "uses a layout" if "{%" in source else "uses layout variables"
        what = (f"remove it (SES's template has no {_PART_WHAT[part]} part)" if _removed(part, rc)
                else f"replace its jinja2 source with the composed {_PART_WHAT[part]}")
        clauses.append(f"{_file(tpl.name, part)} {uses}: pulling would {what}")
    return "; ".join(clauses)


def _plan_pull_update(project: Project, name: str, rc: TemplateContent, remote_name: str,
                      baseline: str | None, *, force: bool) -> PullItem:
    """What a pull does to an existing folder: skip, update (only the parts that differ) or refuse."""
    from ses_workbench.project import PART_FILES

    local, _error = _compose(project, name)
    if local is not None and local.content_hash() == rc.content_hash():
        return PullItem(name, "skip", "unchanged", rc, remote_name=remote_name)
    tpl = project.get(name)
    parts, notes = _parts_to_pull(tpl, local, rc)
    jinja = _jinja_parts(tpl, parts)
    edited = not (local is not None and baseline is not None and local.content_hash() == baseline)
    if not force:
        if edited:
            why = "has local edits since the last push/pull" if baseline is not None else \
                "exists locally with other content"
            also = ""
            if jinja:
                files = ", ".join(_file(name, p) for p in jinja)
                also = f"; that also replaces the jinja2 source of {files} with composed content"
            return PullItem(name, "refuse", f"{why} (use --force to overwrite the local files{also})", rc,
                            remote_name=remote_name)
        if jinja:
            reason = _flatten_reason(tpl, jinja, rc) + " (use --force to do it anyway; a backup is kept)"
            return PullItem(name, "refuse", reason, rc, remote_name=remote_name,
                            flattens=[_file(name, p) for p in jinja])
    reason = "forced over local edits" if edited else "changed remotely"
    if jinja:
        reason += "; forced over the jinja2 source of " + ", ".join(_file(name, p) for p in jinja)
        notes += [f"{_file(name, p)}: jinja2 source " + ("removed" if _removed(p, rc) else
                  f"replaced by the composed {_PART_WHAT[p]}") + " (--force; the backup keeps it)"
                  for p in jinja]
    present = [p for p in parts if tpl.part_path(p).exists()]
    return PullItem(name, "update", reason, rc, remote_name=remote_name, overwrites_edits=edited,
                    writes=[PART_FILES[p] for p in parts if not _removed(p, rc)],
                    removes=[PART_FILES[p] for p in parts if _removed(p, rc) and p in present],
                    flattens=[_file(name, p) for p in jinja], notes=notes, parts=parts)


def _overwrite_parts(project: Project, name: str, content: TemplateContent, env: str,
                     parts: Iterable[str] | None = None) -> Path | None:
    """Write pulled content over a template's part files (``parts``: only these; None: every part) and
    its ``template.toml`` (``plain_parts``, ``text_part``) as one unit: after a crash or a full disk the
    template is all old or all new (:func:`atomic.write_together`).  The files it replaces or removes are
    copied first to ``backups/<env>/<name>-<stamp>-local/`` (a part whose jinja2 source a forced pull
    flattens stays recoverable).  Returns that folder, or None when there was nothing to keep."""
    from ses_workbench.project import atomic
    from ses_workbench.project.importexport import ses_content_changes
    from ses_workbench.ses.state import utc_stamp

    tpl = project.get(name)
    writes, moves = ses_content_changes(tpl, content, PARTS if parts is None else parts)
    existing = [path for path in [*writes, *moves] if path.exists()]
    backup: Path | None = None
    if existing:
        backup = project.state.local_backup(env, name, utc_stamp())
        for path in existing:
            atomic.write_bytes(backup / path.name, path.read_bytes())
    atomic.write_together(project.state_dir, writes, moves)
    return backup
