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
from dataclasses import dataclass, replace
from typing import Any

from ses_workbench.render import CompiledEmail

__all__ = ["AttributeStatus", "attribute_status", "fill_fixture_text", "is_present", "skeleton",
           "starter_fixture"]

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
    is_list: bool = False               # only a block argument (#each/#if/#with..., never printed): []
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
    printed: set[str] = set()  # used other than as a block argument: the skeleton gives it a value
    for part, ref in compiled.references():
        if "@" in ref.path or ref.kind in ("partial", "unknown-helper"):
            continue
        if ref.path in _NOT_DATA or not ref.segments:
            continue
        segments = tuple(ref.segments)
        required = ref.required and not ref.conditional
        is_list = ref.kind == "block" and not ref.required
        if ref.kind != "block":
            printed.add(ref.path)
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
    return [replace(row, is_list=False) if row.is_list and row.path in printed else row
            for row in rows.values()]


def skeleton(source: CompiledEmail | Iterable[AttributeStatus],
             data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A fixture with every attribute ``source`` uses: ``data`` (deep-copied) plus placeholders for the rest.

    A missing scalar gets its own name as the value (``"firstName"``), an attribute that is only tested or
    iterated (a block argument never printed) an empty list, and a path under ``"[]"`` a list with one
    element skeleton (``items[].name`` -> ``[{"name": "name"}]``).  Only missing keys are added: a value
    ``data`` already has — an empty list, ``null``, a string where the template reads an object — is the
    person's and stays as it is.
    """
    rows = attribute_status(source) if isinstance(source, CompiledEmail) else list(source)
    ideal: dict[str, Any] = {}
    for row in rows:
        _fill(ideal, row.segments, row.is_list)
    out: dict[str, Any] = _deep_copy(data or {})
    _merge_missing(out, ideal)
    return out


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


def _fill(node: Any, segments: tuple[str, ...], is_list: bool) -> None:
    """Build the placeholder skeleton (from nothing: a later, deeper path may replace a placeholder)."""
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


def _merge_missing(data: Any, ideal: Any) -> None:
    """Add to ``data`` (in place) the keys of ``ideal`` it lacks, at every depth; nothing else changes.

    ``ideal`` lists hold one element skeleton, merged into every object element of the list (or every
    object value of an object, which ``{{#each}}`` also iterates)."""
    for path, key, value in _missing(data, ideal, ()):
        node = data
        for step in path:
            node = node[step]
        node[key] = _deep_copy(value)


def _missing(data: Any, ideal: Any, path: tuple[str | int, ...]
             ) -> Iterable[tuple[tuple[str | int, ...], str, Any]]:
    """``(path of an object in data, key it lacks, skeleton value)``, in data order then skeleton order."""
    if isinstance(ideal, dict) and isinstance(data, dict):
        for key, value in ideal.items():
            if key in data:
                yield from _missing(data[key], value, path + (key,))
            else:
                yield path, key, value
    elif isinstance(ideal, list) and ideal:
        element = ideal[0]
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from _missing(item, element, path + (i,))
        elif isinstance(data, dict) and isinstance(element, dict):
            for key, item in data.items():
                yield from _missing(item, element, path + (key,))


def fill_fixture_text(source: CompiledEmail | Iterable[AttributeStatus], text: str) -> str:
    """The fixture JSON ``text`` with every attribute ``source`` uses and ``text`` lacks added.

    The text a person wrote is kept byte for byte — their formatting, key order and values — and the
    missing keys are appended to the end of the object they belong to, indented like its members (on
    one line when the object is written on one line).  Empty text becomes a whole skeleton.  Raises
    FixtureError when ``text`` is not a JSON object.
    """
    import json

    from ses_workbench.project.errors import FixtureError

    if not text.strip():
        return json.dumps(skeleton(source), indent=2, ensure_ascii=False) + "\n"
    bom = 1 if text.startswith("\ufeff") else 0
    try:
        data = json.loads(text[bom:])
    except json.JSONDecodeError as exc:
        raise FixtureError(f"invalid JSON: {exc.msg}", None, exc.lineno, exc.colno) from None
    if not isinstance(data, dict):
        raise FixtureError("a fixture must be a JSON object ({...}): SES's TemplateData is one")
    rows = attribute_status(source) if isinstance(source, CompiledEmail) else list(source)
    ideal: dict[str, Any] = {}
    for row in rows:
        _fill(ideal, row.segments, row.is_list)
    grouped: dict[tuple[str | int, ...], list[tuple[str, Any]]] = {}
    for path, key, value in _missing(data, ideal, ()):
        grouped.setdefault(path, []).append((key, value))
    if not grouped:
        return text
    spans = _object_spans(text, bom)
    unit = _indent_unit(text)
    edits = [_insertion(text, spans[path], members, unit) for path, members in grouped.items()]
    for start, end, insert in sorted(edits, reverse=True):
        text = text[:start] + insert + text[end:]
    return text


@dataclass
class _ObjectSpan:
    """Where one JSON object sits in the text: its braces and its last member."""

    open: int                          # offset of "{"
    close: int                         # offset of "}"
    last_key: int | None = None        # offset of the last member's key (its opening quote)
    last_end: int | None = None        # offset just after the last member's value
    colon: str = ": "                  # what the last member has between its key and its value


def _object_spans(text: str, start: int) -> dict[tuple[str | int, ...], _ObjectSpan]:
    """Every object of the (valid) JSON ``text`` by concrete path; a repeated key counts once, as its
    last occurrence does for json.loads."""
    import json
    import re

    ws = re.compile(r"[ \t\n\r]*")
    decoder = json.JSONDecoder()
    out: dict[tuple[str | int, ...], _ObjectSpan] = {}

    def skip(i: int) -> int:
        m = ws.match(text, i)
        return m.end() if m else i

    def value(i: int, path: tuple[str | int, ...]) -> int:
        i = skip(i)
        ch = text[i]
        if ch == "{":
            span = _ObjectSpan(i, -1)
            i = skip(i + 1)
            while text[i] != "}":
                key_at = i
                key, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
                colon_at = i
                i = skip(skip(i) + 1)  # past ":"
                colon = text[colon_at:i]
                end = value(i, path + (key,))
                span.last_key, span.last_end, span.colon = key_at, end, colon
                i = skip(end)
                if text[i] == ",":
                    i = skip(i + 1)
            span.close = i
            out[path] = span
            return i + 1
        if ch == "[":
            i = skip(i + 1)
            n = 0
            while text[i] != "]":
                i = skip(value(i, path + (n,)))
                n += 1
                if text[i] == ",":
                    i = skip(i + 1)
            return i + 1
        _, end = decoder.raw_decode(text, i)
        return int(end)

    value(start, ())
    return out


def _indent_unit(text: str) -> str:
    """The text's indentation step (the smallest indentation of a line), two spaces when it has none."""
    widths = [len(line) - len(line.lstrip(" ")) for line in text.splitlines() if line.strip()]
    if any(line.startswith("\t") for line in text.splitlines()):
        return "\t"
    positive = [w for w in widths if w > 0]
    return " " * min(positive) if positive else "  "


def _line_indent(text: str, i: int) -> str:
    """The whitespace that starts the line holding offset ``i``."""
    line_start = text.rfind("\n", 0, i) + 1
    line = text[line_start:i]
    return line[:len(line) - len(line.lstrip(" \t"))]


def _insertion(text: str, span: _ObjectSpan, members: list[tuple[str, Any]], unit: str
               ) -> tuple[int, int, str]:
    """``(start, end, new text)``: the replacement that appends ``members`` to the object at ``span``."""
    import json

    def dump(key: str, value: Any, indent: str | None) -> str:
        if indent is None:
            body = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
        else:
            body = json.dumps(value, indent=unit, ensure_ascii=False).replace("\n", "\n" + indent)
        return json.dumps(key, ensure_ascii=False) + colon + body

    colon = span.colon if "\n" not in span.colon else ": "

    if span.last_key is None or span.last_end is None:  # an empty object: fill between its braces
        if "\n" in text:
            outer = _line_indent(text, span.open)
            inner = outer + unit
            body = ",\n".join(inner + dump(k, v, inner) for k, v in members)
            return span.open + 1, span.close, f"\n{body}\n{outer}"
        return span.open + 1, span.close, ", ".join(dump(k, v, None) for k, v in members)
    line_start = text.rfind("\n", 0, span.last_key) + 1
    if text[line_start:span.last_key].strip(" \t") == "":  # members on their own lines
        indent = text[line_start:span.last_key]
        return span.last_end, span.last_end, "".join(f",\n{indent}" + dump(k, v, indent) for k, v in members)
    return span.last_end, span.last_end, "".join(", " + dump(k, v, None) for k, v in members)


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
