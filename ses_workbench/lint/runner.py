"""The entry points: :func:`lint_project` (the named templates, or all, plus the project's load
problems and ``ses-workbench.toml``'s unknown keys) and :func:`lint_template` (one template and its
fixtures), each returning the findings sorted and without duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ses_workbench.engine import (
    DEFAULT_DIALECT,
    Dialect,
)
from ses_workbench.lint.diagnostic import Diagnostic, _one_line, _sorted_unique
from ses_workbench.lint.template import _TemplateLinter
from ses_workbench.lint.verification import lint_verification_project
from ses_workbench.project.errors import (
    ConfigError,
    FixtureError,
    LayoutError,
    TemplateNameError,
    TemplateSizeError,
)

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import EmailTemplate, Project


def lint_project(project: Project, names: Iterable[str] | None = None,
                 dialect: Dialect = DEFAULT_DIALECT) -> list[Diagnostic]:
    """Lint the named templates (all when ``names`` is None) plus the project's load problems.

    An unknown name raises the project's ``UnknownTemplateError`` (a usage error for the CLI).
    """
    diags: list[Diagnostic] = []
    verification = getattr(project, "verification_templates", {})
    if names is not None:
        names = list(names)
    if names is None:
        templates = list(project.templates.values())
        diags.extend(_problem_diagnostic(p) for p in getattr(project, "problems", ()))
    else:
        templates = [project.get(n) for n in names if n not in verification]
        dirs = [Path(t.dir) for t in templates]
        for problem in getattr(project, "problems", ()):
            ppath = getattr(problem, "path", None)
            if ppath is not None and any(_is_under(Path(ppath), d) for d in dirs):
                diags.append(_problem_diagnostic(problem))
    config = getattr(project, "config", None)
    diags.extend(_config_diagnostics(config))  # once per project, not per template
    for tpl in templates:
        diags.extend(lint_template(tpl, dialect, config=config))
    if verification:  # custom verification templates: named ones only when names were given
        wanted = None if names is None else [n for n in names if n in verification]
        diags.extend(lint_verification_project(project, wanted))
    return _sorted_unique(diags)


def _config_diagnostics(config: Any) -> list[Diagnostic]:
    """Warnings for the top-level keys of ``ses-workbench.toml`` nothing reads (``test_recipient = [...]``:
    lint passed and ``send`` later found no recipients)."""
    from ses_workbench.project.config import Config, unknown_config_keys

    if not isinstance(config, Config) or config.path is None:
        return []
    return [Diagnostic("warning", "unknown-key", message, str(config.path), line, column)
            for _key, message, line, column in unknown_config_keys(config)]


def lint_template(tpl: EmailTemplate, dialect: Dialect = DEFAULT_DIALECT, *,
                  config: Any = None) -> list[Diagnostic]:
    """Every diagnostic for one template and each of its fixtures."""
    return _sorted_unique(_TemplateLinter(tpl, dialect, config).run())


def _is_under(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _problem_diagnostic(problem: Any) -> Diagnostic:
    if isinstance(problem, TemplateNameError):
        code = "bad-name"
    elif isinstance(problem, FixtureError):
        code = "broken-json"
    elif isinstance(problem, LayoutError):
        code = "layout"
    elif isinstance(problem, TemplateSizeError):
        code = "too-large"
    elif isinstance(problem, ConfigError):
        code = "config"
    else:
        code = "project"
    path = getattr(problem, "path", None)
    return Diagnostic(
        severity="error", code=code, message=_one_line(getattr(problem, "message", None) or str(problem)),
        path=str(path) if path is not None else ".", line=getattr(problem, "line", None) or 1,
        column=getattr(problem, "column", None) or 1, template=getattr(problem, "template", None),
    )
