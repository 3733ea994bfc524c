"""The workbench in a Jupyter notebook: ``from ses_workbench import Workbench``.

This module owns the notebook face of the tool: :class:`Workbench` mirrors the CLI's commands
as methods, and every method returns an object whose ``_repr_html_`` shows itself when it is
a cell's value (a rendered email, tables for lint/status/push/send/check, a side-by-side diff).

Safety decisions:

- A rendered email's HTML is shown in ``<iframe sandbox="" srcdoc="...">``: the whole document
  is HTML-escaped into the attribute, and the empty ``sandbox`` grants nothing (no scripts, no
  same-origin access to the notebook, no forms, no top navigation).  The document carries the
  preview's Content-Security-Policy: remote images load only with ``Workbench(remote_images=True)``.
  Every other string that reaches the page (subject, text part, data values in messages) is
  escaped too: data is untrusted (SES does not escape substituted values, so a ``<script>`` in a
  row stays one).
- Outward actions (``push``, ``send``) never happen without ``yes=True``; without it they
  return the plan (what would be pushed, with diffs) or the preview (who would get what).
- SES is reached through the same environments as the TUI and CLI
  (:func:`ses_workbench.ses.client.open_environment`): the project's default environment —
  the embedded local SES endpoint unless configured otherwise.  It is opened on first use and
  closed by :meth:`Workbench.close` or at interpreter exit.
"""

from __future__ import annotations

import atexit
import contextlib
import difflib
import html
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ses_workbench.check import (
    DEFAULT_MAX_FAILURES,
    FAST_PATH_REDONE,
    CheckReport,
    FastPathMismatch,
    Row,
    check_rows,
)
from ses_workbench.errors import WorkbenchError
from ses_workbench.preview_policy import with_policy_meta
from ses_workbench.project.errors import FixtureError
from ses_workbench.project.fixtures import parse_json

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.lint import Diagnostic
    from ses_workbench.project import EmailTemplate, Project
    from ses_workbench.render import RenderedEmail
    from ses_workbench.ses.client import SesClient

__all__ = [
    "CheckView",
    "DiffView",
    "LintView",
    "ParityView",
    "PushView",
    "RenderedView",
    "SendView",
    "StatusView",
    "TemplateList",
    "Workbench",
]

_e = html.escape

_CSS = """<style>
.sesw {font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; font-size: 13px;}
.sesw table {border-collapse: collapse; margin: 4px 0;}
.sesw th, .sesw td {border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top;}
.sesw th {background: #f5f5f5;}
.sesw .ok {color: #107c10;} .sesw .bad {color: #c50f1f;} .sesw .warn {color: #986f0b;}
.sesw pre {white-space: pre-wrap; background: #fafafa; border: 1px solid #eee; padding: 6px; margin: 4px 0;}
.sesw .meta td:first-child {font-weight: bold; width: 6em;}
.sesw table.diff {font-family: monospace; font-size: 12px;}
.sesw .diff_header {background: #e0e0e0;} .sesw td.diff_header {text-align: right;}
.sesw .diff_next {background: #c0c0c0;} .sesw .diff_add {background: #aaffaa;}
.sesw .diff_chg {background: #ffff77;} .sesw .diff_sub {background: #ffaaaa;}
</style>"""


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, cls: str = "") -> str:
    """An HTML table; every cell is escaped (cells are plain values, never markup)."""
    head = "".join(f"<th>{_e(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e('' if c is None else str(c))}</td>" for c in row) + "</tr>"
        for row in rows)
    return f'<table class="{_e(cls)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _wrap(inner: str) -> str:
    return f'{_CSS}<div class="sesw">{inner}</div>'


def sandboxed_iframe(document: str, height: int = 480, *, remote_images: bool = False) -> str:
    """The HTML ``document`` in an iframe that can run nothing and reach nothing.

    ``sandbox=""`` (every restriction on: no scripts, opaque origin, no forms, no popups, no
    top navigation); ``srcdoc`` holds the document escaped as an attribute value, so nothing in
    it can close the attribute or the iframe.  The document starts with the preview's
    Content-Security-Policy (:mod:`ses_workbench.preview_policy`): remote images, stylesheets and
    fonts load only with ``remote_images=True``.
    """
    document = with_policy_meta(document, remote_content=remote_images)
    return (f'<iframe sandbox="" referrerpolicy="no-referrer" srcdoc="{html.escape(document, quote=True)}" '
            f'style="width:100%;height:{int(height)}px;border:1px solid #ddd;background:#fff"></iframe>')


