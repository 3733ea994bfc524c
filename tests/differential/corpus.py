"""The differential corpus: templates + data rendered by our engine and by handlebars.js 4.7.8.

Each case is a plain dict, JSON-serialisable, so the same list is piped to ``run_hbs.js``:

``id``         unique, stable (pytest ids and FINDINGS.md refer to it)
``template``   Handlebars source
``data``       the TemplateData object (always a JSON object, as SES requires)
``note``       optional: what the case is about, when the id does not say it
``difference`` optional: one of the deliberate differences listed in ``test_differential.py``;
               the case must then differ *exactly* the documented way
``expect``     with ``difference``: our output (output differences) or the attribute name in our
               ``MissingAttributeError`` (error differences)

Expected outputs are never written here for ordinary cases: handlebars.js is the oracle.  Cases are
grouped by construct; generated families (whitespace, numbers, big loops) are built by small loops so
that every combination is covered without typing it out.
"""

# ruff: noqa: E501  (a data file: templates are kept on one line so they read as written)
from __future__ import annotations

from typing import Any

CASES: list[dict[str, Any]] = []


def case(id: str, template: str, data: dict[str, Any] | None = None, note: str | None = None,
         difference: str | None = None, expect: str | None = None) -> None:
    entry: dict[str, Any] = {"id": id, "template": template, "data": {} if data is None else data}
    if note:
        entry["note"] = note
    if difference:
        entry["difference"] = difference
        entry["expect"] = expect
    CASES.append(entry)


# --------------------------------------------------------------------------------------------
# 1. Plain text and simple substitution
# --------------------------------------------------------------------------------------------
case("text-empty", "")
case("text-plain", "Hello, world!")
case("text-newlines", "line 1\nline 2\n\nline 4\n")
case("text-crlf", "line 1\r\nline 2\r\n")
case("text-only-braces", "{ } {x} }} {")
case("text-single-brace-var", "{name}", {"name": "x"})
case("text-html", "<p class=\"a\">&amp; &lt;b&gt;</p>")
case("var-simple", "Hi {{name}}!", {"name": "Ada"})
case("var-spaces-inside", "Hi {{  name  }}!", {"name": "Ada"})
case("var-newline-inside", "Hi {{\nname\n}}!", {"name": "Ada"})
case("var-at-start", "{{name}} there", {"name": "Ada"})
case("var-at-end", "Dear {{name}}", {"name": "Ada"})
case("var-only", "{{name}}", {"name": "Ada"})
case("var-twice", "{{a}}-{{a}}", {"a": "x"})
case("var-adjacent-strings", "{{a}}{{b}}", {"a": "x", "b": "y"})
case("var-html-not-escaped", "{{html}}", {"html": "<b>\"bold\" & 'it'</b>"})
case("var-empty-string", "[{{s}}]", {"s": ""})
case("var-whitespace-string", "[{{s}}]", {"s": "  \t\n "})
case("var-extra-keys", "{{a}}", {"a": "1", "b": "2", "c": {"d": 3}})
case("var-case-sensitive-present", "{{Name}}", {"Name": "A", "name": "b"})
case("var-dash-name", "{{first-name}}", {"first-name": "Ada"})
case("var-underscore-name", "{{first_name}}", {"first_name": "Ada"})
case("var-dollar-name", "{{$price}}", {"$price": "9"})
case("var-digit-start", "[{{1a}}]", {"1a": "x"})
case("var-numeric-key", "[{{0}}]", {"0": "zero"}, note="a number literal in path position")
case("var-key-with-colon", "{{a:b}}", {"a:b": "x"})
case("var-template-string", "{{s}}", {"s": "{{not}} parsed"})
case("var-long-string", "{{s}}", {"s": "x" * 5000})
case("var-newlines-in-value", "<{{s}}>", {"s": "a\nb\r\nc"})
case("var-backslash-value", "{{s}}", {"s": "C:\\path\\to"})

# --------------------------------------------------------------------------------------------
# 2. Paths: nested, this, ./, ../, @root, [segment] literals, slash separator
# --------------------------------------------------------------------------------------------
case("path-nested", "{{contact.firstName}} {{contact.lastName}}",
     {"contact": {"firstName": "Ada", "lastName": "Lovelace"}})
case("path-deep-5", "{{a.b.c.d.e}}", {"a": {"b": {"c": {"d": {"e": "deep"}}}}})
case("path-slash-separator", "{{a/b}}", {"a": {"b": "slash"}})
case("path-this", "{{#with a}}{{this}}{{/with}}", {"a": "str"})
case("path-this-dot-prop", "{{this.name}}", {"name": "root"})
case("path-this-slash-prop", "{{this/name}}", {"name": "root"})
case("path-dot", "{{#each items}}{{.}},{{/each}}", {"items": ["a", "b"]})
case("path-dot-slash", "{{./name}}", {"name": "dotslash"})
case("path-dot-slash-nested", "{{./a.b}}", {"a": {"b": "x"}})
case("path-parent-in-each", "{{#each items}}{{name}}@{{../shop}};{{/each}}",
     {"items": [{"name": "a"}, {"name": "b"}], "shop": "S"})
case("path-parent-in-with", "{{#with a}}{{b}}/{{../c}}{{/with}}", {"a": {"b": 1}, "c": 2})
case("path-parent-twice", "{{#with a}}{{#with b}}{{c}}{{../x}}{{../../y}}{{/with}}{{/with}}",
     {"a": {"b": {"c": "C"}, "x": "X"}, "y": "Y"})
case("path-parent-nested-path", "{{#each items}}{{../meta.title}} {{/each}}",
     {"items": [1, 2], "meta": {"title": "T"}})
case("path-parent-in-if", "{{#if ok}}{{../name}}{{/if}}", {"ok": True, "name": "N"},
     note="#if does not push a context: ../ from inside it goes to the parent of the root")
case("path-parent-in-each-in-if", "{{#if ok}}{{#each items}}{{../name}}{{/each}}{{/if}}",
     {"ok": True, "items": [1, 2], "name": "N"})
case("path-root", "{{@root.name}}", {"name": "R"})
case("path-root-in-each", "{{#each items}}{{@root.shop.name}}:{{this}} {{/each}}",
     {"items": ["a", "b"], "shop": {"name": "S"}})
case("path-root-in-nested", "{{#with a}}{{#each b}}{{@root.t}}{{/each}}{{/with}}",
     {"a": {"b": [1, 2]}, "t": "T"})
case("path-root-this", "{{#with a}}{{@root.a.v}}{{/with}}", {"a": {"v": "self"}})
case("path-segment-space", "{{[first name]}}", {"first name": "Ada"})
case("path-segment-dot", "{{[a.b]}}", {"a.b": "literal dot"})
case("path-segment-nested", "{{a.[b c].d}}", {"a": {"b c": {"d": "x"}}})
case("path-segment-number", "{{items.[1]}}", {"items": ["zero", "one", "two"]})
case("path-segment-number-nested", "{{items.[0].name}}", {"items": [{"name": "first"}]})
case("path-segment-this", "{{[this]}}", {"this": "a key named this"})
case("path-segment-at", "{{[@odd]}}", {"@odd": "at key"})
case("path-segment-unicode", "{{[prénom]}}", {"prénom": "Zoé"})
case("path-segment-brackets-multiple", "{{[a].[b]}}", {"a": {"b": "ab"}})
case("path-segment-dash", "{{[my-key]}}", {"my-key": "dash"})
case("path-segment-empty-ish", "{{[ ]}}", {" ": "space key"})
case("path-array-index-dot", "{{items.1}}", {"items": ["a", "b"]}, note="numeric path segment")
case("path-array-length", "{{items.length}}", {"items": ["a", "b", "c"]})
case("path-string-length", "{{s.length}}", {"s": "hello"})
case("path-segment-in-each", "{{#each rows}}{{[col 1]}};{{/each}}",
     {"rows": [{"col 1": "a"}, {"col 1": "b"}]})
case("path-parent-segment", "{{#each rows}}{{../[shop name]}}{{/each}}",
     {"rows": [1], "shop name": "S"})

# --------------------------------------------------------------------------------------------
# 3. Literals (as helper arguments and in path position)
# --------------------------------------------------------------------------------------------
case("lit-string-path", "{{\"name\"}}", {"name": "looked up"})
case("lit-single-quote-path", "{{'name'}}", {"name": "looked up"})
case("lit-if-true", "{{#if true}}T{{else}}F{{/if}}")
case("lit-if-false", "{{#if false}}T{{else}}F{{/if}}")
case("lit-if-null", "{{#if null}}T{{else}}F{{/if}}")
case("lit-if-undefined", "{{#if undefined}}T{{else}}F{{/if}}")
case("lit-if-zero", "{{#if 0}}T{{else}}F{{/if}}")
case("lit-if-one", "{{#if 1}}T{{else}}F{{/if}}")
case("lit-if-negative", "{{#if -1}}T{{else}}F{{/if}}")
case("lit-if-float", "{{#if 0.5}}T{{else}}F{{/if}}")
case("lit-if-empty-string", "{{#if \"\"}}T{{else}}F{{/if}}")
case("lit-if-string", "{{#if \"x\"}}T{{else}}F{{/if}}")
case("lit-if-single-quoted", "{{#if 'x'}}T{{else}}F{{/if}}")
case("lit-unless-false", "{{#unless false}}U{{/unless}}")
case("lit-with-string", "{{#with \"hello\"}}{{this}}{{/with}}")
case("lit-with-number", "{{#with 42}}{{this}}{{/with}}")
case("lit-with-negative-float", "{{#with -1.5}}{{this}}{{/with}}")
case("lit-with-true", "{{#with true}}{{this}}{{/with}}")
case("lit-with-false", "{{#with false}}yes{{else}}no{{/with}}")
case("lit-with-null", "{{#with null}}yes{{else}}no{{/with}}")
case("lit-lookup-string-key", "{{lookup this \"name\"}}", {"name": "N"})
case("lit-lookup-number-key", "{{lookup items 1}}", {"items": ["a", "b"]})
case("lit-string-escaped-quote", "{{#with \"a\\\"b\"}}{{this}}{{/with}}")
case("lit-string-with-braces", "{{#with \"}}\"}}{{this}}{{/with}}")
case("lit-string-unicode", "{{#with \"héllo 🌍\"}}{{this}}{{/with}}")
case("lit-each-string", "{{#each \"abc\"}}{{this}}{{else}}none{{/each}}")
case("lit-true-path-position", "[{{true}}]", note="a boolean literal as the whole mustache")
case("lit-number-path-position", "[{{42}}]")
case("lit-null-path-position", "[{{null}}]")
case("lit-undefined-path-position", "[{{undefined}}]")
case("lit-string-with-space", "{{\"first name\"}}", {"first name": "spaced"})

# --------------------------------------------------------------------------------------------
# 4. #if / #unless / else / else if / ^
# --------------------------------------------------------------------------------------------
TRUTHY_VALUES: list[tuple[str, Any]] = [
    ("true", True), ("false", False), ("zero", 0), ("one", 1), ("neg", -1), ("float0", 0.0),
    ("float", 0.25), ("empty-str", ""), ("str", "x"), ("str-zero", "0"), ("str-false", "false"),
    ("str-space", " "), ("empty-list", []), ("list", [0]), ("empty-obj", {}), ("obj", {"a": 1}),
]
for name, value in TRUTHY_VALUES:
    case(f"if-truthy-{name}", "{{#if v}}T{{else}}F{{/if}}", {"v": value})
    case(f"unless-truthy-{name}", "{{#unless v}}U{{else}}N{{/unless}}", {"v": value})
case("if-no-else-true", "<{{#if v}}yes{{/if}}>", {"v": True})
case("if-no-else-false", "<{{#if v}}yes{{/if}}>", {"v": False})
case("if-missing-is-false", "<{{#if missing}}yes{{else}}no{{/if}}>", {})
case("unless-missing", "<{{#unless missing}}yes{{/unless}}>", {})
case("if-null", "<{{#if v}}yes{{else}}no{{/if}}>", {"v": None})
case("if-caret-else", "{{#if v}}T{{^}}F{{/if}}", {"v": False})
case("if-caret-else-true", "{{#if v}}T{{^}}F{{/if}}", {"v": True})
case("if-else-tilde-spaces", "{{#if v}}T{{ else }}F{{/if}}", {"v": False})
case("if-include-zero", "{{#if v includeZero=true}}T{{else}}F{{/if}}", {"v": 0})
case("if-include-zero-false", "{{#if v includeZero=false}}T{{else}}F{{/if}}", {"v": 0})
case("if-nested-path", "{{#if a.b}}T{{else}}F{{/if}}", {"a": {"b": 1}})
case("if-nested-path-missing-leaf", "{{#if a.b}}T{{else}}F{{/if}}", {"a": {}})
case("if-nested-path-null-leaf", "{{#if a.b}}T{{else}}F{{/if}}", {"a": {"b": None}})
case("if-body-not-evaluated", "{{#if v}}{{missing}}{{/if}}ok", {"v": False},
     note="variables inside a false #if are never required")
