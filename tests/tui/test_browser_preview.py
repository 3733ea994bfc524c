"""The browser preview (TUI ``ctrl+b``): the email in a sandboxed frame, under a CSP, for this host only.

The HTTP checks run on any machine.  What a browser does with the page is checked in a real headless
Chromium (Debian's ``chromium``; ``.ci/run`` installs it and sets ``SES_WORKBENCH_REQUIRE_CHROMIUM``, so
there a missing browser fails the run instead of skipping): the email shows, its scripts do not run,
remote images stay blocked until asked for, and the page follows an edit.  A small HTTP server of the
test's own ("the probe") stands for the outside world: a request reaching it is a leak.
"""

from __future__ import annotations

import asyncio
import http.client
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ses_workbench.notebook import sandboxed_iframe
from ses_workbench.tui.browser import PreviewServer
from tests.tui import chromium
from tests.tui.conftest import settle, type_text

GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
DATA_PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQ"
            "GAhKmMIQAAAABJRU5ErkJggg==")


class Probe:
    """The outside world: records every path requested from it."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        probe = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                probe.hits.append(self.path)
                body = GIF if self.path.startswith("/img") else probe.page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "image/gif" if self.path.startswith("/img") else "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.page = ""
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def hostile_email(probe: Probe, marker: str) -> str:
    """An email that tries everything: scripts (title, DOM, a request), remote image/stylesheet, base."""
    return f"""<!doctype html><html><head><title>email title</title>
