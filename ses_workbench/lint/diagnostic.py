"""The finding lint reports: a :class:`Diagnostic`, located in the file a person edits.

Every rule of the package produces these, each with ``file:line:column`` and a one-line reason, so
editors, CI logs and the TUI can all point at it; :func:`_sorted_unique` is the one order (path, line,
column, code) and the one rule for dropping a finding reported twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Diagnostic:
    """One finding, located in the file a person edits."""

    severity: str  # "error" | "warning"
    code: str  # stable short id, e.g. "missing-attribute"
    message: str  # one line
    path: str
    line: int = 1
    column: int = 1
    template: str | None = None
    part: str | None = None
    fixture: str | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message} [{self.code}]"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _sorted_unique(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[str, str, int, int, str, str | None]] = set()
    out: list[Diagnostic] = []
    for d in diags:
        key = (d.code, d.path, d.line, d.column, d.message, d.fixture)
        if key in seen:
            continue
        seen.add(key)
        out.append(d)
    out.sort(key=lambda d: (d.path, d.line, d.column, d.code))
    return out
