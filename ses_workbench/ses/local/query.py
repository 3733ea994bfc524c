"""The 2017 SES API (boto3 service ``ses``, the AWS Query protocol) at the local endpoint.

A request is a signed ``POST /`` whose body is ``application/x-www-form-urlencoded``:
``Action=CreateTemplate&Version=2010-12-01&Template.TemplateName=…``, lists and maps flattened as
botocore's query serializer writes them (``Destinations.member.1.Destination.ToAddresses.member.1``,
``Tags.member.1.Name``, ``VerificationAttributes.entry.1.key``).  The answer is XML:
``<XxxResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><XxxResult>…</XxxResult>
<ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></XxxResponse>``, an error
``<ErrorResponse xmlns=…><Error><Type>Sender</Type><Code>TemplateDoesNotExist</Code><Message>…</Message>
</Error><RequestId>…</RequestId></ErrorResponse>`` with the HTTP status of botocore's ``ses`` model, so
every SDK raises its own exception type (``client.exceptions.TemplateDoesNotExistException`` in boto3).

Parsing and serialising are driven by botocore's ``ses`` model, so member names, list/map encodings and
scalar types are exactly the SDKs'.  Each operation is translated to the v2 operation of
:class:`~ses_workbench.ses.local.service.LocalSesService` that does the same thing (one store and one set
of rules — sandbox, rates, quota, identities, outbox, events — for both APIs), and the v2 error is
renamed to the code the 2017 API uses for it (:data:`V1_ERROR_CODES`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from ses_workbench.ses.local.service import ApiError, LocalSesService
from ses_workbench.ses.local.store import iter_events

__all__ = ["QueryApi", "FORM_TYPE", "XML_NAMESPACE", "VERSION", "error_xml", "v1_error", "is_query_request",
           "QUERY_PATH", "V1_ERROR_CODES"]

FORM_TYPE = "application/x-www-form-urlencoded"
XML_NAMESPACE = "http://ses.amazonaws.com/doc/2010-12-01/"
VERSION = "2010-12-01"
QUERY_PATH = "/"

# The v2 error type -> the 2017 API's error code (and HTTP status) for the same failure.
V1_ERROR_CODES: dict[str, tuple[str, int]] = {
    "BadRequestException": ("InvalidParameterValue", 400),
    "NotFoundException": ("TemplateDoesNotExist", 400),
    "AlreadyExistsException": ("AlreadyExists", 400),
    "LimitExceededException": ("LimitExceeded", 400),
    "TooManyRequestsException": ("Throttling", 400),
    "SendingPausedException": ("AccountSendingPausedException", 400),
    "MessageRejected": ("MessageRejected", 400),
    "AccessDeniedException": ("AccessDenied", 403),
    "ExpiredTokenException": ("ExpiredToken", 403),
    "MissingAuthenticationTokenException": ("MissingAuthenticationToken", 403),
    "IncompleteSignatureException": ("IncompleteSignature", 403),
    "UnrecognizedClientException": ("InvalidClientTokenId", 403),
    "InvalidSignatureException": ("SignatureDoesNotMatch", 403),
    "InternalFailure": ("InternalFailure", 500),
    "SerializationException": ("MalformedQueryString", 400),
    "UnknownOperationException": ("InvalidAction", 400),
}
# v2 BulkEmailEntryResult.Status -> the 2017 BulkEmailDestinationStatus.Status
_BULK_STATUS = {
    "SUCCESS": "Success", "MESSAGE_REJECTED": "MessageRejected",
    "MAIL_FROM_DOMAIN_NOT_VERIFIED": "MailFromDomainNotVerified",
    "CONFIGURATION_SET_NOT_FOUND": "ConfigurationSetDoesNotExist",
    "TEMPLATE_NOT_FOUND": "TemplateDoesNotExist", "TEMPLATE_DOES_NOT_EXIST": "TemplateDoesNotExist",
    "ACCOUNT_SUSPENDED": "AccountSuspended", "ACCOUNT_THROTTLED": "AccountThrottled",
    "ACCOUNT_DAILY_QUOTA_EXCEEDED": "AccountDailyQuotaExceeded",
    "INVALID_SENDING_POOL_NAME": "InvalidSendingPoolName", "ACCOUNT_SENDING_PAUSED": "AccountSendingPaused",
    "CONFIGURATION_SET_SENDING_PAUSED": "ConfigurationSetSendingPaused",
    "INVALID_PARAMETER": "InvalidParameterValue", "TRANSIENT_FAILURE": "TransientFailure", "FAILED": "Failed",
}
_VERIFICATION_STATUS = {"SUCCESS": "Success", "PENDING": "Pending", "FAILED": "Failed",
                        "TEMPORARY_FAILURE": "TemporaryFailure", "NOT_STARTED": "NotStarted"}
_STAT_BUCKET = 15 * 60  # GetSendStatistics: "each data point ... represents the last two weeks ... 15-minute"
_STAT_WINDOW = 14 * 24 * 3600
_model_lock = threading.Lock()
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def is_query_request(method: str, path: str, content_type: str | None) -> bool:
    """Whether a request is meant for the 2017 API: a form-encoded ``POST /``."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return method == "POST" and path == QUERY_PATH and media == FORM_TYPE


