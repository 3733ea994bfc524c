"""``ses-workbench [DIR] [--local] [--env NAME]``: open the terminal workbench (the default command)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "app",
        help="open the terminal workbench (default when no command is given)",
        description="Open the workbench on a template folder. Without AWS credentials (or with --local) "
                    "the embedded local SES endpoint starts in-process.",
    )
    parser.add_argument("dir", nargs="?", default=None,
                        help="the template folder (default: $SES_WORKBENCH_DIR or the current directory)")
    parser.add_argument("--dir", dest="dir_option", metavar="DIR", default=None,
                        help="the template folder, as every command takes it (same as the DIR argument)")
    parser.add_argument("--local", action="store_true",
                        help="use the embedded local SES endpoint whatever the environment says")
    parser.add_argument("--env", metavar="NAME", default=None,
                        help="environment from ses-workbench.toml (default: its default_env)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Load the project before the screen takes over, so a broken config is one line on stderr; a missing
    # folder and an unknown --env are usage errors (exit 2), as for every other command.
    from ses_workbench.cli import UsageError, load_project, project_dir, require_env

    if args.dir is not None and args.dir_option is not None and args.dir != args.dir_option:
        raise UsageError(f"two folders given: {args.dir} and --dir {args.dir_option}")
    project = load_project(project_dir(args.dir or args.dir_option))
    require_env(project, args.env)
    from ses_workbench.tui.app import WorkbenchApp

    app = WorkbenchApp(project, local=args.local, env_name=args.env)
    app.run()
    return int(app.return_code or 0)
