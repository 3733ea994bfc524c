"""`ses-workbench render` and `ses-workbench lint`: output, exit codes 0/1/2, JSON format."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest

from ses_workbench.cli import main

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
    code, _, _ = run(capsys, "render", "welcome", "--dir", str(proj), "--open")
    assert code == 0 and len(opened) == 1 and opened[0].startswith("file://")
    path = Path(opened[0][len("file://"):])
    assert path.read_text(encoding="utf-8") == "<h1>Hi Ann</h1>"
    path.unlink()


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
