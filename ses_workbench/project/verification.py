"""Custom verification email templates: the second kind of SES template.

A folder whose ``template.toml`` says ``kind = "custom-verification"`` holds the email SES sends when an
application calls ``SendCustomVerificationEmail`` to verify an address: ``subject.txt`` (SES's
``TemplateSubject``), ``body.html`` (``TemplateContent``), and in ``template.toml`` the sender
(``from_address``, ``FromEmailAddress``) and where the recipient lands after clicking the link
(``success_redirection_url``, ``failure_redirection_url``).  SES does no Handlebars substitution in these
templates: ``{{`` is literal text.  SES adds the verification link itself; :func:`with_verification_link`
shows the email as the recipient receives it.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ses_workbench.project.errors import ConfigError, PartError
from ses_workbench.project.files import UnsafeFile, read_file

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project.model import Project

__all__ = ["KIND", "META_KEYS", "VerificationContent", "VerificationMeta", "VerificationTemplate",
           "kind_of", "with_verification_link", "MAX_VERIFICATION_BYTES", "MAX_VERIFICATION_TEMPLATES",
           "PREVIEW_LINK"]

KIND = "custom-verification"
META_KEYS = ("kind", "description", "from_address", "success_redirection_url", "failure_redirection_url")
#: API reference, CreateCustomVerificationEmailTemplate: "The total size of the email must be less than
#: 10 MB."
MAX_VERIFICATION_BYTES = 10 * 1024 * 1024
#: SES quota: custom verification email templates per account (the Developer Guide's FAQ).
MAX_VERIFICATION_TEMPLATES = 50
#: What previews show in place of the one-time link SES adds.
PREVIEW_LINK = "https://email-verification.example/verify?token=PREVIEW"


def kind_of(folder: Path, root: Path) -> str | None:
    """The ``kind`` a folder's ``template.toml`` names (None: absent, unreadable — a FIFO, a link out of
    the project: never opened — or not a string)."""
    import tomllib

    try:
        raw = read_file(folder / "template.toml", root)
    except (OSError, UnsafeFile):
        return None
    if b"kind" not in raw:
        return None
    try:
        value = tomllib.loads(raw.decode("utf-8-sig")).get("kind")
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class VerificationContent:
    """What SES stores for a custom verification email template (``GetCustomVerificationEmailTemplate``)."""

    from_address: str
    subject: str
    html: str
    success_url: str
    failure_url: str

    def to_v2(self) -> dict[str, str]:
        """The request members of Create/UpdateCustomVerificationEmailTemplate (without the name)."""
        return {"FromEmailAddress": self.from_address, "TemplateSubject": self.subject,
                "TemplateContent": self.html, "SuccessRedirectionURL": self.success_url,
                "FailureRedirectionURL": self.failure_url}

    @classmethod
    def from_v2(cls, data: dict[str, Any]) -> VerificationContent:
        return cls(from_address=data.get("FromEmailAddress") or "", subject=data.get("TemplateSubject") or "",
                   html=data.get("TemplateContent") or "",
                   success_url=data.get("SuccessRedirectionURL") or "",
                   failure_url=data.get("FailureRedirectionURL") or "")

    @property
    def size_bytes(self) -> int:
        return len(self.html.encode("utf-8"))

    def content_hash(self) -> str:
        canonical = json.dumps(self.to_v2(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class VerificationMeta:
    description: str = ""
    from_address: str = ""
    success_url: str = ""
    failure_url: str = ""
    extra: tuple[str, ...] = ()  # keys nothing reads (lint warns)


def with_verification_link(body: str, link: str) -> str:
    """``body`` as the recipient sees it: SES adds the verification link after the template's content
    (before ``</body>`` when there is one)."""
    href = html.escape(link, quote=True)
    block = (f'\n<p style="margin-top:24px"><a href="{href}">{html.escape(link)}</a></p>\n')
    low = body.lower()
    at = low.rfind("</body>")
    return body[:at] + block + body[at:] if at >= 0 else body + block


class VerificationTemplate:
    """A custom verification template folder; ``name`` is the folder name and the SES template name."""

    kind = KIND

    def __init__(self, project: Project, name: str, directory: Path) -> None:
        self.project = project
        self.name = name
        self.dir = directory

    def __repr__(self) -> str:
        return f"VerificationTemplate({self.name!r})"

    @property
    def meta_path(self) -> Path:
        return self.dir / "template.toml"

    def part_path(self, part: str) -> Path:
        return self.dir / {"subject": "subject.txt", "html": "body.html"}[part]

    def source(self, part: str) -> str | None:
        from ses_workbench.project.template import read_part_text

        return read_part_text(self.part_path(part), self.project.root)

    @property
    def meta(self) -> VerificationMeta:
        from ses_workbench.project.config import key_position, parse_toml

        path = self.meta_path
        try:
            text = read_file(path, self.project.root).decode("utf-8-sig")
        except (OSError, UnsafeFile, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read template metadata ({exc})", path) from None
        raw = parse_toml(text, path)
        values: dict[str, str] = {}
        for key in META_KEYS:
            value = raw.get(key, "")
            if not isinstance(value, str):
                raise ConfigError(f"{key} must be a string", path,
                                  *(key_position(text, (key,)) or (None, None)))
            values[key] = value
        return VerificationMeta(values["description"], values["from_address"].strip(),
                                values["success_redirection_url"].strip(),
                                values["failure_redirection_url"].strip(),
                                tuple(k for k in raw if k not in META_KEYS))

    @property
    def description(self) -> str:
        try:
            return self.meta.description
        except ConfigError:
            return ""

    def compose(self, validate: bool = True) -> VerificationContent:
        """The content SES stores (no layouts, no substitution: the files as they are, the subject one
        line).  With ``validate``: a missing part or setting raises an error naming its file."""
        meta = self.meta
        subject = (self.source("subject") or "").rstrip("\r\n")
        body = self.source("html")
        if validate:
            if not subject.strip():
                raise PartError("the subject is empty or missing (SES requires TemplateSubject)",
                                self.part_path("subject"))
            if "\n" in subject or "\r" in subject:
                raise PartError("the subject must be one line", self.part_path("subject"))
            if body is None or not body.strip():
                raise PartError("missing body.html (SES requires TemplateContent)", self.part_path("html"))
            for key, value in (("from_address", meta.from_address),
                               ("success_redirection_url", meta.success_url),
                               ("failure_redirection_url", meta.failure_url)):
                if not value:
                    raise ConfigError(f"{key} is required for a custom verification template",
                                      self.meta_path)
        return VerificationContent(meta.from_address, subject, body or "", meta.success_url, meta.failure_url)

    def preview_html(self, link: str = PREVIEW_LINK) -> str:
        """The email body as the recipient sees it, with the verification link SES adds."""
        return with_verification_link(self.compose(validate=False).html, link)
