"""One preview: a template (saved, or unsaved :data:`~ses_workbench.session.edits.Edits`) rendered with one
fixture, the attributes it uses with their status, and the error — in one call and one value.

No widget and nothing to show it with: a face turns a :class:`Preview` into its own lines (the TUI's
panes, the notebook's iframe).  Errors travel as :class:`RenderFailure`, which survives pickling (exception
classes with keyword-only constructors do not), so the same value can come back from a child interpreter;
it keeps what a status line shows: file, line, column, message, and whether the fixture JSON was at fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ses_workbench.attributes import AttributeStatus, attribute_status
from ses_workbench.engine import DEFAULT_DIALECT, Dialect
from ses_workbench.errors import WorkbenchError

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import EmailTemplate, Fixture
    from ses_workbench.render import RenderedEmail

__all__ = ["Preview", "RenderFailure", "attributes", "preview"]


class RenderFailure(Exception):
    """A render error reduced to what the workbench shows (picklable)."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 column: int | None = None, part: str | None = None, is_fixture: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.part = part
        self.is_fixture = is_fixture

    def __reduce__(self) -> tuple[Any, ...]:
        return (RenderFailure, (self.message, self.path, self.line, self.column, self.part, self.is_fixture))

    @classmethod
    def from_error(cls, error: BaseException) -> RenderFailure:
        from ses_workbench.project import FixtureError

        path = getattr(error, "path", None)
        return cls(str(getattr(error, "message", None) or error), str(path) if path is not None else None,
                   getattr(error, "line", None), getattr(error, "column", None), getattr(error, "part", None),
                   isinstance(error, FixtureError))


@dataclass
class Preview:
    """What one preview found: ``rendered`` or ``error`` (one of them is None), and — when asked for — the
    attributes the template uses, each marked present or missing for the fixture's data."""

    template: str
    fixture: str | None
    rendered: RenderedEmail | None = None
    error: RenderFailure | None = None
    attributes: list[AttributeStatus] | None = field(default=None)

    @property
    def ok(self) -> bool:
        return self.error is None


def _fixture_of(tpl: EmailTemplate, fixture: str | Fixture | None) -> str | Fixture | None:
    """``fixture``; when none is named, the buffer fixture of unsaved edits (what its JSON editor shows),
    else the template's default fixture (None when it has none, or its folder cannot be read)."""
    if fixture is not None:
        return fixture
    edited = getattr(tpl, "edited_fixture", None)
    if edited is not None:
        found: Fixture | None = edited()
        return found
    try:
        return tpl.fixture(None) if tpl.fixtures else None
    except WorkbenchError:
        return None


def attributes(tpl: EmailTemplate, dialect: Dialect = DEFAULT_DIALECT, fixture: str | Fixture | None = None,
               data: Any = None) -> list[AttributeStatus]:
    """The attributes ``tpl`` uses, each marked present/missing for ``data``, else ``fixture``'s data
    (default: as :func:`preview` picks it; a fixture with a JSON error, or none: every attribute missing)."""
    from ses_workbench.render import compile_content

    compiled = compile_content(tpl.compose(validate=False), dialect)
    if data is None:
        fx = _fixture_of(tpl, fixture)
        if isinstance(fx, str):
            fx = tpl.fixtures.get(fx)
        data = fx.data if fx is not None and fx.error is None else None
    return attribute_status(compiled, data)


def preview(tpl: EmailTemplate, fixture: str | Fixture | None = None, dialect: Dialect = DEFAULT_DIALECT, *,
            want_attributes: bool = False, data: Any = None) -> Preview:
    """Render ``tpl`` with ``data``, else ``fixture`` (default: the edited buffer, else the template's default
    fixture); never raises for what the template or the data got wrong."""
    from ses_workbench.render import render_template

    fx = fixture if data is not None else _fixture_of(tpl, fixture)
    name = fx if isinstance(fx, str) else getattr(fx, "name", None)
    out = Preview(tpl.name, name)
    try:
        out.rendered = render_template(tpl, fixture=fx, data=data, dialect=dialect)
        out.fixture = out.rendered.fixture
    except Exception as exc:  # noqa: BLE001 - a preview shows what went wrong; it never raises
        out.error = RenderFailure.from_error(exc)
    if want_attributes:
        try:
            out.attributes = attributes(tpl, dialect, fx, data)
        except Exception:  # noqa: BLE001 - the template does not even compile: the error says so
            out.attributes = None
    return out
