"""The simulated IAM policy of the local endpoint: ``[local_ses] iam_allow = ["ses:CreateTemplate", …]``.

An account whose policy grants only some SES actions (only the 2017 API's names, or least privilege for a
deploy role) is tested by listing those actions: every other request is answered as AWS answers an
action no policy allows — ``AccessDenied`` (HTTP 403) in the 2017 API, ``AccessDeniedException`` (403) in
v2.  The action of an operation is ``ses:<OperationName>`` in both APIs (``ses:SendBulkTemplatedEmail``,
``ses:CreateEmailTemplate``).  As in IAM policies, action names are case-insensitive and ``*`` / ``?``
are wildcards (``ses:Get*``, ``ses:*``).  ``None`` (the setting absent) allows everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

__all__ = ["allows", "access_denied"]


def allows(allowed: Iterable[str] | None, operation: str) -> bool:
    """Whether a policy allowing the actions ``allowed`` permits ``operation`` (``CreateTemplate``)."""
    if allowed is None:
        return True
    action = f"ses:{operation}".lower()
    return any(fnmatchcase(action, pattern.strip().lower()) for pattern in allowed)


def access_denied(allowed: Iterable[str] | None, operation: str, account_id: str) -> str | None:
    """The message AWS gives when the policy does not allow ``operation``, or None when it does."""
    if allows(allowed, operation):
        return None
    return (f"User: arn:aws:iam::{account_id}:user/local-ses is not authorized to perform: ses:{operation} "
            f"because no identity-based policy allows the ses:{operation} action")
