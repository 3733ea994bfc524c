"""Calibration: ask a real SES account how it renders the points nobody has verified.

Each probe is a tiny template aimed at one unverified behaviour in shared/SES.md (parent-scope
lookup inside ``#each``, ``{{#if a.b}}`` with ``a`` missing, how ``2.0``/``1e21``/arrays/
objects/``@first`` print, key order of ``#each`` over an object, newlines around standalone
block tags, ``null``).  Probes run through ``TestRenderEmailTemplate`` on one scratch
template (reserved prefix; created once, updated per probe, deleted afterwards — also on
error), paced like every template operation.

Rather than hard-coding what each answer "means", every probe is also rendered locally by
the engine under each candidate value of its :class:`~ses_workbench.engine.Dialect` field; the
values whose output matches SES's are the ones consistent with this account.  The result —
raw answers, matching values, the derived dialect, what differs from the defaults — is
written to ``state_dir/calibration.json`` (per environment), and every raw
``RenderedTemplate`` to ``state_dir/calibration/<env>/<probe>.eml`` for MIME-parser and
parity tests.  :func:`load_dialect` reads a calibrated dialect back;
:mod:`ses_workbench.session.dialect` holds the rule local work follows.

Against the embedded local endpoint (which renders with the default dialect) calibration is
a self-test: every answer must equal the defaults.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ses_workbench.ses.client import SesClient
from ses_workbench.ses.errors import BadRequest
from ses_workbench.ses.state import utc_iso

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.engine import Dialect
    from ses_workbench.project import Project

__all__ = ["Probe", "PROBES", "ProbeResult", "Calibration", "calibrate", "load_dialect", "CANDIDATES"]

Progress = Callable[[int, int, str], None]

# Candidate values of each Dialect field (the engine validates them).
CANDIDATES: dict[str, tuple[Any, ...]] = {
    "parent_scope_lookup": (False, True),
    "if_missing_parent": ("false", "error"),
    "print_style": ("handlebars", "json"),
    "each_object_order": ("insertion", "python", "sorted"),
    "standalone_strip": (True, False),
}


@dataclass(frozen=True)
class Probe:
    """One question for SES: ``source`` is the text part, ``data`` the TemplateData (as JSON text)."""

    id: str
    field: str | None  # the Dialect field it decides (None: a verified behaviour we re-check)
    source: str
    data: str
    question: str


PROBES: tuple[Probe, ...] = (
    Probe("parent-scope", "parent_scope_lookup", "{{#each items}}[{{shopName}}]{{/each}}",
          '{"items": [1, 2], "shopName": "S"}',
          "inside {{#each}}, is a root variable found without ../ ?"),
    Probe("if-missing-parent", "if_missing_parent", "{{#if a.b}}yes{{else}}no{{/if}}", "{}",
          "{{#if a.b}} with a missing: false, or an error?"),
    Probe("print-float", "print_style", "[{{n}}]", '{"n": 2.0}', "how does 2.0 print?"),
    Probe("print-big", "print_style", "[{{n}}]", '{"n": 1e21}', "how does 1e21 print?"),
    Probe("print-array", "print_style", "[{{a}}]", '{"a": [1, "x", true]}', "how does an array print?"),
    Probe("print-object", "print_style", "[{{o}}]", '{"o": {"k": 1}}', "how does an object print?"),
    Probe("print-bool", "print_style", "[{{t}}|{{f}}]", '{"t": true, "f": false}',
          "how do booleans print?"),
    Probe("print-first-last", "print_style", "{{#each items}}[{{@first}}/{{@last}}]{{/each}}",
          '{"items": ["a", "b"]}', "how do @first/@last print?"),
    Probe("each-object-order", "each_object_order", "{{#each o}}{{@key}},{{/each}}",
          '{"o": {"b": 1, "a": 2, "10": 3, "2": 4}}', "in which order does {{#each object}} visit keys?"),
    Probe("standalone-block", "standalone_strip", "a\n{{#if t}}\nb\n{{/if}}\nc\n", '{"t": true}',
          "are the lines of standalone block tags removed?"),
    Probe("standalone-each", "standalone_strip",
          "<ul>\n  {{#each xs}}\n  <li>{{this}}</li>\n  {{/each}}\n</ul>\n", '{"xs": [1, 2]}',
          "standalone {{#each}} lines with indentation?"),
    Probe("null-is-missing", None, "[{{x}}]", '{"x": null}', "is null treated as missing (an error)?"),
)


@dataclass
class ProbeResult:
    probe: Probe
    ok: bool                    # SES rendered it (False: SES refused with ``error``)
    output: str | None = None   # SES's text part, normalised
    error: str | None = None
    matches: list[Any] = field(default_factory=list)  # field values whose local render equals SES's
    local_default: str | None = None  # what the default dialect renders (for the report)

    @property
    def answer(self) -> str:
        return self.output if self.ok and self.output is not None else f"error: {self.error}"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.probe.id, "field": self.probe.field, "question": self.probe.question,
                "source": self.probe.source, "data": self.probe.data, "ok": self.ok, "output": self.output,
                "error": self.error, "matches": self.matches, "default_output": self.local_default}


@dataclass
class Calibration:
    environment: str
    endpoint: str
    results: list[ProbeResult]
    dialect: Dialect
    differs: dict[str, tuple[Any, Any]]        # field -> (default, SES's)
    unexplained: list[str]                     # probes no candidate value reproduces
    at: str = field(default_factory=utc_iso)
    save_error: str | None = None              # the results (or raw answers) could not be written

    @property
    def self_test_ok(self) -> bool:
        """Every answer equals the defaults (what the local endpoint must give)."""
        return not self.differs and not self.unexplained

    def to_dict(self) -> dict[str, Any]:
        return {"environment": self.environment, "endpoint": self.endpoint, "at": self.at,
                "dialect": asdict(self.dialect),
                "differs": {k: {"default": a, "ses": b} for k, (a, b) in self.differs.items()},
                "unexplained": self.unexplained, "probes": [r.to_dict() for r in self.results]}

    def report(self) -> str:
        lines = [f"calibration of {self.environment} ({self.endpoint}):"]
        for r in self.results:
            flag = "" if r.probe.id not in self.unexplained else "  <- no dialect setting reproduces this"
            lines.append(f"  {r.probe.id:<18} {r.answer!r}{flag}")
        if self.differs:
            lines.append("behaviours that differ from the defaults:")
            for k, (a, b) in self.differs.items():
                lines.append(f"  {k}: default {a!r}, SES {b!r}")
        else:
            lines.append("every calibrated behaviour matches the defaults")
        for pid in self.unexplained:
            lines.append(f"  unexplained: {pid} (see calibration.json; please report it)")
        lines.append(f"dialect: {asdict(self.dialect)}")
        if self.save_error:
            lines.append(f"not saved: {self.save_error}")
        return "\n".join(lines) + "\n"


def _norm(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")


def _local(probe: Probe, dialect: Dialect) -> tuple[bool, str]:
    from ses_workbench.engine import EngineError, render

    try:
        return True, _norm(render(probe.source, json.loads(probe.data), dialect))
    except EngineError as exc:
        return False, str(exc)


def _content(probe: Probe) -> Any:
    from ses_workbench.project import TemplateContent

    return TemplateContent(subject=f"ses-workbench calibration {probe.id}", html="<p>probe</p>",
                           text=probe.source)


def calibrate(client: SesClient, project: Project, *, progress: Progress | None = None,
              save: bool = True) -> Calibration:
    """Run every probe through SES, derive the dialect, save the results; see the module docstring."""
    from ses_workbench.engine import DEFAULT_DIALECT
    from ses_workbench.mime import parse_mime
    from ses_workbench.ses.remote import scratch_lease
    from ses_workbench.ses.state import StateWriteError, write_state_text

    env = client.environment.name
    raw_dir = project.state.calibration_probes(env)
    results: list[ProbeResult] = []
    save_error: str | None = None  # the first write that failed: the probing goes on, nothing more is written
    with scratch_lease(client) as name:  # deleted on the way out, found by the next run if we are killed
        created = False
        for i, probe in enumerate(PROBES):
            if progress:
                progress(i, len(PROBES), probe.id)
            try:
                if created:
                    client.update_template(name, _content(probe))
                else:
                    client.create_template(name, _content(probe))
                    created = True
                raw = client.test_render(name, probe.data)
            except BadRequest as exc:
                results.append(ProbeResult(probe, False, error=exc.ses_message or str(exc)))
                continue
            if save and save_error is None:
                try:
                    write_state_text(raw_dir / f"{probe.id}.eml", raw)
                except StateWriteError as exc:
                    save_error = str(exc)
            results.append(ProbeResult(probe, True, output=_norm(parse_mime(raw).text)))
    if progress:
        progress(len(PROBES), len(PROBES), "")

    # Which candidate values reproduce each answer?
    unexplained: list[str] = []
    chosen: dict[str, Any] = {}
    for r in results:
        ok, out = _local(r.probe, DEFAULT_DIALECT)
        r.local_default = out if ok else f"error: {out}"
        fname = r.probe.field
        values = CANDIDATES[fname] if fname else (None,)
        for value in values:
            d = replace(DEFAULT_DIALECT, **{fname: value}) if fname else DEFAULT_DIALECT
            lok, lout = _local(r.probe, d)
            if lok == r.ok and (not lok or lout == r.output):
                r.matches.append(value)
        if not r.matches:
            unexplained.append(r.probe.id)
    for fname, values in CANDIDATES.items():
        consistent = list(values)
        for r in results:
            if r.probe.field == fname and r.matches:
                consistent = [v for v in consistent if v in r.matches]
        default = getattr(DEFAULT_DIALECT, fname)
        if default in consistent or not consistent:
            chosen[fname] = default
        else:
            chosen[fname] = consistent[0]
    dialect = replace(DEFAULT_DIALECT, **chosen)
    differs = {k: (getattr(DEFAULT_DIALECT, k), v) for k, v in chosen.items()
               if v != getattr(DEFAULT_DIALECT, k)}
    cal = Calibration(env, client.endpoint_url or client.describe(), results, dialect, differs, unexplained,
                      save_error=save_error)
    if save:
        try:
            _save(project, cal)
        except StateWriteError as exc:
            cal.save_error = cal.save_error or str(exc)
    return cal


def _save(project: Project, cal: Calibration) -> None:
    from ses_workbench.ses.state import write_state_json

    path = project.state.calibration
    try:
        data = json.loads(path.read_text("utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    data.setdefault("version", 1)
    data.setdefault("environments", {})[cal.environment] = cal.to_dict()
    write_state_json(path, data)


def load_dialect(project: Project, env: str | None = None) -> Dialect:
    """The calibrated dialect for ``env`` — or, without ``env``, of the most recently calibrated
    non-local environment — else the engine's defaults.  Unknown or invalid fields are ignored."""
    from ses_workbench.engine import DEFAULT_DIALECT, Dialect

    try:
        data = json.loads(project.state.calibration.read_text("utf-8"))
        envs = data.get("environments", {})
    except (OSError, ValueError, AttributeError):
        return DEFAULT_DIALECT
    entry = envs.get(env) if env else None
    if entry is None and env is None:
        non_local = [e for name, e in envs.items()
                     if name in project.config.environments and not project.config.environments[name].local]
        entry = max(non_local, key=lambda e: e.get("at", ""), default=None)
    if not isinstance(entry, dict):
        return DEFAULT_DIALECT
    fields = {k: v for k, v in (entry.get("dialect") or {}).items() if k in CANDIDATES}
    try:
        return Dialect(**fields)
    except (TypeError, ValueError):
        return DEFAULT_DIALECT
