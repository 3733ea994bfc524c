"""The notebook's views: each result of a :class:`~ses_workbench.notebook.Workbench` method shows itself as
the value of a cell (``_repr_html_``) — a rendered email, tables for lint/status/push/send/check, a
side-by-side diff.

A rendered email's HTML is shown in ``<iframe sandbox="" srcdoc="...">``: the whole document is
HTML-escaped into the attribute, and the empty ``sandbox`` grants nothing (no scripts, no same-origin
access to the notebook, no forms, no top navigation).  The document carries the preview's
Content-Security-Policy: remote images load only with ``Workbench(remote_images=True)``.  Every other
string that reaches the page (subject, text part, data values in messages) is escaped too: data is
untrusted (SES does not escape substituted values, so a ``<script>`` in a row stays one).
"""

from __future__ import annotations

import difflib
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ses_workbench.errors import WorkbenchError
from ses_workbench.preview_policy import with_policy_meta
from ses_workbench.project.errors import FixtureError

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.check import CheckReport
    from ses_workbench.lint import Diagnostic
    from ses_workbench.project import Project
    from ses_workbench.render import RenderedEmail

__all__ = ["CheckView", "DiffView", "LintView", "Message", "ParityView", "PushView", "RenderedView",
           "SendView", "StatusView", "TemplateList", "json_error", "sandboxed_iframe", "where"]

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
            return f"<{self.template} [{self.fixture or 'data'}]: {where(self.error)}{self.error}>"
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
                         f"{_e(where(self.error))}{_e(str(self.error))}</p>")
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


def where(err: BaseException) -> str:
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


@dataclass
class Message:
    text: str

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return _wrap(f'<p class="warn">{_e(self.text)}</p>')


def json_error(exc: FixtureError) -> str:
    """``Expecting ',' delimiter (line 2, column 5)``: parse_json's error without its "invalid JSON" lead."""
    where = f" (line {exc.line}, column {exc.column})" if exc.line is not None else ""
    return exc.message.removeprefix("invalid JSON: ") + where
