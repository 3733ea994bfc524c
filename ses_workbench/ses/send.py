"""Bulk test-send: one email per (recipient, fixture) pair, guarded, paced, retried, reported.

The guards run *before* anything is sent, because SES's worst behaviour is silent: a
template send whose data lacks a rendered attribute is accepted (a MessageId comes back)
and then dropped as a "Rendering Failure".  So:

- each recipient (and the sender) must be exactly one unambiguous address, judged on the address
  mail is delivered to (:mod:`ses_workbench.ses.addresses`): ``qa@acme.test <victim@evil.test>`` is
  refused, not counted as ``qa@acme.test``;
- recipients must be verified identities (the address, or its domain, with status SUCCESS)
  or mailbox-simulator addresses — otherwise refused with the list of offenders, whatever
  the account mode, unless ``allow_unverified`` in a production account;
- the sender must be verified; sending must be enabled;
- the batch must fit the remaining 24-hour quota (``Max24HourSend`` -1 = unlimited;
  simulator addresses do not count);
- every fixture must pass lint for that template, and (template sends) the *pushed* content
  must render with it locally — a fixture SES would drop is refused, naming the attribute.

:func:`plan_send` returns a :class:`SendPlan` (count, recipients, fixtures, quota left,
refusals) that the CLI/TUI shows before asking once; :func:`execute_send` sends it:
``SendBulkEmail`` in batches of at most 50 (paced to ``MaxSendRate`` recipients per
second), or in draft mode one raw ``SendEmail`` per pair with the locally rendered MIME.
TRANSIENT_FAILURE/ACCOUNT_THROTTLED entries are retried with backoff; the outcome of every
pair is written as JSON to ``state_dir/reports/``.  On the local endpoint an entry SES accepted and then
dropped as a "Rendering Failure" is reported as ``RENDERING_FAILURE`` (see :mod:`ses_workbench.ses.events`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ses_workbench.errors import WorkbenchError
from ses_workbench.ses.addresses import AddressError, parse_address
from ses_workbench.ses.client import Account, SesClient
from ses_workbench.ses.errors import (
    CredentialsError,
    EndpointUnreachable,
    QuotaExceeded,
    Refused,
    SendingPaused,
    SesError,
    TemplateNotFound,
    Throttled,
)
from ses_workbench.ses.state import utc_iso, utc_stamp
from ses_workbench.wording import plural

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.engine import Dialect
    from ses_workbench.project import Project

__all__ = ["SIMULATOR_DOMAIN", "SIMULATOR_MAILBOXES", "Destination", "SendPlan", "SendOutcome",
           "SendReport", "plan_send", "execute_send", "send", "is_simulator", "bare_address",
           "RETRYABLE", "RENDERING_FAILURE"]

SIMULATOR_DOMAIN = "simulator.amazonses.com"
SIMULATOR_MAILBOXES = ("success", "bounce", "ooto", "complaint", "suppressionlist")
RETRYABLE = frozenset({"TRANSIENT_FAILURE", "ACCOUNT_THROTTLED"})
# Status given to an entry SES accepted but dropped at render time (local endpoint: read from its events).
RENDERING_FAILURE = "RENDERING_FAILURE"
MAX_RAW_BYTES = 10 * 1024 * 1024
Progress = Callable[[int, int, str], None]


def bare_address(value: str) -> str:
    """``Name <a@b>`` → ``a@b``: the address mail is delivered to; :class:`AddressError` for a string
    that is not exactly one unambiguous address (see :func:`ses_workbench.ses.addresses.parse_address`)."""
    return parse_address(value).address


def is_simulator(address: str) -> bool:
    """A mailbox-simulator address (``success@simulator.amazonses.com``, also with ``+label``); an invalid
    or ambiguous string is not one."""
    try:
        local, _, domain = bare_address(address).rpartition("@")
    except AddressError:
        return False
    return domain.lower() == SIMULATOR_DOMAIN and local.split("+", 1)[0].lower() in SIMULATOR_MAILBOXES


def _verified(address: str, verified: set[str]) -> bool:
    try:
        addr = bare_address(address).lower()
    except AddressError:
        return False
    return addr in verified or addr.rpartition("@")[2] in verified


def _address_refusals(values: Sequence[str], what: str) -> tuple[list[str], set[str]]:
    """One refusal per string that is not exactly one unambiguous address, and the set of those strings."""
    refusals: list[str] = []
    bad: set[str] = set()
    for value in values:
        try:
            parse_address(value)
        except AddressError as exc:
            refusals.append(f"{what}: {exc}")
            bad.add(value)
    return refusals, bad


@dataclass
class Destination:
    recipient: str
    fixture: str
    data: Any = field(default=None, repr=False)


@dataclass
class SendPlan:
    """Everything a person needs to say yes: shown by CLI/TUI before :func:`execute_send`."""

    template: str
    environment: str
    sender: str | None
    draft: bool
    recipients: list[str]
    fixtures: list[str]
    destinations: list[Destination]
    account: Account | None
    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    messages: dict[tuple[str, str], bytes] = field(default_factory=dict, repr=False)  # draft MIME

    @property
    def count(self) -> int:
        return len(self.destinations)

    @property
    def quota_left(self) -> float | None:
        return self.account.remaining_24h if self.account else None

    @property
    def ok(self) -> bool:
        return not self.refusals

    def summary(self) -> str:
        mode = "draft (raw, rendered locally)" if self.draft else "template"
        quota = "unlimited" if self.quota_left is None else f"{self.quota_left:g}"
        rate = f", {self.account.max_send_rate:g}/s" if self.account else ""
        return (f"{plural(self.count, 'email')} of '{self.template}' to "
                f"{plural(len(self.recipients), 'recipient')} × {plural(len(self.fixtures), 'fixture')} "
                f"via {self.environment} [{mode}{rate}], "
                f"24 h quota left: {quota}")

    def to_dict(self) -> dict[str, Any]:
        return {"template": self.template, "environment": self.environment, "sender": self.sender,
                "draft": self.draft, "count": self.count, "recipients": self.recipients,
                "fixtures": self.fixtures, "quota_left": self.quota_left, "refusals": self.refusals,
                "warnings": self.warnings}


@dataclass
class SendOutcome:
    recipient: str
    fixture: str
    status: str
    message_id: str | None = None
    error: str | None = None
    attempts: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"recipient": self.recipient, "fixture": self.fixture, "status": self.status,
                "MessageId": self.message_id, "error": self.error, "attempts": self.attempts}


@dataclass
class SendReport:
    plan: SendPlan
    outcomes: list[SendOutcome]
    started: str
    elapsed: float
    path: Path | None = None
    stopped: str | None = None  # why sending stopped early (paused, quota, credentials...)
    report_error: str | None = None  # the JSON report could not be written (the sends happened anyway)

    @property
    def sent(self) -> list[SendOutcome]:
        return [o for o in self.outcomes if o.status == "SUCCESS"]

    @property
    def failed(self) -> list[SendOutcome]:
        return [o for o in self.outcomes if o.status != "SUCCESS"]

    @property
    def ok(self) -> bool:
        return not self.failed and self.stopped is None

    def summary(self) -> str:
        rate = len(self.outcomes) / self.elapsed if self.elapsed > 0 else 0.0
        s = f"{len(self.sent)}/{len(self.outcomes)} sent in {self.elapsed:.1f}s ({rate:.1f}/s)"
        if self.stopped:
            s += f"; stopped: {self.stopped}"
        if self.report_error:
            s += f"; the report could not be written: {self.report_error}"
        return s

    def to_dict(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for o in self.outcomes:
            counts[o.status] = counts.get(o.status, 0) + 1
        return {"plan": self.plan.to_dict(), "started": self.started, "elapsed": round(self.elapsed, 3),
                "stopped": self.stopped, "counts": counts, "results": [o.to_dict() for o in self.outcomes]}


# ------------------------------------------------------------------------------------------ plan
def plan_send(client: SesClient, project: Project, name: str, to: Sequence[str] | None = None, *,
              fixtures: Sequence[str] | None = None, sender: str | None = None, draft: bool = False,
              allow_unverified: bool = False, dialect: Dialect | None = None) -> SendPlan:
    """Build the send plan and run every guard; ``plan.refusals`` lists what blocks it (empty = ok).

    ``to`` defaults to the config's ``test_recipients``, ``sender`` to its ``sender``, ``fixtures`` to
    the template's default fixture.  Lint and the local renders use ``dialect`` (default: the one
    calibrated for the environment).  Costs GetAccount + ListEmailIdentities (+ GetEmailTemplate).
    """
    from ses_workbench.lint import lint_template

    tpl = project.get(name)
    recipients = list(dict.fromkeys(to or project.config.test_recipients))
    recipients_from = "recipient" if to else "recipient (test_recipients in ses-workbench.toml)"
    sender_from = "sender" if sender else "sender (sender in ses-workbench.toml)"
    sender = sender or project.config.sender
    if fixtures:
        fx_names = [tpl.fixture(f).name for f in dict.fromkeys(fixtures)]
    else:
        fx_names = [tpl.fixture(None).name]
    refusals: list[str] = []
    warnings: list[str] = []
    if not recipients:
        refusals.append("no recipients: give --to ADDR or set test_recipients in ses-workbench.toml")
    if not sender:
        refusals.append("no sender: give --from ADDR or set sender in ses-workbench.toml")

    account = client.get_account(refresh=True)
    identities = client.list_identities()
    verified = {i.name.lower() for i in identities if i.verified}

    # Recipients: exactly one unambiguous address each (judged on the address mail is delivered to),
    # a verified identity (address or domain) or the mailbox simulator.
    syntax, bad_syntax = _address_refusals(recipients, recipients_from)
    refusals.extend(syntax)
    offenders = [r for r in recipients if r not in bad_syntax and not is_simulator(r)
                 and not _verified(r, verified)]
    if offenders:
        listing = ", ".join(offenders)
        if allow_unverified and account.production:
            warnings.append(f"sending to unverified recipients (--allow-unverified): {listing}")
        elif allow_unverified:
            refusals.append(f"unverified recipients: {listing} — --allow-unverified only applies to a "
                            "production account, and this account is in the SES sandbox")
        else:
            refusals.append(f"unverified recipients: {listing} (verify them, use the mailbox simulator "
                            f"success@{SIMULATOR_DOMAIN}, or --allow-unverified in a production account)")
    sender_syntax = _address_refusals([sender], sender_from)[0] if sender else []
    refusals.extend(sender_syntax)
    if sender and not sender_syntax and not _verified(sender, verified):
        refusals.append(f"the sender {sender} is not a verified identity in {client.environment.name}")
    if not account.sending_enabled:
        refusals.append("sending is disabled for this account (SendingEnabled is false)")

    # Fixtures: lint (local template) and, for template sends, a local render of the pushed content.
    destinations: list[Destination] = []
    fixture_data: dict[str, Any] = {}
    if dialect is None:  # the caller's (a session's) dialect, else the one calibrated for the environment
        from ses_workbench.ses.calibrate import load_dialect

        dialect = load_dialect(project, client.environment.name)
    diags = lint_template(tpl, dialect, config=project.config)
    general = [d for d in diags if d.is_error and d.fixture is None]
    if general:
        refusals.append(f"'{name}' fails lint: {general[0]}" +
                        (f" (+{len(general) - 1} more)" if len(general) > 1 else ""))
    for fx in fx_names:
        errs = [d for d in diags if d.is_error and d.fixture == fx]
        if errs:
            refusals.append(f"fixture '{fx}' fails lint (SES would drop the email): {errs[0].message}")
            continue
        try:
            fixture_data[fx] = tpl.fixture(fx).data
        except WorkbenchError as exc:
            refusals.append(f"fixture '{fx}': {exc}")
    pushed = None
    if not draft:
        pushed = client.get_template(name)
        if pushed is None:
            refusals.append(f"'{name}' is not pushed to {client.environment.name} (push it first, or "
                            "--draft to send the local version)")
        else:
            try:
                local = tpl.compose()
            except WorkbenchError:
                local = None
            if local is not None and local.content_hash() != pushed.content_hash():
                warnings.append(f"the pushed '{name}' differs from the local files: the pushed version is "
                                "sent (use --draft to send the local version)")
            refusals.extend(_check_pushed_renders(pushed, fixture_data, dialect))

    for fx in fx_names:
        for r in recipients:
            destinations.append(Destination(r, fx, fixture_data.get(fx)))

    # Quota: simulator recipients count against the rate, not the daily quota.
    counted = sum(1 for d in destinations if not is_simulator(d.recipient))
    left = account.remaining_24h
    if left is not None and counted > left:
        verb = "exceeds" if counted == 1 else "exceed"
        refusals.append(f"{plural(counted, 'email')} {verb} the {left:g} left of the 24-hour quota "
                        f"({account.max_24h_send:g} per 24 h, {account.sent_last_24h:g} sent)")

    plan = SendPlan(name, client.environment.name, sender, draft, recipients, fx_names, destinations,
                    account, refusals, warnings)
    if draft and not refusals:
        _render_drafts(project, plan, dialect)
    return plan


def _check_pushed_renders(pushed: Any, fixture_data: dict[str, Any], dialect: Any) -> list[str]:
    """Render the *pushed* content locally with each fixture: what SES would silently drop is refused."""
    from ses_workbench.engine import EngineError, MissingAttributeError
    from ses_workbench.render import compile_content

    out: list[str] = []
    try:
        compiled = compile_content(pushed, dialect)
    except EngineError as exc:
        return [f"the pushed template does not compile locally: {exc}"]
    for fx, data in fixture_data.items():
        try:
            compiled.render(data)
        except MissingAttributeError as exc:
            out.append(f"fixture '{fx}' lacks an attribute the pushed template renders — SES would accept "
                       f"the send and drop the email: {exc}")
        except EngineError as exc:
            out.append(f"fixture '{fx}' does not render with the pushed template: {exc}")
    return out


def _render_drafts(project: Project, plan: SendPlan, dialect: Any) -> None:
    from ses_workbench.mime import build_mime
    from ses_workbench.render import render_template

    tpl = project.get(plan.template)
    rendered = {}
    for fx in plan.fixtures:
        try:
            rendered[fx] = render_template(tpl, fixture=fx, dialect=dialect)
        except WorkbenchError as exc:
            plan.refusals.append(f"fixture '{fx}' does not render locally: {exc}")
    if plan.refusals:
        return
    for d in plan.destinations:
        mime = build_mime(rendered[d.fixture], sender=plan.sender, to=d.recipient)
        if len(mime) > MAX_RAW_BYTES:
            plan.refusals.append(f"the draft for fixture '{d.fixture}' is {len(mime):,} bytes; SES's raw "
                                 "message limit is 10 MB")
            return
        plan.messages[(d.recipient, d.fixture)] = mime


# ------------------------------------------------------------------------------------------ execute
def execute_send(client: SesClient, project: Project, plan: SendPlan, *, progress: Progress | None = None,
                 retries: int = 4, backoff: float = 0.5, write_report: bool = True,
                 sleep: Callable[[float], None] = time.sleep) -> SendReport:
    """Send a plan (refused plans raise :class:`Refused`); writes the JSON report; never raises per entry."""
    if plan.refusals:
        raise Refused(f"Send refused: {plan.refusals[0]}" +
                      (f" (+{len(plan.refusals) - 1} more)" if len(plan.refusals) > 1 else ""))
    progress = progress or (lambda done, total, name: None)
    started, t0 = utc_iso(), time.monotonic()
    outcomes = {(d.recipient, d.fixture): SendOutcome(d.recipient, d.fixture, "PENDING")
                for d in plan.destinations}
    total = len(plan.destinations)
    stopped: str | None = None
    client.send_pacer()
    batch = client.send_batch_size()
    events_mark = _events_mark(client, project)
    pending = list(plan.destinations)
    done = 0
    attempt = 0
    while pending and stopped is None:
        retry: list[Destination] = []
        for start in range(0, len(pending), 1 if plan.draft else batch):
            chunk = pending[start:start + (1 if plan.draft else batch)]
            try:
                if plan.draft:
                    d = chunk[0]
                    results: list[tuple[str, str | None, str | None]]
                    mid = client.send_email(sender=str(plan.sender), to=[d.recipient],
                                            raw=plan.messages[(d.recipient, d.fixture)])
                    results = [("SUCCESS", mid, None)]
                else:
                    res = client.send_bulk(plan.template, [([d.recipient], d.data) for d in chunk],
                                           sender=str(plan.sender))
                    results = [(r.status, r.message_id, r.error) for r in res]
                    results += [("FAILED", None, "no result for this entry")] * (len(chunk) - len(results))
            except (SendingPaused, QuotaExceeded, CredentialsError, EndpointUnreachable,
                    TemplateNotFound) as exc:
                stopped = str(exc)
                for d in pending[start:]:
                    o = outcomes[(d.recipient, d.fixture)]
                    o.status, o.error = ("NOT_SENT" if d not in chunk else type(exc).__name__), str(exc)
                break
            except Throttled as exc:
                results = [("ACCOUNT_THROTTLED", None, str(exc))] * len(chunk)
            except SesError as exc:
                results = [(exc.code or type(exc).__name__, None, str(exc))] * len(chunk)
            for d, (status, message_id, err) in zip(chunk, results, strict=False):
                o = outcomes[(d.recipient, d.fixture)]
                o.attempts += 1
                o.status, o.message_id, o.error = status, message_id, err
                if status in RETRYABLE and attempt < retries:
                    retry.append(d)
                else:
                    done += 1
            progress(done, total, f"{chunk[-1].fixture} → {chunk[-1].recipient}")
        pending = retry
        if pending and stopped is None:
            sleep(min(20.0, backoff * (2 ** attempt)))
            attempt += 1
    if events_mark is not None and not plan.draft:
        _mark_rendering_failures(project, list(outcomes.values()), events_mark)
    report = SendReport(plan, [outcomes[(d.recipient, d.fixture)] for d in plan.destinations], started,
                        time.monotonic() - t0, stopped=stopped)
    if write_report:  # the mail is out: a report that cannot be written is a note, never an error
        from ses_workbench.ses.state import StateWriteError, write_state_json

        path = project.state.send_report(plan.environment, plan.template, utc_stamp())
        try:
            report.path = write_state_json(path, report.to_dict())
        except StateWriteError as exc:
            report.report_error = str(exc)
    return report


def _events_mark(client: SesClient, project: Project) -> int | None:
    """The local endpoint's event-log position before sending (None: not the local endpoint)."""
    if not client.environment.local:
        return None
    from ses_workbench.ses.events import mark

    return mark(project)


