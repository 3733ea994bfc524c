"""A tiny page on 127.0.0.1 that shows the rendered HTML and reloads itself when it changes.

The browser key opens this page once; afterwards each new render is *published* here (a string swap
under a lock) and the page, which polls ``/__version`` twice a second, reloads when the version moves.
The server is a ``ThreadingHTTPServer`` in a daemon thread, started on first use and stopped with the app.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_RELOAD_SCRIPT = """
<script>
(function () {
  var seen = "%(version)s";
  setInterval(function () {
    fetch("/__version", {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (v) {
      if (v !== seen) { location.reload(); }
    }).catch(function () {});
  }, 500);
})();
</script>
"""


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
        if self._server is None:
            return None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

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


def _inject(html: str, version: int) -> str:
    script = _RELOAD_SCRIPT % {"version": version}
    lower = html.lower()
    at = lower.rfind("</body>")
    if at == -1:
        return html + script
    return html[:at] + script + html[at:]


def _make_handler(owner: PreviewServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            html, version = owner.page()
            if self.path.startswith("/__version"):
                body = str(version).encode()
                ctype = "text/plain; charset=utf-8"
            else:
                body = _inject(html, version).encode("utf-8")
                ctype = "text/html; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence the log
            return

    return Handler
