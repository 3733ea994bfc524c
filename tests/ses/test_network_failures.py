"""An endpoint that does not answer, refuses, or does not resolve: fail in seconds and say so in one line.

The misbehaving endpoints are real sockets on 127.0.0.1 (``tests/silent_server.py``); the timeouts are made
small through the same environment variables a user sets, and no test asserts how long anything took.
"""

from __future__ import annotations

import io
import os
import pty
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import botocore.exceptions as bx
import pytest
import urllib3.exceptions

from ses_workbench.cli import main
from ses_workbench.cli.waiting import WaitingLine
from ses_workbench.project import Environment, Project
from ses_workbench.project.errors import ConfigError
from ses_workbench.ses import errors as E
from ses_workbench.ses.client import (
    CONNECT_TIMEOUT,
    ENV_CONNECT_TIMEOUT,
    ENV_READ_TIMEOUT,
    READ_TIMEOUT,
    SesClient,
    timeouts,
)
from ses_workbench.ses.errors import translate
from tests.clocks import ManualClock
from tests.conftest import unused_port
from tests.silent_server import FullBacklog, SilentServer

REPO = Path(__file__).resolve().parents[2]

# Every attempt is still made; only botocore's random wait between them is cut.
pytestmark = pytest.mark.usefixtures("instant_retries")


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    with SilentServer() as server:
        yield server


def _client(project: Project, url: str, **kw: object) -> SesClient:
    env = Environment("remote", local=True, region="us-east-1", endpoint_url=url)
    return SesClient(env, project, template_rate=0, **kw)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ timeouts
