"""SES commands: status, diff, push, pull, remote-render, parity, calibrate, send, events.

Each command: the parsed flags → a :class:`~ses_workbench.session.Session` (:func:`~.ui.open_session`,
which starts the embedded local endpoint when needed) → one use case of the session, with a
:class:`~.ui.CliUi` (progress on stderr: a rewritten line on a terminal, a line every 10 s in a log; the
plan shown and asked about once) → print.  The TUI and the notebook run the same use cases.  Asking uses
``input()`` only when stdin is a terminal; otherwise ``--yes`` is required (exit 2 without it).

Common flags: ``--dir``, ``--env NAME``, ``--local``, ``--endpoint-url URL``, ``--api v2|v1|auto``, ``--yes``.
Exit codes: 0 ok (``diff``: same), 1 refused/failed (``diff``: different; ``send``: any entry not
delivered, including one SES accepted and then dropped as a rendering failure), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, TextIO

from ses_workbench.cli import (
    UsageError,
    add_dir_option,
    add_ses_options,
    get_template,
    load_project,
    no_templates_message,
    project_dir,
    require_env,
    require_templates,
)
from ses_workbench.cli.output import for_stream, visible
from ses_workbench.cli.ui import CliUi, note, open_client, open_session
from ses_workbench.cli.verification_cmd import point_at_verification
from ses_workbench.errors import WorkbenchError
from ses_workbench.project.errors import UnknownFixtureError
from ses_workbench.wording import noun, plural


# ------------------------------------------------------------------------------------------ parser
def _common(p: argparse.ArgumentParser, *, yes: bool = False) -> None:
    add_dir_option(p)
    add_ses_options(p)
    if yes:
        p.add_argument("--yes", "-y", action="store_true", help="do not ask (needed without a terminal)")


def register(subparsers: Any) -> None:
    """Add the SES command group."""
    p = subparsers.add_parser("status", help="compare local templates with an SES environment",
                              description="Every template local and remote: in-sync, modified-locally, "
                                          "changed-remotely, conflict, untracked, local-only, remote-only.")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="templates to compare (default: every template here and in the environment)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    _common(p)
    p.set_defaults(func=cmd_status)

    p = subparsers.add_parser("diff", help="diff local templates (or two environments)",
                              description="Composed local content vs GetEmailTemplate per part; "
                                          "exit 0 same, 1 different.")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="templates to diff (default: all)")
    p.add_argument("--against", metavar="ENV", help="compare --env with this environment instead of local")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour the diff (auto: on a terminal, unless $NO_COLOR)")
    _common(p)
    p.set_defaults(func=cmd_diff)

    p = subparsers.add_parser("push", help="create or update changed templates in SES",
                              description="Push what changed (lint first); refuses to overwrite remote "
                                          "changes unless --force (a backup is kept).")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="templates to push (default: every one that changed)")
    p.add_argument("--force", action="store_true", help="overwrite templates changed remotely (backed up)")
    p.add_argument("--no-lint", action="store_true", help="push even templates that fail lint")
    p.add_argument("--dry-run", action="store_true", help="show the plan, push nothing")
    _common(p, yes=True)
    p.set_defaults(func=cmd_push)

    p = subparsers.add_parser("pull", help="import remote templates into template folders",
                              description="Import SES templates as folders; never overwrites local edits "
                                          "without --force.")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="templates to pull (default: every template the environment has)")
    p.add_argument("--force", action="store_true", help="overwrite local edits")
    p.add_argument("--dry-run", action="store_true", help="show what would be pulled")
    _common(p, yes=True)
    p.set_defaults(func=cmd_pull)

    p = subparsers.add_parser("remote-render", help="render a template through SES (TestRenderEmailTemplate)",
                              description="Unpushed edits are rendered from a scratch copy that is "
                                          "deleted afterwards.")
    p.add_argument("name", metavar="NAME", help="template name (its folder name)")
    p.add_argument("--fixture", "-f", metavar="F",
                   help="fixture to render with (default: 'default' or the first)")
    p.add_argument("--pushed", action="store_true", help="render the deployed template, ignoring local edits")
    p.add_argument("--part", choices=("subject", "html", "text", "mime"),
                   help="print only one part, or the whole MIME message SES returns")
    _common(p)
    p.set_defaults(func=cmd_remote_render)

    p = subparsers.add_parser("parity", help="compare the local render with SES's render",
                              description="Local render vs TestRenderEmailTemplate, normalised for MIME "
                                          "encoding; exit 0 same, 1 different.")
    p.add_argument("name", metavar="NAME", help="template name (its folder name)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--fixture", "-f", metavar="F", action="append",
                   help="fixture to compare with (repeatable; default: 'default' or the first)")
    g.add_argument("--all-fixtures", action="store_true", help="compare with every fixture of the template")
    _common(p)
    p.set_defaults(func=cmd_parity)

    p = subparsers.add_parser("calibrate", help="probe SES's rendering on this account",
                              description="Run probe templates through TestRenderEmailTemplate, record "
                                          "SES's answers and the engine dialect that matches them.")
    _common(p)
    p.set_defaults(func=cmd_calibrate)

    p = subparsers.add_parser("send", help="test-send a template to recipients × fixtures",
                              description="One email per (recipient, fixture), SendBulkEmail in batches "
                                          "of 50 paced to MaxSendRate; guarded; asks once.")
    p.add_argument("name", metavar="NAME", help="template name (its folder name)")
    p.add_argument("--to", nargs="+", action="extend", metavar="ADDR",
                   help="recipients (default: test_recipients)")
    p.add_argument("--fixture", "-f", nargs="+", action="extend", metavar="F",
                   help="fixtures (default: the default fixture)")
    p.add_argument("--all-fixtures", action="store_true", help="every fixture of the template")
    p.add_argument("--from", dest="sender", metavar="ADDR", help="sender (default: sender in the config)")
    p.add_argument("--draft", action="store_true",
                   help="render locally and send raw MIME (tests unpushed edits)")
    p.add_argument("--allow-unverified", action="store_true",
                   help="allow unverified recipients (production accounts only)")
    p.add_argument("--dry-run", action="store_true", help="show the plan, send nothing")
    _common(p, yes=True)
    p.set_defaults(func=cmd_send)

    p = subparsers.add_parser("events", help="what happened to sent mail (local SES endpoint)",
                              description="Events the local SES endpoint recorded: Send, Delivery, Bounce, "
                                          "Complaint and Rendering Failure — a send SES accepted and then "
                                          "dropped because the data lacked a rendered attribute. AWS "
                                          "publishes these only through configuration sets.")
    p.add_argument("names", nargs="*", metavar="NAME", help="only sends of these templates")
    p.add_argument("--type", "-t", dest="event_type", metavar="TYPE",
                   help="send, delivery, bounce, complaint or rendering-failure")
    p.add_argument("--failures", action="store_true",
                   help="only rendering failures (--type rendering-failure)")
    p.add_argument("--message-id", action="append", metavar="ID", help="only this message (repeatable)")
    p.add_argument("--last", "-n", type=int, metavar="N", help="only the newest N events")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    _common(p)
    p.set_defaults(func=cmd_events)


# ------------------------------------------------------------------------------------------ helpers
def _color(args: argparse.Namespace) -> bool:
    mode = getattr(args, "color", "auto")
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _paint(line: str, color: bool) -> str:
    if not color:
        return line
    if line.startswith(("+++", "---")):
        return f"\x1b[1m{line}\x1b[0m"
    if line.startswith("@@"):
        return f"\x1b[36m{line}\x1b[0m"
    if line.startswith("+"):
        return f"\x1b[32m{line}\x1b[0m"
    if line.startswith("-"):
        return f"\x1b[31m{line}\x1b[0m"
    return line


def _print_diff(text: str, color: bool, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    for line in text.splitlines():  # remote content: its control characters are shown, not obeyed
        out.write(_paint(visible(line), color) + "\n")


def print_diffs(diffs: list[Any], color: bool, kind: str) -> int:
    """Print what differs (a ``# summary`` line for a template on one side only or unreadable, then its
    unified diff); "no differences (N KIND)" on stderr when nothing does.  Returns 1 when anything differs."""
    different = False
    for d in diffs:
        if not d.changed:
            continue
        different = True
        if d.old is None or d.new is None or d.error:
            print(_paint(visible(f"# {d.summary}"), color))
        if not d.error:
            _print_diff(d.unified(), color)
    if not different:
        print(f"no differences ({plural(len(diffs), kind)})", file=sys.stderr)
    return 1 if different else 0


def _names_known(project: Any, names: list[str]) -> None:
    for n in names:
        get_template(project, n)


def _names_known_here_or_in(project: Any, names: list[str], *clients: Any) -> None:
    """For commands that also work on templates only SES holds (status, diff, pull): a name that is neither
    a template here nor in the environment(s) is a usage error, with the same message as elsewhere.
    Costs a ListEmailTemplates call only when a name is not a local template."""
    if all(n in project.templates for n in names):
        return
    remote = [t.name for c in clients for t in c.list_templates()]
    require_templates(project, names, remote)


def _note_if_empty(project: Any) -> None:
    """One line on stderr when the folder holds no template (a wrong --dir must not look like all is well)."""
    if not project.templates:
        note(no_templates_message(project))


# ------------------------------------------------------------------------------------------ commands
def cmd_status(args: argparse.Namespace) -> int:
    from ses_workbench.ses.sync import State

    project = load_project(project_dir(args.dir))
    point_at_verification(project, "status", args.names)
    if not project.templates:  # a wrong folder: say so and fail (nothing is opened or created there)
        raise WorkbenchError(no_templates_message(project))
    from ses_workbench.ses.remote import scratch_templates

    listed: list[Any] = []
    ui = CliUi(args, "checking")
    with open_session(project, args, ui=ui) as session, ui:
        client = session.client()
        _names_known_here_or_in(project, args.names, client)
        rows = session.status(args.names or None, ui, scratch=listed)
        scratch = scratch_templates(client, listed)
    failed = 1 if any(r.state == State.ERROR for r in rows) else 0  # scripts must see an error row
    if args.format == "json":
        json.dump({"environment": client.environment.name, "templates": [r.to_dict() for r in rows],
                   "scratch": [{"remote_name": s.remote_name, "state": s.state,
                                "created": s.created.isoformat() if s.created else None} for s in scratch]},
                  sys.stdout, indent=2)
        sys.stdout.write("\n")
        return failed
    print(f"{client.describe()}:")
    width = max([len(str(r.state)) for r in rows] + [8])
    for r in rows:
        extra = f"  ({r.error})" if r.error else ""
        print(visible(f"  {str(r.state):<{width}}  {r.name}{extra}"))
    counts: dict[str, int] = {}
    for r in rows:
        counts[str(r.state)] = counts.get(str(r.state), 0) + 1
    print(", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "no templates")
    if scratch:
        print(f"scratch templates in {client.environment.name} (temporary copies for remote render):")
        for sc in scratch:
            print(f"  {sc.line()}")
    return failed


def cmd_diff(args: argparse.Namespace) -> int:
    project = load_project(project_dir(args.dir))
    point_at_verification(project, "diff", args.names)
    color = _color(args)
    if not args.against:
        _note_if_empty(project)
    require_env(project, args.against)
    ui = CliUi(args, "comparing")
    with open_session(project, args, ui=ui) as session, ui:
        if args.against:
            with open_session(project, args, env=args.against) as other:
                _names_known_here_or_in(project, args.names, session.client(), other.client())
                diffs = session.diff(args.names or None, ui, against=other)
        else:
            _names_known_here_or_in(project, args.names, session.client())
            diffs = session.diff(args.names or None, ui)
    return print_diffs(diffs, color, "template")


def cmd_push(args: argparse.Namespace) -> int:
    project = load_project(project_dir(args.dir))
    point_at_verification(project, "push", args.names)
    _names_known(project, args.names)
    if not project.templates:  # nothing to push: a CI job pointed at the wrong folder must not pass
        raise WorkbenchError(no_templates_message(project))
    color = _color(args)
    # --yes: nobody reviews the plan first, so plan and push template by template (lint overlaps pacing)
    review = not args.yes or args.dry_run
    ui = CliUi(args, "checking" if review else "pushing", after="pushing",
               show=lambda plan: _show_push_plan(plan.subject, color))
    with open_session(project, args, ui=ui) as session, ui:
        result = session.push(args.names or None, ui, force=args.force, no_lint=args.no_lint,
                              dry_run=args.dry_run, review=review)
    plan = result.plan
    if not review:
        for item in plan.refused:
            print(visible(f"refused {item.name}: {item.reason}"), file=sys.stderr)
        print(plan.summary())
        return _push_report(result)
    if not ui.shown:  # a dry run, or nothing to push: the plan is all there is
        _show_push_plan(plan, color)
        if not plan.changes:
            print("nothing to push")
        return 1 if plan.refused else 0
    if result.cancelled:
        print("cancelled")
        return 1
    return _push_report(result)


def _show_push_plan(plan: Any, color: bool) -> None:
    for item in plan.changes:
        print(_paint(f"# {item.action} {item.name} ({item.reason})", color))
        if item.diff is not None and item.action == "update":
            _print_diff(item.diff.unified(), color)
    for item in plan.refused:
        print(visible(f"refused {item.name}: {item.reason}"), file=sys.stderr)
    print(plan.summary())


def _push_report(result: Any) -> int:
    for item in result.pushed:
        extra = f" (backup: {item.backup})" if item.backup else ""
        print(f"{'created' if item.action == 'create' else 'updated'} {item.name}{extra}")
        if item.warning:
            print(f"warning {item.name}: {item.warning}", file=sys.stderr)
    for item in result.drifted:
        print(f"refused {item.name}: {item.error}", file=sys.stderr)
    for item in result.failed:
        print(visible(f"failed {item.name}: {item.error}"), file=sys.stderr)
    return 0 if result.ok else 1


def cmd_pull(args: argparse.Namespace) -> int:
    project = load_project(project_dir(args.dir))
    point_at_verification(project, "pull", args.names)
    ui = CliUi(args, "pulling")
    with open_session(project, args, ui=ui) as session, ui:
        _names_known_here_or_in(project, args.names, session.client())
        result = session.pull(args.names or None, ui, force=args.force, dry_run=args.dry_run)
    if result.cancelled:
        print("cancelled")
        return 1
    for item in result.items:
        if item.action == "refuse":
            print(visible(f"refused {item.name}: {item.reason}"), file=sys.stderr)
        elif item.error:
            print(visible(f"failed {item.name}: {item.error}"), file=sys.stderr)
        elif item.action != "skip":
            verb = {"create": "created", "update": "updated"}[item.action]
            extra = f" (previous files: {item.backup})" if item.backup else ""
            print(f"{'would be ' if args.dry_run else ''}{verb} {item.name}{extra}")
            if item.action == "update":  # which files (only the parts that differ after composition)
                files = [f"{'would write' if args.dry_run else 'wrote'} {', '.join(item.writes)}"] \
                    if item.writes else []
                if item.removes:
                    files.append(f"{'would remove' if args.dry_run else 'removed'} {', '.join(item.removes)}")
                if files:
                    print(f"  {'; '.join(files)}")
            for note in item.notes:
                print(f"  {note}")
    skipped = sum(1 for i in result.items if i.action == "skip")
    if skipped:
        print(f"{skipped} unchanged")
    return 0 if result.ok else 1


def cmd_remote_render(args: argparse.Namespace) -> int:
    project = load_project(project_dir(args.dir))
    _names_known(project, [args.name])
    with open_session(project, args) as session:
        try:
            r = session.remote_render(args.name, args.fixture, pushed=args.pushed or None)
        except UnknownFixtureError as exc:
            raise UsageError(str(exc)) from None
    out = sys.stdout  # SES's render on a terminal: control characters shown; to a file: exact
    if args.part == "mime":
        out.write(for_stream(r.raw if r.raw.endswith("\n") else r.raw + "\n", out))
        return 0
    if args.part:
        value = getattr(r, args.part)
        if value is None:
            print(f"ses-workbench: SES's render has no {args.part} part", file=sys.stderr)
            return 1
        out.write(for_stream(value if value.endswith("\n") else value + "\n", out))
        return 0
    src = "scratch copy of the local edits" if r.scratch else "pushed template"
    body = r.text if r.text is not None else (r.html or "")
    out.write(for_stream(f"Subject: {r.subject}\nFixture: {r.fixture}\nRendered by: SES ({src})\n\n"
                         + (body if body.endswith("\n") else body + "\n"), out))
    return 0


def cmd_parity(args: argparse.Namespace) -> int:
    project = load_project(project_dir(args.dir))
    _names_known(project, [args.name])
    ui = CliUi(args, "rendering")
    with open_session(project, args, ui=ui) as session, ui:
        try:
            results = session.parity(args.name, args.fixture, ui, all_fixtures=args.all_fixtures)
        except UnknownFixtureError as exc:
            raise UsageError(str(exc)) from None
    color = _color(args)
    for r in results:
        _print_diff(r.report(), color)
    same = sum(1 for r in results if r.same)
    print(f"{same}/{len(results)} {noun(len(results), 'fixture')} render"
          f"{'s' if len(results) == 1 else ''} the same locally and in SES")
    return 0 if same == len(results) else 1


def cmd_calibrate(args: argparse.Namespace) -> int:
    project = load_project(project_dir(args.dir))
    ui = CliUi(args, "probing")
    with open_session(project, args, ui=ui) as session, ui:
        result = session.calibrate(ui)
    sys.stdout.write(result.report())
    if result.save_error:
        note(f"calibration not saved: {result.save_error}")
        return 1
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    project = load_project(project_dir(args.dir))
    _names_known(project, [args.name])
    ui = CliUi(args, "sending", show=lambda plan: _show_send_plan(plan.subject))
    with open_session(project, args, ui=ui) as session, ui:
        try:
            sending = session.send(args.name, args.to, ui, fixtures=args.fixture,
                                   all_fixtures=args.all_fixtures, sender=args.sender, draft=args.draft,
                                   allow_unverified=args.allow_unverified, dry_run=args.dry_run)
        except UnknownFixtureError as exc:
            raise UsageError(str(exc)) from None
    plan, report = sending.plan, sending.report
    if not ui.shown:
        _show_send_plan(plan)
    if plan.refusals:
        for r in plan.refusals:
            print(visible(f"refused: {r}"), file=sys.stderr)
        return 1
    if sending.cancelled:
        print("cancelled")
        return 1
    if report is None:  # a dry run
        return 0
    print(report.summary())
    for o in report.failed:
        print(visible(f"  {o.status} {o.recipient} [{o.fixture}]: {o.error}"), file=sys.stderr)
    if report.path:
        print(f"report: {report.path}")
    return 0 if report.ok else 1


def _show_send_plan(plan: Any) -> None:
    print(plan.summary())
    for w in plan.warnings:
        print(visible(f"warning: {w}"), file=sys.stderr)


def cmd_events(args: argparse.Namespace) -> int:
    from ses_workbench.ses import events

    kind: str | None = None
    if args.failures and args.event_type:
        raise UsageError("give either --failures or --type")
    try:
        kind = events.RENDERING_FAILURE if args.failures else \
            events.event_type(args.event_type) if args.event_type else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.last is not None and args.last < 0:
        raise UsageError("--last takes a number >= 0")
    project = load_project(project_dir(args.dir))
    _names_known(project, args.names)
    with open_client(project, args) as client:
        events.require_local(client)
        templates = None
        if args.names:
            templates = {n for name in args.names for n in (name, client.environment.remote_name(name))}
        found = events.read(project, event_type=kind, message_ids=args.message_id, template=templates,
                            last=args.last)
    if args.format == "json":
        json.dump([e.to_dict() for e in found], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    for e in found:  # recipients and subjects come from whoever sent: shown, never obeyed by the terminal
        print(visible(e.line()))
    failures = sum(1 for e in found if e.type == events.RENDERING_FAILURE)
    what = plural(len(found), "event")
    if failures:
        what += f", {plural(failures, 'rendering failure')}: accepted by SES, then dropped"
    print(what, file=sys.stderr)
    return 0
