"""Sync and test-send of custom verification email templates, with email templates' rules.

The same states as :mod:`ses_workbench.ses.sync` (``classify`` over content hashes and the baseline of the
last push/pull, kept in ``state.json`` under ``custom-verification/NAME``, a key no email template can
have); push refuses to overwrite content SES holds that was not pushed from here unless ``force``, and
backs up what it overwrites first (``backups/<env>/custom-verification/NAME-<stamp>.json``, the AWS CLI
input shape); it checks again right before each write.  Pull writes new folders, and updates a folder only
when it has no local edits since the last push/pull (or ``force``), copying the files it replaces first.

Python API (the CLI calls these)::

    verification_status(client, project, names=None) -> list[TemplateStatus]
    verification_diff(client, project, names=None) -> list[TemplateDiff]   # remote (old) → local (new)
    push_verification(client, project, names=None, *, force, dry_run) -> list[PushItem]
    pull_verification(client, project, names=None, *, force, dry_run) -> list[PullItem]
    prune_verification(client, project, *, dry_run) -> list[str]
    send_verification(client, project, name, address) -> str   # the MessageId
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ses_workbench.errors import WorkbenchError
from ses_workbench.project.state import StateDir
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.errors import Refused, SesError
from ses_workbench.ses.state import SyncState, utc_stamp, write_state_json
from ses_workbench.ses.sync import (
    PartDiff,
    PullItem,
    PushItem,
    State,
    TemplateDiff,
    TemplateStatus,
    classify,
    unified_part_diff,
)

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import Project
    from ses_workbench.project.verification import VerificationContent

__all__ = ["verification_status", "verification_diff", "push_verification", "pull_verification",
           "prune_verification", "send_verification", "state_key", "verification_lint_errors"]


def state_key(name: str) -> str:
    """The name under which ``state.json`` keeps a custom verification template's baseline."""
    return f"custom-verification/{name}"


def _compose(project: Project, name: str) -> tuple[VerificationContent | None, str | None]:
    try:
        return project.get_verification(name).compose(), None
    except WorkbenchError as exc:
        return None, str(exc)


def _select(project: Project, names: Sequence[str] | None, remote: set[str]) -> list[str]:
    if not names:
        return sorted(set(project.verification_templates) | remote)
    for name in names:  # the message of every unknown name, close names of both sides suggested
        if name not in project.verification_templates and name not in remote:
            from ses_workbench.project.model import unknown_template_error

            raise unknown_template_error(project.root, name, [*project.verification_templates, *remote])
    return list(dict.fromkeys(names))


def verification_status(client: SesClient, project: Project,
                        names: Sequence[str] | None = None) -> list[TemplateStatus]:
    """Each custom verification template, local and remote, classified as email templates are."""
    env = client.environment.name
    remote = {t.name for t in client.list_verification_templates()}
    state = SyncState(project.state_dir)
    out: list[TemplateStatus] = []
    for name in _select(project, names, remote):
        local, error = _compose(project, name) if name in project.verification_templates else (None, None)
        rc = client.get_verification_template(name) if name in remote else None
        remote_name = client.remote_name(name)
        baseline = state.baseline(env, state_key(name), remote_name)
        if error is not None:
            out.append(TemplateStatus(name, State.ERROR, remote_name, error=error, baseline_hash=baseline))
            continue
        st = classify(local, rc, baseline)  # type: ignore[arg-type]  # same content_hash() contract
        out.append(TemplateStatus(name, st, remote_name, local.content_hash() if local else None,
                                  rc.content_hash() if rc else None, baseline))
    return out


#: The parts a diff shows: the two files, and the settings of ``template.toml`` SES stores.
DIFF_PARTS = ("subject", "html", "settings")


def _diff_part(content: VerificationContent | None, part: str) -> str | None:
    if content is None:
        return None
    if part == "settings":
        return (f"from_address = {_toml(content.from_address)}\n"
                f"success_redirection_url = {_toml(content.success_url)}\n"
                f"failure_redirection_url = {_toml(content.failure_url)}\n")
    return content.subject if part == "subject" else content.html


def _diff_one(name: str, old: VerificationContent | None, new: VerificationContent | None, old_label: str,
              new_label: str, error: str | None = None) -> TemplateDiff:
    td = TemplateDiff(name, old_label, new_label, old, new, error=error)  # type: ignore[arg-type]
    if error is None:
        td.parts = [PartDiff(p, unified_part_diff(name, p, _diff_part(old, p), _diff_part(new, p), old_label,
                                                  new_label)) for p in DIFF_PARTS]
    return td


