"""Pull: import SES's templates into template folders (:func:`pull`).  A new name becomes a new folder;
an existing one is updated only in the parts whose composed content differs from SES's, refused when it
has local edits or when a part's jinja2 source would be flattened (unless ``force``), and the part files
an update replaces are backed up first; the whole update is written as one unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ses_workbench.errors import WorkbenchError
from ses_workbench.project.content import PARTS
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.errors import Refused
from ses_workbench.ses.state import SyncState
from ses_workbench.ses.sync.compare import Progress, _compose, _noop

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import EmailTemplate, Project, TemplateContent


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
