"""The SES use cases of a session, each run with a fake face: what it asks (``Ui.confirm``), and what
each answer — yes, no, force — does to SES and to the files, against the embedded local endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ses_workbench.project import Project, TemplateContent
from ses_workbench.session import Answer, Plan, Session, offload
from tests.conftest import CalibratedProject


class FakeUi:
    """Records every question and note, answers from ``answers`` in turn (then ``"no"``)."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.asked: list[Plan] = []
        self.notes: list[str] = []
        self.steps: list[tuple[int, int, str]] = []

    def progress(self, done: int, total: int, name: str) -> None:
        self.steps.append((done, total, name))

    def confirm(self, plan: Plan) -> Answer:
        self.asked.append(plan)
        return self.answers.pop(0) if self.answers else "no"

    def note(self, text: str, severity: str = "information") -> None:
        self.notes.append(text)


def fast(root: Path) -> None:
    """The local endpoint paces template operations at 50/s instead of the samples' 1/s."""
    toml = root / "ses-workbench.toml"
    toml.write_text(toml.read_text().replace("template_ops_per_second = 1\n",
                                             "template_ops_per_second = 50\n"))


@pytest.fixture
def session(sample_project: Project) -> Iterator[Session]:
    fast(sample_project.root)
    with Session(sample_project.root, local=True) as s:
        yield s


def remote_names(session: Session) -> set[str]:
    return {t.name for t in session.client().list_templates()}


def test_push_asks_once_and_no_pushes_nothing(session: Session) -> None:
    ui = FakeUi("no")
    result = session.push(["welcome"], ui)
    assert [p.question for p in ui.asked] == ["Push 1 template to local?"]
    assert ui.asked[0].details == ["create welcome (new)"] and not ui.asked[0].forceable
    assert result.cancelled and not result.pushed
    assert "welcome" not in remote_names(session)

    ui = FakeUi("yes")
    result = session.push(["welcome"], ui)
    assert [i.name for i in result.pushed] == ["welcome"] and "welcome" in remote_names(session)
    assert ui.steps and ui.steps[-1][0] == ui.steps[-1][1]  # progress ran to the end

    ui = FakeUi("yes")
    again = session.push(["welcome"], ui)  # nothing changed: nothing to ask about
    assert ui.asked == [] and not again.pushed and not again.cancelled


def drift(session: Session, name: str) -> None:
    """Someone changed ``name`` in SES since we pushed it."""
    session.client().update_template(name, TemplateContent("Changed in the console", "<p>x</p>", None))


def test_push_refuses_drift_and_force_pushes_over_it_with_a_backup(session: Session) -> None:
    session.push(["welcome"], FakeUi("yes"))
    drift(session, "welcome")
    (session.project.root / "welcome" / "subject.txt").write_text("Welcome back, {{firstName}}!\n")

    ui = FakeUi()
    refused = session.push(["welcome"], ui)  # a face that cannot answer "force" is not asked
    assert ui.asked == [] and not refused.pushed
    assert [i.name for i in refused.plan.refused] == ["welcome"]
    assert "changed remotely" in refused.plan.refused[0].reason

    ui = FakeUi("yes")  # asked, and "yes" has nothing to push: nothing happens
    assert session.push(["welcome"], ui, offer_force=True).cancelled
    assert ui.asked[0].forceable and ui.asked[0].refusals[0].startswith("welcome: ")
    remote = session.client().get_template("welcome")
    assert remote is not None and remote.subject == "Changed in the console"

    forced = session.push(["welcome"], FakeUi("force"), offer_force=True)
    assert [i.name for i in forced.pushed] == ["welcome"] and forced.pushed[0].backup
    remote = session.client().get_template("welcome")
    assert remote is not None and remote.subject.startswith("Welcome back")


def test_push_lints_with_the_session_dialect(calibrated_project: CalibratedProject) -> None:
    cp = calibrated_project
    fast(cp.root)
    # the default environment is local: it stands in for the calibrated account, so the template passes
    with Session(cp.root, local=True) as s:
        result = s.push([cp.template], FakeUi("yes"))
        assert [i.name for i in result.pushed] == [cp.template]
    # the local endpoint named: its own (default) dialect, and lint refuses it
    with Session(cp.root, "local") as s:
        result = s.push([cp.template], FakeUi("yes"))
        assert not result.pushed and "lint error" in result.plan.refused[0].reason