def _mark_rendering_failures(project: Project, outcomes: list[SendOutcome], since: int) -> None:
    """Local endpoint: an entry SES accepted and then dropped becomes ``RENDERING_FAILURE`` (with SES's
    error message), so the report shows what real SES would only publish as an event."""
    from ses_workbench.ses.events import rendering_failures

    failures = rendering_failures(project, [o.message_id for o in outcomes
                                            if o.status == "SUCCESS" and o.message_id], since)
    for o in outcomes:
        ev = failures.get(o.message_id or "")
        if ev is not None:
            o.status = RENDERING_FAILURE
            o.error = f"accepted, then dropped as a Rendering Failure: {ev.detail}"


def send(client: SesClient, project: Project, name: str, to: Sequence[str] | None = None, *,
         fixtures: Sequence[str] | None = None, sender: str | None = None, draft: bool = False,
         allow_unverified: bool = False, dry_run: bool = False,
         confirm: Callable[[SendPlan], bool] | None = None,
         progress: Progress | None = None) -> tuple[SendPlan, SendReport | None]:
    """Plan, refuse (raise :class:`Refused`) or ask ``confirm(plan)`` once, then send; report is None on
    dry run or when the confirmation is declined."""
    plan = plan_send(client, project, name, to, fixtures=fixtures, sender=sender, draft=draft,
                     allow_unverified=allow_unverified)
    if plan.refusals:
        raise Refused("Send refused: " + "; ".join(plan.refusals))
    if dry_run or (confirm is not None and not confirm(plan)):
        return plan, None
    return plan, execute_send(client, project, plan, progress=progress)
