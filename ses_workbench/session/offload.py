"""Lint many templates in a separate interpreter: the same :func:`~ses_workbench.lint.lint_project`, under
the child's own GIL.

Linting renders every fixture of every template (~8 ms a template for the samples; a 100-template
project takes about a second).  On a thread of an interactive process that second competes with the event
loop for the GIL, and each keystroke waits its turn.  ``python -m ses_workbench.session.offload`` reads
``(root, names, dialect)`` from stdin and writes the diagnostics back as plain dicts; the parent only
waits on a pipe.  Costs ~0.3 s of interpreter start, so it pays for batches, not for one template:
:meth:`Session.lint <ses_workbench.session.Session.lint>` sends a batch of :data:`CHILD_LINT_MIN` saved
templates or more here when the session was opened with ``offload=True`` (an interactive face).
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ses_workbench.engine import DEFAULT_DIALECT, Dialect
from ses_workbench.errors import WorkbenchError
from ses_workbench.lint import Diagnostic, lint_project

__all__ = ["CHILD_LINT_MIN", "LintProcessError", "errors_by_template", "lint_in_child"]

#: From this many templates on, an offloading session lints in a child interpreter.
CHILD_LINT_MIN = 12


class LintProcessError(WorkbenchError):
    """The lint child could not run or did not answer (the caller lints in-process instead)."""


def lint_in_child(root: str | Path, names: Iterable[str] | None = None, dialect: Dialect = DEFAULT_DIALECT,
                  timeout: float = 600.0) -> list[Diagnostic]:
    """``lint_project(Project.load(root), names, dialect)``, computed in a child interpreter."""
    payload = pickle.dumps((str(root), list(names) if names is not None else None, dialect))
    try:
        proc = subprocess.run([sys.executable, "-m", "ses_workbench.session.offload"], input=payload,
                              capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LintProcessError(f"the lint process did not run: {exc}") from None
    if proc.returncode != 0:
        last = (proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
        raise LintProcessError(f"the lint process failed: {last}")
    try:
        rows: list[dict[str, Any]] = pickle.loads(proc.stdout)
        return [Diagnostic(**row) for row in rows]
    except Exception as exc:  # noqa: BLE001 - anything unreadable is one failure
        raise LintProcessError(f"the lint process answered nonsense: {exc}") from None


def errors_by_template(diagnostics: Iterable[Diagnostic], names: Iterable[str]) -> Mapping[str, list[str]]:
    """Each of ``names`` → its lint errors as one-line strings (what a push refusal quotes)."""
    out: dict[str, list[str]] = {name: [] for name in names}
    for diag in diagnostics:
        if diag.is_error and diag.template in out:
            out[diag.template].append(str(diag))
    return out


def _child_main() -> None:
    from ses_workbench.project import Project

    root, names, dialect = pickle.loads(sys.stdin.buffer.read())
    diagnostics = lint_project(Project.load(root), names, dialect)
    # plain dicts: the parent rebuilds Diagnostics, whatever this interpreter's modules look like
    sys.stdout.buffer.write(pickle.dumps([d.to_dict() for d in diagnostics]))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _child_main()
