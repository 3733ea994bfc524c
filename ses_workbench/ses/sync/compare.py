"""Where each template stands between the folder and an environment: the :class:`State` of one template
(:func:`classify`, pure: content hashes against the push/pull baseline) and of every template
(:func:`status`, one listing and one GetEmailTemplate per name on both sides), with the helpers the
other sync modules share (composing a template, the folders that are not templates, the selection).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from ses_workbench.errors import WorkbenchError
from ses_workbench.ses.client import RemoteTemplate, SesClient
from ses_workbench.ses.errors import Refused
from ses_workbench.ses.state import SyncState

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import Project, TemplateContent

Progress = Callable[[int, int, str], None]


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
