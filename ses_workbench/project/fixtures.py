"""Named JSON fixtures (``data/<name>.json``): the TemplateData a template is rendered and linted with.

A fixture re-reads its file when the file changes (mtime/size), so a long-lived Project stays a live view of
the folder.  Broken JSON never raises on load: :attr:`Fixture.error` holds the :class:`FixtureError` (with the
JSON error's line and column) and :attr:`Fixture.data` raises it.  A fixture file that cannot be read (a
broken or looping link, a link out of the project, a FIFO) is an error the same way.

:func:`parse_json` is the one JSON reader for data a person gives (fixtures, ``render --data``, ``import``,
``check`` rows): it accepts only what SES's own JSON parser accepts and turns everything else into one
:class:`FixtureError` with a line and column — ``NaN``/``Infinity`` (Python's ``json`` reads them, SES does
not), numbers that overflow, integers longer than Python converts (4,300 digits), nesting deeper than
:data:`MAX_JSON_DEPTH`.  :func:`template_data_json` is its counterpart for what is sent.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import Any

from ses_workbench.project.errors import FixtureError
from ses_workbench.project.files import UnsafeFile, check_file, read_file

__all__ = ["FIXTURE_NAME_RE", "MAX_JSON_DEPTH", "Fixture", "parse_json", "template_data_json",
           "validate_fixture_name"]

FIXTURE_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")

#: Deepest nesting of ``[`` / ``{`` accepted in data.  No email needs more; far deeper data would make
#: Python's decoder (about 1,000 levels) or lint's and the renderer's walks fail with a RecursionError.
MAX_JSON_DEPTH = 200


def validate_fixture_name(name: str, path: Path | None = None) -> str:
    """A fixture name must make a plain file name: letters, digits, ``_ . -``, not starting with a dot."""
    if not FIXTURE_NAME_RE.match(name) or name.endswith(".json"):
        raise FixtureError(f"fixture name {name!r} may only use letters, digits, '_', '.' and '-' "
                           "(without the .json suffix)", path)
    return name


class Fixture:
    """One ``data/<name>.json`` file."""

    def __init__(self, name: str, path: Path, root: Path | None = None) -> None:
        self.name = name
        self.path = path
        self.root = root  # the project root: a link out of it is refused (None: not checked)
        self._stamp: tuple[int, int] | None = None
        self._text: str = ""
        self._data: Any = None
        self._error: FixtureError | None = None

    def __repr__(self) -> str:
        return f"Fixture({self.name!r}, {str(self.path)!r})"

    def _refresh(self) -> None:
        try:
            st = check_file(self.path, self.root)
        except (FileNotFoundError, UnsafeFile) as exc:
            reason = exc.reason if isinstance(exc, UnsafeFile) else "no such file"
            stamp = (-1, hash(reason))
            if stamp != self._stamp:
                self._stamp, self._text, self._data = stamp, "", None
                self._error = FixtureError(f"a fixture that cannot be read: {reason}", self.path)
            return
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp == self._stamp:
            return
        self._stamp = stamp
        self._data, self._error = None, None
        try:
            self._text = read_file(self.path, self.root).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self._text = ""
            self._error = FixtureError(f"not UTF-8 text ({exc.reason})", self.path)
            return
        except (FileNotFoundError, UnsafeFile) as exc:
            self._text = ""
            reason = exc.reason if isinstance(exc, UnsafeFile) else "no such file"
            self._error = FixtureError(f"a fixture that cannot be read: {reason}", self.path)
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
        data = parse_json(text, path)
    except FixtureError as exc:
        return None, exc
    if not isinstance(data, dict):
        return None, FixtureError(
            f"a fixture must be a JSON object ({{...}}), not {type(data).__name__}", path, 1, 1)
    return data, None


class _NotSesJson(ValueError):
    """Raised from the decoder's hooks: ``token`` is the offending text, to find its position."""

    def __init__(self, message: str, token: str) -> None:
        super().__init__(message)
        self.message = message
        self.token = token


def _refuse_constant(token: str) -> Any:
    raise _NotSesJson(f"invalid JSON: {token} is not a JSON value (SES's parser rejects it; "
                      "use null or a string)", token)


