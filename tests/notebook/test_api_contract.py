"""Issue 5's notebook contract, method by method: every listed method exists, returns an object that
shows itself (``_repr_html_``), and outward actions (push, send) touch nothing without ``yes=True``.

The SES client's one entry point (``SesClient._call``) is wrapped to record every operation the
workbench sends, so "nothing happened" is asserted on the calls themselves, and on the local endpoint's
store (templates, outbox, events) — with a positive control (``yes=True`` does write there).
"""

from __future__ import annotations

import copy
import inspect
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from ses_workbench import Workbench
from tests.notebook.nb_helpers import assert_inert

#: SES operations that only read.
READS = {"ListEmailTemplates", "GetEmailTemplate", "GetAccount", "ListEmailIdentities", "GetEmailIdentity"}
#: What must never happen without yes=True.
WRITES = {"CreateEmailTemplate", "UpdateEmailTemplate", "DeleteEmailTemplate", "SendEmail", "SendBulkEmail"}


@pytest.fixture
def wb(project_copy: Path) -> Iterator[Workbench]:
    bench = Workbench(project_copy)
    yield bench
    bench.close()


def record_calls(wb: Workbench, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SES operation the workbench's client sends from now on, by name."""
    client = wb.client()
    calls: list[str] = []
    real = client._call

    def spy(operation: str, **kw: Any) -> Any:
        calls.append(operation)
        return real(operation, **kw)

    monkeypatch.setattr(client, "_call", spy)
    return calls


def local_store(project: Path) -> dict[str, Any]:
    """What the local endpoint holds: stored templates, outbox messages, events."""
    root = project / ".ses-workbench" / "local-ses"
    db = root / "store.db"
    events = root / "events.jsonl"
    outbox = root / "outbox"
    templates: list[Any] = []
    if db.exists():
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            templates = conn.execute("SELECT name, rec FROM templates ORDER BY name").fetchall()
    return {
        "templates": templates,
        "outbox": sorted(p.name for p in outbox.glob("*.eml")) if outbox.is_dir() else [],
        "events": events.read_bytes() if events.exists() else b"",
    }


def test_signature_and_export() -> None:
    import ses_workbench
    from ses_workbench.notebook import Workbench as Direct

    assert ses_workbench.Workbench is Direct
    params = inspect.signature(Workbench).parameters
    assert params["path"].default == "." and params["env"].default is None
    for method in ("push", "send"):
        yes = inspect.signature(getattr(Workbench, method)).parameters["yes"]
        # keyword-only and off by default: wb.push("x", True) cannot push by accident
        assert yes.default is False and yes.kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.timeout(300)
def test_push_and_send_do_nothing_without_yes(wb: Workbench, project_copy: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    calls = record_calls(wb, monkeypatch)
    client = wb.client()

    # a push plan for two new templates: reads only, nothing stored
    before = local_store(project_copy)
    plan = wb.push(["welcome", "order-receipt"])
    assert not plan.executed and "nothing pushed" in plan._repr_html_()
    assert set(calls) <= READS and not set(calls) & WRITES, calls
    assert local_store(project_copy) == before
    assert client.list_templates() == []
    with pytest.raises(TypeError):
        wb.push("welcome", True)  # type: ignore[misc]  # yes is keyword-only

    # positive control: yes=True does write (so the checks above look at the right places)
    calls.clear()
    done = wb.push(["welcome", "order-receipt"], yes=True)
    assert done.executed and "CreateEmailTemplate" in calls
    assert sorted(t.name for t in client.list_templates()) == ["order-receipt", "welcome"]

    # an update is planned, not made
    pushed = client.get_template("welcome")
    assert pushed is not None
    tpl = wb.template("welcome")
    tpl.write_part("subject", "Changed locally {{firstName}}\n")
    calls.clear()
    before = local_store(project_copy)
    plan = wb.push("welcome")
    assert [i.action for i in plan.plan.items] == ["update"] and not plan.executed
    assert not set(calls) & WRITES, calls
    assert local_store(project_copy) == before
    assert client.get_template("welcome") == pushed

    # a send preview sends nothing: no call, no message in the outbox, no event
    calls.clear()
    before = local_store(project_copy)
    preview = wb.send("order-receipt", to="success@simulator.amazonses.com", fixtures=["default", "minimal"])
    assert not preview.executed and len(preview.rows) == 2
    assert "nothing sent" in preview._repr_html_()
    assert not set(calls) & WRITES, calls
    assert local_store(project_copy) == before
    with pytest.raises(TypeError):
        wb.send("order-receipt", "success@simulator.amazonses.com", None, True)  # type: ignore[misc]

    # positive control: yes=True sends, and the outbox receives the messages
    calls.clear()
    sent = wb.send("order-receipt", to="success@simulator.amazonses.com", fixtures=["default", "minimal"],
                   yes=True)
    assert sent.executed and {"SendEmail", "SendBulkEmail"} & set(calls)
    assert len(local_store(project_copy)["outbox"]) == len(before["outbox"]) + 2
    # the send report is a table: one row per message with its status and MessageId
    page = sent._repr_html_()
    assert_inert(page)
    assert "<th>MessageId</th>" in page and page.count("SUCCESS") == 2


@pytest.mark.timeout(300)
def test_every_method_returns_an_object_that_shows_itself(wb: Workbench, project_copy: Path) -> None:
    """The issue's list: templates, render, lint, check, status, diff, push, remote_render, parity, send."""
    base = wb.template("order-receipt").fixture().data
    rows = [copy.deepcopy(base) for _ in range(5)]
    del rows[1]["customer"]["firstName"]
    wb.push("order-receipt", yes=True)
    wb.template("order-receipt").write_part(
        "subject", (wb.template("order-receipt").source("subject") or "").rstrip("\n") + " (edited)\n")

    results: dict[str, Any] = {
        "templates": wb.templates,
        "render": wb.render("order-receipt", "minimal"),
        "render(data=)": wb.render("order-receipt", data=json.dumps(base)),
        "lint": wb.lint(),
        "check": wb.check("order-receipt", rows),
        "status": wb.status(),
        "diff": wb.diff("order-receipt"),
        "push": wb.push("order-receipt"),
        "remote_render": wb.remote_render("order-receipt", "default"),
        "parity": wb.parity("order-receipt"),
        "send": wb.send("order-receipt", "success@simulator.amazonses.com", ["default"]),
    }
    for what, obj in results.items():
        page = obj._repr_html_()
        assert isinstance(page, str) and page.startswith("<style>"), what
        assert_inert(page)
        assert repr(obj), what  # a plain-text form too (terminals, logs)

    assert wb.environment == "local"  # env=None: the project's default, the embedded endpoint
    assert "order-receipt" in results["templates"]
    assert wb.templates() == wb.templates == sorted(wb.templates)  # property or call, both work
    assert results["render"].ok and "<iframe sandbox=" in results["render"]._repr_html_()
    assert results["check"].failing == 1 and results["check"].failures[0].row == 2
    assert results["diff"].changed and "(edited)" in results["diff"]._repr_html_()
    assert results["remote_render"].ok and "rendered by SES" in results["remote_render"]._repr_html_()
    # parity compares the local render with SES's render of the same (local, edited) content
    assert results["parity"].same and "local render same as SES" in results["parity"]._repr_html_()
    assert "nothing sent" in results["send"]._repr_html_()
    # nothing scratch was left behind by remote_render/parity (they use a scratch copy for local edits)
    assert [t.name for t in wb.client().list_templates(include_scratch=True)] == ["order-receipt"]


def test_rendered_email_shows_sender_recipients_text_and_lint(project_copy: Path) -> None:
    tpl = project_copy / "lintme"
    (tpl / "data").mkdir(parents=True)
    (tpl / "subject.txt").write_text("Hi {{name}}\n")
    (tpl / "body.html").write_text("<p>{{#if a.b}}x{{/if}} Hello {{name}}</p>\n")
    (tpl / "data" / "default.json").write_text('{"name": "Ann"}')
    wb = Workbench(project_copy)
    view = wb.render("lintme")
    assert view.ok and view.subject == "Hi Ann"
    page = view._repr_html_()
    assert_inert(page)
    assert "Acme &lt;noreply@acme.test&gt;" in page                    # from (escaped)
    assert "qa@acme.test, success@simulator.amazonses.com" in page     # to: the test recipients
    assert "<summary>text part</summary>" in page and "Hello Ann" in page
    assert "<b>lint</b>" in page and "uncertain-if-path" in page       # the template's lint problems
    assert "&gt;&lt;p&gt; Hello Ann&lt;/p&gt;" in page                 # the HTML, inside the iframe only
    wb.close()


def test_environment_is_chosen_by_name(project_copy: Path) -> None:
    from ses_workbench.errors import WorkbenchError

    wb = Workbench(project_copy, env="staging")
    assert "not connected" in repr(wb)  # nothing is opened before the first SES call
    with pytest.raises(WorkbenchError, match=r"known: local, production, staging"):
        Workbench(project_copy, env="nope").client()


def test_optional_packages_stay_optional() -> None:
    """pandas is never a dependency and ipywidgets only the [jupyter] extra: importing the notebook API
    (and rendering/checking with it) must not import either."""
    import subprocess
    import sys
    import tomllib

    meta = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]
    assert not any(d.startswith(("pandas", "ipywidgets")) for d in meta["dependencies"])
    assert any(d.startswith("ipywidgets") for d in meta["optional-dependencies"]["jupyter"])
    code = ("import sys; from ses_workbench import Workbench; import ses_workbench.notebook; "
            "print(sorted(m for m in ('pandas', 'ipywidgets', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"
