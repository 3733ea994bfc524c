"""A small template project for the batch-check tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.check.check_helpers import HTML, SUBJECT, TEXT


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    tpl = root / "greet"
    (tpl / "data").mkdir(parents=True)
    (tpl / "subject.txt").write_text(SUBJECT)
    (tpl / "body.html").write_text(HTML)
    (tpl / "body.txt").write_text(TEXT)
    (tpl / "data" / "default.json").write_text(json.dumps(
        {"contact": {"firstName": "Ann", "email": "a@x.com"}, "vip": False, "items": []}))
    return root
