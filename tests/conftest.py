"""Fixtures shared by every test package."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ses_workbench.project import Project

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_TEMPLATES = REPO_ROOT / "sample_templates"


@pytest.fixture
def sample_project(tmp_path: Path) -> Project:
    """A private copy of ``sample_templates/`` loaded as a Project (safe to modify)."""
    from ses_workbench.project import Project

    dest = tmp_path / "sample_templates"
    shutil.copytree(SAMPLE_TEMPLATES, dest, ignore=shutil.ignore_patterns(".ses-workbench", "__pycache__"))
    return Project.load(dest)
