"""Sending operations of the SES client: SendBulkEmail (2017: SendBulkTemplatedEmail) and SendEmail
(2017: SendTemplatedEmail, SendRawEmail), paced per recipient through a bucket sized to the account's
MaxSendRate, with results in sesv2's status names whichever API sent them (:func:`v1_bulk_status`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ses_workbench.project.fixtures import template_data_json
from ses_workbench.ses.client.account import AccountOperations, _upper_snake
from ses_workbench.ses.client.model import BulkResult
from ses_workbench.ses.client.templates import _json
from ses_workbench.ses.errors import BadRequest
from ses_workbench.ses.pacing import TokenBucket

# The 2017 API's bulk statuses (BulkEmailStatus, CamelCase) as sesv2 names them.
_V1_BULK_STATUS = {"ConfigurationSetDoesNotExist": "CONFIGURATION_SET_NOT_FOUND",
                   "TemplateDoesNotExist": "TEMPLATE_NOT_FOUND", "InvalidParameterValue": "INVALID_PARAMETER"}


class SendingOperations(AccountOperations):
    """The sending operations of :class:`~ses_workbench.ses.client.SesClient` (they size the send
    bucket from the account, hence the base)."""

    def send_batch_size(self) -> int:
        """Recipients per send call: half a second's worth of MaxSendRate (1..50).

        SES's limiter holds about one second's worth.  Sending a whole second's worth at once drains it,
        and then a call that reaches SES a little late (a cold first call, jitter) wastes refill time
        against the full bucket and leaves the next call short: entries come back ACCOUNT_THROTTLED.
        With half a second's worth per call (and as our burst) up to 0.5 s of jitter is absorbed at the
        same throughput.
        """
        if self.send_bucket is not None and self.send_bucket.rate == float("inf"):
            return 50
        return max(1, min(50, int(self.get_account().max_send_rate / 2)))

    def send_pacer(self) -> TokenBucket:
        """The send bucket, sized to GetAccount's MaxSendRate (recipients per second) on first use."""
        if self.send_bucket is None:
            rate = self.get_account().max_send_rate
            self.send_bucket = TokenBucket(rate * self.safety, float(self.send_batch_size()))
        return self.send_bucket

    def send_bulk(self, template: str, entries: Sequence[tuple[Sequence[str], Any]], *, sender: str,
                  default_data: Any = None, configuration_set: str | None = None) -> list[BulkResult]:
        """SendBulkEmail (2017: SendBulkTemplatedEmail) with at most 50 ``(to_addresses, replacement_data)``
        entries; paced per recipient.  Results carry sesv2's status names (``SUCCESS``,
        ``ACCOUNT_THROTTLED``...) whichever API sent them."""
        if not 1 <= len(entries) <= 50:
            raise BadRequest(f"SendBulkEmail takes 1 to 50 entries, not {len(entries)}.",
                             operation="SendBulkEmail", template=template)
        remote = self.remote_name(template)
        recipients = sum(len(to) for to, _ in entries)
        replacements = [(list(to), None if data is None else data if isinstance(data, str) else
                         template_data_json(data, ensure_ascii=True)) for to, data in entries]
        default = default_data if isinstance(default_data, str) else \
            template_data_json(default_data if default_data is not None else {}, ensure_ascii=True)

        def v2() -> list[BulkResult]:
            bulk: list[dict[str, Any]] = []
            for to, data in replacements:
                entry: dict[str, Any] = {"Destination": {"ToAddresses": to}}
                if data is not None:
                    entry["ReplacementEmailContent"] = {
                        "ReplacementTemplate": {"ReplacementTemplateData": data}}
                bulk.append(entry)
            params: dict[str, Any] = {
                "FromEmailAddress": sender,
                "DefaultContent": {"Template": {"TemplateName": remote, "TemplateData": default}},
                "BulkEmailEntries": bulk,
            }
            if configuration_set:
                params["ConfigurationSetName"] = configuration_set
            reply = self._call("SendBulkEmail", template=template, bucket=self.send_pacer(), cost=recipients,
                               **params)
            return [BulkResult(r.get("Status", "FAILED"), r.get("MessageId"), r.get("Error"))
                    for r in reply.get("BulkEmailEntryResults", []) or []]

        def v1() -> list[BulkResult]:
            destinations: list[dict[str, Any]] = []
            for to, data in replacements:
                dest: dict[str, Any] = {"Destination": {"ToAddresses": to}}
                if data is not None:
                    dest["ReplacementTemplateData"] = data
                destinations.append(dest)
            params: dict[str, Any] = {"Source": sender, "Template": remote, "DefaultTemplateData": default,
                                      "Destinations": destinations}
            if configuration_set:
                params["ConfigurationSetName"] = configuration_set
            reply = self._call("SendBulkTemplatedEmail", template=template, bucket=self.send_pacer(),
                               cost=recipients, **params)
            return [BulkResult(v1_bulk_status(r.get("Status")), r.get("MessageId"), r.get("Error"))
                    for r in reply.get("Status", []) or []]

        return self._either("SendBulkEmail", v2, v1)

    def send_email(self, *, sender: str, to: Sequence[str], template: str | None = None, data: Any = None,
                   raw: bytes | None = None, configuration_set: str | None = None) -> str:
        """SendEmail with a stored template (``template`` + ``data``) or raw MIME (2017: SendTemplatedEmail,
        SendRawEmail); returns the MessageId."""
        if (template is None) == (raw is None):
            raise BadRequest("send_email needs exactly one of template= or raw=.", operation="SendEmail")
        extra: dict[str, Any] = {"ConfigurationSetName": configuration_set} if configuration_set else {}
        cost = max(1, len(to))
        remote = self.remote_name(template) if template is not None else None

        def v2() -> dict[str, Any]:
            params: dict[str, Any] = {"FromEmailAddress": sender, "Destination": {"ToAddresses": list(to)}}
            if raw is not None:
                params["Content"] = {"Raw": {"Data": raw}}
            else:
                params["Content"] = {"Template": {"TemplateName": remote, "TemplateData": _json(data)}}
            return self._call("SendEmail", template=template, bucket=self.send_pacer(), cost=cost,
                              **params, **extra)

        def v1() -> dict[str, Any]:
            if raw is not None:
                return self._call("SendRawEmail", bucket=self.send_pacer(), cost=cost, Source=sender,
                                  Destinations=list(to), RawMessage={"Data": raw}, **extra)
            return self._call("SendTemplatedEmail", template=template, bucket=self.send_pacer(), cost=cost,
                              Source=sender, Destination={"ToAddresses": list(to)}, Template=remote,
                              TemplateData=_json(data), **extra)

        reply = self._either("SendEmail", v2, v1)
        return str(reply.get("MessageId", ""))


def v1_bulk_status(status: Any) -> str:
    """A 2017 BulkEmailStatus (``Success``, ``AccountThrottled``...) as sesv2's (``SUCCESS``...).

    Public so a test can hold the mapping to both botocore models (every 2017 value has its sesv2 one)."""
    value = str(status or "Failed")
    return _V1_BULK_STATUS.get(value) or _upper_snake(value)
