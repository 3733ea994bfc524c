"""Email template operations of the SES client: list (paginated, scratch templates hidden), get, create,
update, upsert, delete and TestRenderEmailTemplate, each through sesv2 or the 2017 API's ``*Template``
calls as the environment's API says, taking *project* names (the prefix is applied by the transport).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ses_workbench.project.fixtures import template_data_json
from ses_workbench.ses.client.model import SCRATCH_PREFIX, RemoteTemplate
from ses_workbench.ses.client.transport import SesTransport
from ses_workbench.ses.errors import BadRequest, TemplateNotFound

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import TemplateContent


class TemplateOperations(SesTransport):
    """The email template operations of :class:`~ses_workbench.ses.client.SesClient`."""

    # ---------------------------------------------------------------- templates
    def list_templates(self, *, include_scratch: bool = False,
                       all_names: bool = False) -> list[RemoteTemplate]:
        """Every template of this environment (names with our prefix, prefix stripped), sorted.

        ``all_names``: every template of the account/region, regardless of prefix (name = SES name).
        """
        items = self._either("ListEmailTemplates", self._list_v2, self._list_v1)
        out: list[RemoteTemplate] = []
        for remote, created in items:
            local = remote if all_names else self.local_name(remote)
            if local is None:
                continue
            if not include_scratch and local.startswith(SCRATCH_PREFIX):
                continue
            out.append(RemoteTemplate(local, remote, created))
        out.sort(key=lambda t: t.name)
        return out

    def _list_v2(self) -> list[tuple[str, datetime | None]]:
        out: list[tuple[str, datetime | None]] = []
        token: str | None = None
        page_size = self.page_size
        while True:
            params: dict[str, Any] = {"PageSize": page_size}
            if token:
                params["NextToken"] = token
            try:
                page = self._call("ListEmailTemplates", **params)
            except BadRequest as exc:
                # PageSize limits have differed between API versions: small pages are always accepted.
                if page_size > 10 and "pagesize" in (exc.ses_message or "").lower().replace(" ", ""):
                    page_size = 10
                    continue
                raise
            out += [(item.get("TemplateName", ""), item.get("CreatedTimestamp"))
                    for item in page.get("TemplatesMetadata", []) or []]
            token = page.get("NextToken")
            if not token:
                return out

    def _list_v1(self) -> list[tuple[str, datetime | None]]:
        out: list[tuple[str, datetime | None]] = []
        token: str | None = None
        while True:
            # ListTemplates: MaxItems 1..100 (more is taken as 100).
            params: dict[str, Any] = {"MaxItems": max(1, min(100, self.page_size))}
            if token:
                params["NextToken"] = token
            page = self._call("ListTemplates", **params)
            out += [(item.get("Name", ""), item.get("CreatedTimestamp"))
                    for item in page.get("TemplatesMetadata", []) or []]
            token = page.get("NextToken")
            if not token:
                return out

    def get_template(self, name: str) -> TemplateContent | None:
        """The stored content of ``name``, or None when SES has no such template."""
        from ses_workbench.project import TemplateContent

        remote = self.remote_name(name)

        def v2() -> TemplateContent:
            reply = self._call("GetEmailTemplate", template=name, TemplateName=remote)
            return TemplateContent.from_v2(reply.get("TemplateContent", {}) or {})

        def v1() -> TemplateContent:
            t = self._call("GetTemplate", template=name, TemplateName=remote).get("Template", {}) or {}
            return TemplateContent(subject=t.get("SubjectPart") or "", html=t.get("HtmlPart") or "",
                                   text=t.get("TextPart"))

        try:
            return self._either("GetEmailTemplate", v2, v1)
        except TemplateNotFound:
            return None

    def create_template(self, name: str, content: TemplateContent) -> None:
        remote = self.remote_name(name)
        self._either("CreateEmailTemplate",
                     lambda: self._call("CreateEmailTemplate", template=name, TemplateName=remote,
                                        TemplateContent=content.to_v2()),
                     lambda: self._call("CreateTemplate", template=name, Template=content.to_v1(remote)))

    def update_template(self, name: str, content: TemplateContent) -> None:
        remote = self.remote_name(name)
        self._either("UpdateEmailTemplate",
                     lambda: self._call("UpdateEmailTemplate", template=name, TemplateName=remote,
                                        TemplateContent=content.to_v2()),
                     lambda: self._call("UpdateTemplate", template=name, Template=content.to_v1(remote)))

    def upsert_template(self, name: str, content: TemplateContent, *, exists: bool) -> str:
        """Create (``exists`` False) or update (``exists`` True) as planned; returns ``"created"`` or
        ``"updated"``.  Never falls back to the other: a create that meets a template someone else made
        meanwhile raises :class:`~ses_workbench.ses.errors.TemplateAlreadyExists`, an update of one deleted
        meanwhile :class:`~ses_workbench.ses.errors.TemplateNotFound` — the caller decides (push calls it
        drift), nothing is overwritten behind its back."""
        if exists:
            self.update_template(name, content)
            return "updated"
        self.create_template(name, content)
        return "created"

    def delete_template(self, name: str, *, missing_ok: bool = False) -> bool:
        """Delete; returns False when it did not exist and ``missing_ok``.  The 2017 API's DeleteTemplate
        documents no error for a template that does not exist: there a missing one may count as deleted."""
        remote = self.remote_name(name)
        try:
            self._either("DeleteEmailTemplate",
                         lambda: self._call("DeleteEmailTemplate", template=name, TemplateName=remote),
                         lambda: self._call("DeleteTemplate", template=name, TemplateName=remote))
            return True
        except TemplateNotFound:
            if missing_ok:
                return False
            raise

    def test_render(self, name: str, data: Any) -> str:
        """TestRenderEmailTemplate (2017: TestRenderTemplate): the complete MIME message SES would send
        (``data``: dict or JSON text)."""
        text = _json(data)
        remote = self.remote_name(name)
        params: dict[str, Any] = {"TemplateName": remote, "TemplateData": text}
        reply = self._either("TestRenderEmailTemplate",
                             lambda: self._call("TestRenderEmailTemplate", template=name, **params),
                             lambda: self._call("TestRenderTemplate", template=name, **params))
        return str(reply.get("RenderedTemplate", ""))


def _json(data: Any) -> str:
    """TemplateData: JSON text as given, else the data as SES's parser takes it (no NaN: FixtureError)."""
    return data if isinstance(data, str) else template_data_json(data if data is not None else {})
