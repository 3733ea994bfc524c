"""A tiny page on 127.0.0.1 that shows the rendered email and reloads itself when it changes.

The browser key opens this page once; afterwards each new render is *published* here (a string swap
under a lock) and the page, which polls ``/__version`` twice a second, reloads when the version moves.
The server is a ``ThreadingHTTPServer`` in a daemon thread, started on first use and stopped with the app.

The email is untrusted content (fixture data is substituted unescaped; a pulled template may hold
anything), so the page is built like the notebook's view of it:

- the email sits in ``<iframe sandbox="" srcdoc=...>``: its scripts never run and it has an opaque
  origin; the only script is the page's own reload poll, allowed by a per-response nonce;
- every response carries the :mod:`ses_workbench.preview_policy` Content-Security-Policy: nothing
  leaves the machine — remote images, stylesheets and fonts are blocked until the person follows the
  page's "show remote images" link (``/?remote=1``), ``data:`` and ``cid:`` images show;
- a request whose ``Host`` is not ``127.0.0.1:PORT`` or ``localhost:PORT`` gets 403 (a DNS-rebinding
  page that found the port cannot read the rendered email and its fixture data); no CORS headers, so
  another origin cannot read it either; the page refuses to be framed.
"""

from __future__ import annotations

import html
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from ses_workbench.preview_policy import email_policy, with_policy_meta

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ses-workbench preview</title>
<style>
html, body {{ margin: 0; height: 100%; }}
body {{ display: flex; flex-direction: column; font: 13px system-ui, sans-serif; }}
header {{ padding: 4px 8px; background: #f0f0f0; border-bottom: 1px solid #ccc; color: #333; }}
iframe {{ flex: 1; border: 0; width: 100%; background: #fff; }}
</style></head><body>
<header>ses-workbench preview · reloads on every change ·
{remote_status} · <a href="{toggle_href}">{toggle}</a></header>
<iframe sandbox="" referrerpolicy="no-referrer" title="rendered email" srcdoc="{srcdoc}"></iframe>
<script nonce="{nonce}">
(function () {{
  var seen = "{version}";
  setInterval(function () {{
    fetch("/__version", {{cache: "no-store"}}).then(function (r) {{ return r.text(); }}).then(function (v) {{
      if (v !== seen) {{ location.reload(); }}
    }}).catch(function () {{}});
  }}, 500);
}})();
</script>
</body></html>
"""

# Sent with every response, errors included.
_HEADERS = (
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
)


class PreviewServer:
    """Serve the newest rendered HTML at ``/``; ``publish`` swaps it in."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._html = "<!doctype html><p>No preview yet.</p>"
        self._version = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str | None:
        """``http://127.0.0.1:PORT/`` once started."""
        return None if self.port is None else f"http://127.0.0.1:{self.port}/"

    @property
    def port(self) -> int | None:
        return None if self._server is None else int(self._server.server_address[1])

    @property
    def version(self) -> int:
        return self._version

    def publish(self, html: str) -> None:
        """Make ``html`` the page; a changed page bumps the version so open browsers reload."""
        with self._lock:
            if html != self._html:
                self._html = html
                self._version += 1

    def page(self) -> tuple[str, int]:
        with self._lock:
            return self._html, self._version

    def start(self) -> str:
        """Start serving (idempotent) and return the URL."""
        if self._server is None:
            server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
            server.daemon_threads = True
            self._server = server
            self._thread = threading.Thread(target=server.serve_forever, name="ses-workbench-preview",
                                            daemon=True)
            self._thread.start()
        url = self.url
        assert url is not None
        return url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()


def render_page(email_html: str, version: int, *, nonce: str, remote_content: bool) -> str:
    """The page around the email: the email escaped into a sandboxed ``srcdoc``, the reload poll."""
    document = with_policy_meta(email_html, remote_content=remote_content)
    return _PAGE.format(
        srcdoc=html.escape(document, quote=True), nonce=nonce, version=int(version),
        remote_status="remote images shown" if remote_content else "remote images blocked",
        toggle_href="/" if remote_content else "/?remote=1",
        toggle="block remote images" if remote_content else "show remote images")


def _make_handler(owner: PreviewServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "ses-workbench-preview"
        sys_version = ""
        policy = email_policy()

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self.policy = email_policy()
            port = owner.port
            host = (self.headers.get("Host") or "").strip().lower()
            if host not in (f"127.0.0.1:{port}", f"localhost:{port}"):
                why = f"403: this page answers only to 127.0.0.1:{port} and localhost:{port}\n"
                self._reply(403, "text/plain; charset=utf-8", why.encode())
                return
            url = urlsplit(self.path)
            email_html, version = owner.page()
            if url.path == "/__version":
                self._reply(200, "text/plain; charset=utf-8", str(version).encode())
            elif url.path == "/":
                remote = parse_qs(url.query).get("remote", ["0"])[-1] == "1"
                nonce = secrets.token_urlsafe(18)
                self.policy = email_policy(remote_content=remote, script_nonce=nonce, connect_self=True) + \
                    "; frame-ancestors 'none'"
                body = render_page(email_html, version, nonce=nonce, remote_content=remote).encode("utf-8")
                self._reply(200, "text/html; charset=utf-8", body)
            else:
                self._reply(404, "text/plain; charset=utf-8", b"404: not found\n")

        def _reply(self, status: int, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def end_headers(self) -> None:
            for name, value in _HEADERS:
                self.send_header(name, value)
            self.send_header("Content-Security-Policy", self.policy)
            super().end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence the log
            return

    return Handler
