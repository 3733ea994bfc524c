"""The compiled template object and ``compile()``: parse, generate Python, compile it once."""

from __future__ import annotations

from typing import Any, Callable

from ses_workbench.engine.analysis import Reference, references
from ses_workbench.engine.compiler import generate
from ses_workbench.engine.dialect import DEFAULT_DIALECT, Dialect
from ses_workbench.engine.errors import EngineError, RenderError, TemplateSyntaxError
from ses_workbench.engine.nodes import ParsedTemplate
from ses_workbench.engine.parser import parse


class Template:
    """A template compiled to a Python function; :meth:`render` never re-parses."""

    def __init__(self, source: str, dialect: Dialect, parsed: ParsedTemplate, python_source: str,
                 fn: Callable[[Any], str]) -> None:
        self.source = source
        self.dialect = dialect
        self.python_source = python_source
        self._parsed = parsed
        self._fn = fn
        self._refs: tuple[Reference, ...] | None = None

    @property
    def partials_defined(self) -> tuple[str, ...]:
        """Names of the inline partials the template defines."""
        return tuple(self._parsed.inline_partials)

    @property
    def helpers_used(self) -> tuple[str, ...]:
        """Names used in helper position that SES does not know (each fails when reached)."""
        return tuple(dict.fromkeys(r.path for r in self.references() if r.kind == "unknown-helper"))

    def render(self, data: Any) -> str:
        """Render with ``data`` (parsed JSON); raises MissingAttributeError or RenderError."""
        try:
            return self._fn(data)
        except EngineError:
            raise
        except RecursionError:
            raise RenderError("The template recurses too deeply (does a partial include itself?).",
                              1, 1) from None
        except (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError) as exc:
            raise RenderError(f"Rendering failed: {exc}.", 1, 1) from exc

    def references(self) -> tuple[Reference, ...]:
        """Every data path the template outputs or tests, resolved to the data root."""
        if self._refs is None:
            self._refs = references(self._parsed, self.source)
        return self._refs

    def __repr__(self) -> str:
        head = self.source[:40] + ("..." if len(self.source) > 40 else "")
        return f"Template({head!r})"


def compile(source: str, dialect: Dialect = DEFAULT_DIALECT) -> Template:  # noqa: A001
    """Parse ``source`` and generate its Python render function (raises TemplateSyntaxError)."""
    try:
        parsed = parse(source, standalone_strip=dialect.standalone_strip)
        python, fn = generate(parsed, dialect, source)
    except EngineError:
        raise
    except (RecursionError, MemoryError, SyntaxError) as exc:
        raise TemplateSyntaxError(f"The template is too deeply nested or too complex to compile ({exc}).",
                                  1, 1) from None
    return Template(source, dialect, parsed, python, fn)
