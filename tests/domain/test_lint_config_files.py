"""A broken or mistyped ``template.toml`` / ``ses-workbench.toml`` is never silently ignored: lint reports a
malformed or wrong template.toml as an error at file:line:col (render and push refuse the template), and
keys nothing reads as warnings with a "did you mean", once per project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ses_workbench.cli import main
from ses_workbench.lint import lint_project
from ses_workbench.project import Project

from .conftest import write_template


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    write_template(root, "w2", subject="Hi {{name}}", html="<p>Hi {{name}}</p>", text=None,
                   fixtures={"default": {"name": "Ann"}})
    write_template(root, "other", subject="Other", html="<p>x</p>", text="x")
    return root


def lint_json(capsys: pytest.CaptureFixture[str], root: Path, *names: str) -> tuple[int, dict[str, object]]:
    code = main(["lint", "--dir", str(root), "--format", "json", *names])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(("text", "line", "column", "words"), [
    ("text_part = \n", 1, 13, "malformed TOML"),
    ('description = "d"\ntext_part = "sometimes"\n', 2, 1, "text_part must be one of"),
    ('description = 3\n', 1, 1, "description must be a string"),
    ('\n\nlayout_vars = "x"\n', 3, 1, "layout_vars must be a table"),
])
def test_broken_template_toml_is_a_lint_error_with_its_position(
        proj: Path, capsys: pytest.CaptureFixture[str], text: str, line: int, column: int,
        words: str) -> None:
    meta = proj / "w2" / "template.toml"
    meta.write_text(text)
    code, doc = lint_json(capsys, proj, "w2")
    errors = [d for d in doc["diagnostics"] if d["severity"] == "error"]  # type: ignore[union-attr,index]
    assert code == 1 and len(errors) == 1
    d = errors[0]
    assert (d["path"], d["line"], d["column"], d["code"]) == (str(meta), line, column, "template-toml")
    assert words in d["message"]
    # text format: file:line:col, as editors and CI logs read it
    assert main(["lint", str(proj)]) == 1
    assert f"w2/template.toml:{line}:{column}: error: " in capsys.readouterr().out


def test_render_and_push_refuse_a_broken_template_toml(proj: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(var, raising=False)
    (proj / "w2" / "template.toml").write_text('text_part = "sometimes"\n')
    assert main(["render", "w2", "--dir", str(proj)]) == 1
    err = capsys.readouterr().err
    assert "template.toml:1:1: text_part must be one of" in err and len(err.strip().splitlines()) == 1
    for extra in ([], ["--no-lint"]):
        assert main(["push", "w2", "--local", "--yes", "--dir", str(proj), *extra]) == 1
        out, err = capsys.readouterr()
        assert "refused w2" in err and "text_part must be one of" in err and "1 refused" in out


def test_unknown_template_toml_keys_are_warnings_with_a_suggestion(
        proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    meta = proj / "w2" / "template.toml"
    meta.write_text('descripton = "Welcome"\n\n[layout_var]\nbrand = "X"\n')
    code, doc = lint_json(capsys, proj)
    found = {(d["line"], d["message"]) for d in doc["diagnostics"]  # type: ignore[union-attr]
             if d["code"] == "unknown-key" and d["path"] == str(meta)}  # type: ignore[index]
    assert code == 0
    assert {line for line, _ in found} == {1, 3}
    assert any("'descripton'" in m and "did you mean description?" in m for _, m in found)
    assert any("'layout_var'" in m and "did you mean layout_vars?" in m for _, m in found)


def test_unknown_config_keys_are_warned_once_per_project(proj: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    cfg = proj / "ses-workbench.toml"
    cfg.write_text('sender = "a@example.com"\ntest_recipient = ["b@example.com"]\n\n'
                   '[tui.keymap]\npush = "f12"\n')
    code, doc = lint_json(capsys, proj)
    warned = [d for d in doc["diagnostics"] if d["path"] == str(cfg)]  # type: ignore[union-attr,index]
    assert code == 0 and len(warned) == 1  # not once per template; [tui] belongs to the TUI
    d = warned[0]
    assert (d["severity"], d["code"], d["line"], d["column"]) == ("warning", "unknown-key", 2, 1)
    assert "'test_recipient'" in d["message"] and "did you mean test_recipients?" in d["message"]
    # the library entry point the TUI and the lint child use says the same, once
    diags = lint_project(Project.load(proj))
    assert [x.line for x in diags if x.path == str(cfg)] == [2]
    assert main(["lint", str(proj)]) == 0
    assert "ses-workbench.toml:2:1: warning: unknown key 'test_recipient'" in capsys.readouterr().out


@pytest.mark.parametrize(("text", "line", "hint"), [
    ('[environments.prod]\nprofile = "p"\nregoin = "eu-west-1"\n', 3, "did you mean region?"),
    ('[local_ses]\nsandbx = false\n', 2, "did you mean sandbox?"),
])
def test_unknown_environment_and_local_ses_keys_point_at_their_line(
        proj: Path, capsys: pytest.CaptureFixture[str], text: str, line: int, hint: str) -> None:
    (proj / "ses-workbench.toml").write_text(text)
    assert main(["lint", str(proj)]) == 1  # these stay errors: a mistyped prefix/region deploys elsewhere
    out = capsys.readouterr().out
    assert f"ses-workbench.toml:{line}:1: error: unknown key" in out and hint in out
