"""Where SES differs from handlebars.js, and the engine's errors: messages, kinds, positions."""

from __future__ import annotations

from typing import Any

import pytest

from ses_workbench.engine import (
    UNSUBSCRIBE_PLACEHOLDER,
    EngineError,
    MissingAttributeError,
    RenderError,
    TemplateSyntaxError,
    compile,
    render,
)


@pytest.mark.parametrize(("source", "data", "attribute", "line", "column"), [
    ("Hi {{name}}", {}, "name", 1, 4),
    ("Hi {{name}}", {"name": None}, "name", 1, 4),  # SES: null is missing
    ("Hi\n  {{contact.firstName}}", {"contact": {}}, "contact.firstName", 2, 3),
    ("{{contact.firstName}}", {}, "contact.firstName", 1, 1),
    ("{{#each items}}{{name}}{{/each}}", {"items": [{"name": "a"}, {}]}, "name", 1, 16),
    ("{{#each items}}{{shop}}{{/each}}", {"items": [{}], "shop": "S"}, "shop", 1, 16),
    ("{{#IF x}}y{{/IF}}", {"x": 1}, "IF", 1, 1),  # unknown (wrong-case) helper
    ("{{foo bar}}", {"foo": 1, "bar": 2}, "foo", 1, 1),
    ("{{#if (eq a b)}}y{{/if}}", {"a": 1, "b": 1}, "eq", 1, 1),
    ("{{formatDate d 'x'}}", {"d": 1}, "formatDate", 1, 1),
    ("{{@index}}", {}, "@index", 1, 1),
    ("{{this}}", None, "this", 1, 1),
    ("{{#each xs}}{{.}}{{/each}}", {"xs": [1, None]}, "this", 1, 13),
    ("{{#each xs as |x|}}{{x.q}}{{/each}}", {"xs": [{}]}, "x.q", 1, 20),
    ("{{lookup a 'b'}}", {"a": {}}, "b", 1, 1),
    ("{{#x}}y{{/x}}", {}, "x", 1, 1),
    ("{{#with a}}{{../../b}}{{/with}}", {"a": {}}, "b", 1, 12),
    ("{{#if x}}\n{{else if y}}\n{{else}}{{z}}{{/if}}", {}, "z", 3, 9),
])
def test_missing_attribute(source: str, data: Any, attribute: str, line: int, column: int) -> None:
    with pytest.raises(MissingAttributeError) as info:
        render(source, data)
    err = info.value
    assert str(err) == f"Attribute '{attribute}' is not present in the rendering data."
    assert err.attribute == attribute
    assert (err.line, err.column) == (line, column)


def test_root_variable_in_each_hints_at_parent_path() -> None:
    with pytest.raises(MissingAttributeError) as info:
        render("{{#each items}}{{shopName}}{{/each}}", {"items": [{}], "shopName": "S"})
    hint = info.value.hint or ""
    assert "../shopName" in hint and "@root.shopName" in hint
    assert render("{{#each items}}{{../shopName}}{{@root.shopName}}{{/each}}",
                  {"items": [{}], "shopName": "S"}) == "SS"


def test_hint_two_levels_up() -> None:
    with pytest.raises(MissingAttributeError) as info:
        render("{{#each a}}{{#each b}}{{x}}{{/each}}{{/each}}", {"a": [{"b": [{}], "x": 1}]})
    assert "'../x'" in (info.value.hint or "")


@pytest.mark.parametrize(("source", "data", "expected"), [
    ("{{#if missing}}y{{else}}n{{/if}}", {}, "n"),
    ("{{#if a.b}}y{{else}}n{{/if}}", {}, "n"),  # handlebars.js: TypeError; SES.md: false
    ("{{#if a.b.c}}y{{else}}n{{/if}}", {"a": None}, "n"),
    ("{{#each missing}}{{x}}{{/each}}", {}, ""),
    ("{{#with missing}}{{x}}{{else}}none{{/with}}", {}, "none"),
    ("{{#if x}}{{y}}{{/if}}", {"x": False}, ""),  # never evaluated, never required
    ("{{x}}", {"x": ""}, ""),
    ("{{x}}|{{{x}}}|{{& x}}", {"x": "<b>&"}, "<b>&|<b>&|<b>&"),  # SES does not escape
])
def test_ses_semantics(source: str, data: Any, expected: str) -> None:
    assert render(source, data) == expected


