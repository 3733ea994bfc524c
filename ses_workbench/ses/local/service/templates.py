"""The stored email template operations of the local SES endpoint.

``CreateEmailTemplate``, ``UpdateEmailTemplate``, ``GetEmailTemplate``, ``DeleteEmailTemplate``,
``ListEmailTemplates`` and ``TestRenderEmailTemplate``, mixed into
:class:`~ses_workbench.ses.local.service.LocalSesService`.  Each is throttled first (SES's template
operations rate), then checks the name and content, and compiles the content before storing it, so a
template with a syntax error is refused (BadRequestException) and the compiled parts are cached for the
sends that use it.  ``TestRenderEmailTemplate`` is the one operation that reports a missing attribute.
"""

from __future__ import annotations

import uuid
from typing import Any

from ses_workbench.mime import build_mime
from ses_workbench.ses.local.rules import TEMPLATE_NAME_RE
from ses_workbench.ses.local.service.base import (
    ApiError,
    ServiceBase,
    _after_token,
    _next_token,
    _now,
    bad_request,
    not_found,
)

__all__ = ["TemplatesMixin"]


class TemplatesMixin(ServiceBase):
    """The stored template operations."""

    def _check_name(self, name: str | None) -> str:
        if not name:
            raise bad_request("Missing required parameter TemplateName.")
        if not TEMPLATE_NAME_RE.match(name):
            raise bad_request(f"Template name {name!r} is invalid: use 1 to 64 letters, digits, '_' or '-'.")
        return name

    def _get_template(self, name: str | None) -> dict[str, Any]:
        rec = self.store.templates.get(name or "")
        if rec is None:
            raise not_found(f"Template {name} does not exist.")
        return rec

    def op_create_email_template(self, params: dict[str, Any]) -> dict[str, Any]:
        self._throttle_template_op()
        name = self._check_name(self._str_field(params, "TemplateName", required=False))
        content = self._check_content(params.get("TemplateContent"))
        with self._lock:
            if name in self.store.templates:
                raise ApiError("AlreadyExistsException", f"Template {name} already exists.")
            if len(self.store.templates) >= self.settings.max_templates:
                raise ApiError("LimitExceededException",
                               f"Maximum number of templates ({self.settings.max_templates}) reached.")
        version = uuid.uuid4().hex
        compiled = self._compile_parts(content)
        with self._lock:
            if name in self.store.templates:  # created by a concurrent request meanwhile
                raise ApiError("AlreadyExistsException", f"Template {name} already exists.")
            now = _now()
            self.store.put_template({"name": name, "content": content, "created": now, "updated": now,
                                     "version": version, "tags": params.get("Tags") or []})
            self._compiled[(name, version)] = compiled
        return {}

    def op_update_email_template(self, params: dict[str, Any]) -> dict[str, Any]:
        self._throttle_template_op()
        name = params.get("TemplateName")
        with self._lock:
            self._get_template(name)
        content = self._check_content(params.get("TemplateContent"))
        compiled = self._compile_parts(content)
        version = uuid.uuid4().hex
        with self._lock:
            rec = self._get_template(name)
            rec = {**rec, "content": content, "updated": _now(), "version": version}
            self.store.put_template(rec)
            self._compiled[(rec["name"], version)] = compiled
        return {}

    def op_get_email_template(self, params: dict[str, Any]) -> dict[str, Any]:
        self._throttle_template_op()
        with self._lock:
            rec = self._get_template(params.get("TemplateName"))
            out: dict[str, Any] = {"TemplateName": rec["name"], "TemplateContent": dict(rec["content"])}
            if rec.get("tags"):
                out["Tags"] = list(rec["tags"])
            return out

    def op_delete_email_template(self, params: dict[str, Any]) -> dict[str, Any]:
        self._throttle_template_op()
        with self._lock:
            rec = self._get_template(params.get("TemplateName"))
            self.store.delete_template(rec["name"])
        return {}

    def op_list_email_templates(self, params: dict[str, Any]) -> dict[str, Any]:
        self._throttle_template_op()
        size = self._page_size(params, default=10, low=1, high=100)
        page, more = self.store.template_page(_after_token(params), size)  # one indexed query
        out: dict[str, Any] = {"TemplatesMetadata": [
            {"TemplateName": name, "CreatedTimestamp": created} for name, created in page
        ]}
        if more and page:
            out["NextToken"] = _next_token(page[-1][0])
        return out

    def op_test_render_email_template(self, params: dict[str, Any]) -> dict[str, Any]:
        self._throttle_template_op()
        with self._lock:
            rec = self._get_template(params.get("TemplateName"))
            key, content = (rec["name"], rec["version"]), dict(rec["content"])
        raw = params.get("TemplateData")
        if raw is None:
            raise bad_request("Missing required parameter TemplateData.")
        try:
            data = self._parse_data(raw)
        except ValueError as exc:
            raise bad_request(str(exc)) from None
        compiled = self._compiled_for(key, content)
        engine = self._engine
        try:
            rendered = {part: tpl.render(data) for part, tpl in compiled.items()}
        except engine.EngineError as exc:
            raise bad_request(str(exc)) from None
        mime = build_mime(rendered.get("Subject", ""), rendered.get("Html"), rendered.get("Text"))
        return {"RenderedTemplate": mime.decode("utf-8", errors="replace")}