@lru_cache(maxsize=1)
def _model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("ses")


@lru_cache(maxsize=64)
def _operation(name: str) -> Any:
    with _model_lock:
        model = _model()
        return model.operation_model(name) if name in model.operation_names else None


def v1_error(exc: ApiError) -> ApiError:
    """The 2017 API's form of a v2 error (already-2017 codes pass through)."""
    mapped = V1_ERROR_CODES.get(exc.code)
    if mapped is None:
        return exc
    code, status = mapped
    return ApiError(code, exc.message, status)


def error_xml(exc: ApiError, request_id: str) -> bytes:
    """``<ErrorResponse>`` as SES writes it; ``Type`` is Receiver for a 5xx (the service's fault)."""
    root = ET.Element("ErrorResponse", xmlns=XML_NAMESPACE)
    error = ET.SubElement(root, "Error")
    ET.SubElement(error, "Type").text = "Receiver" if exc.status >= 500 else "Sender"
    ET.SubElement(error, "Code").text = exc.code
    ET.SubElement(error, "Message").text = _xml_text(exc.message)
    ET.SubElement(root, "RequestId").text = request_id
    return _xml_bytes(root)


def _xml_text(text: str) -> str:
    """Text of an error message: what XML 1.0 cannot carry (most C0 controls, lone surrogates, U+FFFE/F)
    is shown as ``\\xNN`` / ``\\uNNNN``."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


def _value_text(text: str, path: str) -> str:
    """Text of a response value, which must arrive unchanged: refused when XML cannot carry it."""
    bad = _NOT_XML.search(text)
    if bad is not None:
        raise ApiError("InvalidParameterValue",
                       f"{path} holds the character U+{ord(bad.group()):04X}, which the 2017 API's XML "
                       "cannot carry; read it through the v2 API (JSON) instead.")
    return text


def _xml_bytes(root: ET.Element) -> bytes:
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


# -- request parsing ---------------------------------------------------------------------------------
def parse_form(raw: bytes) -> dict[str, str]:
    """The form's fields (the last value of a repeated one); MalformedQueryString unless the body and
    every percent-encoded value are UTF-8 (never replaced by U+FFFD: a template is stored as sent)."""
    try:
        text = raw.decode("utf-8")
        return dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
    except UnicodeDecodeError:
        raise ApiError("MalformedQueryString", "The request body is not UTF-8 (also once "
                       "percent-decoded).") from None


def _tree(fields: dict[str, str]) -> dict[str, Any]:
    """``{"a.b.1": v}`` -> ``{"a": {"b": {"1": {"": v}}}}`` (the value of a node under the key "")."""
    root: dict[str, Any] = {}
    for key, value in fields.items():
        node = root
        for part in key.split("."):
            node = node.setdefault(part, {})
        node[""] = value
    return root


def _indexed(node: dict[str, Any], what: str) -> list[Any]:
    items = []
    for key, child in node.items():
        if key == "":
            continue
        if not (key.isascii() and key.isdigit()) or int(key) < 1:
            raise ApiError("InvalidParameterValue", f"{what}: {key!r} is not a list index (1, 2, ...).")
        items.append((int(key), child))
    return [child for _, child in sorted(items, key=lambda item: item[0])]


def _decode(node: dict[str, Any], shape: Any, path: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            child = node.get(member.serialization.get("name", name))
            if child is not None:
                out[name] = _decode(child, member, f"{path}.{name}" if path else name)
        missing = [name for name in shape.required_members if name not in out]
        if missing:
            where = f"{path}." if path else ""
            raise ApiError("ValidationError", "; ".join(
                f"Value null at '{where}{name}' failed to satisfy constraint: Member must not be null"
                for name in missing))
        return out
    if kind == "list":
        if node.get("") == "" and len(node) == 1:
            return []  # botocore sends an empty list as "Name="
        inner = node if shape.serialization.get("flattened") else node.get(
            shape.member.serialization.get("name", "member"), {})
        return [_decode(item, shape.member, f"{path}[{i}]")
                for i, item in enumerate(_indexed(inner, path))]
    if kind == "map":
        entries = node if shape.serialization.get("flattened") else node.get("entry", {})
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        result: dict[str, Any] = {}
        for entry in _indexed(entries, path):
            if key_name not in entry:
                raise ApiError("InvalidParameterValue", f"{path}: an entry has no {key_name}.")
            result[_decode(entry[key_name], shape.key, path)] = \
                _decode(entry.get(value_name, {"": ""}), shape.value, f"{path}.{value_name}")
        return result
    value = node.get("")
    if value is None:
        raise ApiError("InvalidParameterValue", f"{path} must be a value, not a structure.")
    if kind in ("integer", "long"):
        try:
            return int(value)
        except ValueError:
            raise ApiError("InvalidParameterValue", f"{path} must be an integer, not {value!r}.") from None
    if kind in ("float", "double"):
        try:
            return float(value)
        except ValueError:
            raise ApiError("InvalidParameterValue", f"{path} must be a number, not {value!r}.") from None
    if kind == "boolean":
        if value.lower() not in ("true", "false"):
            raise ApiError("InvalidParameterValue", f"{path} must be true or false, not {value!r}.")
        return value.lower() == "true"
    if kind == "blob":
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError("InvalidParameterValue", f"{path} is not valid base64.") from None
    return value  # strings; a blob stays base64 (what the v2 operations take)


# -- response serialising ----------------------------------------------------------------------------
def _encode(parent: ET.Element, tag: str, value: Any, shape: Any, path: str) -> None:
    element = ET.SubElement(parent, tag)
    kind = shape.type_name
    if kind == "structure":
        for name, member in shape.members.items():
            if value.get(name) is not None:
                _encode(element, member.serialization.get("name", name), value[name], member,
                        f"{path}.{name}")
    elif kind == "list":
        for i, item in enumerate(value):
            _encode(element, shape.member.serialization.get("name", "member"), item, shape.member,
                    f"{path}[{i}]")
    elif kind == "map":
        for key, item in value.items():
            entry = ET.SubElement(element, "entry")
            key_tag = shape.key.serialization.get("name", "key")
            ET.SubElement(entry, key_tag).text = _value_text(str(key), path)
            _encode(entry, shape.value.serialization.get("name", "value"), item, shape.value,
                    f"{path}[{key}]")
    elif kind == "boolean":
        element.text = "true" if value else "false"
    elif kind == "timestamp":
        element.text = datetime.fromtimestamp(float(value), timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    else:
        element.text = _value_text(str(value), path)


def response_xml(action: str, result: dict[str, Any], request_id: str) -> bytes:
    operation = _operation(action)
    root = ET.Element(f"{action}Response", xmlns=XML_NAMESPACE)
    shape = operation.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{action}Result")
        # the wrapper element holds the members of the output shape
        holder = ET.SubElement(root, wrapper)
        for name, member in shape.members.items():
            if result.get(name) is not None:
                _encode(holder, member.serialization.get("name", name), result[name], member, name)
    metadata = ET.SubElement(root, "ResponseMetadata")
    ET.SubElement(metadata, "RequestId").text = request_id
    return _xml_bytes(root)


# -- the operations ----------------------------------------------------------------------------------
def _template_content(template: dict[str, Any]) -> dict[str, Any]:
    content = {"Subject": template.get("SubjectPart"), "Html": template.get("HtmlPart"),
               "Text": template.get("TextPart")}
    return {k: v for k, v in content.items() if v is not None}


def _destination(dest: dict[str, Any] | None) -> dict[str, Any]:
    dest = dest or {}
    return {field: dest.get(field) or [] for field in ("ToAddresses", "CcAddresses", "BccAddresses")}


def _tags(tags: Any) -> list[dict[str, str]] | None:
    return [{"Name": t["Name"], "Value": t["Value"]} for t in tags] if tags else None


def _template_ref(params: dict[str, Any], data: Any) -> dict[str, Any]:
    ref: dict[str, Any] = {"TemplateData": data}
    if params.get("TemplateArn"):
        ref["TemplateArn"] = params["TemplateArn"]
    else:
        ref["TemplateName"] = params.get("Template")
    return ref


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class QueryApi:
    """The 2017 operations over one :class:`LocalSesService` (the one the v2 routes use)."""

    def __init__(self, service: LocalSesService) -> None:
        self.service = service
        self.operations: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "CreateTemplate": self.create_template, "UpdateTemplate": self.update_template,
            "GetTemplate": self.get_template, "ListTemplates": self.list_templates,
            "DeleteTemplate": self.delete_template, "TestRenderTemplate": self.test_render_template,
            "SendTemplatedEmail": self.send_templated_email,
            "SendBulkTemplatedEmail": self.send_bulk_templated_email,
            "SendEmail": self.send_email, "SendRawEmail": self.send_raw_email,
            "GetSendQuota": self.get_send_quota, "GetSendStatistics": self.get_send_statistics,
            "GetAccountSendingEnabled": self.get_account_sending_enabled,
            "VerifyEmailIdentity": self.verify_email_identity,
            "VerifyEmailAddress": self.verify_email_identity,
            "VerifyDomainIdentity": self.verify_domain_identity, "ListIdentities": self.list_identities,
            "GetIdentityVerificationAttributes": self.get_identity_verification_attributes,
            "DeleteIdentity": self.delete_identity,
        }
        # custom verification email templates: the same operation names and members as sesv2's
        for action in ("CreateCustomVerificationEmailTemplate", "UpdateCustomVerificationEmailTemplate",
                       "GetCustomVerificationEmailTemplate", "DeleteCustomVerificationEmailTemplate",
                       "ListCustomVerificationEmailTemplates", "SendCustomVerificationEmail"):
            self.operations[action] = self._custom_verification(action)

    def action(self, fields: dict[str, str]) -> str:
        """The operation a form names; MissingAction / InvalidAction as the Query API answers them."""
        action = fields.get("Action")
        if not action:
            raise ApiError("MissingAction", "The request must contain the parameter Action.")
        version = fields.get("Version")
        if version != VERSION:
            raise ApiError("InvalidParameterValue" if version else "MissingParameter",
                           f"The request must contain the parameter Version={VERSION}"
                           + (f" (not {version!r})." if version else "."))
        if action not in self.operations or _operation(action) is None:
            raise ApiError("InvalidAction", f"Could not find operation {action} for version {VERSION}"
                           " (the local SES endpoint serves the template, sending, account and identity "
                           "operations of the 2017 API).")
        return action

    def call(self, action: str, fields: dict[str, str]) -> dict[str, Any]:
        """Run ``action`` on the form ``fields``; the output dict, or ApiError with a 2017 code."""
        shape = _operation(action).input_shape
        params = _decode(_tree({k: v for k, v in fields.items() if k not in ("Action", "Version")}),
                         shape, "") if shape is not None else {}
        try:
            return self.operations[action](params)
        except ApiError as exc:
            raise v1_error(exc) from None

    def _custom_verification(self, action: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
        """A custom verification operation through the v2 one, with the 2017 API's error codes."""
        op: Callable[[dict[str, Any]], dict[str, Any]] = getattr(
            self.service, "op_" + re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower())

        def run(params: dict[str, Any]) -> dict[str, Any]:
            if action == "ListCustomVerificationEmailTemplates":
                params = _drop_none({"PageSize": params.get("MaxResults"),
                                     "NextToken": params.get("NextToken")})
            try:
                return op(params)
            except ApiError as exc:
                if exc.code == "NotFoundException":
                    code = "FromEmailAddressNotVerified" if "not verified" in exc.message else \
                        "CustomVerificationEmailTemplateDoesNotExist"
                elif exc.code == "AlreadyExistsException":
                    code = "CustomVerificationEmailTemplateAlreadyExists"
                elif exc.code == "BadRequestException" and "not allowed" in exc.message:
                    code = "CustomVerificationEmailInvalidContent"
                else:
                    raise
                raise ApiError(code, exc.message, 400) from None

        return run

    # -- templates -------------------------------------------------------------------------------
    def _template_error(self, exc: ApiError) -> ApiError:
        """A template the engine cannot compile is the 2017 API's InvalidTemplate (v2 says BadRequest)."""
        engine_error = self.service._engine.EngineError
        if exc.code == "BadRequestException" and isinstance(exc.__context__, engine_error):
            return ApiError("InvalidTemplate", exc.message)
        return exc

    def create_template(self, params: dict[str, Any]) -> dict[str, Any]:
        template = params["Template"]
        try:
            return self.service.op_create_email_template({"TemplateName": template.get("TemplateName"),
                                                          "TemplateContent": _template_content(template)})
        except ApiError as exc:
            raise self._template_error(exc) from None

    def update_template(self, params: dict[str, Any]) -> dict[str, Any]:
        template = params["Template"]
        try:
            return self.service.op_update_email_template({"TemplateName": template.get("TemplateName"),
                                                          "TemplateContent": _template_content(template)})
        except ApiError as exc:
            raise self._template_error(exc) from None

    def get_template(self, params: dict[str, Any]) -> dict[str, Any]:
        out = self.service.op_get_email_template({"TemplateName": params["TemplateName"]})
        content = out["TemplateContent"]
        return {"Template": _drop_none({"TemplateName": out["TemplateName"],
                                        "SubjectPart": content.get("Subject"),
                                        "HtmlPart": content.get("Html"), "TextPart": content.get("Text")})}

    def list_templates(self, params: dict[str, Any]) -> dict[str, Any]:
        size = params.get("MaxItems")
        if size is not None and size < 1:
            raise ApiError("InvalidParameterValue", "MaxItems must be at least 1.")
        out = self.service.op_list_email_templates(_drop_none({
            "PageSize": None if size is None else min(size, 100), "NextToken": params.get("NextToken")}))
        return _drop_none({
            "TemplatesMetadata": [{"Name": t["TemplateName"], "CreatedTimestamp": t["CreatedTimestamp"]}
                                  for t in out["TemplatesMetadata"]],
            "NextToken": out.get("NextToken")})

    def delete_template(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            self.service.op_delete_email_template({"TemplateName": params["TemplateName"]})
        except ApiError as exc:
            if exc.code != "NotFoundException":  # the 2017 DeleteTemplate has no "does not exist" error
                raise
        return {}

    def test_render_template(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            self.service._parse_data(params["TemplateData"])
        except ValueError as exc:
            # the template's existence is checked first, as the v2 operation does
            self.service.op_get_email_template({"TemplateName": params["TemplateName"]})
            raise ApiError("InvalidRenderingParameter", str(exc)) from None
        try:
            return self.service.op_test_render_email_template(
                {"TemplateName": params["TemplateName"], "TemplateData": params["TemplateData"]})
        except ApiError as exc:
            cause = exc.__context__
            if exc.code == "BadRequestException" and cause is not None:
                engine = self.service._engine
                code = "MissingRenderingAttribute" if isinstance(cause, engine.MissingAttributeError) \
                    else "InvalidRenderingParameter"
                raise ApiError(code, exc.message) from None
            raise

    # -- sending ---------------------------------------------------------------------------------
    def _send(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.service.op_send_email(params)
        except ApiError as exc:
            if exc.code == "LimitExceededException":  # the 2017 API throttles a spent daily quota
                raise ApiError("Throttling", exc.message) from None
            raise

    def send_templated_email(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send(_drop_none({
            "FromEmailAddress": params["Source"], "Destination": _destination(params.get("Destination")),
            "ReplyToAddresses": params.get("ReplyToAddresses"), "EmailTags": _tags(params.get("Tags")),
            "Content": {"Template": _template_ref(params, params["TemplateData"])},
        }))

    def send_bulk_templated_email(self, params: dict[str, Any]) -> dict[str, Any]:
        entries = []
        for item in params["Destinations"]:
            entry: dict[str, Any] = {"Destination": _destination(item.get("Destination"))}
            if item.get("ReplacementTags"):
                entry["ReplacementTags"] = _tags(item["ReplacementTags"])
            if item.get("ReplacementTemplateData") is not None:
                entry["ReplacementEmailContent"] = {
                    "ReplacementTemplate": {"ReplacementTemplateData": item["ReplacementTemplateData"]}}
            entries.append(entry)
        out = self.service.op_send_bulk_email(_drop_none({
            "FromEmailAddress": params["Source"], "ReplyToAddresses": params.get("ReplyToAddresses"),
            "DefaultEmailTags": _tags(params.get("DefaultTags")),
            "DefaultContent": {"Template": _template_ref(params, params["DefaultTemplateData"])},
            "BulkEmailEntries": entries,
        }))
        return {"Status": [_drop_none({"Status": _BULK_STATUS.get(r["Status"], "Failed"),
                                       "Error": r.get("Error"), "MessageId": r.get("MessageId")})
                           for r in out["BulkEmailEntryResults"]]}

    def send_email(self, params: dict[str, Any]) -> dict[str, Any]:
        message = params["Message"]
        body = {part: _drop_none({"Data": value["Data"], "Charset": value.get("Charset")})
                for part, value in message["Body"].items() if value}
        return self._send(_drop_none({
            "FromEmailAddress": params["Source"], "Destination": _destination(params["Destination"]),
            "ReplyToAddresses": params.get("ReplyToAddresses"), "EmailTags": _tags(params.get("Tags")),
            "Content": {"Simple": {"Subject": message["Subject"], "Body": body}},
        }))

    def send_raw_email(self, params: dict[str, Any]) -> dict[str, Any]:
        data = params["RawMessage"]["Data"]
        size = len(base64.b64decode(data))
        limit = self.service.settings.max_raw_message_bytes
        if size > limit:
            raise ApiError("MessageRejected", f"Message length is more than {limit} bytes long: {size}.")
        destinations = params.get("Destinations")
        return self._send(_drop_none({
            "FromEmailAddress": params.get("Source"),
            "Destination": {"ToAddresses": destinations} if destinations else None,
            "EmailTags": _tags(params.get("Tags")),
            "Content": {"Raw": {"Data": data}},
        }))

    # -- account ---------------------------------------------------------------------------------
    def get_send_quota(self, params: dict[str, Any]) -> dict[str, Any]:
        quota = self.service.op_get_account({})["SendQuota"]
        return {"Max24HourSend": quota["Max24HourSend"], "MaxSendRate": quota["MaxSendRate"],
                "SentLast24Hours": quota["SentLast24Hours"]}

    def get_send_statistics(self, params: dict[str, Any]) -> dict[str, Any]:
        """The last two weeks of sends in 15-minute data points, counted from the recorded events."""
        now = datetime.now(timezone.utc).timestamp()
        points: dict[int, dict[str, int]] = {}
        for event in iter_events(self.service.store.root.parent):
            mail = event.get("mail") or {}
            try:
                when = datetime.strptime(str(mail.get("timestamp")), "%Y-%m-%dT%H:%M:%S.%fZ") \
                    .replace(tzinfo=timezone.utc).timestamp()
            except ValueError:
                continue
            if when < now - _STAT_WINDOW:
                continue
            point = points.setdefault(int(when // _STAT_BUCKET * _STAT_BUCKET),
                                      {"DeliveryAttempts": 0, "Bounces": 0, "Complaints": 0, "Rejects": 0})
            kind = event.get("eventType")
            if kind == "Send":
                point["DeliveryAttempts"] += len(mail.get("destination") or [])
            elif kind == "Bounce":
                point["Bounces"] += len((event.get("bounce") or {}).get("bouncedRecipients") or [])
            elif kind == "Complaint":
                point["Complaints"] += len((event.get("complaint") or {}).get("complainedRecipients") or [])
            elif kind == "Reject":
                point["Rejects"] += 1
        return {"SendDataPoints": [{"Timestamp": ts, **counts} for ts, counts in sorted(points.items())]}

    def get_account_sending_enabled(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"Enabled": bool(self.service.op_get_account({})["SendingEnabled"])}

    # -- identities ------------------------------------------------------------------------------
    def _create_identity(self, identity: str) -> None:
        try:
            self.service.op_create_email_identity({"EmailIdentity": identity})
        except ApiError as exc:
            if exc.code != "AlreadyExistsException":  # the 2017 Verify* operations may be repeated
                raise

    def verify_email_identity(self, params: dict[str, Any]) -> dict[str, Any]:
        address = params["EmailAddress"]
        if "@" not in address:
            raise ApiError("InvalidParameterValue", f"Invalid email address <{address}>.")
        self._create_identity(address)
        return {}

    def _domain_token(self, domain: str) -> str:
        digest = hashlib.sha256(f"{self.service.settings.account_id}:{domain.lower()}".encode()).digest()
        return base64.b64encode(digest[:33]).decode("ascii")

    def verify_domain_identity(self, params: dict[str, Any]) -> dict[str, Any]:
        domain = params["Domain"]
        if "@" in domain:
            raise ApiError("InvalidParameterValue", f"Invalid domain name {domain}.")
        self._create_identity(domain)
        return {"VerificationToken": self._domain_token(domain)}

    def list_identities(self, params: dict[str, Any]) -> dict[str, Any]:
        kind = params.get("IdentityType")
        if kind not in (None, "EmailAddress", "Domain"):
            raise ApiError("InvalidParameterValue", "IdentityType must be EmailAddress or Domain.")
        filters = {"IDENTITY_TYPE": "EMAIL_ADDRESS" if kind == "EmailAddress" else "DOMAIN"} if kind else None
        size = params.get("MaxItems")
        out = self.service.op_list_email_identities(_drop_none({
            "Filter": filters, "NextToken": params.get("NextToken"),
            "PageSize": None if size is None else max(0, min(size, 1000))}))
        return _drop_none({"Identities": [i["IdentityName"] for i in out["EmailIdentities"]],
                           "NextToken": out.get("NextToken")})

    def get_identity_verification_attributes(self, params: dict[str, Any]) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        for identity in params["Identities"]:
            try:
                rec = self.service.op_get_email_identity({"EmailIdentity": identity})
            except ApiError as exc:
                if exc.code == "NotFoundException":
                    continue  # SES leaves identities it does not know out of the map
                raise
            attrs: dict[str, Any] = {"VerificationStatus": _VERIFICATION_STATUS.get(
                rec["VerificationStatus"], "NotStarted")}
            if rec["IdentityType"] == "DOMAIN":
                attrs["VerificationToken"] = self._domain_token(identity)
            attributes[identity] = attrs
        return {"VerificationAttributes": attributes}

    def delete_identity(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            self.service.op_delete_email_identity({"EmailIdentity": params["Identity"]})
        except ApiError as exc:
            if exc.code != "NotFoundException":  # deleting an unknown identity succeeds in the 2017 API
                raise
        return {}
