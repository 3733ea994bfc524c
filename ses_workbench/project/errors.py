"""Every error about the template folder on disk: :class:`ProjectError` and its subclasses.

Each carries the ``path`` (and, where known, ``line``/``column``) of the file at fault, and ``str()``
starts with that position (``file:line:col: message``).  The whole tree of the package's errors is drawn
in :mod:`ses_workbench.errors`.
"""

from __future__ import annotations

from pathlib import Path

from ses_workbench.errors import WorkbenchError

__all__ = [
    "ConfigError",
    "FixtureError",
    "ImportFormatError",
    "LayoutError",
    "PartError",
    "ProjectError",
    "TemplateExistsError",
    "TemplateNameError",
    "TemplateSizeError",
    "UnknownFixtureError",
    "UnknownTemplateError",
]


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


class PartError(ProjectError):
    """A required part is missing or unusable (no subject.txt, empty subject, no body at all...)."""


class TemplateExistsError(ProjectError):
    """Creating, renaming or importing would overwrite an existing template folder."""


class ImportFormatError(ProjectError):
    """A file given to import is not one of the AWS CLI template JSON shapes."""
