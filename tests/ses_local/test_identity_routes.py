"""ListEmailIdentities is served under both shapes botocore has used: ``GET /v2/email/identities``
(query PageSize/NextToken) and, since botocore 1.44, ``POST /v2/email/list-identities`` (JSON body with
PageSize/NextToken/Filter).  Driven over raw HTTP so both are tested whatever botocore is installed."""

from __future__ import annotations

from typing import Any

from ses_workbench.ses.local import LocalSes

from . import conftest


def call(ses: LocalSes, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    status, _, reply = conftest.call(ses, method, path, body)
    assert status == 200, reply
    return dict(reply)


def names(reply: dict[str, Any]) -> list[str]:
    return [i["IdentityName"] for i in reply["EmailIdentities"]]


def test_both_routes_list_the_same_identities(ses: LocalSes) -> None:
    old = call(ses, "GET", "/v2/email/identities")
    new = call(ses, "POST", "/v2/email/list-identities", {})
    assert names(old) == names(new)
    assert "verified.example" in names(new)


def test_new_route_pages_with_the_body(ses: LocalSes) -> None:
    first = call(ses, "POST", "/v2/email/list-identities", {"PageSize": 1})
    assert len(first["EmailIdentities"]) == 1 and first["NextToken"]
    rest = call(ses, "POST", "/v2/email/list-identities", {"PageSize": 10, "NextToken": first["NextToken"]})
    assert names(first) + names(rest) == names(call(ses, "GET", "/v2/email/identities"))


def test_new_route_filters(ses: LocalSes) -> None:
    domains = call(ses, "POST", "/v2/email/list-identities", {"Filter": {"IDENTITY_TYPE": "DOMAIN"}})
    assert names(domains) == ["verified.example"]
    friend = call(ses, "POST", "/v2/email/list-identities",
                  {"Filter": {"IDENTITY_NAME_CONTAINS": "FRIEND"}})
    assert names(friend) == ["friend@example.com"]


def test_unknown_filter_key_is_a_bad_request(ses: LocalSes) -> None:
    status, headers, _ = conftest.call(ses, "POST", "/v2/email/list-identities",
                                       {"Filter": {"COLOUR": "blue"}})
    assert status == 400
    assert headers["x-amzn-errortype"].startswith("BadRequestException")
