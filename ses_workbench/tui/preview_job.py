"""One preview render: a :class:`PreviewJob` in, a :class:`PreviewOutcome` out
(the rendered email, the visible tab's lines, the attributes, or the error).

The render itself is the session's preview (:func:`ses_workbench.session.preview.preview`: render,
attribute status and error in one value; errors as its picklable ``RenderFailure``); this module adds the
terminal lines of the visible tab. Pure functions with no widget in sight, so the same job runs on the
render thread or in the render process (``render_process.py``).
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
from ses_workbench.tui import reading


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


def attribute_label(row: AttributeStatus, *, known: bool = True) -> Text:
    """One line of the data pane's attribute list: ✓ present, ✗ required and missing, · optional;
    ``known`` False (the fixture does not parse): ? and the parts only, neither present nor missing."""
    if not known:
        return Text(f"? {row.path}  ({'/'.join(sorted(row.parts))})", style="dim")
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


@dataclass
class PreviewOutcome:
    """What one preview render produced: the rendered email or the error (the last good one stays)."""

    seq: int
    template: str
    fixture: str | None
    rendered: Any = None           # ses_workbench.render.RenderedEmail
    error: BaseException | None = None
    elapsed_ms: float = 0.0
    extra: dict[str, Any] | None = None   # views (tab -> (lines, signature)), attributes
    outbox: str | None = None      # the outbox message's file name when it shows one, not a render


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
    template any more — an error unless the job shows an outbox message) with the session's preview
    (render + attributes + error in one value), then build the visible tab's lines."""
    from ses_workbench.session.preview import RenderFailure, attributes, preview

    started = time.perf_counter()
    outcome = PreviewOutcome(seq=job.seq, template=job.template, fixture=job.fixture,
                             outbox=job.outbox[0] if job.outbox is not None else None, extra={})
    if base is None and job.outbox is None:
        outcome.error = RenderFailure(f"no template named {job.template!r}")
        outcome.elapsed_ms = (time.perf_counter() - started) * 1000
        return outcome
    edited = job.edited(base) if base is not None else None
    extra: dict[str, Any] = {}
    banner = None
    if job.outbox is not None:  # an outbox message shows with no template open too
        outcome.rendered = job.outbox[1]
        banner = f"outbox: {job.outbox[0]}"
        if job.attributes and edited is not None:  # the attribute list walks every reference
            try:
                extra["attributes"] = attributes(edited, job.dialect)
            except Exception:  # noqa: BLE001 - the template does not even compile
                pass
    else:
        assert edited is not None, "a preview job without an outbox message has a template"
        found = preview(edited, None, job.dialect, want_attributes=job.attributes)
        outcome.rendered, outcome.error = found.rendered, found.error
        if found.attributes is not None:
            extra["attributes"] = found.attributes
    if outcome.rendered is not None:
        try:
            extra["views"] = tab_lines(outcome.rendered, job.tab, job.width, job.sender, banner)
        except Exception as exc:  # noqa: BLE001 - shown in the preview's status line
            outcome.rendered, outcome.error = None, RenderFailure.from_error(exc)
    outcome.extra = extra
    outcome.elapsed_ms = (time.perf_counter() - started) * 1000
    return outcome


def tab_lines(rendered: Any, tab: str, width: int, sender: str | None,
              banner: str | None = None) -> dict[str, tuple[list[Any], object]]:
    """The lines of preview tab ``tab`` for a rendered email (any thread or process), with a signature
    that tells whether they changed."""
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
    return views
