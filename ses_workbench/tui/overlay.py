"""Unsaved edits as a template the core can work on, without writing them anywhere.

The core composes, renders and lints an :class:`EmailTemplate` that reads its parts from disk.  The live
preview and the lint markers must follow the *editor*, so ``EditedTemplate`` is an ``EmailTemplate`` whose
``source``/``has_part`` answer from the editor buffers and whose edited fixture answers from the JSON
editor; everything else (layouts, text generation, validation, line mapping) is the project model's own
code, unchanged.  Overlays are built on the event loop from a snapshot of the buffers and then only read
in workers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ses_workbench.project import EmailTemplate, Fixture
from ses_workbench.project.fixtures import parse_fixture_text


class BufferFixture(Fixture):
    """A fixture whose text is the JSON editor's buffer (parse errors carry line and column)."""

    def __init__(self, name: str, path: Path, text: str) -> None:
        super().__init__(name, path)
        self._text = text
        self._data, self._error = parse_fixture_text(text, path)
        self._stamp = (0, 0)

    def _refresh(self) -> None:  # the buffer is the truth; never re-read the file
        return


class EditedTemplate(EmailTemplate):
    """``base`` as the editors show it: ``sources`` override the part files (None = no such file)."""

    def __init__(self, base: EmailTemplate, sources: dict[str, str | None],
                 fixture: BufferFixture | None = None) -> None:
        super().__init__(base.project, base.name, base.dir)
        self._sources = dict(sources)
        self._buffer_fixture = fixture

    def source(self, part: str) -> str | None:
        if part in self._sources:
            return self._sources[part]
        return super().source(part)

    def has_part(self, part: str) -> bool:
        if part in self._sources:
            return self._sources[part] is not None
        return super().has_part(part)

    @property
    def fixtures(self) -> dict[str, Fixture]:
        found = super().fixtures
        fx = self._buffer_fixture
        if fx is not None:
            found[fx.name] = fx
            found = dict(sorted(found.items()))
        return found

    def edited_fixture(self) -> Fixture | None:
        return self._buffer_fixture


def walk_present(data: Any, segments: tuple[str, ...]) -> bool:
    """Whether a reference path has a value in ``data`` ("[]" = every element; null counts as missing).

    Used to mark the data pane's attribute list; the authoritative check is lint (which renders).
    """
    if not segments:
        return data is not None
    head, rest = segments[0], segments[1:]
    if head == "[]":
        items = list(data.values()) if isinstance(data, dict) else data if isinstance(data, list) else None
        if items is None:
            return False
        return all(walk_present(item, rest) for item in items)
    if isinstance(data, dict):
        if head not in data:
            return False
        return walk_present(data[head], rest)
    if isinstance(data, list) and head.isdigit():
        index = int(head)
        return index < len(data) and walk_present(data[index], rest)
    return False


def fill_skeleton(data: dict[str, Any], paths: list[tuple[tuple[str, ...], bool]]) -> dict[str, Any]:
    """``data`` with every referenced path that is missing filled by a placeholder (existing values kept).

    ``paths`` are reference segments with ``is_list`` (the path is iterated by ``#each``).
    """
    out: dict[str, Any] = _deep_copy(data)
    for segments, is_list in paths:
        _fill(out, segments, is_list)
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
