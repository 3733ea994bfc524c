"""SesClient through boto3 against the local endpoint over HTTP: CRUD, pagination, prefixes, errors,
throttling and our retries, pacing, and open_environment's choice of endpoint."""

from __future__ import annotations

import time

import pytest

from ses_workbench.project import Environment, Project, TemplateContent
from ses_workbench.ses import errors as E
from ses_workbench.ses.client import SCRATCH_PREFIX, SesClient
from ses_workbench.ses.local import LocalSes
from ses_workbench.session.environment import open_environment
from tests.conftest import unused_port

from .conftest import ManualClock, make_client, settings

HELLO = TemplateContent("Hi {{name}}", "<p>{{name}}</p>", "{{name}}")


def test_crud_roundtrip(client: SesClient) -> None:
    client.create_template("hello", HELLO)
    assert client.get_template("hello") == HELLO
    changed = TemplateContent("Yo {{name}}", "<b>{{name}}</b>", None)
    client.update_template("hello", changed)
    assert client.get_template("hello") == changed
    assert client.upsert_template("hello", HELLO, exists=True) == "updated"
    assert client.upsert_template("other", HELLO, exists=False) == "created"
    assert client.delete_template("hello") is True
    assert client.get_template("hello") is None
    assert client.delete_template("hello", missing_ok=True) is False
    with pytest.raises(E.TemplateNotFound, match="'hello'"):
        client.delete_template("hello")


def test_errors_for_templates(client: SesClient) -> None:
    client.create_template("hello", HELLO)
    with pytest.raises(E.TemplateAlreadyExists, match="hello"):
        client.create_template("hello", HELLO)
    with pytest.raises(E.TemplateNotFound):
        client.update_template("nope", HELLO)
    with pytest.raises(E.BadRequest, match="not a valid SES template name"):
        client.create_template("bad name!", HELLO)


def test_list_paginates_and_applies_prefix(project: Project, server: LocalSes) -> None:
    plain = make_client(project, server, page_size=3)
    stg = make_client(project, server, env="stg", page_size=2)
    for i in range(7):
        plain.create_template(f"t{i}", HELLO)
    for i in range(5):
        stg.create_template(f"s{i}", HELLO)
    stg.create_template(f"{SCRATCH_PREFIX}abcd", HELLO)
    assert [t.name for t in stg.list_templates()] == [f"s{i}" for i in range(5)]
    assert all(t.remote_name == f"stg-{t.name}" for t in stg.list_templates())
    assert f"{SCRATCH_PREFIX}abcd" in [t.name for t in stg.list_templates(include_scratch=True)]
    everything = [t.name for t in plain.list_templates()]
    assert [n for n in everything if n.startswith("t")] == [f"t{i}" for i in range(7)]
    assert "stg-s0" in everything  # no prefix: the whole account
    assert stg.get_template("s1") == HELLO and plain.get_template("stg-s1") == HELLO


def test_test_render_and_missing_attribute(client: SesClient) -> None:
    client.create_template("hello", HELLO)
    mime = client.test_render("hello", {"name": "Ada"})
    assert "Subject: Hi Ada" in mime
    with pytest.raises(E.MissingRenderingAttribute) as info:
        client.test_render("hello", {})
    assert info.value.attribute == "name"
    assert "Attribute 'name' is not present" in str(info.value)
    with pytest.raises(E.TemplateNotFound):
        client.test_render("absent", {})


def test_account_and_identities(client: SesClient) -> None:
    acct = client.get_account()
    assert acct.sandbox and acct.max_24h_send == 200 and acct.remaining_24h == 200
    names = {i.name for i in client.list_identities() if i.verified}
    assert {"sender@example.com", "verified.test"} <= names
    client.create_identity("new@person.test")
    listed = {i.name: i.verified for i in client.list_identities()}
    assert listed["new@person.test"] is False  # PENDING until its owner clicks the link, as at SES


def test_no_credentials_for_an_aws_environment(project: Project, server: LocalSes) -> None:
    env = Environment("aws", region="us-east-1", endpoint_url=server.endpoint_url)
    client = SesClient(env, project, max_attempts=1)
    with pytest.raises(E.NoCredentials, match="No AWS credentials"):
        client.list_templates()


