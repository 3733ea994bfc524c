"""Fixtures for the notebook tests: a temporary copy of the sample project."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import copy_samples


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """sample_templates copied to a temp folder (nothing is ever written into the repository), its simulated
    account unpaced (no test here is about pacing)."""
    return copy_samples(tmp_path / "project", unpaced=True)
