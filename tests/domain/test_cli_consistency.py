"""Every command treats the same mistakes the same way (README: "Exit codes: 0 fine, 1 problems found,
2 usage error. Errors are one line, never a traceback"): an unknown template name, an unknown --env, a
missing folder and a malformed --endpoint-url are usage errors (exit 2) with one line on stderr; a folder
with no template is a finding, never "0 errors"; counts read as English."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ses_workbench.cli import main

from .conftest import write_template


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    write_template(root, "welcome", subject="Welcome {{name}}", html="<p>Hi {{name}}</p>", text="Hi {{name}}",
                   fixtures={"default": {"name": "Ann"}})
    return root


@pytest.fixture
def rows(tmp_path: Path) -> Path:
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"name": "Bo"}) + "\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real account can be reached, whatever the machine has configured."""
    for var in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                "SES_WORKBENCH_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {err!r}"
    assert "Traceback" not in err
    return lines[0]


# Each command with the template name in its place ({T}), the data file ({DATA}) where it needs one.
NAMED = [
    ["render", "{T}"],
    ["lint", "{T}"],
    ["export", "{T}"],
    ["check", "{T}", "--data", "{DATA}"],
    ["status", "{T}", "--local"],
    ["diff", "{T}", "--local"],
    ["push", "{T}", "--local", "--yes"],
    ["pull", "{T}", "--local", "--dry-run"],
    ["remote-render", "{T}", "--local"],
    ["parity", "{T}", "--local"],
    ["send", "{T}", "--local", "--dry-run"],
    ["events", "{T}", "--local"],
]


def _argv(template: list[str], name: str, proj: Path, rows: Path) -> list[str]:
    return [a.replace("{T}", name).replace("{DATA}", str(rows)) for a in template] + ["--dir", str(proj)]


@pytest.mark.parametrize("cmd", NAMED, ids=lambda c: c[0])
def test_unknown_template_is_a_usage_error_with_the_same_message(
        cmd: list[str], proj: Path, rows: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, _argv(cmd, "welcom", proj, rows))
    line = one_line(err)
    assert code == 2, (cmd, code, out, err)
    assert line == f"ses-workbench: {proj.resolve()}: no template named 'welcom'; did you mean welcome?"
    assert out == ""


ENV_CMDS = [
    ["render", "welcome"],
    ["lint"],
    ["check", "welcome", "--data", "{DATA}"],
    ["check", "welcome", "--data", "{DATA}", "--via-ses", "1"],
    ["status"],
    ["diff"],
    ["push", "--yes"],
    ["pull", "--dry-run"],
    ["remote-render", "welcome"],
    ["parity", "welcome"],
    ["calibrate"],
    ["send", "welcome", "--dry-run"],
    ["events"],
]


@pytest.mark.parametrize("cmd", ENV_CMDS, ids=lambda c: " ".join(a for a in c if "{" not in a))
def test_unknown_env_is_a_usage_error(cmd: list[str], proj: Path, rows: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, _argv(cmd, "welcome", proj, rows) + ["--env", "nope"])
    line = one_line(err)
    assert code == 2, (cmd, code, out, err)
    assert "no environment named 'nope'" in line and "known: local" in line


