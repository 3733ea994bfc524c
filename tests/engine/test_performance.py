"""Loose guards against pathological slowness (the real figures live in bench/; CI machines vary)."""

from __future__ import annotations

import time
from typing import Any

from ses_workbench.engine import compile

ROW = ('<tr><td style="padding:8px">{{name}}</td><td>{{qty}}</td><td>{{price}}</td>'
       "{{#if discount}}<td>-{{discount}}</td>{{/if}}</tr>\n")
RECEIPT = (
    "<p>Hi {{customer.firstName}} {{customer.lastName}}, order #{{order.id}} on {{order.date}}.</p>\n"
    "<table>{{#each items}}" + ROW + "{{/each}}</table>\n"
    "<table>{{#each refunds}}<tr><td>{{@index}}</td><td>{{reason}}</td><td>{{amount}}</td>"
    "<td>{{../currency}}</td></tr>\n{{/each}}</table>\n"
    "<p>Total: {{totals.total}} {{currency}}</p>{{#if coupon}}<p>{{coupon.code}}</p>{{/if}}\n"
    + '<p style="color:#999">Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>\n' * 60
)
DATA: dict[str, Any] = {
    "customer": {"firstName": "Ann", "lastName": "Lee"}, "order": {"id": "A-1", "date": "2024-01-01"},
    "items": [{"name": f"Item {i}", "qty": i, "price": i * 1.5, "discount": i % 3 == 0} for i in range(20)],
    "refunds": [{"reason": "r", "amount": i} for i in range(20)], "currency": "USD",
    "totals": {"total": 11.25}, "coupon": {"code": "C"},
}


def test_receipt_renders_fast() -> None:
    tpl = compile(RECEIPT)
    out = tpl.render(DATA)
    assert "Item 19" in out and "28.5" in out
    start = time.perf_counter()
    for _ in range(200):
        tpl.render(DATA)
    assert (time.perf_counter() - start) / 200 < 0.005  # ~0.05 ms on a laptop


def test_100kb_template_compiles_fast() -> None:
    source = RECEIPT * (100_000 // len(RECEIPT) + 1)
    assert len(source) >= 100_000
    start = time.perf_counter()
    tpl = compile(source)
    assert time.perf_counter() - start < 2.0  # ~40 ms on a laptop
    assert tpl.render(DATA).count("Item 19") == source.count("{{#each items}}")
