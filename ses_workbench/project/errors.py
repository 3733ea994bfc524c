"""Project-layer errors: re-exports of ``ses_workbench.errors`` plus the few only this layer raises.

Every class derives from :class:`~ses_workbench.errors.ProjectError`, so each carries the ``path`` (and,
where known, ``line``/``column``) of the file at fault and ``str()`` starts with that file.
"""

from __future__ import annotations

from ses_workbench.errors import (
    ConfigError,
    FixtureError,
    LayoutError,
    ProjectError,
    TemplateNameError,
    TemplateSizeError,
    UnknownFixtureError,
    UnknownTemplateError,
)

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


class PartError(ProjectError):
    """A required part is missing or unusable (no subject.txt, empty subject, no body at all...)."""


class TemplateExistsError(ProjectError):
    """Creating, renaming or importing would overwrite an existing template folder."""


class ImportFormatError(ProjectError):
    """A file given to import is not one of the AWS CLI template JSON shapes."""
