"""The HTTP face of the local endpoint: SES v2 REST-JSON routes (and the 2017 API's Query protocol at
``POST /``) over a threaded stdlib HTTP server.

Why the standard library: the endpoint serves one developer's tools on 127.0.0.1 (a few hundred requests
per second at most), must start in-process in milliseconds on a free port, and must not add a dependency
to the core.  ``ThreadingHTTPServer`` with HTTP/1.1 keep-alive is enough for botocore's connection pool.

The wire format is what botocore's ``sesv2`` model expects: JSON bodies, URI and query-string members,
and errors as an HTTP status, an ``x-amzn-ErrorType`` header and ``{"message": ...}`` so boto3 raises
``client.exceptions.BadRequestException`` and friends.

Who may call it (the auth model).  Every start makes fresh credentials (:attr:`LocalSes.credentials`);
a request is served only when it is SigV4-signed with them (:mod:`~ses_workbench.ses.local.auth`), so
neither another local user nor a web page in the developer's browser can read or change anything.  The
workbench's own clients get them through :func:`endpoint_credentials` — from the :class:`LocalSes` object
when the endpoint runs in the same process, else from ``<state>/local-ses/endpoint.lock`` (mode 0600,
removed at stop), which ``ses-workbench local-ses`` also prints as ``export`` lines for the AWS CLI.
Before the signature is looked at, each request must name this endpoint in ``Host``
(``127.0.0.1:PORT``/``localhost:PORT``, which defeats DNS rebinding), carry no ``Origin`` (browsers add
it; SDKs do not), have no ``Transfer-Encoding`` and a plain ``Content-Length``, and send its body as
JSON (``application/json`` or ``application/x-amz-json-1.0``/``1.1``) — or, only as ``POST /``, the 2017
API's ``application/x-www-form-urlencoded`` form (:mod:`~ses_workbench.ses.local.query`; answered in XML,
after the same checks and signature).  Each operation of either API is then checked against the simulated
IAM policy (``iam_allow``, :mod:`~ses_workbench.ses.local.iam`).  A v2 body's members are
type-checked against botocore's ``sesv2`` model, so a malformed shape gets ``BadRequestException``
(400), never a 500.

The access key ids of :mod:`~ses_workbench.ses.local.settings` that stand for an expired session token,
an identity without permission and an SES outage are answered with ``ExpiredTokenException`` /
``AccessDeniedException`` (403) and ``InternalFailure`` (500), as AWS answers them, whatever the secret.
"""

from __future__ import annotations

import json
import logging
import re
import selectors
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ses_workbench.ses.local.auth import EndpointCredentials, check_key_id, key_id_of, verify_signature
from ses_workbench.ses.local.iam import access_denied
from ses_workbench.ses.local.query import (
    QueryApi,
    error_xml,
    is_query_request,
    parse_form,
    response_xml,
    v1_error,
)
from ses_workbench.ses.local.service import ApiError, LocalSesService
from ses_workbench.ses.local.settings import (
    ACCESS_DENIED_KEY_ID,
    EXPIRED_TOKEN_KEY_ID,
    INTERNAL_ERROR_KEY_ID,
    LocalSesSettings,
)
from ses_workbench.ses.local.shapes import shape_errors
from ses_workbench.ses.local.store import Store, StoreLock, read_events, running_endpoint_info, store_dir
from ses_workbench.ses.local.verification import VERIFY_LINK_PATH

__all__ = ["LocalSes", "ROUTES", "endpoint_credentials", "VERIFY_PATH"]

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
        # custom verification email templates and their send (the link flow: .verification)
        ("POST", "/v2/email/custom-verification-email-templates", [], "CreateCustomVerificationEmailTemplate",
         "op_create_custom_verification_email_template"),
        ("GET", "/v2/email/custom-verification-email-templates", [], "ListCustomVerificationEmailTemplates",
         "op_list_custom_verification_email_templates"),
        ("GET", "/v2/email/custom-verification-email-templates/{}", ["TemplateName"],
         "GetCustomVerificationEmailTemplate", "op_get_custom_verification_email_template"),
        ("PUT", "/v2/email/custom-verification-email-templates/{}", ["TemplateName"],
         "UpdateCustomVerificationEmailTemplate", "op_update_custom_verification_email_template"),
        ("DELETE", "/v2/email/custom-verification-email-templates/{}", ["TemplateName"],
         "DeleteCustomVerificationEmailTemplate", "op_delete_custom_verification_email_template"),
        ("POST", "/v2/email/outbound-custom-verification-emails", [], "SendCustomVerificationEmail",
         "op_send_custom_verification_email"),
        # Not SES: the mailbox owner's click that verifies a PENDING identity (`local-ses verify`).
        ("POST", "/_local-ses/identities/{}/verify", ["EmailIdentity"], "VerifyEmailIdentity",
         "op_verify_email_identity"),
    ]
]

