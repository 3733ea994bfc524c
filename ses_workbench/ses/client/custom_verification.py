"""Custom verification email template operations of the SES client: list, get, create/update, delete and
SendCustomVerificationEmail.  Both APIs name these operations and their members alike, so one helper
(:meth:`CustomVerificationOperations._cv_call`) sends each through the API in use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ses_workbench.ses.client.model import RemoteTemplate
from ses_workbench.ses.client.sending import SendingOperations
from ses_workbench.ses.errors import NotFound
from ses_workbench.ses.pacing import TokenBucket

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project.verification import VerificationContent


class CustomVerificationOperations(SendingOperations):
    """The custom verification template operations of :class:`~ses_workbench.ses.client.SesClient`
    (sending one is paced like any send, hence the base)."""

    # ---------------------------------------------------------------- custom verification email templates
    # (sesv2 operation names; a 2017-API adapter maps them to the `ses` service's names of the same
    # operations)
    def _cv_call(self, operation: str, *, template: str | None = None, bucket: TokenBucket | None = None,
                 **params: Any) -> dict[str, Any]:
        """A custom verification operation through the API in use (both name it and its members alike;
        only the listing's page size differs: ``PageSize`` in sesv2, ``MaxResults`` in the 2017 API)."""
        v1_params = dict(params)
        if "PageSize" in v1_params:
            v1_params["MaxResults"] = v1_params.pop("PageSize")
        return self._either(
            operation,
            lambda: self._call(operation, template=template, bucket=bucket, **params),
            lambda: self._call(operation, template=template, bucket=bucket, via_v1=True, **v1_params))

    def list_verification_templates(self) -> list[RemoteTemplate]:
        """Every custom verification template of this environment (prefix stripped), sorted."""
        out: list[RemoteTemplate] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"PageSize": 50}
            if token:
                params["NextToken"] = token
            page = self._cv_call("ListCustomVerificationEmailTemplates", **params)
            for item in page.get("CustomVerificationEmailTemplates", []) or []:
                remote = item.get("TemplateName", "")
                local = self.local_name(remote)
                if local is not None:
                    out.append(RemoteTemplate(local, remote))
            token = page.get("NextToken")
            if not token:
                break
        out.sort(key=lambda t: t.name)
        return out

    def get_verification_template(self, name: str) -> VerificationContent | None:
        """The stored custom verification template ``name``, or None when SES has none of that name."""
        from ses_workbench.project.verification import VerificationContent

        try:
            reply = self._cv_call("GetCustomVerificationEmailTemplate", template=name,
                                  TemplateName=self.remote_name(name))
        except NotFound:  # sesv2's NotFoundException, the 2017 API's ...DoesNotExist
            return None
        return VerificationContent.from_v2(reply)

    def upsert_verification_template(self, name: str, content: VerificationContent, *, exists: bool) -> str:
        """Create (``exists`` False) or update a custom verification template; never falls back."""
        op = "UpdateCustomVerificationEmailTemplate" if exists else "CreateCustomVerificationEmailTemplate"
        params: dict[str, Any] = {"TemplateName": self.remote_name(name), **content.to_v2()}
        self._cv_call(op, template=name, **params)
        return "updated" if exists else "created"

    def delete_verification_template(self, name: str, *, missing_ok: bool = False) -> bool:
        try:
            self._cv_call("DeleteCustomVerificationEmailTemplate", template=name,
                          TemplateName=self.remote_name(name))
            return True
        except NotFound:
            if missing_ok:
                return False
            raise

    def send_verification_email(self, name: str, address: str) -> str:
        """SendCustomVerificationEmail: SES mails ``address`` the template with a verification link."""
        reply = self._cv_call("SendCustomVerificationEmail", template=name, bucket=self.send_pacer(),
                              EmailAddress=address, TemplateName=self.remote_name(name))
        return str(reply.get("MessageId", ""))
