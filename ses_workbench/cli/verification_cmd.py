"""``ses-workbench verification ACTION``: custom verification email templates.

``status``, ``diff`` (exit 0 same, 1 different; ``--against ENV``: two environments), ``push``, ``pull``,
``prune`` and ``send NAME --to ADDRESS`` (``SendCustomVerificationEmail``) over the folders whose
``template.toml`` says ``kind = "custom-verification"``, and ``render NAME``: the email as the recipient
sees it, with the verification link SES adds.  Push refuses to overwrite content it did not put in SES
(``--force``: after a backup), like ``push`` of email templates.

The email template commands (``status``, ``diff``, ``push``, ``pull``, ``prune``) leave these folders to
this group, and say so: :func:`point_at_verification` prints one line when the folder holds some, and a
custom verification template named to them is a usage error naming the command to use.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from ses_workbench.cli import UsageError, add_dir_option, add_ses_options, load_project, project_dir
from ses_workbench.cli.output import visible
from ses_workbench.errors import WorkbenchError
from ses_workbench.wording import plural


def point_at_verification(project: Any, command: str, names: Sequence[str] = ()) -> None:
    """For the email template command ``command``: a custom verification template among ``names`` is a
    usage error pointing at ``ses-workbench verification COMMAND``; with no names, one line on stderr
    when the folder holds custom verification templates (which ``command`` does not touch)."""
    found = [n for n in names if n in project.verification_templates and n not in project.templates]
    if found:
        what = "is a custom verification template" if len(found) == 1 else \
            "are custom verification templates"
        raise UsageError(f"{', '.join(repr(n) for n in found)} {what}: use "
                         f"`ses-workbench verification {command} {' '.join(found)}`")
    if names or not project.verification_templates:
        return
    here = sorted(project.verification_templates)
    shown = ", ".join(here[:3]) + (", ..." if len(here) > 3 else "")
    print(visible(f"ses-workbench: {plural(len(here), 'custom verification template')} here ({shown}) "
                  f"{'is' if len(here) == 1 else 'are'} left out of `{command}`: see "
                  f"`ses-workbench verification {command}`"), file=sys.stderr)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "verification",
        help="custom verification email templates: status, diff, push, pull, prune, send, render",
        description="Custom verification email templates (template.toml kind = \"custom-verification\"): "
                    "what SES sends when an application calls SendCustomVerificationEmail.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, helptext in (("status", "compare them with an SES environment"),
                           ("diff", "diff them against the environment's (exit 0 same, 1 different)"),
                           ("push", "create or update them in SES (drift refused unless --force)"),
                           ("pull", "write the environment's ones into folders"),
                           ("prune", "delete from SES the ones with no folder here (backed up first)")):
        a = actions.add_parser(name, help=helptext, description=helptext)
        add_dir_option(a)
        add_ses_options(a)
        if name not in ("status", "diff"):
            a.add_argument("--dry-run", action="store_true", help="show what would happen; change nothing")
        if name in ("push", "pull"):
            a.add_argument("--force", action="store_true", help="overwrite drift / local edits (backed up)")
        if name != "prune":
            a.add_argument("names", nargs="*", metavar="NAME")
        if name == "diff":
            a.add_argument("--against", metavar="ENV",
                           help="compare --env with this environment instead of the local folders")
            a.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                           help="colour the diff (auto: on a terminal, unless $NO_COLOR)")
        else:
            a.add_argument("--format", choices=("text", "json"), default="text")
        a.set_defaults(func=_run)
    s = actions.add_parser("send",
                           help="SendCustomVerificationEmail: mail ADDRESS the template with its link",
                           description="SendCustomVerificationEmail of the pushed template NAME to ADDRESS.")
    add_dir_option(s)
    add_ses_options(s)
    s.add_argument("name", metavar="NAME")
    s.add_argument("--to", required=True, metavar="ADDRESS", help="the address to verify")
    s.set_defaults(func=_run)
    r = actions.add_parser("render", help="the email as the recipient sees it (HTML, with the link SES adds)",
                           description="Print the HTML the recipient sees, with a placeholder for "
                                       "SES's link.")
    add_dir_option(r)
    r.add_argument("name", metavar="NAME")
    r.add_argument("--open", action="store_true",
                   help="show it in a browser from .ses-workbench/preview/NAME.html instead of printing it")
    r.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ses_workbench.cli.ui import open_client as _open

    project = load_project(project_dir(args.dir))
    names = getattr(args, "names", None) or ([args.name] if getattr(args, "name", None) else [])
    for n in names:
        if n not in project.verification_templates and args.action not in ("pull", "status", "diff"):
            try:
                project.get_verification(n)
            except WorkbenchError as exc:
                raise UsageError(str(exc)) from None
    if args.action == "render":
        page = project.get_verification(args.name).preview_html()
        if not args.open:
            sys.stdout.write(page)
            return 0
        from ses_workbench.cli.core import _open_in_browser, _write_preview_html

        path = _write_preview_html(project, page, args.name)
        if _open_in_browser(path.as_uri()):
            print(f"opened {path}", file=sys.stderr)
            return 0
        print(f"ses-workbench: no browser could be opened (set $BROWSER); the page is {path}",
              file=sys.stderr)
        return 1
    with _open(project, args) as client:
        return int(_ACTIONS[args.action](client, project, args))


def _status(client: Any, project: Any, args: argparse.Namespace) -> int:
    from ses_workbench.ses.sync import State
    from ses_workbench.ses.verification import verification_status

    rows = verification_status(client, project, args.names or None)
    if args.format == "json":
        json.dump({"environment": client.environment.name, "templates": [r.to_dict() for r in rows]},
                  sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(f"{client.describe()}: custom verification templates")
        for r in rows:
            print(visible(f"  {str(r.state):<17} {r.name}" + (f"  ({r.error})" if r.error else "")))
        if not rows:
            print("  none")
    return 1 if any(r.state == State.ERROR for r in rows) else 0


def _diff(client: Any, project: Any, args: argparse.Namespace) -> int:
    from ses_workbench.cli.ses_cmds import _color, print_diffs
    from ses_workbench.cli.ui import open_client as _open
    from ses_workbench.ses.verification import verification_diff

    color = _color(args)
    if args.against:
        with _open(project, args, env=args.against) as other:
            diffs = verification_diff(client, project, args.names or None, against=other)
    else:
        diffs = verification_diff(client, project, args.names or None)
    return print_diffs(diffs, color, "custom verification template")


def _items(items: list[Any], args: argparse.Namespace, env: str) -> int:
    if args.format == "json":
        json.dump({"environment": env, "templates": [i.to_dict() for i in items]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for i in items:
            what = "would " + i.action if args.dry_run and i.action in ("create", "update") else \
                ({"create": "created", "update": "updated"}.get(i.action, i.action) if i.done else i.action)
            extra = i.error or i.reason
            backup = f"; backup {i.backup}" if i.backup else ""
            print(visible(f"  {what:<14} {i.name}  ({extra}{backup})"))
        if not items:
            print("  nothing to do")
    return 1 if any(i.error or i.action == "refuse" for i in items) else 0


def _push(client: Any, project: Any, args: argparse.Namespace) -> int:
    from ses_workbench.ses.verification import push_verification

    if not project.verification_templates:
        raise WorkbenchError(f"no custom verification templates in {project.root} (a folder whose "
                             "template.toml says kind = \"custom-verification\")")
    return _items(push_verification(client, project, args.names or None, force=args.force,
                                    dry_run=args.dry_run), args, client.environment.name)


def _pull(client: Any, project: Any, args: argparse.Namespace) -> int:
    from ses_workbench.ses.verification import pull_verification

    return _items(pull_verification(client, project, args.names or None, force=args.force,
                                    dry_run=args.dry_run), args, client.environment.name)


def _prune(client: Any, project: Any, args: argparse.Namespace) -> int:
    from ses_workbench.ses.verification import prune_verification

    names = prune_verification(client, project, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    for n in names:
        print(visible(f"  {verb} {n}"))
    if not names:
        print("  nothing to prune")
    return 0


def _send(client: Any, project: Any, args: argparse.Namespace) -> int:
    from ses_workbench.ses.verification import send_verification

    message_id = send_verification(client, project, args.name, args.to)
    print(visible(f"sent {args.name} to {args.to} through {client.environment.name} "
                  f"(MessageId {message_id})"))
    return 0


_ACTIONS = {"status": _status, "diff": _diff, "push": _push, "pull": _pull, "prune": _prune, "send": _send}