def test_unsubscribe_url_is_never_missing() -> None:
    assert render("<a href=\"{{amazonSESUnsubscribeUrl}}\">", {}) == f"<a href=\"{UNSUBSCRIBE_PLACEHOLDER}\">"
    assert render("{{amazonSESUnsubscribeUrl}}", {"amazonSESUnsubscribeUrl": "u"}) == "u"
    assert render("{{#each a}}{{amazonSESUnsubscribeUrl}}{{/each}}", {"a": [1]}) == UNSUBSCRIBE_PLACEHOLDER
    assert render("{{#if amazonSESUnsubscribeUrl}}y{{/if}}", {}) == "y"


def test_adjacent_numbers_are_not_added() -> None:
    # handlebars.js 4.7 defect with noEscape gives "3"; SES.md says not to reproduce it
    assert render("{{a}}{{b}}", {"a": 1, "b": 2}) == "12"


@pytest.mark.parametrize(("source", "line", "column", "fragment"), [
    ("{{> footer}}", 1, 1, "never defined"),
    ("ok\n{{#if x}}\nno end", 2, 1, "never closed"),
    ("{{#if x}}{{/each}}", 1, 4, "doesn't match"),
    ("a\n  {{/if}}", 2, 3, "closing tag"),
    ("{{else}}", 1, 1, "else"),
    ("{{x", 1, 1, "never closed"),  # at the opener, like a block or a comment that is never closed
    ("{{a}} {{b}!", 1, 7, "never closed"),
    ("x {{!-- open", 1, 3, "never closed"),
    ("{{foo.this}}", 1, 3, "Invalid path"),
    ("{{x y=1 z}}", 1, 9, "after hash"),
    ("{{#> layout}}x{{/layout}}", 1, 1, "never defined"),
    ("{{{{raw}}}}x{{{{/raw}}}}", 1, 1, "Raw blocks"),
    ("{{* deco}}", 1, 1, "Decorators"),
    ("{{#* inline}}x{{/inline}}", 1, 1, "inline"),
    ("{{#* inline 'p'}}x{{else}}y{{/inline}}", 1, 1, "else"),
    ("{{> p a b}}{{#* inline 'p'}}{{/inline}}", 1, 1, "partial arguments"),
    ("a\x00b", 1, 2, "NUL"),
    ("{{{x}}", 1, 5, "'}}}'"),
])
def test_syntax_errors(source: str, line: int, column: int, fragment: str) -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        compile(source)
    err = info.value
    assert fragment in str(err)
    assert (err.line, err.column) == (line, column)


def test_partial_defined_in_another_scope_fails_at_render() -> None:
    tpl = compile("{{#if x}}{{#* inline 'p'}}P{{/inline}}{{/if}}{{> p}}")
    with pytest.raises(RenderError) as info:
        tpl.render({"x": 1})
    assert (info.value.line, info.value.column) == (1, 46)


@pytest.mark.parametrize(("source", "fragment"), [
    ("{{#if}}x{{/if}}", "#if requires exactly one argument"),
    ("{{#each}}x{{/each}}", "Must pass iterator"),
    ("{{#with a b}}x{{/with}}", "#with requires exactly one argument"),
    ("{{if x}}", "must be used as a block"),
    ("{{lookup a}}", "lookup"),
])
def test_helper_misuse_is_a_render_error(source: str, fragment: str) -> None:
    tpl = compile(source)
    with pytest.raises(RenderError) as info:
        tpl.render({"a": {}, "x": 1})
    assert fragment in str(info.value)
    assert info.value.line == 1


def test_recursive_partial_is_a_render_error() -> None:
    with pytest.raises(RenderError):
        render("{{#* inline 'p'}}{{> p}}{{/inline}}{{> p}}", {})


@pytest.mark.parametrize("depth", [20, 60, 140])
def test_deep_nesting_renders(depth: int) -> None:
    source = "{{#each this}}" * depth + "{{.}}" + "{{/each}}" * depth
    data: Any = "x"
    for _ in range(depth):
        data = [data]
    assert render(source, data) == "x"
    source = "{{#with a}}" * depth + "{{b}}" + "{{/with}}" * depth
    data = {"b": "y"}
    for _ in range(depth):
        data = {"a": data}
    assert render(source, data) == "y"


@pytest.mark.parametrize("source", [
    "{{#if x}}" * 5000 + "{{/if}}" * 5000,
    "{{#if " + "(lookup " * 3000 + "a" + " 'b')" * 3000 + "}}{{/if}}",
])
def test_absurd_nesting_is_a_syntax_error(source: str) -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        compile(source)
    assert info.value.line is not None and info.value.column is not None


def test_every_error_is_an_engine_error_with_position() -> None:
    for exc in (TemplateSyntaxError, MissingAttributeError, RenderError):
        assert issubclass(exc, EngineError)
