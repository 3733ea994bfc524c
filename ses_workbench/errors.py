"""The root of every error ses-workbench raises on purpose.

Every layer raises a subclass of :class:`WorkbenchError` whose ``str()`` is one
sentence a person can act on; the UI layers (CLI, TUI, notebook) catch
``WorkbenchError`` and show that sentence, never a traceback.  Engine errors live
in ``ses_workbench.engine.errors``, project errors here, SES errors in
``ses_workbench.ses.errors``.
"""

from __future__ import annotations

from pathlib import Path


class WorkbenchError(Exception):
    """Base class: ``str(error)`` is a one-line message for a person."""


class ProjectError(WorkbenchError):
    """Something about the template folder on disk; names the file at fault."""

    def __init__(self, message: str, path: Path | str | None = None,
                 line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column
        super().__init__(self._format())

    def _format(self) -> str:
        if self.path is None:
            return self.message
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class ConfigError(ProjectError):
    """The project config (ses-workbench.toml) is malformed or inconsistent."""


class FixtureError(ProjectError):
    """A JSON fixture does not parse (line and column of the JSON error)."""


class TemplateNameError(ProjectError):
    """A template name breaks SES's rule ``^[a-zA-Z0-9_-]{1,64}$``."""


class TemplateSizeError(ProjectError):
    """A composed template exceeds SES's 500 KB limit."""


class LayoutError(ProjectError):
    """A jinja2 layout failed to compose (missing layout, undefined variable, syntax)."""


class UnknownTemplateError(ProjectError):
    """No template of that name in the project."""


class UnknownFixtureError(ProjectError):
    """No fixture of that name for the template."""
