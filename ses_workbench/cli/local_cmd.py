"""``ses-workbench local-ses``: run the embedded SES v2 endpoint in the foreground.

The workbench starts the endpoint in-process when it needs one; this command serves it on a fixed port so
other clients — the AWS CLI, a script, another service under development — can use the same simulated
account, store and outbox.  The simulated account comes from the project's ``[local_ses]`` config.  The
endpoint accepts only requests signed with the credentials it makes at each start: the command prints
them as ``export`` lines (and they are in the endpoint's lock file while it runs).

``ses-workbench local-ses verify IDENTITY...`` verifies identities created through the API (which start
PENDING, as at SES) — what clicking the link in the verification mail does.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from ses_workbench.cli import UsageError, add_dir_option, project_dir, require_dir
from ses_workbench.errors import WorkbenchError

DEFAULT_PORT = 4579
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def register(subparsers: Any) -> None:
    """Add the ``local-ses`` command (and its ``verify`` subcommand)."""
    p = subparsers.add_parser(
        "local-ses", help="run the local SES v2 endpoint in the foreground (for the AWS CLI and scripts)",
        description="Serve the embedded SES v2 endpoint (templates, TestRenderEmailTemplate, SendEmail, "
                    "SendBulkEmail, GetAccount, identities) on 127.0.0.1 until Ctrl-C. State and the outbox "
                    "of delivered messages live in the project's .ses-workbench/local-ses/ folder. Only "
                    "requests signed with the credentials printed at start are served.",
    )
    add_dir_option(p)
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"TCP port (default: {DEFAULT_PORT}; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1; anything else is reachable from other "
                        "machines)")
    p.add_argument("--verify", action="append", default=[], metavar="IDENTITY",
                   help="also treat this address or domain as verified (repeatable)")
    p.add_argument("--sending-paused", action="store_true",
                   help="simulate a paused account (sends fail with SendingPausedException)")
    p.set_defaults(func=cmd_local_ses)
    actions = p.add_subparsers(dest="local_action", metavar="ACTION")
    v = actions.add_parser(
        "verify", help="verify identities created through the API (they start PENDING, as at SES)",
        description="Mark email addresses or domains created with CreateEmailIdentity as verified at the "
                    "local endpoint, as the mailbox owner's click (or the domain's DNS records) does at "
                    "SES. Works whether or not an endpoint is running for the project.")
    v.add_argument("identities", nargs="+", metavar="IDENTITY", help="an email address or a domain")
    v.add_argument("--dir", default=argparse.SUPPRESS,
                   help="project folder (default: $SES_WORKBENCH_DIR or the current directory)")
    v.set_defaults(func=cmd_verify)


def _settings(root: Any, args: argparse.Namespace) -> Any:
    from ses_workbench.project.config import load_config
    from ses_workbench.ses.local import LocalSesSettings

    config = load_config(root)
    settings = LocalSesSettings.from_config(config.local_ses)
    if getattr(args, "verify", None):
        settings = LocalSesSettings.from_config(
            settings, verified_identities=(*settings.verified_identities, *args.verify))
    if getattr(args, "sending_paused", False):
        settings = LocalSesSettings.from_config(settings, sending_enabled=False)
    return settings


def cmd_local_ses(args: argparse.Namespace) -> int:
    from ses_workbench.project.state import StateDir
    from ses_workbench.ses.local import LocalSes

    root = require_dir(project_dir(args.dir))
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: not a TCP port")
    settings = _settings(root, args)
    ses = LocalSes(StateDir.of(root).path, settings, port=args.port, host=args.host)
    try:
        url = ses.start()
    except OSError as exc:
        raise WorkbenchError(f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc}); "
                             "pick another port with --port (0 = any free port)") from None
    print(f"Local SES endpoint: {url}", flush=True)
    if args.host.strip("[]").lower() not in _LOOPBACK:
        print(f"warning: listening on {args.host}: other machines can reach this endpoint. It still "
              "requires the credentials below, but it speaks plain HTTP, so anyone on the network path "
              "can read templates and messages.", file=sys.stderr, flush=True)
    print(f"  account: {_describe(settings)}")
    print(f"  state:   {ses.store_dir}")
    print(f"  outbox:  {ses.outbox_dir}")
    print("Only requests signed with this run's credentials are served. For the AWS CLI or an SDK, in "
          "another shell:")
    for name, value in ses.environment_variables().items():
        print(f"  export {name}={shlex.quote(value)}")
    print("  aws sesv2 list-email-templates   # or the 2017 API: aws ses list-templates")
    print("Press Ctrl-C to stop.", flush=True)
    try:
        ses.serve_forever()
    except KeyboardInterrupt:
        print("\nLocal SES endpoint stopped.", file=sys.stderr)
    finally:
        ses.stop()
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify identities at the endpoint serving the project, or (none running) in its store."""
    from ses_workbench.project.state import StateDir
    from ses_workbench.ses.local import LocalSes, LocalSesBusyError
    from ses_workbench.ses.local.signed import verify_identities

    root = require_dir(project_dir(args.dir))
    state = StateDir.of(root).path
    ses = LocalSes(state, _settings(root, args), port=0)
    try:
        ses.start()  # a private endpoint on a free port, unless one already serves the project
    except LocalSesBusyError as exc:
        if not exc.url:
            raise
        url = exc.url
    else:
        url = ses.endpoint_url
    try:
        failed = 0
        for identity, status, message in verify_identities(url, state, args.identities):
            if status == "SUCCESS":
                print(f"verified {identity}")
            else:
                failed += 1
                print(f"ses-workbench: {identity}: {message}", file=sys.stderr)
        return 1 if failed else 0
    finally:
        ses.stop()


def _describe(settings: Any) -> str:
    mode = "sandbox" if settings.sandbox else "production"
    if not settings.sending_enabled:
        mode += " (sending paused)"
    rate = f"max send rate {settings.max_send_rate:g}/s" if settings.send_rate_limited else "no rate limit"
    quota = f"{settings.max_24h_send:g} recipients/24 h" if settings.quota_limited else "no daily quota"
    ops = (f"{settings.template_ops_per_second:g} template operations/s" if settings.template_ops_limited
           else "no template operation limit")
    verified = ", ".join(settings.verified_identities) or \
        "none yet (aws sesv2 create-email-identity, then ses-workbench local-ses verify)"
    policy = "" if getattr(settings, "iam_allow", None) is None else \
        f"; IAM policy allows only: {', '.join(settings.iam_allow) or 'nothing'}"
    return f"{mode}, {rate}, {quota}, {ops}; verified: {verified}{policy}"
