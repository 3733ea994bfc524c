"""Bulk test-send: every guard, batching, draft mode, per-entry retries, the JSON report."""

from __future__ import annotations

import json

import pytest

from ses_workbench.project import Project, TemplateContent
from ses_workbench.ses import send as S
from ses_workbench.ses import sync
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.errors import Refused
from ses_workbench.ses.local import LocalSes
from ses_workbench.ses.pacing import TokenBucket

from .conftest import MISSING_ID, ManualClock, make_client, settings

SIM = "success@simulator.amazonses.com"


@pytest.fixture
def pushed(project: Project, client: SesClient) -> SesClient:
    sync.push(client, project)
    return client


def test_simulator_and_address_helpers() -> None:
    assert S.is_simulator("success+abc@simulator.amazonses.com")
    assert S.is_simulator("Bounce <bounce@SIMULATOR.amazonses.com>")
    assert not S.is_simulator("other@simulator.amazonses.com")
    assert S.bare_address("QA <qa@x.test>") == "qa@x.test"


def test_send_pairs_and_report(project: Project, pushed: SesClient, server: LocalSes) -> None:
    to = ["qa@verified.test", "success+1@simulator.amazonses.com"]
    plan, report = S.send(pushed, project, "welcome", to, fixtures=["default", "no-plan"])
    assert plan.count == 4 and plan.ok and report is not None
    sim = "success+1@simulator.amazonses.com"
    assert [(o.recipient, o.fixture, o.status) for o in report.outcomes] == [
        ("qa@verified.test", "default", "SUCCESS"), (sim, "default", "SUCCESS"),
        ("qa@verified.test", "no-plan", "SUCCESS"), (sim, "no-plan", "SUCCESS")]
    assert all(o.message_id for o in report.outcomes)
    assert report.path is not None and report.path.parent == project.state_dir / "reports"
    saved = json.loads(report.path.read_text())
    assert saved["counts"] == {"SUCCESS": 4}
    assert set(saved["results"][0]) == {"recipient", "fixture", "status", "MessageId", "error", "attempts"}
    assert len(server.outbox_messages()) == 4


def test_batches_of_at_most_50(project: Project, pushed: SesClient) -> None:
    to = [f"success+{i}@simulator.amazonses.com" for i in range(120)]
    plan = S.plan_send(pushed, project, "receipt", to)
    before = pushed.stats["calls"]
    report = S.execute_send(pushed, project, plan)
    assert len(report.sent) == 120
    assert pushed.stats["calls"] - before == 3  # 50 + 50 + 20 (no other SES calls while sending)


def test_unverified_recipients_refused_with_offenders(project: Project, pushed: SesClient) -> None:
    plan = S.plan_send(pushed, project, "welcome", ["qa@verified.test", "a@else.test", "b@else.test", SIM])
    assert len(plan.refusals) == 1 and "a@else.test, b@else.test" in plan.refusals[0]
    with pytest.raises(Refused, match="a@else.test"):
        S.send(pushed, project, "welcome", ["a@else.test"])
    # --allow-unverified does not lift it in the sandbox.
    plan = S.plan_send(pushed, project, "welcome", ["a@else.test"], allow_unverified=True)
    assert plan.refusals and "sandbox" in plan.refusals[0]


def test_allow_unverified_in_production(project: Project) -> None:
    with LocalSes(project.state_dir, settings(sandbox=False), port=0) as ses:
        client = make_client(project, ses)
        sync.push(client, project, ["welcome"])
        plan = S.plan_send(client, project, "welcome", ["a@else.test"])
        assert plan.refusals  # refused whatever the account mode ...
        plan, report = S.send(client, project, "welcome", ["a@else.test"], allow_unverified=True)
        assert plan.warnings and report is not None and report.ok  # ... unless asked for


def test_sender_must_be_verified(project: Project, pushed: SesClient) -> None:
    plan = S.plan_send(pushed, project, "welcome", [SIM], sender="nobody@unverified.test")
    assert any("sender nobody@unverified.test" in r for r in plan.refusals)


