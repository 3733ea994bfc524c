"""What the local endpoint remembers, on disk under ``<state_dir>/local-ses/``::

    store.db           one SQLite database (WAL): stored templates, custom verification templates and
                       their pending links, identities, the 24-hour sending record and the outbox index
                       (schema below)
    events.jsonl       one SES-style event per line: Send, Delivery, Bounce, Complaint, Rendering Failure
                       (an append-only log, read in order: a file, not a table)
    outbox/            every delivered message as <UTC timestamp>-<MessageId>.eml
    endpoint.lock      exists while an endpoint runs: held (flock), mode 0600, with its URL, pid and
                       the access key id and secret it accepts (JSON)
    json-backup-<UTC>/ the JSON files of an older version (templates.json, identities.json,
                       account.json, custom-verification.json), moved here once their content is in
                       store.db

Each change is one transaction, so the 20,000th template costs what the first one did (the JSON store
rewrote every template on each change).  The database runs in WAL mode with ``synchronous=FULL``: in WAL
mode, NORMAL only syncs the log at checkpoints, so a power cut could lose the last transactions after the
endpoint had answered 200 for them; FULL syncs the log at every commit (about 0.3 ms here), so whatever the
endpoint acknowledges is on disk.  A delivered message's ``.eml`` and the event lines are synced too, once
per send operation (:meth:`Store.flush`), before the answer goes out.

Another process may read ``store.db`` while an endpoint runs (WAL: readers never wait for the writer and
see only committed transactions), e.g. ``sqlite3 "file:store.db?mode=ro"``::

    templates(name TEXT PRIMARY KEY, created REAL, rec TEXT)     rec: the record as JSON (name, content
                                                                 {Subject, Html, Text}, created, updated,
                                                                 version, tags)
    identities(key TEXT PRIMARY KEY, rec TEXT)                   rec: {key, name, type, status, created,
                                                                 source, ...}
    cv_templates(name TEXT PRIMARY KEY, rec TEXT)                custom verification templates; rec:
                                                                 {TemplateName, FromEmailAddress,
                                                                 TemplateSubject, TemplateContent,
                                                                 SuccessRedirectionURL,
                                                                 FailureRedirectionURL, Tags, created}
    cv_tokens(token TEXT PRIMARY KEY, rec TEXT)                  the links sent: {identity, template,
                                                                 success, failure, created, used?}
    sent(minute REAL PRIMARY KEY, recipients REAL)               recipients counted per UTC minute (24 h)
    outbox(message_id TEXT PRIMARY KEY, file TEXT, ts REAL)      file: the .eml's name in outbox/
    meta(key TEXT PRIMARY KEY, value TEXT)

One running endpoint owns a state folder at a time (:class:`StoreLock`), so it is the only writer; the
store is thread-safe (one writer connection behind a lock, a pool of reader connections), and
:func:`running_endpoint` tells other tools where the running endpoint listens.  A write that fails (disk
full) raises :class:`StoreWriteError` (an ``OSError``) with the transaction rolled back: nothing changed,
and the endpoint answers 500 rather than acknowledge it.
"""

from __future__ import annotations

import json
import os
import queue
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from ses_workbench.errors import WorkbenchError
from ses_workbench.project.state import StateDir

__all__ = ["LocalSesStoreError", "LocalSesBusyError", "Store", "StoreLock", "StoreWriteError", "read_events",
           "iter_events", "running_endpoint", "running_endpoint_info", "store_dir", "EVENT_TYPES", "DB_NAME"]

