"""``ses-workbench prune [NAME...]``: delete from SES what has no template folder here any more."""

from __future__ import annotations

import argparse
from typing import Any

from ses_workbench.cli import load_project, project_dir
from ses_workbench.cli.ses_cmds import _common
from ses_workbench.cli.ui import CliUi, open_session
from ses_workbench.cli.verification_cmd import point_at_verification


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "prune", help="delete from SES the templates that have no folder here (after a rename)",
        description="Delete from the environment the templates with no template folder here any more "
                    "(renamed or removed in git) that were pushed or pulled from here; the others are "
                    "listed and deleted only when named. Each is backed up first (AWS CLI v2 shape, "
                    "restorable with `ses-workbench import`). Asks once unless --yes.")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="only these (each must have no folder here; named, it is deleted even if it was "
                        "not pushed from here)")
    p.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")
    _common(p, yes=True)
    p.set_defaults(func=cmd_prune)


def cmd_prune(args: argparse.Namespace) -> int:
    project = load_project(project_dir(args.dir))
    point_at_verification(project, "prune", args.names)
    ui = CliUi(args, "Deleting", show=lambda plan: print(plan.subject.summary()))
    with open_session(project, args, ui=ui) as session, ui:
        plan = session.prune(args.names or None, ui, dry_run=args.dry_run)
    if not ui.shown:
        print(plan.summary())
        if plan.items:
            print("dry run: nothing deleted")
        return 0
    if plan.cancelled:
        print("cancelled: nothing deleted")
        return 0
    for item in plan.items:
        if item.done:
            print(f"deleted {item.remote_name} (backup: {item.backup})")
        else:
            print(f"FAILED {item.remote_name}: {item.error}")
    return 1 if plan.failed else 0