<base href="{probe.url}/base/">
<link rel="stylesheet" href="{probe.url}/css">
</head><body>
<p>Hello Ada · {marker}</p>
<img id="inline" src="{DATA_PNG}" alt="inline">
<img id="remote" src="{probe.url}/img-{marker}" alt="tracker">
<script>document.title = "PWNED"; document.body.setAttribute("data-ran", "yes");
fetch("{probe.url}/script-{marker}"); top.document.title = "PWNED-TOP";</script>
<img src="x" onerror="fetch('{probe.url}/onerror-{marker}')">
</body></html>"""


@pytest.fixture
def probe() -> Iterator[Probe]:
    p = Probe()
    yield p
    p.server.shutdown()
    p.server.server_close()


@pytest.fixture
def preview() -> Iterator[PreviewServer]:
    server = PreviewServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[chromium.Page]:
    with chromium.required_page("the browser-preview tests need") as page:
        page.watch_frames()
        yield page


def get(url: str, path: str = "/", host: str | None = None) -> tuple[int, dict[str, str], str]:
    """One GET with an explicit ``Host`` header (None: send none at all)."""
    port = int(url.rsplit(":", 1)[1].strip("/"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("GET", path, skip_host=True)
    if host is not None:
        conn.putheader("Host", host)
    conn.endheaders()
    resp = conn.getresponse()
    out = resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read().decode()
    conn.close()
    return out


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(page)
    return parser.tags


def directives(policy: str) -> dict[str, str]:
    return {d.split()[0]: d.partition(" ")[2] for d in (x.strip() for x in policy.split(";")) if d}


# ------------------------------------------------------------------------------------------- HTTP
def test_the_email_is_framed_sandboxed_and_only_the_page_script_may_run(preview: PreviewServer,
                                                                       probe: Probe) -> None:
    email = hostile_email(probe, "m1")
    preview.publish(email)
    url = preview.url
    assert url is not None
    status, headers, page = get(url, host=url.split("/")[2])
    assert status == 200
    tags = tags_of(page)
    frames = [attrs for tag, attrs in tags if tag == "iframe"]
    scripts = [attrs for tag, attrs in tags if tag == "script"]
    assert len(frames) == 1 and frames[0]["sandbox"] == ""         # no allow-scripts, no allow-same-origin
    assert "<p>Hello Ada · m1</p>" in str(frames[0]["srcdoc"])      # the email, whole, inside srcdoc only
    assert page.count("Hello Ada") == 1 and "&lt;p&gt;Hello Ada" in page  # ... escaped into the attribute
    assert len(scripts) == 1 and [t for t, _ in tags].count("img") == 0  # its script and images: text
    policy = directives(headers["content-security-policy"])
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == f"'nonce-{scripts[0]['nonce']}'"
    assert policy["img-src"] == "data: cid:" and "http" not in policy["style-src"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    again = directives(get(url, host=url.split("/")[2])[1]["content-security-policy"])
    assert again["script-src"] != policy["script-src"]             # a fresh nonce per response
    remote = directives(get(url, "/?remote=1", host=url.split("/")[2])[1]["content-security-policy"])
    assert remote["img-src"] == "data: cid: http: https:"         # remote images only when asked


def test_another_host_is_refused_and_every_response_has_the_policy(preview: PreviewServer) -> None:
    preview.publish("<p>secret fixture data</p>")
    url = preview.url
    assert url is not None
    port = preview.port
    for host in ("attacker.example", f"attacker.example:{port}", f"127.0.0.1:{port + 1}",
                 f"localhost.attacker.example:{port}", None):
        status, headers, body = get(url, host=host)
        assert status == 403 and "secret" not in body, host
        assert "default-src 'none'" in headers["content-security-policy"]
        assert get(url, "/__version", host=host)[0] == 403
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        status, headers, body = get(url, host=host)
        assert status == 200 and "secret fixture data" in body, host
    for path in ("/__version", "/nope", "/../etc/passwd"):
        status, headers, _ = get(url, path, host=f"127.0.0.1:{port}")
        assert status in (200, 404) and "default-src 'none'" in headers["content-security-policy"]
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
    conn.request("POST", "/", body=b"x")
    resp = conn.getresponse()
    assert resp.status == 501 and "default-src 'none'" in (resp.getheader("Content-Security-Policy") or "")
    conn.close()


def test_the_version_moves_only_when_the_page_changes(preview: PreviewServer) -> None:
    url = preview.url
    assert url is not None
    host = url.split("/")[2]
    preview.publish("<html><body><p>first</p></body></html>")
    before = get(url, "/__version", host=host)[2]
    preview.publish("<html><body><p>second</p></body></html>")
    after = get(url, "/__version", host=host)[2]
    assert after != before
    preview.publish("<html><body><p>second</p></body></html>")  # same page: no reload
    assert get(url, "/__version", host=host)[2] == after


# ------------------------------------------------------------------------------------------- Chromium
def _open(page: chromium.Page, url: str, marker: str) -> str | None:
    """Navigate and wait until a document showing ``marker`` has finished loading: the session of the
    frame it is in (None: the page itself shows it, i.e. the email is not framed)."""
    page.call("Page.navigate", url=url)

    def ready() -> list[str | None] | None:
        # A reload the previous test's page had scheduled (its server is gone) can win over this
        # navigation and leave Chromium's "refused to connect" page: navigate again, then look.
        if str(_in_frame(page, None, "location.href")).startswith("chrome-error:"):
            page.call("Page.navigate", url=url)
            return None
        for sid in [*reversed(page.frames()), None]:
            state = _in_frame(page, sid, "document.readyState")
            if state == "complete" and marker in chromium.text_of(page.document(sid)):
                return [sid]
        return None

    found: list[str | None] = page.wait_for(ready, f"a document showing {marker!r}")
    return found[0]


def _in_frame(page: chromium.Page, sid: str | None, expression: str) -> Any:
    result = page.call("Runtime.evaluate", sid, expression=expression, returnByValue=True)["result"]
    return result.get("value")


def test_chromium_shows_the_email_runs_none_of_its_scripts_and_follows_an_edit(
        browser: chromium.Page, preview: PreviewServer, probe: Probe) -> None:
    preview.publish(hostile_email(probe, "first"))
    url = preview.url
    assert url is not None
    sid = _open(browser, url, "first")
    assert _in_frame(browser, sid, "document.title") == "email title"          # the script did not run
    assert _in_frame(browser, sid, "document.body.hasAttribute('data-ran')") is False
    assert sid is not None and "Hello Ada · first" in chromium.text_of(browser.document(sid))  # framed
    assert browser.evaluate("document.title") == "ses-workbench preview"
    assert _in_frame(browser, sid, "document.getElementById('inline').naturalWidth") == 1  # data: shows
    assert _in_frame(browser, sid, "document.getElementById('remote').naturalWidth") == 0  # remote: not
    assert probe.hits == []  # no script request, no onerror handler, no image, no stylesheet, no <base>

    started = time.monotonic()
    preview.publish(hostile_email(probe, "second"))  # an edit: the page notices and reloads itself
    sid = browser.wait_for(lambda: next((s for s in reversed(browser.frames())
                                         if "second" in chromium.text_of(browser.document(s))), None),
                           "the edited email", timeout=30)
    print(f"published → shown in Chromium: {time.monotonic() - started:.3f}s")
    assert probe.hits == []


def test_chromium_loads_remote_images_only_when_asked(browser: chromium.Page, preview: PreviewServer,
                                                     probe: Probe) -> None:
    preview.publish(hostile_email(probe, "asked"))
    url = preview.url
    assert url is not None
    sid = _open(browser, url, "asked")
    assert _in_frame(browser, sid, "document.getElementById('remote').naturalWidth") == 0
    assert probe.hits == []
    sid = _open(browser, url + "?remote=1", "asked")
    browser.wait_for(lambda: "/img-asked" in probe.hits, "the remote image request")
    assert _in_frame(browser, sid, "document.getElementById('remote').naturalWidth") == 1
    assert not [h for h in probe.hits if "script" in h or "onerror" in h]  # scripts still never run


@pytest.mark.parametrize("asked", [{}, {"remote_images": True}], ids=["default", "remote_images"])
def test_chromium_notebook_frame_blocks_remote_images_by_the_same_rule(
        browser: chromium.Page, probe: Probe, asked: dict[str, bool]) -> None:
    remote_images = bool(asked)
    marker = f"nb-{remote_images}"
    probe.page = ("<!doctype html><html><body><p>notebook</p>"
                  + sandboxed_iframe(hostile_email(probe, marker), **asked) + "</body></html>")
    sid = _open(browser, probe.url + f"/notebook-{marker}", marker)
    assert _in_frame(browser, sid, "document.title") == "email title"
    if remote_images:
        browser.wait_for(lambda: f"/img-{marker}" in probe.hits, "the remote image request")
    else:
        assert _in_frame(browser, sid, "document.getElementById('remote').naturalWidth") == 0
        assert _in_frame(browser, sid, "document.getElementById('inline').naturalWidth") == 1
        # the notebook page itself (and the browser's favicon for it), nothing the email asked for
        assert [h for h in probe.hits if h != "/favicon.ico"] == [f"/notebook-{marker}"]


# ------------------------------------------------------------------------------------------- the TUI
async def test_tui_ctrl_b_page_shows_the_template_and_follows_a_keystroke(
        project_dir: Path, browser: chromium.Page) -> None:
    """The whole chain: ctrl+b publishes the live render; typing in the editor reaches the browser."""
    from ses_workbench.tui.app import WorkbenchApp

    app = WorkbenchApp(project_dir, connect=False, watch=False, browser=False)
    async with app.run_test(size=(160, 45)) as pilot:
        app.main.open_template("order-receipt")
        await settle(pilot)
        await pilot.press("ctrl+b")
        await settle(pilot)
        url = app.preview_server.url
        assert url is not None
        sid = await asyncio.to_thread(_open, browser, url, "Thanks for your order, Ada!")
        assert sid is not None  # framed
        editor = app.main.editor("html")
        at = editor.text.index("Thanks for your order, {{customer.firstName}}!</h1>")
        editor.focus()
        editor.cursor_location = (editor.text.count("\n", 0, at), at - (editor.text.rfind("\n", 0, at) + 1))
        await type_text(pilot, "Edited ")
        typed = time.monotonic()
        await asyncio.to_thread(browser.wait_for,
                                lambda: any("Edited Thanks for your order" in t for t in browser.texts()),
                                "the keystroke in the browser page", 30)
        print(f"last keystroke → shown in Chromium: {time.monotonic() - typed:.3f}s")
