"""A small template project for the batch-check tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SUBJECT = "Hello {{contact.firstName}}\n"
HTML = """<p>Hi {{contact.firstName}},</p>
{{#if vip}}<p>Your code: {{code}}</p>{{/if}}
<ul>{{#each items}}<li>{{name}} × {{qty}}</li>{{/each}}</ul>
"""
TEXT = "Hi {{contact.firstName}} ({{contact.email}})\n"


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


def good_row(i: int = 0) -> dict:
    return {"contact": {"firstName": f"N{i}", "email": f"n{i}@x.com"}, "vip": i % 2 == 0,
            "code": f"C{i}", "items": [{"name": "pen", "qty": i}]}
