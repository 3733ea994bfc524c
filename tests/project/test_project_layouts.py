"""jinja2 layouts: composition, Handlebars untouched, errors naming the file, source map, cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from ses_workbench.project import LayoutError, Project

from .helpers import write_template

BASE = """<html><body>
<div style="display:none">{% block preheader %}{% endblock %}</div>
<h1>[[ brand.name ]]</h1>
{% block content %}{% endblock %}
<footer>[[ brand.name ]] · {{#if unsub}}<a href="{{unsub}}">unsubscribe</a>{{/if}}</footer>
</body></html>
"""

CHILD = """{% extends "base.html" %}
[# a jinja comment #]
{% block preheader %}Hi {{firstName}}{% endblock %}
{% block content %}
<p>Hello {{firstName}}, welcome to [[ brand.name ]].</p>
{{#each items}}<li>{{name}}</li>{{/each}}
<p>{{{raw}}} and {{! hbs comment }}</p>
{% endblock %}
"""


def make_project(root: Path, child: str = CHILD, base: str = BASE, **kw: str) -> Project:
    (root / "_layouts").mkdir(parents=True, exist_ok=True)
    (root / "_layouts" / "base.html").write_text(base, encoding="utf-8")
    (root / "ses-workbench.toml").write_text('[layout_vars.brand]\nname = "Acme"\n', encoding="utf-8")
    write_template(root, "t", html=child, **kw)
    return Project.load(root)


def test_compose_applies_layout_and_keeps_handlebars(tmp_path: Path) -> None:
    content = make_project(tmp_path).get("t").compose()
    html = content.html
    assert "<h1>Acme</h1>" in html
    assert "Hello {{firstName}}, welcome to Acme." in html
    assert "{{#each items}}<li>{{name}}</li>{{/each}}" in html
    assert "{{{raw}}} and {{! hbs comment }}" in html
    assert '{{#if unsub}}<a href="{{unsub}}">unsubscribe</a>{{/if}}' in html
    assert "jinja comment" not in html and "{%" not in html and "[[" not in html
    assert '<div style="display:none">Hi {{firstName}}</div>' in html


def test_plain_part_skips_jinja(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Odd-looking but legal SES content: "{#" and "#}" and "{{" everywhere, "[#" too.
    src = "<p>{{#if a}}x{{/if}} {#not jinja#} [#1] {{{b}}}</p>\n"
    project = make_project(tmp_path, child=src)
    calls = []
    monkeypatch.setattr(project.layouts.env, "compile", lambda *a, **k: calls.append(a))
    assert project.get("t").compose().html == src
    assert calls == []


def test_subject_and_text_can_use_layout_vars(tmp_path: Path) -> None:
    project = make_project(tmp_path, subject="[[ brand.name ]]: hi {{name}}\n",
                           text="From [[ brand.name ]]\n")
    content = project.get("t").compose()
    assert content.subject == "Acme: hi {{name}}"
    assert content.text == "From Acme\n"


def test_template_toml_layout_vars_override(tmp_path: Path) -> None:
    project = make_project(tmp_path, meta='description = "d"\n[layout_vars.brand]\nname = "Beta"\n')
    tpl = project.get("t")
    assert "<h1>Beta</h1>" in tpl.compose().html
    assert tpl.description == "d"
    assert tpl.layout_vars()["template"] == {"name": "t", "description": "d"}


def test_undefined_variable_names_the_file(tmp_path: Path) -> None:
    child = '{% extends "base.html" %}\n{% block content %}\n<p>[[ missing.thing ]]</p>\n{% endblock %}\n'
    project = make_project(tmp_path, child=child)
    with pytest.raises(LayoutError) as err:
        project.get("t").compose()
    assert err.value.path == project.get("t").part_path("html")
    assert err.value.line == 3
    assert "missing" in str(err.value) and "body.html:3" in str(err.value)


def test_undefined_variable_in_layout_names_the_layout(tmp_path: Path) -> None:
    project = make_project(tmp_path, base="<html>[[ nope ]]{% block content %}{% endblock %}</html>")
    with pytest.raises(LayoutError) as err:
        project.get("t").compose()
    assert err.value.path == tmp_path.resolve() / "_layouts" / "base.html"
    assert err.value.line == 1


def test_missing_layout_and_syntax_error(tmp_path: Path) -> None:
    project = make_project(tmp_path, child='{% extends "nope.html" %}\n')
    with pytest.raises(LayoutError, match="'nope.html' not found") as err:
        project.get("t").compose()
    assert "body.html" in str(err.value)
    project.get("t").write_part("html", "<p>\n{% if %}\n</p>")
    with pytest.raises(LayoutError, match="syntax") as err:
        project.get("t").compose()
    assert err.value.line == 2


def test_locate_maps_composed_lines_back(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    tpl = project.get("t")
    html = tpl.compose().html.splitlines()
    child_path, base_path = tpl.part_path("html"), project.layouts_dir / "base.html"

    def line_of(fragment: str) -> int:
        return next(i for i, ln in enumerate(html, 1) if fragment in ln)

    assert tpl.locate("html", line_of("Hello {{firstName}}")) == (child_path, 5)
    assert tpl.locate("html", line_of("{{#each items}}")) == (child_path, 6)
    assert tpl.locate("html", line_of("<h1>Acme</h1>")) == (base_path.resolve(), 3)
    assert tpl.locate("html", line_of("<footer>")) == (base_path.resolve(), 5)
    assert tpl.locate("subject", 1) == (tpl.part_path("subject"), 1)


def test_locate_generated_text(sample_project: Project) -> None:
    tpl = sample_project.get("welcome")
    text = tpl.compose().text or ""
    n = next(i for i, ln in enumerate(text.splitlines(), 1) if "{{workspaceName}} is ready" in ln)
    path, line = tpl.locate("text", n)
    assert path == tpl.part_path("html")
    assert "{{workspaceName}}</strong> is ready" in tpl.part_path("html").read_text().splitlines()[line - 1]


def test_compose_is_cached_until_an_input_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path)
    tpl = project.get("t")
    first = tpl.compose()
    calls = []
    real = project.layouts.compose
    monkeypatch.setattr(project.layouts, "compose", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert tpl.compose() is first
    assert calls == []
    tpl.write_part("html", CHILD.replace("Hello", "Howdy"))
    assert "Howdy" in tpl.compose().html and len(calls) == 1
    # a layout edit invalidates too (mtime/size of _layouts files are in the key)
    (tmp_path / "_layouts" / "base.html").write_text(BASE.replace("<h1>", "<h1 class=x>"))
    assert "<h1 class=x>Acme</h1>" in tpl.compose().html


def test_all_sample_layout_templates_compose(sample_project: Project) -> None:
    for tpl in sample_project.templates.values():
        html = tpl.compose().html
        assert html.lstrip().lower().startswith("<!doctype html>"), tpl.name
        assert "display:none" in html, f"{tpl.name}: no preheader"
        assert 'width="600"' in html, tpl.name
