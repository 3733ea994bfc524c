"""The endpoint's HTTP edge, attacked with raw sockets: broken framing, hostile headers, malformed shapes,
clients that leave early, bursts of connections.  Every case must get a clean 4xx (or 2xx) — never a 5xx,
a hang or a traceback on the console (the server's logging and the process's stderr are checked)."""

from __future__ import annotations

import base64
import json
import logging
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ses_workbench.ses.local import LocalSes, LocalSesService, LocalSesSettings
from ses_workbench.ses.local.auth import EndpointCredentials
from ses_workbench.ses.local.server import ROUTES, _Server
from ses_workbench.ses.local.store import Store

from .conftest import SENDER, VERIFIED_TO, make_client, parse_reply, raw_exchange, raw_request, signed_headers


@pytest.fixture(autouse=True)
def clean_console(caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> Iterator[None]:
    """After each test: nothing at WARNING or above was logged and nothing reached stderr."""
    caplog.set_level(logging.DEBUG, logger="ses_workbench.ses.local")
    yield
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not loud, [r.getMessage() for r in loud]
    err = capfd.readouterr().err
    assert "Traceback" not in err and err == "", err


def signed(ses: LocalSes, method: str, path: str, body: Any = None) -> tuple[int, dict[str, str], Any]:
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
    headers = signed_headers(ses, method, path, data)
    if data:
        headers["Content-Length"] = str(len(data))
    return raw_request(ses, method, path, headers, data)


def host(ses: LocalSes) -> str:
    return f"127.0.0.1:{ses.port}"


# -- framing --------------------------------------------------------------------------------------
@pytest.mark.parametrize("length", ["-1", "abc", "+5", "5 5", "0x10", "١٢"])
def test_bad_content_lengths_are_refused_and_the_connection_closed(ses: LocalSes, length: str) -> None:
    """``Content-Length: -1`` once made the server read until the client closed (unbounded memory)."""
    with socket.create_connection(("127.0.0.1", ses.port), timeout=15) as conn:
        conn.sendall(f"POST /v2/email/templates HTTP/1.1\r\nHost: {host(ses)}\r\nContent-Type: "
                     f"application/json\r\nContent-Length: {length}\r\n\r\n".encode() + b"{" * 100_000)
        reply = b""
        while chunk := conn.recv(65536):  # no half-close from us: the server must end the connection
            reply += chunk
    status, headers, body = parse_reply(reply)
    assert status == 400 and headers["x-amzn-errortype"] == "BadRequestException", body
    assert headers["connection"] == "close"


def test_two_content_lengths_and_transfer_encoding_are_refused(ses: LocalSes) -> None:
    base = {"Host": host(ses), "Content-Type": "application/json"}
    reply = raw_exchange(ses, ("POST /v2/email/templates HTTP/1.1\r\nHost: %s\r\nContent-Length: 2\r\n"
                               "Content-Length: 5\r\n\r\n{}" % host(ses)).encode())
    assert parse_reply(reply)[0] == 400
    status, headers, body = raw_request(ses, "POST", "/v2/email/templates",
                                        {**base, "Transfer-Encoding": "chunked"}, b"2\r\n{}\r\n0\r\n\r\n")
    assert status == 400 and "Transfer-Encoding" in body["message"]


def test_a_huge_declared_body_is_refused_before_it_is_read(ses: LocalSes) -> None:
    status, _, body = raw_request(ses, "POST", "/v2/email/templates",
                                  {"Host": host(ses), "Content-Type": "application/json",
                                   "Content-Length": str(10**12)}, b"{}", half_close=False)
    assert status == 400 and "too large" in body["message"]


@pytest.mark.parametrize("headers", [{}, {"Host": ""}, {"Host": "attacker.example"},
                                     {"Host": "127.0.0.1:1"}, {"Host": "127.0.0.1.nip.io"}])
def test_requests_not_naming_the_endpoint_are_refused(ses: LocalSes, headers: dict[str, str]) -> None:
    status, reply_headers, _ = raw_request(ses, "GET", "/v2/email/account", headers)
    assert status == 400 and reply_headers["x-amzn-errortype"] == "BadRequestException"


def test_a_get_needs_no_content_type_but_a_body_must_be_json(ses: LocalSes) -> None:
    assert signed(ses, "GET", "/v2/email/account")[0] == 200
    for content_type in ("application/json", "application/x-amz-json-1.1",
                         "application/json; charset=utf-8", "APPLICATION/JSON"):
        data = json.dumps({"EmailIdentity": f"u{abs(hash(content_type))}@example.org"}).encode()
        headers = signed_headers(ses, "POST", "/v2/email/identities", data,
                                 headers={"Content-Type": content_type})
        status, _, body = raw_request(ses, "POST", "/v2/email/identities",
                                      {**headers, "Content-Length": str(len(data))}, data)
        assert status == 200, (content_type, body)


def test_garbage_on_the_wire_gets_a_4xx(ses: LocalSes) -> None:
    for data in (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)),  # a TLS ClientHello
                 b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"BREW /v2/email/account HTTP/1.1\r\n\r\n",
                 b"GET /v2/email/account HTTP/1.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n",
                 b"GET /v2/email/account HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n"):
        reply = raw_exchange(ses, data)
        assert reply.startswith(b"HTTP/") and 400 <= int(reply.split()[1]) < 500, reply[:200]


