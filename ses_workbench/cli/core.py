"""``ses-workbench render`` and ``ses-workbench lint``: the headless core from a shell or CI.

``render`` shows one template with one fixture (or a JSON file) as SES would produce it;
``lint`` checks templates against their fixtures and exits 0 (clean or warnings only),
1 (errors) or 2 (usage: unknown template, missing directory).

Both use the Handlebars dialect calibrated for an environment (``ses-workbench calibrate``), so what
a real account was found to do changes the local verdicts: ``--env NAME``, else the project's default
environment — and when that is the embedded local endpoint (a stand-in for SES), the most recently
calibrated real account.  Never calibrated: the engine's defaults (shared/SES.md's safe side).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import webbrowser
from pathlib import Path
from typing import Any

from ses_workbench.cli import (
    UsageError,
    add_dir_option,
    get_template,
    load_project,
    no_templates_message,
    project_dir,
)
from ses_workbench.cli.output import for_stream, visible
from ses_workbench.cli.ui import session_for
from ses_workbench.engine import DEFAULT_DIALECT, Dialect, EngineError
from ses_workbench.project.errors import ConfigError, FixtureError, UnknownFixtureError
from ses_workbench.wording import plural


def register(subparsers: Any) -> None:
    """Add the ``render`` and ``lint`` commands."""
    p = subparsers.add_parser(
        "render", help="render a template with a fixture",
        description="Render a template with one of its fixtures (or a JSON file) as SES would.",
    )
    p.add_argument("name", metavar="NAME", help="template name (its folder name)")
    add_dir_option(p)
    p.add_argument("--fixture", "-f", metavar="F",
                   help="fixture name in data/ (default: 'default' or the first)")
    p.add_argument("--data", metavar="JSON_FILE",
                   help="render with this JSON file instead of a fixture ('-' = stdin)")
    p.add_argument("--part", choices=("subject", "html", "text", "mime"),
                   help="print only one part, or the MIME message SES's TestRenderEmailTemplate returns")
    p.add_argument("--open", action="store_true",
                   help="write the HTML to .ses-workbench/preview/NAME.html (replaced each time) and "
                        "open a browser; the page runs none of the email's scripts and loads no remote "
                        "content")
    p.add_argument("--remote-images", action="store_true",
                   help="with --open: let the page load remote images, stylesheets and fonts")
    _add_env(p)
    p.set_defaults(func=cmd_render)

    p = subparsers.add_parser(
        "lint", help="check templates against their fixtures",
        description="Check templates against their fixtures: exit 0 clean or warnings only, 1 errors, "
                    "2 usage error.",
    )
    p.add_argument("targets", nargs="*", metavar="DIR|NAME",
                   help="project folder (optional, first) and template names (default: all)")
    add_dir_option(p)
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.add_argument("--quiet", "-q", action="store_true", help="text format: no summary line")
    _add_env(p)
    p.set_defaults(func=cmd_lint)


def _add_env(p: argparse.ArgumentParser) -> None:
    p.add_argument("--env", "-e", metavar="NAME",
                   help="render with the dialect calibrated for this environment (default: the project's "
                        "default environment; for the local endpoint, the latest calibrated account)")


# ---------------------------------------------------------------------------------------------


def _dialect_note(dialect: Dialect) -> str:
    """``parent_scope_lookup=True, ...``: the settings that differ from the defaults ("" when none)."""
    return ", ".join(f"{f.name}={getattr(dialect, f.name)!r}" for f in dataclasses.fields(dialect)
                     if getattr(dialect, f.name) != getattr(DEFAULT_DIALECT, f.name))


def cmd_render(args: argparse.Namespace) -> int:
    project = load_project(project_dir(args.dir))
    tpl = get_template(project, args.name)
    session = session_for(project, args.env)
    try:
        tpl.meta  # noqa: B018 - a broken template.toml (text_part, layout_vars) changes what is rendered
    except ConfigError as exc:
        print(visible(f"ses-workbench: {_rel(str(exc.path))}{_at(exc)}: {exc.message}"), file=sys.stderr)
        return 1
    data = None
    fixture: Any = args.fixture
    if args.data is not None:
        data = _read_json(args.data)
    elif fixture is not None:
        try:
            fixture = tpl.fixture(fixture)
        except UnknownFixtureError as exc:
            raise UsageError(str(exc)) from None
    try:
        rendered = session.render(tpl, fixture, data=data)
    except EngineError as err:
        print(engine_error_line(err), file=sys.stderr)
        return 1
    if args.open:
        from ses_workbench.preview_policy import with_policy_meta

        page = with_policy_meta(rendered.html, remote_content=args.remote_images)
        path = _write_preview_html(project, page, tpl.name)
        if _open_in_browser(path.as_uri()):
            print(f"opened {path}", file=sys.stderr)
        else:  # headless, or no browser configured: say so, and where the page is
            print(f"ses-workbench: no browser could be opened (set $BROWSER); the page is {path}",
                  file=sys.stderr)
            if args.part is None:
                return 1
        if args.part is None:
            return 0
    out = sys.stdout
    if args.part == "mime":
        config = getattr(project, "config", None)
        sender = getattr(config, "sender", None) or "sender@example.com"
        recipients = list(getattr(config, "test_recipients", None) or []) or ["recipient@example.com"]
        from ses_workbench.ses.addresses import AddressError, parse_address

        for key, value in [("sender", sender)] + [("test_recipients", r) for r in recipients]:
            try:
                parse_address(value)
            except AddressError as exc:  # a header no mail could carry: one line, not a traceback
                print(f"ses-workbench: ses-workbench.toml: {key}: {exc}", file=sys.stderr)
                return 1
        mime = rendered.to_mime(sender=sender, to=recipients)
        out.flush()
        buf = getattr(out, "buffer", None)
        if buf is not None and not out.isatty():
            buf.write(mime)
            buf.flush()
        else:
            out.write(for_stream(mime.decode("ascii", "replace"), out))
        return 0
    if args.part is not None:
        value = rendered.part(args.part)
        if value is None:
            print(f"ses-workbench: {tpl.name} has no {args.part} part", file=sys.stderr)
            return 1
        out.write(for_stream(value if value.endswith("\n") else value + "\n", out))
        return 0
    text = rendered.text
    note = ""
    if text is None:
        text, note = _readable(rendered.html), "(no text part: shown from the HTML)\n"
    head = f"Subject: {rendered.subject}\n" + (f"Fixture: {rendered.fixture}\n" if rendered.fixture else "")
    out.write(for_stream(head + "\n" + note + text + ("" if text.endswith("\n") else "\n"), out))
    return 0


def _read_json(name: str) -> Any:
    """``--data``: a JSON file or stdin, parsed as SES would (NaN, 10,000 levels...: one error line)."""
    from ses_workbench.project.fixtures import parse_json

    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise FixtureError(f"not UTF-8 text ({exc.reason})", name) from None
    return parse_json(text, name)


def _readable(html: str) -> str:
    import html2text

    conv = html2text.HTML2Text()
    conv.body_width = 0
    conv.ignore_images = True
    return str(conv.handle(html)).strip() + "\n"


def _open_in_browser(url: str) -> bool:
    """``webbrowser.open``, False when no browser took the page (it returns False, or raises)."""
    try:
        return bool(webbrowser.open(url))
    except (webbrowser.Error, OSError):
        return False


def _write_preview_html(project: Any, html: str, name: str) -> Path:
    """``.ses-workbench/preview/<name>.html``, written atomically (an unwritable state folder: one line).

    One file per template, replaced on each call, so nothing piles up in /tmp (the browser may read the
    file after we exit, so it must outlive us)."""
    from ses_workbench.errors import WorkbenchError
    from ses_workbench.project import atomic

    path = project.state.preview(name)
    folder = path.parent
    try:
        project.state.ensure()
        folder.mkdir(exist_ok=True)
        return atomic.write_text(path, html)
    except OSError as exc:
        raise WorkbenchError(f"{folder}: cannot write the preview ({exc.strerror or exc})") from None


# ---------------------------------------------------------------------------------------------


def _split_targets(targets: list[str], given_dir: str | None) -> tuple[Path, list[str]]:
    """``lint [DIR] [NAME...]``: the first target is the folder when it is (or looks like) a path."""
    if targets and given_dir is None:
        first = targets[0]
        if Path(first).is_dir():
            folder = Path(first)
            if _is_template_folder(folder):  # `lint welcome` run inside the project, or a path to one
                return folder.resolve().parent, [folder.resolve().name, *targets[1:]]
            return folder, targets[1:]
        if os.sep in first or "/" in first or first.startswith(".") or first.startswith("~"):
            raise UsageError(f"{first}: no such directory")
    return project_dir(given_dir), list(targets)


def _is_template_folder(folder: Path) -> bool:
    from ses_workbench.project import PART_FILES

    return any((folder / f).is_file() for f in PART_FILES.values())


def cmd_lint(args: argparse.Namespace) -> int:
    from ses_workbench.lint import Diagnostic

    folder, names = _split_targets(list(args.targets), args.dir)
    try:
        project = load_project(folder)
    except ConfigError as exc:  # a broken ses-workbench.toml is a finding like any other
        diags = [Diagnostic("error", "config", exc.message, str(exc.path or folder), exc.line or 1,
                            exc.column or 1)]
        return _print_lint(args, diags, names, 0)
    for name in names:
        if name not in project.verification_templates:
            get_template(project, name)  # unknown name: usage error before any output
    session = session_for(project, args.env)
    diags = session.lint(names or None)
    # a wrong folder (a repo root, a typo) must not pass as "0 errors"
    if not project.templates and not project.verification_templates:
        message = no_templates_message(project)
        if args.format == "text" and not diags:
            print(visible(f"ses-workbench: {message}"), file=sys.stderr)
            return 1
        diags.append(Diagnostic("error", "no-templates", message, str(project.root)))
    return _print_lint(args, diags, names, len(names) if names else
                       len(project.templates) + len(project.verification_templates),
                       names or [*project.templates, *project.verification_templates], session.dialect)


def _print_lint(args: argparse.Namespace, diags: list[Any], names: list[str], count: int,
                templates: list[str] | None = None, dialect: Dialect = DEFAULT_DIALECT) -> int:
    errors = sum(1 for d in diags if d.severity == "error")
    warnings = len(diags) - errors
    if args.format == "json":
        payload = {
            "diagnostics": [d.to_dict() for d in diags],
            "errors": errors,
            "warnings": warnings,
            "templates": templates if templates is not None else names,
            "dialect": dataclasses.asdict(dialect),
        }
        json.dump(payload, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for d in diags:
            print(visible(f"{_rel(d.path)}:{d.line}:{d.column}: {d.severity}: {d.message} [{d.code}]"))
        if not args.quiet:
            summary = f"{plural(count, 'template')}: {plural(errors, 'error')}, {plural(warnings, 'warning')}"
            note = _dialect_note(dialect)
            if note:
                summary += f" (calibrated dialect: {note})"
            # The findings went to stdout, the summary goes to stderr: stdout must be flushed first, or a
            # block-buffered stdout (a file, a pipe, `2>&1`) puts the summary before or inside the findings.
            sys.stdout.flush()
            print(summary, file=sys.stderr if diags else sys.stdout)
    return 1 if errors else 0


def _at(exc: Any) -> str:
    """``:line:column`` of an error that has them ("" otherwise)."""
    if exc.line is None:
        return ""
    return f":{exc.line}" + (f":{exc.column}" if exc.column is not None else "")


def engine_error_line(err: EngineError) -> str:
    """One line for a template error, pointing at the file a person edits: ``ses-workbench: FILE:L:C: …``."""
    hint = getattr(err, "hint", None)
    where = _rel(err.where) if err.path else err.where
    return visible(f"ses-workbench: {where}: {err}" + (f" ({hint})" if hint else ""))


def _rel(path: str) -> str:
    """A path relative to the current directory when it is below it (shorter CI logs), else as is."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if rel.startswith("..") else rel
