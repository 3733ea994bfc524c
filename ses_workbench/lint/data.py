"""Walking a fixture's data along a template's references, and finding where its keys are written.

The per-fixture rules of :mod:`ses_workbench.lint.template` use these: every value a path reaches
(``"[]"`` fans out over list items and object values), a sentinel put where a path reaches nothing so
the next render goes further, the parent scope a name inside ``{{#each}}`` may have been meant for,
:func:`unused_paths` (every key no reference reads, in one walk over a trie of the references), and
:func:`_json_positions` (the line and column of each key of a fixture's text, which ``json.loads`` does
not give).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from typing import Any

from ses_workbench.engine import (
    Reference,
)

_SENTINEL = "\u2063ses-workbench-sentinel\u2063"


def _children(node: Any) -> Iterator[tuple[str | int, Any]]:
    if isinstance(node, dict):
        yield from node.items()
    elif isinstance(node, list):
        yield from enumerate(node)


def _walk(node: Any, segs: tuple[str, ...]) -> Iterator[Any]:
    """Every value reached by ``segs`` (``"[]"`` fans out over list items / object values)."""
    if not segs:
        yield node
        return
    head, rest = segs[0], segs[1:]
    if head == "[]":
        for _, child in _children(node):
            yield from _walk(child, rest)
    elif isinstance(node, dict) and head in node:
        yield from _walk(node[head], rest)


def _parent_display(node: Any, segs: tuple[str, ...]) -> str:
    """The display path of the first missing non-final segment."""
    out: list[str] = []
    nodes = [node]
    for seg in segs[:-1]:
        out.append(seg)
        if seg == "[]":
            nodes = [c for n in nodes for _, c in _children(n)]
            continue
        nxt = [n[seg] for n in nodes if isinstance(n, dict) and n.get(seg) is not None]
        if len(nxt) < len(nodes):
            break
        nodes = nxt
    return _display(tuple(out))


def _fill(node: Any, segs: tuple[str, ...]) -> bool:
    """Put a sentinel where ``segs`` reaches nothing, so the next render goes further."""
    if not segs:
        return False
    head, rest = segs[0], segs[1:]
    if head == "[]":
        changed = False
        if not rest:
            if isinstance(node, list):
                for i, v in enumerate(node):
                    if v is None:
                        node[i], changed = _SENTINEL, True
            elif isinstance(node, dict):
                for k, v in node.items():
                    if v is None:
                        node[k], changed = _SENTINEL, True
            return changed
        for _, child in list(_children(node)):
            changed = _fill(child, rest) or changed
        return changed
    if not isinstance(node, dict):
        return False
    if not rest:
        if node.get(head) is None:
            node[head] = _SENTINEL
            return True
        return False
    if node.get(head) is None:
        node[head] = {}
    return _fill(node[head], rest)


def _fill_parents(node: Any, segs: tuple[str, ...]) -> bool:
    """Give every missing non-final segment of ``segs`` an empty object (the probe goes on)."""
    if len(segs) < 2:
        return False
    head, rest = segs[0], segs[1:]
    if head == "[]":
        changed = False
        for _, child in list(_children(node)):
            changed = _fill_parents(child, rest) or changed
        return changed
    if not isinstance(node, dict):
        return False
    changed = False
    if node.get(head) is None:
        node[head], changed = {}, True
    return _fill_parents(node[head], rest) or changed


def _parent_scope_name(ref: Reference | None, data: dict[str, Any]) -> str | None:
    """For ``items[].shopName`` where the items lack it but an enclosing scope has it: the name."""
    if ref is None:
        return None
    segs = tuple(ref.segments)
    if "[]" not in segs:
        return None
    last = max(i for i, s in enumerate(segs) if s == "[]")
    tail = segs[last + 1:]
    if len(tail) != 1:
        return None
    name = tail[0]
    for item in _walk(data, segs[:last + 1]):
        if isinstance(item, dict) and item.get(name) is not None:
            return None  # some items have it: a plain missing value, not a scope question
    for j in range(last - 1, -1, -1):  # enclosing scopes, innermost first
        for scope in _walk(data, segs[:j]):
            if isinstance(scope, dict) and scope.get(name) is not None:
                return name
    return None


class _RefTrie:
    """Reference paths as a trie (``"[]"`` is the any-item segment): one walk of the fixture follows every
    reference at once, instead of matching each data path against each reference."""

    __slots__ = ("children", "end", "whole_end")

    def __init__(self) -> None:
        self.children: dict[str, _RefTrie] = {}
        self.end = False        # a reference (tested/iterated or read whole) ends here
        self.whole_end = False  # a reference read as a whole ends here: everything below counts

    @classmethod
    def build(cls, whole: list[tuple[str, ...]], through: list[tuple[str, ...]]) -> _RefTrie:
        root = cls()
        for refs, whole_flag in ((through, False), (whole, True)):
            for segs in refs:
                node = root
                for seg in segs:
                    node = node.children.setdefault(seg, cls())
                node.end = True
                node.whole_end = node.whole_end or whole_flag
        return root

    def step(self, key: str | int) -> Iterator[_RefTrie]:
        """The nodes a data key leads to: its own name (object keys only) and the any-item segment."""
        if isinstance(key, str) and key != "[]":
            node = self.children.get(key)
            if node is not None:
                yield node
        node = self.children.get("[]")
        if node is not None:
            yield node


def unused_paths(data: Any, whole: list[tuple[str, ...]],
                  through: list[tuple[str, ...]]) -> Iterator[tuple[str | int, ...]]:
    """Every path of ``data`` no reference reads: not below a reference read whole, not an item of an
    iterated or tested list, and not on the way to any reference (``through`` includes ``whole``).

    Public so the tests can hold this one-pass walk to the rule written out plainly (an oracle)."""
    root = _RefTrie.build(whole, through)
    if root.whole_end:  # the whole context is read ({{this}} passed on): everything counts
        return iter(())
    return _unused_below(data, (), [root])


def _unused_below(node: Any, path: tuple[str | int, ...],
                  states: list[_RefTrie]) -> Iterator[tuple[str | int, ...]]:
    iterated = isinstance(node, list) and any(s.end for s in states)
    for key, child in _children(node):
        cpath = path + (key,)
        cstates = [n for s in states for n in s.step(key)]
        if any(n.whole_end for n in cstates):
            continue  # read as a whole somewhere
        if iterated and not isinstance(child, (dict, list)):
            continue  # an item of a list that is iterated or tested: it counts
        if not iterated and not cstates:
            yield cpath
            continue
        if isinstance(child, (dict, list)):
            yield from _unused_below(child, cpath, cstates)


def _display(segs: tuple[str | int, ...]) -> str:
    out = ""
    for s in segs:
        if s == "[]" or isinstance(s, int):
            out += "[]"
        else:
            out += ("." if out else "") + str(s)
    return out


# JSON positions (json.loads gives none)

_WS = re.compile(r"[ \t\n\r]*")
_NUM = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|NaN|-?Infinity")


def _json_positions(text: str) -> dict[tuple[str | int, ...], tuple[int, int]]:
    """1-based (line, column) of each object key and array item, by concrete path."""
    starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    out: dict[tuple[str | int, ...], tuple[int, int]] = {}

    def pos(i: int) -> tuple[int, int]:
        ln = bisect.bisect_right(starts, i) - 1
        return ln + 1, i - starts[ln] + 1

    def ws(i: int) -> int:
        m = _WS.match(text, i)
        return m.end() if m else i

    def value(i: int, path: tuple[str | int, ...]) -> int:
        i = ws(i)
        ch = text[i:i + 1]
        if ch == "{":
            i = ws(i + 1)
            if text[i:i + 1] == "}":
                return i + 1
            while True:
                i = ws(i)
                key_at = i
                key, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
                out.setdefault(path + (key,), pos(key_at))
                i = ws(i)
                i = value(i + 1, path + (key,))  # skip ':'
                i = ws(i)
                if text[i:i + 1] == ",":
                    i += 1
                    continue
                return i + 1
        if ch == "[":
            i = ws(i + 1)
            if text[i:i + 1] == "]":
                return i + 1
            n = 0
            while True:
                i = ws(i)
                out.setdefault(path + (n,), pos(i))
                i = value(i, path + (n,))
                i = ws(i)
                n += 1
                if text[i:i + 1] == ",":
                    i += 1
                    continue
                return i + 1
        if ch == '"':
            _, end = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
            return int(end)
        m = _NUM.match(text, i)
        if not m:
            raise ValueError(f"unexpected JSON at {i}")
        return m.end()

    try:
        value(1 if text.startswith("\ufeff") else 0, ())
    except (ValueError, IndexError):
        pass
    return out


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    return "an object"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."
