"""The SES v2 operations of the local endpoint, as plain Python: request dict in, response dict out.

Each public ``op_*`` method takes the operation's input (URI parameters, query string and JSON body merged
into one dict, named as in botocore's ``sesv2`` model) and returns the output dict, or raises
:class:`ApiError` carrying the SES error type, HTTP status and message — the HTTP layer in ``server.py``
only routes and serialises.  SES's rules (see ``shared/SES.md``) are applied in the order SES applies
them: throttling first, then validation, then identities and sandbox, then quota, then rendering.

Sends render with our engine (default dialect: what SES is believed to do).  A templated send whose data
lacks an attribute is *accepted* (a MessageId comes back, the recipients count against the rate and the
24-hour quota) and then dropped with a "Rendering Failure" event, as SES does; only
``TestRenderEmailTemplate`` reports the missing attribute as an error.

Choices where SES's exact behaviour is not documented (each errs on the side of refusing):

- SendBulkEmail: a problem with the whole call (sender not verified, >50 entries, bad default data,
  inline template with blocks) raises; a problem with one entry (invalid address → INVALID_PARAMETER,
  sandbox → MESSAGE_REJECTED, unknown stored template → TEMPLATE_NOT_FOUND, rate → ACCOUNT_THROTTLED,
  quota → ACCOUNT_DAILY_QUOTA_EXCEEDED) is that entry's Status; if *every* entry was throttled the call
  raises TooManyRequestsException instead.
- The mailbox simulator counts against the send rate, not the daily quota; ``bounce@`` and
  ``suppressionlist@`` are not delivered (Bounce event), ``complaint@`` is delivered plus a Complaint event.
- An address identity verifies exactly that address (local part case-sensitive, no ``+label``); a
  domain identity verifies every address at that domain (not its subdomains).
"""

from __future__ import annotations

from ses_workbench.ses.local.service.base import CONTENT_FIELDS, ApiError
from ses_workbench.ses.local.service.identities import IdentitiesMixin
from ses_workbench.ses.local.service.sending import SendingMixin
from ses_workbench.ses.local.service.templates import TemplatesMixin
from ses_workbench.ses.local.verification import CustomVerificationMixin

__all__ = ["ApiError", "LocalSesService", "CONTENT_FIELDS"]


class LocalSesService(CustomVerificationMixin, TemplatesMixin, SendingMixin, IdentitiesMixin):
    """SES's template, sending, account and identity operations over a :class:`Store`.  Thread-safe.
    Each family is a mixin in a module of this package (:mod:`.templates`, :mod:`.sending`,
    :mod:`.identities`, over :mod:`.base`); the custom verification operations and link flow come from
    :mod:`ses_workbench.ses.local.verification`."""