# --------------------------------------------------------------------------------------------
# Result objects (each shows itself in a notebook)
# --------------------------------------------------------------------------------------------


class TemplateList(list[str]):
    """The project's template names; shows a table (fixtures, parts, description)."""

    def __init__(self, project: Project) -> None:
        super().__init__(project.templates)
        self._project = project

    def __call__(self) -> TemplateList:
        """``wb.templates()`` works too: the issue lists ``templates`` among the methods."""
        return self

    def _repr_html_(self) -> str:
        rows = []
        for name in self:
            tpl = self._project.templates[name]
            try:
                fixtures = ", ".join(tpl.fixtures)
            except WorkbenchError as exc:
                fixtures = f"({exc})"
            desc = getattr(tpl, "description", "") or ""
            rows.append((name, desc, fixtures))
        return _wrap(_table(("template", "description", "fixtures"), rows))


@dataclass
class RenderedView:
    """One rendered email (or why it does not render), with the lint problems of its template."""

    template: str
    fixture: str | None
    sender: str | None
    to: tuple[str, ...]
    email: RenderedEmail | Any = None  # RenderedEmail, or ses.remote.RemoteRender
    error: WorkbenchError | None = None
    problems: list[Diagnostic] = field(default_factory=list)
    source: str = "local render"
    remote_images: bool = False  # load remote images, stylesheets and fonts in the frame (trackers see it)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def subject(self) -> str | None:
        return self.email.subject if self.email else None

    @property
    def html(self) -> str | None:
        return self.email.html if self.email else None

    @property
    def text(self) -> str | None:
        return self.email.text if self.email else None

    def raise_for_error(self) -> RenderedView:
        if self.error is not None:
            raise self.error
        return self

    def __repr__(self) -> str:
        if self.error is not None:
            return f"<{self.template} [{self.fixture or 'data'}]: {_where(self.error)}{self.error}>"
        return f"<{self.template} [{self.fixture or 'data'}]: subject {self.subject!r}>"

    def _repr_html_(self) -> str:
        meta = [("template", f"{self.template}" + (f" · fixture {self.fixture}" if self.fixture else "")),
                ("from", self.sender or "(no sender configured)"),
                ("to", ", ".join(self.to) or "(no test recipients configured)")]
        if self.email is not None:
            meta.insert(0, ("subject", self.email.subject))
        parts = [f"<div><small>{_e(self.source)}</small></div>", _meta_table(meta)]
        if self.error is not None:
            parts.append(f'<p class="bad"><b>SES would not render this email:</b> '
                         f"{_e(_where(self.error))}{_e(str(self.error))}</p>")
            hint = getattr(self.error, "hint", None)
            if hint:
                parts.append(f"<p>{_e(hint)}</p>")
        if self.email is not None:
            parts.append(sandboxed_iframe(self.email.html or "<p><i>(no HTML part)</i></p>",
                                          remote_images=self.remote_images))
            if self.email.text is not None:
                parts.append("<details><summary>text part</summary>"
                             f"<pre>{_e(self.email.text)}</pre></details>")
        if self.problems:
            parts.append("<b>lint</b>" + _diag_table(self.problems))
        return _wrap("".join(parts))


def _where(err: BaseException) -> str:
    line = getattr(err, "line", None)
    if line is None:
        return ""
    part = getattr(err, "part", None)
    path = getattr(err, "path", None)
    col = getattr(err, "column", None)
    head = str(path or part or "")
    return f"{head}:{line}" + (f":{col}" if col is not None else "") + ": "


def _meta_table(rows: Sequence[tuple[str, str]]) -> str:
    body = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in rows)
    return f'<table class="meta">{body}</table>'


def _diag_table(diags: Sequence[Diagnostic]) -> str:
    rows = [(d.severity, d.template, d.fixture, f"{d.path}:{d.line}:{d.column}", d.message, d.code)
            for d in diags]
    return _table(("severity", "template", "fixture", "where", "problem", "code"), rows)


class LintView(list["Diagnostic"]):
    """Lint findings (``list`` of :class:`~ses_workbench.lint.Diagnostic`); shows a table."""

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self if d.severity == "error"]

    def __repr__(self) -> str:
        return "\n".join(str(d) for d in self) if self else "No lint problems."

    def _repr_html_(self) -> str:
        if not self:
            return _wrap('<p class="ok">No lint problems.</p>')
        n_err = len(self.errors)
        head = (f'<p><span class="bad">{n_err} error{"s" * (n_err != 1)}</span>, '
                f'<span class="warn">{len(self) - n_err} warning{"s" * (len(self) - n_err != 1)}</span></p>')
        return _wrap(head + _diag_table(self))


