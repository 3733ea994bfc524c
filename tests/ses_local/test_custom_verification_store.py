"""Custom verification templates and their links in the endpoint's ``store.db``: a state folder of the
version that kept them in ``custom-verification.json`` opens with everything present (the file moved aside,
byte for byte), a second process reads them while the endpoint runs, and a write that fails changes
nothing — a send's new PENDING identity and its link, a used link and the identity it verified, go
together or not at all."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ses_workbench.ses.local import store as store_module

from .conftest import SENDER, killed_after, make_client, refusal
from .test_custom_verification import NO_URL, OK_URL, create, link_in, open_link, status
from .test_store_faults import DiskFull


def _schema_1(db: Path) -> None:
    """Turn a store.db back into what the version before custom verification tables left."""
    with sqlite3.connect(db) as conn:
        conn.executescript("DROP TABLE cv_templates; DROP TABLE cv_tokens; PRAGMA user_version=1;")


def _old_cv_file(root: Path, now: float) -> bytes:
    """``custom-verification.json`` as that version wrote it: a template and two links, one used."""
    template = {"TemplateName": "legacy-confirm", "FromEmailAddress": SENDER,
                "TemplateSubject": "Old subject", "TemplateContent": "<p>Confirm {{literally}}</p>",
                "SuccessRedirectionURL": OK_URL,
                "FailureRedirectionURL": NO_URL, "Tags": [{"Key": "team", "Value": "growth"}],
                "created": now - 100}
    tokens = {
        "tok-pending": {"identity": "waiting@example.org", "template": "legacy-confirm", "success": OK_URL,
                        "failure": NO_URL, "created": now - 50},
        "tok-used": {"identity": "done@example.org", "template": "legacy-confirm", "success": OK_URL,
                     "failure": NO_URL, "created": now - 60, "used": now - 40},
    }
    data = json.dumps({"version": 1, "templates": {"legacy-confirm": template}, "tokens": tokens},
                      ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    (root / "custom-verification.json").write_bytes(data)
    return data


def test_an_older_state_folder_opens_with_its_custom_verification_state(state_dir: Path,
                                                                          start_ses: Any) -> None:
    root = state_dir / "local-ses"
    ses = start_ses()
    client = make_client(ses.endpoint_url)
    client.create_email_template(TemplateName="email-kept", TemplateContent={"Subject": "s", "Text": "t"})
    client.create_email_identity(EmailIdentity="waiting@example.org")  # PENDING, its link not opened yet
    ses.stop()
    _schema_1(root / "store.db")
    old = _old_cv_file(root, time.time())

    ses = start_ses()
    client = make_client(ses.endpoint_url)
    got = client.get_custom_verification_email_template(TemplateName="legacy-confirm")
    assert (got["TemplateSubject"], got["TemplateContent"]) == ("Old subject", "<p>Confirm {{literally}}</p>")
    assert got["Tags"] == [{"Key": "team", "Value": "growth"}]
    listed = client.list_custom_verification_email_templates()["CustomVerificationEmailTemplates"]
    assert [t["TemplateName"] for t in listed] == ["legacy-confirm"]
    assert client.get_email_template(TemplateName="email-kept")["TemplateContent"]["Subject"] == "s"
    # the links sent before the upgrade: the pending one verifies its address, the used one stays used
    assert open_link(f"{ses.endpoint_url}/_local-ses/verify-link/tok-used") == (302, NO_URL)
    assert open_link(f"{ses.endpoint_url}/_local-ses/verify-link/tok-pending") == (302, OK_URL)
    assert status(client, "waiting@example.org") == "SUCCESS"
    # the JSON file is kept aside byte for byte; store.db holds the state now
    assert not (root / "custom-verification.json").exists()
    [backup] = root.glob("json-backup-*")
    assert (backup / "custom-verification.json").read_bytes() == old
    with sqlite3.connect(f"file:{root / 'store.db'}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA_VERSION
    ses.stop()
    again = make_client(start_ses().endpoint_url)  # nothing migrated twice, nothing lost at a restart
    assert again.get_custom_verification_email_template(TemplateName="legacy-confirm")["TemplateSubject"]
    assert len(list(root.glob("json-backup-*"))) == 1


def test_a_json_only_state_folder_is_migrated_too(state_dir: Path, start_ses: Any) -> None:
    root = state_dir / "local-ses"
    root.mkdir(parents=True)
    old = _old_cv_file(root, time.time())
    ses = start_ses()
    client = make_client(ses.endpoint_url)
    assert client.get_custom_verification_email_template(TemplateName="legacy-confirm")["FromEmailAddress"] \
        == SENDER
    [backup] = root.glob("json-backup-*")
    assert {p.name: p.read_bytes() for p in backup.iterdir()} == {"custom-verification.json": old}


_READER = r"""
import json, sqlite3, sys
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=30)
print(json.dumps([json.loads(rec)["TemplateSubject"] for (rec,) in
                  conn.execute("SELECT rec FROM cv_templates ORDER BY name")]))
