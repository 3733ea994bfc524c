"""ses-workbench: edit, check, deploy and test-send Amazon SES email templates.

The package is layered (docs/ARCHITECTURE.md; tests/test_import_hygiene.py checks it): ``engine``
(SES's Handlebars dialect, stdlib only) ← the domain (``project``, ``render``, ``lint``, ``check``,
``mime``, ``attributes``) ← ``ses`` (boto3 sesv2 and the embedded local endpoint) ← the faces (``cli``,
``tui``, ``notebook``).  Nothing below the faces imports textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.notebook import Workbench

__all__ = ["Workbench", "__version__"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `import ses_workbench` stays cheap and never pulls in the UI.
    if name == "Workbench":
        from ses_workbench.notebook import Workbench

        return Workbench
    raise AttributeError(name)
