"""Per-part unified diffs of composed template content: :func:`diff` of an environment against the folder
(what a push would change) or of two environments (``--against``), built from
:func:`unified_part_diff` for each of the three parts.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ses_workbench.project.content import PARTS
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.errors import Refused
from ses_workbench.ses.sync.compare import Progress, _compose, _noop, _select

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import Project, TemplateContent


@dataclass
class PartDiff:
    part: str
    lines: list[str]  # unified diff lines (no trailing newlines); empty when the part is the same

    @property
    def changed(self) -> bool:
        return bool(self.lines)


@dataclass
class TemplateDiff:
    """``old`` → ``new``: by default remote (``old_label`` = env) → local (what a push would change)."""

    name: str
    old_label: str
    new_label: str
    old: TemplateContent | None = field(default=None, repr=False)
    new: TemplateContent | None = field(default=None, repr=False)
    parts: list[PartDiff] = field(default_factory=list)
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.error is not None or self.old is None or self.new is None or \
            any(p.changed for p in self.parts)

    @property
    def summary(self) -> str:
        if self.error:
            return f"{self.name}: {self.error}"
        if self.old is None and self.new is None:
            return f"{self.name}: absent on both sides"
        if self.old is None:
            return f"{self.name}: only in {self.new_label}"
        if self.new is None:
            return f"{self.name}: only in {self.old_label}"
        changed = [p.part for p in self.parts if p.changed]
        return f"{self.name}: {'differs in ' + ', '.join(changed) if changed else 'same'}"

    def unified(self) -> str:
        """The whole diff as text (``---``/``+++`` headers per part), as ``git diff`` would show it."""
        lines: list[str] = []
        for p in self.parts:
            lines.extend(p.lines)
        return "\n".join(lines) + ("\n" if lines else "")


def unified_part_diff(name: str, part: str, old: str | None, new: str | None, old_label: str,
                      new_label: str, context: int = 3) -> list[str]:
    """Unified diff of one part's source; absent parts diff as empty (and say so in the header)."""
    if (old or "") == (new or "") and (old is None) == (new is None):
        return []
    a = (old or "").splitlines()
    b = (new or "").splitlines()
    fa = f"{old_label}/{name}/{part}" + ("" if old is not None else " (absent)")
    fb = f"{new_label}/{name}/{part}" + ("" if new is not None else " (absent)")
    out = list(difflib.unified_diff(a, b, fa, fb, n=context, lineterm=""))
    if not out:  # only a trailing newline or absent-vs-empty differs
        out = [f"--- {fa}", f"+++ {fb}", "@@ -1 +1 @@",
               f"-{old!r}" if old is not None else "-(absent)",
               f"+{new!r}" if new is not None else "+(absent)"]
    return out


def _diff_contents(name: str, old: TemplateContent | None, new: TemplateContent | None, old_label: str,
                   new_label: str) -> TemplateDiff:
    td = TemplateDiff(name, old_label, new_label, old, new)
    for part in PARTS:
        o = getattr(old, part) if old is not None else None
        n = getattr(new, part) if new is not None else None
        if part == "html":  # SES stores "no HTML part" and "" the same way
            o = o or None
            n = n or None
        td.parts.append(PartDiff(part, unified_part_diff(name, part, o, n, old_label, new_label)))
    return td


def diff(client: SesClient, project: Project, names: Sequence[str] | None = None,
         against: SesClient | None = None, progress: Progress | None = None) -> list[TemplateDiff]:
    """Per-part unified diffs.

    Without ``against``: the environment's content (old) vs the composed local content (new), i.e.
    what ``push`` would change.  With ``against`` (``--env A --against B``): B (old) vs A (new).
    """
    progress = progress or _noop
    if against is None:
        remote = {t.name for t in client.list_templates()}
        selected = _select(project, client, names, remote)
        label = f"ses:{client.environment.name}"
        out: list[TemplateDiff] = []
        for i, name in enumerate(selected):
            progress(i, len(selected), name)
            local, error = _compose(project, name) if name in project.templates else (None, None)
            rc = client.get_template(name) if name in remote else None
            if error:
                td = TemplateDiff(name, label, "local", rc, None, error=error)
            else:
                td = _diff_contents(name, rc, local, label, "local")
            out.append(td)
        progress(len(selected), len(selected), "")
        return out

    a_names = {t.name for t in client.list_templates()}
    b_names = {t.name for t in against.list_templates()}
    selected = list(dict.fromkeys(names)) if names else sorted(a_names | b_names)
    if names:
        unknown = [n for n in names if n not in a_names and n not in b_names]
        if unknown:
            raise Refused(f"No template named {', '.join(repr(n) for n in unknown)} in "
                          f"{client.environment.name} or {against.environment.name}.")
    a_label, b_label = f"ses:{client.environment.name}", f"ses:{against.environment.name}"
    if a_label == b_label:
        a_label, b_label = f"{a_label}(a)", f"{b_label}(b)"
    out = []
    for i, name in enumerate(selected):
        progress(i, len(selected), name)
        new = client.get_template(name) if name in a_names else None
        old = against.get_template(name) if name in b_names else None
        out.append(_diff_contents(name, old, new, b_label, a_label))
    progress(len(selected), len(selected), "")
    return out
