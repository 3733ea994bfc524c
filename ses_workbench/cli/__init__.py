"""Command line: ``ses-workbench [DIR]`` opens the TUI; subcommands serve scripts and CI.

Each command group lives in its own module with a ``register(subparsers)`` function;
a command's function takes the parsed arguments and returns the exit code.  Every
``WorkbenchError`` becomes one line on stderr (exit 1), usage errors exit 2 — no
traceback reaches a user.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ses_workbench.errors import WorkbenchError
from ses_workbench.project.errors import UnknownTemplateError

# Modules under ses_workbench.cli that contribute subcommands (each has register()).
COMMAND_MODULES = ("core", "ses_cmds", "check_cmd", "app_cmd", "project_cmds", "local_cmd", "prune_cmd",
                   "verification_cmd")


class UsageError(WorkbenchError):
    """A command was called with arguments that cannot work (exit code 2)."""


# Every command that works on a project takes ``--dir``; one definition keeps the default the same.
ENV_DIR = "SES_WORKBENCH_DIR"


def add_dir_option(p: argparse.ArgumentParser) -> None:
    """Add ``--dir`` (the project folder) to a command."""
    p.add_argument("--dir", help=f"project folder (default: ${ENV_DIR} or the current directory)")


def project_dir(given: str | None) -> Path:
    """The project folder: ``--dir``, else ``$SES_WORKBENCH_DIR``, else the current directory."""
    return Path(given or os.environ.get(ENV_DIR) or ".")


def require_dir(folder: Path) -> Path:
    """``folder``, or a usage error (exit 2) when it is not a directory."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such directory")
    return folder


def load_project(folder: Path) -> Any:
    """The project in ``folder`` (a usage error when the folder is missing)."""
    from ses_workbench.project import Project

    return Project.load(require_dir(folder))


def get_template(project: Any, name: str) -> Any:
    """``project.get(name)``; an unknown name is a usage error (exit 2), with the close matches."""
    try:
        return project.get(name)
    except UnknownTemplateError as exc:
        raise UsageError(str(exc)) from None


def require_templates(project: Any, names: Sequence[str], also: Sequence[str] = ()) -> None:
    """Each of ``names`` is a template of the project or one of ``also`` (e.g. the names an SES environment
    holds); otherwise a usage error (exit 2) with the same message as :func:`get_template`."""
    from ses_workbench.project.model import unknown_template_error

    for name in names:
        if name not in project.templates and name not in also:
            raise UsageError(str(unknown_template_error(project.root, name, [*project.templates, *also])))


def no_templates_message(project: Any) -> str:
    """``no templates in DIR (a template is ...)``: what a command says about a folder with no template."""
    from ses_workbench.project.model import TEMPLATE_FOLDER_HINT

    return f"no templates in {project.root} ({TEMPLATE_FOLDER_HINT})"


def require_env(project: Any, name: str | None) -> None:
    """``--env NAME`` names an environment of the project; otherwise a usage error (exit 2) listing them."""
    if name is None:
        return
    environments = project.config.environments
    if name not in environments:
        import difflib

        close = difflib.get_close_matches(name, list(environments), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"no environment named {name!r}{hint} (known: {', '.join(sorted(environments))})")


def endpoint_url(value: str) -> str:
    """``--endpoint-url``: an http(s) URL with a host, checked while the arguments are parsed (exit 2)."""
    from urllib.parse import urlsplit

    try:
        url = urlsplit(value)
        url.port  # noqa: B018 - raises ValueError for a port that is not a number or out of range
    except ValueError:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.hostname:
        raise UsageError(f"--endpoint-url {value!r}: not an http:// or https:// URL with a host "
                         "(e.g. http://127.0.0.1:4579)")
    return value


def add_ses_options(p: argparse.ArgumentParser, *, env_help: str | None = None,
                    local_help: str | None = None) -> None:
    """Add ``--env NAME``, ``--local``, ``--endpoint-url URL`` and ``--api``: the options of every command
    using SES."""
    p.add_argument("--env", metavar="NAME",
                   help=env_help or "environment from ses-workbench.toml (default: default_env)")
    p.add_argument("--local", action="store_true", default=None,
                   help=local_help or "use the embedded local SES endpoint (started on a free port)")
    p.add_argument("--endpoint-url", metavar="URL", type=endpoint_url,
                   help="talk to this SES endpoint instead")
    p.add_argument("--api", choices=("v2", "v1", "auto"), default=None,
                   help="SES API: v2 (sesv2), v1 (the 2017 API: CreateTemplate, SendBulkTemplatedEmail...) "
                        "or auto (v2, and the 2017 API when a v2 action is denied); default: the "
                        "environment's api, else auto")


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree: every registered command group, plus ``--version``."""
    parser = argparse.ArgumentParser(
        prog="ses-workbench",
        description="Edit, check, deploy and test-send Amazon SES email templates. With no command, "
                    "'ses-workbench [DIR] [--local] [--env NAME]' opens the terminal workbench.",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.set_defaults(_commands=sub.choices)
    for mod_name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(f"ses_workbench.cli.{mod_name}")
        except ModuleNotFoundError as exc:  # a command group not written yet
            if exc.name != f"ses_workbench.cli.{mod_name}":
                raise
            continue
        mod.register(sub)
    return parser


def _visible(text: str) -> str:
    from ses_workbench.cli.output import visible

    return visible(text)


def _version() -> str:
    from ses_workbench import __version__

    return f"ses-workbench {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # `ses-workbench [DIR] [--local] [--env NAME]` (no subcommand) opens the workbench.
    known = set(parser.get_default("_commands") or ())
    if not args_list or (args_list[0] not in known and args_list[0] not in ("-h", "--help", "--version")):
        args_list = ["app", *args_list]
    try:
        # a type= check that raises UsageError (e.g. --endpoint-url) is one line, like every other error
        args = parser.parse_args(args_list)
        func = getattr(args, "func", None)
        if func is None:
            parser.print_help()
            return 2
        return int(func(args) or 0)
    except (UsageError, UnknownTemplateError) as exc:  # a template name the project does not have: usage
        print(f"ses-workbench: {_visible(str(exc))}", file=sys.stderr)
        return 2
    except WorkbenchError as exc:  # file names and SES messages may hold terminal control characters
        print(f"ses-workbench: {_visible(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ses-workbench: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
