"""What happened to mail after SES accepted it: deliveries, bounces, complaints and rendering failures.

SES's worst behaviour is silent: a templated send whose data lacks a rendered attribute is accepted (a
MessageId comes back) and the message is then dropped as a "Rendering Failure" event.  Real SES only
publishes those events through a configuration set (SNS, Firehose, CloudWatch, EventBridge), which the
workbench cannot read through the SES API.  The embedded local endpoint records every event in its state
folder (``local-ses/events.jsonl``, SES's event-publishing shape), and this module is how the CLI
(``ses-workbench events``), the send report, the TUI and the notebook show them.

    from ses_workbench.ses import events
    events.read(project, event_type="Rendering Failure", template="welcome", last=20) -> list[MailEvent]
    events.rendering_failures(project, message_ids, since=events.mark(project)) -> dict[str, MailEvent]
    events.require_local(client)     # EventsUnavailable for an AWS environment
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ses_workbench.ses.errors import SesError

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import Project
    from ses_workbench.ses.client import SesClient

__all__ = ["EVENT_TYPES", "MailEvent", "EventsUnavailable", "read", "rendering_failures", "event_type",
           "require_local", "mark", "RENDERING_FAILURE"]

EVENT_TYPES = ("Send", "Delivery", "Bounce", "Complaint", "Rendering Failure")
RENDERING_FAILURE = "Rendering Failure"


class EventsUnavailable(SesError):
    """Events of an AWS environment are only published through configuration sets, not readable here."""


def event_type(name: str) -> str:
    """``rendering-failure`` / ``rendering_failure`` / ``Rendering Failure`` → ``Rendering Failure``."""
    key = name.strip().lower().replace("-", " ").replace("_", " ")
    for t in EVENT_TYPES:
        if t.lower() == key:
            return t
    raise ValueError(f"unknown event type {name!r} (known: "
                     f"{', '.join(t.lower().replace(' ', '-') for t in EVENT_TYPES)})")


@dataclass(frozen=True)
class MailEvent:
    """One recorded event; ``detail`` is the one-line gist (SES's error message for a rendering failure)."""

    type: str
    message_id: str
    timestamp: str
    source: str
    destination: tuple[str, ...]
    template: str | None
    detail: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> MailEvent:
        mail = raw.get("mail") or {}
        kind = str(raw.get("eventType", ""))
        template = mail.get("templateName")
        detail = ""
        if kind == RENDERING_FAILURE:
            failure = raw.get("failure") or {}
            detail = str(failure.get("errorMessage") or "")
            template = template or failure.get("templateName") or None
        elif kind == "Delivery":
            delivery = raw.get("delivery") or {}
            detail = f"outbox: {delivery['outboxPath']}" if delivery.get("outboxPath") else "delivered"
        elif kind == "Bounce":
            bounce = raw.get("bounce") or {}
            who = ", ".join(r.get("emailAddress", "") for r in bounce.get("bouncedRecipients") or [])
            detail = f"{bounce.get('bounceType', 'Permanent')} bounce: {who}"
        elif kind == "Complaint":
            complaint = raw.get("complaint") or {}
            who = ", ".join(r.get("emailAddress", "") for r in complaint.get("complainedRecipients") or [])
            detail = f"complaint from {who}"
        return cls(kind, str(mail.get("messageId", "")), str(mail.get("timestamp", "")),
                   str(mail.get("source", "")), tuple(mail.get("destination") or ()), template, detail, raw)

    def line(self) -> str:
        """One line for a terminal: when, what, which message, template, recipients, detail."""
        to = ", ".join(self.destination)
        tpl = f" [{self.template}]" if self.template else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.timestamp}  {self.type:<17}  {self.message_id}{tpl} → {to}{detail}"

    def to_dict(self) -> dict[str, Any]:
        return {"eventType": self.type, "messageId": self.message_id, "timestamp": self.timestamp,
                "source": self.source, "destination": list(self.destination), "template": self.template,
                "detail": self.detail}


def require_local(client: SesClient) -> None:
    """Raise :class:`EventsUnavailable` unless ``client`` talks to the embedded local endpoint."""
    if not client.environment.local:
        raise EventsUnavailable(
            f"{client.environment.name} is an AWS environment: SES publishes its delivery and "
            "rendering-failure events only through a configuration set (SNS, Firehose, CloudWatch or "
            "EventBridge); 'events' shows those of the local SES endpoint.")


def read(project: Project, *, event_type: str | None = None, message_ids: Iterable[str] | None = None,
         template: str | Iterable[str] | None = None, last: int | None = None) -> list[MailEvent]:
    """The local endpoint's events for ``project`` (oldest first), filtered; ``last`` keeps the newest N.

    ``template`` matches the SES template name recorded with the send (give the prefixed name, or
    several names, for a prefixed environment).
    """
    from ses_workbench.ses.local import iter_events

    ids = set(message_ids) if message_ids is not None else None
    names = {template} if isinstance(template, str) else set(template) if template is not None else None
    out: list[MailEvent] = []
    for raw in iter_events(project.state_dir, event_type):
        ev = MailEvent.from_raw(raw)
        if ids is not None and ev.message_id not in ids:
            continue
        if names is not None and ev.template not in names:
            continue
        out.append(ev)
    if last is not None:
        out = out[-last:] if last > 0 else []
    return out


def mark(project: Project) -> int:
    """Where the event log ends now: pass it to :func:`rendering_failures` to read only newer events."""
    from ses_workbench.ses.local import store_dir

    try:
        return (store_dir(project.state_dir) / "events.jsonl").stat().st_size
    except OSError:
        return 0


def rendering_failures(project: Project, message_ids: Iterable[str], since: int = 0) -> dict[str, MailEvent]:
    """The rendering failures recorded for these MessageIds (accepted by SES, then dropped).

    ``since``: a :func:`mark` taken before sending, so a long event log is not read from the start.
    """
    import json

    from ses_workbench.ses.local import store_dir

    ids = {m for m in message_ids if m}
    if not ids:
        return {}
    out: dict[str, MailEvent] = {}
    try:
        with open(store_dir(project.state_dir) / "events.jsonl", "rb") as fh:
            fh.seek(since)
            for line in fh:
                if b"Rendering Failure" not in line:
                    continue
                try:
                    raw = json.loads(line)
                except ValueError:
                    continue
                if raw.get("eventType") == RENDERING_FAILURE and \
                        (raw.get("mail") or {}).get("messageId") in ids:
                    ev = MailEvent.from_raw(raw)
                    out[ev.message_id] = ev
    except OSError:
        return {}
    return out
