"""The skeleton fixture: values kept, formatting kept, printed attributes get a value."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ses_workbench.attributes import fill_fixture_text, skeleton
from ses_workbench.project import TemplateContent
from ses_workbench.project.errors import FixtureError
from ses_workbench.render import CompiledEmail, compile_content


def compiled(html: str, subject: str = "Hi") -> CompiledEmail:
    return compile_content(TemplateContent(subject, html, None))


# ------------------------------------------------------------------------------------------ skeleton
def test_an_attribute_tested_and_printed_gets_a_value_that_reaches_the_branch() -> None:
    email = compiled("<p>Hi {{firstName}}{{#if lastName}} {{lastName}}{{/if}}</p>")
    data = skeleton(email)
    assert data == {"firstName": "firstName", "lastName": "lastName"}
    assert email.render(data).html == "<p>Hi firstName lastName</p>"


def test_an_attribute_only_tested_still_gets_an_empty_list() -> None:
    assert skeleton(compiled("{{#if vip}}gold{{/if}}{{#unless off}}on{{/unless}}")) == {"vip": [], "off": []}


@pytest.mark.parametrize("data, added", [
    ({"items": []}, {}),                                 # an empty list stays empty
    ({"items": ["loose", None]}, {}),                    # elements that are not objects are left alone
    ({"contact": "Ana"}, {}),                            # a string where the template reads an object
    ({"name": None}, {}),                                # null written on purpose (testing a missing value)
    ({"contact": {"first": "Ana"}}, {"contact": {"first": "Ana", "last": "last"}}),
])
def test_skeleton_never_changes_a_value_that_is_there(data: dict[str, Any], added: dict[str, Any]) -> None:
    out = skeleton(compiled("{{name}} {{contact.first}} {{contact.last}} {{#each items}}{{sku}}{{/each}}"),
                   data)
    missing = {"name": "name", "contact": {"first": "first", "last": "last"}, "items": [{"sku": "sku"}]}
    assert out == {**missing, **data, **added}
    assert list(out)[:len(data)] == list(data)  # what was there comes first, in its order


def test_skeleton_adds_missing_keys_inside_present_list_elements() -> None:
    out = skeleton(compiled("{{#each items}}{{name}} {{price}}{{/each}}"),
                   {"items": [{"name": "pen"}, {}]})
    assert out == {"items": [{"name": "pen", "price": "price"}, {"name": "name", "price": "price"}]}


HAND_FORMATTED = """{
    "greeting" : "Dear",
    "contact": { "first": "Ana" },
    "items": [
        {"name": "pen", "qty": 2}
    ]
}
"""


def test_filling_a_hand_formatted_fixture_only_appends_what_is_missing() -> None:
    email = compiled("{{greeting}} {{contact.first}} {{contact.last}}"
                     "{{#each items}}{{name}} {{price}}{{/each}}{{#if vip}}!{{/if}} {{order.id}}")
    out = fill_fixture_text(email, HAND_FORMATTED)
    assert out == """{
    "greeting" : "Dear",
    "contact": { "first": "Ana", "last": "last" },
    "items": [
        {"name": "pen", "qty": 2, "price": "price"}
    ],
    "vip": [],
    "order": {
        "id": "id"
    }
}
"""
    assert fill_fixture_text(email, out) == out  # nothing missing: the text is returned as it is


def test_filling_keeps_tabs_and_fills_an_empty_object_between_its_braces() -> None:
    text = '{\n\t"z": 1,\n\t"user": {}\n}\n'
    out = fill_fixture_text(compiled("{{user.first}} {{z}}"), text)
    assert out == '{\n\t"z": 1,\n\t"user": {\n\t\t"first": "first"\n\t}\n}\n'


@pytest.mark.parametrize("text", ["", "  \n"])
def test_filling_an_empty_fixture_writes_a_whole_skeleton(text: str) -> None:
    out = fill_fixture_text(compiled("{{a.b}}"), text)
    assert json.loads(out) == {"a": {"b": "b"}} and out.endswith("}\n")


@pytest.mark.parametrize("text, line", [("[1, 2]", None), ('{"a": ,}', 1)])
def test_filling_refuses_what_is_not_a_json_object(text: str, line: int | None) -> None:
    with pytest.raises(FixtureError) as err:
        fill_fixture_text(compiled("{{a}}"), text)
    assert err.value.line == line


# ------------------------------------------------------------------------------------ any formatting
_EMAIL = compiled("{{a}} {{b.c}} {{#each items}}{{name}} {{tags.x}}{{/each}}{{#if flag}}{{b.d}}{{/if}}")
_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=3),
                       lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.sampled_from(["a", "b", "c", "d", "name", "tags", "x", "é"]),
                                         inner, max_size=4),
                       max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(data=st.dictionaries(st.sampled_from(["a", "b", "items", "flag", "other"]), _VALUES, max_size=5),
       indent=st.sampled_from([None, 0, 1, 2, 4, "\t"]),
       separators=st.sampled_from([(", ", ": "), (",", ":"), (" , ", " : ")]))
def test_filling_any_formatting_gives_the_skeleton_and_keeps_the_text(
        data: dict[str, Any], indent: int | str | None, separators: tuple[str, str]) -> None:
    text = json.dumps(data, indent=indent, separators=separators, ensure_ascii=False)
    out = fill_fixture_text(_EMAIL, text)
    assert json.loads(out) == skeleton(_EMAIL, data)
    assert list(json.loads(out)) == list(skeleton(_EMAIL, data))  # same key order as the merge
    # the person's text is all still there, in order: only insertions were made
    it = iter(out)
    assert all(ch in it for ch in text)
