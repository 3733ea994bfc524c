"""What the local endpoint remembers, on disk under ``<state_dir>/local-ses/``::

    templates.json     stored templates: content, creation time, a version id per write
    identities.json    verified identities (created by CreateEmailIdentity or listed in the config)
    account.json       recipients sent per minute over the last 24 h (SentLast24Hours survives restarts)
    events.jsonl       one SES-style event per line: Send, Delivery, Bounce, Complaint, Rendering Failure
    outbox/            every delivered message as <UTC timestamp>-<MessageId>.eml
    endpoint.lock      exists while an endpoint runs: held (flock), mode 0600, with its URL, pid and
                       the access key id and secret it accepts (JSON)

One running endpoint owns a state folder at a time (:class:`StoreLock`): a second one would overwrite the
first one's files.  :func:`running_endpoint` tells other tools where the running one listens.

JSON files are replaced atomically (write a temporary file, then ``os.replace``), so a crash never
leaves half a store.  The store is not thread-safe by itself: the service holds one lock around each
operation.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from ses_workbench.errors import WorkbenchError

__all__ = ["LocalSesStoreError", "LocalSesBusyError", "Store", "StoreLock", "read_events", "iter_events",
           "running_endpoint", "running_endpoint_info", "store_dir", "EVENT_TYPES"]

EVENT_TYPES = ("Send", "Delivery", "Bounce", "Complaint", "Rendering Failure")
DAY = 86_400.0


class LocalSesStoreError(WorkbenchError):
    """A local-ses state file cannot be read (corrupt JSON, wrong shape)."""


class LocalSesBusyError(LocalSesStoreError):
    """Another running local endpoint already owns this state folder (``url`` says where it listens)."""

    def __init__(self, message: str, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


def store_dir(state_dir: str | Path) -> Path:
    """``<state_dir>/local-ses``: where the local endpoint keeps everything."""
    return Path(state_dir) / "local-ses"


def _write_atomic(path: Path, data: bytes) -> None:
    # No fsync: this is simulator state, and sends at hundreds per second should not wait on the disk.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _load_json(path: Path, default: Any) -> Any:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return default
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise LocalSesStoreError(f"{path}: the local SES state is not valid JSON ({exc}); "
                                 "delete the file to start afresh.") from None


class Store:
    """The local endpoint's state, loaded at construction and written through on every change."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.outbox = self.root / "outbox"
        self.events_path = self.root / "events.jsonl"
        self.templates: dict[str, dict[str, Any]] = {}
        self.identities: dict[str, dict[str, Any]] = {}
        self.sent: list[list[float]] = []  # [minute start (epoch s), recipients]
        self._events: TextIO | None = None
        self._load()

    # -- loading and saving ------------------------------------------------------------------
    def _load(self) -> None:
        templates = _load_json(self.root / "templates.json", {"templates": []})
        identities = _load_json(self.root / "identities.json", {"identities": []})
        account = _load_json(self.root / "account.json", {"sent": []})
        try:
            for rec in templates["templates"]:
                rec.setdefault("version", uuid.uuid4().hex)
                self.templates[rec["name"]] = rec
            for rec in identities["identities"]:
                self.identities[rec["key"]] = rec
            self.sent = [[float(m), float(n)] for m, n in account["sent"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise LocalSesStoreError(f"{self.root}: the local SES state has an unexpected shape ({exc!r}); "
                                     "delete the folder to start afresh.") from None

    def save_templates(self, templates: dict[str, dict[str, Any]] | None = None) -> None:
        """Write ``templates`` (default: the current ones), then make them the current ones.

        The write comes first: when it fails (disk full) memory keeps the old state, so the endpoint
        never acknowledges — or serves — a change it could not keep.
        """
        templates = self.templates if templates is None else templates
        recs = [templates[name] for name in sorted(templates)]
        _write_atomic(self.root / "templates.json", _dumps({"templates": recs}))
        self.templates = templates

    def put_template(self, rec: dict[str, Any]) -> None:
        self.save_templates({**self.templates, rec["name"]: rec})

    def delete_template(self, name: str) -> None:
        self.save_templates({k: v for k, v in self.templates.items() if k != name})

    def save_identities(self, identities: dict[str, dict[str, Any]] | None = None) -> None:
        """Like :meth:`save_templates`: write first, then update memory."""
        identities = self.identities if identities is None else identities
        recs = [identities[key] for key in sorted(identities)]
        _write_atomic(self.root / "identities.json", _dumps({"identities": recs}))
        self.identities = identities

    def put_identities(self, *recs: dict[str, Any]) -> None:
        self.save_identities({**self.identities, **{rec["key"]: rec for rec in recs}})

    def delete_identity(self, key: str) -> None:
        self.save_identities({k: v for k, v in self.identities.items() if k != key})

    def remove_temp_files(self) -> list[Path]:
        """Delete the temporary files of writes a killed endpoint never finished (called at start, with
        the lock held, so no write of a running endpoint is in flight); returns what was removed."""
        removed = []
        for folder in (self.root, self.outbox):
            try:
                candidates = list(folder.glob(".*.tmp"))
            except OSError:
                continue
            for path in candidates:
                try:
                    if path.is_file() and not path.is_symlink():
                        path.unlink()
                        removed.append(path)
                except OSError:
                    pass
        return removed

    def save_account(self) -> None:
        _write_atomic(self.root / "account.json", _dumps({"sent": self.sent}))

    # -- 24-hour sending count -----------------------------------------------------------------
    def sent_last_24h(self, now: float | None = None) -> float:
        now = time.time() if now is None else now
        return sum(n for minute, n in self.sent if minute > now - DAY)

    def record_sent(self, recipients: int, now: float | None = None, save: bool = True) -> None:
        """Count ``recipients`` against the 24-hour quota (minute buckets, older ones dropped).

        ``save=False`` leaves the write to a later :meth:`save_account` (one write per bulk call).
        """
        now = time.time() if now is None else now
        minute = float(int(now // 60 * 60))
        if self.sent and self.sent[0][0] <= now - DAY - 60:
            self.sent = [entry for entry in self.sent if entry[0] > now - DAY - 60]
        if self.sent and self.sent[-1][0] == minute:
            self.sent[-1][1] += recipients
        else:
            self.sent.append([minute, float(recipients)])
        if save:
            self.save_account()

    # -- events and outbox ---------------------------------------------------------------------
    def append_event(self, event: dict[str, Any]) -> None:
        """Append one event line (the file stays open in append mode; each line is flushed)."""
        if self._events is None or self._events.closed:
            self.root.mkdir(parents=True, exist_ok=True)
            self._events = open(self.events_path, "a", encoding="utf-8")
        self._events.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._events.flush()

    def close(self) -> None:
        """Close the events file (reopened on the next event)."""
        if self._events is not None:
            self._events.close()
            self._events = None

    def write_eml(self, message_id: str, data: bytes, when: float | None = None) -> Path:
        stamp = datetime.fromtimestamp(time.time() if when is None else when, timezone.utc)
        name = f"{stamp.strftime('%Y%m%dT%H%M%S.%f')}Z-{message_id}.eml"
        path = self.outbox / name
        _write_atomic(path, data)
        return path


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=1).encode("utf-8")


def iter_events(state_dir: str | Path, event_type: str | None = None,
                message_id: str | None = None) -> Iterator[dict[str, Any]]:
    """The local endpoint's events, oldest first, optionally only one ``eventType`` or one message.

    ``state_dir`` is the project's state folder (the one given to ``LocalSes``).  Each event follows
    SES's event-publishing shape: ``{"eventType", "mail": {"messageId", "timestamp", "source",
    "destination", ...}, "<type>": {...}}``; a rendering failure carries
    ``"failure": {"errorMessage", "templateName"}``.  A torn last line (crash mid-write) is skipped.
    """
    path = store_dir(state_dir) / "events.jsonl"
    try:
        fh = open(path, encoding="utf-8")
    except FileNotFoundError:
        return
    with fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event_type is not None and event.get("eventType") != event_type:
                continue
            if message_id is not None and event.get("mail", {}).get("messageId") != message_id:
                continue
            yield event


def read_events(state_dir: str | Path, event_type: str | None = None,
                message_id: str | None = None) -> list[dict[str, Any]]:
    """:func:`iter_events` as a list."""
    return list(iter_events(state_dir, event_type, message_id))


class StoreLock:
    """An exclusive advisory lock (``flock``) on ``<root>/endpoint.lock`` while an endpoint runs.

    The lock file also records the endpoint's URL, pid and per-run credentials, so it is created with
    mode 0600 (only its owner can read it) and removed when the endpoint stops.  Where ``fcntl`` does
    not exist (Windows) there is no lock and :func:`running_endpoint` always answers None.
    """

    def __init__(self, root: str | Path) -> None:
        self.path = Path(root) / "endpoint.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`LocalSesBusyError` naming the running endpoint."""
        if sys.platform == "win32" or self._fd is not None:
            return
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                info = _parse_lock(_read_fd(fd))
                os.close(fd)
                url = info.get("url")
                raise LocalSesBusyError(
                    f"another local SES endpoint (pid {info.get('pid', '?')}) is already using "
                    f"{self.path.parent}" + (f" at {url}" if url else "") + "; stop it or point your client "
                    "at it.", url if isinstance(url, str) else None) from None
            # The previous owner may have removed the file between our open and our flock: then we hold
            # a lock on a file nobody else can find, so start again on the file the path names now.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.fchmod(fd, 0o600)  # a lock file left by an older version may be world-readable
        self._fd = fd

    def publish(self, url: str, credentials: Any = None) -> None:
        """Record where this endpoint listens and the credentials it accepts (see
        :func:`running_endpoint_info`)."""
        if self._fd is None:
            return
        info: dict[str, Any] = {"url": url, "pid": os.getpid()}
        if credentials is not None:
            info["aws_access_key_id"] = credentials.access_key_id
            info["aws_secret_access_key"] = credentials.secret_access_key
        data = json.dumps(info).encode("utf-8")
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)

    def release(self) -> None:
        """Remove the lock file (its credentials die with this run) and drop the lock."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
        finally:
            os.close(fd)  # closing the descriptor drops the flock


def _read_fd(fd: int) -> str:
    try:
        return os.pread(fd, 65536, 0).decode("utf-8", errors="replace")
    except OSError:
        return ""


def _parse_lock(text: str) -> dict[str, Any]:
    try:
        info = json.loads(text)
    except ValueError:
        return {}
    return info if isinstance(info, dict) else {}


def running_endpoint_info(state_dir: str | Path) -> dict[str, Any] | None:
    """What the lock file of a local endpoint currently serving ``state_dir`` (any process) says —
    ``url``, ``pid``, ``aws_access_key_id``, ``aws_secret_access_key`` — or None when none is running."""
    path = store_dir(state_dir) / "endpoint.lock"
    if sys.platform == "win32":
        return None
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:  # none, or not ours to read
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:  # held: someone is serving
            info = _parse_lock(_read_fd(fd))
            return info if isinstance(info.get("url"), str) else None
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def running_endpoint(state_dir: str | Path) -> str | None:
    """The URL of a local endpoint currently serving ``state_dir`` (any process), or None."""
    info = running_endpoint_info(state_dir)
    return info["url"] if info is not None else None