# -- malformed shapes (signed: they get past the door) -------------------------------------------
DEEP = b'{"a":' * 100_000 + b"1" + b"}" * 100_000


BODY_ROUTES = sorted({(m, p.pattern.strip("^$").replace("(?P<TemplateName>[^/]+)", "t0")
                       .replace("(?P<EmailIdentity>[^/]+)", "a%40b.example"))
                      for m, p, _, _ in ROUTES if m in ("POST", "PUT")})


@pytest.mark.parametrize("method,path", BODY_ROUTES)
def test_deep_json_on_every_body_route_is_a_400(ses: LocalSes, method: str, path: str) -> None:
    status, headers, body = signed(ses, method, path, DEEP)
    assert status == 400 and headers["x-amzn-errortype"] == "BadRequestException", body


def _template(ses: LocalSes) -> None:
    make_client(ses.endpoint_url).create_email_template(
        TemplateName="t0", TemplateContent={"Subject": "Hi {{name}}", "Text": "Hello"})


def _bulk(entry: dict[str, Any]) -> dict[str, Any]:
    return {"FromEmailAddress": SENDER, "DefaultContent": {"Template": {"TemplateName": "t0",
                                                                        "TemplateData": '{"name": "x"}'}},
            "BulkEmailEntries": [{"Destination": {"ToAddresses": [VERIFIED_TO]}, **entry}]}


def _simple(subject: Any = "s", body: Any = None) -> dict[str, Any]:
    return {"FromEmailAddress": SENDER, "Destination": {"ToAddresses": [VERIFIED_TO]},
            "Content": {"Simple": {"Subject": {"Data": subject}, "Body": body or {"Text": {"Data": "t"}}}}}


