"""What SES stores for a template (``TemplateContent``), the part names, and SES's name and size rules."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ses_workbench.project.errors import TemplateNameError

__all__ = ["MAX_TEMPLATE_BYTES", "NAME_RE", "PARTS", "PART_FILES", "TemplateContent", "validate_name"]

#: The three parts, in SES's order (the order a person reads an email); each maps to one file in the
#: template folder.  The one definition: every layer imports it from here.
PARTS: tuple[str, str, str] = ("subject", "html", "text")
PART_FILES: dict[str, str] = {"subject": "subject.txt", "html": "body.html", "text": "body.txt"}
NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
#: SES: "500 KB per template (text + HTML)"; counted in UTF-8 bytes, KB = 1024 (unverified: may be 1000).
MAX_TEMPLATE_BYTES = 500 * 1024


def validate_name(name: str, path: Path | str | None = None) -> str:
    """Return ``name`` if SES accepts it as a template name, else raise TemplateNameError naming ``path``."""
    if not isinstance(name, str) or not NAME_RE.match(name):
        why = "is empty" if not name else (
            f"is {len(name)} characters long (at most 64)" if len(name) > 64
            else "may only use letters, digits, '_' and '-'")
        raise TemplateNameError(f"template name {name!r} {why} (SES rule ^[a-zA-Z0-9_-]{{1,64}}$)", path)
    return name


@dataclass(frozen=True)
class TemplateContent:
    """SES's ``TemplateContent``: the Handlebars source of each part, exactly as pushed.

    ``html`` is ``""`` for a text-only template; ``text`` is None when there is no text part.
    """

    subject: str
    html: str
    text: str | None = None

    def part(self, part: str) -> str | None:
        """The source of one part by name (``subject``/``html``/``text``)."""
        if part not in PARTS:
            raise ValueError(f"unknown part {part!r} (expected one of {', '.join(PARTS)})")
        value: str | None = getattr(self, part)
        return value

    def to_v2(self) -> dict[str, str]:
        """``{"Subject", "Html", "Text"}`` as the sesv2 API takes it (absent parts omitted)."""
        out = {"Subject": self.subject}
        if self.html:
            out["Html"] = self.html
        if self.text is not None:
            out["Text"] = self.text
        return out

    @classmethod
    def from_v2(cls, data: dict[str, Any]) -> TemplateContent:
        """From sesv2's ``TemplateContent`` dict (``GetEmailTemplate`` returns this shape)."""
        return cls(subject=data.get("Subject") or "", html=data.get("Html") or "", text=data.get("Text"))

    def to_v1(self, name: str) -> dict[str, str]:
        """The v1 ``Template`` dict (``TemplateName``, ``SubjectPart``, ``HtmlPart``, ``TextPart``)."""
        out = {"TemplateName": name, "SubjectPart": self.subject}
        if self.html:
            out["HtmlPart"] = self.html
        if self.text is not None:
            out["TextPart"] = self.text
        return out

    @property
    def size_bytes(self) -> int:
        """What counts against SES's 500 KB limit: HTML + text, UTF-8 encoded."""
        return len(self.html.encode("utf-8")) + len((self.text or "").encode("utf-8"))

    def content_hash(self) -> str:
        """sha256 of the canonical JSON of :meth:`to_v2`: equal hashes mean SES would store the same thing."""
        canonical = json.dumps(self.to_v2(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