def _finite_float(token: str) -> float:
    value = float(token)
    if math.isinf(value):
        raise _NotSesJson(f"invalid JSON: the number {_short(token)} is too large", token)
    return value


def parse_json(text: str, path: Path | str | None = None) -> Any:
    """``text`` parsed as SES's JSON parser would; :class:`FixtureError` (with line and column) otherwise.

    Refused beyond ``json.loads``: ``NaN``, ``Infinity``, ``-Infinity``, a number too large for a float,
    nesting deeper than :data:`MAX_JSON_DEPTH`; an integer longer than Python converts and a nesting
    that exhausts the decoder's recursion are one error too, never a ``ValueError``/``RecursionError``.
    """
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _NotSesJson as exc:
        raise FixtureError(exc.message, path, *_find_token(text, exc.token)) from None
    except json.JSONDecodeError as exc:
        raise FixtureError(f"invalid JSON: {exc.msg}", path, exc.lineno, exc.colno) from None
    except RecursionError:
        raise _too_deep_error(text, path) from None
    except ValueError:  # int("9" * 5000): Python's limit on integer conversion (the only other one)
        limit = sys.get_int_max_str_digits()
        raise FixtureError(f"invalid JSON: an integer with more than {limit:,} digits", path,
                           *_find_long_int(text, limit)) from None
    if isinstance(data, (dict, list)) and _too_deep(data):
        raise _too_deep_error(text, path)
    return data


def _too_deep(data: dict[str, Any] | list[Any]) -> bool:
    """True when containers nest deeper than :data:`MAX_JSON_DEPTH` (iterative: no recursion limit)."""
    level: list[Any] = [data]
    for _depth in range(MAX_JSON_DEPTH):  # one level at a time: every container of depth d+1
        level = [v for c in level for v in (c.values() if type(c) is dict else c)
                 if type(v) is dict or type(v) is list]
        if not level:
            return False
    return True


def template_data_json(data: Any, *, ensure_ascii: bool = False) -> str:
    """``data`` as TemplateData JSON; a :class:`FixtureError` for what is not JSON (``NaN``, ``inf``,
    a ``set``...) — Python's ``json.dumps`` would write ``NaN``, which SES's parser rejects."""
    try:
        return json.dumps(data, ensure_ascii=ensure_ascii, allow_nan=False)
    except (ValueError, TypeError, RecursionError) as exc:
        why = "NaN or Infinity is not JSON" if "Out of range float" in str(exc) else str(exc)
        raise FixtureError(f"the template data cannot be sent as JSON: {why}") from None


# -- positions of what the decoder refused (it reports none) -------------------------------------
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_BRACKETS = re.compile(rf'{_STRING}|[\[{{]|[\]}}]')


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - text.rfind("\n", 0, offset)


def _find_token(text: str, token: str) -> tuple[int | None, int | None]:
    """Where ``token`` (a number or constant) first occurs outside a string."""
    pattern = re.compile(rf'{_STRING}|(?<![\w.+-]){re.escape(token)}(?![\w.])')
    for m in pattern.finditer(text):
        if not m.group().startswith('"'):
            return _position(text, m.start())
    return None, None


def _find_long_int(text: str, limit: int) -> tuple[int | None, int | None]:
    pattern = re.compile(rf'{_STRING}|-?\d{{{limit + 1},}}')
    for m in pattern.finditer(text):
        if not m.group().startswith('"'):
            return _position(text, m.start())
    return None, None


def _deep_position(text: str) -> tuple[int, int] | None:
    """Where the nesting first goes deeper than :data:`MAX_JSON_DEPTH` (outside strings), or None."""
    depth = 0
    for m in _BRACKETS.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return _position(text, m.start())
        elif c in "]}":
            depth -= 1
    return None


def _too_deep_error(text: str, path: Path | str | None) -> FixtureError:
    where = _deep_position(text) or (None, None)
    return FixtureError(f"invalid JSON: nested too deeply (more than {MAX_JSON_DEPTH} levels of [ and {{)",
                        path, *where)


def _short(token: str) -> str:
    return token if len(token) <= 20 else f"{token[:12]}…({len(token)} characters)"
