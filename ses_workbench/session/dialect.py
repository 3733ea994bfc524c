"""The one dialect rule: which Handlebars dialect local renders, lint and check use for an environment.

SES's rendering has points nobody has verified; ``ses-workbench calibrate`` asks a real account and records
the answer per environment (:mod:`ses_workbench.ses.calibrate`, read back by
:func:`~ses_workbench.ses.calibrate.load_dialect`).  Local work then predicts what that account does:

- a named environment (``--env NAME``, ``Session(project, "NAME")``): its own calibration;
- no name: the project's default environment — and when that is the embedded local endpoint (a stand-in
  for SES), the most recently calibrated real account;
- never calibrated: the engine's defaults (shared/SES.md's safe side).

A session computes it once (:attr:`Session.dialect <ses_workbench.session.Session.dialect>`) and every
prediction uses it: render, preview, lint, check, and the lint and local renders of push and send.  Only
``parity`` differs on purpose: it compares the engine with the endpoint it talks to, so it renders with
that endpoint's own calibration (:mod:`ses_workbench.ses.remote`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ses_workbench.ses.calibrate import load_dialect

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.engine import Dialect
    from ses_workbench.project import Project

__all__ = ["dialect_for"]


def dialect_for(project: Project, env: str | None = None) -> Dialect:
    """The dialect local renders and lint use for ``env`` (see the module docstring).

    An unknown name raises :class:`~ses_workbench.errors.ConfigError` listing the known ones."""
    environment = project.config.env(env)
    if env is None and environment.local:
        return load_dialect(project, None)
    return load_dialect(project, environment.name)