@dataclass
class CheckView:
    """A batch check's report: exact counts, reasons, the first failing rows."""

    report: CheckReport

    def __getattr__(self, name: str) -> Any:  # rows, ok, failing, failures, by_reason ...
        if name == "report":
            raise AttributeError(name)
        return getattr(self.report, name)

    def to_dict(self) -> dict[str, Any]:
        return self.report.to_dict()

    def __repr__(self) -> str:
        return f"<check {self.report.template}: {self.report.summary()}>"

    def _repr_html_(self, max_rows: int = 50) -> str:
        r = self.report
        cls = "ok" if r.passed else "bad"
        parts = [f'<p><b>{_e(str(r.template))}</b>: <span class="{cls}">{r.rows:,} rows — {r.ok:,} ok, '
                 f"{r.failing:,} failing</span> <small>({r.seconds:.2f} s)</small></p>"]
        if r.by_reason:
            reasons = sorted(((n, k) for k, n in r.by_reason.items()), key=lambda t: (-t[0], t[1]))
            parts.append(_table(("rows", "reason"), reasons))
        if r.failures:
            shown = r.failures[:max_rows]
            parts.append(_table(("row", "attribute", "location", "problem"),
                                [(f.row, f.data_path or f.attribute, f.location, f.message)
                                 for f in shown]))
            if r.failing > len(shown):
                parts.append(f"<p><small>… {r.failing - len(shown):,} more failing rows "
                             f"(report.failures keeps {len(r.failures):,})</small></p>")
        if r.via_ses is not None:
            v = r.via_ses
            cls = "ok" if not v["disagree"] and not v["errors"] else "bad"
            parts.append(f'<p>via SES (TestRenderEmailTemplate): <span class="{cls}">{v["sampled"]} rows, '
                         f'{v["agree"]} agree, {v["disagree"]} disagree, {v["errors"]} errors</span></p>')
            parts.append(_table(("row", "local", "SES", "agree"),
                                [(x["row"], x["local"], x["ses"], x["agree"]) for x in v["rows"]]))
        return _wrap("".join(parts))


class StatusView(list[Any]):
    """Sync status per template (``list`` of :class:`~ses_workbench.ses.sync.TemplateStatus`)."""

    def __init__(self, items: Iterable[Any], environment: str) -> None:
        super().__init__(items)
        self.environment = environment

    def __repr__(self) -> str:
        width = max((len(s.name) for s in self), default=0)
        lines = [f"status against {self.environment}:"]
        lines += [f"  {s.name:<{width}}  {s.state}" + (f"  ({s.error})" if s.error else "") for s in self]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = [(s.name, str(s.state), s.remote_name, s.error or "") for s in self]
        return _wrap(f"<p>status against <b>{_e(self.environment)}</b></p>"
                     + _table(("template", "state", "remote name", "note"), rows))


def _side_by_side(old: str | None, new: str | None, old_label: str, new_label: str) -> str:
    """difflib's side-by-side table (it escapes the text itself)."""
    differ = difflib.HtmlDiff(tabsize=2, wrapcolumn=80)
    return differ.make_table((old or "").splitlines(), (new or "").splitlines(),
                             _e(old_label), _e(new_label), context=True, numlines=3)


class DiffView(list[Any]):
    """Per-template, per-part differences (``list`` of :class:`~ses_workbench.ses.sync.TemplateDiff`)."""

    @property
    def changed(self) -> bool:
        return any(d.changed for d in self)

    def unified(self) -> str:
        return "".join(d.unified() for d in self)

    def __repr__(self) -> str:
        return "\n".join(d.summary for d in self)

    def _repr_html_(self) -> str:
        out = []
        for d in self:
            out.append(f"<h4>{_e(d.summary)}</h4>")
            if d.error:
                continue
            for part in ("subject", "html", "text"):
                old = getattr(d.old, part) if d.old is not None else None
                new = getattr(d.new, part) if d.new is not None else None
                if (old or "") == (new or ""):
                    continue
                out.append(f"<b>{_e(part)}</b>")
                out.append(_side_by_side(old, new, f"{d.old_label}/{d.name}/{part}",
                                         f"{d.new_label}/{d.name}/{part}"))
        if not out:
            out.append('<p class="ok">No differences.</p>')
        return _wrap("".join(out))


