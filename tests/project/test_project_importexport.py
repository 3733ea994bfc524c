"""AWS CLI JSON shapes in and out, and the import/export CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ses_workbench.cli import main
from ses_workbench.project import ImportFormatError, Project, TemplateExistsError, TemplateNameError
from ses_workbench.project.importexport import export_template, import_files, parse_template_json

V1 = {"Template": {"TemplateName": "legacy", "SubjectPart": "Hi {{name}}",
                   "HtmlPart": "<p>Hello {{name}}</p>", "TextPart": "Hello {{name}}"}}
V2 = {"TemplateName": "modern", "TemplateContent": {"Subject": "Yo {{n}}", "Html": "<b>{{n}}</b>"},
      "TemplateData": "{\"n\": 1}"}


def dump(path: Path, obj: object) -> Path:
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


@pytest.mark.parametrize("obj, name, shape", [
    (V1, "legacy", "v1"),
    (V1["Template"], "legacy", "v1"),
    (V2, "modern", "v2"),
    ({"TemplateName": "bare", "Subject": "s", "Text": "t"}, "bare", "v2"),
])
def test_parse_shapes(obj: dict, name: str, shape: str) -> None:
    [item] = parse_template_json(obj)
    assert (item.name, item.shape) == (name, shape)


def test_bare_content_takes_name_from_file(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    project = Project.load(tmp_path / "proj")
    f = dump(tmp_path / "from-file.json", {"Subject": "S", "Html": "<p>h</p>", "Text": None})
    [tpl] = import_files(project, [f])
    assert tpl.name == "from-file"
    assert tpl.compose().html == "<p>h</p>"


@pytest.mark.parametrize("obj, fragment", [
    ({"Foo": 1}, "not an SES template"),
    ([], "empty list"),
    ("str", "JSON object"),
    ({"Template": {"SubjectPart": "s", "HtmlPart": "h"}}, "TemplateName"),
    ({"Template": {"TemplateName": "x", "SubjectPart": "s"}}, "neither"),
    ({"Template": {"TemplateName": "x", "SubjectPart": 3, "HtmlPart": "h"}}, "SubjectPart"),
    ({"TemplateContent": {"Subject": "s"}}, "TemplateName"),
])
def test_bad_shapes_name_the_file(obj: object, fragment: str, tmp_path: Path) -> None:
    f = dump(tmp_path / "bad.json", obj)
    project = Project.load(tmp_path)
    with pytest.raises(ImportFormatError) as err:
        import_files(project, [f])
    assert fragment in str(err.value) and "bad.json" in str(err.value)


def test_invalid_json_and_bad_name(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{\n "Template": {,\n}')
    project = Project.load(tmp_path)
    with pytest.raises(ImportFormatError) as err:
        import_files(project, [tmp_path / "broken.json"])
    assert err.value.line == 2
    bad_name = {"Template": {"TemplateName": "no good", "SubjectPart": "s", "HtmlPart": "h"}}
    f = dump(tmp_path / "n.json", bad_name)
    with pytest.raises(TemplateNameError, match="n.json"):
        import_files(project, [f])


def test_import_is_all_or_nothing(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    project = Project.load(tmp_path / "proj")
    good = dump(tmp_path / "good.json", V1)
    bad = dump(tmp_path / "bad.json", {"nope": 1})
    with pytest.raises(ImportFormatError):
        import_files(project, [good, bad])
    assert project.names == []
    with pytest.raises(ImportFormatError, match="twice"):
        import_files(project, [good, good])
    assert project.names == []


def test_refuses_overwrite_unless_asked(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    project = Project.load(tmp_path / "proj")
    f = dump(tmp_path / "t.json", V1)
    import_files(project, [f])
    project.get("legacy").write_fixture("default", '{"name": "x"}')
    with pytest.raises(TemplateExistsError, match="--force"):
        import_files(project, [f])
    changed = {"Template": {"TemplateName": "legacy", "SubjectPart": "New", "HtmlPart": "<p>new</p>"}}
    [tpl] = import_files(project, [dump(tmp_path / "t2.json", changed)], overwrite=True)
    assert tpl.compose().subject == "New"
    assert not tpl.has_part("text")  # absent from the import: moved to the trash
    assert "default" in tpl.fixtures  # fixtures kept


@pytest.mark.parametrize("v1", [False, True])
def test_round_trip_through_export(v1: bool, sample_project: Project, tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    other = Project.load(tmp_path / "other")
    for tpl in sample_project.templates.values():
        doc = export_template(tpl, v1=v1)
        if v1:
            assert set(doc) == {"Template"} and doc["Template"]["TemplateName"] == tpl.name
        else:
            assert doc["TemplateName"] == tpl.name
            assert set(doc["TemplateContent"]) == {"Subject", "Html", "Text"}
        [imported] = import_files(other, [dump(tmp_path / f"{tpl.name}.json", doc)])
        assert imported.compose() == tpl.compose()
        assert imported.compose().content_hash() == tpl.compose().content_hash()


def test_export_with_other_name(sample_project: Project) -> None:
    doc = export_template(sample_project.get("invoice"), name="stg-invoice")
    assert doc["TemplateName"] == "stg-invoice"


def test_cli_import_export(sample_project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                           monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["export", "order-receipt", "--dir", str(sample_project.root)]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)
    assert doc["TemplateName"] == "order-receipt" and "{{#each items}}" in doc["TemplateContent"]["Html"]

    target = tmp_path / "fresh"
    target.mkdir()
    exported = tmp_path / "v1.json"
    assert main(["export", "welcome", "--v1", "--dir", str(sample_project.root), "-o", str(exported)]) == 0
    assert json.loads(exported.read_text())["Template"]["SubjectPart"].startswith("Welcome to Acme")

    monkeypatch.setenv("SES_WORKBENCH_DIR", str(target))
    assert main(["import", str(exported)]) == 0
    assert "created welcome" in capsys.readouterr().out
    assert Project.load(target).get("welcome").compose() == sample_project.get("welcome").compose()

    assert main(["import", str(exported)]) == 1  # exists
    assert "--force" in capsys.readouterr().err
    assert main(["import", str(exported), "--force"]) == 0
    assert "updated welcome" in capsys.readouterr().out

    assert main(["export", "welcom", "--dir", str(sample_project.root)]) == 2
    assert "did you mean welcome" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "missing.json")]) == 2  # a usage error, like `render --data`
    assert capsys.readouterr().err == f"ses-workbench: {tmp_path / 'missing.json'}: no such file\n"
    assert main(["export", "welcome", "--dir", str(sample_project.root), "--as-name", "bad name"]) == 2
    assert capsys.readouterr().err.startswith("ses-workbench: --as-name: template name 'bad name' may only")
    assert main(["export", "x", "--dir", str(tmp_path / "nope")]) == 2


def test_cli_import_from_stdin(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(V2)))
    assert main(["import", "-", "--dir", str(tmp_path)]) == 0
    assert "created modern" in capsys.readouterr().out
    assert Project.load(tmp_path).get("modern").compose().subject == "Yo {{n}}"
    monkeypatch.setattr("sys.stdin", io.StringIO("{nope"))
    assert main(["import", "-", "--dir", str(tmp_path)]) == 1
    assert "<stdin>:1:2: invalid JSON" in capsys.readouterr().err


def test_cli_imports_v1_and_v2_files_then_renders_them(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["import", str(dump(tmp_path / "v1.json", V1)), str(dump(tmp_path / "v2.json", V2))]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(" (")[0] for line in out] == ["created legacy", "created modern"]
    assert (tmp_path / "legacy" / "body.txt").read_text() == "Hello {{name}}"
    assert not (tmp_path / "modern" / "body.txt").exists()  # v2 without Text: generated when rendered
    data = dump(tmp_path / "d.json", {"name": "Ann", "n": 7})
    assert main(["render", "legacy", "--data", str(data), "--part", "html"]) == 0
    assert capsys.readouterr().out == "<p>Hello Ann</p>\n"
    assert main(["render", "modern", "--data", str(data), "--part", "subject"]) == 0
    assert capsys.readouterr().out == "Yo 7\n"
    # What comes back out is what went in (v2 gets the generated text part, as SES would store it).
    assert main(["export", "legacy", "--v1"]) == 0
    assert json.loads(capsys.readouterr().out) == V1


@pytest.mark.parametrize(("obj", "fragment"), [
    ({"foo": 1}, "not an SES template"),
    ({"Template": {"TemplateName": "bad name", "SubjectPart": "x", "HtmlPart": "y"}},
     "template name 'bad name'"),
    ("{nope", "1:2: invalid JSON"),
])
def test_cli_import_refuses_bad_files_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  obj: object, fragment: str) -> None:
    path = tmp_path / "in.json"
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj), encoding="utf-8")
    assert main(["import", str(path), "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ses-workbench: {path}") and fragment in err and err.count("\n") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["in.json"]  # nothing written


def test_an_html_only_import_stays_html_only(tmp_path: Path) -> None:
    """The default policy generates text parts; an imported template SES holds without one keeps none
    (template.toml: text_part = "optional"), so it composes to exactly what was imported."""
    (tmp_path / "proj").mkdir()
    project = Project.load(tmp_path / "proj")
    assert project.config.text_part == "generate"
    [modern] = import_files(project, [dump(tmp_path / "v2.json", V2)])
    assert modern.compose().text is None and modern.text_policy == "optional"
    [legacy] = import_files(project, [dump(tmp_path / "v1.json", V1)])
    assert legacy.compose().text == "Hello {{name}}" and not legacy.meta_path.exists()
    assert export_template(modern)["TemplateContent"] == V2["TemplateContent"]


def test_template_toml_text_part_overrides_the_project(tmp_path: Path) -> None:
    from ses_workbench.lint import lint_template
    from ses_workbench.project import ConfigError

    root = tmp_path / "proj"
    (root / "t").mkdir(parents=True)
    (root / "ses-workbench.toml").write_text('text_part = "require"\n')
    (root / "t" / "subject.txt").write_text("S\n")
    (root / "t" / "body.html").write_text("<p>x</p>\n")
    project = Project.load(root)
    tpl = project.get("t")
    assert tpl.text_policy == "require"
    assert [d.code for d in lint_template(tpl, config=project.config) if d.is_error] == ["missing-text"]

    # set_text_policy keeps what else the file says, and puts the key at the top level
    tpl.meta_path.write_text('description = "d"\n\n[layout_vars]\ntext_part = "a layout variable"\n')
    tpl.set_text_policy("generate")
    assert tpl.meta.text_part == "generate" and tpl.meta.description == "d"
    assert tpl.meta.layout_vars == {"text_part": "a layout variable"}
    assert tpl.text_generated and tpl.compose().text is not None
    assert not [d for d in lint_template(tpl, config=project.config) if d.is_error]
    tpl.set_text_policy("optional")
    assert tpl.meta_path.read_text().count("text_part = ") == 2  # replaced, not added
    assert tpl.compose().text is None and tpl.meta.layout_vars == {"text_part": "a layout variable"}

    tpl.meta_path.write_text('text_part = "sometimes"\n')
    with pytest.raises(ConfigError, match="text_part must be one of"):
        tpl.meta  # noqa: B018 - the property parses the file


def test_export_refuses_a_template_that_does_not_compile(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "proj"
    (root / "broken").mkdir(parents=True)
    (root / "ses-workbench.toml").write_text("")
    (root / "broken" / "subject.txt").write_text("Hi\n")
    (root / "broken" / "body.html").write_text("<p>ok</p>\n<p>{{#if x}}never closed</p>\n")
    out_file = tmp_path / "out.json"
    assert main(["export", "broken", "--dir", str(root), "-o", str(out_file)]) == 1
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert "broken/body.html:2:4:" in line and "{{#if}} is never closed" in line
    assert not out_file.exists() and captured.out == ""
