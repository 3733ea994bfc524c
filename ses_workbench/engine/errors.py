"""Errors raised by the engine: syntax errors at compile time, data errors at render time.

Each carries the 1-based ``line`` and ``column`` in the template source; callers that
know which template/part/file the source came from fill in ``template``, ``part`` and
``path`` (see :meth:`EngineError.located`) so a message can point at the file.
"""

from __future__ import annotations

from ses_workbench.errors import WorkbenchError


class EngineError(WorkbenchError):
    """Base of every engine error."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.template: str | None = None
        self.part: str | None = None
        self.path: str | None = None
        super().__init__(message)

    def located(self, *, template: str | None = None, part: str | None = None,
                path: str | None = None) -> "EngineError":
        """Attach where the source came from; returns self so it can be re-raised."""
        self.template = template or self.template
        self.part = part or self.part
        self.path = path or self.path
        return self

    @property
    def where(self) -> str:
        """``file:line:column`` (or the best part of it that is known)."""
        head = self.path or self.part or self.template or "<template>"
        if self.line is not None:
            head += f":{self.line}"
            if self.column is not None:
                head += f":{self.column}"
        return head

    def __str__(self) -> str:
        return self.message


class TemplateSyntaxError(EngineError):
    """The template does not parse (or uses a partial that is never defined)."""


class MissingAttributeError(EngineError):
    """A value the template renders is not in the data (SES rejects or silently drops the send).

    ``str()`` is exactly SES's message; ``hint`` may add advice (e.g. use ``../name``).  ``scoped``: the
    name was looked up inside a block's context, so whether there is a hint depends on the outer contexts.
    """

    def __init__(self, attribute: str, line: int | None = None, column: int | None = None,
                 hint: str | None = None, scoped: bool = False) -> None:
        self.attribute = attribute
        self.hint = hint
        self.scoped = scoped
        super().__init__(f"Attribute '{attribute}' is not present in the rendering data.", line, column)


class RenderError(EngineError):
    """Any other failure while rendering (e.g. a helper given arguments it cannot use)."""