def _token(after: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode()


MALFORMED = [
    ("POST", "/v2/email/outbound-emails", _simple(subject=5), "Content.Simple.Subject.Data"),
    ("POST", "/v2/email/outbound-emails", _simple(body={"Html": "str"}), "Content.Simple.Body.Html"),
    ("POST", "/v2/email/templates", {"TemplateName": ["t0"], "TemplateContent": {"Subject": "s"}},
     "TemplateName"),
    ("POST", "/v2/email/outbound-emails", {**_simple(), "Content": {"Template": {"TemplateName": ["t0"]}}},
     "Content.Template.TemplateName"),
    ("POST", "/v2/email/outbound-bulk-emails", _bulk({"ReplacementEmailContent": "x"}),
     "BulkEmailEntries[0].ReplacementEmailContent"),
    ("POST", "/v2/email/outbound-bulk-emails",
     _bulk({"ReplacementEmailContent": {"ReplacementTemplate": "x"}}),
     "BulkEmailEntries[0].ReplacementEmailContent.ReplacementTemplate"),
    ("POST", "/v2/email/list-identities", {"NextToken": 5}, "NextToken"),
    ("POST", "/v2/email/list-identities", {"PageSize": "ten"}, "PageSize"),
    ("POST", "/v2/email/identities", {"EmailIdentity": {"x": 1}}, "EmailIdentity"),
    ("POST", "/v2/email/outbound-emails", {**_simple(), "Destination": {"ToAddresses": "a@b.example"}},
     "Destination.ToAddresses"),
    ("POST", "/v2/email/outbound-emails", {**_simple(), "EmailTags": [{"Name": 1, "Value": True}]},
     "EmailTags[0].Name"),
    ("PUT", "/v2/email/templates/t0", {"TemplateContent": {"Subject": ["x"]}}, "TemplateContent.Subject"),
    ("POST", "/v2/email/templates/t0/render", {"TemplateData": {"name": "x"}}, "TemplateData"),
    ("GET", f"/v2/email/templates?NextToken={_token(5)}", None, "NextToken"),
    ("GET", f"/v2/email/templates?NextToken={_token(['a'])}", None, "NextToken"),
    ("GET", f"/v2/email/identities?NextToken={_token(None)}", None, "NextToken"),
    ("GET", "/v2/email/templates?NextToken=%FF%FE", None, "NextToken"),
    ("POST", "/v2/email/outbound-emails", {**_simple(), "Content": {"Template": {
        "TemplateName": "t0", "TemplateData": '{"a":' * 50_000 + "1" + "}" * 50_000}}}, "TemplateData"),
    ("POST", "/v2/email/outbound-emails", {**_simple(), "Content": {"Template": {
        "TemplateName": "t0", "TemplateData": '{"name": NaN}'}}}, "TemplateData"),
    ("POST", "/v2/email/outbound-emails", b'{"FromEmailAddress": NaN}', "JSON"),
]


@pytest.mark.parametrize("method,path,body,where", MALFORMED, ids=[m[3] for m in MALFORMED])
def test_malformed_shapes_are_a_400_naming_the_member(ses: LocalSes, method: str, path: str, body: Any,
                                                      where: str) -> None:
    _template(ses)
    status, headers, reply = signed(ses, method, path, body)
    assert 400 <= status < 500, reply
    assert headers["x-amzn-errortype"] in ("BadRequestException", "SerializationException"), reply
    if where != "JSON":
        assert headers["x-amzn-errortype"] == "BadRequestException"
        assert where.split(".")[-1] in reply["message"]
    assert ses.outbox_messages() == []


@pytest.mark.parametrize("name", ["Bcc: injected@evil.test\r\nX-Y", "Bad Name:\r\n", "X-A\nB", "X A",
                                  "X:A", "", "X-\u00e9", "X" * 127])
def test_header_names_ses_refuses_are_a_400(ses: LocalSes, name: str) -> None:
    body = _simple()
    body["Content"]["Simple"]["Headers"] = [{"Name": name, "Value": "v"}]
    status, headers, reply = signed(ses, "POST", "/v2/email/outbound-emails", body)
    assert (status, headers["x-amzn-errortype"]) == (400, "BadRequestException"), reply
    _template(ses)
    bulk = _bulk({"ReplacementHeaders": [{"Name": name, "Value": "v"}]})
    status, _, reply = signed(ses, "POST", "/v2/email/outbound-bulk-emails", bulk)
    assert status == 200 and reply["BulkEmailEntryResults"][0]["Status"] == "INVALID_PARAMETER"
    assert ses.outbox_messages() == []


def test_header_values_with_line_breaks_are_a_400_and_good_headers_pass(ses: LocalSes) -> None:
    body = _simple()
    body["Content"]["Simple"]["Headers"] = [{"Name": "X-Campaign", "Value": "a\r\nBcc: injected@evil.test"}]
    assert signed(ses, "POST", "/v2/email/outbound-emails", body)[0] == 400
    body["Content"]["Simple"]["Headers"] = [{"Name": "X-Campaign!#$%&'*+-.^_`|~", "Value": "spring 2026 <x>"}]
    status, _, reply = signed(ses, "POST", "/v2/email/outbound-emails", body)
    assert status == 200, reply
    [eml] = ses.outbox_messages()
    assert b"injected" not in eml.read_bytes() and b"spring 2026 <x>" in eml.read_bytes()


# -- clients that leave early ----------------------------------------------------------------------
def test_clients_leaving_mid_request_leave_no_trace(ses: LocalSes) -> None:
    data = json.dumps({"EmailIdentity": "x@y.example"}).encode()
    headers = signed_headers(ses, "POST", "/v2/email/identities", data)
    head = "".join(f"{k}: {v}\r\n" for k, v in {**headers, "Content-Length": str(len(data))}.items())
    full = f"POST /v2/email/identities HTTP/1.1\r\n{head}\r\n".encode() + data
    for cut in (5, len(full) - len(data) - 3, len(full) - 3):  # in the request line, the headers, the body
        reply = raw_exchange(ses, full[:cut])
        assert reply == b"" or 400 <= parse_reply(reply)[0] < 500, reply[:200]
    assert ses.store.identities.get("x@y.example") is None  # a torn request changes nothing
    for _ in range(20):  # leave (with a reset) right after the whole request: the answer has nowhere to go
        conn = socket.create_connection(("127.0.0.1", ses.port), timeout=15)
        conn.sendall(full)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
    assert make_client(ses.endpoint_url).get_account()["SendingEnabled"] is True  # still serving


@pytest.mark.parametrize("exc", [BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "reset"),
                                 ConnectionAbortedError(103, "aborted"), TimeoutError("timed out")])
