"""Arbitrary text raises nothing but the engine's own errors, never hangs, and numbers print like JS."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ses_workbench.engine import EngineError, compile
from ses_workbench.engine.runtime import format_number

ATOMS = ['{{', '}}', '{{{', '}}}', '{{#', '{{/', '{{^', '{{else', '{{>', '{{!', '{{!--', '--}}',
         '~', '#', 'if', 'each', 'with', 'unless', 'lookup', 'log', 'inline', '*', '"p"', "'x'",
         'a', 'b', '.', '..', '/', 'this', '@index', '@root', '@key', '@../index', 'as |x i|', '|',
         '(', ')', '=', '\\', '\n', ' ', '\t', '1', '-2.5', 'true', 'null', 'undefined', '[a b]',
         '[', ']', '&', '{{#* inline "p"}}', '{{/inline}}', '{{> p}}', 'é', '\r\n', '{{#each a}}',
         '{{/each}}', '{{#if a}}', '{{/if}}', '{{a}}', '{{../a}}', '\x00']

DATA: list[Any] = [{"a": [1, {"b": 2}, None], "b": {"c": "d"}, "x": 0, "p": "q"}, {}, [1, [2]], None, "s", 0]


def _exercise(source: str) -> None:
    try:
        tpl = compile(source)
    except EngineError as err:
        assert err.line is not None and err.column is not None
        return
    tpl.references()
    for data in DATA:
        try:
            tpl.render(data)
        except EngineError as err:
            assert err.line is not None and err.column is not None


# deadline: an example slower than 1 s fails (and is shrunk); the timeout catches a true hang (a loop that
# never returns, which a deadline alone cannot interrupt).
@pytest.mark.timeout(90)
@settings(max_examples=400, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(ATOMS), max_size=40).map("".join))
def test_token_soup_only_raises_engine_errors(source: str) -> None:
    _exercise(source)


@pytest.mark.timeout(90)
@settings(max_examples=300, deadline=1000)
@given(st.text(max_size=200))
def test_any_text_only_raises_engine_errors(source: str) -> None:
    _exercise(source)


@pytest.mark.parametrize(("value", "expected"), [
    (0, "0"), (-0.0, "0"), (1, "1"), (2.0, "2"), (-2.5, "-2.5"), (0.1, "0.1"),
    (0.1 + 0.2, "0.30000000000000004"),
    (1e21, "1e+21"), (1e20, "100000000000000000000"), (123e-20, "1.23e-18"), (1e-7, "1e-7"),
    (0.000001, "0.000001"), (1.5e-7, "1.5e-7"), (2**53 + 1, "9007199254740992"),
    (12345678901234567890, "12345678901234567000"), (10**400, "Infinity"), (float("nan"), "NaN"),
    (float("-inf"), "-Infinity"), (123456789.125, "123456789.125"), (5e-324, "5e-324"),
    (1.7976931348623157e308, "1.7976931348623157e+308"), (9345263762834100.0, "9345263762834100"),
    (993081510389465728.0, "993081510389465700"), (1e16, "10000000000000000"), (0.0001, "0.0001"),
    (0.00001234, "0.00001234"), (123.456, "123.456"),
])
def test_numbers_print_like_javascript(value: float, expected: str) -> None:
    assert format_number(value) == expected
