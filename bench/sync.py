"""Benchmark of push and diff pacing against the embedded local SES endpoint.

    python bench/sync.py [--templates 100] [--rate 10] [--write-results]

The endpoint allows ``--rate`` template operations per second (SES documents 1/s; 10/s keeps
the run short).  ``push`` of ``--templates`` new templates costs one ListEmailTemplates plus
one CreateEmailTemplate each; ``diff`` one list plus one GetEmailTemplate each.  Target: the
wall time of each within 10% of ``templates / rate`` seconds, with zero throttling errors
(botocore's and the workbench's own retries are disabled, so any 429 would surface).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _common
from _common import finish, local_client, machine, make_project, measured_by

SECTION = "## SES sync — `bench/sync.py`"

CONFIG = """\
sender = "bench@bench.test"
text_part = "optional"

[local_ses]
template_ops_per_second = {rate}
verified_identities = ["bench.test"]
"""


def templates(n: int) -> dict[str, dict[str, Any]]:
    """``n`` small templates, each with a loop, so push and diff have real content to compare."""
    return {f"tpl-{i:03d}": {
        "subject": f"Message {i} for {{{{name}}}}\n",
        "html": f"<h1>Hello {{{{name}}}}</h1>\n<p>Template {i}.</p>\n"
                "{{#each items}}<li>{{this.title}}</li>{{/each}}\n",
        "text": f"Hello {{{{name}}}} ({i})\n",
        "data": {"name": "Ada", "items": [{"title": "x"}]},
    } for i in range(n)}


def run(n: int, rate: float) -> list[dict[str, Any]]:
    from ses_workbench.ses import sync

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "proj", CONFIG.format(rate=rate), templates(n))
        with local_client(project) as client:
            for op in ("push", "diff"):
                before = dict(client.stats)
                t0 = time.monotonic()
                if op == "push":
                    result = sync.push(client, project)
                    ok = len(result.pushed) == n and not result.failed
                else:
                    diffs = sync.diff(client, project)
                    ok = len(diffs) == n and not any(d.changed for d in diffs)
                elapsed = time.monotonic() - t0
                rows.append({"operation": op, "templates": n, "rate": rate, "elapsed": elapsed,
                             "calls": client.stats["calls"] - before["calls"],
                             "throttled": client.stats["throttled"] - before["throttled"], "ok": ok,
                             "target": n / rate})
    return rows


def verdicts(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    for r in rows:
        dev = (r["elapsed"] - r["target"]) / r["target"]
        good = abs(dev) <= 0.10 and r["throttled"] == 0 and r["ok"]
        out.append(f"{'PASS' if good else 'FAIL'}: {r['operation']} of {r['templates']} templates at "
                   f"{r['rate']:g} ops/s: {r['elapsed']:.2f} s vs {r['target']:.1f} s ({100 * dev:+.1f}%, "
                   f"target within 10%), {r['throttled']} throttling errors")
    return out


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| operation | templates | endpoint limit | SES calls | wall time | expected | throttled |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['operation']} | {r['templates']} | {r['rate']:g}/s | {r['calls']} | "
                     f"{r['elapsed']:.2f} s | {r['target']:.1f} s | {r['throttled']} |")
    return "\n".join(lines)


def write_results(text_table: str, verdict_lines: list[str]) -> None:
    _common.write_results(
        SECTION,
        f"{measured_by('sync.py')} ({machine()}); "
        "boto3 → embedded local SES endpoint over HTTP, retries disabled so any 429 would show.",
        text_table, verdict_lines,
        ["Push = 1 ListEmailTemplates + 1 CreateEmailTemplate per template (lint and compose run while the "
         "token bucket refills); diff = 1 list + 1 GetEmailTemplate per template. The client aims 2% under "
         "the limit, so 101 calls take ~10.2 s."])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--templates", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    rows = run(args.templates, args.rate)
    return finish(SECTION, table(rows), verdicts(rows), write_results if args.write_results else None)


if __name__ == "__main__":
    sys.exit(main())
