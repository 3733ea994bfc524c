"""Small builders for project tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests import conftest


def write_template(root: Path, name: str, *, subject: str | None = "Hello {{name}}\n",
                   html: str | None = "<p>Hi {{name}}</p>\n", text: str | None = None,
                   fixtures: dict[str, Any] | None = None, meta: str | None = None) -> Path:
    """A template folder with a subject and an HTML part unless told otherwise, and no data folder."""
    return conftest.write_template(root, name, subject=subject, html=html, text=text, meta=meta,
                                   fixtures=fixtures or None)
