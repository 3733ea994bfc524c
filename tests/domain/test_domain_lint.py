"""lint: each diagnostic code, on purpose-built broken templates, with file:line:column."""

from __future__ import annotations

from pathlib import Path

import pytest

from ses_workbench.cli import main
from ses_workbench.lint import Diagnostic, lint_project, lint_template
from ses_workbench.project import Project

from .conftest import MakeTemplate


def lint_one(project_dir: Path, name: str = "t") -> list[Diagnostic]:
    return lint_template(Project.load(project_dir).get(name))


def codes(diags: list[Diagnostic]) -> list[str]:
    return [d.code for d in diags]


def only(diags: list[Diagnostic], code: str) -> list[Diagnostic]:
    return [d for d in diags if d.code == code]


def test_clean_template_has_no_diagnostics(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(subject="Hi {{name}}", html="<p>{{#each items}}{{name}} {{../name}}{{/each}}</p>",
                  text="Hi {{name}}", fixtures={"default": {"name": "A", "items": [{"name": "x"}]},
                                                "empty": {"name": "B", "items": []}})
    assert lint_one(project_dir) == []


def test_diagnostic_str_is_file_line_col() -> None:
    d = Diagnostic("error", "syntax", "bad", "a/body.html", 3, 7)
    assert str(d) == "a/body.html:3:7: error: bad [syntax]"


def test_missing_attributes_all_of_them(make_template: MakeTemplate, project_dir: Path) -> None:
    folder = make_template(html="<p>\n  {{a}} {{b.c}}\n</p>\n{{d}}",
                           fixtures={"default": {"d": 1}, "other": {}})
    diags = only(lint_one(project_dir), "missing-attribute")
    default = [(d.line, d.column) for d in diags if d.fixture == "default"]
    assert default == [(2, 3), (2, 9)]
    assert len([d for d in diags if d.fixture == "other"]) == 3
    assert all(d.path == str(folder / "body.html") and d.severity == "error" for d in diags)
    assert "Attribute 'a' is not present in the rendering data." in diags[0].message


def test_missing_attribute_in_each_item_and_subject(make_template: MakeTemplate, project_dir: Path) -> None:
    folder = make_template(subject="Order {{order.id}}", html="{{#each items}}\n<td>{{name}}</td>{{/each}}",
                           fixtures={"default": {"order": {}, "items": [{"name": "x"}, {"qty": 1}]}})
    diags = only(lint_one(project_dir), "missing-attribute")
    where = {(Path(d.path).name, d.line, d.column) for d in diags}
    assert where == {("subject.txt", 1, 7), ("body.html", 2, 5)}
    assert folder.exists()


def test_null_counts_as_missing(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(html="{{x}}", fixtures={"default": {"x": None}})
    assert codes(lint_one(project_dir)) == ["missing-attribute"]


def test_unknown_helper(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(html="<p>\n{{#IF ok}}yes{{/IF}} {{formatDate when}}</p>",
                  fixtures={"default": {"ok": True, "when": "x"}})
    diags = only(lint_one(project_dir), "unknown-helper")
    assert [(d.line, d.column) for d in diags] == [(2, 1), (2, 22)]
    assert "'if'" in diags[0].message  # case hint
    assert all(d.fixture is None for d in diags)


def test_undefined_partial(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(html="<p>x</p>\n  {{> footer}}", fixtures={"default": {}})
    diags = only(lint_one(project_dir), "undefined-partial")
    assert [(Path(d.path).name, d.line, d.column) for d in diags] == [("body.html", 2, 3)]


def test_syntax_error(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(text="line one\n{{#if x}}never closed", fixtures={"default": {}})
    diags = only(lint_one(project_dir), "syntax")
    assert len(diags) == 1
    d = diags[0]
    assert Path(d.path).name == "body.txt" and d.part == "text" and d.line >= 2


def test_syntax_error_does_not_hide_other_parts(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(subject="{{a}}", html="{{/if}}", fixtures={"default": {}})
    diags = lint_one(project_dir)
    assert {"syntax", "missing-attribute"} <= set(codes(diags))


def test_each_over_a_non_list(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(html="<ul>\n  {{#each items}}<li>{{this}}</li>{{/each}}</ul>",
                  fixtures={"default": {"items": "abc"}, "ok": {"items": ["a"]}, "num": {"items": 3}})
    diags = only(lint_one(project_dir), "each-non-list")
    assert sorted(d.fixture or "" for d in diags) == ["default", "num"]
    assert {(d.line, d.column) for d in diags} == {(2, 3)}
    assert "a string" in [d for d in diags if d.fixture == "default"][0].message


def test_unused_keys_are_warnings_at_the_json_key(make_template: MakeTemplate, project_dir: Path) -> None:
    folder = make_template(
        html="{{name}} {{#each items}}{{n}}{{/each}} {{#if flag}}y{{/if}}",
        fixtures={"default": '{\n  "name": "A",\n  "extra": {"deep": 1},\n'
                             '  "items": [{"n": 1, "sku": 2}, {"n": 3, "sku": 4}],\n  "flag": false\n}\n'})
    diags = only(lint_one(project_dir), "unused-key")
    assert [(d.severity, d.line, d.column) for d in diags] == [("warning", 3, 3), ("warning", 4, 22)]
    assert "'extra'" in diags[0].message and "'items[].sku'" in diags[1].message
    assert diags[0].path == str(folder / "data" / "default.json")


def test_unused_keys_are_conservative_with_whole_values(make_template: MakeTemplate,
                                                        project_dir: Path) -> None:
    make_template(html="{{#each tags}}{{this}}{{/each}}{{lookup prices sku}}",
                  fixtures={"default": {"tags": ["a"], "prices": {"x": 1, "y": 2}, "sku": "x"}})
    assert only(lint_one(project_dir), "unused-key") == []


def test_bad_name(project_dir: Path, make_template: MakeTemplate) -> None:
    make_template("bad.name")
    diags = lint_project(Project.load(project_dir))
    assert "bad-name" in codes(diags)
    bad = only(diags, "bad-name")[0]
    assert bad.path.endswith("bad.name") and bad.severity == "error"


def test_too_large(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(html="<p>" + "x" * (501 * 1024) + "</p>", fixtures={"default": {}})
    assert codes(lint_one(project_dir)) == ["too-large"]


def test_empty_subject(make_template: MakeTemplate, project_dir: Path) -> None:
    folder = make_template(subject="  \n", fixtures={"default": {}})
    diags = only(lint_one(project_dir), "empty-subject")
    assert [(d.path, d.line, d.column) for d in diags] == [(str(folder / "subject.txt"), 1, 1)]


def test_broken_json_fixture(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(html="{{a}}", fixtures={"default": '{\n  "a": 1,\n}\n', "list": "[1, 2]", "ok": {"a": 1}})
    diags = lint_one(project_dir)
    broken = only(diags, "broken-json")
    assert [(d.fixture, d.line, d.column) for d in broken] == [("default", 3, 1), ("list", 1, 1)]
    assert codes(diags) == ["broken-json", "broken-json"]


def test_missing_text_when_required(project_dir: Path, make_template: MakeTemplate) -> None:
    (project_dir / "ses-workbench.toml").write_text('text_part = "require"\n')
    make_template(text=None, fixtures={"default": {}})
    diags = lint_project(Project.load(project_dir))
    assert [(d.code, d.severity, Path(d.path).name) for d in diags] == [("missing-text", "error", "body.txt")]


def test_layout_error(project_dir: Path, make_template: MakeTemplate) -> None:
    make_template(html='{% extends "nope.html" %}', fixtures={"default": {}})
    diags = lint_one(project_dir)
    assert codes(diags) == ["layout"]
    assert diags[0].severity == "error"


def test_uncertain_if_path(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(html="<p>\n {{#if user.vip}}VIP{{/if}}</p>",
                  fixtures={"default": {}, "ok": {"user": {"vip": False}}})
    diags = lint_one(project_dir)
    assert [(d.code, d.severity, d.fixture, d.line, d.column) for d in diags] == [
        ("uncertain-if-path", "warning", "default", 2, 2)]


def test_root_variable_inside_each_needs_parent_path(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(html="{{#each items}}\n{{shopName}}{{/each}}",
                  fixtures={"default": {"shopName": "S", "items": [{"x": 1}]}})
    diags = lint_one(project_dir)
    ps = only(diags, "parent-scope")
    assert [(d.line, d.column) for d in ps] == [(2, 1)]
    assert "../shopName" in ps[0].message
    assert "missing-attribute" not in codes(diags)


def test_template_with_no_fixture_warns(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(fixtures={})
    diags = lint_one(project_dir)
    assert [(d.code, d.severity) for d in diags] == [("no-fixture", "warning")]


def test_reserved_unsubscribe_url_is_never_missing(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(html='<a href="{{amazonSESUnsubscribeUrl}}">unsubscribe</a>', fixtures={"default": {}})
    assert lint_one(project_dir) == []


def test_lint_project_names(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template("a", html="{{x}}", fixtures={"default": {}})
    make_template("b", fixtures={"default": {}})
    project = Project.load(project_dir)
    assert {d.template for d in lint_project(project)} == {"a"}
    assert lint_project(project, ["b"]) == []


def test_samples_lint_clean(sample_project: Project) -> None:
    diags = lint_project(sample_project)
    assert [str(d) for d in diags] == []


@pytest.mark.parametrize("count", [60])
def test_missing_attributes_are_bounded(make_template: MakeTemplate, project_dir: Path, count: int) -> None:
    make_template(html=" ".join(f"{{{{v{i}}}}}" for i in range(count)), fixtures={"default": {}})
    diags = lint_one(project_dir)
    assert 40 <= len(only(diags, "missing-attribute")) <= count


def test_uncertain_if_path_only_where_reached(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(html="{{#with user}}\n  {{#if vip.gold}}G{{/if}}\n{{/with}}",
                  fixtures={"nouser": {}, "novip": {"user": {"name": "x"}}, "ok": {"user": {"vip": {}}}})
    diags = lint_one(project_dir)
    assert [(d.code, d.fixture, d.line, d.column) for d in diags if d.code != "unused-key"] == [
        ("uncertain-if-path", "novip", 2, 3)]
    assert "{{#if vip.gold}}" in diags[0].message and "'user.vip'" in diags[0].message
    assert [d.fixture for d in diags if d.code == "unused-key"] == ["novip"]  # user.name


def test_parent_scope_is_a_warning_when_the_dialect_looks_up(make_template: MakeTemplate,
                                                             project_dir: Path) -> None:
    from dataclasses import replace

    from ses_workbench.engine import DEFAULT_DIALECT

    make_template(html="{{#each items}}{{shopName}}{{/each}}",
                  fixtures={"default": {"shopName": "S", "items": [{"x": 1}]}})
    tpl = Project.load(project_dir).get("t")
    diags = lint_template(tpl, replace(DEFAULT_DIALECT, parent_scope_lookup=True))
    assert [(d.code, d.severity) for d in diags if d.code != "unused-key"] == [("parent-scope", "warning")]


def test_parent_scope_name_is_not_reported_unused(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(html="{{#each orders}}{{#each lines}}{{sku}} {{currency}}{{/each}}{{/each}}",
                  fixtures={"default": {"currency": "EUR", "orders": [{"id": 1, "lines": [{"sku": "a"}]}]}})
    diags = lint_one(project_dir)
    assert [(d.code, d.message.split(": ")[0]) for d in diags if d.code == "unused-key"] == [
        ("unused-key", "'orders[].id' in fixture 'default' is not used by the template")]
    assert [d.code for d in diags if d.severity == "error"] == ["parent-scope"]


def test_iterated_list_items_count_as_used(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(html="{{#each tags}}*{{/each}}{{#each rows}}{{a}}{{/each}}",
                  fixtures={"default": {"tags": ["x", "y"], "rows": [{"a": 1}, {"a": 2}]}})
    assert lint_one(project_dir) == []


def test_missing_lookup_names_the_attribute(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(html="{{lookup map key}}", fixtures={"default": {"map": {"a": 1}, "key": "b"}})
    diags = lint_one(project_dir)
    assert [d.code for d in diags] == ["missing-attribute"]
    assert "Attribute 'b'" in diags[0].message and "'map'" not in diags[0].message


def test_generated_text_part_does_not_repeat_html_findings(make_template: MakeTemplate,
                                                           project_dir: Path) -> None:
    make_template(html="<table>\n<tr><td>Hello {{name}}, {{#IF x}}y{{/IF}}</td></tr>\n</table>\n", text=None,
                  fixtures={"default": {}})
    diags = lint_one(project_dir)
    assert [(d.code, d.part, d.line, d.column) for d in diags] == [
        ("missing-attribute", "html", 2, 15), ("unknown-helper", "html", 2, 25)]


def test_unused_keys_conservative_with_lookup_in_each(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template(html="{{#each (lookup byLang lang)}}{{this}}{{/each}}",
                  fixtures={"default": {"lang": "en", "byLang": {"en": ["a"], "fr": ["b"]}}})
    assert lint_one(project_dir) == []


# ------------------------------------------------------------------------------------ each over a string
def test_a_loop_over_a_string_is_a_warning_and_lint_passes(make_template: MakeTemplate, project_dir: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    make_template(html="<ul>{{#each tags}}<li>{{this}}</li>{{else}}none{{/each}}</ul>",
                  fixtures={"default": {"tags": "news"}, "num": {"tags": 3}})
    diags = [d for d in lint_project(Project.load(project_dir)) if d.code == "each-non-list"]
    assert [(d.fixture, d.severity) for d in sorted(diags, key=lambda d: d.fixture or "")] == \
        [("default", "warning"), ("num", "warning")]
    assert "SES renders nothing" in diags[0].message
    assert main(["lint", str(project_dir)]) == 0
    assert "0 errors, 2 warnings" in capsys.readouterr().err
