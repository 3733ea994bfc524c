"""Fixtures for the notebook tests: a temporary copy of the sample project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "sample_templates"


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """sample_templates copied to a temp folder (nothing is ever written into the repository)."""
    dest = tmp_path / "project"
    shutil.copytree(SAMPLES, dest, ignore=shutil.ignore_patterns(".ses-workbench"))
    return dest
