"""`ses-workbench render` and `ses-workbench lint`: output, exit codes 0/1/2, JSON format."""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ses_workbench.cli import main
from ses_workbench.preview_policy import with_policy_meta

from .conftest import MakeTemplate


@pytest.fixture
def proj(make_template: MakeTemplate, project_dir: Path) -> Path:
    make_template("welcome", subject="Welcome {{name}}", html="<h1>Hi {{name}}</h1>", text="Hi {{name}}!",
                  fixtures={"default": {"name": "Ann"}, "bob": {"name": "Bob"}})
    make_template("htmlonly", subject="Only HTML", html="<p>Hello <b>there</b></p>", text=None,
                  fixtures={"default": {}})
    return project_dir


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_render_default_shows_subject_then_text(proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "render", "welcome", "--dir", str(proj))
    assert code == 0
    assert out.startswith("Subject: Welcome Ann\n")
    assert out.rstrip().endswith("Hi Ann!")


def test_render_parts_and_fixture(proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "render", "welcome", "--dir", str(proj), "--fixture", "bob", "--part", "html")[1] \
        == "<h1>Hi Bob</h1>\n"
    assert run(capsys, "render", "welcome", "--dir", str(proj), "--part", "subject")[1] == "Welcome Ann\n"


def test_render_with_data_file_and_env_dir(proj: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "d.json"
    data.write_text('{"name": "Zoë"}', encoding="utf-8")
    monkeypatch.setenv("SES_WORKBENCH_DIR", str(proj))
    code, out, _ = run(capsys, "render", "welcome", "--data", str(data), "--part", "text")
    assert (code, out) == (0, "Hi Zoë!\n")


def test_render_mime(proj: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["render", "welcome", "--dir", str(proj), "--part", "mime"]) == 0
    raw = capsysbinary.readouterr().out
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == "Welcome Ann" and msg.get_content_type() == "multipart/alternative"


def test_render_html_only_is_readable(proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "render", "htmlonly", "--dir", str(proj))
    assert code == 0 and "Hello" in out and "<p>" not in out


def test_render_open_writes_html_and_opens_browser(proj: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    code, out, err = run(capsys, "render", "welcome", "--dir", str(proj), "--open")
    assert code == 0 and len(opened) == 1 and opened[0].startswith("file://")
    path = Path(opened[0][len("file://"):])
    assert path.name == "welcome.html"
    assert path.read_text(encoding="utf-8") == with_policy_meta("<h1>Hi Ann</h1>")
    assert [p.name for p in path.parent.iterdir()] == ["welcome.html"]  # no stray temp file
    assert (out, err) == ("", f"opened {path}\n")
    path.unlink()
    path.parent.rmdir()


@pytest.mark.parametrize("argv", [
    ["render", "nope"],
    ["render", "welcome", "--fixture", "nope"],
    ["render", "welcome", "--data", "/nonexistent.json"],
])
def test_render_usage_errors_exit_2(proj: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv, "--dir", str(proj))
    assert code == 2 and out == ""
    assert err.startswith("ses-workbench: ") and err.count("\n") == 1


def test_render_missing_data_is_one_line_exit_1(proj: Path, capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    data = tmp_path / "d.json"
    data.write_text("{}")
    code, _, err = run(capsys, "render", "welcome", "--dir", str(proj), "--data", str(data))
    assert code == 1
    assert "Attribute 'name' is not present in the rendering data." in err and err.count("\n") == 1
    assert "subject.txt:1:9: " in err


def test_lint_clean_exit_0(proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lint", str(proj), "welcome")
    assert code == 0 and "0 errors" in out


def test_lint_errors_exit_1_and_json(proj: Path, make_template: MakeTemplate,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    make_template("broken", html="<p>\n{{missing}}</p>", fixtures={"default": {"unused": 1}})
    code, out, _ = run(capsys, "lint", str(proj))
    assert code == 1
    lines = out.splitlines()
    assert any(line.endswith("[missing-attribute]") and "body.html:2:1: error:" in line for line in lines)
    code, out, _ = run(capsys, "lint", str(proj), "--format", "json")
    assert code == 1
    payload = json.loads(out)
    assert payload["errors"] == 1 and payload["warnings"] == 1
    first = payload["diagnostics"][0]
    assert set(first) >= {"severity", "code", "message", "path", "line", "column",
                          "template", "part", "fixture"}


def test_lint_warnings_only_exit_0(proj: Path, make_template: MakeTemplate,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    make_template("warn", fixtures={"default": {"unused": 1}})
    code, out, err = run(capsys, "lint", str(proj), "warn")
    assert code == 0 and "[unused-key]" in out


@pytest.mark.parametrize("argv", [["lint", "/no/such/dir"], ["lint", "./nope"], ["lint", "{dir}", "nope"],
                                  ["lint", "nope-template", "--dir", "{dir}"]])
def test_lint_usage_errors_exit_2(proj: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *[a.replace("{dir}", str(proj)) for a in argv])
    assert code == 2 and out == "" and err.count("\n") == 1


def test_lint_names_with_env_dir(proj: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SES_WORKBENCH_DIR", str(proj))
    assert run(capsys, "lint", "welcome")[0] == 0


def test_lint_a_template_folder_path(proj: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(capsys, "lint", str(proj / "welcome"))
    assert code == 0 and "1 template:" in out
    monkeypatch.chdir(proj)
    code, out, _ = run(capsys, "lint", "welcome", "htmlonly")
    assert code == 0 and "2 templates:" in out


def test_samples_lint_and_render(samples_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lint", str(samples_copy), "--format", "json")
    assert code == 0 and json.loads(out)["errors"] == 0
    code, out, _ = run(capsys, "render", "order-receipt", "--dir", str(samples_copy))
    assert code == 0 and out.startswith("Subject: ")


def test_lint_broken_config_is_a_diagnostic(proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (proj / "ses-workbench.toml").write_text('sender = "a@example.com"\ntext_part = \n')
    code, out, _ = run(capsys, "lint", str(proj), "--format", "json")
    assert code == 1
    [diag] = json.loads(out)["diagnostics"]
    assert diag["code"] == "config" and diag["path"].endswith("ses-workbench.toml") and diag["line"] == 2


# -- the calibrated dialect: a calibration changes local verdicts ------------------------------------------

PARENT_SCOPE = "{{#each items}}[{{shop}}]{{/each}}"  # fails by default; passes with parent_scope_lookup


def _calibrated(proj: Path, env: str, at: str = "2026-11-01T00:00:00+00:00", **fields: Any) -> None:
    """Store a calibration exactly as ``ses.calibrate`` does: a Calibration's to_dict() per environment."""
    from dataclasses import replace

    from ses_workbench.engine import DEFAULT_DIALECT
    from ses_workbench.project import atomic
    from ses_workbench.project.state import StateDir
    from ses_workbench.ses.calibrate import Calibration

    dialect = replace(DEFAULT_DIALECT, **fields)
    cal = Calibration(env, "https://email.eu-west-1.amazonaws.com", [], dialect,
                      {k: (getattr(DEFAULT_DIALECT, k), v) for k, v in fields.items()}, [], at=at)
    path = StateDir.of(proj).calibration
    data = json.loads(path.read_text()) if path.exists() else {"version": 1, "environments": {}}
    data["environments"][env] = cal.to_dict()
    atomic.write_json(path, data)


@pytest.fixture
def scoped(make_template: MakeTemplate, project_dir: Path) -> Path:
    (project_dir / "ses-workbench.toml").write_text(
        '[environments.prod]\nregion = "eu-west-1"\n\n[environments.staging]\nregion = "eu-west-1"\n')
    make_template("scoped", subject="Order", html=None, text=PARENT_SCOPE,
                  fixtures={"default": {"items": [1, 2], "shop": "S"}})
    return project_dir


def test_lint_and_render_use_the_calibrated_dialect(scoped: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = str(scoped)
    # Never calibrated: the safe-side defaults (parent-scope lookup is an error, like handlebars.js).
    code, out, _ = run(capsys, "lint", d)
    assert code == 1 and "[parent-scope]" in out and ": error: " in out
    assert run(capsys, "render", "scoped", "--dir", d, "--part", "text")[0] == 1

    _calibrated(scoped, "prod", parent_scope_lookup=True)
    # The default environment is the local endpoint: it stands in for the latest calibrated account.
    code, out, err = run(capsys, "lint", d)
    assert code == 0 and ": warning: " in out and "[parent-scope]" in out
    assert "(calibrated dialect: parent_scope_lookup=True)" in err
    assert run(capsys, "render", "scoped", "--dir", d, "--part", "text")[1:] == ("[S][S]\n", "")
    code, out, _ = run(capsys, "lint", d, "--format", "json")
    assert code == 0 and json.loads(out)["dialect"]["parent_scope_lookup"] is True

    # --env picks one environment's calibration; one never calibrated has the defaults.
    assert run(capsys, "lint", d, "--env", "prod")[0] == 0
    assert run(capsys, "lint", d, "--env", "staging")[0] == 1
    assert run(capsys, "render", "scoped", "--dir", d, "--env", "staging")[0] == 1
    assert run(capsys, "render", "scoped", "--dir", d, "-e", "prod", "--part", "text")[0] == 0
    code, out, _ = run(capsys, "lint", d, "--env", "local", "--format", "json")
    assert code == 1 and json.loads(out)["dialect"]["parent_scope_lookup"] is False


def test_default_env_of_the_config_decides(scoped: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = scoped / "ses-workbench.toml"
    toml.write_text('default_env = "staging"\n' + toml.read_text())
    _calibrated(scoped, "prod", parent_scope_lookup=True)  # another account's calibration does not apply
    assert run(capsys, "lint", str(scoped))[0] == 1
    _calibrated(scoped, "staging", at="2026-10-01T00:00:00+00:00", parent_scope_lookup=True)
    assert run(capsys, "lint", str(scoped))[0] == 0


@pytest.mark.parametrize("argv", [["lint", "{dir}", "--env", "nope"],
                                  ["render", "scoped", "--dir", "{dir}", "--env", "nope"]])
def test_unknown_env_is_a_usage_error(scoped: Path, capsys: pytest.CaptureFixture[str],
                                      argv: list[str]) -> None:
    code, out, err = run(capsys, *[a.replace("{dir}", str(scoped)) for a in argv])
    assert (code, out) == (2, "")
    assert err == "ses-workbench: no environment named 'nope' (known: local, prod, staging)\n"


# -- as a person runs it: a real process, buffered pipes, a terminal ----------------------------------------

def _lint_process(proj: Path) -> tuple[list[str], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # stdout block-buffered
    return [sys.executable, "-m", "ses_workbench", "lint", str(proj)], env


def test_lint_summary_comes_last_when_stdout_and_stderr_share_a_pipe(proj: Path,
                                                                     make_template: MakeTemplate) -> None:
    make_template("broken", html="<p>{{missing}}</p>", fixtures={"default": {}})
    argv, env = _lint_process(proj)
    proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=60)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 1
    assert lines[-1] == "3 templates: 1 error, 0 warnings"
    assert len(lines) == 2 and lines[0].endswith("[missing-attribute]")


def test_lint_summary_on_its_own_line_on_a_terminal(proj: Path, make_template: MakeTemplate) -> None:
    make_template("broken", html="<p>{{missing}}</p>", fixtures={"default": {"extra": 1}})
    argv, env = _lint_process(proj)
    primary, secondary = os.openpty()
    try:
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=secondary, stderr=secondary)
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=60) == 1
    finally:
        os.close(primary)
    lines = b"".join(chunks).decode().replace("\r\n", "\n").split("\n")
    assert lines[-1] == ""  # ends with a newline
    assert lines[-2] == "3 templates: 1 error, 1 warning"
    assert [line.rsplit(" ", 1)[-1] for line in lines[:-2]] == ["[missing-attribute]", "[unused-key]"]


# -- bad input: one clear line, never a traceback, the right exit code ------------------------------------

@pytest.mark.parametrize(("files", "argv", "code", "fragment"), [
    ({"data/default.json": '{"name": "x",'}, ["render", "bad"], 1,
     "bad/data/default.json:1:14: invalid JSON: Expecting property name"),
    ({"data/other.json": "[1]"}, ["render", "bad", "--fixture", "other"], 1,
     "a fixture must be a JSON object"),
    ({"body.html": "<p>{{#if name}}open</p>"}, ["render", "bad"], 1,
     "bad/body.html:1:4: The block {{#if}} is never closed with {{/if}}."),
    ({"body.html": "<p>{{eq name 'x'}}</p>"}, ["render", "bad"], 1,
     "Attribute 'eq' is not present in the rendering data."),
    ({}, ["render", "nope"], 2, "no template named 'nope'"),
    ({}, ["render", "bad", "--dir", "/no/such/dir"], 2, "/no/such/dir: no such directory"),
    ({}, ["lint", "/no/such/dir"], 2, "/no/such/dir: no such directory"),
    ({}, ["export", "nope"], 2, "no template named 'nope'"),
    ({"ses-workbench.toml": "text_part = \n"}, ["render", "bad"], 1,
     "ses-workbench.toml:1:13: malformed TOML: Invalid value"),
])
def test_bad_input_is_one_line_and_an_exit_code(project_dir: Path, make_template: MakeTemplate,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch, files: dict[str, str],
                                                argv: list[str], code: int, fragment: str) -> None:
    make_template("bad", subject="Hi {{name}}", html="<p>{{name}}</p>", text=None,
                  fixtures={"default": {"name": "Ann"}})
    for rel, text in files.items():
        target = (project_dir if rel.endswith(".toml") else project_dir / "bad") / rel
        target.write_text(text, encoding="utf-8")
    monkeypatch.chdir(project_dir)
    got, out, err = run(capsys, *argv)
    assert got == code and out == ""
    assert err.startswith("ses-workbench: ") and err.count("\n") == 1 and "Traceback" not in err
    assert fragment in err


def test_lint_broken_fixture_message_says_it_once(proj: Path, make_template: MakeTemplate,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    make_template("bad", fixtures={"default": '{"a": 1,', "list": "[1]"})
    code, out, _ = run(capsys, "lint", str(proj), "bad")
    assert code == 1
    assert "default.json:1:9: error: fixture is not valid JSON: Expecting property name enclosed in double " \
           "quotes [broken-json]" in out
    assert "invalid JSON" not in out
    assert "list.json:1:1: error: a fixture must be a JSON object ({...}), not list [broken-json]" in out
