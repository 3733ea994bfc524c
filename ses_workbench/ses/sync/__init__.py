"""Sync between the template folders and an SES environment: status, diff, push, pull.

What is compared and pushed is always the *composed* content (layouts applied, text part
generated) — exactly what ``EmailTemplate.compose()`` returns and SES stores.  The state
folder remembers the hash of what we last pushed (or pulled) per environment; that baseline
is how ``status`` tells "modified locally" from "changed remotely since our last push", and
how ``push`` refuses to overwrite someone else's change (unless ``force``, and then only
after backing the remote content up).  The check is made again right before each write
(:func:`execute_push`): what changed in SES while a person read the plan is refused, not overwritten.

SES has no last-modified date and ListEmailTemplates returns names only, so every
comparison costs one paced GetEmailTemplate per template present on both sides; every
multi-template function therefore reports progress through ``progress(done, total, name)``.

Python API (CLI, TUI workers and the notebook call these)::

    status(client, project, names=None, progress=None) -> list[TemplateStatus]
    diff(client, project, names=None, against=None, progress=None) -> list[TemplateDiff]
    plan_push(client, project, names=None, force=False, no_lint=False, progress=None) -> PushPlan
    forced(plan) -> PushPlan        # the drift refusals of a shown plan, forced over what it showed
    execute_push(client, project, plan, progress=None) -> PushResult   # re-reads; drift since: refused
    push(client, project, names=None, *, force, dry_run, no_lint, confirm, progress) -> PushResult
    pull(client, project, names=None, *, force, dry_run, confirm, progress) -> PullResult

The parts: :mod:`~ses_workbench.ses.sync.compare` (states, :func:`classify`, :func:`status`),
:mod:`~ses_workbench.ses.sync.diffs`, :mod:`~ses_workbench.ses.sync.push_plan` (the push plan),
:mod:`~ses_workbench.ses.sync.push_execute` (carrying a plan out) and :mod:`~ses_workbench.ses.sync.pulling`.
"""

from __future__ import annotations

from ses_workbench.ses.sync.compare import Progress, State, TemplateStatus, classify, status
from ses_workbench.ses.sync.diffs import PartDiff, TemplateDiff, diff, unified_part_diff
from ses_workbench.ses.sync.pulling import PullItem, PullResult, pull
from ses_workbench.ses.sync.push_execute import PushResult, execute_push, push
from ses_workbench.ses.sync.push_plan import Linter, PushItem, PushPlan, forced, plan_push, selected_for_push

__all__ = ["State", "TemplateStatus", "TemplateDiff", "PartDiff", "PushItem", "PushPlan", "PushResult",
           "PullItem", "PullResult", "Progress", "status", "diff", "plan_push", "forced", "execute_push",
           "push", "pull", "selected_for_push", "unified_part_diff", "classify", "Linter"]
