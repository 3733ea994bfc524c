"""import: a starter fixture for a template that arrives without data, and a hint for raw newlines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ses_workbench.cli import main
from ses_workbench.lint import lint_template
from ses_workbench.project import ImportFormatError, Project
from ses_workbench.project.importexport import import_files, read_template_file
from ses_workbench.render import render_template

V1 = {"Template": {"TemplateName": "promo", "SubjectPart": "Hi {{user.first}}",
                   "HtmlPart": "<p>{{#each items}}{{name}}: {{price}}{{/each}}</p>{{#if vip}}VIP{{/if}}"}}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    (tmp_path / "proj").mkdir()
    return Project.load(tmp_path / "proj")


def test_an_imported_template_gets_a_starter_fixture_like_a_pulled_one(project: Project,
                                                                       tmp_path: Path) -> None:
    src = tmp_path / "promo.json"
    src.write_text(json.dumps(V1), encoding="utf-8")
    [tpl] = import_files(project, [src])
    data = json.loads((tpl.dir / "data" / "default.json").read_text(encoding="utf-8"))
    assert data == {"user": {"first": "first"}, "items": [{"name": "name", "price": "price"}], "vip": []}
    assert render_template(tpl, fixture="default").subject == "Hi first"
    assert not [d for d in lint_template(tpl, config=project.config) if d.code == "no-fixture" or d.is_error]


def test_an_overwriting_import_keeps_the_fixtures_a_template_has(project: Project, tmp_path: Path) -> None:
    src = tmp_path / "promo.json"
    src.write_text(json.dumps(V1), encoding="utf-8")
    [tpl] = import_files(project, [src])
    mine = '{"user": {"first": "Ana"}, "items": [], "vip": true}\n'
    (tpl.dir / "data" / "default.json").write_text(mine, encoding="utf-8")
    (tpl.dir / "data" / "other.json").write_text("{}", encoding="utf-8")
    [tpl] = import_files(project, [src], overwrite=True)
    assert (tpl.dir / "data" / "default.json").read_text(encoding="utf-8") == mine
    assert sorted(tpl.fixtures) == ["default", "other"]


RAW_NEWLINE = '{"Template": {"TemplateName": "t", "SubjectPart": "Hi",\n "HtmlPart": "<p>\n</p>"}}\n'


def test_a_raw_newline_in_a_string_gets_a_hint(tmp_path: Path) -> None:
    src = tmp_path / "t.json"
    src.write_text(RAW_NEWLINE, encoding="utf-8")
    with pytest.raises(ImportFormatError) as err:
        read_template_file(src)
    assert (err.value.line, err.value.column) == (2, 18)
    assert "a string holds a raw newline at line 2: JSON needs \\n" in err.value.message
    assert "--cli-input-json" in err.value.message


def test_the_cli_prints_the_hint_on_one_line_for_a_file_and_stdin(
        project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    src = tmp_path / "t.json"
    src.write_text(RAW_NEWLINE, encoding="utf-8")
    assert main(["import", str(src), "--dir", str(project.root)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{src}:2:18: invalid JSON: a string holds a raw newline" in err
    monkeypatch.setattr("sys.stdin", io.StringIO(RAW_NEWLINE))
    assert main(["import", "-", "--dir", str(project.root)]) == 1
    assert "<stdin>:2:18: invalid JSON: a string holds a raw newline at line 2" in capsys.readouterr().err
    project.scan()
    assert not project.templates and not (project.root / "t").exists()
