"""The HTTP face of the local endpoint: SES v2 REST-JSON routes over a threaded stdlib HTTP server.

Why the standard library: the endpoint serves one developer's tools on 127.0.0.1 (a few hundred requests
per second at most), must start in-process in milliseconds on a free port, and must not add a dependency
to the core.  ``ThreadingHTTPServer`` with HTTP/1.1 keep-alive is enough for botocore's connection pool.

The wire format is what botocore's ``sesv2`` model expects: JSON bodies, URI and query-string members,
and errors as an HTTP status, an ``x-amzn-ErrorType`` header and ``{"message": ...}`` so boto3 raises
``client.exceptions.BadRequestException`` and friends.  Requests are accepted whatever their SigV4
signature: any credentials work — except the access key ids of :mod:`~ses_workbench.ses.local.settings`
that stand for an expired session token, an identity without permission (``ExpiredTokenException`` /
``AccessDeniedException``, HTTP 403, as AWS answers them) and an SES outage (``InternalFailure``, 500).
"""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ses_workbench.ses.local.service import ApiError, LocalSesService
from ses_workbench.ses.local.settings import (
    ACCESS_DENIED_KEY_ID,
    EXPIRED_TOKEN_KEY_ID,
    INTERNAL_ERROR_KEY_ID,
    LocalSesSettings,
)
from ses_workbench.ses.local.store import Store, StoreLock, read_events, store_dir

__all__ = ["LocalSes", "ROUTES"]

log = logging.getLogger(__name__)

