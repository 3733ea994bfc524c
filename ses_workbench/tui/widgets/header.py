"""The header line: project, open template (● when it has unsaved edits) and fixture, the environment
and how it is reached, the account's mode and sending quota — shorter on narrow screens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.markup import escape


@dataclass(frozen=True)
class EnvLine:
    """What the header says about the environment: its name, how it is reached, its API and account."""

    name: str
    description: str = "connecting…"
    api: str | None = None
    account: Any = None


def header_markup(root: str, template: str | None, dirty: bool, fixture: str | None, env: EnvLine, *,
                  short: bool) -> str:
    """The header as console markup (names escaped)."""
    root = escape(root)
    parts = [root if short else f"[b]ses-workbench[/b] · {root}"]
    if template:
        mark = " [yellow]●[/]" if dirty else ""
        shown = f" · {'' if short else 'data: '}{escape(fixture)}" if fixture else ""
        parts.append(f"[b]{template}[/b]{mark}{shown}")
    where = f"{'' if short else 'env: '}[b]{escape(str(env.name))}[/b]"
    if env.description and not short:
        api = f", {env.api}" if env.api else ""
        where += f" ({escape(env.description + api)})"
    parts.append(where)
    account = env.account
    if account is not None:
        mode = "[yellow]sandbox[/]" if account.sandbox else "[green]production[/]"
        left = account.remaining_24h
        if left is None:
            quota = "quota ∞"
        elif short:
            quota = f"{int(left)}/{int(account.max_24h_send)}"
        else:
            quota = f"quota {int(left)}/{int(account.max_24h_send)} left"
        parts.append(f"{mode} {quota}" if short else f"{mode} · {quota}")
    return (" · " if short else "  ·  ").join(parts)
