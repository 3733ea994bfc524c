"""Helpers for the domain tests: small template projects on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests import conftest

MakeTemplate = Callable[..., Path]


def write_template(root: Path, name: str, *, subject: str | None = "Hello",
                   html: str | None = "<p>Hi</p>", text: str | None = "Hi",
                   fixtures: dict[str, Any] | None = None) -> Path:
    """A template folder with all three parts and ``data/default.json`` unless told otherwise."""
    return conftest.write_template(root, name, subject=subject, html=html, text=text,
                                   fixtures=fixtures if fixtures is not None else {"default": {}}, indent=2)


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
