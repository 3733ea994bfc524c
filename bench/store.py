"""Benchmark of the local endpoint's store: create, get and list through the HTTP API at 100, 2,000 and
20,000 stored templates, the SQLite store against the JSON store it replaced, in the same run.

    python bench/store.py [--sizes 100,2000,20000] [--runs 3] [--ops 10] [--write-results]
    python bench/store.py --links 0,2000,10000 [--runs 3] [--ops 10] [--write-results]

Each endpoint runs in its own process with template operations unlimited; one boto3 ``sesv2`` client
times each call.  The JSON store is the code of commit ``JSON_STORE_COMMIT`` (``git archive`` into a
temporary folder, run from there), so both are measured on the same machine under the same load.  For each
size the state folder is seeded with ``size - ops`` templates of ~3.7 KB (the size of the scale review's)
written in the JSON format — the SQLite endpoint migrates them at start, which is timed too — then
``--ops`` creates bring it to ``size`` (at 20,000 the last one is SES's 20,000th), then ``--ops`` gets of
random names and ``--ops`` ListEmailTemplates pages (PageSize 40) starting in the middle of the names.
The figure per operation is the median latency of a run; the table shows the median over runs and the
spread (min–max of the runs' medians).

Target: creating at 20,000 templates costs what it does at 100 (ratio ≤ 2), and so do get and list.

``--links``: ``SendCustomVerificationEmail`` (each one stores a one-time link) when the state folder already
holds that many links, seeded in the ``custom-verification.json`` format (the SQLite endpoint migrates it at
start), against the store of ``CV_JSON_COMMIT``, which rewrote that file whole at each send.  Target: a send
after 10,000 links costs what the first one does (ratio ≤ 2).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _common
from _common import ROOT, finish, machine, measured_by

SECTION = "## Local endpoint store — `bench/store.py`"
JSON_STORE_COMMIT = "e1466da"  # the last commit whose endpoint kept templates.json
CV_JSON_COMMIT = "f1cfc7f"  # the last commit whose endpoint kept custom-verification.json
LINKS_SECTION = "## Local endpoint store, custom verification links — `bench/store.py --links`"
SENDER = "sender@example.com"
OPS = ("create", "get", "list")
PAGE = 40  # names per ListEmailTemplates page: a full page at every size (90 seeded at 100)

# The endpoint in a process of its own: prints what boto3 needs, serves until stdin closes.
_RUNNER = r"""
import json, sys, time
from ses_workbench.ses.local import LocalSes, LocalSesSettings
t0 = time.perf_counter()
ses = LocalSes(sys.argv[1], LocalSesSettings(template_ops_per_second=None, sandbox=False,
                                             **json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}")))
ses.start()
import ses_workbench.ses.local.store as store_module
print(json.dumps({**ses.boto3_kwargs(), "start_s": time.perf_counter() - t0, "code": store_module.__file__}),
      flush=True)
sys.stdin.read()
ses.stop()
"""


def _content(i: int) -> dict[str, str]:
    """~3.7 KB of HTML and text with a loop, unique per template."""
    rows = "".join(f"<tr><td>{{{{items.{k}.title}}}}</td><td>{i}-{k}</td></tr>\n" for k in range(60))
    return {"Subject": f"Order {i} for {{{{name}}}}",
            "Html": f"<h1>Hello {{{{name}}}}</h1>\n<table>\n{rows}</table>\n",
            "Text": f"Hello {{{{name}}}}, order {i}.\n"}


def seed(state_dir: Path, count: int) -> None:
    """``count`` templates in the JSON store's format (what an older endpoint left behind)."""
    root = state_dir / "local-ses"
    root.mkdir(parents=True)
    now = time.time()
    recs = [{"name": f"tpl-{i:05d}", "content": _content(i), "created": now, "updated": now,
             "version": f"{i:032x}", "tags": []} for i in range(count)]
    data = json.dumps({"templates": recs}, ensure_ascii=False, indent=1).encode("utf-8")
    (root / "templates.json").write_bytes(data)


def json_store_code(tmp: Path, commit: str = JSON_STORE_COMMIT) -> Path:
    """The package as of ``commit``, unpacked under ``tmp``; the folder to put on PYTHONPATH."""
    dest = tmp / f"json-store-code-{commit}"
    dest.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "ses_workbench"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def _token(after: str) -> str:
    # The endpoint's NextToken (the same in both versions): the last name of the previous page.
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode("ascii")


def _endpoint(code: Path, state: Path, settings: dict[str, Any] | None = None
              ) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    proc = subprocess.Popen([sys.executable, "-c", _RUNNER, str(state), json.dumps(settings or {})],
                            stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env, cwd=code)  # cwd: sys.path[0]
    assert proc.stdout is not None
    info = json.loads(proc.stdout.readline())
    assert info.pop("code").startswith(str(code)), "the endpoint runs other code than asked"
    return proc, info


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.stdin is not None:
        proc.stdin.close()
    proc.wait(timeout=120)


def measure(code: Path, size: int, ops: int, tmp: Path) -> dict[str, float]:
    """Median seconds per create, get and list at ``size`` templates, and the start-up times."""
    import boto3
    from botocore.config import Config

    state = tmp / f"state-{code.name}-{size}"
    seed(state, size - ops)
    proc, info = _endpoint(code, state)
    try:
        start_s = info.pop("start_s")
        client = boto3.client("sesv2", **info, config=Config(retries={"total_max_attempts": 1},
                                                             read_timeout=600))
        client.get_account()  # connection and model warm
        times: dict[str, list[float]] = {op: [] for op in OPS}
        for i in range(ops):
            t0 = time.perf_counter()
            client.create_email_template(TemplateName=f"new-{i:03d}", TemplateContent=_content(i))
            times["create"].append(time.perf_counter() - t0)
        rng = random.Random(size)
        for _ in range(ops):
            name = f"tpl-{rng.randrange(size - ops):05d}"
            t0 = time.perf_counter()
            got = client.get_email_template(TemplateName=name)
            times["get"].append(time.perf_counter() - t0)
            assert got["TemplateName"] == name
        middle = f"tpl-{(size - ops) // 2:05d}"
        for _ in range(ops):
            t0 = time.perf_counter()
            page = client.list_email_templates(PageSize=PAGE, NextToken=_token(middle))
            times["list"].append(time.perf_counter() - t0)
            assert len(page["TemplatesMetadata"]) == PAGE
        listed = client.list_email_templates(PageSize=1)
        assert listed["TemplatesMetadata"][0]["TemplateName"] == "new-000"
    finally:
        _stop(proc)
    proc, info = _endpoint(code, state)  # a restart: SQLite opens store.db, JSON loads templates.json
    _stop(proc)
    shutil.rmtree(state)
    return {**{op: statistics.median(v) for op, v in times.items()}, "start": start_s,
            "restart": info["start_s"]}


def seed_links(state_dir: Path, count: int) -> None:
    """One custom verification template and ``count`` links, as ``custom-verification.json`` held them."""
    root = state_dir / "local-ses"
    root.mkdir(parents=True)
    now = time.time()
    template = {"TemplateName": "confirm", "FromEmailAddress": SENDER, "TemplateSubject": "Confirm",
                "TemplateContent": "<p>Please confirm your address.</p>",
                "SuccessRedirectionURL": "https://app.example/ok",
                "FailureRedirectionURL": "https://app.example/no",
                "Tags": [], "created": now}
    tokens = {f"seeded-{i:06d}-{'x' * 20}": {"identity": f"old{i}@example.org", "template": "confirm",
                                             "success": "https://app.example/ok",
                                             "failure": "https://app.example/no", "created": now}
              for i in range(count)}
    data = json.dumps({"version": 1, "templates": {"confirm": template}, "tokens": tokens},
                      ensure_ascii=False, sort_keys=True, indent=1)
    (root / "custom-verification.json").write_text(data, encoding="utf-8")


def measure_links(code: Path, links: int, ops: int, tmp: Path) -> float:
    """Median seconds per SendCustomVerificationEmail after ``links`` earlier links."""
    import boto3
    from botocore.config import Config

    state = tmp / f"links-{code.name}-{links}"
    seed_links(state, links)
    proc, info = _endpoint(code, state, {"verified_identities": [SENDER], "max_send_rate": None,
                                         "max_24h_send": 10**9})
    try:
        info.pop("start_s")
        client = boto3.client("sesv2", **info, config=Config(retries={"total_max_attempts": 1},
                                                             read_timeout=600))
        client.get_account()  # connection and model warm
        times = []
        for i in range(ops):
            t0 = time.perf_counter()
            client.send_custom_verification_email(EmailAddress=f"new{i}@example.org", TemplateName="confirm")
            times.append(time.perf_counter() - t0)
    finally:
        _stop(proc)
    shutil.rmtree(state)
    return statistics.median(times)


def main_links(args: argparse.Namespace) -> int:
    counts = [int(s) for s in args.links.split(",")]
    load_before = os.getloadavg()
    results: dict[tuple[str, int], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        stores = {"sqlite": ROOT, "json": json_store_code(tmp, CV_JSON_COMMIT)}
        for run in range(args.runs):
            for count in counts:
                for store, code in stores.items():
                    seconds = measure_links(code, count, args.ops, tmp)
                    results.setdefault((store, count), []).append(seconds)
                    print(f"run {run + 1} {store:6} {count:>6} links: send {_ms(seconds)} ms", flush=True)
    load_after = os.getloadavg()

    def med(store: str, count: int) -> float:
        return statistics.median(results[(store, count)])

    def spread(store: str, count: int) -> str:
        return f"{_ms(min(results[(store, count)]))}–{_ms(max(results[(store, count)]))}"

    lines = ["| links stored | SQLite ms per send (median; runs' min–max) | JSON ms (median; min–max) "
             "| JSON / SQLite |", "|---:|---:|---:|---:|"]
    for count in counts:
        s, j = med("sqlite", count), med("json", count)
        lines.append(f"| {count:,} | {_ms(s)} ({spread('sqlite', count)}) | {_ms(j)} "
                     f"({spread('json', count)}) | {j / s:,.1f}x |")
    table = "\n".join(lines)
    small, big = counts[0], counts[-1]
    ratio = med("sqlite", big) / med("sqlite", small)
    verdicts = [f"{'PASS' if ratio <= 2 else 'FAIL'}: SQLite send after {big:,} links costs {ratio:.2f}x "
                f"what it costs after {small:,} (target ≤ 2x); JSON: "
                f"{med('json', big) / med('json', small):.1f}x"]
    load = (f"Load average (1/5/15 min) {'/'.join(f'{x:.2f}' for x in load_before)} before, "
            f"{'/'.join(f'{x:.2f}' for x in load_after)} after; {os.cpu_count()} CPUs; {machine()}.")
    print(load)

    def write(table: str, verdicts: list[str]) -> None:
        _common.write_results(
            LINKS_SECTION,
            f"{measured_by(f'store.py --links {args.links}')}: {args.runs} runs, {args.ops} timed sends per "
            "size, one boto3 client, each endpoint in its own process. JSON = the store of "
            f"`{CV_JSON_COMMIT}` (custom-verification.json rewritten whole, and synced, at every send).",
            table, verdicts, [load, "Each send also writes the message to the outbox and two event lines; "
                              "those cost the same in both."])

    return finish(LINKS_SECTION, table, verdicts, write if args.write_results else None)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}" if seconds < 10 else f"{seconds * 1000:,.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,2000,20000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--ops", type=int, default=10)
    parser.add_argument("--write-results", action="store_true")
    parser.add_argument("--links", metavar="N,N,...",
                        help="measure SendCustomVerificationEmail after these many stored links instead")
    args = parser.parse_args(argv)
    if args.links:
        return main_links(args)
    sizes = [int(s) for s in args.sizes.split(",")]
    load_before = os.getloadavg()
    results: dict[tuple[str, int], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        stores = {"sqlite": ROOT, "json": json_store_code(tmp)}
        for run in range(args.runs):
            for size in sizes:
                for store, code in stores.items():  # interleaved, so both see the same load
                    figures = measure(code, size, args.ops, tmp)
                    results.setdefault((store, size), []).append(figures)
                    print(f"run {run + 1} {store:6} {size:>6}: " + ", ".join(
                        f"{k} {_ms(v)} ms" for k, v in figures.items()), flush=True)
    load_after = os.getloadavg()

    def med(store: str, size: int, op: str) -> float:
        return statistics.median(r[op] for r in results[(store, size)])

    def spread(store: str, size: int, op: str) -> str:
        values = [r[op] for r in results[(store, size)]]
        return f"{_ms(min(values))}–{_ms(max(values))}"

    lines = ["| templates | op | SQLite ms (median; runs' min–max) | JSON ms (median; min–max) "
             "| JSON / SQLite |", "|---:|---|---:|---:|---:|"]
    for size in sizes:
        for op in (*OPS, "start", "restart"):
            s, j = med("sqlite", size, op), med("json", size, op)
            label = {"start": "first start (SQLite: migrate the JSON)", "restart": "restart"}.get(op, op)
            lines.append(f"| {size:,} | {label} | {_ms(s)} ({spread('sqlite', size, op)}) | {_ms(j)} "
                         f"({spread('json', size, op)}) | {j / s:,.1f}x |")
    table = "\n".join(lines)
    small, big = sizes[0], sizes[-1]
    verdicts = []
    for op in OPS:
        ratio = med("sqlite", big, op) / med("sqlite", small, op)
        verdicts.append(f"{'PASS' if ratio <= 2 else 'FAIL'}: SQLite {op} at {big:,} costs {ratio:.2f}x "
                        f"what it costs at {small:,} (target ≤ 2x); JSON: "
                        f"{med('json', big, op) / med('json', small, op):.1f}x")
    load = (f"Load average (1/5/15 min) {'/'.join(f'{x:.2f}' for x in load_before)} before, "
            f"{'/'.join(f'{x:.2f}' for x in load_after)} after; {os.cpu_count()} CPUs; "
            f"{machine()}, SQLite {__import__('sqlite3').sqlite_version}.")
    print(load)

    def write(table: str, verdicts: list[str]) -> None:
        _common.write_results(
            SECTION,
            f"{measured_by('store.py')}: {args.runs} runs, {args.ops} timed calls per operation and size, "
            f"one boto3 client, each endpoint in its own process. JSON = the store of `{JSON_STORE_COMMIT}` "
            "(one templates.json rewritten whole on every change).",
            table, verdicts,
            [load, "The SQLite store commits with `synchronous=FULL` (an fsync of the WAL per change); the "
             "JSON store never synced. \"first start\" is the endpoint's start-up on the seeded "
             "templates.json: the SQLite endpoint migrates it into store.db (once), the JSON one loads it; "
             "\"restart\" is the next start (SQLite opens store.db and reads nothing more, JSON loads the "
             "whole file again). A create's cost is mostly the request and compiling the template; the "
             "store's part no longer grows with the number of templates."])

    return finish(SECTION, table, verdicts, write if args.write_results else None)


if __name__ == "__main__":
    sys.exit(main())