def test_push_planning_lints_a_large_batch_in_a_child(session: Session,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    root = session.project.root
    names = list(session.project.templates)
    for i in range(offload.CHILD_LINT_MIN - len(names)):
        shutil.copytree(root / names[i % len(names)], root / f"copy-{i}")
    session.project.reload()
    calls: list[Any] = []
    real = offload.lint_in_child

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(offload, "lint_in_child", spy)
    session.offload = True
    result = session.push(None, FakeUi("no"))
    assert len(calls) == 1 and result.cancelled
    session.offload = False
    session.push(None, FakeUi("no"))
    assert len(calls) == 1


def test_push_without_review_pushes_template_by_template_without_asking(session: Session) -> None:
    ui = FakeUi()
    result = session.push(["welcome", "password-reset"], ui, review=False)
    assert ui.asked == [] and {i.name for i in result.pushed} == {"welcome", "password-reset"}


def test_pull_asks_before_overwriting_local_edits(session: Session) -> None:
    session.push(["welcome"], FakeUi("yes"))
    drift(session, "welcome")
    subject = session.project.root / "welcome" / "subject.txt"
    subject.write_text("My local edit\n")

    ui = FakeUi("yes")
    refused = session.pull(["welcome"], ui)  # without force, local edits are refused, never asked about
    assert ui.asked == [] and refused.items[0].action == "refuse"

    ui = FakeUi("no")
    kept = session.pull(["welcome"], ui, force=True)
    assert [p.question for p in ui.asked] == ["Overwrite local edits of welcome with local's content?"]
    assert kept.cancelled and subject.read_text() == "My local edit\n"

    taken = session.pull(["welcome"], FakeUi("yes"), force=True)
    assert not taken.cancelled and subject.read_text().strip() == "Changed in the console"


def test_prune_asks_before_deleting(session: Session) -> None:
    import shutil

    session.push(["welcome"], FakeUi("yes"))
    shutil.rmtree(session.project.root / "welcome")
    session.project.reload()

    ui = FakeUi("no")
    plan = session.prune(None, ui)
    assert [p.question for p in ui.asked] == ["Delete 1 template from local?"]
    assert plan.cancelled and "welcome" in remote_names(session)

    assert session.prune(None, FakeUi(), dry_run=True).items  # a dry run asks nothing
    done = session.prune(None, FakeUi("yes"))
    assert [i.remote_name for i in done.deleted] == ["welcome"] and "welcome" not in remote_names(session)


def test_send_asks_once_and_no_sends_nothing(session: Session) -> None:
    session.push(["welcome"], FakeUi("yes"))
    outbox = session.project.state_dir / "local-ses" / "outbox"

    ui = FakeUi("no")
    sending = session.send("welcome", ["dev@acme.test"], ui)
    assert [p.question for p in ui.asked] == ["Send 1 email?"]
    assert sending.cancelled and sending.report is None
    assert not list(outbox.glob("*.eml")) if outbox.is_dir() else True

    sent = session.send("welcome", ["dev@acme.test"], FakeUi("yes"))
    assert sent.report is not None and sent.report.ok and len(list(outbox.glob("*.eml"))) == 1

    ui = FakeUi("yes")
    refused = session.send("welcome", ["someone@elsewhere.test"], ui)  # unverified in the sandbox
    assert ui.asked == [] and refused.plan.refusals and refused.report is None


def test_status_diff_and_parity_ask_nothing(session: Session) -> None:
    ui = FakeUi()
    session.push(["welcome"], FakeUi("yes"))
    states = {s.name: str(s.state) for s in session.status(["welcome", "password-reset"], ui)}
    assert states == {"welcome": "in-sync", "password-reset": "local-only"}
    assert [d.name for d in session.diff(["welcome"], ui) if d.changed] == []
    assert all(r.same for r in session.parity("welcome", None, ui))
    assert ui.asked == []


def test_falling_back_to_the_local_endpoint_is_noted(sample_project: Project,
                                                     monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The default environment is AWS, and there are no credentials: the session serves it locally,
    says so through the Ui, and never calls the environment by the AWS name."""
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    toml = sample_project.root / "ses-workbench.toml"
    toml.write_text(toml.read_text().replace('default_env = "local"', 'default_env = "production"'))
    ui = FakeUi()
    with Session(sample_project.root, ui=ui) as s:
        assert s.environment.name == "production" and not s.connected
        s.client()
        assert s.environment.name == "local" and s.server is not None
    assert len(ui.notes) == 1 and "no AWS credentials for environment 'production'" in ui.notes[0]
