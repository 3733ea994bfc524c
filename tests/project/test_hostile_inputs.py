"""Hostile or broken input files, through the real CLI entry point: each is one clear line (with
file:line:col where it applies), never a traceback or a hang, and no file outside the project is read.

Covers deep JSON and TOML, a 5,000-digit integer, NaN/Infinity, FIFOs, symbolic links out of the project,
broken and looping links, terminal control characters in printed text, and ``render --open``'s files.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

from ses_workbench.cli import main
from ses_workbench.cli.output import for_stream, visible
from ses_workbench.preview_policy import with_policy_meta
from ses_workbench.project import Project
from ses_workbench.project.errors import FixtureError
from ses_workbench.project.fixtures import MAX_JSON_DEPTH, parse_json, template_data_json
from tests.project.helpers import write_template

DEEP_JSON = '{"a":' * 10_000 + "1" + "}" * 10_000
DEEP_TOML = "x = " + "[" * 3000 + "]" * 3000 + "\n"
SECRET = "s3cr3t-do-not-upload"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    """The error output is exactly one line and no traceback; returns it."""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write_template(root, "welcome", fixtures={"default": {"name": "Ann"}})
    write_template(root, "other", html="<p>{{missing}}</p>\n", fixtures={"default": {"name": "Bo"}})
    return root


# ------------------------------------------------------------------------------ deep JSON (10,000 levels)
def test_deep_json_fixture_is_one_lint_error_and_the_rest_is_still_linted(
        proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (proj / "welcome" / "data" / "deep.json").write_text(DEEP_JSON)
    code, out, err = run(capsys, "lint", "--dir", str(proj))
    assert code == 1 and "Traceback" not in out + err
    deep = [line for line in out.splitlines() if "deep.json" in line]
    assert len(deep) == 1
    assert f"deep.json:1:{5 * MAX_JSON_DEPTH + 1}: error: fixture is not valid JSON: nested too deeply" \
        in deep[0]
    assert "other/body.html" in out and "'missing'" in out  # the other template was linted too
    assert "2 templates" in err


def test_deep_json_in_render_fixture_data_and_import(proj: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (proj / "welcome" / "data" / "deep.json").write_text(DEEP_JSON)
    code, _, err = run(capsys, "render", "welcome", "-f", "deep", "--dir", str(proj))
    assert code == 1 and "deep.json:1:1001: invalid JSON: nested too deeply" in one_line(err)

    data = tmp_path / "data.json"
    data.write_text(DEEP_JSON)
    code, _, err = run(capsys, "render", "welcome", "--data", str(data), "--dir", str(proj))
    assert code == 1 and "data.json:1:1001: invalid JSON: nested too deeply" in one_line(err)

    doc = tmp_path / "import.json"
    doc.write_text('{"TemplateName": "x", "TemplateContent": ' + DEEP_JSON + "}")
    code, _, err = run(capsys, "import", str(doc), "--dir", str(proj))
    assert code == 1 and "import.json:1:" in one_line(err) and "nested too deeply" in err
    assert not (proj / "x").exists()


def test_deep_json_in_check_rows(proj: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"name": "Ann"}\n' + DEEP_JSON + '\n{"name": "Bo"}\n')
    code, out, err = run(capsys, "check", "welcome", "--data", str(rows), "--dir", str(proj))
    assert code == 1 and "Traceback" not in out + err
    assert "3 rows" in out and "row 2: malformed JSON: nested too deeply" in out  # the others were checked
    array = tmp_path / "rows.json"
    array.write_text('[{"name": "Ann"}, ' + DEEP_JSON + "]")
    code, out, err = run(capsys, "check", "welcome", "--data", str(array), "--dir", str(proj))
    assert code == 1 and "malformed JSON in row 2 (line 1): nested too deeply" in one_line(err)


def test_json_nested_up_to_the_limit_still_parses() -> None:
    text = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert parse_json(text) is not None
    with pytest.raises(FixtureError, match="nested too deeply"):
        parse_json("[" + text + "]")
    # brackets inside strings are text, not nesting
    assert parse_json(json.dumps({"s": "[" * 5000})) == {"s": "[" * 5000}


# ------------------------------------------------------------------------------ deep TOML (3,000 levels)
def test_deep_toml_in_the_project_config(proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (proj / "ses-workbench.toml").write_text(DEEP_TOML)
    code, out, err = run(capsys, "lint", "--dir", str(proj))
    assert code == 1 and "Traceback" not in out + err
    assert "ses-workbench.toml:1:1: error: malformed TOML: arrays or tables nested too deeply [config]" in out
    code, _, err = run(capsys, "render", "welcome", "--dir", str(proj))
    assert code == 1
    assert "ses-workbench.toml: malformed TOML: arrays or tables nested too deeply" in one_line(err)
    code, _, err = run(capsys, "status", "--dir", str(proj))
    assert code == 1 and "nested too deeply" in one_line(err)


def test_deep_toml_in_template_toml(proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (proj / "welcome" / "template.toml").write_text(DEEP_TOML)
    code, out, err = run(capsys, "lint", "welcome", "--dir", str(proj))
    assert code == 1 and "Traceback" not in out + err
    assert "welcome/template.toml:1:1: error: malformed TOML: arrays or tables nested too deeply" in out
    code, _, err = run(capsys, "render", "welcome", "--dir", str(proj))
    assert code == 1 and "template.toml: malformed TOML: arrays or tables nested too deeply" in one_line(err)


# ------------------------------------------------------------------------------ big integers, NaN, Infinity
def test_integer_over_4300_digits(proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (proj / "welcome" / "data" / "default.json").write_text('{\n  "name": ' + "9" * 5000 + "\n}")
    code, out, err = run(capsys, "lint", "welcome", "--dir", str(proj))
    assert code == 1 and "Traceback" not in out + err
    assert "welcome/data/default.json:2:11: error: fixture is not valid JSON: an integer with more than " \
           "4,300 digits [broken-json]" in out
    code, _, err = run(capsys, "render", "welcome", "--dir", str(proj))
    assert code == 1
    assert "default.json:2:11: invalid JSON: an integer with more than 4,300 digits" in one_line(err)


@pytest.mark.parametrize("value, shown", [("NaN", "NaN is not a JSON value"),
                                          ("Infinity", "Infinity is not a JSON value"),
                                          ("-Infinity", "-Infinity is not a JSON value"),
                                          ("1e999", "the number 1e999 is too large")])
def test_nan_and_infinity_are_not_json(proj: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       value: str, shown: str) -> None:
    (proj / "welcome" / "data" / "default.json").write_text('{"name": "NaN",\n "n": ' + value + "}")
    code, out, err = run(capsys, "lint", "welcome", "--dir", str(proj))
    assert code == 1
    assert f"welcome/data/default.json:2:7: error: fixture is not valid JSON: invalid JSON: {shown}" in out \
        or f"welcome/data/default.json:2:7: error: fixture is not valid JSON: {shown}" in out
    code, _, err = run(capsys, "render", "welcome", "--dir", str(proj))
    assert code == 1 and f"default.json:2:7: invalid JSON: {shown}" in one_line(err)
    data = tmp_path / "d.json"
    data.write_text('{"n": ' + value + "}")
    code, _, err = run(capsys, "render", "welcome", "--data", str(data), "--dir", str(proj))
    assert code == 1 and f"d.json:1:7: invalid JSON: {shown}" in one_line(err)


def test_template_data_is_never_serialised_with_nan() -> None:
    assert template_data_json({"a": 1.5, "b": "é"}) == '{"a": 1.5, "b": "é"}'
    assert template_data_json({"b": "é"}, ensure_ascii=True) == '{"b": "\\u00e9"}'
    for bad in (float("nan"), float("inf"), -float("inf")):
        with pytest.raises(FixtureError, match="NaN or Infinity is not JSON"):
            template_data_json({"a": bad})


# ------------------------------------------------------------------------------ FIFOs never block
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("where", ["welcome/body.html", "welcome/subject.txt", "welcome/template.toml",
                                   "welcome/data/default.json"])
# in this process: blocking in open() (the old behaviour) fails the test at the timeout instead of hanging it
@pytest.mark.timeout(60, method="signal")
def test_a_fifo_never_blocks(proj: Path, where: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = proj / where
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    for argv in (["render", "welcome"], ["lint", "welcome"]):
        code, out, err = run(capsys, *argv, "--dir", str(proj))
        assert code == 1, (out, err)
        assert "Traceback" not in err
        shown = out + err
        assert f"{Path(where).name}" in shown and "a FIFO (named pipe), not a regular file" in shown


# ------------------------------------------------------------------------------ symbolic links
def test_part_linked_outside_the_project_is_refused_everywhere(proj: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    (proj / "welcome" / "body.txt").symlink_to(secret)
    why = f"a symbolic link to {secret}, outside the project"
    code, out, err = run(capsys, "render", "welcome", "--dir", str(proj))
    assert code == 1 and SECRET not in out + err
    assert f"welcome/body.txt: {why}" in one_line(err)
    code, out, err = run(capsys, "lint", "welcome", "--dir", str(proj))
    assert code == 1 and SECRET not in out
    assert f"welcome/body.txt:1:1: error: {why}" in out
    code, out, err = run(capsys, "export", "welcome", "--dir", str(proj))
    assert code == 1 and SECRET not in out + err and why in one_line(err)


def test_fixture_and_metadata_linked_outside_are_refused(proj: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"name": SECRET}))
    (proj / "welcome" / "data" / "leak.json").symlink_to(secret)
    code, out, err = run(capsys, "render", "welcome", "-f", "leak", "--dir", str(proj))
    assert code == 1 and SECRET not in out + err
    assert "leak.json: a fixture that cannot be read: a symbolic link to" in one_line(err)
    meta = tmp_path / "meta.toml"
    meta.write_text(f'description = "{SECRET}"\n')
    (proj / "welcome" / "template.toml").symlink_to(meta)
    code, out, err = run(capsys, "render", "welcome", "--dir", str(proj))
    assert code == 1 and SECRET not in out + err
    assert f"template.toml: cannot read template metadata: a symbolic link to {meta}, outside the project" \
        in one_line(err)


def test_a_link_that_stays_inside_the_project_is_followed(proj: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    shared = proj / "_shared"
    shared.mkdir()
    (shared / "footer.txt").write_text("Hi {{name}} from inside\n")
    (proj / "welcome" / "body.txt").symlink_to(Path("..") / "_shared" / "footer.txt")
    (proj / "welcome" / "data" / "copy.json").symlink_to("default.json")
    code, out, _ = run(capsys, "render", "welcome", "-f", "copy", "--part", "text", "--dir", str(proj))
    assert (code, out) == (0, "Hi Ann from inside\n")


def test_a_layout_linked_outside_is_refused(proj: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.html"
    secret.write_text(f"<p>{SECRET}</p>")
    (proj / "_layouts").mkdir()
    (proj / "_layouts" / "base.html").symlink_to(secret)
    (proj / "welcome" / "body.html").write_text('{% include "base.html" %}\n<p>Hi {{name}}</p>\n')
    code, out, err = run(capsys, "render", "welcome", "--dir", str(proj))
    assert code == 1 and SECRET not in out + err
    assert f"_layouts/base.html: a symbolic link to {secret}, outside the project" in one_line(err)
    code, out, _ = run(capsys, "lint", "welcome", "--dir", str(proj))
    assert code == 1 and SECRET not in out and "outside the project" in out


def test_template_folder_linked_outside_is_not_a_template(proj: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = write_template(tmp_path / "elsewhere", "evil", subject=f"{SECRET}\n")
    (proj / "evil").symlink_to(elsewhere, target_is_directory=True)
    project = Project.load(proj)
    assert "evil" not in project.templates
    code, out, err = run(capsys, "lint", "--dir", str(proj))
    assert code == 1
    assert f"evil:1:1: error: not a template: a symbolic link to {elsewhere}, outside the project" in out
    assert "2 templates" in err
    code, out, err = run(capsys, "render", "evil", "--dir", str(proj))
    assert code == 2 and SECRET not in out + err and "no template named 'evil'" in one_line(err)


def test_broken_and_looping_fixture_links_are_reported(proj: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    data = proj / "welcome" / "data"
    (data / "loop.json").symlink_to("loop.json")
    (data / "gone.json").symlink_to("nowhere.json")
    code, out, _ = run(capsys, "lint", "welcome", "--dir", str(proj))
    assert code == 1
    assert "loop.json:1:1: error: a fixture that cannot be read: a symbolic link that loops" in out
    assert "gone.json:1:1: error: a fixture that cannot be read: a broken symbolic link " \
           "(to nowhere.json" in out
    code, _, err = run(capsys, "render", "welcome", "--fixture", "loop", "--dir", str(proj))
    assert code == 1
    assert "loop.json: a fixture that cannot be read: a symbolic link that loops" in one_line(err)


def test_a_broken_default_fixture_never_falls_back_to_another(proj: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = proj / "welcome" / "data"
    (data / "another.json").write_text('{"name": "Someone else"}')
    (data / "default.json").unlink()
    (data / "default.json").symlink_to("missing.json")
    code, out, err = run(capsys, "render", "welcome", "--dir", str(proj))
    assert code == 1 and "Someone else" not in out
    assert "default.json: a fixture that cannot be read: a broken symbolic link" in one_line(err)


# ------------------------------------------------------------------------------ terminal control characters
class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


ESC_SUBJECT = "Hi \x1b]0;PWNED\x07 \x1b[2J\u202eevil\r{{name}}\n"


def test_render_shows_control_characters_on_a_terminal(proj: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (proj / "welcome" / "subject.txt").write_text(ESC_SUBJECT)
    for argv in (["--part", "subject"], []):
        tty = FakeTty()
        monkeypatch.setattr(sys, "stdout", tty)
        assert main(["render", "welcome", "--dir", str(proj), *argv]) == 0
        shown = tty.getvalue()
        assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown and "\r" not in shown
        assert "Hi \\x1b]0;PWNED\\x07 \\x1b[2J\\u202eevil\\rAnn" in shown


def test_render_keeps_exact_bytes_when_not_a_terminal(proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (proj / "welcome" / "subject.txt").write_text(ESC_SUBJECT)
    code, out, _ = run(capsys, "render", "welcome", "--part", "subject", "--dir", str(proj))
    assert (code, out) == (0, "Hi \x1b]0;PWNED\x07 \x1b[2J\u202eevil\rAnn\n")


def test_error_and_lint_lines_never_carry_control_characters(proj: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    write_template(proj, "evil\x1b]0;T\x07")  # a folder name SES rejects, holding an OSC sequence
    (proj / "welcome" / "data" / "x\x1b[2J.json").write_text("{oops")
    code, out, err = run(capsys, "lint", "--dir", str(proj))
    assert code == 1 and "\x1b" not in out + err and "\x07" not in out
    assert "evil\\x1b]0;T\\x07" in out and "x\\x1b[2J.json" in out
    code, out, err = run(capsys, "render", "welcome", "-f", "x\x1b[2J", "--dir", str(proj))
    assert code == 1 and "\x1b" not in err and "x\\x1b[2J.json" in one_line(err)


def test_visible_keeps_newlines_tabs_and_crlf() -> None:
    assert visible("a\tb\r\nc\nd") == "a\tb\r\nc\nd"
    assert visible("\x00\x9b\x7f\u2066") == "\\x00\\x9b\\x7f\\u2066"
    assert for_stream("\x1b", io.StringIO()) == "\x1b"
    assert for_stream("\x1b", FakeTty()) == "\\x1b"


# ------------------------------------------------------------------------------ render --open
def test_render_open_reuses_one_file_in_the_state_folder(proj: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    for fixture in ("default", "default"):
        code, _, err = run(capsys, "render", "welcome", "--open", "-f", fixture, "--dir", str(proj))
        assert code == 0
    preview = proj / ".ses-workbench" / "preview" / "welcome.html"
    assert opened == [preview.as_uri(), preview.as_uri()]
    assert preview.read_text(encoding="utf-8") == with_policy_meta("<p>Hi Ann</p>\n")
    assert list(tmp.iterdir()) == []  # nothing left behind in the temp folder
    assert f"opened {preview}" in err
