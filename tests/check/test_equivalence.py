"""The fast path gives exactly the verdict of a full render (differential, hypothesis).

The fast path reuses a verdict for rows with the same *signature* (their shape along the paths
the template references).  It is correct iff rows with equal signatures always render to the
same verdict.  These tests generate templates (if/unless/each/with/else, nested paths, ``../``,
``@root``, ``@index``, block params) and data shapes at random, and check that property against
the real renderer — plus the end-to-end equality of ``check_rows(fast=True)`` and ``fast=False``
on the sample templates with mutated fixtures.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ses_workbench.check import RowChecker, _build_projector, _Unsure, check_rows
from ses_workbench.errors import WorkbenchError
from ses_workbench.project import Project, TemplateContent
from ses_workbench.render import compile_content

SAMPLES = Path(__file__).resolve().parents[2] / "sample_templates"
KEYS = ("a", "b", "c")

# ------------------------------------------------------------------------------ random templates
# A small vocabulary so that templates and data meet often: keys a/b/c, paths up to three deep.
KEYS = ("a", "b", "c")
ROOT_PATHS = ["a", "b", "c", "a.b", "a.a", "b.a", "a.b.c", "@root.a", "@root.b.a"]
INNER_PATHS = ROOT_PATHS + ["this", "this.a", "../a", "../b.a", "@index", "@first", "@last", "@key", "."]


def _stmts(depth: int, inner: bool) -> st.SearchStrategy[str]:
    paths = st.sampled_from(INNER_PATHS if inner else ROOT_PATHS)
    block_paths = st.sampled_from(INNER_PATHS if inner else ROOT_PATHS[:7])
    output = st.one_of(paths.map(lambda p: "{{" + p + "}}"), paths.map(lambda p: "{{{" + p + "}}}"),
                       st.sampled_from(["x", " ", "\n"]))
    if depth >= 3:
        return st.lists(output, min_size=1, max_size=3).map("".join)
    body = st.deferred(lambda: _stmts(depth + 1, inner))
    body_in = st.deferred(lambda: _stmts(depth + 1, True))
    stmt = st.one_of(
        output,
        st.tuples(block_paths, body).map(lambda t: f"{{{{#if {t[0]}}}}}{t[1]}{{{{/if}}}}"),
        st.tuples(block_paths, body, body).map(
            lambda t: f"{{{{#if {t[0]}}}}}{t[1]}{{{{else}}}}{t[2]}{{{{/if}}}}"),
        st.tuples(block_paths, body).map(lambda t: f"{{{{#unless {t[0]}}}}}{t[1]}{{{{/unless}}}}"),
        st.tuples(block_paths, body_in).map(lambda t: f"{{{{#each {t[0]}}}}}{t[1]}{{{{/each}}}}"),
        st.tuples(block_paths, body_in, body).map(
            lambda t: f"{{{{#each {t[0]}}}}}{t[1]}{{{{else}}}}{t[2]}{{{{/each}}}}"),
        st.tuples(block_paths, body_in).map(lambda t: f"{{{{#with {t[0]}}}}}{t[1]}{{{{/with}}}}"),
        st.tuples(block_paths, st.sampled_from(["a", "b", "this"])).map(
            lambda t: f"{{{{#each {t[0]} as |it i|}}}}{{{{it.{t[1]}}}}}{{{{i}}}}{{{{/each}}}}"
            if t[1] != "this" else f"{{{{#each {t[0]} as |it|}}}}{{{{it}}}}{{{{/each}}}}"),
    )
    return st.lists(stmt, min_size=1, max_size=3).map("".join)


PARTIAL_CALLS = st.sampled_from(["{{> p}}", "{{> p a}}", "{{> p b.a}}", "{{> p v=a}}", "{{> p a v=b}}",
                                 "{{#each a}}{{> p}}{{/each}}", "{{#each b as |it|}}{{> p it}}{{/each}}"])
PARTIAL_BODIES = st.lists(st.sampled_from(["{{a}}", "{{b.a}}", "{{this}}", "{{v}}", "{{#if a}}{{c}}{{/if}}",
                                           "{{@root.c}}", "{{#each a}}{{b}}{{/each}}", "x"]),
                          min_size=1, max_size=3).map("".join)


def _template() -> st.SearchStrategy[str]:
    plain = _stmts(0, False)
    calls = st.lists(st.one_of(plain, PARTIAL_CALLS), min_size=1, max_size=3)
    with_partial = st.tuples(PARTIAL_BODIES, calls).map(
        lambda t: '{{#*inline "p"}}' + t[0] + "{{/inline}}" + "".join(t[1]))
    return st.one_of(plain, plain, with_partial)


LEAVES = st.sampled_from([None, "", "x", "<b>", 0, 1, 2.5, 0.0, True, False])


def _data(depth: int = 0) -> st.SearchStrategy[Any]:
    if depth >= 3:
        return LEAVES
    sub = st.deferred(lambda: _data(depth + 1))
    return st.one_of(
        LEAVES,
        st.lists(sub, max_size=3),
        st.dictionaries(st.sampled_from((*KEYS, "")), sub, max_size=3),  # "" : a falsy @key
    )


_X = {"a": "x", "b": "y", "c": "z"}
FULL_ROWS = [
    {"a": {"a": "x", "b": {"a": "x", "c": "x"}, "c": "x"}, "b": {"a": "x", "b": "x", "c": "x"}, "c": "x"},
    {"a": [dict(_X), {"a": "w", "b": {"c": "v"}, "c": 1}], "b": {"a": [dict(_X)]}, "c": [1, 2]},
    {"a": {"a": [dict(_X)], "b": [{"c": "x", "a": "y"}], "c": dict(_X)}, "b": [dict(_X), dict(_X)],
     "c": True},
    {"a": {"b": {"c": [dict(_X)]}, "a": True}, "b": {"a": {"a": "x"}, "b": 1}, "c": {"a": "x", "b": [1]}},
    {"a": {"": dict(_X), "b": dict(_X)}, "b": {"": "x", "a": "y"}, "c": {"": [dict(_X)], "a": {"": 0}}},
]
BASES = st.one_of(st.sampled_from(FULL_ROWS), st.dictionaries(st.sampled_from(KEYS), _data(1), max_size=3))
ROWS = st.lists(st.dictionaries(st.sampled_from(KEYS), _data(1), max_size=3), min_size=2, max_size=25)


def verdict(checker: RowChecker, data: Any) -> Any:
    f = checker.render_verdict(data)
    return None if f is None else (f.reason, f.attribute, f.part, f.line, f.column)


def compiled_or_skip(source: str) -> Any:
    try:
        return compile_content(TemplateContent(subject="s", html=source, text=None))
    except WorkbenchError:
        return None


DELETE = object()
MUTATIONS_ST = st.lists(st.tuples(st.integers(0, 10_000), st.one_of(st.just(DELETE), LEAVES, _data(2))),
                        min_size=1, max_size=30)
SAME_CLASS = {str: ["x", "<b>", "yy"], int: [1, 7, -3], float: [2.5, -0.5], bool: [True]}


FLIP = {str: ("", "x"), int: (0, 1), float: (0.0, 2.5), bool: (False, True)}


def _set(base: Any, path: tuple[Any, ...], value: Any) -> Any:
    row = copy.deepcopy(base)
    parent = row
    for seg in path[:-1]:
        parent = parent[seg]
    if value is DELETE:
        if isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    else:
        parent[path[-1]] = copy.deepcopy(value)
    return row


def _variants(base: dict[str, Any], muts: list[tuple[int, Any]]) -> list[Any]:
    """Rows close to ``base``: at every path, the value deleted, null, of the other truthiness,
    of another type, emptied/duplicated (lists); plus random single changes, and a copy whose
    truthy scalars are swapped for others of the same type (the same signature by design)."""
    out: list[Any] = []
    paths = _paths(base)
    for path in paths:
        value = base
        for seg in path:
            value = value[seg]
        alts: list[Any] = [DELETE, None, [], {}, "x"]
        if type(value) in FLIP:
            falsy, truthy = FLIP[type(value)]
            alts.append(truthy if not value else falsy)
        if isinstance(value, list):
            alts += [value + value[:1], value[:-1], value[::-1]]
        if isinstance(value, dict):
            alts += [{**value, "a": None}, {"b": value}]
        out += [_set(base, path, v) for v in alts]
    for idx, value in muts:
        if not paths:
            out.append({"a": value} if value is not DELETE else {})
        else:
            out.append(_set(base, paths[idx % len(paths)], value))

    def swap(v: Any, k: int) -> Any:
        if isinstance(v, dict):
            return {key: swap(x, k + i) for i, (key, x) in enumerate(v.items())}
        if isinstance(v, list):
            return [swap(x, k + i) for i, x in enumerate(v)]
        choices = SAME_CLASS.get(type(v))
        return choices[k % len(choices)] if choices and v else v

    out.append(swap(base, len(muts)))
    # second order: a value deleted somewhere combined with a truthiness flip elsewhere
    for row in [base, *(_set(base, path, DELETE) for path in paths)]:
        out += _flips(row)
    return out


def _flips(row: Any) -> list[Any]:
    """``row`` once per scalar, that scalar replaced by one of the same type and the other truthiness."""
    out = []
    for path in _paths(row):
        value = row
        for seg in path:
            value = value[seg]
        if type(value) in FLIP:
            falsy, truthy = FLIP[type(value)]
            out.append(_set(row, path, truthy if not value else falsy))
    return out


def _assert_signature_decides(source: str, rows: list[Any]) -> int:
    """Rows with equal signatures must render to equal verdicts; returns how many rows shared one."""
    compiled = compiled_or_skip(source)
    if compiled is None:
        return 0
    projector, _status = _build_projector(compiled)
    if projector is None:
        return 0  # the fast path is off for this template: every row renders
    checker = RowChecker(compiled, fast=False)
    seen: dict[Any, Any] = {}
    shared = 0
    for row in rows:
        try:
            sig = projector.signature(row)
        except _Unsure:
            continue
        v = verdict(checker, row)
        if sig in seen:
            shared += 1
            assert seen[sig][0] == v, (source, seen[sig][1], row)
        else:
            seen[sig] = (v, row)
    return shared


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=_template(), base=BASES, muts=MUTATIONS_ST)
# known-tricky shapes, always tried: truthiness of each JSON type, positions, an empty @key
@example(source="{{#if a}}{{zz}}{{/if}}{{#unless b}}{{zz}}{{/unless}}", base=FULL_ROWS[0], muts=[])
@example(source="{{#if c}}{{zz}}{{/if}}{{#each b}}{{#if this}}{{zz}}{{/if}}{{/each}}", base=FULL_ROWS[3],
         muts=[(0, 0.0), (1, 0), (2, []), (3, {})])
@example(source="{{#each a}}{{#if @first}}{{zz}}{{/if}}{{#unless @last}}{{b}}{{/unless}}{{/each}}",
         base=FULL_ROWS[1], muts=[])
@example(source="{{#each a}}{{#if @index}}{{c}}{{/if}}{{/each}}", base=FULL_ROWS[1], muts=[])
@example(source="{{#each a}}{{#if @key}}{{zz}}{{/if}}{{/each}}", base=FULL_ROWS[4], muts=[])
def test_equal_signatures_render_to_equal_verdicts(source: str, base: dict[str, Any],
                                                   muts: list[tuple[int, Any]]) -> None:
    _assert_signature_decides(source, [base, *_variants(base, muts)])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=_template(), rows=ROWS)
def test_equal_signatures_independent_rows(source: str, rows: list[Any]) -> None:
    _assert_signature_decides(source, rows)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=_template(), rows=ROWS)
# the missing-attribute hint reads an outer scope the signature does not record ('c' at the root)
@example(source="{{#each a}}{{c}}{{/each}}",
         rows=[{"b": None, "c": "", "a": {"a": None}}, {"a": {"a": None}}])
def test_check_rows_fast_equals_render_all(source: str, rows: list[Any]) -> None:
    compiled = compiled_or_skip(source)
    if compiled is None:
        return
    rows = rows * 4  # repeats exercise verdict reuse
    # a disagreement between a reused verdict and a render raises instead of being repaired
    fast = check_rows(compiled, rows, _raise_on_mismatch=True)
    slow = check_rows(compiled, rows, fast=False)
    assert [f.to_dict() for f in fast.failures] == [f.to_dict() for f in slow.failures]
    assert (fast.rows, fast.ok, fast.failing) == (slow.rows, slow.ok, slow.failing)


# ------------------------------------------------------------------------------ sample templates
def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(data: Any, path: tuple[Any, ...], how: str) -> Any:
    data = copy.deepcopy(data)
    parent = data
    for seg in path[:-1]:
        parent = parent[seg]
    key = path[-1]
    if how == "delete":
        del parent[key]
    else:
        parent[key] = {"null": None, "empty": "", "zero": 0, "false": False, "list": [], "dict": {},
                       "text": "<i>t</i>", "true": True}[how]
    return data


MUTATIONS = ("delete", "null", "empty", "zero", "false", "list", "dict", "text", "true")
SAMPLE_NAMES = sorted(p.name for p in SAMPLES.iterdir() if (p / "data").is_dir()) if SAMPLES.is_dir() else []


@pytest.mark.parametrize("name", SAMPLE_NAMES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 10_000), st.sampled_from(MUTATIONS),
                                st.booleans()), min_size=1, max_size=40))
def test_samples_fast_equals_render_all(name: str, picks: list[tuple[int, int, str, bool]]) -> None:
    tpl = Project.load(SAMPLES).get(name)
    fixtures = [fx.data for fx in tpl.fixtures.values() if fx.error is None]
    compiled = compile_content(tpl.compose())
    rows = []
    for fx_i, path_i, how, second in picks:
        base = fixtures[fx_i % len(fixtures)]
        paths = _paths(base)
        row = base if not paths else _mutate(base, paths[path_i % len(paths)], how)
        if second and paths:
            more = _paths(row)
            if more:
                row = _mutate(row, more[(path_i * 7) % len(more)], how)
        rows.append(row)
    projector, status = _build_projector(compiled)
    assert projector is not None, status  # the samples are all fast-path templates
    checker = RowChecker(compiled, fast=False)
    seen: dict[Any, Any] = {}
    for row in rows:
        try:
            sig = projector.signature(row)
        except _Unsure:
            continue
        v = verdict(checker, row)
        assert seen.setdefault(sig, v) == v, row
    rows = rows * 4
    fast = check_rows(compiled, rows, template=tpl, _raise_on_mismatch=True)
    slow = check_rows(compiled, rows, template=tpl, fast=False)
    assert [f.to_dict() for f in fast.failures] == [f.to_dict() for f in slow.failures]
    assert fast.by_reason == slow.by_reason
