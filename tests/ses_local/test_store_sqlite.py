"""The endpoint's SQLite store: a state folder of the JSON format is migrated on start (nothing lost, the
old files kept), a second process reads the database while the endpoint writes, many boto3 clients at
once leave it consistent, and an unreadable database is one line."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from ses_workbench.ses.local import LocalSes, LocalSesSettings, LocalSesStoreError
from ses_workbench.ses.local import store as store_module

from .conftest import FAST, SENDER, killed_after, make_client

CONTENT = {"Subject": "Hi {{name}}", "Html": "<p>Hello {{name}}</p>", "Text": "Hello {{name}}"}
SIMPLE = {"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}}


def _read_only(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)


def _old_format(root: Path, now: float) -> dict[str, bytes]:
    """A state folder as the JSON store wrote it (indent=1, sorted, one file per kind)."""
    root.mkdir(parents=True)
    minute = float(int(now // 60 * 60))
    files = {
        "templates.json": {"templates": [
            {"name": "legacy", "content": CONTENT, "created": now - 100, "updated": now - 50,
             "version": "v1", "tags": [{"Key": "team", "Value": "mail"}]},
            # written before records carried a version id
            {"name": "old-no-version", "content": {"Subject": "S", "Text": "T"}, "created": now - 90,
             "updated": now - 90, "tags": []},
        ]},
        "identities.json": {"identities": [
            {"key": "pending@example.org", "name": "pending@example.org", "type": "EMAIL_ADDRESS",
             "status": "PENDING", "created": now, "source": "api"},
            {"key": SENDER, "name": SENDER, "type": "EMAIL_ADDRESS", "status": "SUCCESS", "created": now,
             "source": "config"},
        ]},
        "account.json": {"sent": [[minute - 120, 3.0], [minute, 4.0]]},
    }
    data = {}
    for name, obj in files.items():
        data[name] = json.dumps(obj, ensure_ascii=False, indent=1).encode("utf-8")
        (root / name).write_bytes(data[name])
    (root / "outbox").mkdir()
    message_id = "0000018f-old-message-000000"
    (root / "outbox" / f"20261207T080000.123456Z-{message_id}.eml").write_bytes(b"Subject: x\n\nold")
    event = {"eventType": "Send", "mail": {"messageId": message_id}}
    (root / "events.jsonl").write_text(json.dumps(event) + "\n")
    return data


def test_a_json_store_is_migrated_on_start_nothing_lost_the_files_kept(state_dir: Path,
                                                                       start_ses: Any) -> None:
    root = state_dir / "local-ses"
    old = _old_format(root, time.time())
    ses = start_ses()
    client = make_client(ses.endpoint_url)

    assert client.get_email_template(TemplateName="legacy")["TemplateContent"] == CONTENT
    assert client.get_email_template(TemplateName="legacy")["Tags"] == [{"Key": "team", "Value": "mail"}]
    out = client.test_render_email_template(TemplateName="old-no-version", TemplateData="{}")
    assert "Subject: S" in out["RenderedTemplate"]
    listed = client.list_email_templates()["TemplatesMetadata"]
    assert [t["TemplateName"] for t in listed] == ["legacy", "old-no-version"]
    assert client.get_email_identity(EmailIdentity="pending@example.org")["VerificationStatus"] == "PENDING"
    assert client.get_account()["SendQuota"]["SentLast24Hours"] == 7.0
    assert ses.outbox_message("0000018f-old-message-000000") is not None  # the outbox is indexed
    assert [e["mail"]["messageId"] for e in ses.events()] == ["0000018f-old-message-000000"]

    # The old files are moved aside byte for byte, so an older version cannot see half a state.
    [backup] = root.glob("json-backup-*")
    assert {p.name: p.read_bytes() for p in backup.iterdir()} == old
    assert not any((root / name).exists() for name in old)

    # The migrated state is the store now: changes survive a restart, and nothing is migrated twice.
    client.create_email_template(TemplateName="new", TemplateContent=CONTENT)
    client.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": [SENDER]}, Content=SIMPLE)
    ses.stop()
    again = make_client(start_ses().endpoint_url)
    names = [t["TemplateName"] for t in again.list_email_templates()["TemplatesMetadata"]]
    assert names == ["legacy", "new", "old-no-version"]
    assert again.get_account()["SendQuota"]["SentLast24Hours"] == 8.0
    assert len(list(root.glob("json-backup-*"))) == 1


@pytest.mark.parametrize(("name", "text", "match"), [
    ("templates.json", '{"templates": [{"content": {}}]}', "unexpected shape"),
    ("custom-verification.json", '{"templates": {"x": "not an object"}}',
     "custom-verification.json: .*unexpected shape"),
])
def test_a_json_store_of_the_wrong_shape_is_one_line_and_moves_nothing(state_dir: Path, name: str, text: str,
                                                                       match: str) -> None:
    root = state_dir / "local-ses"
    root.mkdir(parents=True)
    (root / name).write_text(text)
    ses = LocalSes(state_dir, LocalSesSettings(**FAST))
    with pytest.raises(LocalSesStoreError, match=match) as info:
        ses.start()
    assert "\n" not in str(info.value)
    assert (root / name).is_file() and not list(root.glob("json-backup-*"))
    assert not ses.running and not (root / "endpoint.lock").exists()  # the lock is released


def test_a_file_that_is_not_a_database_is_one_line(state_dir: Path) -> None:
    root = state_dir / "local-ses"
    root.mkdir(parents=True)
    (root / "store.db").write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(LocalSesStoreError, match=r"store\.db: the local SES store cannot be opened") as info:
        LocalSes(state_dir, LocalSesSettings(**FAST)).start()
    assert "\n" not in str(info.value)


_READER = r"""
import json, sqlite3, sys
db, wanted = sys.argv[1], int(sys.argv[2])
conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
seen, reads = [], 0
print("ready", conn.execute("SELECT count(*) FROM templates").fetchone()[0], flush=True)
sys.stdin.readline()  # the writers start now
while not seen or seen[-1] < wanted:
    rows = conn.execute("SELECT name, rec FROM templates").fetchall()
    for name, rec in rows:  # every row a reader sees is a whole, committed record
        assert json.loads(rec)["name"] == name, name
    if not seen or len(rows) != seen[-1]:
        seen.append(len(rows))
    reads += 1