"""


def test_another_process_reads_them_while_the_endpoint_runs(start_ses: Any) -> None:
    ses = start_ses()
    client = make_client(ses.endpoint_url)
    create(client)
    create(client, "second", TemplateSubject="Second")
    out = subprocess.run([sys.executable, "-c", _READER, str(ses.store_dir / "store.db")], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    assert json.loads(out) == ["Confirm your address", "Second"]


def test_a_failed_write_changes_nothing_and_is_not_acknowledged(start_ses: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    ses = start_ses()
    client = make_client(ses.endpoint_url)
    create(client)
    templates = DiskFull("cv_templates")
    monkeypatch.setattr(store_module, "_commit", templates)
    assert refusal(lambda: create(client, "lost")) == ("InternalFailure", 500)
    assert refusal(lambda: client.get_custom_verification_email_template(TemplateName="lost"))[0] == \
        "NotFoundException"
    assert refusal(lambda: client.update_custom_verification_email_template(
        TemplateName="confirm", FromEmailAddress=SENDER, TemplateSubject="New", TemplateContent="<p>x</p>",
        SuccessRedirectionURL=OK_URL, FailureRedirectionURL=NO_URL))[1] == 500
    assert refusal(lambda: client.delete_custom_verification_email_template(TemplateName="confirm"))[1] == 500
    got = client.get_custom_verification_email_template(TemplateName="confirm")
    assert got["TemplateSubject"] == "Confirm your address"

    # a send whose link cannot be stored: no PENDING identity either, no mail in the outbox
    links = DiskFull("cv_tokens")
    monkeypatch.setattr(store_module, "_commit", links)
    assert refusal(lambda: client.send_custom_verification_email(
        EmailAddress="new@example.org", TemplateName="confirm"))[1] == 500
    assert refusal(lambda: client.get_email_identity(EmailIdentity="new@example.org"))[0] == \
        "NotFoundException"
    assert ses.outbox_messages() == []
    links.failing = False
    client.send_custom_verification_email(EmailAddress="new@example.org", TemplateName="confirm")
    _msg, link = link_in(ses)
    # opening the link while the store cannot write: an error, and the link still works afterwards
    links.failing = True
    assert open_link(link)[0] == 500
    assert status(client, "new@example.org") == "PENDING"
    links.failing = False
    assert open_link(link) == (302, OK_URL)
    assert status(client, "new@example.org") == "SUCCESS"


def test_what_a_send_was_acknowledged_for_survives_a_killed_endpoint(state_dir: Path, start_ses: Any) -> None:
    """SIGKILL right after the answers: the template, the PENDING identity, the link, the outbox index and
    the events of a SendCustomVerificationEmail that got its 200 are all there at the next start."""
    with killed_after(state_dir) as client:
        create(client)
        sent = client.send_custom_verification_email(EmailAddress="later@example.org",
                                                     TemplateName="confirm")["MessageId"]
    ses = start_ses()
    again = make_client(ses.endpoint_url)
    got = again.get_custom_verification_email_template(TemplateName="confirm")
    assert got["SuccessRedirectionURL"] == OK_URL
    assert status(again, "later@example.org") == "PENDING"
    eml = ses.outbox_message(sent)  # from the outbox index, written before the 200
    assert eml is not None
    assert [e["eventType"] for e in ses.events(message_id=sent)] == ["Send", "Delivery"]
    _msg, link = link_in(ses)
    token = link.rsplit("/", 1)[1]
    assert open_link(f"{ses.endpoint_url}/_local-ses/verify-link/{token}") == (302, OK_URL)
