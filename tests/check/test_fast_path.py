"""The fast JSON Lines path (lines as views of the read block, rows as tuples, cached verdicts) gives
the report of the reference path: the standard library's parser and a full render of every row."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ses_workbench import check
from ses_workbench.check import CheckReport, check_file
from ses_workbench.limits import TEMPLATE_DATA_MAX_CHARS
from ses_workbench.project import Project

SAMPLES = Path(__file__).resolve().parents[2] / "sample_templates"


def comparable(report: CheckReport) -> dict[str, Any]:
    d = report.to_dict()
    for k in ("seconds", "rows_per_second", "rendered", "workers", "fast_path"):
        d.pop(k)
    return d


def _split(data: bytes, start: int, end: int | None, block: int, views: bool) -> list[tuple[bytes, int]]:
    fh = io.BytesIO(data)
    fh.seek(start)
    return [(bytes(line), big) for line, big in check._split_lines(fh, check._Counter(), start, end, block,
                                                                   views=views)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.binary(max_size=90).map(lambda b: b.replace(b"\n", b"")), max_size=25),
       tail=st.sampled_from([b"", b"\n", b"\n\n", b"\r\n"]), block=st.sampled_from([1, 2, 5, 16, 64, 4096]),
       cut=st.floats(0, 1), span=st.one_of(st.none(), st.floats(0, 1.1)))
def test_line_views_are_the_lines_the_copying_splitter_gives(
        monkeypatch: pytest.MonkeyPatch, parts: list[bytes], tail: bytes, block: int, cut: float,
        span: float | None) -> None:
    """Whatever the block size, range and line lengths (over the cap: counted, not held)."""
    monkeypatch.setattr(check, "_LINE_CAP", 40)  # the same for every example: no reset needed
    data = b"\n".join(parts) + tail
    start = int(cut * len(data))
    end = None if span is None else start + int(span * (len(data) - start + 1))
    assert _split(data, start, end, block, views=True) == _split(data, start, end, block, views=False)


def _rows() -> list[bytes]:
    """Rows of order-receipt that differ from its fixtures in one referenced place each."""
    tpl = Project.load(SAMPLES).get("order-receipt")
    bases = [fx.data for fx in tpl.fixtures.values()]

    def edit(base: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
        row = copy.deepcopy(base)
        parent = row
        for seg in path[:-1]:
            parent = parent[seg]
        if value is KeyError:
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = value
        return row

    edits: list[tuple[tuple[Any, ...], Any]] = [
        (("customer", "firstName"), KeyError), (("customer", "firstName"), None),
        (("customer", "firstName"), ""), (("customer", "firstName"), "Zoë 🎉 \u202e"),
        (("customer", "firstName"), 7), (("customer", "firstName"), ["a"]), (("customer", "firstName"), {}),
        (("customer",), "Ada"), (("customer",), []), (("customer",), None),
        (("order", "giftMessage"), "for you"), (("order", "giftMessage"), ""), (("order", "giftMessage"), 0),
        (("order", "estimatedDelivery"), KeyError), (("order", "estimatedDelivery"), False),
        (("items",), []), (("items",), {}), (("items",), "x"), (("items",), None), (("items",), [None]),
        (("items", 0, "name"), KeyError), (("items", 0, "name"), None), (("items", 0, "quantity"), "2"),
        (("items", 0, "quantity"), 2.5), (("items", 0, "variant"), ""), (("items", 0, "variant"), "Red"),
        (("items", 0, "unitPriceNote"), True), (("items", 0), "pen"), (("items", 0), {}),
        (("shipping", "address", "line2"), None), (("shipping", "address", "line2"), "Flat 2"),
        (("shipping", "address"), KeyError), (("shipping", "address"), "somewhere"),
        (("totals", "discount"), "-$1.00"), (("totals", "discountCode"), ""),
        (("recommendations",), [{"name": "x"}]), (("recommendations",), KeyError),
    ]
    rows = [json.dumps(b, ensure_ascii=False) for b in bases]
    for i, (path, value) in enumerate(edits):
        base = bases[i % len(bases)]
        try:
            rows.append(json.dumps(edit(base, path, value), ensure_ascii=i % 2 == 0))
        except (IndexError, KeyError, TypeError):
            continue  # the fixture has no such place
    big = dict(bases[0], supportUrl="x" * (TEMPLATE_DATA_MAX_CHARS + 10))
    rows += [json.dumps(big), '{"customer": ', "[1, 2]", "null", '"text"', "  ", "",
             '   {"customer": {"firstName": "Sp"}}', json.dumps(bases[1]) + "\r"]
    lines = [r.encode("utf-8") for r in rows] + [b'{"customer": {"firstName": "\xff"}}']
    return lines * 3  # repeats: verdicts reused, and spot-checked


@pytest.mark.parametrize("workers", [1, 2])
def test_fast_path_reports_what_rendering_every_row_reports(tmp_path: Path, workers: int) -> None:
    tpl = Project.load(SAMPLES).get("order-receipt")
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join(_rows()) + b"\n")
    reference = check_file(tpl, path, fast=False, workers=1, fast_json=False)
    assert reference.failing > 40 and reference.ok > 20  # the rows really mix verdicts
    assert {f.reason for f in reference.failures} >= {"missing-attribute", "invalid-data",
                                                      "template-data-too-long"}
    fast = check_file(tpl, path, workers=workers, _chunk_bytes=20_000)
    assert fast.workers == workers
    assert fast.fast_path == "on" and fast.rendered < fast.rows  # verdicts were reused
    assert comparable(fast) == comparable(reference)