print(json.dumps({"seen": seen, "reads": reads}), flush=True)
"""


def test_a_second_process_reads_the_store_while_the_endpoint_writes(start_ses: Any) -> None:
    ses = start_ses()
    wanted = 240
    reader = subprocess.Popen([sys.executable, "-c", _READER, str(ses.store_dir / "store.db"), str(wanted)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        assert reader.stdout is not None and reader.stdin is not None
        assert reader.stdout.readline().split() == ["ready", "0"]  # its connection is open
        reader.stdin.write("go\n")
        reader.stdin.flush()
        clients = [make_client(ses.endpoint_url) for _ in range(8)]

        def create(i: int) -> None:
            clients[i % 8].create_email_template(TemplateName=f"t{i:04d}", TemplateContent=CONTENT)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(create, range(wanted)))
        out, err = reader.communicate(timeout=120)
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    assert reader.returncode == 0, err
    seen = json.loads(out)["seen"]
    assert seen == sorted(seen) and seen[-1] == wanted  # it only ever saw the store grow, to the end


def test_many_boto3_clients_at_once_leave_the_store_consistent(start_ses: Any) -> None:
    ses = start_ses()
    clients = [make_client(ses.endpoint_url) for _ in range(16)]
    won: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        client = clients[i % 16]
        try:
            client.create_email_template(TemplateName=f"own-{i:03d}", TemplateContent=CONTENT)
            client.update_email_template(TemplateName=f"own-{i:03d}",
                                         TemplateContent={**CONTENT, "Subject": f"v2 {i}"})
            try:  # everyone races for the same few names: exactly one create of each wins
                client.create_email_template(TemplateName=f"shared-{i % 5}", TemplateContent=CONTENT)
                with lock:
                    won.append(i % 5)
            except client.exceptions.AlreadyExistsException:
                pass
            if i % 3 == 0:
                client.delete_email_template(TemplateName=f"own-{i:03d}")
            client.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": [SENDER]}, Content=SIMPLE)
        except Exception as exc:
            with lock:
                errors.append(repr(exc))

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(work, range(160)))
    assert errors == []
    assert sorted(won) == [0, 1, 2, 3, 4]
    expected = sorted([f"own-{i:03d}" for i in range(160) if i % 3] + [f"shared-{k}" for k in range(5)])
    client = clients[0]
    listed: list[str] = []
    kwargs: dict[str, Any] = {"PageSize": 100}
    while True:
        page = client.list_email_templates(**kwargs)
        listed += [t["TemplateName"] for t in page["TemplatesMetadata"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert listed == expected
    assert len(ses.store.templates) == len(expected)  # the kept count agrees with the rows
    assert client.get_email_template(TemplateName="own-001")["TemplateContent"]["Subject"] == "v2 1"
    assert client.get_account()["SendQuota"]["SentLast24Hours"] == 160.0
    with closing(_read_only(ses.store_dir / "store.db")) as db:
        assert [r[0] for r in db.execute("SELECT name FROM templates ORDER BY name")] == expected
        assert db.execute("SELECT sum(recipients) FROM sent").fetchone()[0] == 160.0
        assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 160  # indexed before each 200
    assert len(ses.outbox_messages()) == 160


def test_a_failed_sending_record_write_is_kept_and_written_by_the_next_send(
        start_ses: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ses = start_ses()
    client = make_client(ses.endpoint_url)
    real = store_module._commit
    failing = [True]

    def disk_full(conn: sqlite3.Connection, tables: frozenset[str]) -> None:
        if failing[0] and "outbox" in tables:
            raise sqlite3.OperationalError("database or disk is full")
        real(conn, tables)

    monkeypatch.setattr(store_module, "_commit", disk_full)
    first = client.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": [SENDER]},
                              Content=SIMPLE)["MessageId"]
    assert ses.outbox_message(first) is not None  # delivered, and found while its index row waits
    db = ses.store_dir / "store.db"
    with closing(_read_only(db)) as conn:
        assert conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    failing[0] = False
    second = client.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": [SENDER]},
                               Content=SIMPLE)["MessageId"]
    with closing(_read_only(db)) as conn:
        assert {r[0] for r in conn.execute("SELECT message_id FROM outbox")} == {first, second}
        assert conn.execute("SELECT sum(recipients) FROM sent").fetchone()[0] == 2.0




def test_what_was_acknowledged_survives_a_killed_endpoint(state_dir: Path, start_ses: Any) -> None:
    """SIGKILL right after the answers: nothing the endpoint said 200 to is missing at the next start."""
    with killed_after(state_dir) as client:
        for i in range(20):
            client.create_email_template(TemplateName=f"t{i:02d}", TemplateContent=CONTENT)
        client.delete_email_template(TemplateName="t00")
        client.create_email_identity(EmailIdentity="new@example.org")
        sent = [client.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": [SENDER]},
                                  Content=SIMPLE)["MessageId"] for _ in range(3)]
    ses = start_ses()
    again = make_client(ses.endpoint_url)
    names = [t["TemplateName"] for t in again.list_email_templates(PageSize=100)["TemplatesMetadata"]]
    assert names == [f"t{i:02d}" for i in range(1, 20)]
    assert again.get_email_identity(EmailIdentity="new@example.org")["VerificationStatus"] == "PENDING"
    assert again.get_account()["SendQuota"]["SentLast24Hours"] == 3.0
    assert all(ses.outbox_message(m) is not None for m in sent)  # from the index written before each 200
    assert [e["mail"]["messageId"] for e in ses.events("Delivery")] == sent