case("if-else-not-evaluated", "{{#if v}}ok{{else}}{{missing}}{{/if}}", {"v": True})
case("if-body-missing-error", "{{#if v}}{{missing}}{{/if}}", {"v": True})
case("unless-body-missing-error", "{{#unless v}}{{missing}}{{/unless}}", {"v": False})
case("if-context-unchanged", "{{#if user}}{{name}}{{/if}}", {"user": {"name": "inner"}, "name": "outer"})
for i, (a, b, c) in enumerate([(True, False, False), (False, True, False), (False, False, True),
                               (False, False, False), (True, True, True)]):
    case(f"else-if-chain-{i}", "{{#if a}}A{{else if b}}B{{else if c}}C{{else}}D{{/if}}",
         {"a": a, "b": b, "c": c})
case("else-if-no-final-else", "[{{#if a}}A{{else if b}}B{{/if}}]", {"a": False, "b": False})
case("else-unless-chain", "{{#if a}}A{{else unless b}}notB{{else}}B{{/if}}", {"a": False, "b": False})
case("else-unless-chain-2", "{{#if a}}A{{else unless b}}notB{{else}}B{{/if}}", {"a": False, "b": True})
case("unless-else-if", "{{#unless a}}notA{{else if b}}B{{else}}none{{/unless}}", {"a": True, "b": True})
case("else-each-chain", "{{#if a}}A{{else each items}}{{this}}{{else}}empty{{/if}}",
     {"a": False, "items": [1, 2]})
case("else-each-chain-empty", "{{#if a}}A{{else each items}}{{this}}{{else}}empty{{/if}}",
     {"a": False, "items": []})
case("else-with-chain", "{{#if a}}A{{else with b}}{{c}}{{/if}}", {"a": False, "b": {"c": "C"}})
case("else-if-caret", "{{#if a}}A{{^if b}}B{{/if}}", {"a": False, "b": True},
     note="{{^if b}} as an else-if")
case("else-if-missing-tested", "{{#if a}}A{{else if nope}}B{{else}}C{{/if}}", {"a": False})
case("else-if-chain-missing-output", "{{#if a}}A{{else if b}}{{x}}{{/if}}", {"a": False, "b": True})
case("else-if-with-tilde", "{{#if a~}} A {{~else if b~}} B {{~else~}} C {{~/if}}",
     {"a": False, "b": True})
case("if-nested-3", "{{#if a}}{{#if b}}{{#if c}}abc{{else}}ab{{/if}}{{else}}a{{/if}}{{/if}}",
     {"a": 1, "b": 1, "c": 0})
case("unless-nested-if", "{{#unless a}}{{#if b}}b{{else}}nb{{/if}}{{/unless}}", {"a": 0, "b": 0})
case("if-subexpr-lookup", "{{#if (lookup this \"k\")}}yes{{else}}no{{/if}}", {"k": "v"})
case("if-this", "{{#each items}}{{#if this}}[{{this}}]{{else}}(empty){{/if}}{{/each}}",
     {"items": ["a", "", 0, "b", False]})
case("inverse-section-caret", "{{^v}}shown when falsy{{/v}}", {"v": False})
case("inverse-section-caret-truthy", "[{{^v}}shown when falsy{{/v}}]", {"v": True})
case("inverse-section-caret-list", "{{^items}}no items{{/items}}", {"items": []})
case("inverse-section-caret-missing", "{{^v}}missing is falsy{{/v}}", {},
     note="mustache-style inverse section on a missing name")

# --------------------------------------------------------------------------------------------
# 5. #each: arrays, objects, @index/@key/@first/@last, block params, else, nesting
# --------------------------------------------------------------------------------------------
case("each-strings", "{{#each items}}{{this}},{{/each}}", {"items": ["a", "b", "c"]})
case("each-numbers", "{{#each items}}<{{this}}>{{/each}}", {"items": [1, 2.5, -3, 0]})
case("each-objects", "{{#each items}}{{name}}={{qty}};{{/each}}",
     {"items": [{"name": "a", "qty": 1}, {"name": "b", "qty": 2}]})
case("each-index", "{{#each items}}{{@index}}:{{this}} {{/each}}", {"items": ["a", "b", "c"]})
case("each-first-last", "{{#each items}}{{#if @first}}[{{/if}}{{this}}{{#if @last}}]{{else}},{{/if}}{{/each}}",
     {"items": ["a", "b", "c"]})
case("each-first-last-printed", "{{#each items}}{{@first}}/{{@last}} {{/each}}", {"items": [1, 2, 3]})
case("each-single-item-first-last", "{{#each items}}{{@first}}/{{@last}}{{/each}}", {"items": ["only"]})
case("each-key-on-array", "{{#each items}}{{@key}};{{/each}}", {"items": ["a", "b"]})
case("each-object", "{{#each obj}}{{@key}}={{this}};{{/each}}", {"obj": {"x": 1, "y": 2, "z": 3}})
case("each-object-index", "{{#each obj}}{{@index}}{{@key}}{{/each}}", {"obj": {"a": 1, "b": 2}})
case("each-object-first-last", "{{#each obj}}{{@key}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}} {{/each}}",
     {"obj": {"a": 1, "b": 2, "c": 3}})
case("each-object-insertion-order", "{{#each obj}}{{@key}} {{/each}}",
     {"obj": {"zeta": 1, "alpha": 2, "mid": 3}})
case("each-object-integer-keys-order", "{{#each obj}}{{@key}} {{/each}}",
     {"obj": {"b": 1, "10": 2, "2": 3, "a": 4, "1": 5}},
     note="JS orders integer-like keys first, ascending")
case("each-object-nested-values", "{{#each obj}}{{@key}}:{{this.v}};{{/each}}",
     {"obj": {"k1": {"v": 1}, "k2": {"v": 2}}})
case("each-empty-array-else", "{{#each items}}{{this}}{{else}}none{{/each}}", {"items": []})
case("each-empty-object-else", "{{#each obj}}{{this}}{{else}}none{{/each}}", {"obj": {}})
case("each-missing-else", "{{#each items}}{{this}}{{else}}missing{{/each}}", {})
case("each-missing-no-else", "[{{#each items}}{{this}}{{/each}}]", {})
case("each-null", "[{{#each items}}{{this}}{{else}}null{{/each}}]", {"items": None})
case("each-false", "[{{#each items}}{{this}}{{else}}false{{/each}}]", {"items": False})
case("each-string-value", "[{{#each s}}{{this}}{{else}}not iterable{{/each}}]", {"s": "abc"})
case("each-number-value", "[{{#each n}}{{this}}{{else}}not iterable{{/each}}]", {"n": 3})
case("each-true-value", "[{{#each t}}{{this}}{{else}}not iterable{{/each}}]", {"t": True})
case("each-caret-else", "{{#each items}}{{this}}{{^}}empty{{/each}}", {"items": []})
case("each-body-missing-not-evaluated-when-empty", "{{#each items}}{{missing}}{{/each}}ok", {"items": []})
case("each-root-var-without-parent", "{{#each items}}{{shopName}}{{/each}}",
     {"items": [{"a": 1}], "shopName": "S"},
     note="no parent-scope lookup: fails in handlebars.js strict, fails in ours")
case("each-root-var-with-parent", "{{#each items}}{{../shopName}}{{/each}}",
     {"items": [{"a": 1}], "shopName": "S"})
case("each-item-missing-field", "{{#each items}}{{name}};{{/each}}", {"items": [{"name": "a"}, {}]})
case("each-item-null-in-array", "{{#each items}}[{{this}}]{{/each}}", {"items": ["a", None, "c"]},
     note="an output that resolves to null, through `this`", difference="null-is-missing", expect="this")
case("each-nested", "{{#each rows}}{{#each cols}}{{this}}{{/each}};{{/each}}",
     {"rows": [{"cols": [1, 2]}, {"cols": [3]}]})
case("each-nested-arrays", "{{#each m}}{{#each this}}{{this}}{{/each}}|{{/each}}", {"m": [[1, 2], [3, 4]]})
case("each-nested-index-parent", "{{#each rows}}{{#each cols}}{{@../index}}.{{@index}} {{/each}}{{/each}}",
     {"rows": [{"cols": ["a", "b"]}, {"cols": ["c"]}]})
case("each-nested-parent-this", "{{#each rows}}{{#each cols}}{{../name}}{{this}} {{/each}}{{/each}}",
     {"rows": [{"name": "r1", "cols": [1, 2]}, {"name": "r2", "cols": [3]}]})
case("each-nested-parent-parent", "{{#each a}}{{#each b}}{{../../top}}{{/each}}{{/each}}",
     {"a": [{"b": [1, 2]}], "top": "T"})
case("each-nested-key-parent", "{{#each o}}{{#each this}}{{@../key}}.{{@key}}={{this}} {{/each}}{{/each}}",
     {"o": {"x": {"a": 1}, "y": {"b": 2}}})
case("each-block-param-item", "{{#each items as |item|}}{{item.name}} {{/each}}",
     {"items": [{"name": "a"}, {"name": "b"}]})
case("each-block-param-item-index", "{{#each items as |item i|}}{{i}}={{item}} {{/each}}",
     {"items": ["a", "b"]})
case("each-block-param-object", "{{#each obj as |value key|}}{{key}}:{{value}} {{/each}}",
     {"obj": {"a": 1, "b": 2}})
case("each-block-param-nested", "{{#each rows as |row r|}}{{#each row.cells as |cell c|}}{{r}}.{{c}}={{cell}} {{/each}}{{/each}}",
     {"rows": [{"cells": ["x", "y"]}, {"cells": ["z"]}]})
case("each-block-param-outer-in-inner", "{{#each a as |x|}}{{#each b as |y|}}{{x}}{{y}} {{/each}}{{/each}}",
     {"a": [1, 2], "b": ["p", "q"]}, note="`b` is looked up in the context (the item), not the root: the inner loop is empty")
case("each-block-param-outer-in-inner-root", "{{#each a as |x|}}{{#each @root.b as |y|}}{{x}}{{y}} {{/each}}{{/each}}",
     {"a": [1, 2], "b": ["p", "q"]})
case("each-block-param-shadows", "{{#each items as |name|}}{{name}}{{/each}}", {"items": ["a"], "name": "root"})
case("each-block-param-and-this", "{{#each items as |it|}}{{it.n}}={{this.n}}={{n}} {{/each}}",
     {"items": [{"n": 1}, {"n": 2}]})
case("each-block-param-missing-field", "{{#each items as |it|}}{{it.x}}{{/each}}", {"items": [{}]})
case("each-block-param-index-name-collision", "{{#each items as |item index|}}{{index}}/{{@index}} {{/each}}",
     {"items": ["a", "b"]})
case("each-with-hash-ignored", "{{#each items foo=\"bar\"}}{{this}}{{/each}}", {"items": [1, 2]})
case("each-this-root", "{{#each this}}{{@key}}={{this}};{{/each}}", {"a": "1", "b": "2"})
case("each-items-with-else-nested", "{{#each a}}{{#each this}}{{this}}{{else}}(e){{/each}}{{/each}}",
     {"a": [[1], [], [2]]})
case("each-index-in-nested-if", "{{#each items}}{{#if @first}}{{@index}}{{/if}}{{/each}}", {"items": [1, 2]})
case("each-index-in-with", "{{#each items}}{{#with this}}{{@index}}{{/with}}{{/each}}",
     {"items": [{"a": 1}, {"a": 2}]})
case("each-last-separator", "{{#each items}}{{this}}{{#unless @last}}, {{/unless}}{{/each}}",
     {"items": ["a", "b", "c"]})
case("each-subexpr", "{{#each (lookup this \"items\")}}{{this}}{{/each}}", {"items": [1, 2]})
case("each-object-with-null-value", "{{#each o}}{{@key}}=[{{this}}];{{/each}}", {"o": {"a": None, "b": 1}},
     difference="null-is-missing", expect="this")
case("each-array-of-arrays-print", "{{#each items}}<{{this}}>{{/each}}", {"items": [[1, 2], [], [3]]})
case("each-index-prints-number", "{{#each items}}{{@index}}{{/each}}", {"items": list(range(12))})
case("each-root-data-in-each", "{{#each items}}{{@root.items.length}}{{/each}}", {"items": [1, 2]})
case("each-index-outside-each", "[{{@index}}]", {}, note="@index outside any loop")
case("each-first-outside-each", "[{{#if @first}}y{{else}}n{{/if}}]", {})
case("each-else-parent", "{{#with s}}{{#each posts}}{{this}}{{else}}none in {{title}}/{{../top}}{{/each}}{{/with}}",
     {"s": {"title": "T", "posts": []}, "top": "R"}, note="the else branch of each keeps the outer context")
case("else-chain-unknown-helper-unreached", "{{#if v}}x{{else garbage}}y{{/if}}", {"v": True},
     note="an else-chain helper that is never reached")