def test_app_unknown_env_and_missing_dir_are_usage_errors(proj: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    # both fail before the terminal UI would start
    code, _, err = run(capsys, [str(proj), "--env", "nope"])
    assert code == 2 and "no environment named 'nope'" in one_line(err)
    missing = tmp_path / "not-here"
    code, _, err = run(capsys, [str(missing)])
    assert code == 2 and one_line(err) == f"ses-workbench: {missing}: no such directory"


MISSING_DIR_CMDS = [
    ["render", "welcome"], ["lint"], ["export", "welcome"], ["import", "{DATA}"],
    ["check", "welcome", "--data", "{DATA}"], ["status", "--local"], ["diff", "--local"],
    ["push", "--local", "--yes"], ["pull", "--local"], ["remote-render", "welcome", "--local"],
    ["parity", "welcome", "--local"], ["calibrate", "--local"], ["send", "welcome", "--local"],
    ["events", "--local"], ["local-ses"],
]


@pytest.mark.parametrize("cmd", MISSING_DIR_CMDS, ids=lambda c: c[0])
def test_missing_dir_is_a_usage_error(cmd: list[str], tmp_path: Path, rows: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "not-here"
    code, _, err = run(capsys, _argv(cmd, "welcome", missing, rows))
    assert code == 2 and one_line(err) == f"ses-workbench: {missing}: no such directory"


SES_CMDS = [
    ["status"], ["diff"], ["push", "--yes"], ["pull"], ["remote-render", "welcome"], ["parity", "welcome"],
    ["calibrate"], ["send", "welcome"], ["events"],
    ["check", "welcome", "--data", "{DATA}", "--via-ses", "1"],
]


@pytest.mark.parametrize("url", ["notaurl", "ftp://127.0.0.1:1", "http://", "http://host:notaport"])
@pytest.mark.parametrize("cmd", SES_CMDS, ids=lambda c: c[0])
def test_bad_endpoint_url_is_a_one_line_usage_error(cmd: list[str], url: str, proj: Path, rows: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, _argv(cmd, "welcome", proj, rows) + ["--endpoint-url", url])
    line = one_line(err)
    assert code == 2 and out == ""
    assert line.startswith("ses-workbench: --endpoint-url") and "http" in line
    assert "Unexpected error" not in line


def test_check_takes_the_shared_dir_and_ses_options(proj: Path, rows: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(proj.parent)
    monkeypatch.setenv("SES_WORKBENCH_DIR", str(proj))
    code, out, _ = run(capsys, ["check", "welcome", "--data", str(rows)])
    assert code == 0 and "1 ok, 0 failing" in out
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    help_text = capsys.readouterr().out
    assert "--endpoint-url" in help_text and "SES_WORKBENCH_DIR" in help_text
    assert "(default: .)" not in help_text


def test_a_good_endpoint_url_is_accepted(proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ses_workbench.cli import endpoint_url

    for url in ("http://127.0.0.1:4579", "https://email.eu-west-1.amazonaws.com", "http://[::1]:9/x"):
        assert endpoint_url(url) == url


# -- a folder with no template --------------------------------------------------------------------
NO_TEMPLATES = "no templates in {root} (a template is a folder with subject.txt and body.html or body.txt)"


def test_lint_in_a_folder_with_no_templates_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "repo-root"
    (empty / "docs").mkdir(parents=True)
    (empty / "README.md").write_text("# not templates\n")
    code, out, err = run(capsys, ["lint", str(empty)])
    assert code == 1 and out == ""
    assert one_line(err) == "ses-workbench: " + NO_TEMPLATES.format(root=empty.resolve())
    code, out, _ = run(capsys, ["lint", "--dir", str(empty), "--format", "json"])
    doc = json.loads(out)
    assert code == 1 and doc["errors"] == 1 and doc["diagnostics"][0]["code"] == "no-templates"


def test_push_status_and_named_commands_say_no_templates(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    message = NO_TEMPLATES.format(root=empty.resolve())
    code, _, err = run(capsys, ["push", "--yes", "--local", "--dir", str(empty)])
    assert code == 1 and one_line(err) == f"ses-workbench: {message}"
    code, _, err = run(capsys, ["status", "--local", "--dir", str(empty)])
    assert code == 1 and one_line(err) == f"ses-workbench: {message}"
    code, _, err = run(capsys, ["render", "welcome", "--dir", str(empty)])
    assert code == 2 and "no templates in" in one_line(err) and "subject.txt" in err


def test_import_still_works_on_an_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    src = tmp_path / "t.json"
    src.write_text(json.dumps({"TemplateName": "hello", "TemplateContent": {
        "Subject": "Hi", "Html": "<p>Hi</p>", "Text": "Hi"}}))
    code, out, _ = run(capsys, ["import", str(src), "--dir", str(empty)])
    assert code == 0 and "created hello" in out
    assert run(capsys, ["lint", str(empty)])[0] == 0


# -- counts ---------------------------------------------------------------------------------------
def test_counts_are_english(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "one"
    root.mkdir()
    write_template(root, "hello", subject="Hi {{name}}", html="<p>Hi</p>", text="Hi",
                   fixtures={"default": {}})
    code, _, err = run(capsys, ["lint", str(root)])
    assert code == 1 and err.strip().splitlines()[-1] == "1 template: 1 error, 0 warnings"
    code, _, err = run(capsys, ["events", "--local", "--dir", str(root)])
    assert code == 0 and err.strip().splitlines()[-1] == "0 events"