@dataclass
class PushView:
    """A push plan (``executed=False``: nothing was sent) or what a push did."""

    plan: Any
    executed: bool
    result: Any = None

    def __repr__(self) -> str:
        head = "pushed: " if self.executed else "plan (pass yes=True to push): "
        return head + str(self.plan.summary())

    def _repr_html_(self) -> str:
        items = self.plan.items
        if self.executed:
            head = f"<p><b>pushed to {_e(self.plan.environment)}</b>: {_e(self.plan.summary())}</p>"
            rows = [(i.name, i.action, _push_result(i), i.reason, str(i.backup or "")) for i in items]
            table = _table(("template", "action", "result", "why", "backup"), rows)
        else:
            head = (f"<p><b>push plan for {_e(self.plan.environment)}</b> — nothing pushed; "
                    f"call again with <code>yes=True</code>. {_e(self.plan.summary())}</p>")
            table = _table(("template", "action", "state", "why"),
                           [(i.name, i.action, str(i.state or ""), i.reason) for i in items])
        # side-by-side diffs of updates (a create would show the whole template as added)
        diffs = [i.diff for i in items if i.diff is not None and i.action == "update"]
        more = DiffView(diffs)._repr_html_() if diffs and not self.executed else ""
        return _wrap(head + table) + more


def _push_result(item: Any) -> str:
    if item.done:
        return "done"
    if item.error:
        return str(item.error)
    return "" if item.action == "skip" else "not done"


@dataclass
class SendView:
    """A send preview (``executed=False``: nothing was sent) or the per-message results."""

    template: str
    environment: str
    executed: bool
    rows: list[dict[str, Any]]
    summary: str = ""
    raw: Any = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(getattr(self.raw, "ok", False))

    def __repr__(self) -> str:
        head = "sent" if self.executed else "preview (pass yes=True to send)"
        return f"{head}: {self.summary or len(self.rows)}"

    def _repr_html_(self) -> str:
        if self.executed:
            head = f"<p><b>sent {_e(self.template)} via {_e(self.environment)}</b>: {_e(self.summary)}</p>"
        else:
            head = (f"<p><b>send preview for {_e(self.template)} via {_e(self.environment)}</b> — nothing "
                    f"sent; call again with <code>yes=True</code>. {_e(self.summary)}</p>")
        head += "".join(f"<p class={'bad' if n.startswith('refused') else 'warn'}>{_e(n)}</p>"
                        for n in self.notes)
        keys: list[str] = []
        for row in self.rows:
            for k in row:
                if k not in keys:
                    keys.append(k)
        return _wrap(head + _table(keys, [[row.get(k) for k in keys] for row in self.rows]))


class ParityView(list[Any]):
    """Local render vs SES's render per fixture (``list`` of ``ses.remote.FixtureParity``)."""

    @property
    def same(self) -> bool:
        return all(p.same for p in self)

    def __repr__(self) -> str:
        return "".join(p.report() for p in self)

    def _repr_html_(self) -> str:
        out = []
        for p in self:
            cls, word = ("ok", "same as SES") if p.same else ("bad", "differs from SES")
            out.append(f'<p><b>{_e(p.template)}</b> [{_e(p.fixture)}]: <span class="{cls}">local render '
                       f"{word}</span></p>")
            if p.local_error or p.remote_error:
                out.append(_table(("", "verdict"), [("local", p.local_error or "rendered"),
                                                    ("SES", p.remote_error or "rendered")]))
            for part in p.parts:
                if not part.same:
                    out.append(f"<b>{_e(part.part)}</b>")
                    out.append(_side_by_side(part.remote, part.local, "SES", "local"))
        return _wrap("".join(out))


# --------------------------------------------------------------------------------------------
# The workbench
# --------------------------------------------------------------------------------------------