case("else-chain-unknown-helper-reached", "{{#if v}}x{{else garbage}}y{{/if}}", {"v": False})
case("each-in-receipt", "Order {{id}}\n{{#each lines}}- {{qty}} x {{name}} @ {{price}}\n{{/each}}Total {{total}}",
     {"id": "A1", "lines": [{"qty": 1, "name": "Tea", "price": "3.00"}, {"qty": 2, "name": "Cake", "price": "4.50"}],
      "total": "12.00"})

# --------------------------------------------------------------------------------------------
# 6. #with
# --------------------------------------------------------------------------------------------
case("with-object", "{{#with user}}{{first}} {{last}}{{/with}}", {"user": {"first": "A", "last": "L"}})
case("with-else-missing", "{{#with user}}{{first}}{{else}}no user{{/with}}", {})
case("with-else-null", "{{#with user}}{{first}}{{else}}no user{{/with}}", {"user": None})
case("with-else-empty-obj", "{{#with user}}[obj]{{else}}empty{{/with}}", {"user": {}})
case("with-else-empty-list", "{{#with user}}[list]{{else}}empty{{/with}}", {"user": []})
case("with-else-zero", "{{#with user}}[{{this}}]{{else}}zero{{/with}}", {"user": 0})
case("with-else-empty-string", "{{#with user}}[{{this}}]{{else}}empty{{/with}}", {"user": ""})
case("with-caret", "{{#with user}}x{{^}}none{{/with}}", {"user": False})
case("with-block-param", "{{#with user as |u|}}{{u.name}}/{{name}}{{/with}}", {"user": {"name": "U"}})
case("with-nested", "{{#with a}}{{#with b}}{{#with c}}{{d}}{{/with}}{{/with}}{{/with}}",
     {"a": {"b": {"c": {"d": "D"}}}})
case("with-parent", "{{#with a}}{{../x}}{{/with}}", {"a": {"y": 1}, "x": "X"})
case("with-missing-inner", "{{#with a}}{{nope}}{{/with}}", {"a": {"y": 1}})
case("with-root-var-without-parent", "{{#with a}}{{x}}{{/with}}", {"a": {"y": 1}, "x": "X"})
case("with-subexpr", "{{#with (lookup this \"a\")}}{{b}}{{/with}}", {"a": {"b": "B"}})
case("with-string-length", "{{#with s}}{{length}}{{/with}}", {"s": "abcd"})
case("with-array", "{{#with arr}}{{this}}|{{length}}|{{[0]}}{{/with}}", {"arr": ["x", "y"]})
case("with-in-each", "{{#each items}}{{#with info}}{{v}}{{/with}};{{/each}}",
     {"items": [{"info": {"v": 1}}, {"info": {"v": 2}}]})
case("with-else-if", "{{#with a}}{{b}}{{else if c}}C{{else}}none{{/with}}", {"c": True})

# --------------------------------------------------------------------------------------------
# 7. lookup / log / hash arguments / subexpressions
# --------------------------------------------------------------------------------------------
case("lookup-object-dynamic-key", "{{lookup map key}}", {"map": {"a": "A", "b": "B"}, "key": "b"})
case("lookup-array-index", "{{lookup items idx}}", {"items": ["a", "b", "c"], "idx": 2})
case("lookup-in-each-by-index", "{{#each keys}}{{lookup ../names @index}} {{/each}}",
     {"keys": ["x", "y"], "names": ["first", "second"]})
case("lookup-in-each-by-key", "{{#each prices}}{{@key}}={{lookup ../labels @key}} {{/each}}",
     {"prices": {"a": 1, "b": 2}, "labels": {"a": "Apple", "b": "Banana"}})
case("lookup-missing-key", "[{{lookup map \"nope\"}}]", {"map": {"a": 1}},
     note="lookup of an absent key: handlebars.js gives undefined and prints nothing")
case("lookup-missing-object", "[{{lookup nope \"a\"}}]", {})
case("lookup-nested-subexpr", "{{lookup (lookup this \"a\") \"b\"}}", {"a": {"b": "AB"}})
case("lookup-number-value", "n={{lookup this \"n\"}}", {"n": 7})
case("lookup-with-block", "{{#with (lookup users id)}}{{name}}{{/with}}",
     {"users": {"u1": {"name": "Ann"}}, "id": "u1"})
case("lookup-string-index", "{{lookup s 0}}", {"s": "hey"})
case("lookup-this-key-var", "{{#each keys}}{{lookup @root.obj this}};{{/each}}",
     {"keys": ["b", "a"], "obj": {"a": 1, "b": 2}})
case("lookup-too-few-args", "[{{lookup map}}]", {"map": {"a": 1}})
case("lookup-null-value", "[{{lookup map \"a\"}}]", {"map": {"a": None}},
     note="an output that resolves to null, through lookup", difference="null-is-missing", expect="a")
case("log-string", "a{{log \"hello\"}}b")
case("log-var", "a{{log name}}b", {"name": "x"})
case("log-many-args", "a{{log 1 true null undefined \"s\" name}}b", {"name": "x"})
case("log-level-hash", "a{{log \"x\" level=\"error\"}}b")
case("log-missing-var", "a{{log nope}}b", {}, note="log's argument is a helper argument, not output")
case("log-in-each", "{{#each items}}{{log this}}{{this}}{{/each}}", {"items": [1, 2]})
case("log-block", "{{#log \"x\"}}body{{/log}}")
case("hash-on-if", "{{#if v foo=1}}T{{/if}}", {"v": 1})
case("hash-string-values", "{{#with a x=\"1\" y='2'}}{{b}}{{/with}}", {"a": {"b": "B"}})
case("hash-subexpr-value", "{{#if v x=(lookup this \"v\")}}T{{/if}}", {"v": 1})
case("subexpr-in-if-nested", "{{#if (lookup (lookup this \"a\") \"b\")}}T{{else}}F{{/if}}", {"a": {"b": 0}})
case("subexpr-with-whitespace", "{{lookup ( lookup this \"a\" ) \"b\" }}", {"a": {"b": "x"}})
case("subexpr-unknown-helper", "{{#if (eq a b)}}T{{/if}}", {"a": 1, "b": 1},
     difference="unknown-helper", expect="eq")
case("subexpr-lookup-missing-in-each-arg", "[{{#each (lookup this \"nope\")}}x{{else}}e{{/each}}]", {})
case("subexpr-path-only", "{{#if (v)}}T{{else}}F{{/if}}", {"v": True},
     note="a subexpression with no arguments is a helper call")

# --------------------------------------------------------------------------------------------
# 8. Inline partials
# --------------------------------------------------------------------------------------------
case("partial-basic", "{{#*inline \"greet\"}}Hello {{name}}{{/inline}}{{> greet}}!", {"name": "Ada"})
case("partial-space-after-star", "{{#* inline \"greet\"}}Hi{{/inline}}{{> greet}}")
case("partial-single-quote-name", "{{#*inline 'p'}}P{{/inline}}{{> p}}")
case("partial-bare-name-use", "{{#*inline \"p\"}}P{{/inline}}{{>p}}")
case("partial-quoted-use", "{{#*inline \"p\"}}P{{/inline}}{{> \"p\"}}")
case("partial-name-with-dash", "{{#*inline \"my-part\"}}M{{/inline}}{{> my-part}}")
case("partial-used-twice", "{{#*inline \"p\"}}[{{x}}]{{/inline}}{{> p}}{{> p}}", {"x": 1})
case("partial-defined-after-use", "{{> p}}{{#*inline \"p\"}}late{{/inline}}",
     note="inline partials are registered before the program runs")
case("partial-with-context", "{{#*inline \"card\"}}{{name}} <{{email}}>{{/inline}}{{> card user}}",
     {"user": {"name": "A", "email": "a@x"}})
case("partial-with-hash", "{{#*inline \"p\"}}{{greeting}}, {{name}}{{/inline}}{{> p greeting=\"Hi\"}}",
     {"name": "Ada"})
case("partial-with-context-and-hash", "{{#*inline \"p\"}}{{g}} {{name}}{{/inline}}{{> p user g=\"Yo\"}}",
     {"user": {"name": "U"}})
case("partial-hash-var", "{{#*inline \"p\"}}{{label}}{{/inline}}{{> p label=title}}", {"title": "T"})
case("partial-hash-overrides", "{{#*inline \"p\"}}{{name}}{{/inline}}{{> p name=\"hash\"}}", {"name": "ctx"})
case("partial-in-each", "{{#*inline \"row\"}}<{{name}}>{{/inline}}{{#each items}}{{> row}}{{/each}}",
     {"items": [{"name": "a"}, {"name": "b"}]})
case("partial-in-each-this", "{{#*inline \"row\"}}<{{this}}>{{/inline}}{{#each items}}{{> row this}}{{/each}}",
     {"items": ["a", "b"]})
case("partial-in-each-index", "{{#*inline \"row\"}}{{@index}}{{/inline}}{{#each items}}{{> row}}{{/each}}",
     {"items": ["a", "b"]}, note="@data flows into partials")
case("partial-parent-access", "{{#*inline \"p\"}}{{../x}}{{/inline}}{{#with a}}{{> p}}{{/with}}",
     {"a": {"y": 1}, "x": "X"})
case("partial-root-access", "{{#*inline \"p\"}}{{@root.x}}{{/inline}}{{#with a}}{{> p}}{{/with}}",
     {"a": {"y": 1}, "x": "X"})
case("partial-missing-var", "{{#*inline \"p\"}}{{nope}}{{/inline}}{{> p}}", {})
case("partial-nested", "{{#*inline \"a\"}}A{{> b}}{{/inline}}{{#*inline \"b\"}}B{{/inline}}{{> a}}")
case("partial-recursive", "{{#*inline \"tree\"}}{{name}}{{#if children}}({{#each children}}{{> tree}}{{/each}}){{/if}}{{/inline}}{{> tree}}",
     {"name": "r", "children": [{"name": "a", "children": [{"name": "a1", "children": []}]},
                                {"name": "b", "children": []}]})
case("partial-redefined", "{{#*inline \"p\"}}one{{/inline}}{{#*inline \"p\"}}two{{/inline}}{{> p}}",
     note="the later definition wins")
case("partial-scoped-to-block", "{{#if v}}{{#*inline \"p\"}}inner{{/inline}}{{> p}}{{/if}}", {"v": True})
case("partial-scoped-overrides-outer", "{{#*inline \"p\"}}outer{{/inline}}{{#if v}}{{#*inline \"p\"}}inner{{/inline}}{{> p}}{{/if}}{{> p}}",
     {"v": True})
case("partial-defined-in-each", "{{#each items}}{{#*inline \"p\"}}<{{this}}>{{/inline}}{{> p}}{{/each}}",
     {"items": [1, 2]})
case("partial-context-literal", "{{#*inline \"p\"}}{{this}}{{/inline}}{{> p \"lit\"}}")
case("partial-context-missing", "{{#*inline \"p\"}}x{{/inline}}{{> p nope}}", {},
     note="the context argument names missing data")
case("partial-context-subexpr", "{{#*inline \"p\"}}{{b}}{{/inline}}{{> p (lookup this \"a\")}}", {"a": {"b": "B"}})
case("partial-hash-then-parent", "{{#*inline \"p\"}}{{a}}-{{b}}{{/inline}}{{#with o}}{{> p a=../x}}{{/with}}",
     {"o": {"b": "B"}, "x": "X"})
case("partial-block-params-not-visible", "{{#*inline \"p\"}}{{it}}{{/inline}}{{#each items as |it|}}{{> p}}{{/each}}",
     {"items": [{"it": "ctx"}]}, note="block params do not cross into partials; `it` resolves on the context")
case("partial-whitespace-in-body", "{{#*inline \"p\"}}\n  body\n{{/inline}}[{{> p}}]")
case("partial-empty", "{{#*inline \"p\"}}{{/inline}}[{{> p}}]")
case("partial-with-else-inside", "{{#*inline \"p\"}}{{#if v}}y{{else}}n{{/if}}{{/inline}}{{> p}}", {"v": 0})
case("partial-hash-only-scalars", "{{#*inline \"p\"}}{{n}}/{{t}}{{/inline}}{{> p n=1 t=true}}")
case("partial-decorator-tilde", "{{~#*inline \"p\"~}}  P  {{~/inline~}}  [{{> p}}]")
case("partial-block-fallback", "{{#> missing}}fallback {{x}}{{/missing}}", {"x": 1},
     note="a partial block naming a partial that is never defined: SES rejects the template when stored",
     difference="undefined-partial")
case("partial-block-existing", "{{#*inline \"p\"}}[{{> @partial-block}}]{{/inline}}{{#> p}}body{{/p}}")
case("partial-in-subject-like", "{{#*inline \"brand\"}}ACME{{/inline}}Your {{> brand}} order {{id}}", {"id": 7})
case("partial-undefined", "{{> nope}}", {}, difference="undefined-partial")
case("partial-undefined-in-false-branch", "{{#if v}}{{> nope}}{{/if}}ok", {"v": False},
     difference="undefined-partial")
