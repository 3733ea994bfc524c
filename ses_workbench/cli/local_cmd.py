"""``ses-workbench local-ses``: run the embedded SES v2 endpoint in the foreground.

The workbench starts the endpoint in-process when it needs one; this command serves it on a fixed port so
other clients — the AWS CLI, a script, another service under development — can use the same simulated
account, store and outbox.  The simulated account comes from the project's ``[local_ses]`` config.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ses_workbench.cli import UsageError, add_dir_option, project_dir, require_dir
from ses_workbench.errors import WorkbenchError

DEFAULT_PORT = 4579


def register(subparsers: Any) -> None:
    """Add the ``local-ses`` command."""
    p = subparsers.add_parser(
        "local-ses", help="run the local SES v2 endpoint in the foreground (for the AWS CLI and scripts)",
        description="Serve the embedded SES v2 endpoint (templates, TestRenderEmailTemplate, SendEmail, "
                    "SendBulkEmail, GetAccount, identities) on 127.0.0.1 until Ctrl-C. State and the outbox "
                    "of delivered messages live in the project's .ses-workbench/local-ses/ folder.",
    )
    add_dir_option(p)
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"TCP port (default: {DEFAULT_PORT}; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--verify", action="append", default=[], metavar="IDENTITY",
                   help="also treat this address or domain as verified (repeatable)")
    p.add_argument("--sending-paused", action="store_true",
                   help="simulate a paused account (sends fail with SendingPausedException)")
    p.set_defaults(func=cmd_local_ses)


def cmd_local_ses(args: argparse.Namespace) -> int:
    from ses_workbench.project.config import load_config
    from ses_workbench.project.model import STATE_DIR
    from ses_workbench.ses.local import LocalSes, LocalSesSettings

    root = require_dir(project_dir(args.dir))
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: not a TCP port")
    config = load_config(root)
    settings = LocalSesSettings.from_config(config.local_ses)
    if args.verify:
        settings = LocalSesSettings.from_config(
            settings, verified_identities=(*settings.verified_identities, *args.verify))
    if args.sending_paused:
        settings = LocalSesSettings.from_config(settings, sending_enabled=False)
    ses = LocalSes(root / STATE_DIR, settings, port=args.port, host=args.host)
    try:
        url = ses.start()
    except OSError as exc:
        raise WorkbenchError(f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc}); "
                             "pick another port with --port (0 = any free port)") from None
    print(f"Local SES endpoint: {url}", flush=True)
    print(f"  account: {_describe(settings)}")
    print(f"  state:   {ses.store_dir}")
    print(f"  outbox:  {ses.outbox_dir}")
    print("Try (any credentials work):")
    print(f"  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws --endpoint-url {url} "
          "--region us-east-1 sesv2 list-email-templates")
    print("Press Ctrl-C to stop.", flush=True)
    try:
        ses.serve_forever()
    except KeyboardInterrupt:
        print("\nLocal SES endpoint stopped.", file=sys.stderr)
    finally:
        ses.stop()
    return 0


def _describe(settings: Any) -> str:
    mode = "sandbox" if settings.sandbox else "production"
    if not settings.sending_enabled:
        mode += " (sending paused)"
    rate = f"max send rate {settings.max_send_rate:g}/s" if settings.send_rate_limited else "no rate limit"
    quota = f"{settings.max_24h_send:g} recipients/24 h" if settings.quota_limited else "no daily quota"
    ops = (f"{settings.template_ops_per_second:g} template operations/s" if settings.template_ops_limited
           else "no template operation limit")
    verified = ", ".join(settings.verified_identities) or "none yet (aws sesv2 create-email-identity)"
    return f"{mode}, {rate}, {quota}, {ops}; verified: {verified}"