_SEG = r"(?P<{}>[^/]+)"
# (method, path regex, operation name, service method)
ROUTES: list[tuple[str, re.Pattern[str], str, str]] = [
    (method, re.compile("^" + path.format(*[_SEG.format(n) for n in names]) + "$"), op, func)
    for method, path, names, op, func in [
        ("POST", "/v2/email/templates", [], "CreateEmailTemplate", "op_create_email_template"),
        ("GET", "/v2/email/templates", [], "ListEmailTemplates", "op_list_email_templates"),
        ("GET", "/v2/email/templates/{}", ["TemplateName"], "GetEmailTemplate", "op_get_email_template"),
        ("PUT", "/v2/email/templates/{}", ["TemplateName"], "UpdateEmailTemplate",
         "op_update_email_template"),
        ("DELETE", "/v2/email/templates/{}", ["TemplateName"], "DeleteEmailTemplate",
         "op_delete_email_template"),
        ("POST", "/v2/email/templates/{}/render", ["TemplateName"], "TestRenderEmailTemplate",
         "op_test_render_email_template"),
        ("POST", "/v2/email/outbound-emails", [], "SendEmail", "op_send_email"),
        ("POST", "/v2/email/outbound-bulk-emails", [], "SendBulkEmail", "op_send_bulk_email"),
        ("GET", "/v2/email/account", [], "GetAccount", "op_get_account"),
        ("GET", "/v2/email/identities", [], "ListEmailIdentities", "op_list_email_identities"),
        # botocore >= 1.44 models ListEmailIdentities as a POST with PageSize/NextToken/Filter in the body;
        # both shapes are served so every boto3 and AWS CLI version in the field works.
        ("POST", "/v2/email/list-identities", [], "ListEmailIdentities", "op_list_email_identities"),
        ("POST", "/v2/email/identities", [], "CreateEmailIdentity", "op_create_email_identity"),
        ("GET", "/v2/email/identities/{}", ["EmailIdentity"], "GetEmailIdentity", "op_get_email_identity"),
        ("DELETE", "/v2/email/identities/{}", ["EmailIdentity"], "DeleteEmailIdentity",
         "op_delete_email_identity"),
    ]
]

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")
_MAX_BODY = 64 * 1024 * 1024  # a 10 MB raw message is ~14 MB of base64 in JSON; refuse absurd bodies


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], service: LocalSesService) -> None:
        self.service = service
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def close_connections(self) -> None:
        """Drop keep-alive connections so no request reaches a stopped endpoint."""
        with self.connections_lock:
            conns = list(self.connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ses-workbench-local-ses"
    timeout = 60  # idle keep-alive connections are closed after this many seconds
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body are two writes: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms to each reply.
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def _dispatch(self, method: str) -> None:
        request_id = str(uuid.uuid4())
        try:
            body = self._read_body()
            split = urlsplit(self.path)
            path = split.path
            for route_method, pattern, op, func in ROUTES:
                match = pattern.match(path)
                if match is None or route_method != method:
                    continue
                self._check_credentials(op)
                params = self._params(body, split.query, match.groupdict())
                handler: Callable[[dict[str, Any]], dict[str, Any]] = getattr(self.server.service, func)
                result = handler(params)
                log.debug("%s -> 200", op)
                self._send(200, result, request_id)
                return
            known = any(p.match(path) for _, p, _, _ in ROUTES)
            raise ApiError(
                "UnknownOperationException",
                f"The local SES endpoint does not implement {method} {path}"
                + (" (wrong HTTP method for this path)." if known else
                   "; it serves the SES v2 template, sending, account and identity operations."),
                405 if known else 404,
            )
        except ApiError as exc:
            self._send(exc.status, {"message": exc.message}, request_id, error_type=exc.code)
        except Exception as exc:  # a bug: answer like SES's 500 and say so in the log
            log.exception("local SES endpoint failed on %s %s", method, self.path)
            self._send(500, {"message": f"Internal error in the local SES endpoint: {exc}"}, request_id,
                       error_type="InternalFailure")

    def _check_credentials(self, op: str) -> None:
        """Any signature is accepted; the reserved access key ids fail the way AWS fails them."""
        match = _CREDENTIAL.search(self.headers.get("Authorization") or "")
        key_id = match.group(1) if match else ""
        if key_id == EXPIRED_TOKEN_KEY_ID:
            raise ApiError("ExpiredTokenException", "The security token included in the request is expired",
                           403)
        if key_id == INTERNAL_ERROR_KEY_ID:
            raise ApiError("InternalFailure", "The request processing has failed because of an unknown "
                           "error, exception or failure.", 500)
        if key_id == ACCESS_DENIED_KEY_ID:
            account = self.server.service.settings.account_id
            raise ApiError("AccessDeniedException",
                           f"User: arn:aws:iam::{account}:user/local-ses-denied is not authorized to "
                           f"perform: ses:{op} because no identity-based policy allows the ses:{op} action",
                           403)

    def _read_body(self) -> Any:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            raise ApiError("BadRequestException", "Invalid Content-Length header.") from None
        if length > _MAX_BODY:
            self.close_connection = True
            raise ApiError("BadRequestException", f"Request body of {length} bytes is too large.")
        raw = self.rfile.read(length) if length else b""
        if not raw.strip():
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            raise ApiError("SerializationException", "The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise ApiError("SerializationException", "The request body must be a JSON object.")
        return body

    @staticmethod
    def _params(body: dict[str, Any], query: str, uri: dict[str, str]) -> dict[str, Any]:
        params = dict(body)
        for key, values in parse_qs(query, keep_blank_values=True).items():
            params[key] = values[-1]
        for key, value in uri.items():
            params[key] = unquote(value)
        return params

    def _send(self, status: int, payload: dict[str, Any], request_id: str,
              error_type: str | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", request_id)
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.end_headers()
        self.wfile.write(data)

    def version_string(self) -> str:
        return self.server_version


class LocalSes:
    """The embedded SES v2 endpoint: ``with LocalSes(state_dir, settings) as ses: boto3.client(...,
    endpoint_url=ses.endpoint_url)``.

    ``state_dir`` is the project's state folder (``Project.state_dir``); everything lives in
    ``state_dir/local-ses/`` and survives restarts.  ``settings`` is a :class:`LocalSesSettings`, the
    project's ``Config.local_ses``, any object with the same attributes, or None for SES's sandbox
    defaults (``config=`` is accepted as another name for it).  ``port=0`` picks a free port.
    ``clock`` (seconds, monotonic) drives the rate limits; tests pass a manual clock to make them exact.
    """

    def __init__(self, state_dir: str | Path, settings: Any = None, port: int = 0,
                 host: str = "127.0.0.1", *, config: Any = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.state_dir = Path(state_dir)
        self.settings = LocalSesSettings.from_config(settings if settings is not None else config)
        self.host = host
        self.port = port
        self._clock = clock
        self.store = Store(store_dir(self.state_dir))
        self.service = LocalSesService(self.store, self.settings, clock)
        self._lock = StoreLock(self.store.root)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> str:
        """Start serving in a background thread; returns the endpoint URL (idempotent).

        Raises :class:`LocalSesBusyError` if another endpoint (this process or another) already serves the
        same state folder, and OSError if the port is taken.
        """
        if self._server is None:
            self._lock.acquire()
            try:
                # Re-read the state: it may have changed on disk since this object was made.
                self.store = Store(self.store.root)
                self.service = LocalSesService(self.store, self.settings, self._clock)
                self.service.prepare()
                self._server = _Server((self.host, self.port), self.service)
            except BaseException:
                self._lock.release()
                raise
            self.port = self._server.server_address[1]
            self._lock.publish(self.endpoint_url)
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                            name=f"local-ses:{self.port}", daemon=True)
            self._thread.start()
            log.debug("local SES endpoint listening on %s", self.endpoint_url)
        return self.endpoint_url

    def stop(self) -> None:
        """Stop serving and close every connection (idempotent)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        self.service.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._lock.release()

    def serve_forever(self) -> None:
        """Run in the foreground until interrupted (the ``local-ses`` command)."""
        self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            self.stop()

    def __enter__(self) -> LocalSes:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def endpoint_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    # -- what it recorded ----------------------------------------------------------------------
    @property
    def store_dir(self) -> Path:
        """``state_dir/local-ses``."""
        return self.store.root

    @property
    def outbox_dir(self) -> Path:
        """Where delivered messages are written, one ``<timestamp>-<MessageId>.eml`` per message."""
        return self.store.outbox

    @property
    def events_path(self) -> Path:
        return self.store.events_path

    def outbox_messages(self) -> list[Path]:
        """Delivered messages, oldest first."""
        if not self.store.outbox.is_dir():
            return []
        return sorted(self.store.outbox.glob("*.eml"))

    def outbox_message(self, message_id: str) -> Path | None:
        """The ``.eml`` of one delivered message, or None (not delivered, or dropped)."""
        if not self.store.outbox.is_dir():
            return None
        return next(iter(sorted(self.store.outbox.glob(f"*-{message_id}.eml"))), None)

    def events(self, event_type: str | None = None, message_id: str | None = None) -> list[dict[str, Any]]:
        """Recorded events (see :func:`ses_workbench.ses.local.read_events`)."""
        return read_events(self.state_dir, event_type, message_id)
