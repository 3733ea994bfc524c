"""render.py: compile cache, rendering a template folder, located errors, the sample templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from ses_workbench.engine import DEFAULT_DIALECT, EngineError, MissingAttributeError, TemplateSyntaxError
from ses_workbench.project import Project, TemplateContent
from ses_workbench.render import (
    CompiledEmail,
    RenderedEmail,
    cache_info,
    clear_cache,
    compile_content,
    render_template,
)

from .conftest import MakeTemplate


def test_compile_content_is_cached_by_content_and_dialect() -> None:
    clear_cache()
    a = compile_content(TemplateContent("Hi {{name}}", "<p>{{name}}</p>", "{{name}}"))
    b = compile_content(TemplateContent("Hi {{name}}", "<p>{{name}}</p>", "{{name}}"))
    assert isinstance(a, CompiledEmail)
    assert a is b
    assert cache_info()["hits"] == 1
    c = compile_content(TemplateContent("Hi {{name}}!", "<p>{{name}}</p>", "{{name}}"))
    assert c is not a
    other = type(DEFAULT_DIALECT)(**{**DEFAULT_DIALECT.__dict__, "parent_scope_lookup": True})
    d = compile_content(TemplateContent("Hi {{name}}", "<p>{{name}}</p>", "{{name}}"), other)
    assert d is not a and d.dialect == other


def test_an_edit_to_one_part_compiles_only_that_part() -> None:
    """A keystroke changes one part: the unchanged parts' compiled templates are reused, and a part is
    compiled per dialect."""
    clear_cache()
    a = compile_content(TemplateContent("Hi {{name}}", "<p>{{name}}</p>", "{{name}} long text"))
    b = compile_content(TemplateContent("Hi {{name}}", "<p>{{name}}!</p>", "{{name}} long text"))
    assert b.subject is a.subject and b.text is a.text and b.html is not a.html
    assert b.render({"name": "Ann"}).html == "<p>Ann!</p>"
    other = type(DEFAULT_DIALECT)(**{**DEFAULT_DIALECT.__dict__, "parent_scope_lookup": True})
    c = compile_content(TemplateContent("Hi {{name}}", "<p>{{name}}</p>", "{{name}} long text"), other)
    assert c.subject is not a.subject


def test_compiled_email_renders_three_parts() -> None:
    compiled = compile_content(TemplateContent("Hi {{name}}", "<p>{{#each xs}}{{this}},{{/each}}</p>", None))
    out = compiled.render({"name": "Ann", "xs": [1, 2]}, template="t", fixture="f")
    assert out == RenderedEmail("t", "f", "Hi Ann", "<p>1,2,</p>", None)


def test_references_carry_the_part_name() -> None:
    compiled = compile_content(TemplateContent("{{a}}", "{{b.c}}", "{{#if d}}x{{/if}}"))
    by_part = {(part, ref.path) for part, ref in compiled.references()}
    assert {("subject", "a"), ("html", "b.c"), ("text", "d")} <= by_part


def test_syntax_error_names_the_part() -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        compile_content(TemplateContent("ok", "<p>\n{{#if x}}</p>", None))
    assert info.value.part == "html"


def test_render_template_with_fixture_and_data(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template("welcome", subject="Welcome {{name}}", html="<h1>Hi {{name}}</h1>", text="Hi {{name}}",
                  fixtures={"default": {"name": "Ann"}, "bob": {"name": "Bob"}})
    tpl = Project.load(project_dir).get("welcome")
    out = render_template(tpl)
    assert (out.template, out.fixture, out.subject, out.html, out.text) == (
        "welcome", "default", "Welcome Ann", "<h1>Hi Ann</h1>", "Hi Ann")
    assert render_template(tpl, "bob").subject == "Welcome Bob"
    assert render_template(tpl, tpl.fixture("bob")).fixture == "bob"
    assert render_template(tpl, data={"name": "Zoë"}).text == "Hi Zoë"


def test_missing_attribute_is_located_in_the_part_file(make_template: MakeTemplate,
                                                       project_dir: Path) -> None:
    make_template("t", html="<p>\n  {{contact.firstName}}\n</p>", fixtures={"default": {"contact": {}}})
    tpl = Project.load(project_dir).get("t")
    with pytest.raises(MissingAttributeError) as info:
        render_template(tpl)
    err = info.value
    assert (err.template, err.part) == ("t", "html")
    assert err.path == str(tpl.part_path("html"))
    assert (err.line, err.column) == (2, 3)
    assert err.where.endswith("body.html:2:3")


def test_error_in_a_layout_composed_template_maps_to_the_source_file(project_dir: Path) -> None:
    (project_dir / "_layouts").mkdir()
    (project_dir / "_layouts" / "base.html").write_text(
        "<html>\n<body>\n<header>Logo</header>\n{% block content %}{% endblock %}\n</body>\n</html>\n")
    folder = project_dir / "t"
    (folder / "data").mkdir(parents=True)
    (folder / "subject.txt").write_text("Hi")
    (folder / "body.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n<p>one</p>\n<p>{{missing}}</p>\n{% endblock %}\n')
    (folder / "body.txt").write_text("text")
    (folder / "data" / "default.json").write_text("{}")
    tpl = Project.load(project_dir).get("t")
    with pytest.raises(EngineError) as info:
        render_template(tpl)
    assert info.value.path == str(folder / "body.html")
    assert info.value.line == 4


def test_template_without_fixtures_renders_with_empty_data(make_template: MakeTemplate,
                                                           project_dir: Path) -> None:
    make_template("plain", subject="Static", html="<p>x</p>", text="x", fixtures={})
    out = render_template(Project.load(project_dir).get("plain"))
    assert (out.fixture, out.subject) == (None, "Static")


def test_generated_text_part(make_template: MakeTemplate, project_dir: Path) -> None:
    make_template("gen", html="<p>Hello <b>{{name}}</b></p>", text=None,
                  fixtures={"default": {"name": "Ann"}})
    out = render_template(Project.load(project_dir).get("gen"))
    assert out.text is not None and "Ann" in out.text


def test_every_sample_renders_with_every_fixture(sample_project: Project) -> None:
    from ses_workbench.mime import parse_mime

    assert len(sample_project.templates) >= 8
    for tpl in sample_project.templates.values():
        assert tpl.fixtures, f"{tpl.name} has no fixtures"
        for name in tpl.fixtures:
            out = render_template(tpl, name)
            assert out.subject.strip(), (tpl.name, name)
            assert "{{" not in out.html and "[[" not in out.html, (tpl.name, name)
            assert out.text is not None and "{{" not in out.text, (tpl.name, name)
            parsed = parse_mime(out.to_mime(sender="a@example.com", to="b@example.com"))
            assert (parsed.subject, parsed.html, parsed.text) == (out.subject, out.html, out.text)


def test_locate_error_twice_does_not_move_the_line(project_dir: Path) -> None:
    from ses_workbench.render import locate_error

    (project_dir / "_layouts").mkdir()
    (project_dir / "_layouts" / "base.html").write_text("a\nb\nc\n{% block content %}{% endblock %}\n")
    folder = project_dir / "t"
    (folder / "data").mkdir(parents=True)
    (folder / "subject.txt").write_text("Hi")
    (folder / "body.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n{{x}}\n{% endblock %}\n')
    (folder / "data" / "default.json").write_text("{}")
    tpl = Project.load(project_dir).get("t")
    with pytest.raises(EngineError) as info:
        render_template(tpl)
    line = info.value.line
    assert locate_error(info.value, tpl).line == line == 3
