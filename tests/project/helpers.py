"""Small builders for project tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_template(root: Path, name: str, *, subject: str | None = "Hello {{name}}\n",
                   html: str | None = "<p>Hi {{name}}</p>\n", text: str | None = None,
                   fixtures: dict[str, Any] | None = None, meta: str | None = None) -> Path:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    for fname, value in (("subject.txt", subject), ("body.html", html), ("body.txt", text),
                         ("template.toml", meta)):
        if value is not None:
            (folder / fname).write_text(value, encoding="utf-8")
    for fx, data in (fixtures or {}).items():
        (folder / "data").mkdir(exist_ok=True)
        raw = data if isinstance(data, str) else json.dumps(data)
        (folder / "data" / f"{fx}.json").write_text(raw, encoding="utf-8")
    return folder
