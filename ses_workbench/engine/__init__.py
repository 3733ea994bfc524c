"""SES's Handlebars dialect: compile a template once to Python, render it many times.

Reference semantics are handlebars.js 4.7 with ``{noEscape: true, strict: true}``, except where SES
is known to differ (``null`` is missing, unknown helpers fail with the missing-attribute message,
``amazonSESUnsubscribeUrl`` is reserved, undefined partials are rejected at compile time). Each
unverified SES behaviour is a field of :class:`Dialect`.
"""

from __future__ import annotations

from typing import Any

from ses_workbench.engine.analysis import Reference
from ses_workbench.engine.dialect import DEFAULT_DIALECT, Dialect
from ses_workbench.engine.errors import EngineError, MissingAttributeError, RenderError, TemplateSyntaxError
from ses_workbench.engine.runtime import UNSUBSCRIBE_PLACEHOLDER
from ses_workbench.engine.template import Template, compile

__all__ = [
    "compile",
    "render",
    "Template",
    "Dialect",
    "DEFAULT_DIALECT",
    "Reference",
    "EngineError",
    "TemplateSyntaxError",
    "MissingAttributeError",
    "RenderError",
    "UNSUBSCRIBE_PLACEHOLDER",
]


def render(source: str, data: Any, dialect: Dialect = DEFAULT_DIALECT) -> str:
    """Compile ``source`` and render it with ``data`` (use :func:`compile` to render many times)."""
    return compile(source, dialect).render(data)
