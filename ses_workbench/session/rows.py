"""Rows in memory for :meth:`Session.check <ses_workbench.session.Session.check>`: dicts, JSON strings, one
JSON text (an array, or JSON Lines), a pandas DataFrame (dotted column names nest, NaN is missing).

A data *file* (a path, or a binary stream) goes to :func:`ses_workbench.check.check_file`; everything else
is read here, as the notebook's ``Workbench.check`` always has.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ses_workbench.check import CheckReport, Row, check_rows, fast_then_exact
from ses_workbench.project.errors import FixtureError
from ses_workbench.project.fixtures import parse_json

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import EmailTemplate
    from ses_workbench.render import CompiledEmail

__all__ = ["check_in_memory", "describe_rows", "is_file", "iter_data"]


def is_file(rows: Any) -> bool:
    """A path to a data file, or a binary stream — not JSON text, which starts with ``{`` or ``[``."""
    if isinstance(rows, Path):
        return True
    if isinstance(rows, str):
        return not rows.lstrip().startswith(("{", "["))
    return hasattr(rows, "read") and not isinstance(rows, (bytes, bytearray))


def check_in_memory(compiled: CompiledEmail, tpl: EmailTemplate, rows: Any, *, max_failures: int,
                    fast: bool, sample: int) -> CheckReport:
    """``check_rows`` over rows in memory; a fast-path disagreement re-checks by rendering every row when
    the rows can be read again (an iterator cannot: from that row on every row is rendered)."""
    rerunnable = not isinstance(rows, Iterator)
    source = describe_rows(rows)

    def run(fast_now: bool) -> CheckReport:
        return check_rows(compiled, iter_data(rows), template=tpl, source=source, max_failures=max_failures,
                          fast=fast_now, sample=sample, _raise_on_mismatch=fast_now and rerunnable)

    return fast_then_exact(run, fast)


def describe_rows(rows: Any) -> str:
    """``DataFrame (3 rows)``, ``list of 2 rows``…: the report's source line."""
    mod = type(rows).__module__
    if mod.startswith("pandas"):
        return f"DataFrame ({len(rows)} rows)"
    if isinstance(rows, Sequence):
        return f"{type(rows).__name__} of {len(rows)} rows"
    return type(rows).__name__


def iter_data(rows: Any) -> Iterator[Any]:
    """Rows as plain data: dicts as they are, JSON strings parsed, a DataFrame converted lazily."""
    if type(rows).__module__.startswith("pandas") and hasattr(rows, "columns"):
        from ses_workbench.check import frame_rows

        yield from frame_rows(rows)
        return
    if isinstance(rows, (str, bytes)):
        # one JSON document: an array of rows (or JSON Lines text)
        from ses_workbench.check import iter_rows

        blob = rows.encode() if isinstance(rows, str) else rows
        fmt = "json" if blob.lstrip().startswith(b"[") else "jsonl"
        yield from iter_rows(io.BytesIO(blob), fmt)
        return
    for number, item in enumerate(rows, 1):
        if isinstance(item, (str, bytes)):
            try:
                yield Row(number, parse_json(item.decode("utf-8") if isinstance(item, bytes) else item))
            except (FixtureError, UnicodeDecodeError) as exc:
                yield Row(number, None, None, f"malformed JSON: {exc}")
        else:
            yield Row(number, item)
