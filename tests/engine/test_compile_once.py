"""Compile once, render many: after ``compile()`` a render runs generated Python only — no lexing,
parsing, code generation or ``exec`` — even for partials, subexpressions and every block helper."""

from __future__ import annotations

import builtins
from typing import Any, NoReturn

import pytest

from ses_workbench.engine import compile, compiler, lexer, parser

SOURCE = """\
{{#* inline "row"}}<li>{{@index}}:{{name}}{{#if (lookup @root.flags name)}}!{{/if}}</li>{{/inline}}
<ul>{{#each items as |it i|}}{{> row it}}{{else}}none{{/each}}</ul>
{{#with user}}{{first}} {{../shop}}{{/with}}{{#unless done}}todo{{/unless}} {{lookup user "first"}}
{{#each obj}}{{@key}}={{this}}{{#unless @last}},{{/unless}}{{/each}}"""

DATA: dict[str, Any] = {"items": [{"name": "a"}, {"name": "b"}], "flags": {"a": True},
                        "user": {"first": "Ann"}, "shop": "S", "done": False, "obj": {"x": 1, "y": 2}}


def test_render_never_parses_or_generates_code(monkeypatch: pytest.MonkeyPatch) -> None:
    tpl = compile(SOURCE)
    expected = tpl.render(DATA)
    assert "<li>0:a!</li><li>1:b</li>" in expected and "Ann S" in expected and "x=1,y=2" in expected
    assert "def " in tpl.python_source  # the template is generated Python, not an AST walked per render

    def forbidden(*args: Any, **kwargs: Any) -> NoReturn:
        raise AssertionError("render re-entered the compiler")

    monkeypatch.setattr(lexer, "tokenize", forbidden)
    monkeypatch.setattr(parser, "parse", forbidden)
    monkeypatch.setattr(parser.Parser, "__init__", forbidden)
    monkeypatch.setattr(compiler, "generate", forbidden)
    monkeypatch.setattr(compiler.Compiler, "__init__", forbidden)
    monkeypatch.setattr(builtins, "compile", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "eval", forbidden)
    for _ in range(3):
        assert tpl.render(DATA) == expected
    assert tpl.render({**DATA, "items": [], "done": True}).startswith("\n<ul>none</ul>")
