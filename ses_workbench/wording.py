"""How counts read in what the workbench says: ``1 email``, ``2 emails``, ``0 templates``.

One helper for every face (CLI lines, TUI notifications, the core summaries they print), so no message
falls back to ``email(s)`` or to a fixed plural that reads ``1 templates``.
"""

from __future__ import annotations

__all__ = ["noun", "plural"]


def noun(count: int, word: str, many: str | None = None) -> str:
    """``word`` for one, else its plural (``many``, or ``word`` + "s"): ``noun(2, "entry", "entries")``."""
    return word if count == 1 else (many or word + "s")


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and the noun that agrees with it: ``plural(1, "email")`` -> ``"1 email"``."""
    return f"{count} {noun(count, word, many)}"
