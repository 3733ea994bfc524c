"""A headless Chromium driven over its DevTools protocol, with the standard library only.

:func:`launch` starts ``chromium --headless --remote-debugging-port=0`` with a fresh profile, reads the
port Chromium chose from ``DevToolsActivePort`` and connects to the page target over a minimal
WebSocket client (RFC 6455 text frames, client-masked).  :class:`Page` sends protocol commands and
collects events; waiting is always on a condition with a deadline, never a fixed sleep.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--no-default-browser-check", "--remote-debugging-port=0",
         # A sandboxed frame always gets its own process (and DevTools target), as in a desktop Chromium
         # by default: the tests read the email frame through that target.
         "--site-per-process", "--enable-features=IsolateSandboxedIframes")


def find() -> str | None:
    return next((path for path in map(shutil.which, NAMES) if path), None)


class Page:
    """One page target: ``call`` a protocol method, ``events`` holds what arrived meanwhile."""

    def __init__(self, ws_url: str) -> None:
        rest = ws_url.split("://", 1)[1]
        hostport, _, path = rest.partition("/")
        host, _, port = hostport.rpartition(":")
        self._sock = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self._sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
                            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                            "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self._sock.recv(1)
            if not chunk:
                raise ConnectionError("DevTools closed the connection during the handshake")
            head += chunk
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(f"DevTools refused the WebSocket: {head[:80]!r}")
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        self._sock.close()

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command (to an attached frame's ``session``, else the page) and return its result.

        A frame's session can vanish under a command (the page reloaded itself): when no answer comes
        within a few seconds the call raises RuntimeError, which :meth:`wait_for` treats as "look again";
        an answer that arrives later carries an old id and is dropped."""
        self._next_id += 1
        ident = self._next_id
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        self._send(json.dumps(message).encode())
        deadline = time.monotonic() + (10.0 if session is not None else 60.0)
        try:
            while True:
                self._sock.settimeout(max(0.1, deadline - time.monotonic()))
                try:
                    msg = self._recv()
                except TimeoutError:
                    raise RuntimeError(f"{method}: no answer from Chromium") from None
                if msg.get("id") == ident:
                    if "error" in msg:
                        raise RuntimeError(f"{method}: {msg['error']}")
                    result: dict[str, Any] = msg.get("result", {})
                    return result
                if "method" in msg:
                    self.events.append(msg)
        finally:
            self._sock.settimeout(30)

    def evaluate(self, expression: str) -> Any:
        res = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return res.get("result", {}).get("value")

    def wait_for(self, check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
        """Poll ``check`` until it is truthy; fail after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = check()
            except RuntimeError:  # the document went away under the command (a reload): look again
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"Chromium: timed out after {timeout:g}s waiting for {what}")
            time.sleep(0.02)  # poll interval between two looks; never an assertion

    def frames(self) -> list[str]:
        """Sessions of the attached child frames still alive (out-of-process frames, e.g. a sandboxed
        ``srcdoc``, are separate targets: :meth:`watch_frames` makes Chromium attach them)."""
        self.call("Page.getFrameTree")  # a round trip: reads the attach/detach events sent meanwhile
        alive: dict[str, str] = {}
        for event in self.events:
            if event.get("method") == "Target.attachedToTarget":
                alive[event["params"]["sessionId"]] = event["params"]["targetInfo"]["type"]
            elif event.get("method") == "Target.detachedFromTarget":
                alive.pop(event["params"]["sessionId"], None)
        return [sid for sid, kind in alive.items() if kind == "iframe"]

    def watch_frames(self) -> None:
        self.call("Target.setAutoAttach", autoAttach=True, waitForDebuggerOnStart=False, flatten=True)

    def document(self, session: str | None = None) -> dict[str, Any]:
        """The DOM of the page (or of an attached frame), every level, same-process frames included."""
        root: dict[str, Any] = self.call("DOM.getDocument", session, depth=-1, pierce=True)["root"]
        return root

    def texts(self) -> list[str]:
        """The text of the page and of every child frame, one string per document (page first)."""
        return [text_of(self.document())] + [text_of(self.document(sid)) for sid in self.frames()]

    def _send(self, payload: bytes) -> None:
        mask = os.urandom(4)
        size = len(payload)
        if size < 126:
            header = struct.pack("!BB", 0x81, 0x80 | size)
        elif size < 1 << 16:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, size)
        else:
            header = struct.pack("!BBQ", 0x81, 0x80 | 127, size)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self._sock.sendall(header + mask + body)

    def _read(self, n: int, *, frame_start: bool = False) -> bytes:
        """``n`` bytes; a timeout is raised only before the first byte of a frame (``frame_start``), so a
        frame is never cut in half and the stream stays in step."""
        buf = b""
        while len(buf) < n:
            try:
                chunk = self._sock.recv(n - len(buf))
            except TimeoutError:
                if frame_start and not buf:
                    raise
                continue
            if not chunk:
                raise ConnectionError("DevTools closed the connection")
            buf += chunk
        return buf

    def _recv(self) -> dict[str, Any]:
        data = b""
        while True:
            first, second = self._read(2, frame_start=not data)
            size = second & 0x7F
            if size == 126:
                size = struct.unpack("!H", self._read(2))[0]
            elif size == 127:
                size = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(size)
            opcode = first & 0x0F
            if opcode == 0x8:
                raise ConnectionError("DevTools closed the WebSocket")
            if opcode in (0x0, 0x1, 0x2):
                data += payload
                if first & 0x80:
                    parsed: dict[str, Any] = json.loads(data)
                    return parsed


def text_of(node: dict[str, Any]) -> str:
    parts: list[str] = []

    def walk(n: dict[str, Any]) -> None:
        if n.get("nodeType") == 3:
            parts.append(n.get("nodeValue", ""))
        elif n.get("localName") in ("script", "style", "title"):
            return
        for child in n.get("children", []):
            walk(child)
        if "contentDocument" in n:
            walk(n["contentDocument"])

    walk(node)
    return " ".join(" ".join(parts).split())


def find_node(node: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The first element called ``name`` (depth first, into same-process frames)."""
    if node.get("localName") == name:
        return node
    for child in node.get("children", []) + ([node["contentDocument"]] if "contentDocument" in node else []):
        found = find_node(child, name)
        if found is not None:
            return found
    return None


@contextlib.contextmanager
def launch(binary: str, url: str = "about:blank", timeout: float = 60.0) -> Iterator[Page]:
    """A fresh headless Chromium showing ``url``; yields its page target; kills it afterwards."""
    profile = Path(tempfile.mkdtemp(prefix="ses-workbench-chromium-"))
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={profile}", url], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    page: Page | None = None
    try:
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (active.exists() and len(active.read_text().splitlines()) >= 2):
            if proc.poll() is not None:
                log.seek(0)
                err = log.read().decode(errors="replace")
                raise RuntimeError(f"chromium exited with {proc.returncode} before DevTools was up: "
                                   f"{err[-800:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"chromium did not open DevTools within {timeout:g}s")
            time.sleep(0.05)  # polling a file Chromium writes once; not an assertion
        port = int(active.read_text().splitlines()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as resp:
            targets = json.load(resp)
        target = next(t for t in targets if t.get("type") == "page")
        page = Page(target["webSocketDebuggerUrl"])
        yield page
    finally:
        if page is not None:
            # Close gracefully first: Chromium then reaps its own helpers, leaving no zombies behind.
            with contextlib.suppress(Exception):
                page.call("Browser.close")
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=30)
            page.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the browser and the helpers it started, nothing else
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
        log.close()
        shutil.rmtree(profile, ignore_errors=True)


@contextlib.contextmanager
def required_page(needs: str) -> Iterator[Page]:
    """A launched page with ``Page`` events on, or a plain failure (in CI, where ``.ci/run`` installs
    Chromium and sets ``SES_WORKBENCH_REQUIRE_CHROMIUM``) or skip naming what ``needs`` it."""
    binary = find()
    if binary is None:
        why = (f"no Chromium on PATH (looked for {', '.join(NAMES)}): {needs} a real headless browser "
               "— apt-get install chromium (.ci/run does)")
        if os.environ.get("SES_WORKBENCH_REQUIRE_CHROMIUM") or os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    with launch(binary) as page:
        page.call("Page.enable")
        yield page
