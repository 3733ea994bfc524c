"""``ses-workbench prune [NAME...]``: delete from SES what has no template folder here any more."""

from __future__ import annotations

import argparse
from typing import Any

from ses_workbench.cli import load_project, project_dir
from ses_workbench.cli.ses_cmds import _common
from ses_workbench.cli.ui import Progress, ask, open_client
from ses_workbench.cli.verification_cmd import point_at_verification
from ses_workbench.wording import plural


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
    from ses_workbench.ses.prune import execute_prune, plan_prune

    project = load_project(project_dir(args.dir))
    point_at_verification(project, "prune", args.names)
    with open_client(project, args) as client:
        plan = plan_prune(client, project, args.names or None)
        print(plan.summary())
        if not plan.items or args.dry_run:
            if plan.items:
                print("dry run: nothing deleted")
            return 0
        if not ask(f"Delete {plural(len(plan.items), 'template')} from {plan.environment}?", args):
            print("cancelled: nothing deleted")
            return 0
        with Progress("Deleting") as progress:
            execute_prune(client, project, plan, progress)
    for item in plan.items:
        if item.done:
            print(f"deleted {item.remote_name} (backup: {item.backup})")
        else:
            print(f"FAILED {item.remote_name}: {item.error}")
    return 1 if plan.failed else 0
