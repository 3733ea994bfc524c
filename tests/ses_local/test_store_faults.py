"""The store under failure: a write that fails (disk full) changes nothing the endpoint serves or
acknowledges; temporary files a killed endpoint left are removed at the next start; and the config's
"0 = unlimited" limits."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ses_workbench.project.config import load_config
from ses_workbench.ses.local import LocalSes, LocalSesSettings
from ses_workbench.ses.local import store as store_module

from .conftest import SENDER, ManualClock, make_client, refusal

CONTENT = {"Subject": "Hi", "Text": "Hello"}


class DiskFull:
    """The store's COMMIT failing as SQLite fails on a full disk, for transactions that change the named
    table, while ``failing`` is set."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.failing = True
        self._real = store_module._commit

    def __call__(self, conn: sqlite3.Connection, tables: frozenset[str]) -> None:
        if self.failing and self.table in tables:
            raise sqlite3.OperationalError("database or disk is full")
        self._real(conn, tables)


def test_a_failed_template_write_is_neither_acknowledged_nor_served(start_ses: Any,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    ses = start_ses()
    client = make_client(ses.endpoint_url)
    client.create_email_template(TemplateName="kept", TemplateContent=CONTENT)
    disk = DiskFull("templates")
    monkeypatch.setattr(store_module, "_commit", disk)

    assert refusal(lambda: client.create_email_template(TemplateName="t6", TemplateContent=CONTENT)) == \
        ("InternalFailure", 500)
    assert refusal(lambda: client.get_email_template(TemplateName="t6"))[0] == "NotFoundException"
    assert refusal(lambda: client.update_email_template(
        TemplateName="kept", TemplateContent={"Subject": "New", "Text": "x"}))[1] == 500
    assert client.get_email_template(TemplateName="kept")["TemplateContent"]["Subject"] == "Hi"
    assert refusal(lambda: client.delete_email_template(TemplateName="kept"))[1] == 500
    assert [t["TemplateName"] for t in client.list_email_templates()["TemplatesMetadata"]] == ["kept"]

    disk.failing = False  # space again: the retry of the create works (no AlreadyExistsException)
    client.create_email_template(TemplateName="t6", TemplateContent=CONTENT)
    ses.stop()
    again = make_client(start_ses().endpoint_url)
    assert {t["TemplateName"] for t in again.list_email_templates()["TemplatesMetadata"]} == {"kept", "t6"}


def test_a_failed_identity_write_changes_nothing(start_ses: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ses = start_ses()
    client = make_client(ses.endpoint_url)
    client.create_email_identity(EmailIdentity="pending@example.org")
    disk = DiskFull("identities")
    monkeypatch.setattr(store_module, "_commit", disk)
    assert refusal(lambda: client.create_email_identity(EmailIdentity="new@example.org"))[1] == 500
    assert refusal(lambda: client.get_email_identity(EmailIdentity="new@example.org"))[0] == \
        "NotFoundException"
    with pytest.raises(OSError):
        ses.verify_identity("pending@example.org")
    assert client.get_email_identity(EmailIdentity="pending@example.org")["VerificationStatus"] == "PENDING"
    assert refusal(lambda: client.delete_email_identity(EmailIdentity=SENDER))[1] == 500
    assert client.get_email_identity(EmailIdentity=SENDER)["VerificationStatus"] == "SUCCESS"


def test_a_failed_count_write_does_not_fail_a_delivered_send(start_ses: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Answering an error for a send that went out would make the client send it again."""
    ses = start_ses()
    client = make_client(ses.endpoint_url)
    disk = DiskFull("sent")
    monkeypatch.setattr(store_module, "_commit", disk)
    simple = {"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}}
    sent = client.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": [SENDER]}, Content=simple)
    assert ses.outbox_message(sent["MessageId"]) is not None
    assert client.get_account()["SendQuota"]["SentLast24Hours"] == 1.0  # counted, in memory
    disk.failing = False
    client.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": [SENDER]}, Content=simple)
    ses.stop()  # both are on disk now
    assert make_client(start_ses().endpoint_url).get_account()["SendQuota"]["SentLast24Hours"] == 2.0


def test_temp_files_of_a_killed_endpoint_are_removed_at_start(state_dir: Path, start_ses: Any) -> None:
    first = start_ses()
    make_client(first.endpoint_url).create_email_template(TemplateName="t", TemplateContent=CONTENT)
    first.stop()
    root = state_dir / "local-ses"
    stray = [root / ".templates.json.k3j2h1.tmp", root / ".identities.json.a8b9.tmp",
             root / "outbox" / ".20261207T000000.000000Z-x.eml.q1w2.tmp"]
    for path in stray:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("half a write")
    keep = [root / "store.db", root / "outbox" / "20261207T000000.000000Z-y.eml", root / "notes.tmp"]
    keep[1].write_text("a delivered message")
    keep[2].write_text("not ours")
    second = start_ses()
    assert [p for p in stray if p.exists()] == []
    assert all(p.exists() for p in keep)
    assert make_client(second.endpoint_url).get_email_template(TemplateName="t")["TemplateName"] == "t"


def test_zero_template_ops_per_second_means_unlimited(tmp_path: Path, state_dir: Path) -> None:
    (tmp_path / "ses-workbench.toml").write_text("[local_ses]\ntemplate_ops_per_second = 0\n")
    settings = LocalSesSettings.from_config(load_config(tmp_path).local_ses)
    assert not settings.template_ops_limited
    clock = ManualClock()  # time stands still: any limit would throttle
    with LocalSes(state_dir, settings, clock=clock) as ses:
        client = make_client(ses.endpoint_url)
        for i in range(30):
            client.create_email_template(TemplateName=f"t{i}", TemplateContent=CONTENT)


@pytest.mark.parametrize("value", ["-1", "-0.5", "true", '"fast"'])
def test_negative_or_non_numeric_limits_are_still_refused(tmp_path: Path, value: str) -> None:
    from ses_workbench.errors import WorkbenchError

    (tmp_path / "ses-workbench.toml").write_text(f"[local_ses]\ntemplate_ops_per_second = {value}\n")
    with pytest.raises(WorkbenchError,
                       match=r"template_ops_per_second must be 0 \(unlimited\) or a number above 0"):
        load_config(tmp_path)
