"""Benchmark of the bulk test-send's pacing against the embedded local SES endpoint.

    python bench/send.py [--destinations 1000] [--rate 50] [--slow-sends 20] [--write-results]

1. ``--destinations`` destinations (mailbox-simulator recipients × one fixture) through
   ``ses_workbench.ses.send`` with the endpoint's ``MaxSendRate`` at ``--rate`` recipients/s:
   target achieved rate >= 95% of the limit with zero throttling (429 or ACCOUNT_THROTTLED).
2. ``--slow-sends`` sends with the sandbox's 1 recipient/s: target pacing within 5% of 1/s,
   measured between the first and the last send (the first one is free: the bucket starts full).

Everything goes through boto3 over HTTP, exactly as against SES.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _common
from _common import finish, local_client, machine, make_project, measured_by

SECTION = "## SES bulk send — `bench/send.py`"

CONFIG = """\
sender = "bench@bench.test"
text_part = "optional"

[local_ses]
sandbox = true
max_send_rate = {rate}
max_24h_send = -1
template_ops_per_second = 1000
verified_identities = ["bench.test"]
"""


HELLO = {"subject": "Hello {{name}}\n", "html": "<p>Hello {{name}}, your code is {{code}}.</p>\n",
         "text": "Hello {{name}}, your code is {{code}}.\n", "data": {"name": "Ada", "code": "X1"}}


def run(destinations: int, rate: float) -> dict[str, Any]:
    from ses_workbench.ses import send as S
    from ses_workbench.ses import sync

    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "proj", CONFIG.format(rate=rate), {"hello": HELLO})
        with local_client(project) as client:
            sync.push(client, project)
            to = [f"success+{i}@simulator.amazonses.com" for i in range(destinations)]
            plan = S.plan_send(client, project, "hello", to)
            stamps: list[float] = []  # when each SendBulkEmail call was made (after pacing)
            calls_before = client.stats["calls"]
            real_call = client._call

            def timed_call(operation: str, **kw: Any) -> Any:
                if operation == "SendBulkEmail":
                    kw["bucket"].acquire(kw.pop("cost"))
                    stamps.append(time.monotonic())
                    kw["cost"] = 0  # already paid
                return real_call(operation, **kw)

            client._call = timed_call  # type: ignore[method-assign]
            t0 = time.monotonic()
            report = S.execute_send(client, project, plan, retries=0, write_report=False)
            elapsed = time.monotonic() - t0
            calls = client.stats["calls"] - calls_before
            first_batch = min(destinations, client.send_batch_size())
    throttled_entries = sum(1 for o in report.outcomes if o.status == "ACCOUNT_THROTTLED")
    # The bucket starts full and the first batch empties it: every later recipient was paced.
    steady = (destinations - first_batch) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else float("nan")
    return {
        "destinations": destinations, "limit": rate, "elapsed": elapsed, "calls": calls,
        "sent": len(report.sent), "throttled_429": client.stats["throttled"],
        "throttled_entries": throttled_entries, "overall_rate": destinations / elapsed,
        "steady_rate": steady,
    }


def verdicts(fast: dict[str, Any], slow: dict[str, Any]) -> list[str]:
    out = []
    ok1 = fast["steady_rate"] >= 0.95 * fast["limit"] and fast["throttled_429"] == 0 \
        and fast["throttled_entries"] == 0 and fast["sent"] == fast["destinations"]
    out.append(f"{'PASS' if ok1 else 'FAIL'}: {fast['destinations']} destinations at MaxSendRate "
               f"{fast['limit']:g}/s: steady {fast['steady_rate']:.2f}/s = "
               f"{100 * fast['steady_rate'] / fast['limit']:.1f}% of the limit (target >= 95%), "
               f"{fast['throttled_429'] + fast['throttled_entries']} throttling errors (target 0)")
    dev = abs(slow["steady_rate"] - slow["limit"]) / slow["limit"]
    ok2 = dev <= 0.05 and slow["throttled_429"] == 0 and slow["throttled_entries"] == 0 \
        and slow["sent"] == slow["destinations"]
    out.append(f"{'PASS' if ok2 else 'FAIL'}: {slow['destinations']} sends at 1/s: "
               f"{slow['steady_rate']:.3f}/s, "
               f"{100 * dev:.1f}% from 1/s (target within 5%), "
               f"{slow['throttled_429'] + slow['throttled_entries']} throttling errors")
    return out


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| destinations | MaxSendRate | calls | wall time | overall rate | steady rate | sent "
             "| throttled |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['destinations']} | {r['limit']:g}/s | {r['calls']} | {r['elapsed']:.2f} s | "
                     f"{r['overall_rate']:.2f}/s | {r['steady_rate']:.2f}/s | {r['sent']} | "
                     f"{r['throttled_429'] + r['throttled_entries']} |")
    return "\n".join(lines)


def write_results(text_table: str, verdict_lines: list[str]) -> None:
    _common.write_results(
        SECTION,
        f"{measured_by('send.py')} ({machine()}); "
        "boto3 → embedded local SES endpoint over HTTP, botocore and workbench retries disabled so any "
        "429 would show.",
        text_table, verdict_lines,
        ["Steady rate = (destinations − the first batch) / (time between the first and the last send "
         "call, taken when each call leaves the client after pacing): the client's "
         "token bucket starts full, like SES's, so the first batch goes at once. The client aims 2% under "
         "the limit (`SesClient(safety=0.98)`) so clock jitter between client and server never trips it; "
         "bulk batches are half a second's worth of `MaxSendRate` (1..50 entries), so a late call never "
         "finds the server's bucket short."])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--destinations", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--slow-sends", type=int, default=20)
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    fast = run(args.destinations, args.rate)
    print(json.dumps(fast, indent=2))
    slow = run(args.slow_sends, 1.0)
    print(json.dumps(slow, indent=2))
    return finish(SECTION, table([fast, slow]), verdicts(fast, slow),
                  write_results if args.write_results else None)


if __name__ == "__main__":
    sys.exit(main())