case("partial-undefined-defined-in-other-scope", "{{#if v}}{{#*inline \"p\"}}x{{/inline}}{{/if}}{{> p}}",
     {"v": True}, note="an inline partial defined inside a block does not exist outside it")

# --------------------------------------------------------------------------------------------
# 9. Comments
# --------------------------------------------------------------------------------------------
case("comment-short", "a{{! a comment }}b")
case("comment-long", "a{{!-- a comment with }} inside --}}b")
case("comment-long-mustache-inside", "a{{!-- {{#if x}} not parsed {{/if}} --}}b")
case("comment-empty", "a{{!}}b")
case("comment-multiline", "a{{!\n multi\n line\n}}b")
case("comment-long-multiline", "a{{!--\n {{x}}\n--}}b")
case("comment-standalone-line", "a\n{{! standalone }}\nb\n")
case("comment-standalone-indented", "a\n   {{!-- standalone --}}   \nb\n")
case("comment-standalone-multiline", "a\n{{!--\n two\n lines\n--}}\nb")
case("comment-not-standalone", "a {{! inline }} b\n")
case("comment-tilde", "a  {{~! strip ~}}  b")
case("comment-tilde-long", "a \n {{~!-- strip --~}} \n b")
case("comment-in-each", "{{#each items}}{{! c }}{{this}}{{/each}}", {"items": [1, 2]})
case("comment-with-dashes-short", "a{{!-- x --}}b{{! -- y -- }}c")
case("comment-unclosed-long", "a{{!-- never closed }}b")
case("comment-first-line", "{{! header }}\nbody")
case("comment-last-line", "body\n{{! footer }}")
case("comment-only", "{{! only }}")
case("comment-crlf-standalone", "a\r\n{{! c }}\r\nb\r\n")

# --------------------------------------------------------------------------------------------
# 10. Whitespace control (~)
# --------------------------------------------------------------------------------------------
case("tilde-left", "a   {{~x}}   b", {"x": "X"})
case("tilde-right", "a   {{x~}}   b", {"x": "X"})
case("tilde-both", "a \n\t {{~x~}} \n\t b", {"x": "X"})
case("tilde-newlines", "a\n\n\n{{~x~}}\n\n\nb", {"x": "X"})
case("tilde-triple", "a  {{~{x}~}}  b", {"x": "<X>"})
case("tilde-block-open", "<ul>\n  {{~#each items}}\n  <li>{{this}}</li>\n  {{~/each}}\n</ul>", {"items": [1, 2]})
case("tilde-block-all", "<ul>  {{~#each items~}}  <li>{{this}}</li>  {{~/each~}}  </ul>", {"items": [1, 2]})
case("tilde-if-else", "[ {{~#if v~}} yes {{~else~}} no {{~/if~}} ]", {"v": False})
case("tilde-if-else-true", "[ {{~#if v~}} yes {{~else~}} no {{~/if~}} ]", {"v": True})
case("tilde-caret", "[ {{~#if v~}} yes {{~^~}} no {{~/if~}} ]", {"v": False})
case("tilde-partial", "{{#*inline \"p\"}} P {{/inline}}[  {{~> p~}}  ]")
case("tilde-comment", "[  {{~! c ~}}  ]")
case("tilde-no-whitespace-neighbours", "a{{~x~}}b", {"x": "X"})
case("tilde-crlf", "a\r\n{{~x~}}\r\nb", {"x": "X"})
case("tilde-only-inner-open", "{{#if v~}}   inner   {{/if}}", {"v": True})
case("tilde-only-inner-close", "{{#if v}}   inner   {{~/if}}", {"v": True})
case("tilde-with-standalone", "a\n  {{~#if v}}\nb\n{{/if}}\nc", {"v": True})
case("tilde-strips-unicode-space", "a\u00a0{{~x}}\u2003b", {"x": "X"}, note="non-breaking / em space")
case("tilde-each-separator", "{{#each items~}} {{this}} {{~/each}}", {"items": [1, 2, 3]})
case("tilde-nested-blocks", "{{#each a~}}\n  {{#if this~}}\n    [{{this}}]\n  {{~/if}}\n{{~/each}}",
     {"a": [1, 0, 2]})
case("tilde-inverse-section", "[ {{~^v~}} falsy {{~/v~}} ]", {"v": 0})
case("tilde-escaped-neighbour", "a \\{{x}} {{~y}}", {"y": "Y"})
case("tilde-with-whitespace-in-tag", "a  {{~ x ~}}  b", {"x": "X"})

# --------------------------------------------------------------------------------------------
# 11. Standalone lines (generated combinations + hand-written edge cases)
# --------------------------------------------------------------------------------------------
BLOCKS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("if-true", "{{#if v}}", "{{/if}}", {"v": True, "items": [1, 2]}),
    ("if-false", "{{#if v}}", "{{/if}}", {"v": False, "items": [1, 2]}),
    ("unless", "{{#unless v}}", "{{/unless}}", {"v": False, "items": [1, 2]}),
    ("each", "{{#each items}}", "{{/each}}", {"v": True, "items": [1, 2]}),
    ("with", "{{#with w}}", "{{/with}}", {"w": {"a": 1}, "items": [1]}),
]
LINE_ENDINGS = [("lf", "\n"), ("crlf", "\r\n")]
INDENTS = [("none", ""), ("spaces", "  "), ("tab", "\t"), ("mixed", " \t ")]
for bname, open_tag, close_tag, bdata in BLOCKS:
    for ename, nl in LINE_ENDINGS:
        for iname, ind in INDENTS:
            tpl = f"before{nl}{ind}{open_tag}{nl}{ind}  body{nl}{ind}{close_tag}{nl}after{nl}"
            case(f"standalone-{bname}-{ename}-{iname}", tpl, bdata)
        # trailing whitespace after the tag is still standalone
        case(f"standalone-{bname}-{ename}-trailing", f"a{nl}{open_tag}  {nl}b{nl}{close_tag}\t{nl}c", bdata)
        # block at the very start and at the very end of the file
        case(f"standalone-{bname}-{ename}-at-start", f"{open_tag}{nl}b{nl}{close_tag}{nl}c", bdata)
        case(f"standalone-{bname}-{ename}-at-end-no-newline", f"a{nl}{open_tag}{nl}b{nl}{close_tag}", bdata)
        case(f"standalone-{bname}-{ename}-whole-file", f"{open_tag}{nl}{close_tag}", bdata)
        # not standalone: text on the line
        case(f"standalone-{bname}-{ename}-text-before", f"a{nl}x {open_tag}{nl}b{nl}{close_tag}{nl}c", bdata)
        case(f"standalone-{bname}-{ename}-text-after", f"a{nl}{open_tag} y{nl}b{nl}{close_tag}{nl}c", bdata)
        # open and close on one line
        case(f"standalone-{bname}-{ename}-one-line", f"a{nl}{open_tag}b{close_tag}{nl}c", bdata)
        case(f"standalone-{bname}-{ename}-empty-body", f"a{nl}{open_tag}{close_tag}{nl}c", bdata)

for ename, nl in LINE_ENDINGS:
    case(f"standalone-else-{ename}", f"{{{{#if v}}}}{nl}  yes{nl}{{{{else}}}}{nl}  no{nl}{{{{/if}}}}{nl}", {"v": False})
    case(f"standalone-else-true-{ename}", f"{{{{#if v}}}}{nl}  yes{nl}{{{{else}}}}{nl}  no{nl}{{{{/if}}}}{nl}", {"v": True})
    case(f"standalone-else-indented-{ename}", f"  {{{{#if v}}}}{nl}  yes{nl}  {{{{else}}}}  {nl}  no{nl}  {{{{/if}}}}{nl}", {"v": False})
    case(f"standalone-caret-{ename}", f"{{{{#if v}}}}{nl}yes{nl}{{{{^}}}}{nl}no{nl}{{{{/if}}}}{nl}", {"v": False})
    case(f"standalone-else-if-{ename}", f"{{{{#if a}}}}{nl}A{nl}{{{{else if b}}}}{nl}B{nl}{{{{else}}}}{nl}C{nl}{{{{/if}}}}{nl}",
         {"a": False, "b": True})
    case(f"standalone-nested-{ename}",
         f"<ul>{nl}  {{{{#each items}}}}{nl}    {{{{#if this}}}}{nl}    <li>{{{{this}}}}</li>{nl}    {{{{/if}}}}{nl}  {{{{/each}}}}{nl}</ul>{nl}",
         {"items": ["a", "", "b"]})
    case(f"standalone-partial-indent-{ename}",
         f"{{{{#*inline \"p\"}}}}line1{nl}line2{nl}{{{{/inline}}}}{nl}<div>{nl}    {{{{> p}}}}{nl}</div>{nl}")
    case(f"standalone-inline-def-{ename}", f"a{nl}{{{{#*inline \"p\"}}}}{nl}P{nl}{{{{/inline}}}}{nl}b{{{{> p}}}}c{nl}")
    case(f"standalone-comment-block-{ename}", f"a{nl}  {{{{!-- c --}}}}  {nl}b{nl}")
    case(f"standalone-inverse-section-{ename}", f"a{nl}{{{{^v}}}}{nl}none{nl}{{{{/v}}}}{nl}b", {"v": []})
    case(f"standalone-blank-lines-{ename}", f"{nl}{nl}{{{{#if v}}}}{nl}{nl}x{nl}{nl}{{{{/if}}}}{nl}{nl}", {"v": True})
    case(f"standalone-two-tags-one-line-{ename}", f"a{nl}{{{{#if v}}}}{{{{#if w}}}}{nl}x{nl}{{{{/if}}}}{{{{/if}}}}{nl}b",
         {"v": True, "w": True})
    case(f"standalone-var-not-standalone-{ename}", f"a{nl}  {{{{x}}}}  {nl}b", {"x": "X"})
    case(f"standalone-triple-not-standalone-{ename}", f"a{nl}  {{{{{{x}}}}}}  {nl}b", {"x": "X"})

case("standalone-partial-indent-multiline-each",
     "{{#*inline \"row\"}}<tr>\n  <td>{{name}}</td>\n</tr>\n{{/inline}}<table>\n  {{#each rows}}\n  {{> row}}\n  {{/each}}\n</table>\n",
     {"rows": [{"name": "a"}, {"name": "b"}]})
case("standalone-partial-indent-no-trailing-newline",
     "{{#*inline \"p\"}}a\nb{{/inline}}x\n  {{> p}}\ny")
case("standalone-partial-indent-tab", "{{#*inline \"p\"}}1\n2\n{{/inline}}\t{{> p}}\n")
case("standalone-partial-not-standalone", "{{#*inline \"p\"}}1\n2\n{{/inline}}x {{> p}}\n")
case("standalone-partial-indent-nested",
     "{{#*inline \"inner\"}}i1\ni2\n{{/inline}}{{#*inline \"outer\"}}o1\n  {{> inner}}\no2\n{{/inline}}  {{> outer}}\n")
case("standalone-partial-indent-value-with-newline", "{{#*inline \"p\"}}[{{v}}]\n{{/inline}}  {{> p}}\n",
     {"v": "a\nb"}, note="indentation applies to the partial's source lines, not to substituted values")
case("standalone-spaces-only-line", "a\n   \n{{#if v}}\n   \nb\n{{/if}}\n", {"v": True})
case("standalone-cr-only", "a\r{{#if v}}\rb\r{{/if}}\rc", {"v": True}, note="bare CR is not a line ending")
case("standalone-mixed-endings", "a\r\n{{#if v}}\nb\r\n{{/if}}\r\nc\n", {"v": True})
case("standalone-trailing-tab-crlf", "a\r\n\t{{#each items}}\t\r\n[{{this}}]\r\n\t{{/each}}\t\r\nz", {"items": [1, 2]})
case("standalone-html-email",
     "<table>\n  <tbody>\n    {{#each lines}}\n    <tr>\n      <td>{{name}}</td>\n      {{#if discount}}\n      <td>-{{discount}}</td>\n      {{else}}\n      <td></td>\n      {{/if}}\n    </tr>\n    {{/each}}\n  </tbody>\n</table>\n",
     {"lines": [{"name": "a", "discount": "1.00"}, {"name": "b", "discount": ""}]})
case("standalone-deeply-nested-4",
     "{{#if a}}\n  {{#if b}}\n    {{#each c}}\n      {{#with this}}\n        {{v}}\n      {{/with}}\n    {{/each}}\n  {{/if}}\n{{/if}}\n",
     {"a": 1, "b": 1, "c": [{"v": 1}, {"v": 2}]})