def verification_diff(client: SesClient, project: Project, names: Sequence[str] | None = None,
                      against: SesClient | None = None) -> list[TemplateDiff]:
    """Per-part unified diffs of the custom verification templates (all, or ``names``): the environment's
    content (old) against the local folder's (new), i.e. what ``push_verification`` would change; with
    ``against`` (``--env A --against B``): B's (old) against A's (new).  The parts are ``subject``,
    ``html`` and ``settings`` (the sender and the two redirection URLs)."""
    remote = {t.name for t in client.list_verification_templates()}
    label = f"ses:{client.environment.name}"
    if against is None:
        out: list[TemplateDiff] = []
        for name in _select(project, names, remote):
            local, error = _compose(project, name) if name in project.verification_templates else (None, None)
            rc = client.get_verification_template(name) if name in remote else None
            out.append(_diff_one(name, rc, local, label, "local", error))
        return out
    other = {t.name for t in against.list_verification_templates()}
    b_label = f"ses:{against.environment.name}"
    if b_label == label:
        label, b_label = f"{label}(a)", f"{b_label}(b)"
    for name in names or ():
        if name not in remote and name not in other:
            from ses_workbench.project.model import unknown_template_error

            raise unknown_template_error(project.root, name, sorted(remote | other))
    return [_diff_one(name, against.get_verification_template(name) if name in other else None,
                      client.get_verification_template(name) if name in remote else None, b_label, label)
            for name in (list(dict.fromkeys(names)) if names else sorted(remote | other))]


def verification_lint_errors(project: Project, name: str, client: SesClient | None = None) -> list[str]:
    """The lint errors of one custom verification template (the sender checked against ``client``'s
    identities when given)."""
    from ses_workbench.lint import lint_verification

    identities = None
    if client is not None:
        identities = [i.name for i in client.list_identities() if i.verified]
    return [str(d) for d in lint_verification(project.get_verification(name), identities=identities)
            if d.is_error]


def _backup(state: SyncState, env: str, name: str, remote_name: str, content: VerificationContent) -> Path:
    path = StateDir(state.state_dir).verification_backup(env, name, utc_stamp())
    return write_state_json(path, {"TemplateName": remote_name, **content.to_v2()})


def push_verification(client: SesClient, project: Project, names: Sequence[str] | None = None, *,
                      force: bool = False, dry_run: bool = False, no_lint: bool = False) -> list[PushItem]:
    """Create or update the custom verification templates (all, or ``names``) in the environment."""
    env = client.environment.name
    if names:
        for n in names:
            project.get_verification(n)
        selected = list(dict.fromkeys(names))
    else:
        selected = list(project.verification_templates)
    remote = {t.name for t in client.list_verification_templates()}
    state = SyncState(project.state_dir)
    items: list[PushItem] = []
    for name in selected:
        remote_name = client.remote_name(name)
        local, error = _compose(project, name)
        if local is None:
            items.append(PushItem(name, "refuse", State.ERROR, error or "does not compose", remote_name))
            continue
        if not no_lint:
            errors = verification_lint_errors(project, name, client)
            if errors:
                more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
                items.append(PushItem(name, "refuse", None, f"lint error: {errors[0]}{more}", remote_name))
                continue
        rc = client.get_verification_template(name) if name in remote else None
        st = classify(local, rc, state.baseline(env, state_key(name), remote_name))  # type: ignore[arg-type]
        if st is State.IN_SYNC:
            items.append(PushItem(name, "skip", st, "unchanged", remote_name))
            continue
        if st.drifted and not force:
            items.append(PushItem(name, "refuse", st, "SES holds content that was not pushed from here "
                                  "(use --force to overwrite; a backup is kept, or pull it first)",
                                  remote_name))
            continue
        item = PushItem(name, "create" if rc is None else "update", st,
                        "new" if rc is None else ("forced over drift" if st.drifted else "modified"),
                        remote_name)
        items.append(item)
        if dry_run:
            continue
        try:
            if rc is not None:
                now = client.get_verification_template(name)  # checked again right before the write
                if now is None or now.content_hash() != rc.content_hash():
                    item.drift = True
                    item.error = "changed remotely while pushing: nothing overwritten (push again)"
                    continue
                item.backup = _backup(state, env, name, remote_name, now)
            client.upsert_verification_template(name, local, exists=rc is not None)
        except (SesError, WorkbenchError) as exc:
            item.error = str(exc)
            continue
        item.done = True
        state.remember(env, state_key(name), remote_name, local.content_hash(), "push")
    return items


