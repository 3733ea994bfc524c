"""The Content-Security-Policy an email preview is shown under (the TUI's browser page, the notebook).

A rendered email is untrusted: fixture data is substituted unescaped by SES, and a pulled or cloned
template may hold anything.  Wherever the workbench shows one as HTML it sits in
``<iframe sandbox="" srcdoc=...>`` (no scripts, an opaque origin) and under this policy, which lets the
email's own inline styles, ``data:`` images and ``cid:`` references work and blocks everything that
leaves the machine: remote images, stylesheets and fonts (trackers would see every re-render), scripts,
frames, forms, ``<base>``.  Remote images, stylesheets and fonts load only when the person asks
(``remote_content=True``).
"""

from __future__ import annotations

import re

__all__ = ["email_policy", "with_policy_meta"]

_REMOTE = " http: https:"
_DOCTYPE = re.compile(r"\A(\ufeff?\s*<!doctype[^>]*>)", re.IGNORECASE)


def email_policy(*, remote_content: bool = False, script_nonce: str | None = None,
                 connect_self: bool = False) -> str:
    """The policy, as a header value.  ``script_nonce``/``connect_self`` are for a page *around* the
    email (a frame inherits its parent's policy, and runs no script anyway: it is sandboxed)."""
    remote = _REMOTE if remote_content else ""
    directives = [
        "default-src 'none'",
        f"img-src data: cid:{remote}",
        f"style-src 'unsafe-inline'{remote}",
        f"font-src data:{remote}",
        "base-uri 'none'",
        "form-action 'none'",
    ]
    if script_nonce is not None:
        directives.append(f"script-src 'nonce-{script_nonce}'")
    if connect_self:
        directives.append("connect-src 'self'")
    return "; ".join(directives)


def with_policy_meta(document: str, *, remote_content: bool = False) -> str:
    """``document`` with the policy as its first ``<meta http-equiv>`` (after a doctype, so a standards
    mode document stays one).  A policy the email declares itself can only restrict further."""
    meta = (f'<meta http-equiv="Content-Security-Policy" '
            f'content="{email_policy(remote_content=remote_content)}">')
    match = _DOCTYPE.match(document)
    at = match.end() if match else 0
    return document[:at] + meta + document[at:]
