"""ses-workbench: edit, check, deploy and test-send Amazon SES email templates.

The package is layered (see docs/ARCHITECTURE.md): ``engine`` (SES's Handlebars
dialect, stdlib only) → ``project``/``render``/``lint``/``mime`` (domain) →
``ses`` (boto3 sesv2 and the embedded local endpoint) → UI (``cli``, ``tui``,
``notebook``).  Nothing below the UI imports textual.
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