class Workbench:
    """A template project in a notebook: render, lint, check, and sync/send through SES.

    ``env``: an environment name from ``ses-workbench.toml`` (default: the project's default
    environment, the embedded local SES endpoint unless configured otherwise); ``local=True``
    forces the embedded endpoint.  ``remote_images=True`` lets rendered emails load remote images,
    stylesheets and fonts (blocked by default: a tracker would see every render).
    """

    def __init__(self, path: str | Path = ".", env: str | None = None, *, local: bool | None = None,
                 remote_images: bool = False) -> None:
        from ses_workbench.project import Project

        self.project: Project = Project.load(path)
        self.env = env
        self.local = local
        self.remote_images = remote_images
        self._stack: contextlib.ExitStack | None = None
        self._client: SesClient | None = None
        self._lock = threading.Lock()
        self._live: list[Any] = []
        # a weak reference: the exit hook must not keep a forgotten workbench alive
        atexit.register(_close_at_exit, weakref.ref(self))

    # ---------------------------------------------------------------- project
    def __repr__(self) -> str:
        where = "not connected" if self._client is None else self._client.describe()
        return f"<Workbench {self.project.root} · {len(self.project.templates)} templates · {where}>"

    def reload(self) -> Workbench:
        """Read the folder again (templates added, renamed or deleted outside the notebook)."""
        self.project.reload()
        return self

    @property
    def templates(self) -> TemplateList:
        """The template names (shows a table in a notebook)."""
        return TemplateList(self.project)

    def template(self, name: str) -> EmailTemplate:
        return self.project.get(name)

    # ---------------------------------------------------------------- local work
    def render(self, name: str, fixture: str | None = None, data: Any = None) -> RenderedView:
        """Render locally with SES's dialect; ``data`` (a dict or JSON text) wins over ``fixture``.

        A template or data SES would refuse does not raise: the view says why and where
        (``view.ok``, ``view.error``, ``view.raise_for_error()``).
        """
        from ses_workbench.lint import lint_template
        from ses_workbench.render import render_template

        tpl = self.project.get(name)
        if isinstance(data, str):
            try:  # as SES reads JSON: NaN, 10,000 levels, a 5,000-digit number are one error
                data = parse_json(data)
            except FixtureError as exc:
                raise WorkbenchError(f"data is not valid JSON: {_json_error(exc)}") from None
        fixture_name: str | None = None
        if data is None and (fixture is not None or tpl.fixtures):
            fixture_name = tpl.fixture(fixture).name  # UnknownFixtureError names the close matches
        view = RenderedView(name, fixture_name, self.project.config.sender,
                            tuple(self.project.config.test_recipients), remote_images=self.remote_images)
        try:
            view.email = render_template(tpl, fixture=fixture_name, data=data)
        except WorkbenchError as exc:
            view.error = exc
        try:
            view.problems = [d for d in lint_template(tpl) if d.fixture is None or d.fixture == fixture_name]
        except WorkbenchError:
            view.problems = []
        return view

    def verification_preview(self, name: str) -> RenderedView:
        """A custom verification template (``kind = "custom-verification"``) as its recipient sees it: the
        body as it is (no substitution) and the verification link SES adds after it (a placeholder here)."""
        from types import SimpleNamespace

        from ses_workbench.lint import lint_verification

        tpl = self.project.get_verification(name)
        content = tpl.compose(validate=False)
        view = RenderedView(name, None, content.from_address or None, (), remote_images=self.remote_images,
                            source="custom verification template; SES adds the verification link shown")
        view.email = SimpleNamespace(subject=content.subject, html=tpl.preview_html(), text=None)
        try:
            view.problems = lint_verification(tpl)
        except WorkbenchError:
            view.problems = []
        return view

    def lint(self, names: Sequence[str] | str | None = None) -> LintView:
        """Lint the project (or some templates): a table of problems."""
        from ses_workbench.lint import lint_project

        if isinstance(names, str):
            names = [names]
        return LintView(lint_project(self.project, names))

    def check(self, name: str, rows: Any, *, max_failures: int = DEFAULT_MAX_FAILURES,
              fast: bool = True, via_ses: int = 0, empty_cells: str = "present") -> CheckView:
        """Which data rows would SES reject or drop?  ``rows``: dicts, JSON strings, a pandas DataFrame
        (dotted column names nest, NaN is missing), or a path to a JSON/JSON Lines/CSV file
        (``empty_cells="missing"``: an empty CSV cell is a missing key, as ``--empty-cells missing``).

        ``via_ses=N`` then renders N sampled rows (failing ones first) through SES's
        TestRenderEmailTemplate in this workbench's environment, paced, to confirm the verdicts.
        """
        from ses_workbench.check import check_file
        from ses_workbench.render import compile_content, locate_error

        tpl = self.project.get(name)
        if isinstance(rows, (str, Path)) and not str(rows).lstrip().startswith(("{", "[")):
            report = check_file(tpl, rows, max_failures=max_failures, fast=fast, sample=via_ses,
                                empty_cells=empty_cells)
        else:
            try:
                compiled = compile_content(tpl.compose())
            except WorkbenchError as err:
                if hasattr(err, "located"):
                    raise locate_error(err, tpl) from None  # type: ignore[arg-type]
                raise
            rerunnable = not isinstance(rows, Iterator)
            source = _describe_rows(rows)

            def run(fast_now: bool) -> CheckReport:
                return check_rows(compiled, _iter_data(rows), template=tpl, source=source,
                                  max_failures=max_failures, fast=fast_now, sample=via_ses,
                                  _raise_on_mismatch=fast_now and rerunnable)

            if fast:
                try:
                    report = run(True)
                except FastPathMismatch:
                    report = run(False)
                    report.fast_path = FAST_PATH_REDONE
            else:
                report = run(False)
        if via_ses and report.samples:
            self._confirm_via_ses(name, report)
        return CheckView(report)

    def _confirm_via_ses(self, name: str, report: CheckReport) -> None:
        """TestRenderEmailTemplate on the pushed template when it is current, else on a scratch copy."""
        from ses_workbench.check import confirm_via_ses
        from ses_workbench.ses import remote
        from ses_workbench.ses.errors import BadRequest

        client = self.client()
        content = self.project.get(name).compose()
        pushed = client.get_template(name)
        target_cm: contextlib.AbstractContextManager[str]
        if pushed is not None and pushed.content_hash() == content.content_hash():
            target_cm = contextlib.nullcontext(name)
        else:
            target_cm = remote.scratch_template(client, content)
        with target_cm as target:
            def remote_error(data: Any) -> str | None:
                try:
                    client.test_render(target, data)
                except BadRequest as exc:
                    return getattr(exc, "ses_message", None) or str(exc)
                return None

            progress = _Progress("via SES")
            confirm_via_ses(report, remote_error, lambda done, total: progress(done, total, ""))

    # ---------------------------------------------------------------- SES
    def client(self) -> SesClient:
        """The SES client of this workbench's environment (the local endpoint starts on first use)."""
        with self._lock:
            if self._client is None:
                from ses_workbench.ses.client import open_environment

                stack = contextlib.ExitStack()
                try:
                    # auto's switch to the 2017 API (a v2 action denied) is said once, under the cell
                    opened = open_environment(self.project, self.env, self.local, on_note=_say)
                    client, _server = stack.enter_context(opened)
                except BaseException:
                    stack.close()
                    raise
                self._stack, self._client = stack, client
            return self._client

    @property
    def environment(self) -> str:
        return self.client().environment.name

    def close(self) -> None:
        """Stop the local endpoint (if one was started) and the live-preview watchers."""
        for live in self._live:
            with contextlib.suppress(Exception):
                live.stop()
        self._live.clear()
        with self._lock:
            stack, self._stack, self._client = self._stack, None, None
        if stack is not None:
            stack.close()

    def __enter__(self) -> Workbench:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def status(self, names: Sequence[str] | None = None) -> StatusView:
        """Every template local vs the environment (in sync, modified locally, changed remotely, ...)."""
        from ses_workbench.ses import sync

        client = self.client()
        return StatusView(sync.status(client, self.project, names, progress=_Progress("status")),
                          client.environment.name)

    def diff(self, name: str | Sequence[str] | None = None) -> DiffView:
        """What a push would change: the environment's content vs the composed local content."""
        from ses_workbench.ses import sync

        names = [name] if isinstance(name, str) else name
        return DiffView(sync.diff(self.client(), self.project, names, progress=_Progress("diff")))

    def push(self, names: str | Sequence[str] | None = None, *, yes: bool = False, force: bool = False,
             no_lint: bool = False) -> PushView:
        """Push what changed.  Without ``yes=True`` nothing is pushed: the plan (with diffs) is returned."""
        from ses_workbench.ses import sync

        if isinstance(names, str):
            names = [names]
        client = self.client()
        plan = sync.plan_push(client, self.project, names, force=force, no_lint=no_lint,
                              progress=_Progress("planning"))
        if not yes:
            return PushView(plan, executed=False)
        result = sync.execute_push(client, self.project, plan, progress=_Progress("pushing"))
        return PushView(plan, executed=True, result=result)

    def remote_render(self, name: str, fixture: str | None = None, data: Any = None) -> RenderedView:
        """SES's own render (TestRenderEmailTemplate); a scratch copy is rendered for unpushed edits."""
        from ses_workbench.ses import remote

        tpl = self.project.get(name)
        fixture_name = None
        if data is None:
            fx = tpl.fixture(fixture)
            fixture_name, data = fx.name, fx.data
        client = self.client()
        view = RenderedView(name, fixture_name, self.project.config.sender,
                            tuple(self.project.config.test_recipients),
                            source=f"rendered by SES ({client.environment.name})",
                            remote_images=self.remote_images)
        try:
            view.email = remote.remote_render(client, self.project, name, fixture_name, data=data)
        except WorkbenchError as exc:
            view.error = exc
        return view

    def parity(self, name: str, fixture: str | Sequence[str] | None = None, *,
               all_fixtures: bool = False) -> ParityView:
        """Local render vs SES's render (TestRenderEmailTemplate), per fixture and part."""
        from ses_workbench.ses import remote

        fixtures = [fixture] if isinstance(fixture, str) else (list(fixture) if fixture else None)
        results = remote.parity(self.client(), self.project, name, fixtures, all_fixtures=all_fixtures)
        return ParityView(results)

    def send(self, name: str, to: str | Sequence[str] | None = None,
             fixtures: str | Sequence[str] | None = None, *, yes: bool = False,
             sender: str | None = None, draft: bool = False) -> SendView:
        """Test-send one message per (recipient, fixture), with every guard of ``ses-workbench send``.

        Without ``yes=True`` nothing is sent: the preview lists who would get what (and any refusal).
        ``draft=True`` sends the local edits rendered here as raw MIME, without touching the pushed template.
        """
        from ses_workbench.ses import send as ses_send
        from ses_workbench.ses.errors import Refused

        to_list = [to] if isinstance(to, str) else (list(to) if to else None)
        fx_list = [fixtures] if isinstance(fixtures, str) else (list(fixtures) if fixtures else None)
        client = self.client()
        env = client.environment.name
        plan = ses_send.plan_send(client, self.project, name, to_list, fixtures=fx_list, sender=sender,
                                  draft=draft)
        if not yes or plan.refusals:
            rows: list[dict[str, Any]] = [{"recipient": d.recipient, "fixture": d.fixture}
                                          for d in plan.destinations]
            notes = [f"refused: {r}" for r in plan.refusals] + [f"warning: {w}" for w in plan.warnings]
            view = SendView(name, env, False, rows, summary=plan.summary(), raw=plan, notes=notes)
            if yes and plan.refusals:
                raise Refused("Send refused: " + "; ".join(plan.refusals))
            return view
        report = ses_send.execute_send(client, self.project, plan, progress=_Progress("sending"))
        rows = [
            {"recipient": o.recipient, "fixture": o.fixture, "status": o.status,
             "MessageId": o.message_id, "error": o.error} for o in report.outcomes]
        notes = [f"report: {report.path}"] if report.path else []
        return SendView(name, env, True, rows, summary=report.summary(), raw=report, notes=notes)

    # ---------------------------------------------------------------- live preview
    def live(self, name: str) -> Any:
        """A fixture picker and JSON editor beside the preview, re-rendering on every change and
        when the template's files change on disk (needs ``pip install 'ses-workbench[jupyter]'``).
        """
        try:
            import ipywidgets  # type: ignore[import-untyped]  # noqa: F401
        except ImportError:
            return _Message("The live preview needs ipywidgets: pip install 'ses-workbench[jupyter]' "
                            "(then restart the kernel). wb.render(name, fixture) works without it.")
        live = _LivePreview(self, name)
        self._live.append(live)
        return live.widget


