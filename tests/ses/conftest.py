"""Fixtures for the SES layer: a small project on disk and the embedded local SES endpoint over HTTP.

Every test talks to the endpoint through boto3 (no Stubber, no moto).  Limits are fast
(unlimited template operations and sends) unless pacing is the subject of the test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ses_workbench.project import Environment, Project
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.local import LocalSes, LocalSesSettings
from tests import conftest
from tests.clocks import ManualClock  # noqa: F401 - re-exported for the tests here

CONFIG = """\
sender = "QA <sender@example.com>"
test_recipients = ["qa@verified.test", "success@simulator.amazonses.com"]
text_part = "optional"
default_env = "local"

[environments.stg]
local = true
prefix = "stg-"

[environments.aws]
profile = "ses-workbench-test-no-such-profile-creds"
region = "us-east-1"

[local_ses]
sandbox = true
max_send_rate = 1000
max_24h_send = 200
template_ops_per_second = 1000
verified_identities = ["sender@example.com", "verified.test"]
"""

TEMPLATES: dict[str, dict[str, Any]] = {
    "welcome": {
        "subject.txt": "Welcome {{name}}!\n",
        "body.html": "<p>Hello {{name}}</p>\n{{#if plan}}<p>Plan: {{plan.name}}</p>{{/if}}\n",
        "body.txt": "Hello {{name}}\n",
        "data": {"default": {"name": "Ada", "plan": {"name": "Pro"}}, "no-plan": {"name": "Bob"}},
    },
    "receipt": {
        "subject.txt": "Receipt {{order.id}}\n",
        "body.html": "<ul>{{#each order.items}}<li>{{this.sku}}</li>{{/each}}</ul>\n",
        "data": {"default": {"order": {"id": "A1", "items": [{"sku": "x"}, {"sku": "y"}]}}},
    },
}


MISSING_ID = '{"order": {"items": []}}'  # a receipt fixture SES would reject (no order.id)


def write_project(root: Path, templates: dict[str, dict[str, Any]] | None = None,
                  config: str = CONFIG) -> Project:
    """:data:`TEMPLATES` (or ``templates``) under :data:`CONFIG` (or ``config``)."""
    return conftest.write_project(root, templates or TEMPLATES, config)


@pytest.fixture(autouse=True)
def _no_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test may find real credentials or wait on the instance metadata service."""
    empty = tmp_path_factory.mktemp("aws")
    (empty / "config").write_text("")
    (empty / "credentials").write_text("")
    for var in list(os.environ):
        if var.startswith("AWS_") and var != "AWS_CA_BUNDLE":
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return write_project(tmp_path / "proj")


def settings(**overrides: Any) -> LocalSesSettings:
    base: dict[str, Any] = dict(sandbox=True, max_send_rate=None, max_24h_send=200,
                                template_ops_per_second=None,
                                verified_identities=("sender@example.com", "verified.test"))
    base.update(overrides)
    return LocalSesSettings(**base)


@pytest.fixture
def server(project: Project) -> Iterator[LocalSes]:
    with LocalSes(project.state_dir, settings(), port=0) as ses:
        yield ses


def make_client(project: Project, server: LocalSes, env: str = "local", **kw: Any) -> SesClient:
    base = project.config.env(env)
    environment = Environment(base.name, local=True, region="us-east-1", endpoint_url=server.endpoint_url,
                              prefix=base.prefix)
    kw.setdefault("template_rate", 0)  # unpaced: the endpoint is unlimited in tests
    kw.setdefault("backoff_base", 0.01)
    kw.setdefault("credentials", (server.credentials.access_key_id, server.credentials.secret_access_key))
    return SesClient(environment, project, **kw)


@pytest.fixture
def client(project: Project, server: LocalSes) -> SesClient:
    return make_client(project, server)


# ------------------------------------------------------------------ the CLI matrix: once per SES API
#: What a 2017-API-only account may do: every 2017 action the workbench calls, no sesv2 one.
V1_ONLY = ("ses:ListTemplates", "ses:GetTemplate", "ses:CreateTemplate", "ses:UpdateTemplate",
           "ses:DeleteTemplate", "ses:TestRenderTemplate", "ses:SendBulkTemplatedEmail",
           "ses:SendTemplatedEmail", "ses:SendRawEmail", "ses:GetSendQuota", "ses:GetAccountSendingEnabled",
           "ses:ListIdentities", "ses:GetIdentityVerificationAttributes", "ses:VerifyEmailIdentity",
           "ses:VerifyDomainIdentity")


def api_settings(api: str, **overrides: Any) -> LocalSesSettings:
    """The test endpoint for a run under ``api``: ``v1`` simulates an account whose IAM policy grants
    only the 2017 actions (:data:`V1_ONLY`), so a stray sesv2 request fails the run."""
    return settings(**({"iam_allow": V1_ONLY} if api == "v1" else {}), **overrides)


def api_of(server: LocalSes) -> str:
    """The API a test speaks to ``server``: ``v1`` when the endpoint allows only the 2017 actions."""
    return "v1" if server.settings.iam_allow == V1_ONLY else "v2"


@pytest.fixture(params=("v2", "v1"))
def api(request: pytest.FixtureRequest) -> str:
    """Parametrizes a module over both APIs when its ``server``/``client`` fixtures use it."""
    return str(request.param)


@pytest.fixture
def api_server(project: Project, api: str) -> Iterator[LocalSes]:
    with LocalSes(project.state_dir, api_settings(api), port=0) as ses:
        yield ses