VERIFY_PATH = "/_local-ses/identities/{}/verify"
_MAX_BODY = 64 * 1024 * 1024  # a 10 MB raw message is ~14 MB of base64 in JSON; refuse absurd bodies
_JSON_TYPES = {"application/json", "application/x-amz-json-1.0", "application/x-amz-json-1.1"}
_WILDCARD_HOSTS = {"0.0.0.0", "::", ""}
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_QUIET_ERRORS = (ConnectionError, TimeoutError)  # the client went away: nothing to report

# Credentials of the endpoints running in this process, by "host:port" (see endpoint_credentials).
_RUNNING: dict[str, EndpointCredentials] = {}
_RUNNING_LOCK = threading.Lock()


def _url_key(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    return f"{'127.0.0.1' if host == 'localhost' else host}:{port}"


def endpoint_credentials(url: str, state_dir: str | Path | None = None) -> EndpointCredentials | None:
    """The credentials a running local endpoint at ``url`` accepts, or None if none runs there.

    The one way every client of the workbench gets them: from the :class:`LocalSes` object when the
    endpoint runs in this process, else from the lock file of the endpoint serving ``state_dir`` (the
    project's state folder) — only when that endpoint listens at ``url``, so the secret is never sent
    anywhere else.
    """
    key = _url_key(url)
    if key is None:
        return None
    with _RUNNING_LOCK:
        found = _RUNNING.get(key)
    if found is not None or state_dir is None:
        return found
    info = running_endpoint_info(state_dir)
    if not info or _url_key(str(info.get("url"))) != key:
        return None
    key_id, secret = info.get("aws_access_key_id"), info.get("aws_secret_access_key")
    if not isinstance(key_id, str) or not isinstance(secret, str):
        return None
    return EndpointCredentials(key_id, secret)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # listen backlog: a burst of clients connecting at once is queued, not reset

    def __init__(self, address: tuple[str, int], service: LocalSesService,
                 credentials: EndpointCredentials, lock_path: Path) -> None:
        self.service = service
        self.query = QueryApi(service)
        self.credentials = credentials
        self.lock_path = lock_path
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        # shutdown() writes to this pair so the serving loop wakes at once instead of at its next poll.
        self._wake_read, self._wake_write = socket.socketpair()
        self._stop_requested = False
        self._stopped = threading.Event()
        super().__init__(address, _Handler)
        bound_host, self.bound_port = self.server_address[0], self.server_address[1]
        host = str(bound_host).lower()
        self.any_host = host in _WILDCARD_HOSTS
        names = {host} | (_LOOPBACK_HOSTS if host in _LOOPBACK_HOSTS or host.startswith("127.") else set())
        self.hosts = {f"[{n}]:{self.bound_port}" if ":" in n else f"{n}:{self.bound_port}" for n in names}
        if self.bound_port == 80:
            self.hosts |= {f"[{n}]" if ":" in n else n for n in names}

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve until :meth:`shutdown` (the stdlib loop, also woken by :meth:`shutdown`)."""
        self._stopped.clear()
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self, selectors.EVENT_READ)
                selector.register(self._wake_read, selectors.EVENT_READ)
                while not self._stop_requested:
                    ready = selector.select(poll_interval)
                    if self._stop_requested:
                        break
                    if any(key.fileobj is self for key, _ in ready):
                        self.handle_request()  # a connection is waiting: accepted without blocking
                    self.service_actions()
        finally:
            self._stop_requested = False
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` and wait for it to return (call it from another thread)."""
        self._stop_requested = True
        self._wake_write.send(b"\0")
        self._stopped.wait()

    def server_close(self) -> None:
        super().server_close()
        self._wake_read.close()
        self._wake_write.close()

    def host_allowed(self, host: str) -> bool:
        host = host.strip().lower()
        if self.any_host:  # --host 0.0.0.0: any name of this machine, on our port
            return host.rsplit(":", 1)[-1] == str(self.bound_port) if ":" in host else self.bound_port == 80
        return host in self.hosts

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, _QUIET_ERRORS):
            log.debug("client %s went away: %s", client_address, exc)
            return
        log.error("local SES endpoint: error while serving %s", client_address, exc_info=True)

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
    _query = False  # whether the request being answered is a 2017 (Query) API one: errors in XML

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
        except _QUIET_ERRORS:
            pass
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

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # The stdlib's own refusals: a method it has no handler for (501) is one this endpoint does not
        # allow, an HTTP version it cannot speak (505) a bad request — a client's mistake either way, so 4xx.
        if code == 501:
            code = 405
        elif code >= 500:
            code = 400
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = "HTTP/1.0"  # no HTTP/0.9: every answer has a status line
        self.close_connection = True
        super().send_error(code, message, explain)

    def _dispatch(self, method: str) -> None:
        request_id = str(uuid.uuid4())
        body_done = False  # False at a refusal: the body is still on the socket, so close after answering
        split = urlsplit(self.path)
        # A form-encoded POST / is the 2017 (Query) API: same checks, XML answers (see query.py).
        self._query = is_query_request(method, split.path, self.headers.get("Content-Type"))
        try:
            length = self._check_request()
            body_done = not length
            path = split.path
            if self._query:
                self._dispatch_query(length, request_id)
                return
            if method == "GET" and path.startswith(VERIFY_LINK_PATH):
                self._verification_link(path[len(VERIFY_LINK_PATH):], length)
                return
            route = next(((op, func, m) for route_method, pattern, op, func in ROUTES
                          if route_method == method and (m := pattern.match(path)) is not None), None)
            op = route[0] if route else "UnknownOperation"
            self._check_key_id(op)
            raw = self.rfile.read(length) if length else b""
            body_done = True
            if len(raw) < length:  # the client went away mid-body: no one to answer
                self.close_connection = True
                return
            verify_signature(method, self.headers.get("Host", ""), self.path, self.headers, raw,
                             self.server.credentials, time.time())
            if route is None:
                known = any(p.match(path) for _, p, _, _ in ROUTES)
                raise ApiError(
                    "UnknownOperationException",
                    f"The local SES endpoint does not implement {method} {path}"
                    + (" (wrong HTTP method for this path)." if known else
                       "; it serves the SES v2 template, sending, account and identity operations."),
                    405 if known else 404,
                )
            op, func, match = route
            if not path.startswith("/_local-ses/"):  # the endpoint's own routes are no SES action
                self._check_iam(op)
            body = self._parse_body(raw)
            problems = shape_errors(op, body)
            if problems:
                raise ApiError("BadRequestException", "; ".join(problems) + ".")
            params = self._params(body, split.query, match.groupdict())
            handler: Callable[[dict[str, Any]], dict[str, Any]] = getattr(self.server.service, func)
            result = handler(params)
            log.debug("%s -> 200", op)
            self._send(200, result, request_id)
        except ApiError as exc:
            if not body_done:
                self.close_connection = True
            self._send_error(exc, request_id)
        except RecursionError:
            self._send_error(ApiError("BadRequestException", "The request is nested too deeply."), request_id)
        except _QUIET_ERRORS:
            self.close_connection = True
        except OSError as exc:  # the store could not be written (disk full...): one line, no traceback
            log.error("local SES endpoint: %s %s failed: %s", method, urlsplit(self.path).path, exc)
            self._send_error(ApiError("InternalFailure", f"The local SES endpoint could not save its state: "
                                      f"{exc}", 500), request_id)
        except Exception as exc:  # a bug: answer like SES's 500 and say so in the log
            log.exception("local SES endpoint failed on %s %s", method, self.path)
            self.close_connection = True
            self._send_error(ApiError("InternalFailure", f"Internal error in the local SES endpoint: {exc}",
                                      500), request_id)

    def _dispatch_query(self, length: int, request_id: str) -> None:
        """One 2017-API request: signed like every other, its Action checked against ``iam_allow``."""
        raw = b""
        if key_id_of(self.headers.get("Authorization")) == ACCESS_DENIED_KEY_ID:
            raw = self.rfile.read(length) if length else b""  # the denial names the action asked for
            length = 0
            self._check_key_id(parse_form(raw).get("Action") or "UnknownOperation")
        self._check_key_id("UnknownOperation")
        if length:
            raw = self.rfile.read(length)
            if len(raw) < length:
                self.close_connection = True
                return
        verify_signature("POST", self.headers.get("Host", ""), self.path, self.headers, raw,
                         self.server.credentials, time.time())
        fields = parse_form(raw)
        action = self.server.query.action(fields)
        self._check_iam(action)
        result = self.server.query.call(action, fields)
        log.debug("%s (2017 API) -> 200", action)
        self._send_bytes(200, response_xml(action, result, request_id), "text/xml", request_id)

    def _check_iam(self, op: str) -> None:
        denied = access_denied(self.server.service.settings.iam_allow, op,
                               self.server.service.settings.account_id)
        if denied is not None:
            raise ApiError("AccessDeniedException", denied, 403)

    def _send_error(self, exc: ApiError, request_id: str) -> None:
        if self._query:
            error = v1_error(exc)
            self._send_bytes(error.status, error_xml(error, request_id), "text/xml", request_id)
        else:
            self._send(exc.status, {"message": exc.message}, request_id, error_type=exc.code)

    def _verification_link(self, token: str, length: int) -> None:
        """The link in a custom verification email, opened by its recipient: no signature (a browser
        follows it), the one-time token is the secret; 302 to the template's success or failure URL."""
        if length:
            self.rfile.read(length)
        target = self.server.service.open_verification_link(token)
        body = f"Redirecting to {target}\n".encode() if target else b"Unknown or used verification link.\n"
        self.send_response(302 if target else 404)
        if target:
            self.send_header("Location", target)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _check_request(self) -> int:
        """Host, Origin and framing checks, done before anything is read; returns the body length."""
        host = self.headers.get("Host")
        if not host or not self.server.host_allowed(host):
            raise ApiError("BadRequestException",
                           f"The Host header {host!r} does not name this endpoint "
                           f"({' or '.join(sorted(self.server.hosts)) or 'its port'}).")
        if self.headers.get("Origin") is not None:
            raise ApiError("AccessDeniedException",
                           "Requests from web pages (with an Origin header) are refused by the local SES "
                           "endpoint.", 403)
        if self.headers.get("Transfer-Encoding") is not None:
            self.close_connection = True
            raise ApiError("BadRequestException",
                           "Transfer-Encoding is not supported; send the body with a Content-Length.")
        values = self.headers.get_all("Content-Length") or []
        text = values[0].strip() if values else "0"
        if len(values) > 1 or not (text.isascii() and text.isdigit()):
            self.close_connection = True
            raise ApiError("BadRequestException", "Invalid Content-Length header.")
        length = int(text)
        if length > _MAX_BODY:
            self.close_connection = True
            raise ApiError("BadRequestException", f"Request body of {length} bytes is too large.")
        if length and not self._query:
            media = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
            if media not in _JSON_TYPES:
                self.close_connection = True
                raise ApiError("UnsupportedMediaTypeException",
                               f"Content-Type {media or '(none)'!r} is not accepted; SES takes JSON "
                               "(application/json).", 415)
        return length

    def _check_key_id(self, op: str) -> None:
        """The reserved access key ids fail the way AWS fails them; any other must be this run's."""
        authorization = self.headers.get("Authorization")
        key_id = key_id_of(authorization)
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
        check_key_id(authorization, self.server.credentials)

    @staticmethod
    def _parse_body(raw: bytes) -> dict[str, Any]:
        if not raw.strip():
            return {}
        try:
            body = json.loads(raw, parse_constant=_refuse_constant)
        except RecursionError:
            raise ApiError("BadRequestException", "The request body is nested too deeply.") from None
        except ValueError:
            raise ApiError("SerializationException", "The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise ApiError("SerializationException", "The request body must be a JSON object.")
        if _SURROGATE_ESCAPE.search(raw):  # a \uD800-\uDFFF escape: valid only as a pair
            try:
                json.dumps(body, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                raise ApiError("SerializationException", "The request body holds an unpaired UTF-16 "
                               "surrogate escape (\\uD800-\\uDFFF), which is no character.") from None
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
        self._send_bytes(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json",
                         request_id, error_type)

    def _send_bytes(self, status: int, data: bytes, content_type: str, request_id: str,
                    error_type: str | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-amzn-RequestId", request_id)
            if error_type:
                self.send_header("x-amzn-ErrorType", error_type)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
        except _QUIET_ERRORS:  # the client left before its answer
            self.close_connection = True

    def version_string(self) -> str:
        return self.server_version


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class LocalSes:
    """The embedded SES v2 endpoint: ``with LocalSes(state_dir, settings) as ses:
    boto3.client("sesv2", **ses.boto3_kwargs())``.

    ``state_dir`` is the project's state folder (``Project.state_dir``); everything lives in
    ``state_dir/local-ses/`` and survives restarts.  ``settings`` is a :class:`LocalSesSettings`, the
    project's ``Config.local_ses``, any object with the same attributes, or None for SES's sandbox
    defaults (``config=`` is accepted as another name for it).  ``port=0`` picks a free port.
    ``clock`` (seconds, monotonic) drives the rate limits; tests pass a manual clock to make them exact.
    Each :meth:`start` makes new :attr:`credentials`, the only ones the endpoint accepts until it stops.
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
        self.credentials = EndpointCredentials.generate()
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
                self.store.open()  # creates the database, or migrates an older version's JSON files
                self.store.remove_temp_files()  # left by an endpoint killed mid-write
                self.service = LocalSesService(self.store, self.settings, self._clock)
                self.service.prepare()
                self.credentials = EndpointCredentials.generate()
                self._server = _Server((self.host, self.port), self.service, self.credentials,
                                       self._lock.path)
                self.port = self._server.server_address[1]
                self.service.public_url = self.endpoint_url  # verification links point here
                self._lock.publish(self.endpoint_url, self.credentials)
            except BaseException:
                if self._server is not None:
                    self._server.server_close()
                    self._server = None
                self._lock.release()
                raise
            with _RUNNING_LOCK:
                for key in self._url_keys():
                    _RUNNING[key] = self.credentials
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
        with _RUNNING_LOCK:
            for key in self._url_keys():
                if _RUNNING.get(key) is self.credentials:
                    del _RUNNING[key]
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

    def _url_keys(self) -> list[str]:
        keys = [k for k in (_url_key(self.endpoint_url),) if k]
        if self.host.lower() in _WILDCARD_HOSTS:
            keys.append(f"127.0.0.1:{self.port}")
        return keys

    def boto3_kwargs(self) -> dict[str, str]:
        """What ``boto3.client("sesv2", **ses.boto3_kwargs())`` needs to talk to this running endpoint."""
        return {"endpoint_url": self.endpoint_url, "region_name": self.settings.region,
                "aws_access_key_id": self.credentials.access_key_id,
                "aws_secret_access_key": self.credentials.secret_access_key}

    def environment_variables(self) -> dict[str, str]:
        """The environment that points the AWS CLI (or any SDK) at this running endpoint."""
        return {"AWS_ACCESS_KEY_ID": self.credentials.access_key_id,
                "AWS_SECRET_ACCESS_KEY": self.credentials.secret_access_key,
                "AWS_ENDPOINT_URL_SESV2": self.endpoint_url,
                "AWS_ENDPOINT_URL_SES": self.endpoint_url,
                "AWS_DEFAULT_REGION": self.settings.region}

    def verify_identity(self, identity: str) -> dict[str, Any]:
        """Verify a PENDING identity (as its owner's click would); NotFound ApiError if never created."""
        return self.service.verify_identity(identity)

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
        return self.store.outbox_file(message_id)

    def events(self, event_type: str | None = None, message_id: str | None = None) -> list[dict[str, Any]]:
        """Recorded events (see :func:`ses_workbench.ses.local.read_events`)."""
        return read_events(self.state_dir, event_type, message_id)
