"""Prune: delete from SES the templates that no longer have a folder here (renamed or removed in git).

Without it a rename leaves the old template deployed for ever, and ``status`` keeps listing it as
remote-only.  Only templates of this environment (its name prefix) are candidates, never the workbench's
scratch copies, and never a name that still has a template folder.  Each one's content is backed up
(``backups/<env>/<name>-<stamp>.json``, the AWS CLI v2 shape: ``ses-workbench import`` or ``aws sesv2
update-email-template --cli-input-json`` restores it) before the delete, and its push record is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ses_workbench.ses.client import SesClient
from ses_workbench.ses.errors import CredentialsError, EndpointUnreachable, Refused, SesError, UnknownRegion
from ses_workbench.ses.state import SyncState
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

    @property
    def deleted(self) -> list[PruneItem]:
        return [i for i in self.items if i.done]

    @property
    def failed(self) -> list[PruneItem]:
        return [i for i in self.items if i.error]

    def summary(self) -> str:
        if not self.items:
            return f"{self.environment}: nothing to prune (every template there has a folder here)"
        names = ", ".join(i.remote_name for i in self.items)
        return f"{self.environment}: {plural(len(self.items), 'template')} with no folder here: {names}"


def plan_prune(client: SesClient, project: Project, names: Sequence[str] | None = None) -> PrunePlan:
    """The environment's templates that have no folder in ``project`` (or just ``names`` among them).

    A name that still has a folder, or that SES does not hold, is refused (:class:`Refused`).
    """
    remote = {t.name: t.remote_name for t in client.list_templates()}
    candidates = sorted(name for name in remote if name not in project.templates)
    if names:
        kept = [n for n in names if n in project.templates]
        if kept:
            raise Refused(f"{', '.join(kept)}: still a template folder here; prune deletes only what was "
                          "removed locally (delete the folder first).")
        missing = [n for n in names if n not in remote]
        if missing:
            raise Refused(f"{client.environment.name} has no template {', '.join(repr(n) for n in missing)}.")
        candidates = list(dict.fromkeys(names))
    return PrunePlan(client.environment.name, [PruneItem(n, remote[n]) for n in candidates])


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
                item.backup = state.backup(env, item.name, item.remote_name, content)
            client.delete_template(item.name, missing_ok=True)
        except (CredentialsError, EndpointUnreachable, UnknownRegion):
            raise
        except SesError as exc:
            item.error = str(exc)
            continue
        state.forget(env, item.name)
        item.done = True
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
