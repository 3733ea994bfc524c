"""ses_workbench.attributes: the attributes a template needs, present/missing in data, skeleton fixtures."""

from __future__ import annotations

from typing import Any

import pytest

from ses_workbench.attributes import AttributeStatus, attribute_status, is_present, skeleton
from ses_workbench.project import TemplateContent
from ses_workbench.render import CompiledEmail, compile_content


def compiled(html: str, subject: str = "Hi", text: str | None = None) -> CompiledEmail:
    return compile_content(TemplateContent(subject, html, text))


def by_path(rows: list[AttributeStatus]) -> dict[str, AttributeStatus]:
    return {r.path: r for r in rows}


@pytest.mark.parametrize("html, expected", [
    ("{{name}}", {"name": "name"}),
    ("{{contact.first}} {{contact.address.city}}",
     {"contact": {"first": "first", "address": {"city": "city"}}}),
    ("{{#each items}}{{name}} {{price}}{{/each}}", {"items": [{"name": "name", "price": "price"}]}),
    ("{{#each order.lines}}{{sku}}{{/each}}", {"order": {"lines": [{"sku": "sku"}]}}),
    ("{{#each tags}}{{this}}{{/each}}", {"tags": [""]}),     # one (empty) element
    ("{{#if vip}}gold{{/if}}", {"vip": []}),
    ("{{#with c}}{{d}}{{/with}}", {"c": {"d": "d"}}),
    ("{{name}} {{amazonSESUnsubscribeUrl}} {{@index}}", {"name": "name"}),
])
def test_skeleton_has_every_referenced_path(html: str, expected: dict[str, Any]) -> None:
    assert skeleton(compiled(html)) == expected


def test_skeleton_keeps_existing_values_and_does_not_mutate_data() -> None:
    data: dict[str, Any] = {"contact": {"first": "Ana"}, "items": [{"name": "pen"}], "extra": 1}
    out = skeleton(compiled("{{contact.first}} {{contact.last}}{{#each items}}{{name}}{{price}}{{/each}}"),
                   data)
    assert out == {"contact": {"first": "Ana", "last": "last"}, "items": [{"name": "pen", "price": "price"}],
                   "extra": 1}
    assert data == {"contact": {"first": "Ana"}, "items": [{"name": "pen"}], "extra": 1}


def test_skeleton_accepts_attribute_rows() -> None:
    rows = attribute_status(compiled("{{a.b}}"))
    assert skeleton(rows) == skeleton(compiled("{{a.b}}")) == {"a": {"b": "b"}}


def test_skeleton_keeps_null_values() -> None:
    # null is missing for SES, but a person wrote it (a fixture testing a missing value): it stays
    assert skeleton(compiled("{{name}} {{age}}"), {"name": None}) == {"name": None, "age": "age"}


def test_attribute_rows_fold_references() -> None:
    rows = by_path(attribute_status(compiled(
        "{{#if vip}}{{perk}}{{/if}}{{#each items}}{{name}}{{/each}}{{name}}", subject="Hi {{name}}")))
    assert list(rows) == ["name", "vip", "perk", "items", "items[].name"]
    assert rows["name"].required and not rows["name"].conditional
    assert rows["name"].parts == {"subject", "html"} and len(rows["name"].locations) == 2
    assert rows["name"].locations[0] == ("subject", 1, 4)
    # a block argument is only tested: not required, and a list for the skeleton
    assert not rows["vip"].required and rows["vip"].is_list
    assert not rows["items"].required and rows["items"].is_list
    # printed inside a block: needed only when the branch is reached
    assert not rows["perk"].required and rows["perk"].conditional
    assert rows["items[].name"].segments == ("items", "[]", "name") and rows["items[].name"].conditional


@pytest.mark.parametrize("data, present", [
    ({"contact": {"first": "Ana"}, "items": [{"name": "a"}, {"name": "b"}]}, {"contact.first", "items",
                                                                              "items[].name"}),
    ({"contact": {"first": None}, "items": []}, {"items", "items[].name"}),   # null is missing
    ({"contact": {}, "items": [{"name": "a"}, {}]}, {"items"}),               # every element must have it
    ({"contact": "Ana", "items": {"x": {"name": "a"}}}, {"items", "items[].name"}),   # object values
    ({}, set()),
    (None, set()),                                                            # no data: all missing
])
def test_attribute_status_present_and_missing(data: Any, present: set[str]) -> None:
    rows = attribute_status(compiled("{{contact.first}}{{#each items}}{{name}}{{/each}}"), data)
    assert {r.path for r in rows if r.present} == present
    assert {r.path for r in rows} == {"contact.first", "items", "items[].name"}


@pytest.mark.parametrize("data, segments, expected", [
    ({"a": 0}, ("a",), True),
    ({"a": False}, ("a",), True),
    ({"a": None}, ("a",), False),
    ({"a": [1, 2]}, ("a", "1"), True),
    ({"a": [1]}, ("a", "3"), False),
    ({"a": [{"b": 1}, {"b": None}]}, ("a", "[]", "b"), False),
    ({"a": "x"}, ("a", "b"), False),
])
def test_is_present(data: Any, segments: tuple[str, ...], expected: bool) -> None:
    assert is_present(data, segments) is expected
