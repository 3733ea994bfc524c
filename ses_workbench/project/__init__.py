"""The template folder model: files on disk → :class:`Project` → :class:`EmailTemplate` → SES content.

Each module documents its part of the contract: :mod:`.model` (the folder), :mod:`.template` (one
template), :mod:`.config` (``ses-workbench.toml``), :mod:`.layouts`, :mod:`.fixtures` and :mod:`.state`
(``.ses-workbench/``).
"""

from ses_workbench.project.config import CONFIG_FILE, Config, Environment, LocalSesConfig
from ses_workbench.project.content import (
    MAX_TEMPLATE_BYTES,
    PART_FILES,
    PARTS,
    TemplateContent,
    validate_name,
)
from ses_workbench.project.errors import (
    ConfigError,
    FixtureError,
    ImportFormatError,
    LayoutError,
    PartError,
    ProjectError,
    TemplateExistsError,
    TemplateNameError,
    TemplateSizeError,
    UnknownFixtureError,
    UnknownTemplateError,
)
from ses_workbench.project.fixtures import Fixture
from ses_workbench.project.model import Project
from ses_workbench.project.state import STATE_DIR, StateDir
from ses_workbench.project.template import EmailTemplate, TemplateMeta
from ses_workbench.project.textgen import generate_text

__all__ = [
    "CONFIG_FILE",
    "MAX_TEMPLATE_BYTES",
    "PARTS",
    "PART_FILES",
    "STATE_DIR",
    "StateDir",
    "Config",
    "ConfigError",
    "EmailTemplate",
    "Environment",
    "Fixture",
    "FixtureError",
    "ImportFormatError",
    "LayoutError",
    "LocalSesConfig",
    "PartError",
    "Project",
    "ProjectError",
    "TemplateContent",
    "TemplateExistsError",
    "TemplateMeta",
    "TemplateNameError",
    "TemplateSizeError",
    "UnknownFixtureError",
    "UnknownTemplateError",
    "generate_text",
    "validate_name",
]
