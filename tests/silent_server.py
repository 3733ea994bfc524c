"""Endpoints that misbehave at the TCP level, for the network-failure tests (SES layer, CLI and TUI).

:class:`SilentServer` accepts every connection and never answers (a hung proxy, a firewall that
black-holes replies): only a read timeout ends a request to it.  :class:`FullBacklog` listens with a full
accept queue, so a new connection is never established: only a connect timeout ends it.  Both are
bounded: a daemon thread (or none), everything closed on ``close()`` / leaving the ``with`` block.
"""

from __future__ import annotations

import socket
import threading


class SilentServer:
    """A listener on 127.0.0.1 that accepts and never writes a byte.  ``close()`` is idempotent and frees
    the port (a working endpoint can take the same address afterwards)."""

    def __init__(self, port: int = 0) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.port: int = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.accepted = threading.Event()  # set once a client connected
        self._held: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._accept, name="silent-server", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed
                return
            with self._lock:
                if self._closed:
                    conn.close()
                    return
                self._held.append(conn)
            self.accepted.set()

    def close(self) -> None:
        """Stop listening and drop every held connection (the port is free again afterwards)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            held, self._held = self._held, []
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self.sock.close()
        self._thread.join()
        for conn in held:
            _drop(conn)

    def __enter__(self) -> SilentServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _drop(conn: socket.socket) -> None:
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    conn.close()


class FullBacklog:
    """A listener whose accept queue (``listen(0)``: room for one) is already full and never drained:
    on Linux the kernel drops further SYNs, so a connection attempt waits until the client gives up."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self.port: int = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._fillers: list[socket.socket] = []
        while True:  # queue connections until one is not established at once: then the queue is full
            filler = socket.socket()
            filler.settimeout(0.2)
            try:
                filler.connect(("127.0.0.1", self.port))
            except OSError:
                filler.close()
                break
            self._fillers.append(filler)
            if len(self._fillers) > 8:
                raise RuntimeError("this system does not bound the accept queue; no connect timeout here")

    def close(self) -> None:
        for filler in self._fillers:
            filler.close()
        self.sock.close()

    def __enter__(self) -> FullBacklog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
