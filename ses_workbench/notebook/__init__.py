"""The workbench in a Jupyter notebook: ``from ses_workbench import Workbench``.

:class:`Workbench` (:mod:`.workbench`) is the notebook face of a :class:`~ses_workbench.session.Session`:
its methods mirror the CLI's commands, and every one returns a view (:mod:`.views`) whose ``_repr_html_``
shows itself when it is a cell's value (a rendered email, tables for lint/status/push/send/check, a
side-by-side diff).  :mod:`.live` is the live preview (``wb.live(name)``).

Safety decisions:

- A rendered email's HTML is shown in ``<iframe sandbox="" srcdoc="...">`` (:func:`sandboxed_iframe`): no
  scripts, no same-origin access to the notebook, no forms, no top navigation; remote images load only
  with ``Workbench(remote_images=True)``; every other string that reaches the page is escaped.
- Outward actions (``push``, ``send``) never happen without ``yes=True``; without it they
  return the plan (what would be pushed, with diffs) or the preview (who would get what).
- SES is reached through the same environments as the TUI and CLI: the project's default environment —
  the embedded local SES endpoint unless configured otherwise.  It is opened on first use and closed by
  :meth:`Workbench.close` or at interpreter exit.
"""

from __future__ import annotations

from ses_workbench.notebook.views import (
    CheckView,
    DiffView,
    LintView,
    ParityView,
    PushView,
    RenderedView,
    SendView,
    StatusView,
    TemplateList,
    sandboxed_iframe,
)
from ses_workbench.notebook.workbench import NotebookUi, Workbench

__all__ = [
    "CheckView",
    "DiffView",
    "LintView",
    "NotebookUi",
    "ParityView",
    "PushView",
    "RenderedView",
    "SendView",
    "StatusView",
    "TemplateList",
    "Workbench",
    "sandboxed_iframe",
]
