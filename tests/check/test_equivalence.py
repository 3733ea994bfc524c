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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ses_workbench.check import RowChecker, _build_projector, _Unsure, check_rows
from ses_workbench.errors import WorkbenchError
from ses_workbench.project import Project, TemplateContent
from ses_workbench.render import compile_content

SAMPLES = Path(__file__).resolve().parents[2] / "sample_templates"
KEYS = ("a", "b", "c")

# ------------------------------------------------------------------------------ random templates
ROOT_PATHS = ["a", "b", "c", "a.b", "a.c", "b.a", "a.b.c", "@root.a", "@root.b.c"]
INNER_PATHS = ROOT_PATHS + ["this", "this.a", "../a", "../b.c", "@index", "@first", "@last", "@key", "."]


def _node(inner: bool) -> st.SearchStrategy[str]:
    paths = st.sampled_from(INNER_PATHS if inner else ROOT_PATHS)
    return st.one_of(
        st.sampled_from(["x", " ", "\n", "<p>"]),
        paths.map(lambda p: "{{" + p + "}}"),
        paths.map(lambda p: "{{{" + p + "}}}"),
    )


def _template(depth: int = 0, inner: bool = False) -> st.SearchStrategy[str]:
    leaf = st.lists(_node(inner), min_size=1, max_size=3).map("".join)
    if depth >= 3:
        return leaf
    paths = st.sampled_from(INNER_PATHS if inner else ROOT_PATHS[:7])
    body = st.deferred(lambda: _template(depth + 1, inner))
    body_in = st.deferred(lambda: _template(depth + 1, True))
    return st.one_of(
        leaf,
        st.tuples(body, body).map("".join),
        st.tuples(paths, body).map(lambda t: f"{{{{#if {t[0]}}}}}{t[1]}{{{{/if}}}}"),
        st.tuples(paths, body, body).map(lambda t: f"{{{{#if {t[0]}}}}}{t[1]}{{{{else}}}}{t[2]}{{{{/if}}}}"),
        st.tuples(paths, body).map(lambda t: f"{{{{#unless {t[0]}}}}}{t[1]}{{{{/unless}}}}"),
        st.tuples(paths, body_in).map(lambda t: f"{{{{#each {t[0]}}}}}{t[1]}{{{{/each}}}}"),
        st.tuples(paths, body_in, body).map(
            lambda t: f"{{{{#each {t[0]}}}}}{t[1]}{{{{else}}}}{t[2]}{{{{/each}}}}"),
        st.tuples(paths, body_in).map(lambda t: f"{{{{#with {t[0]}}}}}{t[1]}{{{{/with}}}}"),
        st.tuples(paths, st.sampled_from(["a", "b", "this"])).map(
            lambda t: f"{{{{#each {t[0]} as |it i|}}}}{{{{it.{t[1]}}}}}{{{{i}}}}{{{{/each}}}}"
            if t[1] != "this" else f"{{{{#each {t[0]} as |it|}}}}{{{{it}}}}{{{{/each}}}}"),
    )


LEAVES = st.sampled_from([None, "", "x", "<b>", 0, 1, 2.5, 0.0, True, False])


def _data(depth: int = 0) -> st.SearchStrategy[Any]:
    if depth >= 3:
        return LEAVES
    sub = st.deferred(lambda: _data(depth + 1))
    return st.one_of(
        LEAVES,
        st.lists(sub, max_size=3),
        st.dictionaries(st.sampled_from(KEYS), sub, max_size=3),
    )


ROWS = st.lists(st.dictionaries(st.sampled_from(KEYS), _data(1), max_size=3), min_size=2, max_size=25)


def verdict(checker: RowChecker, data: Any) -> Any:
    f = checker.render_verdict(data)
    return None if f is None else (f.reason, f.attribute, f.part, f.line, f.column)


def compiled_or_skip(source: str) -> Any:
    try:
        return compile_content(TemplateContent(subject="s", html=source, text=None))
    except WorkbenchError:
        return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=_template(), rows=ROWS)
def test_equal_signatures_render_to_equal_verdicts(source: str, rows: list[Any]) -> None:
    compiled = compiled_or_skip(source)
    if compiled is None:
        return
    projector, status = _build_projector(compiled)
    if projector is None:
        return  # the fast path is off for this template: every row renders
    checker = RowChecker(compiled, fast=False)
    seen: dict[Any, Any] = {}
    for row in rows:
        try:
            sig = projector.signature(row)
        except _Unsure:
            continue
        v = verdict(checker, row)
        if sig in seen:
            assert seen[sig] == v, (source, row)
        else:
            seen[sig] = v


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=_template(), rows=ROWS)
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
