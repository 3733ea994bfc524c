"""Helpers for the domain tests: build small template projects on disk."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_templates"

MakeTemplate = Callable[..., Path]


def write_template(root: Path, name: str, *, subject: str | None = "Hello",
                   html: str | None = "<p>Hi</p>", text: str | None = "Hi",
                   fixtures: dict[str, Any] | None = None) -> Path:
    """A template folder; a fixture value that is a str is written as raw JSON text."""
    folder = root / name
    (folder / "data").mkdir(parents=True, exist_ok=True)
    for fname, value in (("subject.txt", subject), ("body.html", html), ("body.txt", text)):
        if value is not None:
            (folder / fname).write_text(value, encoding="utf-8")
    for fx, data in (fixtures if fixtures is not None else {"default": {}}).items():
        raw = data if isinstance(data, str) else json.dumps(data, indent=2)
        (folder / "data" / f"{fx}.json").write_text(raw, encoding="utf-8")
    return folder


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    return root


@pytest.fixture
def make_template(project_dir: Path) -> MakeTemplate:
    def make(name: str = "t", **kw: Any) -> Path:
        return write_template(project_dir, name, **kw)

    return make


@pytest.fixture
def samples_copy(tmp_path: Path) -> Path:
    """A private copy of sample_templates/."""
    assert SAMPLES.is_dir() and any(SAMPLES.iterdir()), f"{SAMPLES} is missing or empty"
    dest = tmp_path / "samples"
    shutil.copytree(SAMPLES, dest, ignore=shutil.ignore_patterns(".ses-workbench"))
    return dest
