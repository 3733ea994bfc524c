"""SES limits on the data sent with a template, shared by ``check``, ``lint`` and the send plan.

SES refuses a ``TemplateData`` (or ``ReplacementTemplateData``) longer than 262,144 characters
(``InvalidParameterValue``); the workbench serialises data as :func:`template_data_text` does.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["TEMPLATE_DATA_MAX_CHARS", "template_data_chars", "template_data_problem", "template_data_text",
           "too_long_message"]

#: The longest TemplateData SES accepts, in characters.
TEMPLATE_DATA_MAX_CHARS = 262_144


def template_data_text(data: Any) -> str:
    """``data`` as the workbench sends it (``json.dumps``, non-ASCII kept; NaN/Infinity refused)."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False)


def template_data_chars(data: Any) -> int:
    """Characters of ``data`` serialised as TemplateData."""
    return len(template_data_text(data))


def too_long_message(chars: int) -> str:
    """The one line every face prints for TemplateData over the limit."""
    return f"TemplateData is {chars:,} characters; SES allows {TEMPLATE_DATA_MAX_CHARS:,}"


def template_data_problem(data: Any) -> str | None:
    """:func:`too_long_message` when ``data`` is longer than SES takes, else None (also for data that is
    not JSON at all: other checks report that)."""
    try:
        chars = template_data_chars(data)
    except (TypeError, ValueError, RecursionError):
        return None
    return too_long_message(chars) if chars > TEMPLATE_DATA_MAX_CHARS else None