def test_unknown_profile_is_no_credentials(project: Project) -> None:
    with pytest.raises(E.NoCredentials, match="profile 'ses-workbench-test-no-such-profile-creds'"):
        SesClient(project.config.env("aws"), project)


def test_endpoint_unreachable(project: Project) -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    env = Environment("local", local=True, region="us-east-1", endpoint_url=url)
    client = SesClient(env, project, max_attempts=1, connect_timeout=1)
    with pytest.raises(E.EndpointUnreachable, match=url.replace(".", r"\.")):
        client.get_account()


def test_unknown_region(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    env = Environment("aws", region="mars-north-7")
    client = SesClient(env, project, max_attempts=1, connect_timeout=1, read_timeout=1)
    with pytest.raises(E.UnknownRegion, match="mars-north-7"):
        client.get_account()


def test_throttling_error_then_retries_succeed(project: Project) -> None:
    # The endpoint's bucket runs on a manual clock that only our backoff sleeps move: on the wall clock
    # a loaded machine taking 150 ms per call would refill 5/s between calls and never see a 429.
    clock = ManualClock()
    with LocalSes(project.state_dir, settings(template_ops_per_second=5), port=0, clock=clock) as ses:
        # No pacing, no retries (ours or botocore's): the endpoint's 429 surfaces as Throttled.
        bare = make_client(project, ses, max_attempts=1, throttle_retries=0)
        with pytest.raises(E.Throttled, match="429"):
            for i in range(20):
                bare.create_template(f"a{i}", HELLO)
        assert bare.stats["throttled"] >= 1
        # Our retry with backoff on top: everything succeeds despite no pacing.
        retrying = make_client(project, ses, max_attempts=1, throttle_retries=10, backoff_base=0.05,
                               sleep=clock.advance)
        for i in range(12):
            retrying.upsert_template(f"b{i}", HELLO, exists=False)
        assert retrying.stats["retried"] >= 1
        assert len([t for t in retrying.list_templates() if t.name.startswith("b")]) == 12


def test_pacing_prevents_throttling(project: Project) -> None:
    with LocalSes(project.state_dir, settings(template_ops_per_second=20), port=0) as ses:
        paced = make_client(project, ses, template_rate=20, max_attempts=1, throttle_retries=0)
        t0 = time.monotonic()
        for i in range(15):
            paced.create_template(f"p{i}", HELLO)
        elapsed = time.monotonic() - t0
        assert paced.stats["throttled"] == 0
        assert elapsed >= 14 / 20 * 0.95


def test_open_environment_starts_local_without_credentials(project: Project) -> None:
    with open_environment(project) as (client, server):
        assert server is not None and server.running
        assert client.environment.local and client.endpoint_url == server.endpoint_url
        client.create_template("x", HELLO)
    assert not server.running
    # A named AWS environment without credentials is an error, not a silent local endpoint.
    with pytest.raises(E.NoCredentials):
        with open_environment(project, "aws") as (client, server):
            pass
    with open_environment(project, "aws", local=True) as (client, server):
        assert server is not None and client.environment.local
        assert client.get_template("x") == HELLO  # same state folder
        # A second opening while one endpoint serves the folder talks to that endpoint.
        with open_environment(project) as (again, none):
            assert none is None and again.endpoint_url == server.endpoint_url
            assert again.get_template("x") == HELLO


def test_aws_environments_pace_template_operations_at_one_per_second_shared(
        project: Project, server: LocalSes, monkeypatch: pytest.MonkeyPatch) -> None:
    """SES's documented "once per second": the default for every AWS environment, one bucket per
    (profile, region, endpoint) shared by every client in the process (TUI + CLI side by side)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.credentials.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.credentials.secret_access_key)
    env = Environment("aws", region="us-east-1", endpoint_url=server.endpoint_url)
    a, b = SesClient(env, project), SesClient(env, project)
    assert a.template_rate == 1.0 and a.template_bucket is b.template_bucket
    assert a.template_bucket.rate == pytest.approx(0.98)
    other = SesClient(Environment("aws2", region="eu-west-1", endpoint_url=server.endpoint_url), project)
    assert other.template_bucket is not a.template_bucket
    t0 = time.monotonic()
    for client in (a, b, a):  # three GetEmailTemplate calls from two clients: >= 2 s apart in total
        client.get_template("nope")
    assert time.monotonic() - t0 >= 2 / 0.98 * 0.95