EVENT_TYPES = ("Send", "Delivery", "Bounce", "Complaint", "Rendering Failure")
DAY = 86_400.0
DB_NAME = "store.db"
SCHEMA_VERSION = 2  # 2: cv_templates and cv_tokens (custom-verification.json before)
_JSON_FILES = ("templates.json", "identities.json", "account.json")
_CV_JSON = "custom-verification.json"  # the custom verification state before schema 2
_READERS = 8  # pooled reader connections kept open (more are opened under load, then closed)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS templates (name TEXT PRIMARY KEY, created REAL NOT NULL, rec TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS identities (key TEXT PRIMARY KEY, rec TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sent (minute REAL PRIMARY KEY, recipients REAL NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (message_id TEXT PRIMARY KEY, file TEXT NOT NULL, ts REAL NOT NULL);
CREATE TABLE IF NOT EXISTS cv_templates (name TEXT PRIMARY KEY, rec TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cv_tokens (token TEXT PRIMARY KEY, rec TEXT NOT NULL);
"""
_COUNTED = ("templates", "identities", "cv_templates", "cv_tokens")
#: the key column of each key → record table (``rec`` is the other column)
_KEY_COLUMNS = {"identities": "key", "cv_templates": "name", "cv_tokens": "token"}


class LocalSesStoreError(WorkbenchError):
    """The local-ses state cannot be read (not a database, corrupt JSON to migrate, wrong shape)."""


class LocalSesBusyError(LocalSesStoreError):
    """Another running local endpoint already owns this state folder (``url`` says where it listens)."""

    def __init__(self, message: str, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class StoreWriteError(OSError):
    """A change could not be written (disk full, I/O error); it was rolled back, nothing changed."""


def store_dir(state_dir: str | Path) -> Path:
    """``<state_dir>/local-ses``: where the local endpoint keeps everything."""
    return StateDir(Path(state_dir)).local_ses


def _write_atomic(path: Path, data: bytes, sync: bool = False) -> None:
    """Write ``path`` whole (temporary file + ``os.replace``); ``sync``: fsync the file first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _fsync_dir(path: Path) -> None:
    """Make the names created in ``path`` (renames) durable."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _commit(conn: sqlite3.Connection, tables: frozenset[str]) -> None:
    """COMMIT the open transaction, which changed ``tables`` (tests make this fail like a full disk)."""
    conn.execute("COMMIT")


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


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class _Table(Mapping[str, dict[str, Any]]):
    """A read-only mapping over one table of the database (key → record), sorted by key when iterated.

    Lookups are one indexed query; ``len`` is kept by the store (the endpoint is the only writer).
    Each record returned is a fresh dict: changing it changes nothing stored.
    """

    def __init__(self, store: Store, table: str, key: str) -> None:
        self._store = store
        self._table = table
        self._key = key

    def __getitem__(self, key: str) -> dict[str, Any]:
        if not isinstance(key, str):
            raise KeyError(key)
        row = self._store._read_one(f"SELECT rec FROM {self._table} WHERE {self._key} = ?", (key,))
        if row is None:
            raise KeyError(key)
        rec: dict[str, Any] = json.loads(row[0])
        return rec

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        return self._store._read_one(f"SELECT 1 FROM {self._table} WHERE {self._key} = ?", (key,)) is not None

    def __len__(self) -> int:
        return self._store._count(self._table)

    def __iter__(self) -> Iterator[str]:
        rows = self._store._read_all(f"SELECT {self._key} FROM {self._table} ORDER BY {self._key}", ())
        return iter([row[0] for row in rows])

    def records(self) -> list[dict[str, Any]]:
        """Every record, sorted by key, in one query."""
        rows = self._store._read_all(f"SELECT rec FROM {self._table} ORDER BY {self._key}", ())
        return [json.loads(row[0]) for row in rows]


class Store:
    """The local endpoint's state: a SQLite database written through on every change.

    Nothing is opened until first use (:meth:`open`); the endpoint opens it with its lock held, which
    also migrates the JSON files of an older version.  ``templates`` and ``identities`` are read-only
    mappings over the database; change them with :meth:`put_template`, :meth:`delete_template`,
    :meth:`put_identities`, :meth:`delete_identity`.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.outbox = self.root / "outbox"
        self.events_path = self.root / "events.jsonl"
        self.db_path = self.root / DB_NAME
        self.templates = _Table(self, "templates", "name")
        self.identities = _Table(self, "identities", _KEY_COLUMNS["identities"])
        self.cv_templates = _Table(self, "cv_templates", _KEY_COLUMNS["cv_templates"])
        self.cv_tokens = _Table(self, "cv_tokens", _KEY_COLUMNS["cv_tokens"])
        self.sent: list[list[float]] = []  # [minute start (epoch s), recipients], oldest first
        self._sent_dirty: set[float] = set()  # minutes changed since the last successful flush
        self._sent_cutoff = 0.0  # minutes before this are gone from memory; delete them at the flush
        self._outbox_pending: dict[str, tuple[str, float]] = {}  # message id → (file name, ts)
        self._events: TextIO | None = None
        self._events_unsynced = False
        self._outbox_unsynced = False
        self._open_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._writer: sqlite3.Connection | None = None
        self._readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._counts: dict[str, int] = {}

    # -- the database ------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    def open(self) -> None:
        """Open (or create) the database and migrate an older version's JSON files into it (idempotent).

        Raises :class:`LocalSesStoreError` when the file is not a usable database, or a JSON file to
        migrate is unreadable — one line naming the file.
        """
        with self._open_lock:
            if self._writer is not None:
                return
            self.root.mkdir(parents=True, exist_ok=True)
            try:
                conn = self._connect()
            except sqlite3.Error as exc:
                raise LocalSesStoreError(f"{self.db_path}: the local SES store cannot be opened ({exc}); "
                                         "move it away to start afresh.") from None
            try:
                if conn.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() != "wal":
                    raise sqlite3.OperationalError("WAL mode is not available")
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise LocalSesStoreError(
                        f"{self.db_path}: written by a newer ses-workbench (schema {version}); upgrade, or "
                        "move the file away to start afresh.")
                conn.executescript(_SCHEMA)
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                moved = self._migrate(conn)
                self._counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                                for t in _COUNTED}
                self.sent = [[float(m), float(n)] for m, n in
                             conn.execute("SELECT minute, recipients FROM sent ORDER BY minute")]
            except sqlite3.DatabaseError as exc:
                conn.close()
                raise LocalSesStoreError(f"{self.db_path}: the local SES store cannot be opened ({exc}); "
                                         "move it away to start afresh.") from None
            except BaseException:
                conn.close()
                raise
            self._writer = conn
        if moved:
            _fsync_dir(self.root)

    def _ensure_open(self) -> sqlite3.Connection:
        if self._writer is None:
            self.open()
        assert self._writer is not None
        return self._writer

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        self._ensure_open()
        try:
            conn = self._readers.get_nowait()
        except queue.Empty:
            conn = self._connect()
            conn.execute("PRAGMA query_only=1")
        try:
            yield conn
        finally:
            if self._writer is None or self._readers.qsize() >= _READERS:
                conn.close()
            else:
                self._readers.put(conn)

    def _read_one(self, sql: str, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        with self._reader() as conn:
            row: tuple[Any, ...] | None = conn.execute(sql, args).fetchone()
            return row

    def _read_all(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._reader() as conn:
            return conn.execute(sql, args).fetchall()

    def _count(self, table: str) -> int:
        self._ensure_open()
        return self._counts[table]

    def _write(self, tables: frozenset[str], change: Callable[[sqlite3.Connection], None]) -> None:
        """Run ``change`` in one transaction and commit it, or roll it back and raise StoreWriteError."""
        with self._write_lock:
            conn = self._ensure_open()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    change(conn)
                    _commit(conn, tables)
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise StoreWriteError(f"cannot write {self.db_path}: {exc}") from None

    def _migrate(self, conn: sqlite3.Connection) -> bool:
        """On the first open of a state folder: import ``templates.json``, ``identities.json`` and
        ``account.json`` (the store before SQLite), ``custom-verification.json`` (before schema 2) and
        index the outbox, in one transaction; then move the JSON files into ``json-backup-<UTC>/``.  True
        if files were moved."""
        present = [name for name in _JSON_FILES if (self.root / name).is_file()]
        cv = (self.root / _CV_JSON).is_file()
        conn.execute("BEGIN IMMEDIATE")
        try:
            if present and conn.execute("SELECT 1 FROM meta WHERE key = 'json_migrated'").fetchone() is None:
                self._import_json(conn)
                conn.execute("INSERT INTO meta VALUES ('json_migrated', ?)", (str(time.time()),))
            if cv and conn.execute("SELECT 1 FROM meta WHERE key = 'cv_json_migrated'").fetchone() is None:
                self._import_cv_json(conn)
                conn.execute("INSERT INTO meta VALUES ('cv_json_migrated', ?)", (str(time.time()),))
            if conn.execute("SELECT 1 FROM meta WHERE key = 'outbox_indexed'").fetchone() is None:
                self._index_outbox(conn)
                conn.execute("INSERT INTO meta VALUES ('outbox_indexed', ?)", (str(time.time()),))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if cv:
            present.append(_CV_JSON)
        if not present:
            return False
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        backup = self.root / f"json-backup-{stamp}"
        backup.mkdir()
        for name in present:
            os.replace(self.root / name, backup / name)
        return True

    def _import_json(self, conn: sqlite3.Connection) -> None:
        templates = _load_json(self.root / "templates.json", {"templates": []})
        identities = _load_json(self.root / "identities.json", {"identities": []})
        account = _load_json(self.root / "account.json", {"sent": []})
        try:
            for rec in templates["templates"]:
                rec.setdefault("version", uuid.uuid4().hex)
                conn.execute("INSERT OR REPLACE INTO templates VALUES (?, ?, ?)",
                             (str(rec["name"]), float(rec["created"]), _dumps(rec)))
            for rec in identities["identities"]:
                conn.execute("INSERT OR REPLACE INTO identities VALUES (?, ?)",
                             (str(rec["key"]), _dumps(rec)))
            for minute, count in account["sent"]:
                conn.execute("INSERT OR REPLACE INTO sent VALUES (?, ?)", (float(minute), float(count)))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise LocalSesStoreError(f"{self.root}: the local SES state to migrate has an unexpected shape "
                                     f"({exc!r}); move the JSON files away to start afresh.") from None

    def _import_cv_json(self, conn: sqlite3.Connection) -> None:
        data = _load_json(self.root / _CV_JSON, {})
        try:
            for name, rec in dict(data.get("templates", {})).items():
                if not isinstance(rec, dict):
                    raise TypeError(f"template {name!r} is not an object")
                conn.execute("INSERT OR REPLACE INTO cv_templates VALUES (?, ?)", (str(name), _dumps(rec)))
            for token, rec in dict(data.get("tokens", {})).items():
                if not isinstance(rec, dict):
                    raise TypeError(f"token {token!r} is not an object")
                conn.execute("INSERT OR REPLACE INTO cv_tokens VALUES (?, ?)", (str(token), _dumps(rec)))
        except (TypeError, ValueError, AttributeError) as exc:
            raise LocalSesStoreError(f"{self.root / _CV_JSON}: the custom verification state to migrate has "
                                     f"an unexpected shape ({exc}); move the file away to start afresh.") \
                from None

    def _index_outbox(self, conn: sqlite3.Connection) -> None:
        if not self.outbox.is_dir():
            return
        for path in self.outbox.glob("*.eml"):
            stamp, sep, message_id = path.stem.partition("Z-")
            if not sep:
                continue
            try:
                ts = datetime.strptime(stamp, "%Y%m%dT%H%M%S.%f").replace(tzinfo=timezone.utc).timestamp()
            except ValueError:
                continue
            conn.execute("INSERT OR IGNORE INTO outbox VALUES (?, ?, ?)", (message_id, path.name, ts))

    # -- templates and identities --------------------------------------------------------------
    def put_template(self, rec: dict[str, Any]) -> None:
        """Create or replace one template record (one transaction), then count it."""
        name = rec["name"]
        existed: list[bool] = []

        def change(conn: sqlite3.Connection) -> None:
            existed.append(conn.execute("SELECT 1 FROM templates WHERE name = ?", (name,)).fetchone()
                           is not None)
            conn.execute("INSERT OR REPLACE INTO templates VALUES (?, ?, ?)",
                         (name, float(rec["created"]), _dumps(rec)))

        with self._write_lock:
            self._write(frozenset({"templates"}), change)
            if not existed[0]:
                self._counts["templates"] += 1

    def delete_template(self, name: str) -> None:
        self._delete("templates", "name", name)

    def template_page(self, after: str | None, size: int) -> tuple[list[tuple[str, float]], bool]:
        """Up to ``size`` (name, created) pairs after ``after`` in name order, and whether more follow."""
        rows = self._read_all("SELECT name, created FROM templates WHERE name > ? ORDER BY name LIMIT ?",
                              (after or "", size + 1))
        return [(row[0], row[1]) for row in rows[:size]], len(rows) > size

    def put_identities(self, *recs: dict[str, Any]) -> None:
        """Create or replace identity records, all in one transaction."""
        self._put([("identities", str(rec["key"]), rec) for rec in recs])

    def delete_identity(self, key: str) -> None:
        self._delete("identities", _KEY_COLUMNS["identities"], key)

    # -- custom verification templates and their links ------------------------------------------
    def put_custom_verification(self, *, template: dict[str, Any] | None = None,
                                token: tuple[str, dict[str, Any]] | None = None,
                                identities: tuple[dict[str, Any], ...] = ()) -> None:
        """Create or replace a custom verification template record, a link's record and identity records,
        all in one transaction (a send's new PENDING identity and its link, or a used link and the
        identity it verified, are written together or not at all)."""
        rows = [("cv_templates", str(template["TemplateName"]), template)] if template is not None else []
        if token is not None:
            rows.append(("cv_tokens", token[0], token[1]))
        rows += [("identities", str(rec["key"]), rec) for rec in identities]
        self._put(rows)

    def delete_custom_verification_template(self, name: str) -> None:
        self._delete("cv_templates", _KEY_COLUMNS["cv_templates"], name)

    def _put(self, rows: list[tuple[str, str, dict[str, Any]]]) -> None:
        """Create or replace ``(table, key, record)`` rows of the key → record tables in one transaction,
        then count the new keys."""
        added: dict[str, int] = {}

        def change(conn: sqlite3.Connection) -> None:
            added.clear()
            for table, key, rec in rows:
                column = _KEY_COLUMNS[table]
                if conn.execute(f"SELECT 1 FROM {table} WHERE {column} = ?", (key,)).fetchone() is None:
                    added[table] = added.get(table, 0) + 1
                conn.execute(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)", (key, _dumps(rec)))

        with self._write_lock:
            self._write(frozenset(table for table, _, _ in rows), change)
            for table, n in added.items():
                self._counts[table] += n

    def _delete(self, table: str, column: str, key: str) -> None:
        gone: list[int] = []

        def change(conn: sqlite3.Connection) -> None:
            gone.append(conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (key,)).rowcount)

        with self._write_lock:
            self._write(frozenset({table}), change)
            self._counts[table] -= gone[0]

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

    # -- what a send records: the 24-hour count, the outbox index, events ------------------------
    def flush(self) -> None:
        """Make what the sends since the last flush recorded durable: sync the event log and the new
        ``.eml`` files, then write the changed sending minutes and the outbox index in one transaction.

        On failure (StoreWriteError/OSError) everything stays pending in memory for the next flush.
        """
        with self._write_lock:
            if self._events_unsynced and self._events is not None and not self._events.closed:
                os.fsync(self._events.fileno())
                self._events_unsynced = False
            if self._outbox_unsynced:
                _fsync_dir(self.outbox)
                self._outbox_unsynced = False
            if not self._sent_dirty and not self._outbox_pending and not self._sent_cutoff:
                return
            minutes = {m: n for m, n in self.sent if m in self._sent_dirty}
            pending = dict(self._outbox_pending)
            cutoff = self._sent_cutoff

            def change(conn: sqlite3.Connection) -> None:
                if cutoff:
                    conn.execute("DELETE FROM sent WHERE minute <= ?", (cutoff,))
                conn.executemany("INSERT OR REPLACE INTO sent VALUES (?, ?)", minutes.items())
                conn.executemany("INSERT OR IGNORE INTO outbox VALUES (?, ?, ?)",
                                 [(mid, name, ts) for mid, (name, ts) in pending.items()])

            self._write(frozenset({"sent", "outbox"}), change)
            self._sent_dirty -= set(minutes)
            for mid in pending:
                self._outbox_pending.pop(mid, None)
            if self._sent_cutoff == cutoff:
                self._sent_cutoff = 0.0

    def save_account(self) -> None:
        """The older name of :meth:`flush`."""
        self.flush()

    def sent_last_24h(self, now: float | None = None) -> float:
        now = time.time() if now is None else now
        return sum(n for minute, n in self.sent if minute > now - DAY)

    def record_sent(self, recipients: int, now: float | None = None, save: bool = True) -> None:
        """Count ``recipients`` against the 24-hour quota (minute buckets, older ones dropped).

        ``save=False`` leaves the write to a later :meth:`flush` (one write per bulk call).
        """
        now = time.time() if now is None else now
        minute = float(int(now // 60 * 60))
        with self._write_lock:
            if self.sent and self.sent[0][0] <= now - DAY - 60:
                self._sent_cutoff = max(self._sent_cutoff, now - DAY - 60)
                self.sent = [entry for entry in self.sent if entry[0] > now - DAY - 60]
                self._sent_dirty = {m for m in self._sent_dirty if m > now - DAY - 60}
            if self.sent and self.sent[-1][0] == minute:
                self.sent[-1][1] += recipients
            else:
                self.sent.append([minute, float(recipients)])
            self._sent_dirty.add(minute)
        if save:
            self.flush()

    def append_event(self, event: dict[str, Any]) -> None:
        """Append one event line (the file stays open in append mode; each line is flushed to the OS,
        and synced at the next :meth:`flush`)."""
        with self._write_lock:
            if self._events is None or self._events.closed:
                self.root.mkdir(parents=True, exist_ok=True)
                self._events = open(self.events_path, "a", encoding="utf-8")
            self._events.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
            self._events.flush()
            self._events_unsynced = True

    def write_eml(self, message_id: str, data: bytes, when: float | None = None) -> Path:
        """Write one delivered message (synced) and queue its outbox index row for the next flush."""
        ts = time.time() if when is None else when
        stamp = datetime.fromtimestamp(ts, timezone.utc)
        name = f"{stamp.strftime('%Y%m%dT%H%M%S.%f')}Z-{message_id}.eml"
        path = self.outbox / name
        _write_atomic(path, data, sync=True)
        with self._write_lock:
            self._outbox_pending[message_id] = (name, ts)
            self._outbox_unsynced = True
        return path

    def outbox_file(self, message_id: str) -> Path | None:
        """The ``.eml`` of one delivered message, from the outbox index (None: not delivered here)."""
        with self._write_lock:
            pending = self._outbox_pending.get(message_id)
        if pending is not None:
            return self.outbox / pending[0]
        row = self._read_one("SELECT file FROM outbox WHERE message_id = ?", (message_id,))
        if row is None:
            return None
        path = self.outbox / row[0]
        return path if path.is_file() else None

    def close(self) -> None:
        """Write what is pending (best effort), close the events file and every connection (the next
        use opens them again)."""
        try:
            self.flush()
        except OSError:
            pass
        with self._write_lock:
            if self._events is not None:
                self._events.close()
                self._events = None
            with self._open_lock:
                writer, self._writer = self._writer, None
                while True:
                    try:
                        self._readers.get_nowait().close()
                    except queue.Empty:
                        break
                if writer is not None:
                    writer.close()


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
