"""``ses-workbench check NAME --data FILE``: which data rows would SES reject or silently drop?

The work is :mod:`ses_workbench.check`; this module parses arguments, draws a progress bar on
stderr when it is a terminal, prints the report (text or one JSON object) and, with
``--via-ses N``, confirms N sampled rows through SES's ``TestRenderEmailTemplate``.
Exit codes: 0 every row renders (and, with ``--via-ses``, SES confirmed every sampled verdict),
1 some row fails, SES disagrees or could not answer, or an error; 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from ses_workbench.check import FORMATS, CheckReport
from ses_workbench.cli import add_dir_option, add_ses_options
from ses_workbench.engine.errors import EngineError
from ses_workbench.errors import WorkbenchError
from ses_workbench.wording import noun, plural


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "check",
        help="check data rows (JSON, JSON Lines, CSV, Parquet) against a template: which would SES drop?",
        description=(
            "Render every data row through the template as SES would and report each row SES would "
            "reject, or accept and then silently drop as a rendering failure. Exit 0 when every row "
            "renders, 1 otherwise."),
    )
    p.add_argument("name", metavar="NAME", help="template name")
    p.add_argument("--data", required=True, metavar="FILE",
                   help="data rows: a JSON array, JSON Lines (.jsonl), CSV (dotted headers nest) or Parquet"
                        " (pip install 'ses-workbench[parquet]'); - reads stdin")
    add_dir_option(p)
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.add_argument("--data-format", choices=FORMATS, default=None,
                   help="force the data format (default: from the extension, else sniffed)")
    p.add_argument("--empty-cells", choices=("present", "missing"), default="present",
                   help='CSV: an empty cell is "" (present, as SES treats it; default) or a missing key')
    p.add_argument("--max-failures", type=int, default=1000, metavar="N",
                   help="failing rows kept in the report (counts stay exact; default 1000)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="processes checking a JSON Lines file (default: one per CPU from 16 MiB on; 1: this"
                        " process only)")
    p.add_argument("--no-fast", action="store_true",
                   help="render every row in full (slower; the default reuses verdicts for identical shapes)")
    p.add_argument("--via-ses", type=int, default=0, metavar="N",
                   help="also render N sampled rows through SES's TestRenderEmailTemplate (paced) to confirm")
    add_ses_options(p, env_help="environment for --via-ses (default: default_env)",
                    local_help="--via-ses against the embedded local SES endpoint")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ses_workbench.cli import UsageError

    if args.max_failures < 0:
        raise UsageError("--max-failures must be 0 or more")
    if args.via_ses < 0:
        raise UsageError("--via-ses must be 0 or more")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be 1 or more")
    data: Any
    if args.data == "-":
        data = sys.stdin.buffer  # a pipe: streamed like a file, format sniffed unless --data-format
    else:
        data = Path(args.data)
        if not data.is_file():
            if not data.exists() or data.is_dir():
                raise UsageError(f"no data file {args.data}")
            # a named pipe or device, e.g. --data <(zcat rows.jsonl.gz): streamed like stdin
            try:
                data = open(data, "rb")  # noqa: SIM115 - closed below
            except OSError as exc:
                raise UsageError(f"cannot read {args.data}: {exc.strerror or exc}") from None
    try:
        return _run(args, data)
    finally:
        if hasattr(data, "close") and data is not sys.stdin.buffer:
            data.close()


def _run(args: argparse.Namespace, data: Any) -> int:
    from ses_workbench.cli import get_template, load_project, project_dir
    from ses_workbench.cli.ui import CliUi, session_for

    project = load_project(project_dir(args.dir))
    tpl = get_template(project, args.name)
    # before the rows are read: a typo must not cost a long check; the rows render with its dialect
    session = session_for(project, args.env, local=args.local, endpoint_url=args.endpoint_url, api=args.api,
                          ui=CliUi(args))

    bar = _ProgressBar(sys.stderr) if args.format == "text" and sys.stderr.isatty() else None
    try:
        report = session.check(
            tpl.name, data, args.data_format, empty_cells=args.empty_cells, max_failures=args.max_failures,
            fast=not args.no_fast, progress=bar.update if bar else None, sample=args.via_ses,
            workers=args.workers)
    except EngineError as err:  # the template does not compile: where, as lint says it
        raise WorkbenchError(f"{_where(err)}: {err} [syntax]") from None
    finally:
        if bar is not None:
            bar.close()
    if args.via_ses and report.samples:
        with session:
            _confirm_via_ses(report, session, tpl.name, bar_enabled=bar is not None)
    if report.rows == 0:
        # not an error (no row fails), but a check that checked nothing should not pass silently
        sys.stderr.write(f"ses-workbench: warning: {report.source} holds no data rows; nothing was checked\n")

    try:
        if args.format == "json":
            json.dump(report.to_dict(), sys.stdout, indent=2, ensure_ascii=False)
            sys.stdout.write("\n")
        else:
            print_text(report, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:  # `... | head`: the reader left; not an error of the check
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    # --via-ses asked SES to confirm: a disagreement, or a row SES could not render at all (an error,
    # e.g. the network), leaves the verdict unconfirmed
    unconfirmed = bool(report.via_ses and (report.via_ses.get("disagree") or report.via_ses.get("errors")))
    return 0 if report.passed and not unconfirmed else 1


def _confirm_via_ses(report: CheckReport, session: Any, name: str, bar_enabled: bool) -> None:
    """Render the sampled rows through TestRenderEmailTemplate (paced by the SES client)."""
    def progress(done: int, total: int) -> None:
        if bar_enabled:
            sys.stderr.write(f"\r  via SES: {done}/{total} rows (paced)")
            sys.stderr.flush()

    session.confirm_via_ses(name, report, progress=progress)
    if bar_enabled:
        sys.stderr.write("\n")


def print_text(report: CheckReport, out: TextIO) -> None:
    """The human report: summary, failing rows with locations, counts by reason."""
    src = f" from {report.source}" if report.source else ""
    rate = f"{report.rows_per_second:,.0f} rows/s" if report.seconds else ""
    rows = f"{report.rows:,} {noun(report.rows, 'row')}"
    out.write(f"{report.template}: {rows}{src} — {report.ok:,} ok, {report.failing:,} failing"
              f" ({report.seconds:.2f} s{', ' + rate if rate else ''})\n")
    if report.failures:
        out.write("\nfailing rows:\n")
        for f in report.failures:
            where = f"  [{f.location}]" if f.location else ""
            if f.data_path and f.data_path != f.attribute:
                where = f" ({f.data_path}){where}"
            line = f" (line {f.data_line})" if f.data_line is not None and f.data_line != f.row else ""
            out.write(f"  row {f.row}{line}: {f.message}{where}\n")
            if f.hint:
                out.write(f"      hint: {f.hint}\n")
        if report.truncated:
            out.write(f"  … and {report.failing - len(report.failures):,} more"
                      f" (--max-failures, or --format json)\n")
    if report.by_reason:
        out.write("\nby reason:\n")
        for key, count in sorted(report.by_reason.items(), key=lambda kv: (-kv[1], kv[0])):
            out.write(f"  {count:>9,}  {key}\n")
    if report.via_ses is not None:
        v = report.via_ses
        out.write(f"\nvia SES: {plural(v['sampled'], 'row')} rendered by TestRenderEmailTemplate:"
                  f" {v['agree']} agree, {v['disagree']} disagree, {plural(v['errors'], 'error')}\n")
        for r in v["rows"]:
            if r["agree"] is not True:
                out.write(f"  row {r['row']}: local {r['local']!r}, SES {r['ses']!r}\n")
    if not report.fast_path.startswith("on"):
        out.write(f"\nfast path {report.fast_path}\n")


def _where(err: EngineError) -> str:
    """``file:line:column`` of a located engine error, the file relative to the current directory."""
    import os

    head = err.part or err.template or "<template>"
    if err.path:
        rel = os.path.relpath(err.path)
        head = err.path if rel.startswith("..") else rel
    if err.line is not None:
        head += f":{err.line}" + (f":{err.column}" if err.column is not None else "")
    return head


class _ProgressBar:
    """A one-line progress bar on a terminal: percentage of the file read, rows and rows/s."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.started = time.perf_counter()
        self.last = 0.0
        self.drawn = False

    def update(self, rows: int, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        rate = rows / (now - self.started) if now > self.started else 0.0
        if not total:  # a stream: no size to measure against
            self.stream.write(f"\r{rows:,} rows  {rate:,.0f} rows/s ")
        else:
            frac = min(1.0, done / total)
            filled = int(frac * self.width)
            self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {frac:4.0%}"
                              f"  {rows:,} rows  {rate:,.0f} rows/s ")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
