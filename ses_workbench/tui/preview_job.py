"""One preview render: a :class:`PreviewJob` in, a :class:`~ses_workbench.tui.messages.PreviewOutcome` out
(the rendered email, the visible tab's lines, the attributes, or the error).

Pure functions with no widget in sight, so the same job runs on the render thread or in the render
process (``render_process.py``). Errors that cross the process boundary travel as :class:`RenderFailure`
(exception classes with keyword-only constructors do not survive pickling); they keep what the status
line shows: file, line, column, message, and whether the fixture JSON was at fault.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text

from ses_workbench.attributes import AttributeStatus
from ses_workbench.engine import DEFAULT_DIALECT, Dialect
from ses_workbench.project import EmailTemplate
from ses_workbench.session.edits import BufferFixture, EditedTemplate
from ses_workbench.session.preview import RenderFailure, attributes
from ses_workbench.tui import reading
from ses_workbench.tui.messages import PreviewOutcome


class OutboxEmail:
    """A delivered message (or the recipient's view of a custom verification template) shaped like a
    RenderedEmail for the preview tabs."""

    def __init__(self, parsed: Any, raw: bytes) -> None:
        self.subject = parsed.subject or ""
        self.html = parsed.html or f"<pre>{parsed.text or ''}</pre>"
        self.text = parsed.text
        self.raw = raw


def verification_email(project: Any, name: str) -> OutboxEmail:
    """The custom verification template ``name`` as its recipient gets it, the link SES adds shown as a
    placeholder (raises WorkbenchError/ValueError when its files cannot be read)."""
    from email.message import EmailMessage

    from ses_workbench.mime import parse_mime

    tpl = project.get_verification(name)
    content = tpl.compose(validate=False)
    msg = EmailMessage()
    msg["From"] = content.from_address or "(from_address missing)"
    msg["Subject"] = content.subject
    msg.set_content(tpl.preview_html(), subtype="html")
    raw = msg.as_bytes()
    return OutboxEmail(parse_mime(raw), raw)


def attribute_label(row: AttributeStatus) -> Text:
    """One line of the data pane's attribute list: ✓ present, ✗ required and missing, · optional."""
    text = Text()
    if row.present:
        text.append("✓ ", style="green")
    elif row.required:
        text.append("✗ ", style="bold red")
    else:
        text.append("· ", style="dim")
    text.append(row.path, style="bold red" if row.required and not row.present else "")
    notes = []
    if not row.present and row.required:
        notes.append("missing")
    if row.conditional:
        notes.append("conditional")
    elif not row.required:
        notes.append("tested only")
    notes.append("/".join(sorted(row.parts)))
    text.append(f"  ({', '.join(notes)})", style="dim")
    return text


@dataclass(frozen=True)
class PreviewJob:
    """One preview to render: the editors' state taken on the event loop, as plain data.

    The same value goes to the render thread and, pickled, to the render process: the template's name and
    its buffers (``sources``: part → text, None for a part with no file), the fixture buffer, which tab is
    visible and how wide it is. ``outbox`` (a delivered message shown instead of the template) is only ever
    rendered on the thread."""

    seq: int
    template: str
    sources: dict[str, str | None]
    fixture: str | None
    fixture_path: str | None
    fixture_text: str | None
    tab: str
    width: int
    sender: str | None
    attributes: bool = True
    dialect: Dialect = DEFAULT_DIALECT
    generation: int = 0
    """The project's reload count when the job was made (the render process reloads its copy to match)."""
    outbox: tuple[str, Any] | None = None

    def edited(self, base: EmailTemplate) -> EditedTemplate:
        """``base`` as the editors show it."""
        fixture = None
        if self.fixture is not None and self.fixture_path is not None:
            fixture = BufferFixture(self.fixture, Path(self.fixture_path), self.fixture_text or "")
        return EditedTemplate(base, self.sources, fixture)


def render(job: PreviewJob, base: EmailTemplate | None) -> PreviewOutcome:
    """Render ``job`` over its saved template ``base`` (None: no template is open, or there is no such
    template any more — an error unless the job shows an outbox message)."""
    started = time.perf_counter()
    outcome = PreviewOutcome(seq=job.seq, template=job.template, fixture=job.fixture,
                             outbox=job.outbox[0] if job.outbox is not None else None)
    if base is None and job.outbox is None:
        outcome.extra, outcome.error = {}, RenderFailure(f"no template named {job.template!r}")
    else:  # an outbox message shows with no template open too
        outcome.rendered, outcome.extra, outcome.error = run(
            job.edited(base) if base is not None else None, job.tab, job.width, job.outbox, job.sender,
            job.attributes, job.dialect)
    outcome.elapsed_ms = (time.perf_counter() - started) * 1000
    return outcome


def render_job(edited: EditedTemplate | None, tab: str, width: int, outbox: tuple[str, Any] | None,
               *, sender: str | None, want_attributes: bool = True,
               dialect: Dialect = DEFAULT_DIALECT) -> tuple[Any, dict[str, Any]]:
    """Render the edited template (or take the ``outbox`` message instead) and build the lines of the
    visible preview tab (any thread/process); ``edited`` is None only with an outbox message.

    ``dialect``: the environment's calibrated dialect (``session.dialect.dialect_for``), as the CLI uses."""
    from ses_workbench.render import render_template

    if outbox is not None:
        rendered = outbox[1]
        banner = f"outbox: {outbox[0]}"
    else:
        assert edited is not None, "a preview job without an outbox message has a template"
        rendered = render_template(edited, fixture=edited.edited_fixture(), dialect=dialect)
        banner = None
    # the attribute list costs a walk of every reference: only when the data pane shows it
    extra: dict[str, Any] = \
        {"attributes": attributes(edited, dialect)} if want_attributes and edited is not None else {}
    views: dict[str, tuple[list[Any], object]] = {}
    if tab == "read":
        signature = ("read", rendered.subject, rendered.html, width, banner)
        views[tab] = (reading.reading_lines(rendered.subject, rendered.html, width, banner=banner), signature)
    elif tab == "html":
        views[tab] = (reading.syntax_lines(rendered.html, "html"), ("html", rendered.html))
    elif tab == "text":
        text = rendered.text if rendered.text is not None else "(this template has no text part)"
        views[tab] = (reading.plain_lines(text), ("text", text))
    elif tab == "mime" and getattr(rendered, "raw", None) is not None:
        views[tab] = (reading.mime_header_lines(rendered.raw), ("mime-raw", rendered.raw))
    elif tab == "mime":
        from ses_workbench.mime import build_mime

        mime = build_mime(rendered, sender=sender or "sender@example.com", to="recipient@example.com")
        views[tab] = (reading.mime_header_lines(mime),
                      ("mime", rendered.subject, rendered.html, rendered.text))
    extra["views"] = views
    return rendered, extra


def run(edited: EditedTemplate | None, tab: str, width: int, outbox: tuple[str, Any] | None,
        sender: str | None, want_attributes: bool = True,
        dialect: Dialect = DEFAULT_DIALECT) -> tuple[Any, dict[str, Any], RenderFailure | None]:
    """``(rendered, extra, failure)``: one of rendered/failure is None."""
    try:
        rendered, extra = render_job(edited, tab, width, outbox, sender=sender,
                                     want_attributes=want_attributes, dialect=dialect)
        return rendered, extra, None
    except Exception as exc:  # noqa: BLE001 - shown in the preview's status line
        failure = RenderFailure.from_error(exc)
        extra = {}
        if want_attributes and edited is not None:
            try:
                extra = {"attributes": attributes(edited, dialect)}
            except Exception:  # noqa: BLE001 - the template does not even compile
                extra = {}
        return None, extra, failure


def source_path(path: str | Path | None) -> str | None:
    return str(path) if path is not None else None
