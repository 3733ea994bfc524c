"""SES's own rendering: ``TestRenderEmailTemplate`` on a template, and parity with the local engine.

SES renders only *stored* templates.  When the local files match what is pushed, the pushed
template is rendered; otherwise (unpushed edits, or never pushed) the composed content is
uploaded as a scratch template under the reserved prefix ``sesworkbench-scratch-``,
rendered, and deleted again — also when rendering fails.  The MIME message SES returns is
parsed with :func:`ses_workbench.mime.parse_mime` into subject/html/text.

Scratch templates orphaned by a killed run (``kill -9`` between the create and the delete) are
found and deleted by the next run that makes one (:func:`sweep_scratch`), and listed by ``status``.
A scratch template may belong to a run that is still going — in this project or in another clone or
machine on the same account — so only two kinds are deleted:

- *leased here, owner gone*: while a scratch template exists its owner holds an exclusive ``flock`` on
  ``.ses-workbench/scratch/<name>.lock``, taken before the create and dropped after the delete.  The
  kernel drops it when the process dies however it dies, so a lock file nobody holds means an orphan,
  whatever its age;
- *no lease here, older than* :data:`SCRATCH_MAX_AGE` (one hour) by SES's ``CreatedTimestamp`` (else the
  Unix time in its name, ``sesworkbench-scratch-<seconds>-<8 hex>``): made elsewhere, so its owner cannot
  be asked, and no run holds one that long (a remote render takes seconds, ``parity``/``calibrate`` a
  minute, ``check --via-ses N`` N paced renders).  Deleting one still in use only makes that run's render
  fail; the content is a copy of local files.

:func:`parity` renders each fixture locally and through SES and compares the parts after
normalising what transport changes and a person does not see (line endings, MIME encoding,
trailing whitespace); differences come back as unified diffs.  This is how users learn to
trust the local preview.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ses_workbench.errors import WorkbenchError
from ses_workbench.project.content import PARTS
from ses_workbench.project.state import StateDir
from ses_workbench.ses.client import SCRATCH_PREFIX, RemoteTemplate, SesClient
from ses_workbench.ses.errors import BadRequest, CredentialsError, EndpointUnreachable, SesError

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.mime import ParsedEmail
    from ses_workbench.project import Project, TemplateContent

__all__ = ["RemoteRender", "PartParity", "FixtureParity", "remote_render", "parity", "scratch_template",
           "scratch_lease", "scratch_name", "Scratch", "scratch_templates", "sweep_scratch",
           "SCRATCH_MAX_AGE", "normalise", "remote_error_for_data"]

Progress = Callable[[int, int, str], None]
#: A scratch template with no lease in this project is taken for an orphan once it is this old (seconds).
SCRATCH_MAX_AGE = 3600.0
_STAMPED = re.compile(r"^(\d{10})-[0-9a-f]{8}$")


def scratch_name(now: float | None = None) -> str:
    """A fresh reserved name carrying its Unix time, e.g. ``sesworkbench-scratch-1796634000-3f9a1c2e``."""
    return f"{SCRATCH_PREFIX}{int(time.time() if now is None else now):010d}-{secrets.token_hex(4)}"


def _lease_dir(client: SesClient) -> Path | None:
    return client.project.state.scratch if client.project is not None else None


@dataclass
class _Lease:
    """An open lock file and the ``flock`` held on it (an empty file: its name and its lock say it all)."""

    path: Path
    fd: int

    def release(self, *, remove: bool) -> None:
        if remove:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        os.close(self.fd)  # closing drops the flock


def _take_lease(client: SesClient, name: str) -> _Lease | None:
    """Create and flock ``scratch/<SES name>.lock`` for a scratch template about to exist; None when the
    platform or the state folder cannot (the template then counts as made elsewhere: the age rule)."""
    folder = _lease_dir(client)
    if folder is None:
        return None
    path = folder / f"{client.remote_name(name)}.lock"
    try:
        import fcntl

        StateDir(folder.parent).ensure()
        folder.mkdir(exist_ok=True)
        fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)  # nothing is written to it
    except (ImportError, OSError):
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return _Lease(path, fd)


def _lease_state(client: SesClient, remote_name: str) -> str | None:
    """``"held"`` (its owner runs), ``"free"`` (a lease file nobody holds: the owner died) or None (no
    lease here)."""
    folder = _lease_dir(client)
    if folder is None:
        return None
    path = folder / f"{remote_name}.lock"
    try:
        import fcntl

        fh = open(path, "rb")  # noqa: SIM115
    except (ImportError, OSError):
        return None
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return "held"
        return "free"


@dataclass(frozen=True)
class Scratch:
    """One scratch template in SES: ``state`` is ``"in-use"`` (a run here holds its lease), ``"orphaned"``
    (deleted by the next sweep) or ``"recent"`` (made elsewhere, younger than :data:`SCRATCH_MAX_AGE`)."""

    name: str
    remote_name: str
    created: datetime | None
    state: str

    def line(self, now: datetime | None = None) -> str:
        age = ""
        if self.created is not None:
            seconds = ((now or datetime.now(timezone.utc)) - self.created).total_seconds()
            age = f", created {_ago(seconds)} ago"
        what = {"in-use": "in use by a running remote render here",
                "orphaned": "orphaned: the next remote-render or parity deletes it",
                "recent": "made elsewhere, maybe still in use"}[self.state]
        return f"{self.remote_name} ({what}{age})"


def _ago(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"


def _created(t: RemoteTemplate) -> datetime | None:
    if isinstance(t.created, datetime):
        return t.created if t.created.tzinfo else t.created.replace(tzinfo=timezone.utc)
    m = _STAMPED.match(t.name[len(SCRATCH_PREFIX):])
    return datetime.fromtimestamp(int(m.group(1)), timezone.utc) if m else None


def scratch_templates(client: SesClient, listing: Sequence[RemoteTemplate] | None = None, *,
                      now: Callable[[], datetime] | None = None) -> list[Scratch]:
    """The environment's scratch templates, each classified (see the module docstring).

    ``listing``: a ``list_templates(include_scratch=True)`` already made (else one is made here).
    """
    if listing is None:
        listing = client.list_templates(include_scratch=True)
    moment = (now or (lambda: datetime.now(timezone.utc)))()
    out: list[Scratch] = []
    for t in listing:
        if not t.name.startswith(SCRATCH_PREFIX):
            continue
        created = _created(t)
        lease = _lease_state(client, t.remote_name)
        if lease == "held":
            state = "in-use"
        elif lease == "free":
            state = "orphaned"
        elif created is not None and (moment - created).total_seconds() > SCRATCH_MAX_AGE:
            state = "orphaned"
        else:
            state = "recent"
        out.append(Scratch(t.name, t.remote_name, created, state))
    return out


def sweep_scratch(client: SesClient, *, now: Callable[[], datetime] | None = None) -> list[Scratch]:
    """Delete the orphaned scratch templates (and their stale lease files); returns the ones deleted.

    Costs one ListEmailTemplates plus one delete per orphan.  A failure to delete one is left for the
    next sweep (credentials and connection errors are raised: the run cannot go on either).
    """
    deleted: list[Scratch] = []
    for sc in scratch_templates(client, now=now):
        if sc.state != "orphaned":
            continue
        try:
            client.delete_template(sc.name, missing_ok=True)
        except (CredentialsError, EndpointUnreachable):
            raise
        except SesError:
            continue
        folder = _lease_dir(client)
        if folder is not None:
            with contextlib.suppress(OSError):
                os.unlink(folder / f"{sc.remote_name}.lock")
        deleted.append(sc)
    return deleted


@contextmanager
def scratch_lease(client: SesClient) -> Iterator[str]:
    """Sweep orphans, then yield a fresh scratch name leased to this run; on exit the template of that name
    is deleted (if it was made) and the lease dropped.  The caller creates/updates the template.

    The sweep is housekeeping: when it fails (e.g. a role that may render but not list templates) the
    run goes on; only an unreachable endpoint stops it here (the next call would wait for it again).
    """
    try:
        sweep_scratch(client)
    except EndpointUnreachable:
        raise
    except SesError:
        pass
    name = scratch_name()
    lease = _take_lease(client, name)
    deleted = False
    try:
        yield name
    finally:
        try:
            client.delete_template(name, missing_ok=True)
            deleted = True
        except SesError:  # pragma: no cover - cleanup must not mask the real error
            pass
        finally:
            if lease is not None:  # not deleted: the file stays, unlocked, and the next sweep retries it
                lease.release(remove=deleted)


@contextmanager
def scratch_template(client: SesClient, content: TemplateContent) -> Iterator[str]:
    """Upload ``content`` under a scratch name; yield the name; always delete it afterwards."""
    with scratch_lease(client) as name:
        client.create_template(name, content)
        yield name


@contextmanager
def _render_target(client: SesClient, name: str, content: TemplateContent | None,
                   pushed: bool | None) -> Iterator[tuple[str, bool]]:
    """Yield ``(template name to render, is_scratch)``."""
    if pushed is True or content is None:
        yield name, False
        return
    remote = client.get_template(name)
    if remote is not None and remote.content_hash() == content.content_hash():
        yield name, False
        return
    with scratch_template(client, content) as scratch:
        yield scratch, True


@dataclass
class RemoteRender:
    """What SES rendered: the raw MIME (``RenderedTemplate``) and its parsed parts."""

    template: str
    fixture: str | None
    raw: str
    parsed: ParsedEmail
    scratch: bool  # True when a scratch copy of unpushed edits was rendered

    @property
    def subject(self) -> str:
        return self.parsed.subject or ""

    @property
    def html(self) -> str | None:
        return self.parsed.html

    @property
    def text(self) -> str | None:
        return self.parsed.text


def _fixture(project: Project, name: str, fixture: str | None) -> tuple[str, Any]:
    fx = project.get(name).fixture(fixture)
    return fx.name, fx.data


def remote_render(client: SesClient, project: Project, name: str, fixture: str | None = None, *,
                  data: Any = None, pushed: bool | None = None) -> RemoteRender:
    """Render ``name`` with a fixture (or ``data``) through SES.

    ``pushed=True`` renders what is deployed even if local edits exist; by default the local
    composed content is rendered (the pushed template when identical, else a scratch copy).
    A template that exists only remotely is rendered as stored.
    """
    from ses_workbench.mime import parse_mime

    content: TemplateContent | None = None
    fx_name: str | None = fixture
    if name in project.templates:
        content = project.get(name).compose()
        if data is None:
            fx_name, data = _fixture(project, name, fixture)
    elif data is None:
        raise BadRequest(f"'{name}' is not a local template: pass data to render the remote one.",
                         template=name)
    with _render_target(client, name, content, pushed) as (target, scratch):
        raw = client.test_render(target, data)
    return RemoteRender(name, fx_name, raw, parse_mime(raw), scratch)


# ------------------------------------------------------------------------------------------ parity
def normalise(value: str | None, part: str) -> str:
    """Remove what transport changes and a reader does not see: CRLF, trailing blanks, final newlines."""
    if value is None:
        return ""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines).strip("\n")
    if part == "subject":
        text = " ".join(text.split())  # folded header whitespace
    return text


@dataclass
class PartParity:
    part: str
    local: str | None
    remote: str | None
    diff: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.diff


@dataclass
class FixtureParity:
    """Local vs SES for one fixture; ``local_error``/``remote_error`` when a side fails to render."""

    template: str
    fixture: str
    parts: list[PartParity] = field(default_factory=list)
    local_error: str | None = None
    remote_error: str | None = None

    @property
    def same(self) -> bool:
        if self.local_error or self.remote_error:
            # Both failing on the same missing attribute is agreement (SES would reject the send too).
            return _same_failure(self.local_error, self.remote_error)
        return all(p.same for p in self.parts)

    def report(self) -> str:
        if self.local_error or self.remote_error:
            verdict = "same failure" if self.same else "DIFFERENT"
            return (f"{self.template} [{self.fixture}]: {verdict}\n"
                    f"  local: {self.local_error or 'rendered'}\n"
                    f"  SES:   {self.remote_error or 'rendered'}\n")
        if self.same:
            return f"{self.template} [{self.fixture}]: same\n"
        out = [f"{self.template} [{self.fixture}]: differs in "
               f"{', '.join(p.part for p in self.parts if not p.same)}"]
        for p in self.parts:
            out.extend(p.diff)
        return "\n".join(out) + "\n"


def _same_failure(a: str | None, b: str | None) -> bool:
    import re

    if not a or not b:
        return False
    pat = re.compile(r"Attribute '([^']*)' is not present")
    ma, mb = pat.search(a), pat.search(b)
    return bool(ma and mb and ma.group(1) == mb.group(1))


def parity(client: SesClient, project: Project, name: str, fixtures: Sequence[str] | None = None, *,
           all_fixtures: bool = False, progress: Progress | None = None) -> list[FixtureParity]:
    """Local render vs SES render of ``name`` for each fixture (default fixture unless given/all).

    Unpushed edits are uploaded once as a scratch template for all fixtures and deleted after.
    """
    from ses_workbench.mime import parse_mime
    from ses_workbench.render import render_template
    from ses_workbench.ses.errors import MissingRenderingAttribute

    tpl = project.get(name)
    if all_fixtures:
        fx_names = list(tpl.fixtures)
    elif fixtures:
        fx_names = [tpl.fixture(f).name for f in dict.fromkeys(fixtures)]
    else:
        fx_names = [tpl.fixture(None).name]
    content = tpl.compose()
    dialect = _dialect(project, client)
    results: list[FixtureParity] = []
    with _render_target(client, name, content, None) as (target, _scratch):
        for i, fx in enumerate(fx_names):
            if progress:
                progress(i, len(fx_names), fx)
            res = FixtureParity(name, fx)
            local = None
            try:
                data = tpl.fixture(fx).data
            except WorkbenchError as exc:
                res.local_error = str(exc)
                res.remote_error = "not rendered (the fixture does not load)"
                results.append(res)
                continue
            try:
                local = render_template(tpl, fixture=fx, dialect=dialect)
            except WorkbenchError as exc:
                res.local_error = str(exc)
            try:
                parsed = parse_mime(client.test_render(target, data))
            except MissingRenderingAttribute as exc:
                res.remote_error = exc.ses_message or str(exc)
                parsed = None
            except SesError as exc:
                if isinstance(exc, BadRequest):
                    res.remote_error = exc.ses_message or str(exc)
                    parsed = None
                else:
                    raise
            if local is not None and parsed is not None:
                for part in PARTS:
                    lv = normalise(local.part(part), part)
                    rv = normalise(getattr(parsed, part), part)
                    diff = [] if lv == rv else list(difflib.unified_diff(
                        lv.splitlines(), rv.splitlines(), f"local/{name}/{fx}/{part}",
                        f"ses/{name}/{fx}/{part}", lineterm=""))
                    res.parts.append(PartParity(part, local.part(part), getattr(parsed, part), diff))
            results.append(res)
    if progress:
        progress(len(fx_names), len(fx_names), "")
    return results


def _dialect(project: Project, client: SesClient) -> Any:
    """The engine dialect calibrated for this environment, if any (else the defaults)."""
    try:
        from ses_workbench.ses.calibrate import load_dialect

        return load_dialect(project, client.environment.name)
    except Exception:  # noqa: BLE001 - calibration is optional
        from ses_workbench.engine import DEFAULT_DIALECT

        return DEFAULT_DIALECT


@contextmanager
def remote_error_for_data(client: SesClient, project: Project,
                          name: str) -> Iterator[Callable[[Any], str | None]]:
    """For ``check --via-ses``: yield ``remote_error(data)`` → SES's rendering error message, or None.

    Renders the local composed content: the pushed template when identical, else one scratch copy,
    deleted on exit.
    """
    content = project.get(name).compose()
    with _render_target(client, name, content, None) as (target, _scratch):
        def remote_error(data: Any) -> str | None:
            try:
                client.test_render(target, data)
            except BadRequest as exc:
                return exc.ses_message or str(exc)
            return None

        yield remote_error
