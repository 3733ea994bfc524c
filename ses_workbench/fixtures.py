"""What data a template needs: its attributes, which of them a fixture has, and a skeleton fixture.

The engine lists every :class:`~ses_workbench.engine.Reference` a compiled template makes; this module
folds them into one row per data path (the form a person fills in) and answers two questions the UIs ask
while a fixture is being written: *which attributes are present or missing in this data* and *what
fixture would have them all*.  It is a guide, not a verdict: lint renders the template and stays the
authority on missing data (a conditional attribute is only needed when its branch is reached).

Paths follow the engine: ``"[]"`` is every element of a list (or every value of an object), and
``null`` counts as missing (SES treats it so).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ses_workbench.render import CompiledEmail

__all__ = ["AttributeStatus", "attribute_status", "is_present", "skeleton", "starter_fixture"]

# Paths a fixture never supplies: the loop variables and SES's reserved unsubscribe URL.
_NOT_DATA = ("this", ".", "amazonSESUnsubscribeUrl")


@dataclass(frozen=True)
class AttributeStatus:
    """One data path the template uses, folded over all its references, and whether ``data`` has it."""

    path: str                           # display form, e.g. "contact.firstName", "items[].name"
    segments: tuple[str, ...]           # ("items", "[]", "name")
    required: bool                      # printed outside any conditional body: rendering fails without it
    conditional: bool                   # every use is inside an #if/#unless/#each/#with body or else-branch
    present: bool                       # ``data`` has a non-null value there (every element, under "[]")
    parts: frozenset[str]               # the parts that use it ("subject", "html", "text")
    is_list: bool = False               # a block argument (#each/#if/#with...): the skeleton gives it []
    locations: tuple[tuple[str, int, int], ...] = ()   # (part, line, column) of each use (composed part)


def is_present(data: Any, segments: tuple[str, ...]) -> bool:
    """Whether ``data`` has a value at ``segments`` ("[]" = every element must have it; null is missing)."""
    if not segments:
        return data is not None
    head, rest = segments[0], segments[1:]
    if head == "[]":
        items = list(data.values()) if isinstance(data, dict) else data if isinstance(data, list) else None
        if items is None:
            return False
        return all(is_present(item, rest) for item in items)
    if isinstance(data, dict):
        if head not in data:
            return False
        return is_present(data[head], rest)
    if isinstance(data, list) and head.isdigit():
        index = int(head)
        return index < len(data) and is_present(data[index], rest)
    return False


def attribute_status(compiled: CompiledEmail, data: Any = None) -> list[AttributeStatus]:
    """The attributes ``compiled`` uses, in first-use order, each marked present/missing in ``data``.

    ``data=None`` (no fixture, or one that does not parse) marks every attribute missing.  Partials,
    unknown helpers, ``@`` variables, ``this`` and ``amazonSESUnsubscribeUrl`` are not data and are left out.
    """
    rows: dict[str, AttributeStatus] = {}
    for part, ref in compiled.references():
        if "@" in ref.path or ref.kind in ("partial", "unknown-helper"):
            continue
        if ref.path in _NOT_DATA or not ref.segments:
            continue
        segments = tuple(ref.segments)
        required = ref.required and not ref.conditional
        is_list = ref.kind == "block" and not ref.required
        where = (part, ref.line, ref.column)
        old = rows.get(ref.path)
        if old is None:
            rows[ref.path] = AttributeStatus(
                ref.path, segments, required, ref.conditional,
                data is not None and is_present(data, segments), frozenset({part}), is_list, (where,))
        else:
            rows[ref.path] = AttributeStatus(
                ref.path, old.segments, old.required or required, old.conditional and ref.conditional,
                old.present, old.parts | {part}, old.is_list or is_list, old.locations + (where,))
    return list(rows.values())


def skeleton(source: CompiledEmail | Iterable[AttributeStatus],
             data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A fixture with every attribute ``source`` uses: ``data`` (deep-copied, values kept) plus placeholders.

    A missing scalar gets its own name as the value (``"firstName"``), a block argument an empty list, and
    a path under ``"[]"`` a list with one element skeleton (``items[].name`` -> ``[{"name": "name"}]``).
    """
    rows = attribute_status(source) if isinstance(source, CompiledEmail) else list(source)
    out: dict[str, Any] = _deep_copy(data or {})
    for row in rows:
        _fill(out, row.segments, row.is_list)
    return out


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


def _fill(node: Any, segments: tuple[str, ...], is_list: bool) -> None:
    if not segments:
        return
    head, rest = segments[0], segments[1:]
    if head == "[]":
        if isinstance(node, list):
            if not node:
                node.append({} if rest else "")
            for i, item in enumerate(node):
                if rest and isinstance(item, dict):
                    _fill(item, rest, is_list)
                elif rest and item in ("", None):
                    node[i] = {}
                    _fill(node[i], rest, is_list)
        return
    if not isinstance(node, dict):
        return
    if not rest:
        if node.get(head) is None:
            node[head] = [] if is_list else head
        return
    child = node.get(head)
    if rest[0] == "[]":
        if not isinstance(child, list):
            child = node[head] = [{}] if len(rest) > 1 else [head]
    elif not isinstance(child, dict):
        child = node[head] = {}
    _fill(child, rest, is_list)


def starter_fixture(content: Any) -> str | None:
    """JSON text of a skeleton fixture for SES ``content`` (a TemplateContent), for a template that arrives
    without test data (pulled from SES, imported): it renders and lints at once, and shows what to fill in.
    None when the content does not compile (lint will say why)."""
    import json

    from ses_workbench.engine import EngineError
    from ses_workbench.render import compile_content

    try:
        compiled = compile_content(content)
    except EngineError:
        return None
    return json.dumps(skeleton(compiled), indent=2, ensure_ascii=False) + "\n"
