# ruff: noqa: E501
"""Rendering of each construct, expected outputs checked against handlebars.js 4.7.8 (noEscape, strict).

These are snapshots of node's output for each case (the live differential corpus is in
tests/differential/); the SES-specific differences are tested in test_ses_rules.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from ses_workbench.engine import compile, render

CASES: list[tuple[str, Any, str]] = [
    ('a\n{{#if x}}\nb\n{{/if}}\nc', {'x': 1}, 'a\nb\nc'),
    ('a\n  {{#if x}}\n  b\n  {{else}}\n  d\n  {{/if}}\nc', {'x': 0}, 'a\n  d\nc'),
    ('{{#each xs}}\n  - {{this}}\n{{/each}}\n', {'xs': [1, 2]}, '  - 1\n  - 2\n'),
    (' {{! comment }} \nx', {}, 'x'),
    ('x\n {{!-- c --}}\ny', {}, 'x\ny'),
    ('{{#* inline "p"}}\nP{{v}}\nQ\n{{/inline}}\n  {{> p v=1}}\nend', {}, '  P1\n  Q\nend'),
    ('a {{~x~}} b', {'x': 1}, 'a1b'),
    ('a\n\n{{~#if x~}}\n\n b \n\n{{~/if~}}\n\nc', {'x': 1}, 'abc'),
    ('{{#if a}}\nA\n{{else if b}}\nB\n{{else}}\nC\n{{/if}}\n', {'b': 1}, 'B\n'),
    ('{{#if a}}\nA\n{{else if b}}\nB\n{{else}}\nC\n{{/if}}\n', {}, 'C\n'),
    ('{{#if a}}A{{~else~}} B {{/if}}', {}, 'B '),
    ('  {{#each xs}}  \n{{.}}\n  {{/each}}  \n', {'xs': [1]}, '1\n'),
    ('x{{#if a}}\ny{{/if}}', {'a': 1}, 'x\ny'),
    ('\r\n{{#if a}}\r\ny\r\n{{/if}}\r\n', {'a': 1}, '\r\ny\r\n'),
    ('{{#if a}}\n{{#if b}}\nx\n{{/if}}\n{{/if}}\n', {'a': 1, 'b': 1}, 'x\n'),
    ('\\{{x}}', {}, '{{x}}'),
    ('\\\\{{x}}', {'x': 1}, '\\1'),
    ('a\\{{x}} \\{{y}} {{z}}', {'z': 2}, 'a{{x}} {{y}} 2'),
    ('{{{x}}}{{& x}}', {'x': '<b>'}, '<b><b>'),
    ('{{#each o}}{{@key}}={{.}};{{/each}}', {'o': {'b': 1, 'a': 2, '10': 3, '2': 4}}, '2=4;10=3;b=1;a=2;'),
    ('{{#each xs as |x i|}}{{i}}{{x}},{{/each}}', {'xs': ['a', 'b']}, '0a,1b,'),
    ('{{#each o as |v k|}}{{k}}{{v}},{{/each}}', {'o': {'a': 1}}, 'a1,'),
    ('{{#with a}}{{#with b}}{{../../c}}{{../d}}{{/with}}{{/with}}', {'a': {'b': {}, 'd': 'D'}, 'c': 'C'}, 'CD'),
    ('{{#each a}}{{#if this}}{{../x}}{{/if}}{{/each}}', {'a': [1], 'x': 'X'}, 'X'),
    ('{{[a.b]}}', {'a.b': 3}, '3'),
    ("{{#if 'x'}}y{{/if}}{{#if null}}n{{/if}}{{#if undefined}}u{{/if}}{{#if -1.5}}m{{/if}}", {}, 'ym'),
    ('{{lookup o k}}', {'o': {'x': 1}, 'k': 'x'}, '1'),
    ("{{#each (lookup o 'l')}}{{.}}{{/each}}", {'o': {'l': [1, 2]}}, '12'),
    ('{{#unless a}}U{{else}}E{{/unless}}', {'a': []}, 'U'),
    ('{{#with a}}W{{else}}E{{/with}}', {'a': {}}, 'W'),
    ('{{#each a}}W{{else}}E{{/each}}', {'a': {}}, 'E'),
    ('{{x}}', {'x': -0.0}, '0'),
    ('{{x}}', {'x': 1e-07}, '1e-7'),
    ('{{x}}', {'x': 1.23e-18}, '1.23e-18'),
    ('{{x}}', {'x': []}, ''),
    ('{{x}}', {'x': [[], [None]]}, ','),
    ('{{x}}', {'x': False}, 'false'),
    ('{{@root.x}}', {'x': 'R'}, 'R'),
    ('{{#each a}}{{@root.x}}{{/each}}', {'a': [1], 'x': 'R'}, 'R'),
    ('{{#each a}}{{#each this}}{{@../key}}{{@key}}|{{/each}}{{/each}}', {'a': {'p': {'q': 1}}}, 'pq|'),
    ('{{.}}', {'x': 1}, '[object Object]'),
    ('{{this/x}}', {'x': 1}, '1'),
    ('{{./x}}', {'x': 1}, '1'),
    ('{{this.x.y}}', {'x': {'y': 1}}, '1'),
    ('{{#each a}}{{..}}{{/each}}', {'a': [1]}, '[object Object]'),
    ('{{#with a}}{{.}}{{/with}}', {'a': 's'}, 's'),
    ('{{#x}}{{/x}}', {'x': 1}, ''),
    ('{{#x}}A{{else}}B{{/x}}', {'x': False}, 'B'),
    ('{{#x}}A{{else}}B{{/x}}', {'x': []}, 'B'),
    ('{{#x}}[{{.}}]{{/x}}', {'x': 's'}, '[s]'),
    ('{{^x}}A{{else}}B{{/x}}', {'x': True}, 'B'),
    ('{{^if x}}A{{else}}B{{/if}}', {'x': True}, 'B'),
    ('{{#* inline "p"}}[{{.}}]{{/inline}}{{> p x}}', {'x': 5}, '[5]'),
    ('{{#* inline "p"}}[{{a}}{{b}}]{{/inline}}{{> p x b=2}}', {'x': {'a': 1}}, '[12]'),
    ('{{#each xs}}{{#* inline "p"}}<{{.}}>{{/inline}}{{> p}}{{/each}}', {'xs': [1, 2]}, '<1><2>'),
    ('{{#* inline "p"}}{{@index}}{{/inline}}{{#each xs}}{{> p}}{{/each}}', {'xs': [1, 2]}, '01'),
    ('{{#* inline "p"}}a\nb\n{{/inline}}\n   {{> p}}\n', {}, '   a\n   b\n'),
    ("{{#* inline 'p'}}x{{/inline}}{{> 'p'}}", {}, 'x'),
    ('{{#* inline "p"}}x{{/inline}}{{> "p"}}', {}, 'x'),
]


@pytest.mark.parametrize(("source", "data", "expected"), CASES)
def test_matches_handlebars_js(source: str, data: Any, expected: str) -> None:
    assert render(source, data) == expected


def test_compiled_template_renders_many_times() -> None:
    tpl = compile("{{#each xs}}{{name}}{{#unless @last}}, {{/unless}}{{/each}}")
    assert tpl.render({"xs": [{"name": "a"}, {"name": "b"}]}) == "a, b"
    assert tpl.render({"xs": []}) == ""
    assert tpl.render({"xs": [{"name": "c"}]}) == "c"
