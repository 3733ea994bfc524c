"""Lint: everything that would make SES reject a template or silently drop an email, found locally.

Each template is checked on its own (name, size, subject, text part, layout, syntax, unknown
helpers) and against each of its fixtures (missing data, ``each`` over a non-list, unused keys,
the points where SES's behaviour is not known).  Every finding is a :class:`Diagnostic` with
``file:line:column`` and a one-line reason, so editors, CI logs and the TUI can all point at it.

Missing data is found by *rendering* with the engine, the same judge as the preview: SES
stops at the first missing attribute, but a person wants them all, so the renderer is run
again with each missing path filled by a sentinel, a bounded number of times.

The modules: :mod:`.runner` (:func:`lint_project`, :func:`lint_template`), :mod:`.template` (the rules
of one template and its fixtures), :mod:`.data` (walking fixture data along the references, unused keys,
positions in a fixture's JSON), :mod:`.verification` (custom verification templates) and
:mod:`.diagnostic` (the finding and its order).
"""

from __future__ import annotations

from ses_workbench.lint.data import unused_paths
from ses_workbench.lint.diagnostic import Diagnostic
from ses_workbench.lint.runner import lint_project, lint_template
from ses_workbench.lint.template import MAX_MISSING_PER_PART, RESERVED
from ses_workbench.lint.verification import lint_verification, lint_verification_project

# SES's template name rule and size limit, as the project model defines them (re-exported).
from ses_workbench.project.content import MAX_TEMPLATE_BYTES, NAME_RE

__all__ = ["Diagnostic", "lint_project", "lint_template", "lint_verification", "lint_verification_project",
           "unused_paths", "MAX_MISSING_PER_PART", "MAX_TEMPLATE_BYTES", "NAME_RE", "RESERVED"]
