"""SES's Handlebars dialect: compile a template once to Python, render it many times.

Reference semantics are handlebars.js 4.7 compiled with ``{noEscape: true, strict: true}``
(lexer rules, grammar, whitespace control and standalone-line stripping are ports of its sources),
except where SES is known to differ, and with each unverified SES behaviour a :class:`Dialect` field.

Modules: ``lexer`` (jison rules, first match wins), ``parser`` (grammar + ``WhitespaceControl``),
``compiler`` (AST -> one Python function, ``exec``'d once), ``runtime`` (JS semantics for JSON data:
truthiness, printing, lookups, partial calls), ``analysis`` (``Template.references()``), ``dialect``.

Deliberate differences from handlebars.js (all on the side of failing where SES may fail):

* ``null`` is missing: ``{{x}}`` with ``{"x": null}`` (or a ``null`` ``{{this}}``) raises
  MissingAttributeError; handlebars.js prints ``""``.
* A helper SES does not have (anything but if/unless/each/with/lookup/log, or a wrong-case one such
  as ``{{#IF x}}``, ``{{eq a b}}``, ``(formatDate d)``) raises MissingAttributeError naming it.
* ``{{amazonSESUnsubscribeUrl}}`` is never missing: it prints the data's value if there is one,
  else :data:`UNSUBSCRIBE_PLACEHOLDER` (the tag text itself, which SES replaces when it sends).
* ``{{> name}}`` / ``{{#> name}}`` naming a partial that no ``{{#* inline "name"}}`` in the same
  template defines is a TemplateSyntaxError at compile time (SES rejects the template on create).
* Everything *printed* must be present, beyond handlebars.js's strict mode: block-param paths
  (``{{it.name}}``), ``lookup`` results and partial hash values print ``""`` in handlebars.js when
  missing; here they raise MissingAttributeError.
* ``{{#if a.b}}`` (any helper/block argument) with ``a`` missing is false/empty, where handlebars.js
  throws a TypeError (``Dialect.if_missing_parent="error"`` restores the failure).
* The noEscape defect that *adds* adjacent numbers at the start of a program (``{{a}}{{b}}`` -> 3)
  is not reproduced.
* Lookups on JSON values only: arrays have ``length`` and index segments (``items.[0]``), strings
  too when used as an argument (``{{#if name.length}}``); printing a property of a string or number
  is a missing attribute (handlebars.js: TypeError); JavaScript prototype properties
  (``{{toString}}``) are missing.
* ``../`` is resolved at compile time. handlebars.js skips a depth level when a block's new context is
  the very same object as the current one; ``{{#with this}}`` is handled, rarer identity cases
  (e.g. a ``{{#flag}}`` section on ``true``) count one level more than handlebars.js.
* Raw blocks (``{{{{raw}}}}``) and decorators other than ``{{#* inline}}`` are TemplateSyntaxErrors;
  ``{{lookup x}}`` with the wrong number of arguments is a RenderError.

MissingAttributeError names the path as written, without ``this.``/``./``/``../`` prefixes
(``contact.firstName``, ``@index``, ``this``) — the exact name SES shows for nested paths is
unverified. Every error carries a 1-based line and column: the position of the tag (``{{``) that
failed, the same position :class:`Reference` uses.
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
