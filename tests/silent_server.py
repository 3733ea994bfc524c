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
    """A listener on 127.0.0.1 that accepts, reads and never writes a byte — until :meth:`forward_to`
    turns it into a plain TCP relay to a working endpoint (the network came back, same address)."""

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
        self._target: int | None = None  # port to relay to; None = stay silent
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
                target = self._target
            self.accepted.set()
            if target is not None:
                try:
                    upstream = socket.create_connection(("127.0.0.1", target))
                except OSError:
                    conn.close()
                    continue
                with self._lock:
                    self._held.append(upstream)
                for src, dst in ((conn, upstream), (upstream, conn)):
                    threading.Thread(target=_pipe, args=(src, dst), name="silent-relay", daemon=True).start()

    def forward_to(self, port: int) -> None:
        """From now on relay new connections to 127.0.0.1:``port``; drop the ones held unanswered (their
        clients see the connection closed and, retrying, reach the relay)."""
        with self._lock:
            self._target = port
            held, self._held = self._held, []
        for conn in held:
            _drop(conn)

    def close(self) -> None:
        """Stop listening and drop every held connection (the port is free again afterwards)."""
        with self._lock:
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


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    _drop(dst)
    _drop(src)


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
