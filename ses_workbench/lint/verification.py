"""Lint of custom verification email templates (``kind = "custom-verification"``): SES's rules for
``CreateCustomVerificationEmailTemplate`` and the account's quota of such templates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ses_workbench.lint.diagnostic import Diagnostic, _one_line, _sorted_unique
from ses_workbench.project.errors import (
    ConfigError,
    ProjectError,
)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def lint_verification(tpl: Any, identities: Iterable[str] | None = None) -> list[Diagnostic]:
    """Every diagnostic for one custom verification template (``kind = "custom-verification"``).

    SES's rules (API reference, CreateCustomVerificationEmailTemplate; the Developer Guide's custom
    verification FAQ): every member required, the email under 10 MB, HTML only of the tags and attributes
    the FAQ lists (:mod:`ses_workbench.project.verification_html`), no substitution (``{{`` stays literal
    text), and the sender a verified identity — checked when ``identities`` (the environment's verified
    ones) is given.
    """
    from ses_workbench.project.config import key_position
    from ses_workbench.project.verification import MAX_VERIFICATION_BYTES
    from ses_workbench.project.verification_html import html_problems
    from ses_workbench.ses.local.rules import identity_key, is_verified

    name = tpl.name
    out: list[Diagnostic] = []
    meta_path = str(tpl.meta_path)

    def diag(severity: str, code: str, message: str, path: Any, line: int = 1, column: int = 1,
             part: str | None = None) -> None:
        out.append(Diagnostic(severity, code, message, str(path), line, column, name, part))

    try:
        meta = tpl.meta
        meta_text = Path(tpl.meta_path).read_text("utf-8-sig")
    except (ConfigError, OSError) as exc:
        diag("error", "bad-metadata", _one_line(str(getattr(exc, "message", exc))), meta_path,
             getattr(exc, "line", None) or 1, getattr(exc, "column", None) or 1)
        return out
    for key, value in (("from_address", meta.from_address), ("success_redirection_url", meta.success_url),
                       ("failure_redirection_url", meta.failure_url)):
        line, col = key_position(meta_text, (key,)) or (1, 1)
        if not value:
            diag("error", "missing-setting", f"{key} is required for a custom verification template "
                 "(SES requires it)", meta_path)
        elif key != "from_address" and not re.match(r"^https?://", value):
            diag("warning", "redirect-url",
                 f"{key} should be an http:// or https:// URL the recipient's browser can open",
                 meta_path, line, col)
    for key in meta.extra:
        line, col = key_position(meta_text, (key,)) or (1, 1)
        diag("warning", "unknown-key", f"template.toml key {key!r} is not read for a custom verification "
             "template", meta_path, line, col)
    if meta.from_address and identities is not None:
        try:
            from ses_workbench.ses.local.rules import bare_address

            sender = bare_address(meta.from_address)
        except ValueError:
            sender = meta.from_address
        if not is_verified(sender, {identity_key(i) for i in identities}):
            line, col = key_position(meta_text, ("from_address",)) or (1, 1)
            diag("error", "sender-not-verified", f"from_address {sender} is not a verified identity of this "
                 "environment (SES sends custom verification emails only from verified identities)",
                 meta_path, line, col)
    try:
        subject = tpl.source("subject")
        body = tpl.source("html")
    except ProjectError as exc:
        diag("error", "unreadable", _one_line(str(getattr(exc, "message", exc))),
             getattr(exc, "path", "") or tpl.dir)
        return out
    subject_path, html_path = tpl.part_path("subject"), tpl.part_path("html")
    if subject is None or not subject.strip():
        diag("error", "empty-subject", "the subject is empty or missing (SES requires TemplateSubject)",
             subject_path, part="subject")
    elif "\n" in subject.rstrip("\r\n") or "\r" in subject.rstrip("\r\n"):
        diag("error", "subject-lines", "the subject must be one line", subject_path, 2, 1, "subject")
    if body is None or not body.strip():
        diag("error", "no-body", "missing body.html (SES requires TemplateContent)", html_path, part="html")
        body = ""
    size = len(body.encode("utf-8"))
    if size >= MAX_VERIFICATION_BYTES:
        diag("error", "too-large", f"body.html is {size:,} bytes; SES requires a custom verification email "
             f"under {MAX_VERIFICATION_BYTES:,} bytes (10 MB)", html_path, part="html")
    for problem in html_problems(body):  # the endpoint runs the same check (one table, the domain's)
        diag("error", "forbidden-html", problem.message, html_path, problem.line, problem.column, "html")
    for part, text, path in (("subject", subject or "", subject_path), ("html", body, html_path)):
        at = text.find("{{")
        if at >= 0:
            line, col = _position(text, at)
            diag("warning", "literal-braces",
                 "'{{' is literal text here: SES does no Handlebars substitution "
                 "in custom verification templates, the recipient sees the braces", path, line, col, part)
    return _sorted_unique(out)


def lint_verification_project(project: Any, names: Iterable[str] | None = None,
                              identities: Iterable[str] | None = None) -> list[Diagnostic]:
    """:func:`lint_verification` for the project's custom verification templates, plus SES's quota of
    custom verification templates per account."""
    from ses_workbench.project.verification import MAX_VERIFICATION_TEMPLATES

    templates = getattr(project, "verification_templates", {})
    selected = [templates[n] for n in names if n in templates] if names is not None \
        else list(templates.values())
    ids = list(identities) if identities is not None else None
    out: list[Diagnostic] = []
    for tpl in selected:
        out.extend(lint_verification(tpl, ids))
    if len(templates) > MAX_VERIFICATION_TEMPLATES:
        out.append(Diagnostic("error", "too-many-templates",
                              f"{len(templates)} custom verification templates; SES allows at most "
                              f"{MAX_VERIFICATION_TEMPLATES} per account", str(project.root)))
    return _sorted_unique(out)