def test_defaults_are_seconds_and_the_variables_set_them(project: Project,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """What botocore does with them is seen below: a silent endpoint gives up after the read timeout,
    a full backlog after the connect timeout, a refused connection after 3 attempts."""
    monkeypatch.delenv(ENV_CONNECT_TIMEOUT, raising=False)
    monkeypatch.delenv(ENV_READ_TIMEOUT, raising=False)
    client = _client(project, "http://127.0.0.1:9")
    assert (client.connect_timeout, client.read_timeout) == (CONNECT_TIMEOUT, READ_TIMEOUT) == (5.0, 10.0)
    assert client.max_attempts == 3
    monkeypatch.setenv(ENV_CONNECT_TIMEOUT, "0.5")
    monkeypatch.setenv(ENV_READ_TIMEOUT, " 2 ")
    client = _client(project, "http://127.0.0.1:9")
    assert (client.connect_timeout, client.read_timeout) == (0.5, 2.0)


@pytest.mark.parametrize("value", ["abc", "0", "-1", "nan", "inf", "1e999"])
def test_a_bad_timeout_variable_is_one_clear_error(value: str) -> None:
    with pytest.raises(ConfigError, match=f"{ENV_READ_TIMEOUT}=.*not a number of seconds above 0"):
        timeouts({ENV_READ_TIMEOUT: value})
    assert timeouts({ENV_READ_TIMEOUT: ""}) == (CONNECT_TIMEOUT, READ_TIMEOUT)


def test_a_bad_timeout_variable_in_the_cli_is_one_line(project: Project, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(ENV_CONNECT_TIMEOUT, "soon")
    assert main(["status", "--dir", str(project.root), "--endpoint-url", "http://127.0.0.1:9"]) == 1
    err = capsys.readouterr().err
    assert err == f"ses-workbench: {ENV_CONNECT_TIMEOUT}='soon': not a number of seconds above 0 (e.g. 5)\n"


# ------------------------------------------------------------------------------------------ failures
@pytest.mark.timeout(60)
def test_an_endpoint_that_never_answers_gives_up_with_one_line(project: Project, silent: SilentServer,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(ENV_READ_TIMEOUT, "0.3")
    rc = main(["status", "--dir", str(project.root), "--endpoint-url", silent.url])
    out, err = capsys.readouterr()
    assert rc == 1 and out == "" and silent.accepted.is_set()
    assert err == (f"ses-workbench: {silent.url} did not answer within 0.3 s (ListEmailTemplates, "
                   "3 attempts); check the network, the region and --endpoint-url.\n")


@pytest.mark.timeout(60)
def test_no_connection_in_time_names_the_connect_timeout(project: Project,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_CONNECT_TIMEOUT, "0.3")  # botocore's own default would wait 60 s per attempt
    with FullBacklog() as backlog:
        client = _client(project, backlog.url, read_timeout=30, max_attempts=2)
        with pytest.raises(E.EndpointUnreachable) as caught:
            client.get_account()
    assert str(caught.value) == (f"{backlog.url} did not accept a connection within 0.3 s (GetAccount, "
                                 "2 attempts); check the network, the region and --endpoint-url.")


def test_a_refused_connection_is_one_line(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    assert main(["status", "--dir", str(project.root), "--endpoint-url", url]) == 1
    assert capsys.readouterr().err == (
        f"ses-workbench: {url} refused the connection (ListEmailTemplates, 3 attempts); check the network, "
        "the region and --endpoint-url.\n")


def test_one_attempt_is_not_counted_aloud(project: Project) -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    with pytest.raises(E.EndpointUnreachable, match=r"refused the connection \(GetAccount\); check"):
        _client(project, url, max_attempts=1).get_account()


def test_a_host_name_that_does_not_resolve() -> None:
    # Built as urllib3/botocore build it (a real lookup would depend on the machine's resolver).
    cause = urllib3.exceptions.NameResolutionError(
        "ses.example.invalid", None, socket.gaierror(-2, "Name or service not known"))  # type: ignore[arg-type]
    exc = bx.EndpointConnectionError(endpoint_url="https://ses.example.invalid/v2/email/account", error=cause)
    err = translate(exc, "GetAccount", attempts=3)
    assert isinstance(err, E.EndpointUnreachable)
    assert str(err) == ("https://ses.example.invalid: the host name ses.example.invalid could not be "
                        "resolved (GetAccount, 3 attempts); check the network, the region and "
                        "--endpoint-url.")


def test_a_read_timeout_without_a_known_timeout_still_reads() -> None:
    exc = bx.ReadTimeoutError(endpoint_url="http://127.0.0.1:1/v2/email/templates")
    assert str(translate(exc, "ListEmailTemplates")) == (
        "http://127.0.0.1:1 did not answer within the timeout (ListEmailTemplates); check the network, the "
        "region and --endpoint-url.")


# ------------------------------------------------------------------------------------------ waiting line
def test_waiting_line_appears_after_a_second_updates_in_place_and_is_erased() -> None:
    clock, stream = ManualClock(), io.StringIO()
    line = WaitingLine(stream, tty=True, clock=clock, autotick=False)
    with line.request("http://127.0.0.1:47999", "ListEmailTemplates"):
        clock.advance(0.5)
        line.tick()
        assert stream.getvalue() == ""  # an ordinary request never shows one
        clock.advance(0.6)
        line.tick()
        first = "waiting for http://127.0.0.1:47999  (ListEmailTemplates) 1 s"
        assert stream.getvalue() == "\r" + first
        line.tick()  # same second: nothing rewritten
        clock.advance(2)
        line.tick()
        assert stream.getvalue() == "\r" + first + "\r" + first.replace(" 1 s", " 3 s")
    assert stream.getvalue().endswith("\r" + " " * len(first) + "\r")
    line.close()


def test_waiting_line_shows_the_oldest_pending_request() -> None:
    clock, stream = ManualClock(), io.StringIO()
    line = WaitingLine(stream, tty=True, clock=clock, autotick=False)
    with line.request("http://a", "GetAccount"):
        clock.advance(0.5)
        with line.request("http://a", "GetEmailTemplate"):
            clock.advance(1)
            line.tick()
        shown = "waiting for http://a  (GetAccount) 1 s"
        assert stream.getvalue() == "\r" + shown  # and still shown: one request is pending
    assert stream.getvalue() == "\r" + shown + "\r" + " " * len(shown) + "\r"


def test_waiting_line_only_on_a_terminal_and_without_escapes() -> None:
    clock, stream = ManualClock(), io.StringIO()
    quiet = WaitingLine(stream, tty=False, clock=clock, autotick=False)
    with quiet.request("http://a", "GetAccount"):
        clock.advance(5)
        quiet.tick()
    assert stream.getvalue() == ""
    shown = WaitingLine(stream, tty=True, clock=clock, autotick=False)
    with shown.request("http://a\x1b]0;owned\x07", "GetAccount"):
        clock.advance(5)
        shown.tick()
    assert "\x1b" not in stream.getvalue() and "http://a?]0;owned?" in stream.getvalue()


@pytest.mark.timeout(90)
def test_cli_on_a_terminal_shows_the_waiting_line_then_the_error(project: Project,
                                                                 silent: SilentServer) -> None:
    """The real thing: stderr is a pty, the endpoint never answers; the ticker thread draws the line."""
    master, slave = pty.openpty()
    env = {**os.environ, ENV_READ_TIMEOUT: "1.5", "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "ses_workbench", "status", "--dir", str(project.root),
                             "--endpoint-url", silent.url], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert proc.wait(timeout=60) == 1
    assert proc.stdout is not None and proc.stdout.read() == b""
    text = seen.decode()
    first = f"\rwaiting for {silent.url}  (ListEmailTemplates) 1 s"
    assert first in text
    error = (f"ses-workbench: {silent.url} did not answer within 1.5 s (ListEmailTemplates, 3 attempts); "
             "check the network, the region and --endpoint-url.")
    # the line was erased (spaces, carriage return) before the error, which is the only thing left
    before, _, after = text.rpartition("\r" + " " * (len(first) - 1))
    assert before.startswith(first) and after.replace("\r\n", "\n") == "\r" + error + "\n"


@pytest.mark.timeout(60)
def test_a_silent_sts_endpoint_behind_a_role_profile_gives_up_too(project: Project, silent: SilentServer,
                                                                  tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials of a role profile come from STS AssumeRole before the first SES request: botocore's
    STS client gets the same limits (with its defaults it waited minutes), and the line names STS."""
    config = tmp_path / "aws-config"
    config.write_text("[profile base]\naws_access_key_id = x\naws_secret_access_key = y\n"
                      "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", silent.url)
    monkeypatch.setenv(ENV_READ_TIMEOUT, "0.3")
    env = Environment("aws", profile="role", region="us-east-1", endpoint_url="http://127.0.0.1:9")
    with pytest.raises(E.EndpointUnreachable) as caught:
        SesClient(env, project, template_rate=0).get_account()
    assert silent.accepted.is_set()
    assert str(caught.value).startswith(f"{silent.url} did not answer within 0.3 s (GetAccount")
