"""Named JSON fixtures (``data/<name>.json``): the TemplateData a template is rendered and linted with.

A fixture re-reads its file when the file changes (mtime/size), so a long-lived Project stays a live view of
the folder.  Broken JSON never raises on load: :attr:`Fixture.error` holds the :class:`FixtureError` (with the
JSON error's line and column) and :attr:`Fixture.data` raises it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ses_workbench.project.errors import FixtureError

__all__ = ["FIXTURE_NAME_RE", "Fixture", "validate_fixture_name"]

FIXTURE_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")


def validate_fixture_name(name: str, path: Path | None = None) -> str:
    """A fixture name must make a plain file name: letters, digits, ``_ . -``, not starting with a dot."""
    if not FIXTURE_NAME_RE.match(name) or name.endswith(".json"):
        raise FixtureError(f"fixture name {name!r} may only use letters, digits, '_', '.' and '-' "
                           "(without the .json suffix)", path)
    return name


class Fixture:
    """One ``data/<name>.json`` file."""

    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._text: str = ""
        self._data: Any = None
        self._error: FixtureError | None = None

    def __repr__(self) -> str:
        return f"Fixture({self.name!r}, {str(self.path)!r})"

    def _refresh(self) -> None:
        try:
            st = self.path.stat()
        except OSError as exc:
            stamp = (-1, -1)
            if stamp != self._stamp:
                self._stamp, self._text, self._data = stamp, "", None
                self._error = FixtureError(f"cannot read the fixture ({exc.strerror})", self.path)
            return
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp == self._stamp:
            return
        self._stamp = stamp
        self._data, self._error = None, None
        try:
            self._text = self.path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self._text = ""
            self._error = FixtureError(f"not UTF-8 text ({exc.reason})", self.path)
            return
        except OSError as exc:
            self._text = ""
            self._error = FixtureError(f"cannot read the fixture ({exc.strerror})", self.path)
            return
        self._data, self._error = parse_fixture_text(self._text, self.path)

    @property
    def text(self) -> str:
        """The raw JSON text (as on disk)."""
        self._refresh()
        return self._text

    @property
    def data(self) -> Any:
        """The parsed JSON object; raises :class:`FixtureError` (line/column) when it does not parse."""
        self._refresh()
        if self._error is not None:
            raise self._error
        return self._data

    @property
    def error(self) -> FixtureError | None:
        """The parse error, or None when the fixture is a valid JSON object."""
        self._refresh()
        return self._error


def parse_fixture_text(text: str, path: Path | None = None) -> tuple[Any, FixtureError | None]:
    """Parse fixture JSON: (data, None) or (None, FixtureError with the JSON error's line/column)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, FixtureError(f"invalid JSON: {exc.msg}", path, exc.lineno, exc.colno)
    if not isinstance(data, dict):
        return None, FixtureError(
            f"a fixture must be a JSON object ({{...}}), not {type(data).__name__}", path, 1, 1)
    return data, None
