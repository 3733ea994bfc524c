"""Each Dialect field switches one unverified SES behaviour."""

from __future__ import annotations

import dataclasses

import pytest

from ses_workbench.engine import DEFAULT_DIALECT, Dialect, MissingAttributeError, compile, render


def test_defaults_match_the_contract() -> None:
    assert DEFAULT_DIALECT == Dialect(parent_scope_lookup=False, if_missing_parent="false",
                                      print_style="handlebars", each_object_order="insertion",
                                      standalone_strip=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_DIALECT.print_style = "json"  # type: ignore[misc]


@pytest.mark.parametrize("field", ["if_missing_parent", "print_style", "each_object_order"])
def test_invalid_values_are_rejected(field: str) -> None:
    with pytest.raises(ValueError):
        Dialect(**{field: "nope"})  # type: ignore[arg-type]


def test_parent_scope_lookup() -> None:
    source = "{{#each items}}{{shop}}:{{name}} {{/each}}"
    data = {"items": [{"name": "a"}, {"name": "b"}], "shop": "S"}
    with pytest.raises(MissingAttributeError):
        render(source, data)
    assert render(source, data, Dialect(parent_scope_lookup=True)) == "S:a S:b "
    with pytest.raises(MissingAttributeError):
        render("{{#each items}}{{nowhere}}{{/each}}", data, Dialect(parent_scope_lookup=True))
    assert render("{{#with a}}{{#if flag}}y{{/if}}{{/with}}", {"a": {}, "flag": 1},
                  Dialect(parent_scope_lookup=True)) == "y"


def test_if_missing_parent() -> None:
    assert render("{{#if a.b}}y{{else}}n{{/if}}", {}) == "n"
    with pytest.raises(MissingAttributeError) as info:
        render("{{#if a.b}}y{{else}}n{{/if}}", {}, Dialect(if_missing_parent="error"))
    assert info.value.attribute == "a.b"
    assert render("{{#if a.b}}y{{else}}n{{/if}}", {"a": {}}, Dialect(if_missing_parent="error")) == "n"


@pytest.mark.parametrize(("value", "handlebars", "json_style"), [
    (2.0, "2", "2.0"),
    (1e21, "1e+21", "1e+21"),
    (True, "true", "true"),
    ([1, "a", None], "1,a,", '[1,"a",null]'),
    ({"k": 1}, "[object Object]", '{"k":1}'),
    ("text", "text", "text"),
])
def test_print_style(value: object, handlebars: str, json_style: str) -> None:
    data = {"v": value}
    assert render("{{v}}", data) == handlebars
    assert render("{{v}}", data, Dialect(print_style="json")) == json_style


def test_each_object_order() -> None:
    source = "{{#each o}}{{@key}}{{/each}}"
    data = {"o": {"b": 1, "2": 1, "a": 1, "1": 1}}
    assert render(source, data) == "12ba"  # JavaScript: integer-like keys first
    assert render(source, data, Dialect(each_object_order="python")) == "b2a1"
    assert render(source, data, Dialect(each_object_order="sorted")) == "12ab"


def test_standalone_strip() -> None:
    source = "<ul>\n  {{#each xs}}\n  <li>{{.}}</li>\n  {{/each}}\n</ul>"
    assert render(source, {"xs": [1]}) == "<ul>\n  <li>1</li>\n</ul>"
    kept = render(source, {"xs": [1]}, Dialect(standalone_strip=False))
    assert kept == "<ul>\n  \n  <li>1</li>\n  \n</ul>"
    assert render("a {{~x~}} b", {"x": 1}, Dialect(standalone_strip=False)) == "a1b"


def test_dialect_is_part_of_compilation() -> None:
    tpl = compile("{{v}}", Dialect(print_style="json"))
    assert tpl.dialect.print_style == "json"
    assert tpl.render({"v": 1.5}) == "1.5"