def _toml(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _meta_text(content: VerificationContent, description: str) -> str:
    return (f'kind = "custom-verification"\ndescription = {_toml(description)}\n'
            f"from_address = {_toml(content.from_address)}\n"
            f"success_redirection_url = {_toml(content.success_url)}\n"
            f"failure_redirection_url = {_toml(content.failure_url)}\n")


def pull_verification(client: SesClient, project: Project, names: Sequence[str] | None = None, *,
                      force: bool = False, dry_run: bool = False) -> list[PullItem]:
    """Write the environment's custom verification templates into folders (new, or unchanged locally)."""
    from ses_workbench.project import atomic

    env = client.environment.name
    remote = {t.name: t for t in client.list_verification_templates()}
    if names:
        missing = [n for n in names if n not in remote]
        if missing:
            raise Refused(f"{env} has no custom verification template {', '.join(repr(n) for n in missing)}.")
    selected = list(dict.fromkeys(names)) if names else sorted(remote)
    state = SyncState(project.state_dir)
    items: list[PullItem] = []
    for name in selected:
        rc = client.get_verification_template(name)
        remote_name = remote[name].remote_name
        if rc is None:
            items.append(PullItem(name, "skip", "no longer exists remotely"))
            continue
        folder = project.root / name
        if name in project.templates or (folder.exists() and name not in project.verification_templates):
            items.append(PullItem(name, "refuse", f"{folder} is an email template or another folder",
                                  remote_name=remote_name))
            continue
        local, _error = _compose(project, name) if name in project.verification_templates else (None, None)
        baseline = state.baseline(env, state_key(name), remote_name)
        if local is not None and local.content_hash() == rc.content_hash():
            items.append(PullItem(name, "skip", "unchanged", remote_name=remote_name))
            if not dry_run:
                state.remember(env, state_key(name), remote_name, rc.content_hash(), "pull")
            continue
        exists = name in project.verification_templates
        edited = exists and not (local is not None and local.content_hash() == baseline)
        if edited and not force:
            items.append(PullItem(name, "refuse", "has local edits since the last push/pull (use --force "
                                  "to overwrite the local files; a backup is kept)", remote_name=remote_name))
            continue
        item = PullItem(name, "update" if exists else "create", "changed remotely" if exists else "new",
                        remote_name=remote_name, overwrites_edits=edited,
                        writes=["subject.txt", "body.html", "template.toml"])
        items.append(item)
        if dry_run:
            continue
        files = {folder / "subject.txt": rc.subject + "\n", folder / "body.html": rc.html}
        description = ""
        if exists:
            description = project.get_verification(name).description
        files[folder / "template.toml"] = _meta_text(rc, description or f"pulled from {env} ({remote_name})")
        try:
            present = [p for p in files if p.exists()]
            if present:
                item.backup = project.state.local_backup(env, name, utc_stamp())
                for p in present:
                    atomic.write_bytes(item.backup / p.name, p.read_bytes())
            atomic.write_together(project.state_dir, {p: t.encode("utf-8") for p, t in files.items()})
        except (OSError, WorkbenchError) as exc:
            item.error = f"could not write {name}: {exc}"
            continue
        item.done = True
        state.remember(env, state_key(name), remote_name, rc.content_hash(), "pull")
    project.scan()
    return items


def prune_verification(client: SesClient, project: Project, *, dry_run: bool = False) -> list[str]:
    """Delete from the environment the custom verification templates with no folder here (backed up
    first); returns their names."""
    env = client.environment.name
    state = SyncState(project.state_dir)
    gone = [t for t in client.list_verification_templates() if t.name not in project.verification_templates]
    if dry_run:
        return [t.name for t in gone]
    done: list[str] = []
    for t in gone:
        rc = client.get_verification_template(t.name)
        if rc is not None:
            _backup(state, env, t.name, t.remote_name, rc)
        client.delete_verification_template(t.name, missing_ok=True)
        state.forget(env, state_key(t.name))
        done.append(t.name)
    return done


def send_verification(client: SesClient, project: Project, name: str, address: str) -> str:
    """``SendCustomVerificationEmail`` of the pushed template ``name`` to ``address``; the MessageId."""
    project.get_verification(name)
    return client.send_verification_email(name, address)
