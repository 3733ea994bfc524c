"""Template.references(): every path resolved to the data root, with position and requiredness."""

from __future__ import annotations

import pytest

from ses_workbench.engine import Reference, compile


def refs(source: str) -> list[tuple[str, str, bool, bool]]:
    return [(r.path, r.kind, r.required, r.conditional) for r in compile(source).references()]


def test_plain_and_nested_paths() -> None:
    out = compile("Hi {{contact.firstName}}\n{{ total }}").references()
    assert out == (
        Reference("contact.firstName", ("contact", "firstName"), 1, 4, True, False, "output"),
        Reference("total", ("total",), 2, 1, True, False, "output"),
    )


@pytest.mark.parametrize(("source", "expected"), [
    ("{{#each items}}{{name}}{{/each}}",
     [("items", "block", False, False), ("items[].name", "output", True, True)]),
    ("{{#each items as |it i|}}{{it.name}}{{i}}{{/each}}",
     [("items", "block", False, False), ("items[].name", "output", True, True)]),
    ("{{#each items}}{{../shop}}{{@root.brand}}{{this}}{{/each}}",
     [("items", "block", False, False), ("shop", "output", True, True), ("brand", "output", True, True),
      ("items[]", "output", True, True)]),
    ("{{#with contact}}{{first}}{{else}}{{fallback}}{{/with}}",
     [("contact", "block", False, False), ("contact.first", "output", True, True),
      ("fallback", "output", True, True)]),
    ("{{#if a}}{{b}}{{else if c}}{{d}}{{/if}}",
     [("a", "block", False, False), ("b", "output", True, True), ("c", "block", False, True),
      ("d", "output", True, True)]),
    ("{{#unless a}}{{b}}{{/unless}}", [("a", "block", False, False), ("b", "output", True, True)]),
    ("{{#each orders}}{{#each lines}}{{sku}}{{../id}}{{/each}}{{/each}}",
     [("orders", "block", False, False), ("orders[].lines", "block", False, True),
      ("orders[].lines[].sku", "output", True, True), ("orders[].id", "output", True, True)]),
    ("{{lookup prices code}}",
     [("prices", "helper-arg", False, False), ("code", "helper-arg", False, False)]),
    ("{{#IF x}}y{{/IF}}", [("IF", "unknown-helper", True, False), ("x", "helper-arg", False, False)]),
    ("{{formatDate when}}",
     [("formatDate", "unknown-helper", True, False), ("when", "helper-arg", False, False)]),
    ("{{amazonSESUnsubscribeUrl}}", [("amazonSESUnsubscribeUrl", "reserved", False, False)]),
    ("{{#each (lookup a 'b')}}{{c}}{{/each}}", [("a", "helper-arg", False, False)]),
    ("{{@index}}{{@root}}", []),
])
def test_resolution(source: str, expected: list[tuple[str, str, bool, bool]]) -> None:
    assert refs(source) == expected


def test_partials_are_expanded_with_their_context() -> None:
    source = ('{{#* inline "row"}}<td>{{label}}</td><td>{{value.amount}}</td>{{/inline}}\n'
              "{{#each items}}{{> row label=name value=price}}{{/each}}\n{{> row order}}")
    out = compile(source).references()
    paths = [(r.path, r.kind, r.line) for r in out]
    assert ("row", "partial", 2) in paths
    assert ("items[].name", "helper-arg", 2) in paths
    assert ("items[].price.amount", "output", 1) in paths
    assert ("order.label", "output", 1) in paths
    assert ("order.value.amount", "output", 1) in paths


def test_recursive_partial_does_not_loop() -> None:
    out = compile("{{#* inline 'p'}}{{x}}{{> p}}{{/inline}}{{> p}}").references()
    assert [r.path for r in out] == ["p", "x", "p"]


def test_segments_and_display() -> None:
    (ref,) = [r for r in compile("{{#each a}}{{#each b}}{{c}}{{/each}}{{/each}}").references()
              if r.kind == "output"]
    assert ref.segments == ("a", "[]", "b", "[]", "c")
    assert ref.path == "a[].b[].c"
