"""The push plan: per template, whether a push creates, updates, skips or refuses it
(:func:`plan_push`: compose, lint with the environment's dialect, classify against SES and the
baseline), the selection a push covers, and :func:`forced` for a shown plan its user chose to force.
Nothing here writes to SES; :mod:`ses_workbench.ses.sync.push_execute` carries a plan out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ses_workbench.ses.client import SesClient
from ses_workbench.ses.state import SyncState
from ses_workbench.ses.sync.compare import Progress, State, _compose, _folder_problems, _noop, classify
from ses_workbench.ses.sync.diffs import TemplateDiff, _diff_contents

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import Project, TemplateContent

#: ``linter(names, dialect)`` → each name's lint error lines (see :func:`plan_push`).
Linter = Callable[[list[str], Any], Mapping[str, list[str]]]


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