case("standalone-else-in-each", "{{#each items}}\n{{this}}\n{{else}}\nnone\n{{/each}}\n", {"items": []})
case("standalone-close-then-open", "{{#if a}}\nA\n{{/if}}\n{{#if b}}\nB\n{{/if}}\n", {"a": 1, "b": 1})
case("standalone-tilde-and-standalone", "x\n  {{#if v~}}\n  y\n  {{~/if}}\nz", {"v": 1})
case("standalone-text-file-footer", "Thanks,\nThe team\n\n{{#if unsubscribe}}\nUnsubscribe: {{unsubscribe}}\n{{/if}}\n",
     {"unsubscribe": "https://x/u"})
case("standalone-trailing-spaces-after-var-line", "{{x}}   \n  {{#if v}}   \n y \n  {{/if}}   \n", {"x": "X", "v": 1})
case("standalone-block-last-line-with-spaces", "a\n{{#if v}}\nb\n  {{/if}}  ", {"v": 1})
case("standalone-unicode-space-not-stripped", "a\n\u00a0{{#if v}}\nb\n{{/if}}\n", {"v": 1},
     note="NBSP is not standalone whitespace")

# --------------------------------------------------------------------------------------------
# 12. Escapes, triple-stash, ampersand
# --------------------------------------------------------------------------------------------
case("escape-basic", "\\{{name}}", {"name": "N"})
case("escape-then-var", "\\{{name}} {{name}}", {"name": "N"})
case("escape-double-backslash", "\\\\{{name}}", {"name": "N"})
case("escape-block", "\\{{#if v}}x\\{{/if}}")
case("escape-in-middle", "a \\{{b}} c")
case("escape-unclosed", "a \\{{b c")
case("escape-triple", "\\{{{x}}}", {"x": "X"})
case("escape-backslash-alone", "a\\b\\\\c\\")
case("escape-in-each", "{{#each items}}\\{{this}}={{this}} {{/each}}", {"items": [1, 2]})
case("escape-consecutive", "\\{{a}}\\{{b}}")
case("escape-before-comment", "\\{{! not a comment }}")
case("escape-after-text-only", "price: \\{{ 5 }}")
case("escape-triple-backslash", "\\\\\\{{x}}", {"x": "X"})
case("triple-basic", "{{{html}}}", {"html": "<b>&amp;</b>"})
case("triple-same-as-double", "{{html}}|{{{html}}}", {"html": "<a href=\"x?a=1&b=2\">"})
case("triple-path", "{{{a.b}}}", {"a": {"b": "<i>"}})
case("triple-missing", "{{{nope}}}", {})
case("triple-spaces", "{{{  html  }}}", {"html": "<b>"})
case("ampersand-unescaped", "{{&html}}", {"html": "<b>"})
case("ampersand-space", "{{& html}}", {"html": "<b>"})
case("triple-tilde", "a {{~{html}~}} b", {"html": "<b>"})
case("triple-number", "n={{{n}}}", {"n": 3.5})
case("triple-in-each", "{{#each items}}{{{this}}}{{/each}}", {"items": ["<a>", "<b>"]})

# --------------------------------------------------------------------------------------------
# 13. Unicode
# --------------------------------------------------------------------------------------------
case("unicode-emoji-value", "{{e}}", {"e": "🎉👍🏽👨‍👩‍👧‍👦"})
case("unicode-emoji-text", "🎉 {{name}} 🎉", {"name": "Zoë"})
case("unicode-rtl", "{{ar}} / {{he}}", {"ar": "مرحبا بالعالم", "he": "שלום עולם"})
case("unicode-rtl-marks", "\u202b{{ar}}\u202c", {"ar": "مرحبا"})
case("unicode-combining", "{{s}}", {"s": "e\u0301 a\u0308 n\u0303"})
case("unicode-cjk", "{{name}}さん、こんにちは", {"name": "山田"})
case("unicode-key", "{{prénom}} {{名前}}", {"prénom": "Zoé", "名前": "太郎"})
case("unicode-emoji-key", "{{🎉}}", {"🎉": "party"})
case("unicode-zero-width", "a\u200bb{{x}}\u200d", {"x": "\u200c"})
case("unicode-astral-in-each", "{{#each items}}{{this}}|{{/each}}", {"items": ["𝔘", "𝔫", "𝔦"]})
case("unicode-bom-start", "\ufeff{{x}}", {"x": "after BOM"})
case("unicode-in-literal", "{{#if \"é\"}}{{lookup this \"clé\"}}{{/if}}", {"clé": "v"})
case("unicode-object-keys-each", "{{#each o}}{{@key}}={{this}};{{/each}}", {"o": {"ä": 1, "ß": 2, "日本": 3}})
case("unicode-line-separator", "a\u2028{{x}}\u2029b", {"x": "X"})
case("unicode-nul-char-value", "a{{x}}b", {"x": "\u0000"}, note="NUL in the data (handlebars.js's lexer rejects NUL in the template itself)")
case("unicode-control-chars", "{{x}}", {"x": "\u0001\u001f\u007f"})
case("unicode-greek-math", "{{x}}", {"x": "∑ α² ≠ β ∞"})
case("unicode-segment-literal", "{{[émoji 🎉]}}", {"émoji 🎉": "ok"})

# --------------------------------------------------------------------------------------------
# 14. Deep nesting
# --------------------------------------------------------------------------------------------
for depth in (10, 30, 60):
    case(f"deep-if-{depth}", "{{#if v}}" * depth + "core" + "{{/if}}" * depth, {"v": True})
    nested: dict[str, Any] = {"leaf": "L"}
    for _ in range(depth):
        nested = {"n": nested}
    case(f"deep-path-{depth}", "{{" + "n." * depth + "leaf}}", nested)
    case(f"deep-with-{depth}", "{{#with n}}" * depth + "{{leaf}}" + "{{/with}}" * depth, nested)
case("deep-with-parents", "{{#with n}}{{#with n}}{{#with n}}{{../../../top}}{{../../x}}{{/with}}{{/with}}{{/with}}",
     {"top": "T", "n": {"x": "X1", "n": {"x": "X2", "n": {"leaf": 1}}}})
case("deep-each-5", "{{#each a}}{{#each b}}{{#each c}}{{#each d}}{{#each e}}{{this}}{{/each}}{{/each}}{{/each}}{{/each}}{{/each}}",
     {"a": [{"b": [{"c": [{"d": [{"e": [1, 2]}, {"e": [3]}]}]}]}, {"b": [{"c": [{"d": [{"e": [4]}]}]}]}]})
case("deep-each-index-chain", "{{#each a}}{{#each b}}{{#each c}}{{@../../index}}.{{@../index}}.{{@index}} {{/each}}{{/each}}{{/each}}",
     {"a": [{"b": [{"c": [0, 0]}]}, {"b": [{"c": [0]}, {"c": [0]}]}]})
case("deep-else-if-20", "".join(f"{{{{{'#if' if i == 0 else 'else if'} v{i}}}}}{i}" for i in range(20))
     + "{{else}}none{{/if}}", {f"v{i}": i == 17 for i in range(20)})
case("deep-partials-chain", "".join(f"{{{{#*inline \"p{i}\"}}}}<{{{{> p{i + 1}}}}}>{{{{/inline}}}}" for i in range(15))
     + "{{#*inline \"p15\"}}end{{/inline}}{{> p0}}")
case("deep-subexpr", "{{lookup (lookup (lookup (lookup this \"a\") \"b\") \"c\") \"d\"}}",
     {"a": {"b": {"c": {"d": "D"}}}})
case("deep-parent-in-each-tree", "{{#each a}}{{#each b}}{{#each c}}{{../../name}}{{../name}}{{name}} {{/each}}{{/each}}{{/each}}",
     {"a": [{"name": "A", "b": [{"name": "B", "c": [{"name": "C"}]}]}]})

# --------------------------------------------------------------------------------------------
# 15. Big loops
# --------------------------------------------------------------------------------------------
case("big-each-1000", "{{#each items}}{{@index}}:{{name}}{{#unless @last}},{{/unless}}{{/each}}",
     {"items": [{"name": f"item{i}"} for i in range(1000)]})
case("big-each-1000-numbers", "{{#each items}}[{{this}}]{{/each}}", {"items": [i * 1.5 for i in range(1000)]})
case("big-each-object-1000", "{{#each o}}{{@key}}={{this}};{{/each}}", {"o": {f"k{i}": i for i in range(1000)}})
case("big-each-nested-30x30", "{{#each rows}}{{#each this}}{{this}}{{/each}}\n{{/each}}",
     {"rows": [[(r * c) % 10 for c in range(30)] for r in range(30)]})
case("big-each-1000-standalone", "<ul>\n{{#each items}}\n  <li>{{this}}</li>\n{{/each}}\n</ul>\n",
     {"items": [f"x{i}" for i in range(1000)]})
case("big-each-1000-else-if", "{{#each items}}{{#if big}}B{{else if mid}}M{{else}}s{{/if}}{{/each}}",
     {"items": [{"big": i % 3 == 0, "mid": i % 3 == 1} for i in range(1000)]})
case("big-each-missing-at-end", "{{#each items}}{{name}}{{/each}}",
     {"items": [{"name": "a"}] * 999 + [{}]}, note="the 1000th item misses `name`")
case("big-template-10k-vars", "".join(f"{{{{v{i % 50}}}}}," for i in range(2000)), {f"v{i}": str(i) for i in range(50)})
case("big-value-100k", "[{{s}}]", {"s": "é" * 100_000})

# --------------------------------------------------------------------------------------------
# 16. Printing numbers, booleans, arrays, objects
# --------------------------------------------------------------------------------------------
NUMBERS: list[tuple[str, Any]] = [
    ("int", 42), ("neg-int", -7), ("zero", 0), ("float-2.0", 2.0), ("float-0.1", 0.1),
    ("float-sum", 0.1 + 0.2), ("float-1.5", 1.5), ("float-neg", -2.5), ("neg-zero", -0.0),
    ("1e21", 1e21), ("1e20", 1e20), ("1e-7", 1e-7), ("1e-6", 1e-6), ("big-float", 1.7976931348623157e308),
    ("small-float", 5e-324), ("int-2^53", 9007199254740992), ("int-2^53+1", 9007199254740993),
    ("big-int", 123456789012345678901234567890), ("100.0", 100.0), ("pi", 3.141592653589793),
    ("1e16", 1e16), ("123e-20", 1.23e-18), ("0.000001", 0.000001), ("1.0e5", 1.0e5), ("2.50", 2.50),
]
for name, value in NUMBERS:
    case(f"number-{name}", "n={{n}}", {"n": value})
case("number-in-each", "{{#each ns}}<{{this}}>{{/each}}", {"ns": [2.0, 1e21, -0.0, 0.1, 1e-7]})
case("number-array-print", "a={{ns}}", {"ns": [1.0, 2.5, 1e21]})
case("number-index-string-key", "{{#each o}}{{@key}}{{/each}}", {"o": {"1.0": "a", "2": "b"}})
case("bool-true", "b={{b}}", {"b": True})
case("bool-false", "b={{b}}", {"b": False})
case("bool-in-each", "{{#each bs}}[{{this}}]{{/each}}", {"bs": [True, False]})
case("array-print", "a={{arr}}", {"arr": [1, 2, 3]})
case("array-strings-print", "a={{arr}}", {"arr": ["x", "y z", ""]})
case("array-empty-print", "a=[{{arr}}]", {"arr": []})
case("array-nested-print", "a={{arr}}", {"arr": [1, [2, [3, 4]], []]})
case("array-with-null-print", "a={{arr}}", {"arr": [1, None, 3]})
case("array-with-bools-print", "a={{arr}}", {"arr": [True, False]})
case("array-with-object-print", "a={{arr}}", {"arr": [{"k": 1}, 2]})
case("array-single-print", "a={{arr}}", {"arr": ["solo"]})
case("object-print", "o={{obj}}", {"obj": {"a": 1}})
case("object-empty-print", "o={{obj}}", {"obj": {}})
case("object-nested-print", "o={{obj.inner}}", {"obj": {"inner": {"x": []}}})
case("string-number-like", "s={{s}}", {"s": "2.0"})
case("value-first-in-program-number", "{{n}} items", {"n": 3}, note="a single value leading the program")
case("value-first-in-program-bool", "{{b}} flag", {"b": True})
case("value-number-then-string", "{{n}}{{s}}", {"n": 1, "s": "x"})
case("value-string-then-number", "{{s}}{{n}}{{m}}", {"s": "x", "n": 1, "m": 2})
case("value-array-then-number", "{{a}}{{n}}", {"a": [1], "n": 2})
case("value-text-between-numbers", "{{a}} {{b}}", {"a": 1, "b": 2})

