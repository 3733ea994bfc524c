"""Text generation from HTML keeps every Handlebars tag intact."""

from __future__ import annotations

import re

import pytest

from ses_workbench.project.textgen import generate_text

TAG = re.compile(r"\{\{\{?.*?\}?\}\}", re.S)


def test_tags_survive_html2text() -> None:
    html = """<html><head><title>t</title><style>p{color:red}</style></head><body>
<div style="display:none;max-height:0">Preheader {{pre}}</div>
<h1>Hello {{first_name}} {{user.last_name}}</h1>
<p>Price: {{{price_html}}} — *_literal_* 1. item</p>
<p><a href="{{url}}">Open</a> <a href="{{same}}">{{same}}</a> <a href="mailto:{{email}}">{{email}}</a></p>
<a href="https://acme.test"><img src="{{logo}}" alt=""></a>
</body></html>"""
    text = generate_text(html)
    assert "Hello {{first_name}} {{user.last_name}}" in text
    assert "{{{price_html}}}" in text
    assert "Open ({{url}})" in text
    assert "{{same}} ({{same}})" not in text and "{{same}}" in text
    assert "{{email}}" in text and "mailto:" not in text
    assert "Preheader" not in text  # hidden preheader dropped
    assert "{{logo}}" not in text  # images dropped
    assert "1. item" in text and "\\" not in text
    assert "color:red" not in text


def test_block_tags_stay_on_their_own_lines() -> None:
    html = """<table>
{{#each items}}
<tr><td>{{name}}</td><td>{{price}}</td></tr>
{{else}}
<tr><td>No items</td></tr>
{{/each}}
</table>
{{#if note}}
<p>Note: {{note}}</p>
{{/if}}
<p>Inline {{#if vip}}VIP {{/if}}customer</p>"""
    lines = generate_text(html).splitlines()
    for tag in ("{{#each items}}", "{{else}}", "{{/each}}", "{{#if note}}", "{{/if}}"):
        assert tag in lines, (tag, lines)
    assert "{{name}} {{price}}" in lines  # cells kept apart
    assert "Inline {{#if vip}}VIP {{/if}}customer" in lines  # inline blocks stay inline


@pytest.mark.parametrize("tag", [
    "{{x}}", "{{{x}}}", "{{a.b.c}}", "{{../x}}", "{{@index}}", "{{this}}", "{{!-- a }} comment --}}",
    "{{! short }}", "{{~x~}}", "{{lookup a \"b\"}}", "{{x_y_z}}", "{{[weird key]}}", "\\{{escaped}}",
    "{{> partial}}",
])
def test_each_tag_shape_is_preserved(tag: str) -> None:
    assert tag in generate_text(f"<p>before {tag} after</p>")


def test_no_wrapping_of_long_lines() -> None:
    words = " ".join(f"word{i}" for i in range(100))
    text = generate_text(f"<p>{words} {{{{tag_at_the_end}}}}</p>")
    assert len(text.splitlines()) == 1


def test_tags_inside_attributes_and_text_are_identical_after_restore() -> None:
    html = '<p title="{{t}}">{{t}}</p><a href="{{u}}?a=1&amp;b={{v}}">go</a>'
    text = generate_text(html)
    assert "{{t}}" in text
    assert "go ({{u}}?a=1&b={{v}})" in text


def test_all_tags_of_samples_survive(sample_project) -> None:  # type: ignore[no-untyped-def]
    for tpl in sample_project.templates.values():
        html = tpl.compose().html
        text = generate_text(html)
        # every tag outside of attributes and hidden elements appears in the text
        body = re.sub(r"<[^>]*>", "", re.sub(r"<div style=\"display:none.*?</div>", "", html, flags=re.S))
        for tag in set(TAG.findall(body)):
            assert tag in text, (tpl.name, tag)


def test_rendered_text_is_spaced_the_same_whichever_branch_runs() -> None:
    from ses_workbench import engine
    html = """<p>Intro</p>
{{#if a}}
<p>A {{a}}</p>
{{/if}}
{{#if b}}
<p>B</p>
{{else}}
<p>not B</p>
{{/if}}
<table>
{{#each rows}}
<tr><td>{{name}}</td><td>{{qty}}</td></tr>
{{/each}}
</table>
<p>Outro</p>"""
    text = generate_text(html)
    rows = [{"name": "x", "qty": 1}, {"name": "y", "qty": 2}]
    full = engine.render(text, {"a": "1", "b": True, "rows": rows})
    assert full == "Intro\n\nA 1\n\nB\n\nx 1\ny 2\n\nOutro\n"
    assert engine.render(text, {"b": False, "rows": rows}) == "Intro\n\nnot B\n\nx 1\ny 2\n\nOutro\n"
    # an empty loop over table rows may leave one blank line too many, never one too few
    assert engine.render(text, {"b": False, "rows": []}).startswith("Intro\n\nnot B\n\n")
