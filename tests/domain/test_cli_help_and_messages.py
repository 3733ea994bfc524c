"""What a newcomer meets on the command line: --open without a browser, --dir for the workbench, a folder
with no template, export -o into a missing folder, push naming the folders it skips, counts in English."""

from __future__ import annotations

import re
import shutil
import tokenize
from pathlib import Path
from typing import Any

import pytest

from ses_workbench.cli import main
from ses_workbench.preview_policy import with_policy_meta
from ses_workbench.wording import noun, plural
from tests.conftest import copy_samples

from .conftest import MakeTemplate

PKG = Path(__file__).resolve().parents[2] / "ses_workbench"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of sample_templates/ whose local endpoint does not pace calls, and no AWS credentials."""
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    dest = copy_samples(tmp_path / "samples")
    config = dest / "ses-workbench.toml"
    text = re.sub(r"(?m)^(template_ops_per_second|max_send_rate) = .*$", r"\1 = 500",
                  config.read_text(encoding="utf-8"))
    config.write_text(text, encoding="utf-8")
    return dest


# ------------------------------------------------------------------------------------------ render --open
@pytest.mark.parametrize("opened", [False, True])
def test_render_open_says_whether_a_browser_took_the_page(
        make_template: MakeTemplate, project_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, opened: bool) -> None:
    make_template("hello", html="<p>Hi</p>")
    urls: list[str] = []

    def browser(url: str, *args: Any, **kwargs: Any) -> bool:  # what webbrowser answers on this machine
        urls.append(url)
        return opened

    monkeypatch.setattr("webbrowser.open", browser)
    code, _, err = run(capsys, "render", "hello", "--open", "--dir", str(project_dir))
    [url] = urls
    page = Path(url.removeprefix("file://"))
    assert page.read_text(encoding="utf-8") == with_policy_meta("<p>Hi</p>")  # the preview's policy first
    if opened:
        assert (code, err) == (0, f"opened {page}\n")
    else:
        assert code == 1
        assert err == f"ses-workbench: no browser could be opened (set $BROWSER); the page is {page}\n"


# ------------------------------------------------------------------------------------------ --dir for the app
@pytest.mark.parametrize("argv", [["--dir", "{dir}"], ["app", "--dir", "{dir}"], ["{dir}"],
                                  ["app", "{dir}", "--dir", "{dir}"]])
def test_the_workbench_takes_dir_like_every_command(samples: Path, monkeypatch: pytest.MonkeyPatch,
                                                    argv: list[str]) -> None:
    from ses_workbench.tui.app import WorkbenchApp

    opened: list[Path] = []

    def run_app(self: WorkbenchApp, *args: Any, **kwargs: Any) -> None:  # the screen itself is not under test
        opened.append(self.project.root)

    monkeypatch.setattr(WorkbenchApp, "run", run_app)
    assert main([a.format(dir=samples) for a in argv]) == 0
    assert opened == [samples.resolve()]


def test_two_different_folders_for_the_workbench_are_a_usage_error(
        samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "app", str(samples), "--dir", str(tmp_path))
    assert code == 2 and err.count("\n") == 1 and "two folders given" in err


# ------------------------------------------------------------------------------------------ no template here
def test_status_in_a_folder_with_no_template_fails_and_creates_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "repo-root"
    (empty / "docs").mkdir(parents=True)
    code, out, err = run(capsys, "status", "--local", "--dir", str(empty))
    assert code == 1 and out == ""
    assert err == f"ses-workbench: no templates in {empty.resolve()} (a template is a folder with " \
                  "subject.txt and body.html or body.txt)\n"
    assert sorted(p.name for p in empty.iterdir()) == ["docs"]  # no .ses-workbench/ left behind


# ------------------------------------------------------------------------------------------ export -o
def test_export_into_a_missing_folder_is_one_line_and_creates_nothing(
        make_template: MakeTemplate, project_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    make_template("hello")
    target = tmp_path / "no-such" / "deeper" / "hello.json"
    code, out, err = run(capsys, "export", "hello", "-o", str(target), "--dir", str(project_dir))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"no such directory {target.parent}" in err
    assert not (tmp_path / "no-such").exists()
    code, _, _ = run(capsys, "export", "hello", "-o", str(tmp_path / "hello.json"), "--dir", str(project_dir))
    assert code == 0 and (tmp_path / "hello.json").is_file()


# ------------------------------------------------------------------------------------------ push names skips
def test_push_dry_run_names_the_folders_it_skips(samples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(samples / "welcome", samples / "bad name")
    code, out, err = run(capsys, "push", "--dry-run", "--local", "--dir", str(samples))
    assert code == 1 and "local: 8 to create, 0 to update, 0 unchanged, 1 refused" in out  # not left out
    assert "refused bad name: template name 'bad name' may only use letters, digits" in err


# ------------------------------------------------------------------------------------------ counts in English
def test_counts_read_as_english(samples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "send", "welcome", "--to", "qa@acme.test", "--draft", "--dry-run", "--local",
                       "--dir", str(samples))
    assert code == 0 and out.startswith("1 email of 'welcome' to 1 recipient × 1 fixture via local")
    code, out, _ = run(capsys, "send", "welcome", "--all-fixtures", "--draft", "--dry-run", "--local",
                       "--dir", str(samples))
    assert code == 0 and out.startswith("6 emails of 'welcome' to 2 recipients × 3 fixtures")
    code, out, _ = run(capsys, "parity", "welcome", "--local", "--dir", str(samples))
    assert code == 0 and out.endswith("1/1 fixture renders the same locally and in SES\n")
    code, out, err = run(capsys, "lint", "welcome", "--dir", str(samples))
    assert code == 0 and out + err == "1 template: 0 errors, 0 warnings\n"


def test_a_one_row_check_says_row(samples: Path) -> None:
    from ses_workbench.check import check_rows
    from ses_workbench.project import Project
    from ses_workbench.render import compile_content

    tpl = Project.load(samples).get("welcome")
    report = check_rows(compile_content(tpl.compose()), [tpl.fixture("default").data], template=tpl)
    assert report.summary() == "1 row: 1 ok, 0 failing"


def test_plural_helper() -> None:
    assert [plural(n, "email") for n in (0, 1, 2)] == ["0 emails", "1 email", "2 emails"]
    assert plural(1, "entry", "entries") == "1 entry" and noun(3, "entry", "entries") == "entries"


def test_no_message_pluralises_with_parenthesised_s() -> None:
    """No ``email(s)`` in a message of the package: counts go through ses_workbench.wording (the engine and
    the local endpoint, which import nothing above them, spell their one plural out)."""
    found = []
    for path in sorted(PKG.rglob("*.py")):
        with path.open("rb") as f:
            for tok in tokenize.tokenize(f.readline):
                docstring = tok.string.startswith(('"""', "'''"))
                if tok.type == tokenize.STRING and re.search(r"[a-z]\(s\)", tok.string) and not docstring:
                    found.append(f"{path.relative_to(PKG.parent)}:{tok.start[0]}: {tok.string[:60]}")
    assert found == []


def test_every_option_and_argument_of_every_command_says_what_it_does() -> None:
    import argparse

    from ses_workbench.cli import build_parser

    commands = build_parser().get_default("_commands")
    exempt = (argparse._HelpAction, argparse._SubParsersAction)  # a sub-command group: each has its help
    silent = [f"{name} {'/'.join(a.option_strings) or a.dest}" for name, p in commands.items()
              for a in p._actions if not a.help and not isinstance(a, exempt)]
    assert silent == []


def test_the_top_level_help_shows_how_to_open_the_workbench(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    assert "'ses-workbench [DIR] [--local] [--env NAME]' opens the terminal workbench" in \
        " ".join(capsys.readouterr().out.split())


def test_no_usage_line_nests_brackets() -> None:
    from ses_workbench.cli import build_parser

    commands = build_parser().get_default("_commands")
    assert [name for name, p in commands.items() if "[[" in p.format_usage()] == []