# --------------------------------------------------------------------------------------------
# 17. Missing data: errors on both sides
# --------------------------------------------------------------------------------------------
case("missing-simple", "Hi {{name}}", {})
case("missing-wrong-case", "Hi {{Name}}", {"name": "Ada"})
case("missing-nested-leaf", "{{a.b}}", {"a": {}})
case("missing-nested-parent", "{{a.b}}", {})
case("missing-deep", "{{a.b.c.d}}", {"a": {"b": {}}})
case("missing-through-string", "{{a.b}}", {"a": "str"})
case("missing-through-number", "{{a.b}}", {"a": 5})
case("missing-through-null", "{{a.b}}", {"a": None})
case("missing-through-array", "{{a.b}}", {"a": [1, 2]})
case("missing-array-index", "{{items.[5]}}", {"items": [1]})
case("missing-triple", "{{{x}}}", {})
case("missing-in-each", "{{#each items}}{{nope}}{{/each}}", {"items": [{"a": 1}]})
case("missing-in-each-second-item", "{{#each items}}{{a}}{{/each}}", {"items": [{"a": 1}, {"b": 2}]})
case("missing-in-with", "{{#with a}}{{nope}}{{/with}}", {"a": {"x": 1}})
case("missing-parent", "{{#each items}}{{../nope}}{{/each}}", {"items": [1]})
case("missing-parent-too-far", "{{#with a}}{{../../x}}{{/with}}", {"a": {"x": 1}, "x": 2})
case("missing-root", "{{@root.nope}}", {})
case("missing-root-nested", "{{@root.a.nope}}", {"a": {}})
case("missing-block-param-field", "{{#each items as |it|}}{{it.nope}}{{/each}}", {"items": [{"a": 1}]})
case("missing-in-partial", "{{#*inline \"p\"}}{{nope}}{{/inline}}{{#if v}}{{> p}}{{/if}}", {"v": True})
case("missing-in-else", "{{#if v}}a{{else}}{{nope}}{{/if}}", {"v": False})
case("missing-in-else-if-body", "{{#if a}}a{{else if b}}{{nope}}{{/if}}", {"a": False, "b": True})
case("missing-in-unless", "{{#unless v}}{{nope}}{{/unless}}", {})
case("missing-segment-literal", "{{[first name]}}", {"first_name": "x"})
case("missing-after-text", "lots of text before\n\n{{x}}", {})
case("missing-with-block-param", "{{#with a as |b|}}{{b.c}}{{/with}}", {"a": {}})
case("missing-each-object-value-field", "{{#each o}}{{v}}{{/each}}", {"o": {"k": {"w": 1}}})
case("missing-each-arg-nested", "{{#each a.b}}x{{/each}}", {"a": {}},
     note="the last segment of a block argument may be missing")
case("missing-with-arg-nested", "[{{#with a.b}}x{{else}}none{{/with}}]", {"a": {}})
case("missing-data-var", "{{@nope}}", {}, note="an unknown @data variable")
case("missing-key-outside-each", "[{{@key}}]", {})
case("missing-partial-hash-var", "{{#*inline \"p\"}}{{v}}{{/inline}}{{> p v=nope}}", {})
case("missing-lookup-arg", "[{{lookup map nope}}]", {"map": {"a": 1}})
case("missing-this-field-primitive", "{{#each items}}{{this.x}}{{/each}}", {"items": ["s"]})
case("missing-length-of-object", "{{o.length}}", {"o": {"a": 1}})

# --------------------------------------------------------------------------------------------
# 18. Malformed templates: errors on both sides
# --------------------------------------------------------------------------------------------
MALFORMED = {
    "unclosed-if": "{{#if v}}x",
    "unclosed-each": "{{#each items}}{{this}}",
    "mismatched-close": "{{#if v}}x{{/unless}}",
    "mismatched-nested": "{{#if a}}{{#each b}}x{{/if}}{{/each}}",
    "close-without-open": "x{{/if}}",
    "else-top-level": "a{{else}}b",
    "caret-top-level": "a{{^}}b",
    "unclosed-mustache": "Hi {{name",
    "unclosed-mustache-eof": "Hi {{",
    "empty-mustache": "a{{}}b",
    "space-mustache": "a{{ }}b",
    "extra-brace": "{{{x}}",
    "triple-mismatch": "{{x}}}",
    "bad-path-dots": "{{a..b}}",
    "bad-path-trailing-dot": "{{a.}}",
    "bad-path-leading-dot": "{{.a}}",
    "parent-after-segment": "{{a/../b}}",
    "this-in-middle": "{{a.this.b}}",
    "unclosed-segment": "{{[a}}",
    "unclosed-string": "{{#if \"abc}}x{{/if}}",
    "unclosed-subexpr": "{{#if (lookup a \"b\"}}x{{/if}}",
    "unbalanced-subexpr": "{{lookup a b)}}",
    "empty-subexpr": "{{#if ()}}x{{/if}}",
    "block-params-unclosed": "{{#each items as |i}}x{{/each}}",
    "block-params-empty": "{{#each items as ||}}x{{/each}}",
    "block-params-no-pipes": "{{#each items as i}}x{{/each}}",
    "inline-unclosed": "{{#*inline \"p\"}}x",
    "decorator-unknown": "{{#*decorate \"p\"}}x{{/decorate}}",
    "partial-no-name": "{{> }}",
    "partial-too-many-args": "{{#*inline \"p\"}}x{{/inline}}{{> p a b}}",
    "hash-before-param": "{{#if a=1 b}}x{{/if}}",
    "hash-no-value": "{{#if v a=}}x{{/if}}",
    "unclosed-comment-mustache": "a{{! never closed",
    "lone-close-braces-in-tag": "{{#if v}}}x{{/if}}",
    "nested-mustache": "{{ {{x}} }}",
    "number-path-segment-bad": "{{1.2.3}}",
    "at-in-middle": "{{a.@index}}",
    "close-with-params": "{{#if v}}x{{/if v}}",
    "double-else": "{{#if v}}a{{else}}b{{else}}c{{/if}}",
    "if-no-args": "{{#if}}x{{/if}}",
    "if-two-args": "{{#if a b}}x{{/if}}",
    "unless-no-args": "{{#unless}}x{{/unless}}",
    "with-no-args": "{{#with}}x{{/with}}",
    "with-two-args": "{{#with a b}}x{{/with}}",
    "each-no-args": "{{#each}}x{{/each}}",
    "inverse-close-mismatch": "{{^v}}x{{/w}}",
    "raw-block-unclosed": "{{{{raw}}}} x",
    "triple-block": "{{{#if v}}}x{{/if}}",
    "tilde-alone": "{{~}}",
    "invalid-char-in-id": "{{a!b}}",
    "equals-in-path": "{{a=b}}",
    "if-inline-mustache": "{{if v}}",
}
MALFORMED_DATA: dict[str, Any] = {"v": True, "a": {"b": 1}, "b": 2, "items": [1], "x": "X", "w": 1}
for name, tpl in MALFORMED.items():
    case(f"malformed-{name}", tpl, MALFORMED_DATA)

# --------------------------------------------------------------------------------------------
# 19. Realistic emails (mixtures of everything)
# --------------------------------------------------------------------------------------------
RECEIPT = """{{#*inline "money"}}{{currency}}{{amount}}{{/inline}}
<!doctype html>
<html>
<body style="margin:0">
  <span class="preheader">Your receipt for order {{order.id}}</span>
  <h1>Thanks, {{customer.firstName}}!</h1>
  <table role="presentation">
    {{#each order.lines as |line i|}}
    <tr class="{{#if @first}}first{{/if}}{{#if @last}} last{{/if}}">
      <td>{{i}}</td>
      <td>{{line.name}}{{#if line.variant}} ({{line.variant}}){{/if}}</td>
      <td>{{line.qty}} &times; {{> money currency=@root.order.currency amount=line.unit}}</td>
    </tr>
    {{else}}
    <tr><td>No items</td></tr>
    {{/each}}
  </table>
  {{#if order.discount}}
  <p>Discount: -{{> money currency=order.currency amount=order.discount}}</p>
  {{/if}}
  <p>Total: {{> money currency=order.currency amount=order.total}}</p>
  {{#with customer.address}}
  <address>{{street}}<br>{{zip}} {{city}}</address>
  {{/with}}
</body>
</html>
"""
RECEIPT_DATA = {
    "customer": {"firstName": "Zoë", "address": {"street": "1 Rue de l'Église", "zip": "75001", "city": "Paris"}},
    "order": {"id": "A-1001", "currency": "€", "total": "42.50", "discount": "5.00",
              "lines": [{"name": "Tea", "qty": 2, "unit": "3.00", "variant": "green"},
                        {"name": "Mug", "qty": 1, "unit": "12.00", "variant": ""},
                        {"name": "Cake 🍰", "qty": 3, "unit": "8.50"}]},
}
case("email-receipt", RECEIPT, RECEIPT_DATA)
case("email-receipt-no-lines", RECEIPT, {**RECEIPT_DATA, "order": {**RECEIPT_DATA["order"], "lines": [],
                                                                   "discount": None}})
case("email-receipt-missing-address-street", RECEIPT,
     {**RECEIPT_DATA, "customer": {"firstName": "A", "address": {"zip": "1", "city": "c"}}})
case("email-receipt-no-address", RECEIPT, {**RECEIPT_DATA, "customer": {"firstName": "A"}})
case("email-receipt-crlf", RECEIPT.replace("\n", "\r\n"), RECEIPT_DATA)
SHIPPING = ("Hi {{name}},\n\nYour parcel {{tracking.number}} is on its way.\n"
            "{{#if tracking.eta}}\nExpected: {{tracking.eta}}\n{{else}}\nWe'll email you the delivery date.\n{{/if}}\n"
            "{{#each tracking.events}}\n  * {{date}} — {{status}}{{#if location}} ({{location}}){{/if}}\n{{/each}}\n"
            "-- \n{{company}}\n")
case("email-shipping-eta", SHIPPING, {"name": "Ann", "company": "ACME", "tracking": {
    "number": "1Z999", "eta": "Tue", "events": [{"date": "Mon", "status": "Shipped", "location": "Berlin"},
                                                 {"date": "Tue", "status": "Out for delivery"}]}})
case("email-shipping-no-eta", SHIPPING, {"name": "Ann", "company": "ACME", "tracking": {
    "number": "1Z999", "events": []}})
DIGEST = """{{#each sections}}
## {{title}}
{{#each posts}}
{{@../index}}.{{@index}} {{title}} by {{author.name}}{{#if author.verified}} ✓{{/if}}
{{else}}
(nothing new in {{title}})
{{/each}}

{{/each}}
{{#unless sections}}No updates this week.{{/unless}}
"""
case("email-digest", DIGEST, {"sections": [
    {"title": "News", "posts": [{"title": "A", "author": {"name": "x", "verified": True}},
                                {"title": "B", "author": {"name": "y", "verified": False}}]},
    {"title": "Jobs", "posts": []}]})
case("email-digest-empty", DIGEST, {"sections": []})
INVITE = ("{{#*inline \"button\"}}<a href=\"{{url}}\" style=\"background:{{color}}\">{{label}}</a>{{/inline}}"
          "{{inviter.name}} invited you to {{team.name}}.\n{{> button url=inviteUrl label=\"Join\" color=\"#06c\"}}\n"
          "{{#if team.members}}{{team.members.length}} members already joined.{{/if}}")
case("email-invite", INVITE, {"inviter": {"name": "Bo"}, "team": {"name": "T", "members": ["a", "b"]},
                              "inviteUrl": "https://x/i?t=1&u=2"})
case("email-invite-missing-url", INVITE, {"inviter": {"name": "Bo"}, "team": {"name": "T", "members": []}})
case("email-subject-line", "{{#if count}}{{count}} new messages{{else}}No new messages{{/if}} for {{user}}",
     {"count": 0, "user": "u"})
case("email-password-reset", "Reset link (valid {{hours}}h): {{url}}\n{{#if ip}}Requested from {{ip}}{{/if}}",
     {"hours": 24, "url": "https://x/r/abc", "ip": "10.0.0.1"})
case("email-verify-text", "{{! text part }}\nHi {{name}},\r\n\r\nCode: {{code}}\r\n", {"name": "A", "code": "123456"})

# --------------------------------------------------------------------------------------------
# 20. Deliberate differences (see DIFFERENCES in test_differential.py)
# --------------------------------------------------------------------------------------------
# SES: null counts as missing.
case("diff-null-simple", "{{x}}", {"x": None}, difference="null-is-missing", expect="x")
case("diff-null-nested", "{{a.b}}", {"a": {"b": None}}, difference="null-is-missing", expect="b")
case("diff-null-in-each", "{{#each items}}{{name}};{{/each}}", {"items": [{"name": "a"}, {"name": None}]},
     difference="null-is-missing", expect="name")
case("diff-null-triple", "{{{x}}}", {"x": None}, difference="null-is-missing", expect="x")
case("diff-null-in-with", "{{#with a}}{{b}}{{/with}}", {"a": {"b": None}}, difference="null-is-missing", expect="b")
case("diff-null-parent", "{{#each items}}{{../x}}{{/each}}", {"items": [1], "x": None},
     difference="null-is-missing", expect="x")
case("diff-null-root", "{{@root.x}}", {"x": None}, difference="null-is-missing", expect="x")
case("diff-null-block-param", "{{#each items as |it|}}{{it.v}}{{/each}}", {"items": [{"v": None}]},
     difference="null-is-missing", expect="v")
