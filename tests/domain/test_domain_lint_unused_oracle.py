"""The unused-key walk (one pass along a trie of references) agrees with the rule written out plainly:
every data path checked against every reference. The plain version is slow (it was the implementation
until push planning of 100 templates spent 5 s in it) but easy to read, so it is the oracle here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ses_workbench.lint import unused_paths

Path = tuple[str | int, ...]


def _seg_eq(ref_seg: str, key: str | int) -> bool:
    return ref_seg == "[]" or (isinstance(key, str) and key == ref_seg)


def _names(ref: tuple[str, ...], concrete: Path) -> bool:
    """``ref`` names ``concrete`` exactly."""
    return len(ref) == len(concrete) and all(map(_seg_eq, ref, concrete))


def _names_ancestor(ref: tuple[str, ...], concrete: Path) -> bool:
    """``ref`` names ``concrete`` or one of its ancestors."""
    return len(ref) <= len(concrete) and all(map(_seg_eq, ref, concrete))


def _goes_through(ref: tuple[str, ...], concrete: Path) -> bool:
    """``ref`` ends at ``concrete`` or goes on below it."""
    return len(ref) >= len(concrete) and all(map(_seg_eq, ref, concrete))


def oracle(node: Any, path: Path, whole: list[tuple[str, ...]],
           through: list[tuple[str, ...]]) -> Iterator[Path]:
    iterated = isinstance(node, list) and any(_names(r, path) for r in through)
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        cpath = path + (key,)
        if any(_names_ancestor(r, cpath) for r in whole):
            continue
        if iterated and not isinstance(child, (dict, list)):
            continue
        if not iterated and not any(_goes_through(r, cpath) for r in through):
            yield cpath
            continue
        if isinstance(child, (dict, list)):
            yield from oracle(child, cpath, whole, through)


KEYS = ["a", "b", "items", "name", "[]"]
refs = st.lists(st.lists(st.sampled_from(KEYS), max_size=4).map(tuple), max_size=6)
leaves = st.none() | st.booleans() | st.integers(0, 3) | st.sampled_from(["", "x"])
data = st.recursive(leaves, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4), max_leaves=20)


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), data, max_size=4), refs, refs)
def test_unused_paths_match_the_plain_rule(fixture: dict[str, Any], whole: list[tuple[str, ...]],
                                           tested: list[tuple[str, ...]]) -> None:
    through = tested + whole  # as lint builds them: what is read whole is also gone through
    assert list(unused_paths(fixture, whole, through)) == list(oracle(fixture, (), whole, through))


def test_examples() -> None:
    fixture = {"user": {"name": "A", "age": 3}, "items": [{"sku": 1, "qty": 2}], "spare": 1}
    whole = [("user", "name"), ("items", "[]", "sku")]
    through = [("items",), *whole]
    assert list(unused_paths(fixture, whole, through)) == [("user", "age"), ("items", 0, "qty"), ("spare",)]
    assert list(unused_paths(fixture, [()], [()])) == []  # {{this}} passed on: everything is read
