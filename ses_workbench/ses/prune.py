"""Prune: delete from SES the templates that no longer have a folder here (renamed or removed in git).

Without it a rename leaves the old template deployed for ever, and ``status`` keeps listing it as
remote-only.  Only templates of this environment (its name prefix) are candidates, never the workbench's
scratch copies, and never a name that still has a template folder.  Of those, only templates this project
pushed or pulled (its push record in ``.ses-workbench/state.json``) are deleted by default: an account or
region is often shared with other teams and services, and a template this clone never touched is listed
as *not pushed from here* (``PrunePlan.foreign``) and deleted only when named explicitly.  Each one's
content is backed up (``backups/<env>/<name>-<stamp>.json``, the AWS CLI v2 shape: ``ses-workbench import``
or ``aws sesv2 update-email-template --cli-input-json`` restores it) before the delete — no backup, no
delete — and its push record is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ses_workbench.ses.client import SesClient
from ses_workbench.ses.errors import CredentialsError, EndpointUnreachable, Refused, SesError, UnknownRegion
from ses_workbench.ses.state import StateWriteError, SyncState
from ses_workbench.wording import plural

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import Project

__all__ = ["PruneItem", "PrunePlan", "plan_prune", "execute_prune", "prune"]

Progress = Callable[[int, int, str], None]


@dataclass
class PruneItem:
    name: str  # without the environment's prefix
    remote_name: str
    backup: Path | None = None
    done: bool = False
    error: str | None = None


@dataclass
class PrunePlan:
    environment: str
    items: list[PruneItem] = field(default_factory=list)
    dry_run: bool = False
    cancelled: bool = False
    #: Templates with no folder here that were never pushed or pulled here: kept unless named.
    foreign: list[PruneItem] = field(default_factory=list)

    @property
    def deleted(self) -> list[PruneItem]:
        return [i for i in self.items if i.done]

    @property
    def failed(self) -> list[PruneItem]:
        return [i for i in self.items if i.error]

    def summary(self) -> str:
        lines: list[str] = []
        if self.items:
            names = ", ".join(i.remote_name for i in self.items)
            count = plural(len(self.items), "template")
            lines.append(f"{self.environment}: {count} with no folder here: {names}")
        elif not self.foreign:
            lines.append(f"{self.environment}: nothing to prune (every template there has a folder here)")
        else:
            lines.append(f"{self.environment}: nothing to prune that was pushed from here")
        if self.foreign:
            names = ", ".join(i.remote_name for i in self.foreign)
            lines.append(f"not pushed from here (kept): {names}; name them to delete")
        return "\n".join(lines)


def plan_prune(client: SesClient, project: Project, names: Sequence[str] | None = None) -> PrunePlan:
    """The environment's templates that have no folder in ``project`` (or just ``names`` among them).

    Without ``names`` only templates pushed or pulled here are planned (``items``); the others with no
    folder are listed in ``foreign``.  ``names`` plans exactly those, whoever made them.  A name that still
    has a folder, or that SES does not hold, is refused (:class:`Refused`).
    """
    env = client.environment.name
    remote = {t.name: t.remote_name for t in client.list_templates()}
    if names:
        kept = [n for n in names if n in project.templates]
        if kept:
            raise Refused(f"{', '.join(kept)}: still a template folder here; prune deletes only what was "
                          "removed locally (delete the folder first).")
        missing = [n for n in names if n not in remote]
        if missing:
            raise Refused(f"{env} has no template {', '.join(repr(n) for n in missing)}.")
        return PrunePlan(env, [PruneItem(n, remote[n]) for n in dict.fromkeys(names)])
    state = SyncState(project.state_dir)
    plan = PrunePlan(env)
    for name in sorted(n for n in remote if n not in project.templates):
        ours = state.tracked(env, name, remote[name])
        (plan.items if ours else plan.foreign).append(PruneItem(name, remote[name]))
    return plan


def execute_prune(client: SesClient, project: Project, plan: PrunePlan,
                  progress: Progress | None = None) -> PrunePlan:
    """Back up and delete each planned template; one failure does not stop the others (credentials and
    connection errors do: nothing else could succeed)."""
    state = SyncState(project.state_dir)
    env = plan.environment
    for i, item in enumerate(plan.items):
        if progress:
            progress(i, len(plan.items), item.name)
        try:
            content = client.get_template(item.name)
            if content is not None:
                item.backup = state.backup(env, item.name, item.remote_name, content)  # raises: no delete
            client.delete_template(item.name, missing_ok=True)
        except (CredentialsError, EndpointUnreachable, UnknownRegion):
            raise
        except SesError as exc:
            item.error = str(exc)
            continue
        except StateWriteError as exc:
            item.error = f"{exc}: not deleted (the backup comes first)"
            continue
        item.done = True
        try:
            state.forget(env, item.name)
        except StateWriteError:  # the record only marks it ours: a stale one is harmless
            pass
    if progress:
        progress(len(plan.items), len(plan.items), "")
    return plan


def prune(client: SesClient, project: Project, names: Sequence[str] | None = None, *, dry_run: bool = False,
          confirm: Callable[[PrunePlan], bool] | None = None, progress: Progress | None = None) -> PrunePlan:
    """Plan, ask once (``confirm``), then back up and delete. ``dry_run`` only plans."""
    plan = plan_prune(client, project, names)
    plan.dry_run = dry_run
    if dry_run or not plan.items:
        return plan
    if confirm is not None and not confirm(plan):
        plan.cancelled = True
        return plan
    return execute_prune(client, project, plan, progress)
