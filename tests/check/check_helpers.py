"""Shared data for the batch-check tests (a module with a unique name: tests are not packages)."""

from __future__ import annotations

from typing import Any

SUBJECT = "Hello {{contact.firstName}}\n"
HTML = """<p>Hi {{contact.firstName}},</p>
{{#if vip}}<p>Your code: {{code}}</p>{{/if}}
<ul>{{#each items}}<li>{{name}} × {{qty}}</li>{{/each}}</ul>
"""
TEXT = "Hi {{contact.firstName}} ({{contact.email}})\n"


def good_row(i: int = 0) -> dict[str, Any]:
    return {"contact": {"firstName": f"N{i}", "email": f"n{i}@x.com"}, "vip": i % 2 == 0,
            "code": f"C{i}", "items": [{"name": "pen", "qty": i}]}