def test_a_client_gone_before_its_answer_is_not_a_traceback(tmp_path: Path, exc: Exception,
                                                            capfd: pytest.CaptureFixture[str]) -> None:
    """What socketserver does when writing the answer fails: it calls handle_error, which by default
    prints the traceback to stderr (88 of them in one run of the review)."""
    store = Store(tmp_path)
    server = _Server(("127.0.0.1", 0), LocalSesService(store, LocalSesSettings()),
                     EndpointCredentials.generate(), tmp_path / "endpoint.lock")
    try:
        try:
            raise exc
        except type(exc):
            server.handle_error(None, ("127.0.0.1", 5555))
    finally:
        server.server_close()
    assert capfd.readouterr().err == ""


# -- bursts ----------------------------------------------------------------------------------------
def test_a_burst_of_200_connections_is_queued_not_refused(tmp_path: Path) -> None:
    """With the stdlib's backlog of 5, connections beyond the first few of a burst were reset or left
    hanging while the server was busy accepting.  Here the server does not accept at all until all 200
    have connected: each must still complete its handshake (queued by the kernel), then get its answer."""
    settings = LocalSesSettings()
    credentials = EndpointCredentials.generate()
    server = _Server(("127.0.0.1", 0), LocalSesService(Store(tmp_path), settings), credentials,
                     tmp_path / "endpoint.lock")
    port = server.server_address[1]
    conns: list[socket.socket] = []
    thread: threading.Thread | None = None
    try:
        for _ in range(200):
            conn = socket.socket()
            conn.settimeout(3)
            conn.connect(("127.0.0.1", port))  # times out if the listen queue is full
            conns.append(conn)
        request = f"GET /v2/email/account HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        for conn in conns:
            conn.sendall(request.encode())
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        statuses = []
        for conn in conns:
            conn.settimeout(30)
            reply = b""
            while chunk := conn.recv(65536):
                reply += chunk
            statuses.append(parse_reply(reply)[0])
        assert statuses == [403] * 200  # unsigned: each refused cleanly, none reset
    finally:
        for conn in conns:
            conn.close()
        if thread is not None:
            server.shutdown()
        server.server_close()


def test_only_json_errors_for_unknown_paths_and_methods(ses: LocalSes) -> None:
    for method, path in (("GET", "/"), ("GET", "/v2/email/templates/../account"),
                         ("OPTIONS", "/v2/email/account"), ("PATCH", "/v2/email/account"),
                         ("GET", "/v2/email/templates/%00")):
        status, _, _ = signed(ses, method, path) if method != "OPTIONS" else \
            raw_request(ses, method, path, {"Host": host(ses)})
        assert 400 <= status < 500, (method, path, status)


def test_an_unpaired_surrogate_escape_is_a_400_and_a_pair_is_a_character(ses: LocalSes) -> None:
    # boto3 itself sends "\ud800" for a Python string holding a lone surrogate (json.dumps escapes it).
    lone = {"TemplateName": "s", "TemplateContent": {"Subject": "a\ud800", "Text": "t"}}
    status, headers, reply = signed(ses, "POST", "/v2/email/templates", lone)
    assert (status, headers["x-amzn-errortype"]) == (400, "SerializationException")
    assert "surrogate" in reply["message"] and ses.store.templates == {}
    pair = {"TemplateName": "s", "TemplateContent": {"Subject": "\U0001f600 \\ud800", "Text": "t"}}
    status, _, _ = signed(ses, "POST", "/v2/email/templates", pair)
    assert status == 200 and ses.store.templates["s"]["content"]["Subject"] == "\U0001f600 \\ud800"