# SES: an unknown helper, including a wrong-case built-in, fails with the attribute message.
case("diff-helper-wrong-case-if", "{{#IF x}}y{{/IF}}", {"x": True}, difference="unknown-helper", expect="IF")
case("diff-helper-wrong-case-each", "{{#Each items}}y{{/Each}}", {"items": [1]}, difference="unknown-helper",
     expect="Each")
case("diff-helper-wrong-case-unless", "{{#Unless x}}y{{/Unless}}", {"x": False}, difference="unknown-helper",
     expect="Unless")
case("diff-helper-custom-eq", "{{eq a b}}", {"a": 1, "b": 1}, difference="unknown-helper", expect="eq")
case("diff-helper-custom-format", "{{formatDate d \"YYYY\"}}", {"d": "2024-01-01"}, difference="unknown-helper",
     expect="formatDate")
case("diff-helper-custom-block", "{{#ifEquals a b}}y{{/ifEquals}}", {"a": 1, "b": 1}, difference="unknown-helper",
     expect="ifEquals")
case("diff-helper-custom-hash", "{{t key=\"x\"}}", {}, difference="unknown-helper", expect="t")
case("diff-helper-wrong-case-with", "{{#WITH a}}{{b}}{{/WITH}}", {"a": {"b": 1}}, difference="unknown-helper",
     expect="WITH")
case("diff-helper-wrong-case-lookup", "{{Lookup a \"b\"}}", {"a": {"b": 1}}, difference="unknown-helper",
     expect="Lookup")
# SES: amazonSESUnsubscribeUrl is filled in by SES, never missing.
case("diff-unsubscribe-url", "<a href=\"{{amazonSESUnsubscribeUrl}}\">Unsubscribe</a>", {},
     difference="unsubscribe-reserved")
case("diff-unsubscribe-url-triple", "{{{amazonSESUnsubscribeUrl}}}", {}, difference="unsubscribe-reserved")
case("diff-unsubscribe-url-in-each", "{{#each items}}{{this}}{{/each}} {{amazonSESUnsubscribeUrl}}",
     {"items": [1]}, difference="unsubscribe-reserved")
# Unverified point, safe side: {{#if a.b}} with a missing is false (handlebars.js throws a TypeError).
case("diff-if-missing-parent", "{{#if a.b}}yes{{else}}no{{/if}}", {}, difference="if-missing-parent",
     expect="no")
case("diff-if-missing-parent-deep", "[{{#if a.b.c}}yes{{/if}}]", {"a": {}}, difference="if-missing-parent",
     expect="[]")
case("diff-if-missing-parent-else-if", "{{#if x}}x{{else if a.b}}ab{{else}}none{{/if}}", {"x": False},
     difference="if-missing-parent", expect="none")
case("diff-unless-missing-parent", "{{#unless a.b}}none{{/unless}}", {}, difference="if-missing-parent",
     expect="none")
# handlebars.js 4.7 noEscape defect: a program starting with adjacent non-string values adds them; a
# program made of one non-string value returns it unconverted (an indented standalone partial then
# crashes in handlebars.js on `result.split`).
case("diff-noescape-sum-numbers", "{{a}}{{b}}", {"a": 1, "b": 2}, difference="noescape-defect", expect="12")
case("diff-noescape-sum-then-text", "{{a}}{{b}} items", {"a": 1, "b": 2}, difference="noescape-defect",
     expect="12 items")
case("diff-noescape-sum-three", "{{a}}{{b}}{{c}}", {"a": 1, "b": 2, "c": "x"}, difference="noescape-defect",
     expect="12x")
case("diff-noescape-sum-bools", "{{a}}{{b}}", {"a": True, "b": True}, difference="noescape-defect",
     expect="truetrue")
case("diff-noescape-sum-in-each", "{{#each items}}{{x}}{{y}};{{/each}}",
     {"items": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]}, difference="noescape-defect", expect="12;34;")
case("diff-noescape-sum-index", "{{#each items}}{{@index}}{{this}} {{/each}}", {"items": [5, 6]},
     difference="noescape-defect", expect="05 16 ")

# --------------------------------------------------------------------------------------------
# 21. Adversarial: where a Python implementation is tempted to differ from JavaScript
# --------------------------------------------------------------------------------------------
# Python indexing / attribute semantics must not leak in.
case("py-negative-index", "{{items.[-1]}}", {"items": ["a", "b"]}, note="JS has no negative indexing")
case("py-leading-zero-index", "{{items.[01]}}", {"items": ["a", "b"]}, note='items["01"] is undefined in JS')
case("py-float-index", "{{items.[1.0]}}", {"items": ["a", "b"]})
case("py-lookup-negative", "[{{lookup items -1}}]", {"items": ["a", "b"]})
case("py-lookup-string-index", "{{lookup items \"1\"}}", {"items": ["a", "b"]})
case("py-string-index", "{{s.[0]}}", {"s": "abc"}, note="strict `in` on a string throws in JS")
case("py-dict-method-keys", "{{a.keys}}", {"a": {"x": 1}})
case("py-dict-method-items", "{{a.items}}", {"a": {"x": 1}})
case("py-dict-method-get", "{{a.get}}", {"a": {"x": 1}})
case("py-dunder-class", "{{a.__class__}}", {"a": {"x": 1}})
case("py-list-method-count", "{{arr.count}}", {"arr": [1]})
case("py-str-method-upper", "{{s.upper}}", {"s": "abc"})
case("py-key-named-items", "{{#each items}}{{items}}{{/each}}", {"items": [{"items": "inner"}]})
case("py-key-named-keys-each", "{{#each o}}{{@key}}{{/each}}", {"o": {"keys": 1, "values": 2, "items": 3}})
case("py-if-dict-method", "[{{#if a.keys}}y{{else}}n{{/if}}]", {"a": {"x": 1}})
case("py-bool-is-not-int", "{{#each items}}{{this}},{{/each}}", {"items": [True, 1, False, 0]})
case("py-bool-key-lookup", "[{{lookup arr true}}]", {"arr": ["a", "b"]}, note="arr[true] is undefined in JS")
case("py-bool-equals-one-if", "{{#if v}}T{{else}}F{{/if}}", {"v": 1.0})
case("js-root-this-print", "[{{this}}]", {"a": 1})
case("js-root-data-print", "[{{@root}}]", {"a": 1})
case("js-dot-root-print", "[{{.}}]", {"a": 1})
case("js-array-length-in-each", "{{#each items}}{{../items.length}}{{/each}}", {"items": [1, 2, 3]})
case("js-object-length-key", "{{o.length}}", {"o": {"length": 7}})
case("js-nested-empty-array-print", "[{{a}}]", {"a": [[], [[]]]})
case("js-array-of-empty-strings", "[{{a}}]", {"a": ["", ""]})
case("js-object-keys-order-tricky", "{{#each o}}{{@key}},{{/each}}",
     {"o": {"b": 1, "01": 2, "-1": 3, "4294967295": 4, "4294967294": 5, "10": 6, "1.5": 7, "2": 8, "0": 9}},
     note="only canonical array indices (< 2**32 - 1) come first, ascending")
case("js-object-keys-order-index", "{{#each o}}{{@index}}={{@key}} {{/each}}", {"o": {"z": 1, "3": 2, "1": 3}})
case("js-object-keys-first-last-order", "{{#each o}}{{#if @first}}F{{@key}}{{/if}}{{#if @last}}L{{@key}}{{/if}}{{/each}}",
     {"o": {"z": 1, "3": 2, "1": 3}})
case("js-string-literal-backslash-n", "{{#with \"a\\nb\"}}{{this}}{{/with}}", note="no escape processing in literals")
case("js-string-literal-backslash", "{{#with \"a\\\\b\"}}{{this}}{{/with}}")
case("js-number-literal-trailing-zero", "{{#with 1.50}}{{this}}{{/with}}")
case("js-number-literal-neg-zero", "{{#with -0}}[{{this}}]{{else}}falsy{{/with}}")
case("js-number-literal-exponent", "{{#with 1e3}}{{this}}{{/with}}", {"1e3": "key"})
case("js-number-literal-leading-zero", "{{#with 007}}{{this}}{{/with}}")
case("js-number-literal-as-hash", "{{#*inline \"p\"}}{{n}}|{{m}}{{/inline}}{{> p n=1.50 m=-2}}")
NUMBERS_MORE: list[tuple[str, Any]] = [
    ("9.999999999999999e20", 9.999999999999999e20), ("1.23e20", 1.23e20), ("5e-7", 5e-7), ("1.5e-7", 1.5e-7),
    ("0.0000015", 0.0000015), ("neg-1e21", -1e21), ("2^63", 2**63), ("1e15+0.3", 1e15 + 0.3), ("4.35", 4.35),
    ("0.000001234", 0.000001234), ("min-normal", 2.2250738585072014e-308), ("neg-1e-7", -1e-7),
    ("123456789.123456789", 123456789.123456789), ("1e300", 1e300), ("0.1x3", 0.1 * 3), ("2^53-1", 2**53 - 1),
    ("neg-big-int", -123456789012345678901), ("1e21-int", 10**21), ("1e20-int", 10**20), ("float-1e22", 1e22),
]
for name, value in NUMBERS_MORE:
    case(f"number-{name}", "n={{n}}", {"n": value})
case("number-float-array-print", "a={{a}}", {"a": [1.5, 2e21, -0.0, 5e-7, 10**21]})
case("number-key-index-in-each", "{{#each o}}{{@key}}:{{this}} {{/each}}", {"o": {"1": 1.0, "x": 2.50}})
case("number-lookup-float", "{{lookup this \"n\"}}", {"n": 1e21})

# Mustache-style sections (block helper missing): {{#name}} iterates, pushes a context or tests.
case("section-array", "{{#items}}[{{this}}]{{/items}}", {"items": [1, 2]})
case("section-array-index", "{{#items}}{{@index}}{{/items}}", {"items": ["a", "b"]})
case("section-object", "{{#user}}{{name}}{{/user}}", {"user": {"name": "U"}})
case("section-true", "{{#flag}}yes {{name}}{{/flag}}", {"flag": True, "name": "N"})
case("section-false", "[{{#flag}}yes{{/flag}}]", {"flag": False})
case("section-string", "{{#s}}<{{this}}>{{/s}}", {"s": "abc"})
case("section-empty-array-else", "{{#items}}x{{else}}empty{{/items}}", {"items": []})
case("section-missing", "[{{#nope}}x{{/nope}}]", {})
case("section-nested-path", "{{#a.b}}{{c}}{{/a.b}}", {"a": {"b": {"c": "C"}}})
case("section-parent", "{{#user}}{{../site}}{{/user}}", {"user": {"n": 1}, "site": "S"})
case("inverse-block-if", "{{^if v}}not v{{else}}v{{/if}}", {"v": False})
case("inverse-block-if-true", "{{^if v}}not v{{else}}v{{/if}}", {"v": True})
case("inverse-block-each", "{{^each items}}empty{{/each}}", {"items": []})
case("inverse-block-with", "{{^with a}}none{{/with}}", {"a": None})

# Block params: lexical scope, shadowing, with partials.
case("bp-visible-in-nested-block", "{{#each a as |x|}}{{#each ../b}}{{x}}-{{this}} {{/each}}{{/each}}",
     {"a": ["p", "q"], "b": [1, 2]})
case("bp-visible-in-nested-with", "{{#each a as |x|}}{{#with w}}{{x.n}}{{v}}{{/with}}{{/each}}",
     {"a": [{"n": 1, "w": {"v": "a"}}, {"n": 2, "w": {"v": "b"}}]})
case("bp-inner-shadows-outer", "{{#each a as |x|}}{{#each x.b as |x|}}{{x}}{{/each}};{{/each}}",
     {"a": [{"b": [1, 2]}, {"b": [3]}]})
case("bp-index-in-nested", "{{#each a as |x i|}}{{#each x as |y j|}}{{i}}.{{j}}={{y}} {{/each}}{{/each}}",
     {"a": [["a", "b"], ["c"]]})
case("bp-to-partial-context", "{{#*inline \"p\"}}<{{name}}>{{/inline}}{{#each items as |it|}}{{> p it}}{{/each}}",
     {"items": [{"name": "a"}, {"name": "b"}]})
case("bp-to-partial-hash", "{{#*inline \"p\"}}<{{n}}>{{/inline}}{{#each items as |it i|}}{{> p n=it.name}}{{/each}}",
     {"items": [{"name": "a"}, {"name": "b"}]})
case("bp-index-to-partial-hash", "{{#*inline \"p\"}}{{i}},{{/inline}}{{#each items as |it i|}}{{> p i=i}}{{/each}}",
     {"items": ["a", "b"]})
case("bp-data-index-to-hash", "{{#*inline \"p\"}}{{i}}/{{@index}},{{/inline}}{{#each items}}{{> p i=@index}}{{/each}}",
     {"items": ["a", "b"]})
