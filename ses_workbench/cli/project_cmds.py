"""``ses-workbench import`` and ``ses-workbench export``: the AWS CLI JSON shapes in and out.

``import FILE...`` turns v1 (``{"Template": {...}}``) or v2 (``{"TemplateName", "TemplateContent"}``) files
into template folders; ``export NAME`` prints the composed template (what would be pushed) as v2, or v1
with ``--v1``, ready for ``aws sesv2 create-email-template --cli-input-json file://...``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ses_workbench.cli import UsageError, add_dir_option, get_template, load_project, project_dir


def register(subparsers: Any) -> None:
    """Add the ``import`` and ``export`` commands."""
    p = subparsers.add_parser(
        "import", help="import AWS CLI template JSON files (v1 or v2) as template folders",
        description="Create template folders from AWS CLI JSON files: v1 {\"Template\": {TemplateName, "
                    "SubjectPart, HtmlPart, TextPart}} or v2 {TemplateName, TemplateContent: {Subject, Html, "
                    "Text}}. Every file is checked before anything is written.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="JSON files; '-' reads one from stdin")
    add_dir_option(p)
    p.add_argument("--force", action="store_true",
                   help="overwrite the parts of existing templates (old files go to .ses-workbench/trash)")
    p.set_defaults(func=cmd_import)

    p = subparsers.add_parser(
        "export", help="print a composed template as AWS CLI JSON (v2, or v1 with --v1)",
        description="Print the composed template (layouts applied, text part generated): what SES would "
                    "store. v2 by default (aws sesv2 create-email-template --cli-input-json).",
    )
    p.add_argument("name", metavar="NAME", help="template name (its folder name)")
    p.add_argument("--v1", action="store_true",
                   help="v1 shape {\"Template\": {...}} (aws ses create-template --cli-input-json)")
    add_dir_option(p)
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    p.add_argument("--as-name", metavar="SES_NAME",
                   help="TemplateName to write (default: NAME), e.g. with an environment prefix")
    p.set_defaults(func=cmd_export)


def cmd_import(args: argparse.Namespace) -> int:
    from ses_workbench.project.importexport import (
        import_templates,
        loads_template_json,
        parse_template_json,
        read_template_file,
    )

    project = load_project(project_dir(args.dir))
    for f in args.files:  # a file that is not there is a usage error (exit 2), as for `render --data`
        if f != "-" and not Path(f).is_file():
            raise UsageError(f"{f}: no such file")
    batch = []
    for f in args.files:
        if f == "-":
            batch += parse_template_json(loads_template_json(sys.stdin.read(), "<stdin>"), None)
        else:
            batch += read_template_file(f)
    existing = set(project.templates)
    for tpl in import_templates(project, batch, overwrite=args.force):
        verb = "updated" if tpl.name in existing else "created"
        print(f"{verb} {tpl.name} ({tpl.dir})")
    return 0


def _compile_error(tpl: Any) -> str | None:
    """The one-line error of a template SES would refuse to store (a Handlebars syntax error), else None:
    what ``export`` prints is meant for ``aws sesv2 create-email-template``, and it would fail there."""
    from ses_workbench.cli.core import engine_error_line
    from ses_workbench.engine import EngineError
    from ses_workbench.render import compile_content, locate_error

    try:
        compile_content(tpl.compose())
    except EngineError as err:
        return engine_error_line(locate_error(err, tpl))
    return None


def cmd_export(args: argparse.Namespace) -> int:
    from ses_workbench.project.importexport import export_template

    tpl = get_template(load_project(project_dir(args.dir)), args.name)
    if args.as_name:
        from ses_workbench.project.content import validate_name
        from ses_workbench.project.errors import TemplateNameError

        try:
            validate_name(args.as_name)
        except TemplateNameError as exc:  # a bad argument: usage error
            raise UsageError(f"--as-name: {exc.message}") from None
    error = _compile_error(tpl)
    if error is not None:
        print(error, file=sys.stderr)
        return 1
    doc = export_template(tpl, v1=args.v1, name=args.as_name)
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        from ses_workbench.project import atomic

        parent = Path(args.output).parent
        if not parent.is_dir():  # a typo in the path must not create folders
            raise UsageError(f"-o {args.output}: no such directory {parent}")
        atomic.write_text(args.output, text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
