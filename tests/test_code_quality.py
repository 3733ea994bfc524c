"""The project's ``make check``: ruff and strict mypy on the core, run by the test suite so CI runs them.

STYLE.md asks for one command that CI also runs; CI runs the README's test command, so the checks live
here.  Both tools read their settings from ``pyproject.toml`` (``[tool.ruff]``, ``[tool.mypy]`` — the
``files`` list there is the strictly typed core).  A failure prints the tools' own output.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.timeout(150)
def test_ruff_is_clean() -> None:
    proc = _run("ruff", "check", "--no-cache", "--output-format", "concise",
                "ses_workbench", "tests", "bench")
    assert proc.returncode == 0, f"ruff check ses_workbench tests bench:\n{proc.stdout}{proc.stderr}"


@pytest.mark.timeout(150)
def test_mypy_strict_core_is_clean() -> None:
    proc = _run("mypy")  # files and strictness from [tool.mypy] in pyproject.toml
    assert proc.returncode == 0, f"mypy (pyproject config):\n{proc.stdout}{proc.stderr}"
    assert "Success" in proc.stdout