def test_quota_guard_and_simulator_exemption(project: Project) -> None:
    with LocalSes(project.state_dir, settings(max_24h_send=2), port=0) as ses:
        client = make_client(project, ses)
        sync.push(client, project, ["welcome"])
        to = ["a@verified.test", "b@verified.test", "c@verified.test"]
        plan = S.plan_send(client, project, "welcome", to)
        assert plan.quota_left == 2 and any("24-hour quota" in r for r in plan.refusals)
        many_sims = [f"success+{i}@simulator.amazonses.com" for i in range(5)]
        plan = S.plan_send(client, project, "welcome", many_sims)
        assert plan.ok


def test_fixture_lint_guard_names_the_attribute(project: Project, pushed: SesClient) -> None:
    project.get("receipt").write_fixture("missing-id", MISSING_ID)
    plan = S.plan_send(pushed, project, "receipt", [SIM], fixtures=["missing-id"])
    assert plan.refusals and "order.id" in plan.refusals[0] and "missing-id" in plan.refusals[0]


def test_pushed_content_checked_against_fixtures(project: Project, pushed: SesClient) -> None:
    # Someone pushed a version that renders 'coupon': the default fixture lacks it, SES would drop it.
    pushed.update_template("welcome", TemplateContent("Hi {{name}} {{coupon}}", "<p>x</p>"))
    plan = S.plan_send(pushed, project, "welcome", [SIM])
    assert any("coupon" in r for r in plan.refusals)
    assert any("differs from the local files" in w for w in plan.warnings)


def test_not_pushed_is_refused_but_draft_works(project: Project, client: SesClient, server: LocalSes) -> None:
    plan = S.plan_send(client, project, "welcome", [SIM])
    assert any("not pushed" in r for r in plan.refusals)
    plan, report = S.send(client, project, "welcome", [SIM, "qa@verified.test"], draft=True)
    assert report is not None and len(report.sent) == 2
    assert client.list_templates() == []  # nothing deployed
    eml = server.outbox_messages()
    assert len(eml) == 2 and b"Hello Ada" in eml[0].read_bytes()


def test_dry_run_and_confirm(project: Project, pushed: SesClient, server: LocalSes) -> None:
    plan, report = S.send(pushed, project, "welcome", [SIM], dry_run=True)
    assert report is None and plan.count == 1
    seen = []
    plan, report = S.send(pushed, project, "welcome", [SIM], confirm=lambda p: seen.append(p) or False)
    assert report is None and len(seen) == 1 and server.outbox_messages() == []


def test_throttled_entries_are_retried(project: Project) -> None:
    # The endpoint's bucket runs on a manual clock that only the send's backoff sleeps move, so the
    # throttling does not depend on how long the machine takes over the 25 entries.
    clock = ManualClock()
    with LocalSes(project.state_dir, settings(max_send_rate=10), port=0, clock=clock) as ses:
        # Unpaced sends against a 10/s account (burst: 30): some entries come back ACCOUNT_THROTTLED.
        client = make_client(project, ses, send_bucket=TokenBucket(0), throttle_retries=0, max_attempts=1,
                             sleep=clock.advance)
        sync.push(client, project, ["welcome"])
        to = [f"success+{i}@simulator.amazonses.com" for i in range(45)]
        plan = S.plan_send(client, project, "welcome", to)
        report = S.execute_send(client, project, plan, retries=8, backoff=0.3, sleep=clock.advance)
        assert len(report.sent) == 45
        assert max(o.attempts for o in report.outcomes) > 1


def test_paced_sends_never_throttle(project: Project) -> None:
    with LocalSes(project.state_dir, settings(max_send_rate=20), port=0) as ses:
        client = make_client(project, ses, throttle_retries=0, max_attempts=1)
        sync.push(client, project, ["welcome"])
        to = [f"success+{i}@simulator.amazonses.com" for i in range(45)]
        plan = S.plan_send(client, project, "welcome", to)
        report = S.execute_send(client, project, plan, retries=0)
        failed = [(o.recipient, o.status, o.error) for o in report.failed]
        assert len(report.sent) == 45 and client.stats["throttled"] == 0, failed
        assert max(o.attempts for o in report.outcomes) == 1
        # batches (and burst) of half a second's worth: 10 at once, then 35 paced at ~20/s
        assert client.send_batch_size() == 10
        assert report.elapsed >= (45 - 10) / 20 * 0.95