class _Progress:
    """``progress(done, total, name)`` for long SES work: one line on stderr that updates in place
    (a notebook shows stderr under the cell), so a 300-template status at 1 call/s is not silent."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __call__(self, done: int, total: int, name: str) -> None:
        import sys

        if total < 2:
            return
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r{self.what}: {done}/{total} {name}".ljust(60) + end)
        sys.stderr.flush()


def _close_at_exit(ref: weakref.ref[Workbench]) -> None:
    wb = ref()
    if wb is not None:
        wb.close()


@dataclass
class _Message:
    text: str

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return _wrap(f'<p class="warn">{_e(self.text)}</p>')


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _describe_rows(rows: Any) -> str:
    mod = type(rows).__module__
    if mod.startswith("pandas"):
        return f"DataFrame ({len(rows)} rows)"
    if isinstance(rows, Sequence):
        return f"{type(rows).__name__} of {len(rows)} rows"
    return type(rows).__name__


def _iter_data(rows: Any) -> Iterator[Any]:
    """Rows as plain data: dicts as they are, JSON strings parsed, a DataFrame converted lazily."""
    if type(rows).__module__.startswith("pandas") and hasattr(rows, "columns"):
        from ses_workbench.check import frame_rows

        yield from frame_rows(rows)
        return
    if isinstance(rows, (str, bytes)):
        # one JSON document: an array of rows (or JSON Lines text)
        import io

        from ses_workbench.check import iter_rows

        blob = rows.encode() if isinstance(rows, str) else rows
        fmt = "json" if blob.lstrip().startswith(b"[") else "jsonl"
        yield from iter_rows(io.BytesIO(blob), fmt)
        return
    for number, item in enumerate(rows, 1):
        if isinstance(item, (str, bytes)):
            try:
                yield Row(number, parse_json(item.decode("utf-8") if isinstance(item, bytes) else item))
            except (FixtureError, UnicodeDecodeError) as exc:
                yield Row(number, None, None, f"malformed JSON: {exc}")
        else:
            yield Row(number, item)


class _LivePreview:
    """ipywidgets: fixture picker + JSON editor | preview; re-renders on edits and on file changes."""

    def __init__(self, wb: Workbench, name: str) -> None:
        import ipywidgets as w

        self.wb = wb
        self.name = name
        tpl = wb.project.get(name)
        fixtures = list(tpl.fixtures)
        self.picker = w.Dropdown(options=fixtures or ["(none)"], description="fixture")
        self.editor = w.Textarea(layout=w.Layout(width="100%", height="420px"))
        self.status = w.HTML()
        self.preview = w.HTML()
        left = w.VBox([self.picker, self.editor, self.status], layout=w.Layout(width="38%"))
        self.widget = w.HBox([left, w.Box([self.preview], layout=w.Layout(width="62%"))])
        self._stop = threading.Event()
        self._render_lock = threading.Lock()
        self.picker.observe(self._on_pick, names="value")
        self.editor.observe(lambda _c: self.refresh(), names="value")
        self._load_fixture()
        self.refresh()
        self._thread = threading.Thread(target=self._watch, name=f"sesw-live-{name}", daemon=True)
        self._thread.start()

    def _load_fixture(self) -> None:
        tpl = self.wb.project.get(self.name)
        fx = tpl.fixtures.get(self.picker.value)
        self.editor.value = fx.text if fx is not None else "{}"

    def _on_pick(self, _change: Any) -> None:
        self._load_fixture()

    def refresh(self) -> None:
        """Render the editor's JSON now; a JSON error keeps the last good preview on screen."""
        with self._render_lock:
            try:
                data = parse_json(self.editor.value or "{}")
            except FixtureError as exc:
                self.status.value = f'<span style="color:#c50f1f">JSON: {_e(_json_error(exc))}</span>'
                return
            view = self.wb.render(self.name, data=data)
            err = view.error
            self.status.value = "" if err is None else (
                f'<span style="color:#c50f1f">{_e(_where(err))}{_e(str(err))}</span>')
            if view.ok or not self.preview.value:
                self.preview.value = view._repr_html_()

    def _watch(self) -> None:
        try:
            from watchfiles import watch
        except ImportError:  # pragma: no cover - watchfiles is a dependency
            return
        tpl_dir = self.wb.project.get(self.name).dir
        layouts = self.wb.project.root / "_layouts"
        paths = [p for p in (tpl_dir, layouts) if p.exists()]
        for _changes in watch(*paths, stop_event=self._stop, debounce=200, rust_timeout=500):
            if self._stop.is_set():
                return
            with contextlib.suppress(Exception):
                self.wb.project.reload()
                self.refresh()

    def stop(self) -> None:
        self._stop.set()


def _json_error(exc: FixtureError) -> str:
    """``Expecting ',' delimiter (line 2, column 5)``: parse_json's error without its "invalid JSON" lead."""
    where = f" (line {exc.line}, column {exc.column})" if exc.line is not None else ""
    return exc.message.removeprefix("invalid JSON: ") + where


def _say(text: str) -> None:
    """A one-line note of the SES client (e.g. the switch to the 2017 API), on stderr like the CLI's."""
    import sys

    print(f"ses-workbench: {text}", file=sys.stderr)