case("bp-in-subexpr", "{{#each keys as |k|}}{{lookup @root.map k}} {{/each}}", {"keys": ["a", "b"], "map": {"a": 1, "b": 2}})
case("bp-with-this-path", "{{#with user as |u|}}{{u.name}}/{{this.name}}/{{../x}}{{/with}}", {"user": {"name": "N"}, "x": "X"})
case("bp-each-object-value-key-nested", "{{#each o as |v k|}}{{#each v as |w|}}{{k}}:{{w}} {{/each}}{{/each}}",
     {"o": {"a": [1, 2], "b": [3]}})
case("bp-each-else", "{{#each items as |it|}}{{it}}{{else}}none{{/each}}", {"items": []})

# Partials: more shapes.
case("partial-name-with-slash", "{{#*inline \"a/b\"}}AB{{/inline}}{{> a/b}}")
case("partial-name-with-dot", "{{#*inline \"a.b\"}}AB{{/inline}}{{> \"a.b\"}}")
case("partial-in-partial-defined-inside", "{{#*inline \"outer\"}}{{#*inline \"inner\"}}I{{/inline}}[{{> inner}}]{{/inline}}{{> outer}}")
case("partial-context-this", "{{#*inline \"p\"}}{{a}}{{/inline}}{{#with o}}{{> p this}}{{/with}}", {"o": {"a": "A"}})
case("partial-context-dot", "{{#*inline \"p\"}}{{a}}{{/inline}}{{> p .}}", {"a": "A"})
case("partial-context-parent", "{{#*inline \"p\"}}{{a}}{{/inline}}{{#with o}}{{> p ..}}{{/with}}", {"o": {"b": 1}, "a": "A"})
case("partial-context-root", "{{#*inline \"p\"}}{{a}}{{/inline}}{{#each items}}{{> p @root}}{{/each}}",
     {"items": [1, 2], "a": "A"})
case("partial-context-string-then-hash", "{{#*inline \"p\"}}{{this}}{{/inline}}{{> p \"s\" x=1}}")
case("partial-hash-shadows-only-in-partial", "{{#*inline \"p\"}}{{a}}{{/inline}}{{> p a=\"h\"}}{{a}}", {"a": "ctx"})
case("partial-hash-on-primitive-context", "{{#*inline \"p\"}}{{this}}|{{n}}{{/inline}}{{#each items}}{{> p n=1}};{{/each}}",
     {"items": ["a", "b"]}, note="a hash on a primitive context: handlebars.js extends a copy of the context")
case("partial-first-line-newline", "{{#*inline \"p\"}}\nline\n{{/inline}}<{{> p}}>")
case("partial-standalone-at-eof", "{{#*inline \"p\"}}a\nb\n{{/inline}}x\n  {{> p}}")
case("partial-standalone-crlf-body-each", "{{#*inline \"p\"}}<li>{{this}}</li>\r\n{{/inline}}<ul>\r\n{{#each items}}\r\n  {{> p}}\r\n{{/each}}\r\n</ul>",
     {"items": [1, 2]})
case("partial-standalone-with-blocks-inside", "{{#*inline \"p\"}}{{#if v}}\nyes\n{{else}}\nno\n{{/if}}\n{{/inline}}<div>\n    {{> p}}\n</div>",
     {"v": False})
case("partial-tilde-standalone", "{{#*inline \"p\"}}P\n{{/inline}}a\n  {{~> p}}\nb")
case("partial-inline-def-indented-standalone", "  {{#*inline \"p\"}}\n  x\n  {{/inline}}\n[{{> p}}]")
case("partial-recursive-depth", "{{#*inline \"n\"}}{{v}}{{#if next}}>{{> n next}}{{/if}}{{/inline}}{{> n}}",
     {"v": 0, "next": {"v": 1, "next": {"v": 2, "next": {"v": 3, "next": None}}}})
case("partial-each-index-and-parent", "{{#*inline \"p\"}}{{@index}}:{{../title}}{{/inline}}{{#each items}}{{> p}} {{/each}}",
     {"items": [1, 2], "title": "T"})

# Whitespace odds and ends.
case("ws-vertical-tab-formfeed-standalone", "a\n\u000b\u000c{{#if v}}\nb\n{{/if}}\n", {"v": True},
     note="JS \\s matches \\v and \\f: standalone, but only [ \\t] is removed")
case("ws-em-space-standalone", "a\n\u2003{{#if v}}\nb\n{{/if}}\n", {"v": True})
case("ws-nbsp-after-tag", "a\n{{#if v}}\u00a0\nb\n{{/if}}\n", {"v": True})
case("ws-tabs-around-standalone", "\t{{#if v}}\t\nX\n\t{{/if}}\t", {"v": True})
case("ws-standalone-start-and-end-no-newline", "  {{#if v}}  \nX{{/if}}", {"v": True})
case("ws-standalone-else-tilde", "{{#if v}}\n  a\n  {{~else~}}\n  b\n{{/if}}\n", {"v": False})
case("ws-standalone-else-tilde-true", "{{#if v}}\n  a\n  {{~else~}}\n  b\n{{/if}}\n", {"v": True})
case("ws-standalone-each-object", "<dl>\n  {{#each o}}\n  <dt>{{@key}}</dt>\n  {{/each}}\n</dl>", {"o": {"a": 1, "b": 2}})
case("ws-two-standalone-lines-adjacent", "{{#each a}}\n{{#each this}}\n{{this}}\n{{/each}}\n{{/each}}\n", {"a": [[1, 2], [3]]})
case("ws-standalone-comment-between-blocks", "{{#if v}}\n{{! why }}\nx\n{{/if}}\n", {"v": True})
case("ws-standalone-tag-with-newline-inside", "a\n{{#if\nv}}\nb\n{{/if}}\n", {"v": True})
case("ws-tilde-before-text-newlines-only", "x{{~#if v~}}\n\n\ny\n\n{{~/if~}}z", {"v": True})
case("ws-tilde-close-else-chain", "{{#if a~}} A {{~else if b~}} B {{~^~}} C {{~/if}}", {"a": False, "b": False})
case("ws-crlf-inside-values-kept", "{{#each items}}\r\n{{this}}\r\n{{/each}}\r\n", {"items": ["a\r\nb", "c"]})
case("ws-only-newlines-template", "\n\n\r\n\n")
case("ws-tabs-between-tags", "{{#if v}}\t{{x}}\t{{/if}}", {"v": True, "x": "X"})

# Comments: more shapes.
case("comment-short-with-close-inside", "a{{! x }} b }}c")
case("comment-long-with-dashes-inside", "a{{!-- x -- y --}}b")
case("comment-long-ends-early", "a{{!-- x --}} y --}}b")
case("comment-with-mustaches-short", "a{{! {{x}} }}b", note="a short comment ends at the first }}")
case("comment-tilde-standalone", "a\n  {{~! x ~}}  \nb")
case("comment-crlf-long-standalone", "a\r\n  {{!--\r\n x\r\n--}}\r\nb")

# Missing data: more positions.
case("missing-root-in-each", "{{#each items}}{{@root.nope}}{{/each}}", {"items": [1]})
case("missing-in-partial-in-each", "{{#*inline \"p\"}}{{nope}}{{/inline}}{{#each items}}{{> p}}{{/each}}", {"items": [{"a": 1}]})
case("missing-in-section", "{{#user}}{{nope}}{{/user}}", {"user": {"a": 1}})
case("missing-second-segment-of-root", "{{@root.a.b.c}}", {"a": {"b": {}}})
case("missing-deep-parent", "{{#each a}}{{#each b}}{{../../nope}}{{/each}}{{/each}}", {"a": [{"b": [1]}]})
case("missing-after-1000-ok", "{{#each items}}{{v}}{{/each}}{{tail}}", {"items": [{"v": i} for i in range(1000)]})
case("missing-in-else-chain-with", "{{#if a}}A{{else with b}}{{nope}}{{/if}}", {"a": False, "b": {"c": 1}})
case("missing-empty-key", "{{[]}}", {}, note="empty segment literal")
case("present-empty-key", "{{[]}}", {"": "empty key"})
case("diff-noescape-partial-value-indented", "{{#*inline \"p\"}}{{items}}{{/inline}}<div>\n  {{> p}}\n</div>",
     {"items": [1, 2]}, difference="noescape-defect", expect="<div>\n  1,2</div>",
     note="the partial returns the array itself; handlebars.js's indentation code calls .split on it")
case("diff-noescape-falsy-sum", "{{f}}{{n}}x", {"f": False, "n": 0}, difference="noescape-defect", expect="false0x")

# Literal arguments to block helpers (each over a literal is not iterable).
case("lit-each-zero", "[{{#each 0}}x{{else}}e{{/each}}]")
case("lit-each-one", "[{{#each 1}}x{{else}}e{{/each}}]")
case("lit-each-float", "[{{#each 1.5}}x{{else}}e{{/each}}]")
case("lit-each-true", "[{{#each true}}x{{else}}e{{/each}}]")
case("lit-each-false", "[{{#each false}}x{{else}}e{{/each}}]")
case("lit-each-null", "[{{#each null}}x{{else}}e{{/each}}]")
case("lit-each-undefined", "[{{#each undefined}}x{{else}}e{{/each}}]")
case("lit-each-zero-block-params", "[{{#each 0 as |p q|}}{{p}}{{/each}}]")
case("lit-each-nested-in-if", "{{#if v}}{{#each 0}}x{{/each}}ok{{/if}}", {"v": True})
case("lit-with-zero", "[{{#with 0}}{{this}}{{else}}e{{/with}}]")
case("lit-unless-zero", "[{{#unless 0}}u{{/unless}}]")
case("lit-lookup-literal-object", "[{{lookup \"abc\" 1}}]")
case("lit-section-number", "[{{#5}}x{{/5}}]", {"5": [1, 2]})

# Sections on `true` or a string run the body on the same data frame: no new @index/@key/@first, and
# `true` does not push a context (so ../ does not move).  Found by fuzzing against handlebars.js.
case("section-true-index-at-root", "[{{#t}}{{@index}}{{/t}}]", {"t": True})
case("section-true-index-in-each", "[{{#each items}}{{#t}}{{@index}}{{/t}}{{/each}}]",
     {"items": [{"t": True}, {"t": True}]})
case("section-true-first-at-root", "[{{#t}}{{#if @first}}F{{/if}}{{/t}}]", {"t": True})
case("section-true-first-in-each", "[{{#each items}}{{#t}}{{#if @last}}L{{/if}}{{@key}}{{/t}}{{/each}}]",
     {"items": [{"t": True}, {"t": True}]})
case("section-true-parent", "[{{#t}}{{../a}}{{/t}}]", {"t": True, "a": "A"})
case("section-true-parent-in-with", "[{{#with o}}{{#t}}{{../a}}{{/t}}{{/with}}]", {"o": {"t": True}, "a": "A"})
case("section-string-key", "[{{#s}}{{@key}}{{/s}}]", {"s": "str"})
case("section-string-parent", "[{{#s}}{{../a}}|{{this}}{{/s}}]", {"s": "str", "a": "A"})
case("section-object-index-in-each", "[{{#each items}}{{#o}}{{@index}}{{k}}{{/o}}{{/each}}]",
     {"items": [{"o": {"k": "a"}}, {"o": {"k": "b"}}]})
case("section-with-this-parent", "[{{#with this}}{{../a}}{{/with}}]", {"a": "A"},
     note="a context identical to the current one is not a new level")
case("partial-context-missing-printed", "{{#*inline \"q\"}}<{{this}}>{{/inline}}{{> q b}}", {},
     note="a missing partial context, then printed: handlebars.js prints \"\"")
case("lookup-one-arg-missing-object", "[{{lookup nope}}]", {},
     note="handlebars.js's lookup returns a falsy object as is, before looking at the key")


# --------------------------------------------------------------------------------------------
# Deliberate difference "strict-everywhere" (docs/DIFFERENCES.md): handlebars.js's strict mode only
# checks plain name lookups, so block-param paths, `lookup` results and partial hash values/contexts
# that are missing print "".  SES requires every rendered value to be present; printing "" is the very
# silent failure this tool exists to catch, so ours raises.  Value: the attribute ours names, or the
# error class when the failure is not a missing attribute.
# --------------------------------------------------------------------------------------------
_STRICT_EVERYWHERE = {
    "each-block-param-missing-field": "it.x",
    "missing-block-param-field": "it.nope",
    "missing-with-block-param": "b.c",
    "lookup-missing-key": "nope",
    "lookup-missing-object": "nope",
    "missing-lookup-arg": "nope",
    "py-lookup-negative": "-1",
    "py-bool-key-lookup": "true",
    "lookup-one-arg-missing-object": "RenderError",
    "missing-partial-hash-var": "v",
    "partial-context-missing-printed": "this",
    "email-invite-missing-url": "url",
}
for _case in CASES:
    if _case["id"] in _STRICT_EVERYWHERE:
        _case["difference"] = "strict-everywhere"
        _case["expect"] = _STRICT_EVERYWHERE[_case["id"]]
